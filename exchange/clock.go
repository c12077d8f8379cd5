package exchange

import "time"

// Clock is the one source of "now" and of timers. Live code uses WallClock;
// tests and replay use a fake that advances on event time.
type Clock interface {
	Now() time.Time
	// NewTicker returns a ticker whose channel fires every d on this clock.
	NewTicker(d time.Duration) Ticker
	// After fires once after d on this clock.
	After(d time.Duration) <-chan time.Time
}

// Ticker is a stoppable periodic timer.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// WallClock is the real clock.
type WallClock struct{}

// Now returns the wall time in UTC.
func (WallClock) Now() time.Time { return time.Now().UTC() }

// NewTicker wraps time.NewTicker.
func (WallClock) NewTicker(d time.Duration) Ticker { return wallTicker{time.NewTicker(d)} }

// After wraps time.After.
func (WallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

type wallTicker struct{ t *time.Ticker }

func (w wallTicker) C() <-chan time.Time { return w.t.C }
func (w wallTicker) Stop()               { w.t.Stop() }
