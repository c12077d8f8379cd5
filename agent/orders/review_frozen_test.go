package orders

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

var err503 = &exchange.APIError{HTTPStatus: 503, Class: exchange.ErrUnknownOutcome}

// Both the stop and the target vanished at the venue (updates lost) and
// the target's query keeps failing: Reconcile fails, but it still sees the
// stop gone and places a new one.
func TestReconcileRepairsStopDespiteFailedQuery(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	r.trader = f
	r.start()
	r.submit(sig("fq", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	for _, id := range []string{"tb1-fq-s", "tb1-fq-t"} {
		if _, err := r.paper.CancelAlgoOrder(r.ctx, sym, id); err != nil {
			t.Fatal(err)
		}
	}
	r.drain()
	f.queryAlgo = func(ctx context.Context, s, id string) (exchange.AlgoOrder, error) {
		if id == "tb1-fq-t" {
			return exchange.AlgoOrder{}, err503
		}
		return f.Trader.QueryAlgoOrder(ctx, s, id)
	}
	if err := r.m.Reconcile(r.ctx); err == nil || !strings.Contains(err.Error(), "tb1-fq-t") {
		t.Fatalf("Reconcile err %v, want the target's query failure", err)
	}
	r.pump()
	gs := r.openAlgos()
	if len(gs) != 1 || gs[0].Type != exchange.StopMarket || !gs[0].Qty.Equal(d("2")) {
		t.Fatalf("algos %v, want a new stop for 2", algoIDs(gs))
	}
}

// After a restart the venue cannot be read (open orders fail), and the
// position in the store has no stop: each tick's failed reconcile still
// places the stop (and the alarm watches it).
func TestFailedReconcileStillProtects(t *testing.T) {
	r := restartRig(t)
	id := "tb1-np"
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id + "-e", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("2")}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	e := entryLeg(id, exchange.Market, state.LegFilled)
	pos := state.PositionRecord{ID: id, IntentID: id, Symbol: sym, Direction: exchange.Long, Qty: d("2"), EnteredQty: d("2"),
		EntryPrice: d("400.10"), Stop: d("390"), Target: d("420"), RiskUSDT: d("20"), OpenedAt: t0}
	r.put(crashIntent(id, t0.Add(-time.Minute), exchange.Market, e), &pos,
		state.OrderRecord{ClientID: id + "-e", IntentID: id, Leg: state.LegEntry, Symbol: sym, Status: "FILLED", Qty: d("2"), ExecutedQty: d("2")})
	f := newFake(r.paper)
	f.openOrders = func(ctx context.Context, s string) ([]exchange.Order, error) { return nil, err503 }
	r.trader = f
	r.build()
	if err := r.m.Reconcile(r.ctx); err == nil {
		t.Fatal("Reconcile succeeded without reading open orders")
	}
	r.tick(time.Second, MarketView{})
	gs := r.openAlgos()
	if len(gs) == 0 || gs[0].Type != exchange.StopMarket || !gs[0].Qty.Equal(d("2")) || !gs[0].TriggerPrice.Equal(d("390")) {
		t.Fatalf("algos %v, want the stop for 2 at 390", algoIDs(gs))
	}
	if st := r.m.status(r.clock.Now()); st.Reconciled {
		t.Error("reported reconciled")
	}
}

// The stop is missing from the venue's open algo orders and its query fails:
// it may be gone, so a new stop version is placed at once (an extra
// reduce-only stop is harmless), even while reconciliation keeps failing.
func TestStopMissingAndUnqueryableIsReplaced(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	r.trader = f
	r.start()
	r.submit(sig("gone", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.expectVenue(nil, []string{"tb1-gone-s/2", "tb1-gone-t/0"})
	// The stop vanishes at the venue with its update lost, and queries fail.
	if _, err := r.paper.CancelAlgoOrder(r.ctx, sym, "tb1-gone-s"); err != nil {
		t.Fatal(err)
	}
	r.drain()
	f.queryAlgo = func(context.Context, string, string) (exchange.AlgoOrder, error) {
		return exchange.AlgoOrder{}, &exchange.APIError{HTTPStatus: 503, Msg: "busy", Class: exchange.ErrRetryable}
	}
	if err := r.m.Reconcile(r.ctx); err == nil {
		t.Fatal("reconcile should fail while the stop cannot be queried")
	}
	r.tick(time.Second, MarketView{})
	r.expectVenue(nil, []string{"tb1-gone-t/0", "tb1-gone-s2/2"})
	if !r.m.trades["tb1-gone"].protected() {
		t.Fatal("still unprotected after the new stop")
	}
}
