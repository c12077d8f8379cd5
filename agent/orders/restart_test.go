package orders

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// crashIntent is the intent Submit would have written for a long limit
// entry 399 / stop 390 / target 420, qty 2, created at created.
func crashIntent(id string, created time.Time, entryType exchange.OrderType, legs ...state.Leg) state.Intent {
	return state.Intent{ID: id, SignalID: id[len("tb1-"):], Symbol: sym, Direction: exchange.Long, EntryType: entryType,
		EntryPrice: d("399"), Stop: d("390"), Target: d("420"), Qty: d("2"), Leverage: 5, Legs: legs,
		Status: state.IntentActive, CreatedAt: created, RiskUSDT: d("20")}
}

func entryLeg(id string, typ exchange.OrderType, st state.LegState) state.Leg {
	l := state.Leg{Name: state.LegEntry, ClientID: id + "-e", Kind: state.KindRegular, Side: exchange.Buy, Type: typ, Qty: d("2"), State: st}
	if typ == exchange.Limit {
		l.Price = d("399")
	}
	return l
}

// restartRig is a rig with a market, ready for crash states to be written.
func restartRig(t *testing.T) *rig {
	r := newRig(t, nil)
	r.book("400.00", "400.10")
	r.mark("400.05")
	return r
}

func (r *rig) put(in state.Intent, pos *state.PositionRecord, recs ...state.OrderRecord) {
	r.t.Helper()
	err := r.store.Update(func(tx *state.Tx) error {
		if err := tx.Intents().Put(in); err != nil {
			return err
		}
		if pos != nil {
			if err := tx.Positions().Put(*pos); err != nil {
				return err
			}
		}
		for _, o := range recs {
			if err := tx.Orders().Put(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// venueCounts checks exactly one order per leg: the open orders and algo
// orders at the venue, by client id.
func (r *rig) expectVenue(orders, algos []string) {
	r.t.Helper()
	var got []string
	for _, o := range r.openOrders() {
		got = append(got, o.ClientID)
	}
	if !slices.Equal(got, orders) {
		r.t.Errorf("open orders %v, want %v", got, orders)
	}
	got = nil
	for _, g := range r.openAlgos() {
		got = append(got, g.ClientAlgoID+"/"+g.Qty.String())
	}
	if !slices.Equal(got, algos) {
		r.t.Errorf("open algo orders %v, want %v", got, algos)
	}
}

// Crash between writing the intent and sending: a fresh entry is sent once
// under its id; a stale one is dropped without sending.
func TestRestartIntentWrittenNothingSent(t *testing.T) {
	t.Run("fresh", func(t *testing.T) {
		r := restartRig(t)
		id := "tb1-c1"
		r.put(crashIntent(id, t0.Add(-time.Minute), exchange.Limit, entryLeg(id, exchange.Limit, state.LegPending)), nil)
		f := newFake(r.paper)
		r.trader = f
		r.start()
		r.expectVenue([]string{id + "-e"}, nil)
		if f.calls[id+"-e"] != 1 {
			t.Errorf("entry placed %d times", f.calls[id+"-e"])
		}
		r.clock.Advance(time.Second)
		r.trade("398", "2")
		r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
	})
	t.Run("stale", func(t *testing.T) {
		r := restartRig(t)
		id := "tb1-c1"
		r.put(crashIntent(id, t0.Add(-time.Hour), exchange.Limit, entryLeg(id, exchange.Limit, state.LegPending)), nil)
		f := newFake(r.paper)
		r.trader = f
		r.start()
		r.expectVenue(nil, nil)
		if f.calls[id+"-e"] != 0 || r.intent(id).Status != state.IntentCanceled || r.m.OpenPositions() != 0 {
			t.Errorf("stale entry: calls %d status %s open %d", f.calls[id+"-e"], r.intent(id).Status, r.m.OpenPositions())
		}
	})
}

// Crash between send and ack: the venue has the order, the store says pending.
func TestRestartSentNoAck(t *testing.T) {
	t.Run("limit resting", func(t *testing.T) {
		r := restartRig(t)
		id := "tb1-c2"
		r.put(crashIntent(id, t0, exchange.Limit, entryLeg(id, exchange.Limit, state.LegPending)), nil)
		if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id + "-e", Side: exchange.Buy,
			Type: exchange.Limit, TimeInForce: exchange.GTC, Price: d("399"), Qty: d("2")}); err != nil {
			t.Fatal(err)
		}
		f := newFake(r.paper)
		r.trader = f
		r.start()
		r.expectVenue([]string{id + "-e"}, nil)
		if f.calls[id+"-e"] != 0 {
			t.Errorf("entry re-sent %d times", f.calls[id+"-e"])
		}
		if l, _ := r.intent(id).Leg(state.LegEntry); l.State != state.LegOpen || l.ExchangeID == 0 {
			t.Errorf("entry leg %+v, want open with exchange id", l)
		}
	})
	t.Run("market filled", func(t *testing.T) {
		r := restartRig(t)
		id := "tb1-c3"
		r.put(crashIntent(id, t0, exchange.Market, entryLeg(id, exchange.Market, state.LegPending)), nil)
		if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id + "-e", Side: exchange.Buy,
			Type: exchange.Market, Qty: d("2")}); err != nil {
			t.Fatal(err)
		}
		r.drain()
		f := newFake(r.paper)
		r.trader = f
		r.start()
		if f.calls[id+"-e"] != 0 {
			t.Errorf("entry re-sent %d times", f.calls[id+"-e"])
		}
		r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
		p := r.position(id)
		eq(t, "caught-up qty", p.Qty, d("2"))
		eq(t, "caught-up entry", p.EntryPrice, d("400.1"))
		if len(r.logEvents("reconcile")) == 0 {
			t.Error("no reconcile decisions logged")
		}
	})
}

// Crash between fill and stop placement.
func TestRestartFilledNoStop(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop *state.Leg // the stop leg as the store has it, if written
	}{
		{"stop never written", nil},
		{"stop written not sent", &state.Leg{Name: state.LegStop, ClientID: "tb1-c4-s", Kind: state.KindAlgo, Side: exchange.Sell,
			Type: exchange.StopMarket, Price: d("390"), Qty: d("2"), State: state.LegPending}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := restartRig(t)
			id := "tb1-c4"
			e := entryLeg(id, exchange.Market, state.LegFilled)
			legs := []state.Leg{e}
			if tc.stop != nil {
				legs = append(legs, *tc.stop)
			}
			if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id + "-e", Side: exchange.Buy,
				Type: exchange.Market, Qty: d("2")}); err != nil {
				t.Fatal(err)
			}
			r.drain()
			pos := &state.PositionRecord{ID: id, IntentID: id, Symbol: sym, Direction: exchange.Long, Qty: d("2"), EntryPrice: d("400.1"),
				Stop: d("390"), Target: d("420"), RiskUSDT: d("20"), OpenedAt: t0, EnteredQty: d("2"), Fees: d("0.4001"), RealizedPnL: d("-0.4001")}
			r.put(crashIntent(id, t0, exchange.Market, legs...), pos,
				state.OrderRecord{ClientID: id + "-e", IntentID: id, Leg: state.LegEntry, ExecutedQty: d("2"), Status: "FILLED"})
			f := newFake(r.paper)
			r.trader = f
			r.start()
			r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
			if f.calls[id+"-s"] != 1 || f.calls[id+"-e"] != 0 {
				t.Errorf("calls %v", f.calls)
			}
			if len(r.logEvents("reconcile")) == 0 || !hasDecision(r, "repair_stop") {
				t.Errorf("no repair_stop decision in %s", r.logBuf)
			}
			eq(t, "fees kept", r.position(id).Fees, d("0.4001"))
		})
	}
}

