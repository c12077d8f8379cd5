package orders

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// An unknown outcome after the venue accepted the order is resolved by a
// query by client id, and the order is not sent again.
func TestUnknownOutcomeResolvedByQuery(t *testing.T) {
	for _, tc := range []struct {
		name string
		hook func(f *fakeTrader)
		leg  string
	}{
		{"entry", func(f *fakeTrader) { f.placeOrder = unknownAfter(f.Trader.PlaceOrder) }, "-e"},
		{"stop", func(f *fakeTrader) { f.placeAlgo = unknownAfter(f.Trader.PlaceAlgoOrder) }, "-s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := restartRig(t)
			r.cfg.EntryType = exchange.Market
			f := newFake(r.paper)
			tc.hook(f)
			r.trader = f
			r.start()
			r.submit(sig("u1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
			id := "tb1-u1"
			for i := 0; i < 5; i++ {
				r.tick(time.Second, MarketView{Mark: d("400.05")})
			}
			if f.calls[id+tc.leg] != 1 {
				t.Errorf("%s sent %d times, want 1", tc.leg, f.calls[id+tc.leg])
			}
			r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
			eq(t, "position", r.position(id).Qty, d("2"))
			if len(r.logEvents("order_unknown")) == 0 || len(r.logEvents("order_resolved")) == 0 {
				t.Errorf("unknown/resolved not logged: %s", r.logBuf)
			}
		})
	}
}

// An unknown outcome where the order never arrived: queried, still absent
// after UnknownResend, then sent again under the same client id; one order.
func TestUnknownOutcomeNotPlacedIsResentOnce(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	lost := 0
	f.placeAlgo = func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
		if req.Type == exchange.StopMarket && lost == 0 {
			lost++
			return exchange.AlgoOrder{}, &exchange.APIError{HTTPStatus: 504, Msg: "gateway timeout", Class: exchange.ErrUnknownOutcome}
		}
		return f.Trader.PlaceAlgoOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("u2", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	id := "tb1-u2"
	r.expectVenue(nil, nil)
	r.tick(time.Second, MarketView{})
	if f.calls[id+"-s"] != 1 {
		t.Fatalf("resent before UnknownResend: %d", f.calls[id+"-s"])
	}
	r.tick(3*time.Second, MarketView{})
	if f.calls[id+"-s"] != 2 {
		t.Fatalf("stop sends %d, want 2 (one lost, one resent)", f.calls[id+"-s"])
	}
	r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
}

// A position the store does not know is adopted with a stop, or flattened.
func TestForeignPosition(t *testing.T) {
	for _, adopt := range []bool{true, false} {
		name := map[bool]string{true: "adopt", false: "flatten"}[adopt]
		t.Run(name, func(t *testing.T) {
			r := restartRig(t)
			r.cfg.AdoptUnknown = adopt
			if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "manual-1", Side: exchange.Sell,
				Type: exchange.Market, Qty: d("1.5")}); err != nil {
				t.Fatal(err)
			}
			r.drain()
			r.start()
			if !adopt {
				eq(t, "venue position", r.venuePos(), d("0"))
				r.expectVenue(nil, nil)
				if !hasDecision(r, "flatten_unknown") || r.m.OpenPositions() != 0 || len(r.logEvents("unexpected_fill")) != 0 {
					t.Errorf("decisions %v\n%s", r.logEvents("reconcile"), r.logBuf)
				}
				return
			}
			// Short 1.5 adopted: stop 3% above the mark 400.05 = 412.0515, rounded down (toward the entry) 412.05.
			ins, _ := r.store.Intents()
			if len(ins) != 1 || ins[0].SignalID != "adopted" {
				t.Fatalf("intents %+v", ins)
			}
			id := ins[0].ID
			r.expectVenue(nil, []string{id + "-s/1.5"})
			g := r.openAlgos()[0]
			eq(t, "adopted stop", g.TriggerPrice, d("412.05"))
			if g.Side != exchange.Buy {
				t.Errorf("stop side %s", g.Side)
			}
			p := r.position(id)
			eq(t, "adopted qty", p.Qty, d("1.5"))
			eq(t, "adopted entry", p.EntryPrice, d("400"))
			if !hasDecision(r, "adopt_unknown") || r.m.OpenPositions() != 1 {
				t.Errorf("decisions %v", r.logEvents("reconcile"))
			}
		})
	}
}

