package orders

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// A never-placed market entry is sent after a restart only if a few
// seconds old; a limit entry stays fresh for LimitTimeout.
func TestRestartPendingEntryFreshness(t *testing.T) {
	tests := []struct {
		name string
		typ  exchange.OrderType
		age  time.Duration
		sent bool
	}{
		{"market 2s", exchange.Market, 2 * time.Second, true},
		{"market 30s", exchange.Market, 30 * time.Second, false},
		{"limit 30s", exchange.Limit, 30 * time.Second, true},
		{"limit 3m", exchange.Limit, 3 * time.Minute, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := restartRig(t)
			id := "tb1-fr"
			r.put(crashIntent(id, t0.Add(-tc.age), tc.typ, entryLeg(id, tc.typ, state.LegPending)), nil)
			f := newFake(r.paper)
			r.trader = f
			r.start()
			r.tick(time.Second, MarketView{})
			if got := f.calls[id+"-e"] == 1; got != tc.sent {
				t.Fatalf("sent %d times, want sent=%v", f.calls[id+"-e"], tc.sent)
			}
			if !tc.sent && r.intent(id).Status != state.IntentCanceled {
				t.Errorf("intent %s, want canceled", r.intent(id).Status)
			}
		})
	}
}

// Submit refuses while a reconciliation is pending.
func TestSubmitRefusesWhileReconcilePending(t *testing.T) {
	r := restartRig(t)
	r.start()
	r.m.needRecon = true // e.g. an unexpected fill was just heard of
	if err := r.m.Submit(r.ctx, sig("nr", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20")); !errors.Is(err, ErrNotReady) {
		t.Fatalf("Submit err %v, want ErrNotReady", err)
	}
	r.tick(time.Second, MarketView{}) // reconciles
	r.submit(sig("nr", exchange.Long), plan(exchange.Long, "399", "390", "420", "2", "20"))
}

// Client ids never exceed 36 characters: Submit checks the id of the last
// allowed version, and a leg gets no version beyond it.
func TestClientIDVersionsCapped(t *testing.T) {
	r := restartRig(t)
	r.start()
	p := plan(exchange.Long, "399", "390", "420", "2", "20")
	long := strings.Repeat("a", 28) // tb1-<28>-x999 = 37
	if err := r.m.Submit(r.ctx, sig(long, exchange.Long), p); err == nil || !strings.Contains(err.Error(), "client id") {
		t.Fatalf("28-char signal id: %v", err)
	}
	ok := strings.Repeat("b", 27) // tb1-<27>-x999 = 36
	r.submit(sig(ok, exchange.Long), p)
	tr := r.m.trades["tb1-"+ok]
	for !tr.full(state.LegStop) {
		cid := tr.addLeg(state.Leg{Name: state.LegStop, Kind: state.KindAlgo, State: state.LegCanceled})
		if !clientIDRE.MatchString(cid) {
			t.Fatalf("id %q (%d chars) not valid", cid, len(cid))
		}
	}
	if n := len(tr.in.Legs) - 1; n != maxLegVersion {
		t.Errorf("stop versions %d, want %d", n, maxLegVersion)
	}
}
