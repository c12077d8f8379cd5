package orders

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// The target closes the position but the stop's cancel fails: the trade
// stays (closing) and Submit refuses until a tick cancels the stop; only
// then is the trade closed and OnClose told, once.
func TestStaleStopKeepsTradeUntilCancelled(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	failing := true
	f.cancelAlgo = func(ctx context.Context, s, id string) (exchange.AlgoOrder, error) {
		if failing && id == "tb1-sc-s" {
			return exchange.AlgoOrder{}, &exchange.APIError{HTTPStatus: 503, Class: exchange.ErrUnknownOutcome}
		}
		return f.Trader.CancelAlgoOrder(ctx, s, id)
	}
	r.trader = f
	r.start()
	r.submit(sig("sc", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.clock.Advance(time.Minute)
	r.book("419.95", "420.05")
	r.mark("420.00")
	eq(t, "venue position", r.venuePos(), d("0"))
	if r.m.OpenPositions() != 1 || len(r.closes) != 0 {
		t.Fatalf("trade dropped with its stop still open: open %d closes %d", r.m.OpenPositions(), len(r.closes))
	}
	r.expectVenue(nil, []string{"tb1-sc-s/2"})
	if err := r.m.Submit(r.ctx, sig("next", exchange.Long), plan(exchange.Long, "420", "410", "440", "2", "20")); !errors.Is(err, ErrBusy) {
		t.Fatalf("Submit while closing: %v", err)
	}
	r.tick(time.Second, MarketView{})
	if r.m.OpenPositions() != 1 {
		t.Fatal("closed while the cancel still fails")
	}
	failing = false
	r.tick(time.Second, MarketView{})
	if r.m.OpenPositions() != 0 || len(r.closes) != 1 || r.closes[0].stopped {
		t.Fatalf("open %d closes %+v", r.m.OpenPositions(), r.closes)
	}
	r.expectVenue(nil, nil)
	if p := r.position("tb1-sc"); p.Open() || p.ExitReason != "target" {
		t.Errorf("position %+v", p)
	}
}

// Cancelling a leg whose send had an unknown outcome and that the venue
// does not have yet is not taken as "never reached the venue" while it may
// still land.
func TestCancelUnknownLegMayStillLand(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("cu", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	tr := r.m.trades["tb1-cu"]
	cid := tr.addLeg(state.Leg{Name: state.LegStop, Kind: state.KindAlgo, Side: exchange.Sell, Type: exchange.StopMarket,
		Price: d("391"), Qty: d("2")})
	tr.leg(cid).State = state.LegUnknown
	tr.unknownSince[cid] = r.clock.Now()
	if err := r.m.cancel(r.ctx, tr, cid, "test"); err == nil || tr.leg(cid).State != state.LegUnknown {
		t.Fatalf("cancel err %v, state %s", err, tr.leg(cid).State)
	}
	r.clock.Advance(r.m.cfg.LimitTimeout)
	if err := r.m.cancel(r.ctx, tr, cid, "test"); err != nil || tr.leg(cid).State != state.LegCanceled {
		t.Fatalf("after LimitTimeout: cancel err %v, state %s", err, tr.leg(cid).State)
	}
}

// A leftover leg the venue has never heard of (cancel and query both say not
// found) is cancelled in our books, so the trade does not stay closing for
// ever and block every new entry.
func TestCancelOfAnOrderTheVenueDoesNotKnow(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	r.trader = f
	r.start()
	r.submit(sig("z1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	notFound := &exchange.APIError{Code: exchange.CodeNoSuchOrder, Msg: "Unknown order sent.", Class: exchange.ErrNotFound}
	f.cancelAlgo = func(context.Context, string, string) (exchange.AlgoOrder, error) {
		return exchange.AlgoOrder{}, notFound
	}
	f.queryAlgo = func(context.Context, string, string) (exchange.AlgoOrder, error) {
		return exchange.AlgoOrder{}, notFound
	}
	tr := r.m.trades["tb1-z1"]
	if err := r.m.cancel(r.ctx, tr, "tb1-z1-t", "test"); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if l := tr.leg("tb1-z1-t"); l.State != state.LegCanceled {
		t.Fatalf("target leg %s, want canceled", l.State)
	}
}
