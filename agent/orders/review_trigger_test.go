package orders

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

// triggerRig opens a long 2 @ 400.10 (stop 390, target 420) whose
// triggered stop's order carries a venue-assigned client id, and whose
// ALGO_UPDATEs naming that order are held back (returned by the func).
func triggerRig(t *testing.T) (*rig, func() []exchange.Event) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("a7", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	var held []exchange.Event
	r.filter = func(ev exchange.Event) (exchange.Event, bool) {
		switch e := ev.(type) {
		case exchange.OrderUpdate:
			if e.Order.ClientID == "tb1-a7-s" {
				e.Order.ClientID = "autoassigned-123"
				return e, true
			}
		case exchange.AlgoUpdate:
			if e.AlgoOrder.ActualOrderID != 0 {
				held = append(held, e)
				return nil, false
			}
		}
		return ev, true
	}
	r.clock.Advance(time.Minute)
	r.book("389.90", "390.00")
	r.mark("389.95")
	eq(t, "venue flat", r.venuePos(), d("0"))
	return r, func() []exchange.Event { return held }
}

// The stop's TRADE arrives before the ALGO_UPDATE that names its order:
// the fill is held and booked when the ALGO_UPDATE comes; the trade closes
// as stopped out with the real exit price.
func TestTradeBeforeAlgoUpdateBooked(t *testing.T) {
	r, held := triggerRig(t)
	if r.m.OpenPositions() != 1 {
		t.Fatal("closed before the fill was matched")
	}
	evs := held()
	if len(evs) == 0 {
		t.Fatal("no ALGO_UPDATE held")
	}
	r.filter = nil
	for _, ev := range evs {
		r.m.OnEvent(r.ctx, ev)
	}
	r.pump()
	p := r.position("tb1-a7")
	if p.Open() || p.ExitReason != "stop" {
		t.Fatalf("position %+v", p)
	}
	eq(t, "exit price", p.ExitPrice, d("389.9"))
	if len(r.closes) != 1 || !r.closes[0].stopped || !r.closes[0].pnl.Equal(p.RealizedPnL) {
		t.Errorf("closes %+v, want one stop-out of %s", r.closes, p.RealizedPnL)
	}
	if r.m.needRecon {
		t.Error("reconcile requested although the fill was matched")
	}
}

// The ALGO_UPDATE never comes: after a few seconds the held fill asks for
// a reconciliation, which closes the trade.
func TestUnmatchedFillReconciles(t *testing.T) {
	r, _ := triggerRig(t)
	r.tick(time.Second, MarketView{})
	if r.m.needRecon || r.m.OpenPositions() != 1 {
		t.Fatalf("acted before the hold expired: recon %v open %d", r.m.needRecon, r.m.OpenPositions())
	}
	r.tick(5*time.Second, MarketView{}) // expired: reconciles
	if len(r.logEvents("unmatched_fill")) == 0 {
		t.Fatal("unmatched fill not logged")
	}
	if r.m.OpenPositions() != 0 || len(r.closes) != 1 || !r.closes[0].stopped {
		t.Fatalf("open %d closes %+v", r.m.OpenPositions(), r.closes)
	}
}

// A position closed at the venue whose closing fills cannot be found: the
// risk limits are told a -1R stop-out, not an unknown (zero) PnL.
func TestUnknownClosePnLReportedAsMinusOneR(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("u1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	// Someone closes the position by hand at the venue; its events are lost.
	if _, err := r.paper.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: "manual-close", Side: exchange.Sell,
		Type: exchange.Market, Qty: d("2"), ReduceOnly: true}); err != nil {
		t.Fatal(err)
	}
	r.drain()
	if err := r.m.Reconcile(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.pump()
	if len(r.closes) != 1 || !r.closes[0].stopped || !r.closes[0].pnl.Equal(d("-20")) {
		t.Fatalf("closes %+v, want one stop-out of -20", r.closes)
	}
	if p := r.position("tb1-u1"); p.ExitReason != "closed_while_away" {
		t.Errorf("exit reason %q", p.ExitReason)
	}
}
