package binance

import (
	"context"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
)

func waitConns(t *testing.T, sim *binancesim.Sim, n int) {
	t.Helper()
	if !sim.WaitConnections(n, guard) {
		t.Fatalf("no %d WebSocket connection(s) to the simulator", n)
	}
}

// waitData advances the simulator one step at a time until pred matches
// an event at or after from. Each step ends with a markPrice@1s stamped with
// the step's time, so after each step it waits for that (or the match):
// frames on one connection arrive in order, so no sleeping is needed.
func waitData(t *testing.T, r *rig, col *collector, from int, what string, pred func(exchange.Event) bool) (exchange.Event, int) {
	t.Helper()
	for i := 0; i < 300; i++ {
		r.sim.Advance(time.Second)
		now := r.sim.Now()
		stepDone := func(ev exchange.Event) bool {
			m, ok := ev.(exchange.MarkPrice)
			return pred(ev) || ok && !m.ExchangeTime.Before(now)
		}
		// A step published while the client was still re-dialling is lost;
		// the bound lets the loop move on to the next step then.
		col.waitBounded(from, stepDone, time.Second)
		if ev, at := col.tryFind(from, pred); ev != nil {
			return ev, at
		}
	}
	t.Fatalf("no %s after 300 simulator steps", what)
	return nil, 0
}

// waitBounded waits up to d for a match and reports whether one came.
func (c *collector) waitBounded(from int, pred func(exchange.Event) bool, d time.Duration) bool {
	deadline := time.After(d)
	for {
		if ev, _ := c.tryFind(from, pred); ev != nil {
			return true
		}
		select {
		case <-c.notify:
		case <-deadline:
			return false
		}
	}
}

func (c *collector) tryFind(from int, pred func(exchange.Event) bool) (exchange.Event, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := from; i < len(c.evs); i++ {
		if pred(c.evs[i]) {
			return c.evs[i], i
		}
	}
	return nil, 0
}

func TestMarketStreamDecodesSimEvents(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 3, Scenario: "flat"}, nil)
	col := runSource(t, r.c.MarketStream())
	waitConns(t, r.sim, 1)
	wantMark := func(ev exchange.Event) bool {
		m, ok := ev.(exchange.MarkPrice)
		return ok && m.ExchangeTime.Equal(r.sim.Now())
	}
	ev, _ := waitData(t, r, col, 0, "mark price of the current step", wantMark)
	mp := ev.(exchange.MarkPrice)
	mark, _, _, _ := r.sim.Quote()
	if !mp.Mark.Equal(mark) || mp.Symbol != "TAOUSDT" || !mp.ReceiveTime.Equal(r.clock.Now()) || mp.NextFundingTime.IsZero() {
		t.Fatalf("mark event %+v, want mark %s received at %v", mp, mark, r.clock.Now())
	}
	// The step's book ticker follows its mark price; it must carry the
	// simulator's best bid and ask exactly.
	_, _, bid, ask := r.sim.Quote()
	ev, _ = col.waitFor(t, 0, "book ticker of the current step", func(ev exchange.Event) bool {
		b, ok := ev.(exchange.BookTicker)
		return ok && b.ExchangeTime.Equal(r.sim.Now())
	})
	if b := ev.(exchange.BookTicker); !b.BidPrice.Equal(bid) || !b.AskPrice.Equal(ask) || b.UpdateID == 0 {
		t.Fatalf("book ticker %+v, want bid %s ask %s", b, bid, ask)
	}
	tr, _ := waitData(t, r, col, 0, "trade", isType[exchange.Trade]())
	if trade := tr.(exchange.Trade); !trade.Price.IsPositive() || !trade.Qty.IsPositive() || trade.ID == 0 {
		t.Fatalf("trade %+v", trade)
	}
	bt, _ := waitData(t, r, col, 0, "book ticker", isType[exchange.BookTicker]())
	if b := bt.(exchange.BookTicker); !b.AskPrice.GreaterThan(b.BidPrice) || !b.BidQty.IsPositive() {
		t.Fatalf("book ticker %+v", b)
	}
	lq, _ := waitData(t, r, col, 0, "liquidation", isType[exchange.Liquidation]())
	if l := lq.(exchange.Liquidation); !l.Side.Valid() || !l.Qty.IsPositive() || !l.Notional().IsPositive() {
		t.Fatalf("liquidation %+v", l)
	}
	oi, _ := col.waitFor(t, 0, "initial open interest", isType[exchange.OpenInterest]())
	if o := oi.(exchange.OpenInterest); !o.OpenInterest.IsPositive() || o.Backfill {
		t.Fatalf("open interest %+v", o)
	}
}

