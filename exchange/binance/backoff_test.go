package binance

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/fakeclock"
)

// TestReconnectBacksOffOnTheClock: a server that accepts and at once drops
// the socket is retried with exponential back-off on the injected clock,
// and the blind spell is one gap, not one per attempt.
func TestReconnectBacksOffOnTheClock(t *testing.T) {
	var dials atomic.Int32
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/stream") {
			http.NotFound(w, r)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		dials.Add(1)
		c.Close() // accept, then drop without a word
	}))
	defer srv.Close()
	clk := &recordingClock{Clock: fakeclock.New(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)), afters: make(chan time.Duration, 64)}
	c, err := New(Options{Network: Custom, RESTURL: srv.URL, WSURL: "ws" + strings.TrimPrefix(srv.URL, "http"),
		Symbol: "TAOUSDT", Clock: clk, OIHistLimit: -1, BackoffMin: time.Second, BackoffMax: time.Minute,
		Jitter: func() float64 { return 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	col := runSource(t, c.MarketStream())
	waitDials := func(n int32) {
		t.Helper()
		deadline := time.After(guard)
		for dials.Load() < n {
			select {
			case <-deadline:
				t.Fatalf("%d dials, want %d", dials.Load(), n)
			case <-time.After(time.Millisecond): // polling a counter, not timing
			}
		}
	}
	// Each retry parks on clock.After(backoff); the recording clock says
	// when, so the test advances only once the timer exists.
	waitArmed := func(want time.Duration) {
		t.Helper()
		deadline := time.After(guard)
		for {
			select {
			case d := <-clk.afters:
				if d == want {
					return
				}
			case <-deadline:
				t.Fatalf("back-off of %v never armed", want)
			}
		}
	}
	waitDials(1)
	waitArmed(750 * time.Millisecond)
	clk.Advance(749 * time.Millisecond) // first back-off is 1s * 0.75
	if dials.Load() != 1 {
		t.Fatal("redialled before the back-off elapsed")
	}
	clk.Advance(time.Millisecond)
	waitDials(2)
	waitArmed(1500 * time.Millisecond)
	clk.Advance(1499 * time.Millisecond) // second: 2s * 0.75
	if dials.Load() != 2 {
		t.Fatal("redialled before the doubled back-off elapsed")
	}
	clk.Advance(time.Millisecond)
	waitDials(3)
	gaps := 0
	for _, ev := range col.snapshot() {
		if g, ok := ev.(exchange.StreamGap); ok {
			gaps++
			if !g.Ongoing() {
				t.Fatalf("gap closed without data: %+v", g)
			}
		}
	}
	if gaps != 1 {
		t.Fatalf("%d gap events, want 1 for one blind spell", gaps)
	}
}

// recordingClock reports every After it arms (after arming it).
type recordingClock struct {
	*fakeclock.Clock
	afters chan time.Duration
}

func (c *recordingClock) After(d time.Duration) <-chan time.Time {
	ch := c.Clock.After(d)
	c.afters <- d
	return ch
}