func hasDecision(r *rig, decision string) bool {
	for _, e := range r.logEvents("reconcile") {
		if e["decision"] == decision {
			return true
		}
	}
	return false
}

// The stop fired while the bot was down: the vanished stop is queried, its
// fill caught up, and the position closed as stopped out.
func TestRestartStopFilledWhileAway(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("c5", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	id := "tb1-c5"
	r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
	r.m = nil // the process dies
	r.clock.Advance(time.Minute)
	r.book("389.90", "390.00")
	r.mark("389.95")
	r.drain()
	eq(t, "venue flat", r.venuePos(), d("0"))
	r.start()
	p := r.position(id)
	if p.Open() || p.ExitReason != "stop" {
		t.Fatalf("position %+v", p)
	}
	eq(t, "exit price", p.ExitPrice, d("389.9"))
	// gross 2*(389.90-400.10) = -20.40; entry fee 2*400.10*0.0005 = 0.4001 booked live; the stop's fee is unknown.
	eq(t, "net", p.RealizedPnL, d("-20.8001"))
	r.expectVenue(nil, nil) // the target was cancelled
	if !hasDecision(r, "vanished") || !hasDecision(r, "catch_up_fill") {
		t.Errorf("decisions: %v", r.logEvents("reconcile"))
	}
	if len(r.closes) != 1 || !r.closes[0].stopped {
		t.Errorf("closes %+v", r.closes)
	}
}

// Crash between sending the stop and recording its ack: the venue has it,
// so it is adopted and not sent again.
func TestRestartStopSentNoAck(t *testing.T) {
	r := restartRig(t)
	id := "tb1-c6"
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id + "-e", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.paper.PlaceAlgoOrder(r.ctx, exchange.AlgoOrderRequest{Symbol: sym, ClientAlgoID: id + "-s", Side: exchange.Sell,
		Type: exchange.StopMarket, TriggerPrice: d("390"), Qty: d("2"), ReduceOnly: true, WorkingType: exchange.MarkPriceTrigger}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	stop := state.Leg{Name: state.LegStop, ClientID: id + "-s", Kind: state.KindAlgo, Side: exchange.Sell, Type: exchange.StopMarket,
		Price: d("390"), Qty: d("2"), State: state.LegPending}
	pos := &state.PositionRecord{ID: id, IntentID: id, Symbol: sym, Direction: exchange.Long, Qty: d("2"), EntryPrice: d("400.1"),
		Stop: d("390"), Target: d("420"), RiskUSDT: d("20"), OpenedAt: t0, EnteredQty: d("2")}
	r.put(crashIntent(id, t0, exchange.Market, entryLeg(id, exchange.Market, state.LegFilled), stop), pos,
		state.OrderRecord{ClientID: id + "-e", IntentID: id, Leg: state.LegEntry, ExecutedQty: d("2"), Status: "FILLED"})
	f := newFake(r.paper)
	r.trader = f
	r.start()
	r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
	if f.calls[id+"-s"] != 0 || f.calls[id+"-t"] != 1 {
		t.Errorf("calls %v", f.calls)
	}
	if l := r.intent(id).Legs[1]; l.State != state.LegOpen || l.ExchangeID == 0 {
		t.Errorf("stop leg %+v", l)
	}
}

// A fill of ours that no live intent expects makes the next tick
// reconcile, which adopts the position.
func TestUnexpectedFillReconciles(t *testing.T) {
	r := restartRig(t)
	r.start()
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "tb1-zz-e", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("1")}); err != nil {
		t.Fatal(err)
	}
	r.pump()
	if len(r.logEvents("unexpected_fill")) != 1 {
		t.Fatalf("unexpected fill not logged")
	}
	r.tick(time.Second, MarketView{})
	if !hasDecision(r, "adopt_unknown") || r.m.OpenPositions() != 1 {
		t.Errorf("decisions %v", r.logEvents("reconcile"))
	}
}

