package liqmap

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

// backfillOI is a back-filled open-interest point with Value = contracts * price.
func backfillOI(at time.Time, contracts, price string) exchange.OpenInterest {
	o := oi(at, contracts)
	o.Value = d(contracts).Mul(d(price))
	o.Backfill = true
	return o
}

// A live trade at 500 arrives before the day-old backfill: the backfilled
// +10 contracts are placed at Value/OI = 400 with an even split, not at the
// live VWAP (which would put 4000 of longs at 454.55).
//
// Entry 400, 10x, 4,000 USDT position (Q = 10, MMR 1%, cum 0):
//
//	long  (400 - 4000) / (0.1 - 10) = 363.6363...   short (400 + 4000) / (0.1 + 10) = 435.6435...
func TestBackfilledOIUsesItsOwnEntry(t *testing.T) {
	c := testConfig()
	c.BandPct = d("50")
	m := newMap(t, c)
	live := t0.Add(24 * time.Hour)
	old := t0
	apply(t, m,
		trade(live, "500", "3", false),
		backfillOI(old, "1000", "400"),
		backfillOI(old.Add(5*time.Minute), "1010", "400"),
	)
	now := old.Add(5 * time.Minute) // the layer's epoch: no decay yet
	l, s := estAt(m, "363.63", now)
	eq(t, "long at 363.63", l, "2000")
	eq(t, "short there", s, "0")
	_, s = estAt(m, "435.64", now)
	eq(t, "short at 435.64", s, "2000")
	eq(t, "total long", m.estLong, "2000")
	eq(t, "total short", m.estShort, "2000")
	if st := m.Stats(); st.NoTradeFallbacks != 1 {
		t.Errorf("NoTradeFallbacks = %d, want 1", st.NoTradeFallbacks)
	}
}

// A live OI point stamped before trades that reached the map first uses
// only the trades at or before its own time: 399 bought and 401 sold give
// entry 400 and an even split; the later trade at 500 is left out.
func TestLiveOIIgnoresNewerTrades(t *testing.T) {
	c := testConfig()
	m := newMap(t, c)
	apply(t, m,
		mark(t0, "400"),
		trade(t0.Add(time.Second), "399", "5", false),
		trade(t0.Add(2*time.Second), "401", "5", true),
		oi(t0.Add(3*time.Second), "1000"),
		trade(t0.Add(5*time.Second), "500", "10", false), // arrives before the next OI point
		oi(t0.Add(4*time.Second), "1010"),
	)
	now := t0.Add(4 * time.Second)
	l, _ := estAt(m, "363.63", now)
	_, s := estAt(m, "435.64", now)
	eq(t, "long", l, "2000")
	eq(t, "short", s, "2000")
	// The newer trade still counts for the next point: 10 bought at 500 in (t-5m, t].
	apply(t, m, oi(t0.Add(6*time.Second), "1020"))
	if st := m.Stats(); st.NoTradeFallbacks != 0 || st.OIIncreases != 2 {
		t.Errorf("stats = %+v", st)
	}
}

// Events older than a layer's epoch are stored already decayed: a 24 h-old
// add under a 24 h half-life reads half, in both layers.
func TestLateAddsDecayFromTheirOwnTime(t *testing.T) {
	c := testConfig()
	c.RealizedHalfLife = 24 * time.Hour
	c.EstimatedHalfLife = 24 * time.Hour
	c.BandPct = d("50")
	m := newMap(t, c)
	now := t0.Add(24 * time.Hour)
	apply(t, m,
		mark(now, "400"),
		liq(now, exchange.Sell, "380", "1"), // starts both layers' epochs at now
		liq(t0, exchange.Sell, "390", "10"), // 3900 a day late
		backfillOI(t0.Add(-5*time.Minute), "1000", "400"),
		backfillOI(t0, "1010", "400"), // 4000 a day late, 2000 each side
	)
	l, _ := realAt(m, "390", now)
	eq(t, "realized long", l, "1950")
	l, _ = estAt(m, "363.63", now)
	_, s := estAt(m, "435.64", now)
	eq(t, "estimated long", l, "1000")
	eq(t, "estimated short", s, "1000")
	// And the 380 print at the epoch is untouched.
	l, _ = realAt(m, "380", now)
	eq(t, "realized at epoch", l, "380")
}

// After a restart the adapter back-fills points the restored snapshot has
// already applied: they must change nothing.
func TestRestoredMapIgnoresOldOIPoints(t *testing.T) {
	m := newMap(t, testConfig())
	at := func(min int) exchange.EventMeta {
		ts := t0.Add(time.Duration(min) * time.Minute)
		return exchange.EventMeta{Symbol: "TAOUSDT", ExchangeTime: ts, ReceiveTime: ts}
	}
	apply := func(ev exchange.Event) {
		t.Helper()
		if err := m.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	apply(exchange.MarkPrice{EventMeta: at(0), Mark: d("400"), Index: d("400")})
	apply(exchange.OpenInterest{EventMeta: at(0), OpenInterest: d("1000"), Value: d("400000")})
	apply(exchange.OpenInterest{EventMeta: at(5), OpenInterest: d("1010"), Value: d("404000")})
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := newMap(t, testConfig())
	if err := r.Restore(snap); err != nil {
		t.Fatal(err)
	}
	view := func() string {
		b, err := json.Marshal(r.Buckets(t0.Add(10*time.Minute), d("300"), d("500")))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s %d %d", b, r.Stats().OIIncreases, r.Stats().OIDecreases)
	}
	before := view()
	// The back-fill replays the same day, then the first new point arrives.
	for _, p := range []struct {
		min int
		oi  string
	}{{0, "1000"}, {5, "1010"}} {
		if err := r.Apply(exchange.OpenInterest{EventMeta: at(p.min), OpenInterest: d(p.oi), Backfill: true}); err != nil {
			t.Fatal(err)
		}
	}
	if after := view(); before != after || r.Stats().StaleOI != 2 {
		t.Fatalf("old points changed the restored map (stale counted %d)", r.Stats().StaleOI)
	}
	if err := r.Apply(exchange.OpenInterest{EventMeta: at(10), OpenInterest: d("1020"), Value: d("408000")}); err != nil {
		t.Fatal(err)
	}
	if r.Stats().OIIncreases != m.Stats().OIIncreases+1 {
		t.Fatalf("the first new point was not attributed: %d increases", r.Stats().OIIncreases)
	}
}