func TestMarketGapOnDroppedSocketThenResume(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 3, Scenario: "flat"}, nil)
	col := runSource(t, r.c.MarketStream())
	waitConns(t, r.sim, 1)
	waitData(t, r, col, 0, "first mark price", isType[exchange.MarkPrice]())
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultDropStreams}); err != nil {
		t.Fatal(err)
	}
	open, at := col.waitFor(t, 0, "gap start", isGap(MarketStreamName, true, "connection lost"))
	waitConns(t, r.sim, 1)
	end, endAt := waitData(t, r, col, at, "gap end", isGap(MarketStreamName, false, ""))
	if g := end.(exchange.StreamGap); !g.Start.Equal(open.(exchange.StreamGap).Start) || g.End.Before(g.Start) {
		t.Fatalf("gap end %+v does not close gap %+v", g, open)
	}
	waitData(t, r, col, endAt, "mark price after reconnect", isType[exchange.MarkPrice]())
}

func TestMarketStallDetectedAndRecovered(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 3, Scenario: "flat"}, nil)
	col := runSource(t, r.c.MarketStream())
	waitConns(t, r.sim, 1)
	_, seen := waitData(t, r, col, 0, "first mark price", isType[exchange.MarkPrice]())
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultStall}); err != nil {
		t.Fatal(err)
	}
	r.sim.Advance(time.Second) // a step whose data is withheld
	g, at := advanceUntil(t, r, col, seen, 11*time.Second, "stall gap", isGap(MarketStreamName, true, "silent"))
	if gap := g.(exchange.StreamGap); gap.Start.After(gap.ReceiveTime) || gap.ReceiveTime.Sub(gap.Start) < 10*time.Second {
		t.Fatalf("stall gap %+v should start at the last message, >= 10s before detection", gap)
	}
	r.sim.ClearFaults()
	waitConns(t, r.sim, 1)
	waitData(t, r, col, at, "gap end after stall", isGap(MarketStreamName, false, "silent"))
}

func TestMarketProactiveReconnectBefore24h(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 3, Scenario: "flat"}, nil)
	col := runSource(t, r.c.MarketStream())
	waitConns(t, r.sim, 1)
	_, seen := waitData(t, r, col, 0, "first mark price", isType[exchange.MarkPrice]())
	r.clock.Advance(23*time.Hour + 30*time.Minute)
	_, at := col.waitFor(t, seen, "planned reconnect", isGap(MarketStreamName, true, "planned"))
	waitConns(t, r.sim, 1)
	waitData(t, r, col, at, "data after planned reconnect", isGap(MarketStreamName, false, "planned"))
	for _, ev := range col.snapshot()[seen:] {
		if g, ok := ev.(exchange.StreamGap); ok && !contains(g.Reason, "planned") {
			t.Fatalf("unexpected gap %+v: the planned swap must be the only reason", g)
		}
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestOpenInterestBackfillAndChangeDetection(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 5}, func(o *Options) { o.OIHistLimit = 12 })
	col := runSource(t, r.c.MarketStream())
	// 12 backfilled points, oldest first, then the live value.
	live, liveAt := col.waitFor(t, 0, "live open interest", func(ev exchange.Event) bool {
		o, ok := ev.(exchange.OpenInterest)
		return ok && !o.Backfill
	})
	var hist []exchange.OpenInterest
	for _, ev := range col.snapshot()[:liveAt] {
		if o, ok := ev.(exchange.OpenInterest); ok {
			hist = append(hist, o)
		}
	}
	if len(hist) != 12 {
		t.Fatalf("backfill: %d points, want 12", len(hist))
	}
	for i, h := range hist {
		if !h.Backfill || !h.OpenInterest.IsPositive() || (i > 0 && h.ExchangeTime.Sub(hist[i-1].ExchangeTime) != 5*time.Minute) {
			t.Fatalf("backfill point %d: %+v", i, h)
		}
	}
	last := live.(exchange.OpenInterest).OpenInterest
	countOI := func() int {
		n := 0
		for _, ev := range col.snapshot() {
			if o, ok := ev.(exchange.OpenInterest); ok && !o.Backfill {
				n++
			}
		}
		return n
	}
	poll := func() {
		t.Helper()
		before := r.count.get("GET /fapi/v1/openInterest")
		r.clock.Advance(5 * time.Second)
		deadline := time.After(guard)
		for r.count.get("GET /fapi/v1/openInterest") == before {
			select {
			case <-r.count.hit:
			case <-deadline:
				t.Fatal("open interest was not polled")
			}
		}
	}
	// Unchanged market: polls emit nothing.
	poll()
	poll()
	poll() // the third poll starts only after the second's emit decision
	if n := countOI(); n != 1 {
		t.Fatalf("unchanged open interest emitted %d events, want 1 (the first)", n)
	}
	// Move the market until the venue's open interest differs. The seeded
	// simulator is deterministic: its open interest changes within these
	// steps every run, so not changing is a failure, not a skip.
	var now = last
	steps := 0
	for ; steps < 600 && now.Equal(last); steps++ {
		r.sim.Advance(time.Second)
		v, _, err := r.c.OpenInterest(context.Background(), "TAOUSDT")
		if err != nil {
			t.Fatal(err)
		}
		now = v
	}
	if now.Equal(last) {
		t.Fatalf("simulator open interest stayed %s for 600 steps (seed 5, calm)", last)
	}
	t.Logf("open interest changed after %d steps", steps)
	poll()
	ev, _ := col.waitFor(t, liveAt+1, "changed open interest", func(ev exchange.Event) bool {
		o, ok := ev.(exchange.OpenInterest)
		return ok && !o.Backfill
	})
	if got := ev.(exchange.OpenInterest).OpenInterest; !got.Equal(now) {
		t.Fatalf("changed OI event %s, want %s", got, now)
	}
	poll()
	poll()
	if n := countOI(); n != 2 {
		t.Fatalf("after one change: %d live OI events, want 2", n)
	}
}