// Crash while the entry request may have been out ("sent" was written, no
// outcome): a restart must never send it again, even though the venue does
// not show it yet; when it lands late it is taken, and the stop follows.
func TestRestartEntryMaybeSentIsWatchedNotResent(t *testing.T) {
	r := restartRig(t)
	id := "tb1-c9"
	r.put(crashIntent(id, t0.Add(-time.Second), exchange.Market, entryLeg(id, exchange.Market, state.LegSent)), nil)
	f := newFake(r.paper)
	r.trader = f
	r.start()
	if f.calls[id+"-e"] != 0 || !hasDecision(r, "watch_entry") {
		t.Fatalf("entry sent %d times after a crash mid-send; decisions %v", f.calls[id+"-e"], r.logEvents("reconcile"))
	}
	if l, _ := r.intent(id).Leg(state.LegEntry); l.State != state.LegUnknown {
		t.Fatalf("entry leg %s, want unknown (watched)", l.State)
	}
	// The original request lands late.
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id + "-e", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("2")}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		r.tick(time.Second, MarketView{Mark: d("400.05")})
	}
	if f.calls[id+"-e"] != 0 {
		t.Fatalf("entry re-sent %d times", f.calls[id+"-e"])
	}
	eq(t, "position", r.position(id).Qty, d("2"))
	r.expectVenue(nil, []string{id + "-s/2", id + "-t/0"})
}

// The entry's write-ahead goes pending -> sent just before the request, and
// a venue that certainly did not take it puts it back to pending.
func TestEntrySentStateAroundTheRequest(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	f := newFake(r.paper)
	var seen state.LegState
	f.placeOrder = func(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
		in, _, _ := r.store.Intent("tb1-w1")
		l, _ := in.Leg(state.LegEntry)
		seen = l.State
		return f.Trader.PlaceOrder(ctx, req)
	}
	r.trader = f
	r.start()
	r.submit(sig("w1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	if seen != state.LegSent {
		t.Fatalf("entry state stored during the request: %q, want sent", seen)
	}
}
