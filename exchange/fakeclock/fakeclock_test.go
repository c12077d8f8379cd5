package fakeclock

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func fired(ch <-chan time.Time) (time.Time, bool) {
	select {
	case t := <-ch:
		return t, true
	default:
		return time.Time{}, false
	}
}

func TestAfterFiresOnlyWhenDue(t *testing.T) {
	c := New(t0)
	ch := c.After(10 * time.Second)
	c.Advance(9 * time.Second)
	if _, ok := fired(ch); ok {
		t.Fatal("fired early")
	}
	c.Advance(time.Second)
	at, ok := fired(ch)
	if !ok || !at.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("fired %v at %v, want at +10s", ok, at)
	}
	if c.Pending() != 0 {
		t.Fatalf("one-shot timer still pending: %d", c.Pending())
	}
}

func TestTickerFiresEveryPeriodAndDropsMissedTicks(t *testing.T) {
	c := New(t0)
	tk := c.NewTicker(time.Second)
	c.Advance(time.Second)
	if at, ok := fired(tk.C()); !ok || !at.Equal(t0.Add(time.Second)) {
		t.Fatalf("first tick %v %v", at, ok)
	}
	// Five periods with no reader: like time.Ticker, one tick is kept, the rest dropped.
	c.Advance(5 * time.Second)
	at, ok := fired(tk.C())
	if !ok || !at.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("kept tick %v %v, want the first missed one at +2s", at, ok)
	}
	if _, ok := fired(tk.C()); ok {
		t.Fatal("more than one tick buffered")
	}
	tk.Stop()
	c.Advance(10 * time.Second)
	if _, ok := fired(tk.C()); ok || c.Pending() != 0 {
		t.Fatal("stopped ticker still fires")
	}
}

func TestTimersFireInTimeOrderAndNowFollows(t *testing.T) {
	c := New(t0)
	late, early := c.After(3*time.Second), c.After(time.Second)
	c.Set(t0.Add(5 * time.Second))
	a, _ := fired(early)
	b, _ := fired(late)
	if !a.Equal(t0.Add(time.Second)) || !b.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("early %v late %v", a, b)
	}
	if !c.Now().Equal(t0.Add(5 * time.Second)) {
		t.Fatalf("now %v", c.Now())
	}
	c.Set(t0) // never backwards
	if !c.Now().Equal(t0.Add(5 * time.Second)) {
		t.Fatalf("clock went backwards to %v", c.Now())
	}
}
