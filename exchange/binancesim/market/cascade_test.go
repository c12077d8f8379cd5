package market

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

// TestLiquidationImpactCascades: three large 10x longs with liquidation
// prices about 0.46 apart. Pushing the price to the first one liquidates it;
// its forced sell moves the fair price about 0.9 down, which reaches the
// second, and so on, within a few sub-steps and with no other push. Without
// the first position (the control) the others survive.
func TestLiquidationImpactCascades(t *testing.T) {
	for _, withFirst := range []bool{true, false} {
		m := mustNew(t, testConfig(Calm, 11))
		isolate(m)
		a := place(t, m, 0, 1, 500000, 40000, 10) // 500 TAO at 400.00, bracket 3: LP ≈ 366.22
		b := place(t, m, 1, 1, 500000, 39950, 10) // LP ≈ 365.76
		c := place(t, m, 2, 1, 500000, 39900, 10) // LP ≈ 365.31
		if !(a.liq > b.liq && b.liq > c.liq && a.liq-c.liq < 100) {
			t.Fatalf("liquidation ticks %d %d %d, want descending within 1 USDT", a.liq, b.liq, c.liq)
		}
		aLiq := a.liq
		if !withFirst {
			m.dropOI(a)
			*a = trader{state: flat, wake: 1 << 62}
			m.bounds()
		}
		start := m.Now()
		m.SetPrice(m.px(aLiq))
		out := m.Step(start)
		wantNow := 0
		if withFirst {
			wantNow = 1
		}
		if len(out.Liquidations) != wantNow {
			t.Fatalf("first=%v: %d liquidations at the push, want %d", withFirst, len(out.Liquidations), wantNow)
		}
		later := run(t, m, start.Add(3*time.Second), SubStep)
		if !withFirst {
			if len(later.Liquidations) != 0 {
				t.Fatalf("control: %d liquidations without the first forced sell, want 0 (%+v)", len(later.Liquidations), later.Liquidations)
			}
			continue
		}
		if len(later.Liquidations) != 2 {
			t.Fatalf("cascade: %d follow-on liquidations in 3 s, want 2", len(later.Liquidations))
		}
		for _, l := range later.Liquidations {
			if l.Side != exchange.Sell || !l.TradeTime.After(start) || !l.Qty.Equal(d("500")) {
				t.Errorf("follow-on liquidation %+v: want a later SELL of 500", l)
			}
		}
	}
}

func TestOutputsInTimeOrderWithConsecutiveTradeIDs(t *testing.T) {
	cfg := testConfig(NewsSpike, 3)
	cfg.EventAt = 30 * time.Second
	m := mustNew(t, cfg)
	var lastID int64
	var lastT time.Time
	for s := 1; s <= 60; s++ {
		out := m.Step(t0.Add(time.Duration(s) * time.Second))
		for _, tr := range out.Trades {
			if tr.ID != lastID+1 || tr.TradeTime.Before(lastT) || tr.TradeTime.After(m.Now()) {
				t.Fatalf("trade %+v after id %d at %s", tr, lastID, lastT)
			}
			lastID, lastT = tr.ID, tr.TradeTime
		}
		for i := 1; i < len(out.Liquidations); i++ {
			if out.Liquidations[i].TradeTime.Before(out.Liquidations[i-1].TradeTime) {
				t.Fatalf("liquidations out of order: %v", out.Liquidations)
			}
		}
	}
	if lastID < 100 {
		t.Fatalf("only %d trades in a minute", lastID)
	}
}
