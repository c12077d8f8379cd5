package binance

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
	"github.com/taobot/taobot/exchange/fakeclock"
)

// guard is the failure guard of every wait: generous, never a timing device.
const guard = 10 * time.Second

type rig struct {
	sim   *binancesim.Sim
	clock *fakeclock.Clock
	c     *Client
	count *countingTransport
}

// countingTransport counts requests per path, so tests can tell when a
// background poll has happened without sleeping.
type countingTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
	hit  chan string
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	t.mu.Lock()
	t.n[r.Method+" "+r.URL.Path]++
	t.mu.Unlock()
	select {
	case t.hit <- r.Method + " " + r.URL.Path:
	default:
	}
	return resp, err
}

func (t *countingTransport) get(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n[key]
}

func newRig(t *testing.T, simOpts binancesim.Options, tweak func(*Options)) *rig {
	t.Helper()
	sim := binancesim.Start(t, simOpts)
	clk := fakeclock.New(sim.Now())
	ct := &countingTransport{base: http.DefaultTransport, n: map[string]int{}, hit: make(chan string, 1024)}
	o := Options{
		Network: Custom, RESTURL: sim.RESTURL, WSURL: sim.WSURL, Key: sim.APIKey, Secret: sim.APISecret,
		Symbol: "TAOUSDT", Clock: clk, BackoffMin: time.Millisecond, BackoffMax: 4 * time.Millisecond,
		Jitter: func() float64 { return 0 }, OIHistLimit: -1,
		HTTPClient: &http.Client{Transport: ct, Timeout: guard},
	}
	if tweak != nil {
		tweak(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{sim: sim, clock: clk, c: c, count: ct}
}

// collector drains a source's channel into a list tests can wait on.
type collector struct {
	mu     sync.Mutex
	evs    []exchange.Event
	notify chan struct{}
	done   chan error
}

func runSource(t *testing.T, src exchange.EventSource) *collector {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan exchange.Event, 64)
	col := &collector{notify: make(chan struct{}, 1), done: make(chan error, 1)}
	go func() { col.done <- src.Run(ctx, out); close(out) }()
	go func() {
		for ev := range out {
			col.mu.Lock()
			col.evs = append(col.evs, ev)
			col.mu.Unlock()
			select {
			case col.notify <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-col.done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(guard):
			t.Error("Run did not return after cancel")
		}
	})
	return col
}

// waitFor returns the first event at index >= from matching pred, and its index.
func (c *collector) waitFor(t *testing.T, from int, what string, pred func(exchange.Event) bool) (exchange.Event, int) {
	t.Helper()
	deadline := time.After(guard)
	for {
		c.mu.Lock()
		for i := from; i < len(c.evs); i++ {
			if pred(c.evs[i]) {
				ev := c.evs[i]
				c.mu.Unlock()
				return ev, i
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
			return nil, 0
		}
	}
}

func (c *collector) snapshot() []exchange.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]exchange.Event(nil), c.evs...)
}

func isGap(stream string, ongoing bool, reasonHas string) func(exchange.Event) bool {
	return func(ev exchange.Event) bool {
		g, ok := ev.(exchange.StreamGap)
		return ok && g.Stream == stream && g.Ongoing() == ongoing && strings.Contains(g.Reason, reasonHas)
	}
}

func isType[T exchange.Event]() func(exchange.Event) bool {
	return func(ev exchange.Event) bool { _, ok := ev.(T); return ok }
}
