package orders

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

func (r *rig) venueLeverage() int {
	r.t.Helper()
	ps, err := r.paper.Positions(r.ctx, sym)
	if err != nil || len(ps) == 0 {
		r.t.Fatalf("positions %v %v", ps, err)
	}
	return ps[0].Leverage
}

// Restart between the intent write and the send: the entry sent by
// Reconcile sets the intent's leverage first (the paper account starts at 10).
func TestRestartEntrySetsLeverage(t *testing.T) {
	r := restartRig(t)
	id := "tb1-lv"
	r.put(crashIntent(id, t0.Add(-time.Second), exchange.Market, entryLeg(id, exchange.Market, state.LegPending)), nil)
	if r.venueLeverage() != 10 {
		t.Fatalf("precondition: leverage %d", r.venueLeverage())
	}
	r.start()
	eq(t, "venue position", r.venuePos(), d("2"))
	if lv := r.venueLeverage(); lv != 5 {
		t.Errorf("leverage %d, want the intent's 5", lv)
	}
}

// Leverage is set for every entry, not cached per session: a change made
// at the venue between two trades is undone by the next entry.
func TestLeverageSetForEveryEntry(t *testing.T) {
	r := restartRig(t)
	r.start()
	r.submit(sig("l1", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
	r.tick(2*time.Minute, MarketView{}) // the limit entry times out unfilled
	if r.m.OpenPositions() != 0 {
		t.Fatalf("first trade still open")
	}
	if err := r.paper.SetLeverage(r.ctx, sym, 20); err != nil {
		t.Fatal(err)
	}
	r.submit(sig("l2", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
	if lv := r.venueLeverage(); lv != 5 {
		t.Errorf("leverage %d, want the plan's 5", lv)
	}
}
