package orders

import (
	"slices"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// TestLifecycleLimitPartialFillsTarget: a limit long fills in two parts, the
// stop follows the position, funding is paid once, the target closes it.
//
//	fill 1  0.5 @ 399 maker  fee 0.5*399*0.0002   = 0.0399
//	fill 2  1.5 @ 399 maker  fee 1.5*399*0.0002   = 0.1197
//	funding 2 * 405 * 0.0001, long pays          = -0.081
//	target  2 @ 419.95 (bid) taker 2*419.95*0.0005 = 0.41995
//	gross   2 * (419.95 - 399)                   = 41.90
//	net     41.90 - 0.57955 - 0.081              = 41.23945;  R = 41.23945 / 20 = 2.0620
func TestLifecycleLimitPartialFillsTarget(t *testing.T) {
	r := newRig(t, nil)
	ft := t0.Add(time.Hour)
	r.book("400.00", "400.10")
	r.markFunding("400.05", "0.0001", ft)
	r.start()
	r.submit(sig("s1", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))

	id := "tb1-s1"
	if got := r.openOrders(); len(got) != 1 || got[0].ClientID != id+"-e" || !got[0].Price.Equal(d("399")) {
		t.Fatalf("open orders after submit: %+v", got)
	}
	if len(r.openAlgos()) != 0 {
		t.Fatalf("no stop before any fill, got %v", algoIDs(r.openAlgos()))
	}

	r.clock.Advance(time.Second)
	r.trade("398.90", "0.5")
	if got := algoIDs(r.openAlgos()); !slices.Equal(got, []string{id + "-s/STOP_MARKET/0.5", id + "-t/TAKE_PROFIT_MARKET/0"}) {
		t.Fatalf("after first fill: %v", got)
	}
	if g := r.openAlgos()[0]; g.WorkingType != exchange.MarkPriceTrigger || !g.ReduceOnly || !g.TriggerPrice.Equal(d("390")) {
		t.Errorf("stop: %+v", g)
	}

	r.clock.Advance(time.Second)
	r.trade("398.80", "1.5")
	if got := algoIDs(r.openAlgos()); !slices.Equal(got, []string{id + "-t/TAKE_PROFIT_MARKET/0", id + "-s2/STOP_MARKET/2"}) {
		t.Fatalf("after second fill the stop must cover 2: %v", got)
	}
	eq(t, "venue position", r.venuePos(), d("2"))
	if len(r.openOrders()) != 0 {
		t.Errorf("entry fully filled, open orders %+v", r.openOrders())
	}

	r.clock.Set(ft.Add(-time.Minute))
	r.markFunding("405", "0.0001", ft)
	r.clock.Set(ft)
	r.markFunding("405", "0.0001", ft.Add(8*time.Hour))
	eq(t, "funding booked", r.position(id).Funding, d("-0.081"))

	r.clock.Advance(time.Minute)
	r.book("419.95", "420.05")
	r.mark("420.00")

	p := r.position(id)
	if p.Open() {
		t.Fatalf("position still open: %+v", p)
	}
	eq(t, "entered", p.EnteredQty, d("2"))
	eq(t, "entry price", p.EntryPrice, d("399"))
	eq(t, "exit price", p.ExitPrice, d("419.95"))
	eq(t, "fees", p.Fees, d("0.57955"))
	eq(t, "funding", p.Funding, d("-0.081"))
	eq(t, "net pnl", p.RealizedPnL, d("41.23945"))
	eq(t, "R", p.R, d("2.062"))
	if p.ExitReason != "target" {
		t.Errorf("exit reason %q, want target", p.ExitReason)
	}
	if len(r.openAlgos()) != 0 || len(r.openOrders()) != 0 {
		t.Errorf("left at the venue: algos %v orders %+v", algoIDs(r.openAlgos()), r.openOrders())
	}
	eq(t, "venue flat", r.venuePos(), d("0"))
	if r.intent(id).Status != state.IntentClosed {
		t.Errorf("intent status %s", r.intent(id).Status)
	}
	if len(r.closes) != 1 || !r.closes[0].pnl.Equal(d("41.23945")) || r.closes[0].stopped {
		t.Errorf("OnClose calls %+v", r.closes)
	}
	// The venue's own books agree with ours.
	st := r.paper.Stats()
	eq(t, "paper net", st.NetPnL, p.RealizedPnL)
	fills, _ := r.store.Fills(time.Time{}, time.Time{})
	if len(fills) != 3 {
		t.Errorf("fills stored %d, want 3", len(fills))
	}
	if r.m.OpenPositions() != 0 {
		t.Errorf("open positions %d", r.m.OpenPositions())
	}
	for _, ev := range []string{"intent", "order_sent", "order_ack", "fill", "stop_placed", "target_placed", "funding", "position_closed"} {
		if len(r.logEvents(ev)) == 0 {
			t.Errorf("no %q log event", ev)
		}
	}
}

// TestMarketEntryStopHit: a market short, stop hit, OnClose says stopped out.
//
//	entry 1 @ 400.00 (bid) taker fee 0.2; stop fires at mark 410, buy at ask 410.10 fee 0.20505
//	gross -10.10; net -10.50505; R = -10.50505/10.5 = -1.0005
func TestMarketEntryStopHit(t *testing.T) {
	r := newRig(t, func(c *Config) { c.EntryType = exchange.Market })
	r.book("400.00", "400.10")
	r.mark("400.05")
	r.start()
	r.submit(sig("s2", exchange.Short), plan(exchange.Short, "400", "410", "380", "1", "10.5"))
	if got := algoIDs(r.openAlgos()); !slices.Equal(got, []string{"tb1-s2-s/STOP_MARKET/1", "tb1-s2-t/TAKE_PROFIT_MARKET/0"}) {
		t.Fatalf("algos after market entry: %v", got)
	}
	r.clock.Advance(time.Minute)
	r.book("410.00", "410.10")
	r.mark("410")
	p := r.position("tb1-s2")
	if p.Open() || p.ExitReason != "stop" {
		t.Fatalf("position %+v", p)
	}
	eq(t, "net", p.RealizedPnL, d("-10.50505"))
	eq(t, "R", p.R, d("-1.0005"))
	if len(r.closes) != 1 || !r.closes[0].stopped {
		t.Errorf("OnClose %+v, want stopped out", r.closes)
	}
	if len(r.openAlgos()) != 0 {
		t.Errorf("target left open: %v", algoIDs(r.openAlgos()))
	}
}

// Liquidation by the venue closes the record with the margin lost.
//
//	long 2 @ 400.10 (ask), 5x isolated: margin 2*400.10/5 = 160.04, entry fee 0.4001
//	mark 300 crosses the liquidation price (about 324), above the stop at 290
//	net = -160.04 - 0.4001 = -160.4401
func TestLiquidation(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("lq", exchange.Long), plan(exchange.Long, "400", "290", "420", "2", "220"))
	r.clock.Advance(time.Minute)
	r.book("299.90", "300.00")
	r.mark("300")
	p := r.position("tb1-lq")
	if p.Open() || p.ExitReason != "liquidation" {
		t.Fatalf("position %+v", p)
	}
	eq(t, "net", p.RealizedPnL, d("-160.4401"))
	r.expectVenue(nil, nil)
	if len(r.logEvents("liquidated")) != 1 {
		t.Errorf("liquidated events %d", len(r.logEvents("liquidated")))
	}
}

