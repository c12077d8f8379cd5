package orders

import (
	"context"
	"errors"
	"testing"

	"github.com/taobot/taobot/exchange"
)

// A foreign long 5 whose flatten gets a 503 (and is not found after): the
// position is still unaccounted for, so Reconcile fails, Submit refuses, and
// the venue stays long 5 (no short entry netting into it).
func TestReconcileFailsWhenForeignFlattenFails(t *testing.T) {
	r := restartRig(t)
	r.cfg.AdoptUnknown = false
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "manual-1", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("5")}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	f := newFake(r.paper)
	f.placeOrder = func(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
		if req.ReduceOnly {
			return exchange.Order{}, &exchange.APIError{HTTPStatus: 503, Class: exchange.ErrUnknownOutcome}
		}
		return f.Trader.PlaceOrder(ctx, req)
	}
	r.trader = f
	r.build()
	if err := r.m.Reconcile(r.ctx); err == nil {
		t.Fatal("Reconcile succeeded with an unflattened foreign position")
	}
	r.pump()
	r.cfg.EntryType = exchange.Market
	if err := r.m.Submit(r.ctx, sig("f2", exchange.Short), plan(exchange.Short, "400", "410", "380", "2", "20")); !errors.Is(err, ErrNotReady) {
		t.Fatalf("Submit err = %v, want ErrNotReady", err)
	}
	r.pump()
	eq(t, "venue position", r.venuePos(), d("5"))
	if f.calls["tb1-f2-e"] != 0 {
		t.Errorf("entry sent %d times", f.calls["tb1-f2-e"])
	}
}

// A position that appears at the venue after a successful reconcile (a
// manual order): Submit checks the venue and refuses rather than netting
// into it, and asks for a reconciliation.
func TestSubmitRefusesWhenVenueNotFlat(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "manual-2", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("5")}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	err := r.m.Submit(r.ctx, sig("f3", exchange.Short), plan(exchange.Short, "400", "410", "380", "2", "20"))
	if !errors.Is(err, ErrVenueNotClear) {
		t.Fatalf("Submit err = %v, want ErrVenueNotClear", err)
	}
	eq(t, "venue position", r.venuePos(), d("5"))
	if !r.m.needRecon {
		t.Error("no reconcile requested")
	}
	if r.m.OpenPositions() != 0 {
		t.Errorf("open trades %d", r.m.OpenPositions())
	}
}

// An open order of ours that no trade accounts for blocks the entry too.
func TestSubmitRefusesWithOurOrderOpen(t *testing.T) {
	r := restartRig(t)
	r.start()
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "tb1-old-e", Side: exchange.Buy,
		Type: exchange.Limit, TimeInForce: exchange.GTC, Price: d("350"), Qty: d("1")}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	err := r.m.Submit(r.ctx, sig("f4", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
	if !errors.Is(err, ErrVenueNotClear) {
		t.Fatalf("Submit err = %v, want ErrVenueNotClear", err)
	}
}

// A position that changes between the reconciliation's snapshot and its
// decision (here: a phantom that is flat by the time it would be adopted) is
// looked at again, never adopted or flattened from the stale snapshot.
func TestReconcileDoesNotActOnAMovedPosition(t *testing.T) {
	r := restartRig(t)
	r.cfg.AdoptUnknown = true
	f := newFake(r.paper)
	reads := 0
	f.positions = func(ctx context.Context, symbol string) ([]exchange.Position, error) {
		reads++
		if reads == 1 { // the snapshot still shows a position that has just closed
			return []exchange.Position{{Symbol: sym, Qty: d("2"), EntryPrice: d("400")}}, nil
		}
		return f.Trader.Positions(ctx, symbol)
	}
	r.trader = f
	r.start()
	if hasDecision(r, "adopt_unknown") || hasDecision(r, "flatten_unknown") || r.m.OpenPositions() != 0 {
		t.Fatalf("acted on a stale snapshot: decisions %v", r.logEvents("reconcile"))
	}
	if !hasDecision(r, "venue_moved") || !r.m.reconciled {
		t.Fatalf("want a second look and a clean reconcile; decisions %v", r.logEvents("reconcile"))
	}
}
