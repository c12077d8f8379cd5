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
	// poll advances one OI interval and waits for the poll's request; the
	// polls are sequential, so once poll k is sent, poll k-1 has logged.
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
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultHTTPError, Count: 1000, Status: 503}); err != nil {
		t.Fatal(err)
	}
	for range 13 { // failures at +5s .. +65s
		poll()
	}
	// Polls 1..12 (+5s..+60s) are done: only the first failure was logged.
	if got := logs.lines("open interest poll"); len(got) != 1 || !strings.Contains(got[0], `"level":"warn"`) || !strings.Contains(got[0], "poll failed") {
		t.Fatalf("after 12 failed polls in 55s: %d lines %q, want the first failure only", len(got), got)
	}
	r.sim.ClearFaults()
	poll() // +70s succeeds
	poll() // +75s: the recovery is logged by now
	got := logs.lines("open interest poll")
	want := []string{"poll failed", `"failures":13,"for":60000`, `"level":"info","failures":13,"after":65000`}
	if len(got) != len(want) {
		t.Fatalf("outage logs %q, want %d lines", got, len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("line %d %s, want it to contain %s", i, got[i], w)
		}
	}
}