// The order a triggered stop becomes may carry its own client id: it is
// matched through the algo order's actualOrderId. If its fills never arrive,
// the manager asks the venue after finishGrace and closes the record.
func TestTriggeredOrderFills(t *testing.T) {
	for _, tc := range []struct {
		name   string
		drop   bool
		reason string
	}{{"own client id", false, "stop"}, {"fills lost", true, "stop"}} {
		t.Run(tc.name, func(t *testing.T) {
			r := restartRig(t)
			r.cfg.EntryType = exchange.Market
			r.start()
			r.submit(sig("tr", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
			id := "tb1-tr"
			r.filter = func(ev exchange.Event) (exchange.Event, bool) {
				if u, ok := ev.(exchange.OrderUpdate); ok && u.Order.ClientID == id+"-s" {
					if tc.drop {
						return nil, false
					}
					u.Order.ClientID = "x-trig-1"
					return u, true
				}
				return ev, true
			}
			r.clock.Advance(time.Minute)
			r.book("389.90", "390.00")
			r.mark("389.95")
			if !tc.drop {
				if p := r.position(id); p.Open() || p.ExitReason != tc.reason {
					t.Fatalf("position %+v", p)
				}
				return
			}
			eq(t, "venue flat", r.venuePos(), d("0"))
			r.tick(time.Second, MarketView{})
			if !r.position(id).Open() {
				t.Fatal("closed before the grace")
			}
			r.tick(2*time.Second, MarketView{}) // fills_missing: reconcile next tick
			r.tick(time.Second, MarketView{})
			p := r.position(id)
			if p.Open() || p.ExitReason != tc.reason {
				t.Fatalf("position %+v", p)
			}
			// Caught up from the triggered order: 2 @ 389.90, fee unknown.
			eq(t, "exit price", p.ExitPrice, d("389.9"))
			eq(t, "net", p.RealizedPnL, d("-20.8001"))
			r.expectVenue(nil, nil)
			if !hasDecision(r, "catch_up_fill") || len(r.logEvents("stop_placed")) != 1 {
				t.Errorf("decisions %v, stops placed %d", r.logEvents("reconcile"), len(r.logEvents("stop_placed")))
			}
		})
	}
}
