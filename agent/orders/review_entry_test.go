package orders

import (
	"context"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// A market entry whose send had an unknown outcome is never sent again:
// the original executes late and the position is the plan's 2 (not 4),
// booked 2, with a stop for 2.
func TestUnknownMarketEntryNeverResent(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	var held exchange.OrderRequest
	f.placeOrder = func(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
		if req.ClientID == "tb1-e2-e" && f.calls[req.ClientID] == 1 {
			held = req
			return exchange.Order{}, &exchange.APIError{HTTPStatus: 503, Class: exchange.ErrUnknownOutcome}
		}
		return f.Trader.PlaceOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("e2", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.tick(time.Second, MarketView{})
	r.tick(3*time.Second, MarketView{})
	r.tick(10*time.Second, MarketView{})
	if n := f.calls["tb1-e2-e"]; n != 1 {
		t.Fatalf("entry sent %d times, want 1", n)
	}
	// The venue finally executes the first request.
	if _, err := r.paper.PlaceOrder(r.ctx, held); err != nil {
		t.Fatal(err)
	}
	r.pump()
	r.tick(time.Second, MarketView{})
	r.tick(time.Second, MarketView{})
	eq(t, "venue position", r.venuePos(), d("2"))
	eq(t, "booked", r.m.trades["tb1-e2"].exposure(), d("2"))
	r.expectVenue(nil, []string{"tb1-e2-s/2", "tb1-e2-t/0"})
}

// Unknown and still absent after LimitTimeout: the entry is given up (not
// resent) and the intent finished; Submit may trade again.
func TestUnknownEntryGivenUp(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	f.placeOrder = func(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
		return exchange.Order{}, &exchange.APIError{HTTPStatus: 503, Class: exchange.ErrUnknownOutcome}
	}
	r.trader = f
	r.start()
	r.submit(sig("g1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	for range 5 {
		r.tick(30*time.Second, MarketView{})
	}
	if n := f.calls["tb1-g1-e"]; n != 1 {
		t.Fatalf("entry sent %d times, want 1", n)
	}
	if r.m.OpenPositions() != 0 || r.intent("tb1-g1").Status != state.IntentCanceled {
		t.Fatalf("open %d, intent %s", r.m.OpenPositions(), r.intent("tb1-g1").Status)
	}
	if len(r.logEvents("entry_given_up")) != 1 {
		t.Errorf("entry_given_up logged %d times", len(r.logEvents("entry_given_up")))
	}
}

// After a restart an entry whose send had an unknown outcome is watched,
// not sent again, even while fresh.
func TestRestartUnknownEntryNotResent(t *testing.T) {
	r := restartRig(t)
	id := "tb1-uk"
	r.put(crashIntent(id, t0.Add(-10*time.Second), exchange.Market, entryLeg(id, exchange.Market, state.LegUnknown)), nil)
	f := newFake(r.paper)
	r.trader = f
	r.start()
	r.tick(time.Second, MarketView{})
	if n := f.calls[id+"-e"]; n != 0 {
		t.Fatalf("entry sent %d times after restart, want 0", n)
	}
	if r.m.OpenPositions() != 1 {
		t.Fatalf("intent not watched: open %d", r.m.OpenPositions())
	}
	eq(t, "venue position", r.venuePos(), d("0"))
}

// A second order under the entry's client id (a late duplicate that
// executes after the first filled): its fills are booked on their own, the
// position is 4 and the stop grows to cover 4.
func TestSecondOrderSameClientIDBooked(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("e3", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.expectVenue(nil, []string{"tb1-e3-s/2", "tb1-e3-t/0"})
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "tb1-e3-e", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("2")}); err != nil {
		t.Fatal(err)
	}
	r.pump()
	eq(t, "venue position", r.venuePos(), d("4"))
	eq(t, "booked", r.m.trades["tb1-e3"].exposure(), d("4"))
	eq(t, "entered", r.m.trades["tb1-e3"].pos.EnteredQty, d("4"))
	r.expectVenue(nil, []string{"tb1-e3-t/0", "tb1-e3-s2/4"})
	if len(r.logEvents("second_order")) == 0 {
		t.Error("second order not logged")
	}
	r.tick(time.Second, MarketView{}) // the reconcile it asked for agrees
	eq(t, "booked after reconcile", r.m.trades["tb1-e3"].exposure(), d("4"))
	r.expectVenue(nil, []string{"tb1-e3-t/0", "tb1-e3-s2/4"})
}