// A stop the venue refuses flattens the position at once.
func TestRejectedStopFlattens(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	f.placeAlgo = func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
		if req.Type == exchange.StopMarket {
			return exchange.AlgoOrder{}, &exchange.APIError{Code: exchange.CodeWouldTrigger, Msg: "Order would immediately trigger.", Class: exchange.ErrRejected}
		}
		return f.Trader.PlaceAlgoOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("r1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	id := "tb1-r1"
	eq(t, "venue flat", r.venuePos(), d("0"))
	p := r.position(id)
	if p.Open() || p.ExitReason != "stop_rejected" {
		t.Fatalf("position %+v", p)
	}
	if f.calls[id+"-x"] != 1 || f.calls[id+"-t"] != 0 {
		t.Errorf("calls %v", f.calls)
	}
	if in := r.intent(id); in.Status != state.IntentClosed {
		t.Errorf("intent %s", in.Status)
	}
	r.expectVenue(nil, nil)
	if len(r.logEvents("stop_rejected")) != 1 {
		t.Errorf("stop_rejected logged %d times", len(r.logEvents("stop_rejected")))
	}
}

// A stop that cannot be placed for a while raises the alarm after
// MissingStopAlarm, shows in Status, and is repaired when the venue recovers.
func TestUnprotectedAlarm(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	down := true
	f.placeAlgo = func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
		if down {
			return exchange.AlgoOrder{}, &exchange.APIError{HTTPStatus: 429, Msg: "slow down", Class: exchange.ErrRateLimited}
		}
		return f.Trader.PlaceAlgoOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("p1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	id := "tb1-p1"
	for i := 0; i < 5; i++ {
		r.tick(time.Second, MarketView{})
	}
	if n := len(r.logEvents("unprotected_position")); n != 0 {
		t.Fatalf("alarm after 4s: %d", n)
	}
	r.tick(2*time.Second, MarketView{})
	alarms := r.logEvents("unprotected_position")
	if len(alarms) != 1 || alarms[0]["level"] != "error" {
		t.Fatalf("alarms %v", alarms)
	}
	if st := r.m.Status().(Status); len(st.Unprotected) != 1 || st.Unprotected[0] != id {
		t.Errorf("status unprotected %v", st.Unprotected)
	}
	down = false
	r.tick(time.Second, MarketView{})
	r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
	if st := r.m.Status().(Status); len(st.Unprotected) != 0 {
		t.Errorf("still unprotected %v", st.Unprotected)
	}
	if f.calls[id+"-s"] < 2 {
		t.Errorf("stop attempts %d", f.calls[id+"-s"])
	}
}

// No trading until reconciled, and none while the user stream is blind; the
// gap's end reconciles.
func TestNotReadyAndGap(t *testing.T) {
	r := restartRig(t)
	r.build()
	err := r.m.Submit(r.ctx, sig("g1", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
	if !errors.Is(err, ErrNotReady) {
		t.Fatalf("before reconcile: %v", err)
	}
	if err := r.m.Reconcile(r.ctx); err != nil {
		t.Fatal(err)
	}
	gap := exchange.StreamGap{EventMeta: r.meta(), Stream: "user", Start: t0, Reason: "dropped"}
	r.m.OnEvent(r.ctx, gap)
	if err := r.m.Submit(r.ctx, sig("g1", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20")); !errors.Is(err, ErrNotReady) {
		t.Fatalf("during gap: %v", err)
	}
	gap.End = t0.Add(5 * time.Second)
	r.m.OnEvent(r.ctx, gap)
	r.submit(sig("g1", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
	r.expectVenue([]string{"tb1-g1-e"}, nil)
	if err := r.m.Submit(r.ctx, sig("g2", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20")); !errors.Is(err, ErrBusy) {
		t.Errorf("second trade: %v", err)
	}
	if len(r.logEvents("reconciled")) != 2 {
		t.Errorf("reconciled %d times, want 2", len(r.logEvents("reconciled")))
	}
}

// A venue that cannot be read fails reconciliation.
func TestReconcileFailsWhenVenueUnreadable(t *testing.T) {
	r := restartRig(t)
	f := newFake(r.paper)
	f.positions = func(context.Context, string) ([]exchange.Position, error) {
		return nil, &exchange.APIError{HTTPStatus: 503, Msg: "down", Class: exchange.ErrRetryable}
	}
	r.trader = f
	r.build()
	if err := r.m.Reconcile(r.ctx); err == nil {
		t.Fatal("Reconcile succeeded without positions")
	}
	if st := r.m.Status().(Status); st.Reconciled || st.ReconcileError == "" {
		t.Errorf("status %+v", st)
	}
}

// Submit refuses what it must never send: too long an id, a signal traded
// before, a rejected plan; margin type and leverage are set first.
func TestSubmitRefusals(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	p := plan(exchange.Long, "400", "390", "420", "1", "10")
	if err := r.m.Submit(r.ctx, sig("abcdefghijklmnopqrstuvwxyz0123", exchange.Long), p); err == nil || !strings.Contains(err.Error(), "client id") {
		t.Errorf("long id: %v", err)
	}
	bad := p
	bad.Rejections = append(bad.Rejections, risk.Rejection{Code: "min_notional", Message: "too small"})
	if err := r.m.Submit(r.ctx, sig("rj", exchange.Long), bad); err == nil {
		t.Error("rejected plan submitted")
	}
	r.submit(sig("once", exchange.Long), p)
	if err := r.m.Flatten(r.ctx, "test"); err != nil {
		t.Fatal(err)
	}
	r.pump()
	if err := r.m.Submit(r.ctx, sig("once", exchange.Long), p); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second submit of a signal: %v", err)
	}
	if acct, _ := r.paper.Positions(r.ctx, sym); acct[0].Leverage != 5 {
		t.Errorf("leverage %d, want the plan's 5", acct[0].Leverage)
	}
	raw, err := json.Marshal(r.m.Status())
	if err != nil || !strings.Contains(string(raw), `"reconciled":true`) || !strings.Contains(string(raw), `"closedThisSession":1`) {
		t.Errorf("status JSON %s %v", raw, err)
	}
}
