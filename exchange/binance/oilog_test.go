package binance

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
)

// lockedBuf is a log sink the stream goroutines and the test can share.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) lines(has string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, ln := range strings.Split(l.b.String(), "\n") {
		if strings.Contains(ln, has) {
			out = append(out, ln)
		}
	}
	return out
}

func TestOpenInterestOutageLogsFirstThenOncePerMinute(t *testing.T) {
	var logs lockedBuf
	r := newRig(t, binancesim.Options{Seed: 3, Scenario: "flat"}, func(o *Options) {
		l := zerolog.New(&logs)
		o.Logger = &l
	})
	col := runSource(t, r.c.MarketStream())
	col.waitFor(t, 0, "live open interest", isType[exchange.OpenInterest]())
	// poll advances the clock an OI interval at a time until the poll's
	// request is seen: a tick the busy poller missed is simply dropped, as
	// with time.Ticker, so a single advance is not always a poll. The polls
	// are sequential, so once poll k is sent, poll k-1 has logged.
	poll := func() {
		t.Helper()
		before := r.count.get("GET /fapi/v1/openInterest")
		deadline := time.After(guard)
		for r.count.get("GET /fapi/v1/openInterest") == before {
			r.clock.Advance(5 * time.Second)
			select {
			case <-r.count.hit:
			case <-time.After(100 * time.Millisecond): // no request: the tick was dropped; advance again
			case <-deadline:
				t.Fatal("open interest was not polled")
			}
		}
	}
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultHTTPError, Count: 1000, Status: 503}); err != nil {
		t.Fatal(err)
	}
	start := r.clock.Now()
	// Failures within the first 45s: only the first is logged (the check does
	// not sit on the one-minute boundary, where a line may be in flight).
	for r.clock.Now().Sub(start) < 45*time.Second {
		poll()
	}
	if got := logs.lines("open interest poll"); len(got) != 1 || !strings.Contains(got[0], `"level":"warn"`) || !strings.Contains(got[0], "poll failed") {
		t.Fatalf("after %s of failed polls: %d lines %q, want the first failure only", r.clock.Now().Sub(start), len(got), got)
	}
	// Past the minute but before the second: exactly one reminder, not one per poll.
	for r.clock.Now().Sub(start) < 95*time.Second {
		poll()
	}
	got := logs.lines("open interest poll")
	if len(got) != 2 || !strings.Contains(got[1], "poll still failing") {
		t.Fatalf("after %s of failed polls: %q, want the first failure and one reminder", r.clock.Now().Sub(start), got)
	}
	r.sim.ClearFaults()
	poll() // succeeds
	poll() // by now the recovery is logged
	got = logs.lines("open interest poll")
	if len(got) != 3 || !strings.Contains(got[2], `"level":"info"`) || !strings.Contains(got[2], `"failures":`) {
		t.Fatalf("outage logs %q, want the first failure, one reminder and the recovery", got)
	}
}
