package liqmap

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func meta(t time.Time) exchange.EventMeta {
	return exchange.EventMeta{Symbol: "TAOUSDT", ExchangeTime: t, ReceiveTime: t}
}

func trade(t time.Time, price, qty string, takerSold bool) exchange.Trade {
	return exchange.Trade{EventMeta: meta(t), Price: d(price), Qty: d(qty), BuyerMaker: takerSold, TradeTime: t}
}

func liq(t time.Time, side exchange.Side, price, qty string) exchange.Liquidation {
	return exchange.Liquidation{EventMeta: meta(t), Side: side, Price: d(price), AvgPrice: d(price),
		Qty: d(qty), FilledQty: d(qty), LastQty: d(qty), Status: exchange.StatusFilled, TradeTime: t}
}

func mark(t time.Time, price string) exchange.MarkPrice {
	return exchange.MarkPrice{EventMeta: meta(t), Mark: d(price), Index: d(price)}
}

func oi(t time.Time, contracts string) exchange.OpenInterest {
	return exchange.OpenInterest{EventMeta: meta(t), OpenInterest: d(contracts)}
}

// testConfig has one-cent buckets (one tick) and a single 10x slice unless changed.
func testConfig() Config {
	c := DefaultConfig()
	c.BucketTicks = 1
	c.BucketBps = 0
	c.Leverage = []LeverageWeight{{Leverage: 10, Weight: d("1")}}
	c.PositionNotional = d("4000")
	return c
}

func newMap(t testing.TB, c Config) *Map {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func apply(t testing.TB, m *Map, evs ...exchange.Event) {
	t.Helper()
	for _, e := range evs {
		if err := m.Apply(e); err != nil {
			t.Fatalf("apply %T: %v", e, err)
		}
	}
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// estAt returns the estimated long and short notional of the bucket holding price, at now.
func estAt(m *Map, price string, now time.Time) (decimal.Decimal, decimal.Decimal) {
	b := m.grid.at(m.idx(d(price)))
	if b == nil {
		return decimal.Zero, decimal.Zero
	}
	f := m.est.readFactor(now.UnixNano())
	return b.eLong.Mul(f).Round(outPlaces), b.eShort.Mul(f).Round(outPlaces)
}

// realAt returns the realized long and short notional of the bucket holding price, at now.
func realAt(m *Map, price string, now time.Time) (decimal.Decimal, decimal.Decimal) {
	b := m.grid.at(m.idx(d(price)))
	if b == nil {
		return decimal.Zero, decimal.Zero
	}
	f := m.real.readFactor(now.UnixNano())
	return b.rLong.Mul(f).Round(outPlaces), b.rShort.Mul(f).Round(outPlaces)
}
