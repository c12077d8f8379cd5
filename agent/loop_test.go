package agent

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/orders"
	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/fakeclock"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// fakeOrders records what the loop asks of the order manager.
type fakeOrders struct {
	reconcileErr error
	positions    int
	flattens     int
	submits      int
	ticks        chan time.Time
}

var _ Orders = (*fakeOrders)(nil)

func (f *fakeOrders) Reconcile(context.Context) error { return f.reconcileErr }
func (f *fakeOrders) Submit(context.Context, strategy.Signal, risk.PlanResult) error {
	f.submits++
	return nil
}
func (f *fakeOrders) OnEvent(context.Context, exchange.Event) {}
func (f *fakeOrders) OnTick(_ context.Context, now time.Time, _ orders.MarketView) {
	f.ticks <- now
}
func (f *fakeOrders) OpenPositions() int { return f.positions }
func (f *fakeOrders) Flatten(context.Context, string) error {
	f.flattens++
	return nil
}
func (f *fakeOrders) Status() any { return nil }

func openStore(t *testing.T) *state.Store {
	t.Helper()
	st, err := state.Open(filepath.Join(t.TempDir(), "taobot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestDryRunRefusesAnOrderManager(t *testing.T) {
	cfg := config.Default()
	cfg.Mode = config.ModeDryRun
	_, err := New(Deps{Config: cfg, Store: openStore(t), Market: script{}, Orders: &fakeOrders{}})
	if err == nil || !strings.Contains(err.Error(), "dry-run takes no order manager") {
		t.Fatalf("err = %v", err)
	}
}

// ended is a source that stops on its own, like a replay at end of file.
type ended struct{}

func (ended) Run(context.Context, chan<- exchange.Event) error { return nil }

func TestSourceEndingIsAnError(t *testing.T) {
	cfg := config.Default()
	cfg.Mode = config.ModeDryRun
	a, err := New(Deps{Config: cfg, Store: openStore(t), Market: ended{}, Clock: fakeclock.New(t0), Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "market source: ended while the bot was running") {
		t.Fatalf("Run = %v", err)
	}
}

func TestKillSwitchFlattensOncePerEngagement(t *testing.T) {
	kill := filepath.Join(t.TempDir(), "taobot.kill")
	if err := os.WriteFile(kill, []byte("flatten: FOMC\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Risk.KillSwitchFile = kill
	clk := fakeclock.New(t0)
	fo := &fakeOrders{positions: 1, ticks: make(chan time.Time)}
	a, err := New(Deps{Config: cfg, Store: openStore(t), Market: script{}, Orders: fo, Clock: clk, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	tick := func() {
		for clk.Pending() == 0 { // wait until the loop armed its ticker (failure guard below)
			select {
			case err := <-errc:
				t.Fatalf("Run: %v", err)
			case <-time.After(time.Millisecond):
			}
		}
		clk.Advance(time.Second)
		select {
		case <-fo.ticks:
		case <-time.After(10 * time.Second):
			t.Fatal("no tick reached the order manager")
		}
	}
	tick()
	tick()
	if fo.flattens != 1 {
		t.Fatalf("flattens after two ticks = %d, want 1", fo.flattens)
	}
	for range 30 {
		tick()
	}
	if fo.flattens != 2 {
		t.Fatalf("flattens after 32s = %d, want a retry after 30s", fo.flattens)
	}
	if err := os.Remove(kill); err != nil {
		t.Fatal(err)
	}
	tick()
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if fo.flattens != 2 || fo.submits != 0 {
		t.Fatalf("flattens %d submits %d", fo.flattens, fo.submits)
	}
}

func TestHealthz(t *testing.T) {
	cfg := config.Default()
	cfg.Mode = config.ModeDryRun
	a, err := New(Deps{Config: cfg, Store: openStore(t), Market: script{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		st   Status
		code int
		body string
	}{
		{Status{Phase: "starting"}, 503, "starting"},
		{Status{Phase: phaseWarming}, 200, "warming up"},
		{Status{Phase: phaseTrading}, 200, "trading"},
		{Status{Phase: phaseTrading, Stale: "market stream blind since 12:00:00 (eof)"}, 503, "trading: stale: market stream blind"},
	} {
		st := c.st
		a.status.Store(&st)
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != c.code || !strings.HasPrefix(rec.Body.String(), c.body) {
			t.Errorf("%+v: %d %q", c.st, rec.Code, rec.Body.String())
		}
	}
}

// started records that its Run began, then waits for ctx like a stream.
type started chan struct{}

func (s started) Run(ctx context.Context, _ chan<- exchange.Event) error {
	close(s)
	<-ctx.Done()
	return nil
}

func TestReconcileFailureStopsBeforeTrading(t *testing.T) {
	cfg := config.Default()
	user := make(started)
	fo := &fakeOrders{reconcileErr: errors.New("venue unreadable: 503"), ticks: make(chan time.Time, 1)}
	a, err := New(Deps{Config: cfg, Store: openStore(t), Market: script{}, User: user, Orders: fo, Clock: fakeclock.New(t0), Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "(no trading until it succeeds): venue unreadable: 503") {
		t.Fatalf("Run = %v", err)
	}
	select {
	case <-user: // the user stream ran before reconciliation, and Run waited for it to stop
	default:
		t.Fatal("user stream was not started before reconciliation")
	}
	if a.Status().Phase != "failed" || fo.submits != 0 {
		t.Fatalf("phase %q submits %d", a.Status().Phase, fo.submits)
	}
}
