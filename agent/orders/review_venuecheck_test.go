package orders

import (
	"context"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

// A position that appears at the venue after start with its events lost
// (the window before the user stream connected): the periodic check sees
// it, confirms it a few seconds later and reconciles, which adopts it with
// a stop.
func TestVenueCheckFindsLostPosition(t *testing.T) {
	r := restartRig(t)
	r.start()
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "manual-1", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("3")}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	r.tick(29*time.Second, MarketView{})
	if len(r.logEvents("venue_check")) != 0 {
		t.Fatal("checked before the interval")
	}
	r.tick(time.Second, MarketView{}) // 30s: mismatch seen
	if len(r.logEvents("venue_check")) != 1 || r.m.OpenPositions() != 0 {
		t.Fatalf("first mismatch: checks %d, open %d", len(r.logEvents("venue_check")), r.m.OpenPositions())
	}
	r.tick(3*time.Second, MarketView{}) // confirmed: reconcile requested
	r.tick(time.Second, MarketView{})   // reconciles: adopted
	if len(r.logEvents("venue_mismatch")) != 1 || r.m.OpenPositions() != 1 {
		t.Fatalf("mismatch %d, open %d", len(r.logEvents("venue_mismatch")), r.m.OpenPositions())
	}
	gs := r.openAlgos()
	if len(gs) != 1 || gs[0].Type != exchange.StopMarket || !gs[0].Qty.Equal(d("3")) {
		t.Errorf("algos %v, want one stop for 3", algoIDs(gs))
	}
}

// A booked stop cancelled at the venue with its update lost: the periodic
// check sees it missing and the reconciliation places a new one.
func TestVenueCheckFindsMissingStop(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("vc", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.expectVenue(nil, []string{"tb1-vc-s/2", "tb1-vc-t/0"})
	if _, err := r.paper.CancelAlgoOrder(r.ctx, sym, "tb1-vc-s"); err != nil {
		t.Fatal(err)
	}
	r.drain()
	r.tick(30*time.Second, MarketView{})
	r.tick(3*time.Second, MarketView{})
	r.tick(time.Second, MarketView{})
	if len(r.logEvents("venue_mismatch")) != 1 {
		t.Fatalf("venue_mismatch %d", len(r.logEvents("venue_mismatch")))
	}
	r.expectVenue(nil, []string{"tb1-vc-t/0", "tb1-vc-s2/2"})
	eq(t, "venue position", r.venuePos(), d("2"))
}

// With nothing booked, after the start-up window, the venue is read every
// VenueCheckIdleInterval only; with a trade, every VenueCheckInterval.
func TestVenueCheckIntervals(t *testing.T) {
	r := restartRig(t)
	f := newFake(r.paper)
	reads := 0
	f.positions = func(ctx context.Context, s string) ([]exchange.Position, error) {
		reads++
		return f.Trader.Positions(ctx, s)
	}
	r.trader = f
	r.start()
	for range 3 { // in the two-minute start-up window: every 30s
		r.tick(30*time.Second, MarketView{})
	}
	if reads != 2+3 { // the reconcile (snapshot and the re-check before acting), then three checks
		t.Fatalf("reads in the start-up window %d, want 5", reads)
	}
	reads = 0
	for range 9 { // to 4.5 minutes after the last check
		r.tick(30*time.Second, MarketView{})
	}
	if reads != 0 {
		t.Fatalf("idle reads before 5m: %d", reads)
	}
	r.tick(30*time.Second, MarketView{})
	if reads != 1 {
		t.Fatalf("idle reads at 5m: %d, want 1", reads)
	}
}

// Reconcile may be called at any time: in the middle of an open trade it
// changes nothing at the venue or in the books.
func TestReconcileAgainIsHarmless(t *testing.T) {
	r := restartRig(t)
	r.start()
	r.submit(sig("ra", exchange.Long), plan(exchange.Long, "399", "390", "420", "3", "27"))
	r.clock.Advance(time.Second)
	r.trade("398", "1") // a partial fill of the limit entry
	r.expectVenue([]string{"tb1-ra-e"}, []string{"tb1-ra-s/1", "tb1-ra-t/0"})
	before := r.position("tb1-ra")
	for range 3 {
		if err := r.m.Reconcile(r.ctx); err != nil {
			t.Fatal(err)
		}
		r.pump()
	}
	r.expectVenue([]string{"tb1-ra-e"}, []string{"tb1-ra-s/1", "tb1-ra-t/0"})
	after := r.position("tb1-ra")
	eq(t, "qty", after.Qty, before.Qty)
	eq(t, "entered", after.EnteredQty, before.EnteredQty)
	eq(t, "pnl", after.RealizedPnL, before.RealizedPnL)
	eq(t, "fees", after.Fees, before.Fees)
	if r.m.OpenPositions() != 1 {
		t.Fatalf("open %d", r.m.OpenPositions())
	}
	r.trade("398", "2") // the rest fills: the stop follows
	r.expectVenue(nil, []string{"tb1-ra-t/0", "tb1-ra-s2/3"})
}

// With a mismatch pending and the venue failing to answer, the check asks
// again every few seconds, not every tick.
func TestVenueCheckBacksOffWhileTheVenueFails(t *testing.T) {
	r := restartRig(t)
	f := newFake(r.paper)
	reads := 0
	failing := false
	f.positions = func(ctx context.Context, symbol string) ([]exchange.Position, error) {
		if failing {
			reads++
			return nil, &exchange.APIError{HTTPStatus: 503, Msg: "busy", Class: exchange.ErrRetryable}
		}
		return f.Trader.Positions(ctx, symbol)
	}
	r.trader = f
	r.start()
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "manual-2", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("1")}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	r.tick(30*time.Second, MarketView{}) // mismatch seen
	if len(r.logEvents("venue_check")) != 1 {
		t.Fatalf("no mismatch seen: %v", r.logEvents("venue_check"))
	}
	failing = true
	for range 12 { // 12 one-second ticks
		r.tick(time.Second, MarketView{})
	}
	if reads > 4 {
		t.Fatalf("venue read %d times in 12s while failing, want one per %s at most", reads, confirmDelay)
	}
	if reads == 0 {
		t.Fatal("the pending mismatch was never re-checked")
	}
}

// A reconciliation that keeps failing is retried with back-off (1s doubling
// to 30s), not every tick.
func TestFailingReconcileBacksOff(t *testing.T) {
	r := restartRig(t)
	f := newFake(r.paper)
	reads := 0
	failing := false
	f.openOrders = func(ctx context.Context, symbol string) ([]exchange.Order, error) {
		if failing {
			reads++
			return nil, &exchange.APIError{HTTPStatus: 503, Msg: "busy", Class: exchange.ErrRetryable}
		}
		return f.Trader.OpenOrders(ctx, symbol)
	}
	r.trader = f
	r.start()
	failing = true
	r.m.needRecon = true
	for range 20 {
		r.tick(time.Second, MarketView{})
	}
	// Attempts at about 1, 2, 4, 8 and 16 seconds.
	if reads < 3 || reads > 6 {
		t.Fatalf("reconcile read the venue %d times in 20s, want about 5 (back-off)", reads)
	}
	failing = false
	r.tick(30*time.Second, MarketView{})
	if !r.m.reconciled || r.m.reconFails != 0 {
		t.Fatalf("not reconciled after the venue recovered: fails %d", r.m.reconFails)
	}
}
