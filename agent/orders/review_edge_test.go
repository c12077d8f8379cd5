package orders

import (
	"context"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

// A stop replacement (break-even) is lost in flight (unknown outcome) and
// the target fills meanwhile: the trade is not dropped while the new stop
// may still land; when it lands it is cancelled, and only then does the
// trade close.
func TestStopReplacementInFlightWhileTargetFills(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.cfg.Breakeven, r.cfg.BreakevenR = true, d("1")
	f := newFake(r.paper)
	var lost *exchange.AlgoOrderRequest
	f.placeAlgo = func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
		if req.ClientAlgoID == "tb1-rf-s2" && lost == nil {
			lost = &req
			return exchange.AlgoOrder{}, err503
		}
		return f.Trader.PlaceAlgoOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("rf", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.clock.Advance(time.Second)
	r.mark("410.20")
	r.tick(0, MarketView{Mark: d("410.20")}) // break-even: s2 sent, outcome unknown
	if lost == nil {
		t.Fatal("no stop replacement sent")
	}
	r.clock.Advance(time.Second)
	r.book("419.95", "420.05")
	r.mark("420.00") // the target fills
	eq(t, "venue position", r.venuePos(), d("0"))
	if r.m.OpenPositions() != 1 || len(r.closes) != 0 {
		t.Fatalf("dropped while s2 may still land: open %d closes %d", r.m.OpenPositions(), len(r.closes))
	}
	// s2 lands late (a reduce-only stop below the mark; the venue takes it).
	if _, err := r.paper.PlaceAlgoOrder(r.ctx, *lost); err != nil {
		t.Fatalf("late s2: %v", err)
	}
	r.tick(time.Second, MarketView{})
	r.expectVenue(nil, nil)
	if r.m.OpenPositions() != 0 || len(r.closes) != 1 || r.closes[0].stopped {
		t.Fatalf("open %d closes %+v", r.m.OpenPositions(), r.closes)
	}
}

// The stop for a partial fill is refused with -2021 (the price has passed
// it): the partial position is closed at market and the entry remainder
// cancelled.
func TestStopWouldTriggerAfterPartialFill(t *testing.T) {
	r := restartRig(t)
	f := newFake(r.paper)
	f.placeAlgo = func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
		if req.Type == exchange.StopMarket {
			return exchange.AlgoOrder{}, &exchange.APIError{Code: exchange.CodeWouldTrigger, HTTPStatus: 400,
				Msg: "Order would immediately trigger.", Class: exchange.ErrRejected}
		}
		return f.Trader.PlaceAlgoOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("wt", exchange.Long), plan(exchange.Long, "399", "390", "420", "3", "27"))
	r.clock.Advance(time.Second)
	r.trade("398", "1") // partial fill of the limit entry at 399
	r.tick(time.Second, MarketView{})
	eq(t, "venue position", r.venuePos(), d("0"))
	if len(r.openOrders()) != 0 {
		t.Errorf("entry remainder left open: %+v", r.openOrders())
	}
	if len(r.logEvents("stop_rejected")) == 0 {
		t.Error("stop_rejected not logged")
	}
	if r.m.OpenPositions() != 0 {
		t.Fatalf("open %d", r.m.OpenPositions())
	}
	if p := r.position("tb1-wt"); p.ExitReason != "stop_rejected" || !p.EnteredQty.Equal(d("1")) {
		t.Errorf("position %+v", p)
	}
}

// A market exit refused with -2022 (the stop closed the position, its
// events not yet here, and the position read was stale): the exit is not
// retried into a flat venue, and the stop's fills close the trade.
func TestExitReduceOnlyRejected(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.cfg.TimeStop = time.Minute
	r.start()
	r.submit(sig("ro", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	// The stop fires, but its events are held back.
	var held []exchange.Event
	r.filter = func(ev exchange.Event) (exchange.Event, bool) { held = append(held, ev); return nil, false }
	r.clock.Advance(time.Minute)
	r.book("389.90", "390.00")
	r.mark("389.95")
	eq(t, "venue flat", r.venuePos(), d("0"))
	f := newFake(r.paper)
	stale := 1
	f.positions = func(ctx context.Context, s string) ([]exchange.Position, error) {
		if stale > 0 {
			stale--
			return []exchange.Position{{Symbol: sym, Qty: d("2")}}, nil
		}
		return f.Trader.Positions(ctx, s)
	}
	r.m.tr = f
	r.tick(time.Second, MarketView{}) // time stop: exit for 2 -> -2022
	if f.calls["tb1-ro-x"] != 1 || len(r.logEvents("order_rejected")) != 1 {
		t.Fatalf("exit sends %d, rejections %d", f.calls["tb1-ro-x"], len(r.logEvents("order_rejected")))
	}
	r.tick(time.Second, MarketView{}) // flat now: no second exit
	if f.calls["tb1-ro-x2"] != 0 {
		t.Fatalf("exit resent into a flat venue")
	}
	r.filter = nil
	for _, ev := range held {
		r.m.OnEvent(r.ctx, ev)
	}
	r.pump()
	r.tick(time.Second, MarketView{})
	if r.m.OpenPositions() != 0 {
		t.Fatalf("open %d", r.m.OpenPositions())
	}
	if p := r.position("tb1-ro"); p.Open() || !p.ClosedQty.Equal(d("2")) || !p.ExitPrice.Equal(d("389.9")) || p.ExitReason != "stop" {
		t.Errorf("position %+v", p)
	}
	if len(r.closes) != 1 || !r.closes[0].stopped {
		t.Errorf("closes %+v, want one stop-out", r.closes)
	}
}
