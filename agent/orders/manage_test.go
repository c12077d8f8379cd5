package orders

import (
	"context"
	"testing"
	"time"

	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// A limit entry that does not fill is cancelled at the timeout; a partly
// filled one keeps its fill and its stop.
func TestLimitTimeout(t *testing.T) {
	t.Run("unfilled", func(t *testing.T) {
		r := restartRig(t)
		r.start()
		r.submit(sig("l1", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
		r.tick(time.Minute, MarketView{})
		r.expectVenue([]string{"tb1-l1-e"}, nil)
		r.tick(time.Minute, MarketView{})
		r.expectVenue(nil, nil)
		if r.intent("tb1-l1").Status != state.IntentCanceled || r.m.OpenPositions() != 0 {
			t.Errorf("intent %s, open %d", r.intent("tb1-l1").Status, r.m.OpenPositions())
		}
	})
	t.Run("partly filled", func(t *testing.T) {
		r := restartRig(t)
		r.start()
		r.submit(sig("l2", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
		r.trade("398.5", "0.7")
		r.tick(2*time.Minute, MarketView{})
		r.expectVenue(nil, []string{"tb1-l2-s/0.7", "tb1-l2-t/0"})
		eq(t, "position", r.position("tb1-l2").Qty, d("0.7"))
		if r.m.OpenPositions() != 1 || r.intent("tb1-l2").Status != state.IntentActive {
			t.Errorf("open %d status %s", r.m.OpenPositions(), r.intent("tb1-l2").Status)
		}
	})
}

// Break-even moves the stop to the entry at 1R; trailing follows the mark
// 1% behind from 1.5R, and only by steps of a tenth of the distance.
func TestStopMoves(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.cfg.Breakeven, r.cfg.BreakevenR = true, d("1")
	r.cfg.Trailing, r.cfg.TrailActivationR, r.cfg.TrailDistancePct = true, d("1.5"), d("1")
	r.start()
	// Long at 400.10 (ask), stop 390: R = 10.10.
	r.submit(sig("m1", exchange.Long), plan(exchange.Long, "400", "390", "440", "2", "20"))
	id := "tb1-m1"
	// The venue and the manager see the same mark.
	at := func(mark string) {
		r.clock.Advance(time.Second)
		r.mark(mark)
		r.tick(0, MarketView{Mark: d(mark)})
	}
	at("410.19") // 0.999R: nothing
	r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
	at("410.20") // 1R: break-even at the entry, 400.10
	r.expectVenue(nil, []string{id + "-t/0", id + "-s2/2"})
	eq(t, "break-even stop", r.openAlgos()[1].TriggerPrice, d("400.1"))
	// 1.5R = 415.25: trail 1% below 416 = 411.84 (rounded up toward the entry).
	at("416")
	r.expectVenue(nil, []string{id + "-t/0", id + "-s3/2"})
	eq(t, "trailing stop", r.openAlgos()[1].TriggerPrice, d("411.84"))
	// Up 0.3 (less than a tenth of the 4.16 distance): no move.
	at("416.30")
	r.expectVenue(nil, []string{id + "-t/0", id + "-s3/2"})
	// Down again: a stop never moves back.
	at("412")
	eq(t, "stop kept", r.openAlgos()[1].TriggerPrice, d("411.84"))
	eq(t, "position stop", r.position(id).Stop, d("411.84"))
}

// The time stop closes at market.
func TestTimeStop(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.cfg.TimeStop = time.Hour
	r.start()
	r.submit(sig("ts", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.tick(59*time.Minute, MarketView{Mark: d("400.05")})
	eq(t, "still open", r.venuePos(), d("2"))
	r.tick(time.Minute, MarketView{Mark: d("400.05")})
	eq(t, "venue flat", r.venuePos(), d("0"))
	p := r.position("tb1-ts")
	if p.Open() || p.ExitReason != "time_stop" {
		t.Fatalf("position %+v", p)
	}
	// 2*(400.00-400.10) - 2*400.10*0.0005 - 2*400.00*0.0005 = -0.2 - 0.4001 - 0.4 = -1.0001
	eq(t, "net", p.RealizedPnL, d("-1.0001"))
	r.expectVenue(nil, nil)
}

// The target's cluster leaving the map closes the trade after the grace.
func TestClusterGoneExit(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.cfg.ExitOnClusterGone = true
	r.start()
	r.submit(sig("cg", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	near := MarketView{Mark: d("401"), Nearest: liqmap.Nearest{Price: d("401"),
		Above: &liqmap.Cluster{Low: d("421"), High: d("424"), PeakPrice: d("422.5")}}}
	gone := MarketView{Mark: d("401"), Nearest: liqmap.Nearest{Price: d("401"),
		Above: &liqmap.Cluster{Low: d("450"), High: d("452"), PeakPrice: d("451")}}}
	r.tick(time.Second, near)
	r.tick(time.Second, gone)
	r.tick(20*time.Second, near) // back: the grace restarts
	r.tick(time.Second, gone)
	r.tick(29*time.Second, gone)
	eq(t, "still open", r.venuePos(), d("2"))
	stale := gone
	stale.Stale = true
	r.tick(5*time.Second, stale) // stale data never closes a trade
	eq(t, "still open on stale map", r.venuePos(), d("2"))
	r.tick(time.Second, gone)
	eq(t, "closed", r.venuePos(), d("0"))
	if p := r.position("tb1-cg"); p.ExitReason != "cluster_gone" {
		t.Errorf("reason %q", p.ExitReason)
	}
}

// Flatten (kill switch) closes the position and cancels an unfilled entry.
func TestFlatten(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("k1", exchange.Short), plan(exchange.Short, "400", "410", "380", "1", "10"))
	if err := r.m.Flatten(r.ctx, "kill switch"); err != nil {
		t.Fatal(err)
	}
	r.pump()
	eq(t, "venue flat", r.venuePos(), d("0"))
	r.expectVenue(nil, nil)
	if p := r.position("tb1-k1"); p.Open() || p.ExitReason != "flatten: kill switch" {
		t.Errorf("position %+v", p)
	}
	if r.m.OpenPositions() != 0 {
		t.Errorf("open %d", r.m.OpenPositions())
	}

	r.cfg.EntryType = exchange.Limit
	r.start()
	r.submit(sig("k2", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
	if err := r.m.Flatten(r.ctx, "kill switch"); err != nil {
		t.Fatal(err)
	}
	r.pump()
	r.expectVenue(nil, nil)
	if in := r.intent("tb1-k2"); in.Status != state.IntentCanceled || r.m.OpenPositions() != 0 {
		t.Errorf("intent %s open %d", in.Status, r.m.OpenPositions())
	}
}

// An exit the venue could not take (retryable) is retried, under the same id, until it fills.
func TestExitRetried(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.cfg.TimeStop = time.Minute
	f := newFake(r.paper)
	fails := 2
	f.placeOrder = func(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
		if req.ReduceOnly && fails > 0 {
			fails--
			return exchange.Order{}, &exchange.APIError{HTTPStatus: 500, Msg: "busy", Class: exchange.ErrRetryable}
		}
		return f.Trader.PlaceOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("xr", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	r.tick(time.Minute, MarketView{})
	eq(t, "still open after a failed exit", r.venuePos(), d("2"))
	r.tick(time.Second, MarketView{})
	r.tick(time.Second, MarketView{})
	eq(t, "closed", r.venuePos(), d("0"))
	if f.calls["tb1-xr-x"] != 3 || f.calls["tb1-xr-x2"] != 0 {
		t.Errorf("exit calls %v", f.calls)
	}
	if p := r.position("tb1-xr"); p.Open() || p.ExitReason != "time_stop" {
		t.Errorf("position %+v", p)
	}
}
