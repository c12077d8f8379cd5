// Package fakeclock is a manually advanced exchange.Clock for tests and replay.
package fakeclock

import (
	"sort"
	"sync"
	"time"

	"github.com/taobot/taobot/exchange"
)

// Clock is a fake clock. Timers fire, in time order, only inside Advance or Set.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*waiter
}

type waiter struct {
	at     time.Time
	period time.Duration // 0 for one-shot
	ch     chan time.Time
	dead   bool
}

// New returns a fake clock at t.
func New(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires once when the clock reaches now+d.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := &waiter{at: c.now.Add(d), ch: make(chan time.Time, 1)}
	c.waiters = append(c.waiters, w)
	return w.ch
}

// NewTicker fires every d of fake time. Like time.Ticker it drops ticks a slow reader misses.
func (c *Clock) NewTicker(d time.Duration) exchange.Ticker {
	if d <= 0 {
		panic("fakeclock: non-positive ticker period")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	w := &waiter{at: c.now.Add(d), period: d, ch: make(chan time.Time, 1)}
	c.waiters = append(c.waiters, w)
	return &ticker{c: c, w: w}
}

// Advance moves the clock forward by d, firing due timers in order.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards), firing due timers in order.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		return
	}
	for {
		live := c.waiters[:0]
		for _, w := range c.waiters {
			if !w.dead {
				live = append(live, w)
			}
		}
		c.waiters = live
		sort.SliceStable(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
		if len(c.waiters) == 0 || c.waiters[0].at.After(t) {
			break
		}
		w := c.waiters[0]
		c.now = w.at
		select {
		case w.ch <- w.at:
		default:
		}
		if w.period > 0 {
			w.at = w.at.Add(w.period)
		} else {
			w.dead = true
		}
	}
	c.now = t
}

// Pending is the number of live timers, so tests can wait until a goroutine armed one.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, w := range c.waiters {
		if !w.dead {
			n++
		}
	}
	return n
}

type ticker struct {
	c *Clock
	w *waiter
}

func (t *ticker) C() <-chan time.Time { return t.w.ch }
func (t *ticker) Stop() {
	t.c.mu.Lock()
	t.w.dead = true
	t.c.mu.Unlock()
}
