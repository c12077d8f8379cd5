package orders

import (
	"context"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// A stop resent after an unknown outcome meets the original, which landed
// late: -4116 means it exists, so it is taken as the stop; no flatten.
func TestDuplicateStopTakenNotFlattened(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	n := 0
	f.placeAlgo = func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
		if req.Type == exchange.StopMarket {
			n++
			if n == 1 { // lost in flight: not there yet
				return exchange.AlgoOrder{}, &exchange.APIError{HTTPStatus: 503, Class: exchange.ErrUnknownOutcome}
			}
			if n == 2 { // the first one lands just before the resend
				if _, err := f.Trader.PlaceAlgoOrder(ctx, req); err != nil {
					t.Fatal(err)
				}
			}
		}
		return f.Trader.PlaceAlgoOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("d1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.tick(time.Second, MarketView{})
	r.tick(3*time.Second, MarketView{})
	r.tick(time.Second, MarketView{})
	eq(t, "venue position", r.venuePos(), d("2"))
	if len(r.logEvents("stop_rejected")) != 0 || len(r.logEvents("exit")) != 0 {
		t.Fatalf("stop_rejected=%d exit=%d", len(r.logEvents("stop_rejected")), len(r.logEvents("exit")))
	}
	if len(r.logEvents("order_duplicate")) != 1 {
		t.Errorf("order_duplicate logged %d times", len(r.logEvents("order_duplicate")))
	}
	r.expectVenue(nil, []string{"tb1-d1-s/2", "tb1-d1-t/0"})
	if !r.m.trades["tb1-d1"].protected() {
		t.Error("not protected")
	}
}

// An entry refused as a duplicate is the entry: the intent stays active,
// its order rests, and its fill is booked with the planned stop (not
// "unexpected" and adopted).
func TestDuplicateEntryTaken(t *testing.T) {
	r := restartRig(t)
	f := newFake(r.paper)
	f.placeOrder = func(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
		o, err := f.Trader.PlaceOrder(ctx, req)
		if err != nil || req.ClientID != "tb1-e1-e" {
			return o, err
		}
		return exchange.Order{}, &exchange.APIError{Code: exchange.CodeDuplicateClientID, HTTPStatus: 400,
			Msg: "Duplicate clientOrderId.", Class: exchange.ErrRejected}
	}
	r.trader = f
	r.start()
	r.submit(sig("e1", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
	if in := r.intent("tb1-e1"); in.Status != state.IntentActive || in.Legs[0].State != state.LegOpen {
		t.Fatalf("intent %s, entry %s", in.Status, in.Legs[0].State)
	}
	r.clock.Advance(time.Second)
	r.trade("398", "2")
	r.tick(time.Second, MarketView{})
	if len(r.logEvents("unexpected_fill")) != 0 {
		t.Fatal("fill treated as unexpected")
	}
	eq(t, "venue position", r.venuePos(), d("2"))
	r.expectVenue(nil, []string{"tb1-e1-s/2", "tb1-e1-t/0"})
	if s := r.m.trades["tb1-e1"].current(state.LegStop); s == nil || !s.Price.Equal(d("390")) {
		t.Fatalf("stop %+v", s)
	}
}
