package orders

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/paper"
	"github.com/taobot/taobot/state"
)

// The same trade, live against the simulator's account through the real
// adapter and on the paper venue fed by the simulator's own market stream,
// ends the same way: one trade each, same side, quantity and exit reason,
// fills within a tick or two of each other, and each net PnL equal to its
// hand calculation from its own fills and fees.
func TestSimLiveAndPaperTwins(t *testing.T) {
	live := newSimRig(t, nil)
	live.sim.SetPrice(d("400"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Paper: the same rules and fees, fed the simulator's market data.
	rules, err := live.c.SymbolRules(ctx, sym)
	if err != nil {
		t.Fatal(err)
	}
	clk := live.m.clock
	pv, err := paper.New(paper.Config{Symbol: sym, Rules: rules, InitialBalance: d("10000")}, paper.NewMemKV(), clk)
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(t.TempDir() + "/paper.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := baseConfig()
	cfg.EntryType = exchange.Market
	var paperCloses []decimal.Decimal
	cfg.OnClose = func(_ time.Time, pnl decimal.Decimal, _ bool) { paperCloses = append(paperCloses, pnl) }
	pm, err := New(cfg, pv, st, clk, zerolog.Nop(), rules)
	if err != nil {
		t.Fatal(err)
	}
	mkt := make(chan exchange.Event, 8192)
	pev := make(chan exchange.Event, 1024)
	go func() { _ = live.c.MarketStream().Run(ctx, mkt) }()
	go func() { _ = pv.Run(ctx, pev) }()
	var sawBook decimal.Decimal
	// pump drives both managers on this goroutine until cond holds.
	pump := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(simGuard)
		for !cond() {
			select {
			case ev := <-mkt:
				if b, ok := ev.(exchange.BookTicker); ok {
					sawBook = b.AskPrice
				}
				if err := pv.Observe(ev); err != nil {
					t.Fatal(err)
				}
				pm.OnEvent(ctx, ev)
			case ev := <-pev:
				pm.OnEvent(ctx, ev)
			case ev := <-live.events:
				live.m.OnEvent(ctx, ev)
			case <-deadline:
				t.Fatalf("waiting for %s: timed out", what)
			}
		}
	}
	if !live.sim.WaitConnections(2, simGuard) {
		t.Fatal("market stream did not connect")
	}
	live.sim.Advance(time.Second) // publish a book at 400
	pump("a book at 400", func() bool { return sawBook.IsPositive() })
	for _, m := range []*Manager{live.m, pm} {
		if err := m.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.Submit(ctx, sig("twin", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20")); err != nil {
			t.Fatal(err)
		}
	}
	id := "tb1-twin"
	protected := func(m *Manager) bool {
		tr := m.trades[id]
		return tr != nil && tr.protected() && tr.pos != nil && tr.pos.Qty.Equal(d("2"))
	}
	pump("both protected", func() bool { return protected(live.m) && protected(pm) })
	live.sim.SetPrice(d("421"))
	live.sim.Advance(time.Second) // the paper venue sees the new mark and book
	pump("both closed", func() bool { return live.m.OpenPositions() == 0 && pm.OpenPositions() == 0 })

	lp, pp := positionOf(t, live.m.st, id), positionOf(t, st, id)
	for _, p := range []state.PositionRecord{lp, pp} {
		if p.Open() || p.ExitReason != "target" || !p.EnteredQty.Equal(d("2")) || p.Direction != exchange.Long {
			t.Fatalf("position %+v", p)
		}
		// Net = qty*(exit-entry) - taker fees on both sides (no funding time passed).
		fees := p.EntryPrice.Add(p.ExitPrice).Mul(d("2")).Mul(d("0.0005"))
		eq(t, "fees by hand", p.Fees, fees)
		eq(t, "net by hand", p.RealizedPnL, p.ExitPrice.Sub(p.EntryPrice).Mul(d("2")).Sub(fees))
	}
	tol := d("0.05") // a few ticks: the simulator walks its book, paper takes the touch
	if lp.EntryPrice.Sub(pp.EntryPrice).Abs().GreaterThan(tol) || lp.ExitPrice.Sub(pp.ExitPrice).Abs().GreaterThan(tol) {
		t.Errorf("live entry/exit %s/%s vs paper %s/%s", lp.EntryPrice, lp.ExitPrice, pp.EntryPrice, pp.ExitPrice)
	}
	if len(paperCloses) != 1 || len(live.closes) != 1 {
		t.Errorf("OnClose: paper %v live %v", paperCloses, live.closes)
	}
	t.Logf("live: entry %s exit %s net %s; paper: entry %s exit %s net %s",
		lp.EntryPrice, lp.ExitPrice, lp.RealizedPnL, pp.EntryPrice, pp.ExitPrice, pp.RealizedPnL)
}