func TestMarketSurvivesDuplicateAndMalformedFrames(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 3, Scenario: "flat"}, nil)
	col := runSource(t, r.c.MarketStream())
	waitConns(t, r.sim, 1)
	_, seen := waitData(t, r, col, 0, "first mark price", isType[exchange.MarkPrice]())
	for _, f := range []binancesim.Fault{{Kind: binancesim.FaultDuplicate, Count: 30}, {Kind: binancesim.FaultMalformed, Count: 1}} {
		if err := r.sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	start := r.sim.Now()
	// Run 20 more steps; the last one's mark price proves the stream is alive.
	for i := 0; i < 20; i++ {
		waitData(t, r, col, seen, "step", func(ev exchange.Event) bool {
			m, ok := ev.(exchange.MarkPrice)
			return ok && m.ExchangeTime.Equal(r.sim.Now())
		})
	}
	ids := map[int64]int{}
	marks := map[time.Time]int{}
	for _, ev := range col.snapshot()[seen:] {
		switch e := ev.(type) {
		case exchange.Trade:
			ids[e.ID]++
			if ids[e.ID] > 1 {
				t.Fatalf("trade %d delivered twice", e.ID)
			}
		case exchange.MarkPrice:
			marks[e.ExchangeTime]++
			if marks[e.ExchangeTime] > 1 {
				t.Fatalf("mark price of %v delivered twice", e.ExchangeTime)
			}
		case exchange.StreamGap:
			t.Fatalf("duplicate or malformed frames must not cost the connection: %+v", e)
		}
	}
	if len(ids) == 0 || len(marks) < 19 || r.sim.Now().Sub(start) < 20*time.Second {
		t.Fatalf("saw %d trades and %d marks over 20 steps", len(ids), len(marks))
	}
}

// advanceUntil advances the fake clock by step until an event matching pred
// arrives. One advance is not enough when a frame of an earlier step is
// still in flight: read after the advance, it counts as fresh at the new
// time, and the stale check then needs another period to elapse.
func advanceUntil(t *testing.T, r *rig, col *collector, from int, step time.Duration, what string, pred func(exchange.Event) bool) (exchange.Event, int) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		r.clock.Advance(step)
		for end := time.Now().Add(20 * time.Millisecond); time.Now().Before(end); {
			for i, ev := range col.snapshot()[from:] {
				if pred(ev) {
					return ev, from + i
				}
			}
			time.Sleep(time.Millisecond) // failure guard only: waits for goroutines, not for time
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out advancing the clock for %s", what)
		}
	}
}
