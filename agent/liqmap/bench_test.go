package liqmap

import (
	"io"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// benchMap is a default-config map after a 3,000-event random stream.
func benchMap(b *testing.B) (*Map, time.Time) {
	b.Helper()
	m := newMap(b, DefaultConfig())
	evs := stream(5, 3000)
	apply(b, m, evs...)
	return m, evs[len(evs)-1].Meta().ExchangeTime
}

func benchEvents(b *testing.B, mk func(i int, at time.Time) exchange.Event) {
	m, now := benchMap(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Apply(mk(i, now.Add(time.Duration(i)*100*time.Millisecond))); err != nil {
			b.Fatal(err)
		}
	}
}

var benchPx = []decimal.Decimal{d("400.01"), d("400.12"), d("399.87"), d("400.33"), d("399.95")}

func BenchmarkOnTrade(b *testing.B) {
	benchEvents(b, func(i int, at time.Time) exchange.Event {
		return exchange.Trade{EventMeta: meta(at), Price: benchPx[i%5], Qty: d("3"), BuyerMaker: i%2 == 0, TradeTime: at}
	})
}

func BenchmarkOnLiquidation(b *testing.B) {
	benchEvents(b, func(i int, at time.Time) exchange.Event {
		side := exchange.Sell
		if i%2 == 0 {
			side = exchange.Buy
		}
		p := benchPx[i%5]
		return exchange.Liquidation{EventMeta: meta(at), Side: side, Price: p, AvgPrice: p, Qty: d("12"), FilledQty: d("12"), TradeTime: at}
	})
}

func BenchmarkOnMarkPrice(b *testing.B) {
	benchEvents(b, func(i int, at time.Time) exchange.Event {
		return exchange.MarkPrice{EventMeta: meta(at), Mark: benchPx[i%5]}
	})
}

// BenchmarkOnOpenInterest alternates rises (projection over the default six-slice mix) and falls.
func BenchmarkOnOpenInterest(b *testing.B) {
	base := d("1000000")
	benchEvents(b, func(i int, at time.Time) exchange.Event {
		return exchange.OpenInterest{EventMeta: meta(at), OpenInterest: base.Add(decimal.NewFromInt(int64(i%2) * 50))}
	})
}

// nonEmpty counts occupied buckets, reported so the query numbers have a scale.
func nonEmpty(m *Map) int {
	n := 0
	for k := 0; k < m.grid.n; k++ {
		if !m.grid.buf[m.grid.off+k].empty() {
			n++
		}
	}
	return n
}

func BenchmarkClusters(b *testing.B) {
	m, now := benchMap(b)
	b.ReportAllocs()
	b.ResetTimer()
	var cs []Cluster
	for i := 0; i < b.N; i++ {
		cs = m.Clusters(now)
	}
	b.ReportMetric(float64(nonEmpty(m)), "buckets")
	b.ReportMetric(float64(len(cs)), "clusters")
}

func BenchmarkNearest(b *testing.B) {
	m, now := benchMap(b)
	p, _ := m.MarkPrice()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.Nearest(now, p)
	}
}

func BenchmarkVelocity(b *testing.B) {
	m, now := benchMap(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.Velocity(now)
	}
}

func BenchmarkRegime(b *testing.B) {
	m, now := benchMap(b)
	if k := m.Regime(now).Kind; k == RegimeUnknown {
		b.Fatalf("regime unknown: the benchmark would measure the early return")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.Regime(now)
	}
}

func BenchmarkRoundNumbers(b *testing.B) {
	m, now := benchMap(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.RoundNumbers(now)
	}
	b.ReportMetric(float64(nonEmpty(m)), "buckets")
}

// BenchmarkRender draws the default 30-row histogram around the mark.
func BenchmarkRender(b *testing.B) {
	m, now := benchMap(b)
	p, _ := m.MarkPrice()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Render(now, p, io.Discard, RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
