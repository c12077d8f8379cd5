package agent

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binance"
	"github.com/taobot/taobot/exchange/binancesim"
	"github.com/taobot/taobot/exchange/fakeclock"
	"github.com/taobot/taobot/state"
)

// simRun drives a simulator scenario through the real adapter into a
// dry-run agent, one simulated second at a time, in lock-step: the next
// second starts only after the agent has handled this second's mark price.
type simRun struct {
	sim      *binancesim.Sim
	store    *state.Store
	problems []string // map-consistency failures seen on the loop goroutine
	signals  int
}

func runSimScenario(t *testing.T, scenario string, seed int64, d time.Duration) *simRun {
	t.Helper()
	sim := binancesim.Start(t, binancesim.Options{Scenario: scenario, Seed: seed})
	clk := fakeclock.New(sim.Now())
	client, err := binance.New(binance.Options{Network: binance.Custom, RESTURL: sim.RESTURL, WSURL: sim.WSURL,
		Symbol: binancesim.Symbol, Clock: clk, OIPollInterval: 5 * time.Second, StaleAfter: 30 * time.Second,
		BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, Jitter: func() float64 { return 0 }})
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(filepath.Join(t.TempDir(), "taobot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.Mode = config.ModeDryRun
	cfg.Risk.KillSwitchFile = ""
	// The simulated market is far smaller than the real one: scale the
	// cluster floor to it, as a user rehearsing a config on the sim would.
	cfg.Strategy.MinClusterNotional = decimal.RequireFromString("5000")
	r := &simRun{sim: sim, store: st}
	marks := make(chan time.Time, 16)
	stop := make(chan struct{})
	var a *Agent
	a, err = New(Deps{Config: cfg, Clock: clk, Log: zerolog.Nop(), Store: st, Market: client.MarketStream(),
		Rules: func(ctx context.Context) (exchange.SymbolRules, error) {
			return client.ExchangeRules(ctx, binancesim.Symbol)
		},
		AfterEvent: func(ev exchange.Event) {
			// On the loop goroutine: the map may be read here.
			if int(a.counts.Signals) > r.signals {
				r.signals = int(a.counts.Signals)
				r.check(a)
			}
			if mp, ok := ev.(exchange.MarkPrice); ok {
				select { // never block the loop if the test has gone
				case marks <- mp.ExchangeTime:
				case <-stop:
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	defer func() {
		close(stop)
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("agent: %v", err)
		}
	}()
	if !sim.WaitConnections(1, 20*time.Second) {
		t.Fatal("adapter never connected to the simulator")
	}
	for elapsed := time.Duration(0); elapsed < d; elapsed += time.Second {
		sim.Advance(time.Second)
		clk.Set(sim.Now())
		want := sim.Now()
		for {
			select {
			case at := <-marks:
				if at.Before(want) {
					continue
				}
			case err := <-errc:
				t.Fatalf("agent stopped: %v", err)
			case <-time.After(20 * time.Second): // failure guard only
				t.Fatalf("no mark price for %s", want)
			}
			break
		}
	}
	return r
}

// check verifies the newest signal against the map as it is at that moment:
// its target cluster is one of the map's clusters, holds the other side's
// liquidations, and lies beyond the target; the stop is on the other side.
func (r *simRun) check(a *Agent) {
	s := a.lastSig
	bad := func(f string, args ...any) {
		r.problems = append(r.problems, fmt.Sprintf("signal %s: ", s.ID)+fmt.Sprintf(f, args...))
	}
	var target *liqmap.Cluster
	for _, c := range a.m.Clusters(s.Time) {
		if c.PeakPrice.Equal(s.Cluster.Peak) && c.Low.Equal(s.Cluster.Low) && c.High.Equal(s.Cluster.High) {
			target = &c
			break
		}
	}
	long := s.Direction == exchange.Long
	switch {
	case target == nil:
		bad("target cluster %s-%s (peak %s) is not in the map", s.Cluster.Low, s.Cluster.High, s.Cluster.Peak)
	case long && !(s.Stop.LessThan(s.Entry) && s.Target.GreaterThan(s.Entry) && s.Target.LessThan(target.PeakPrice)):
		bad("long levels stop %s entry %s target %s vs cluster peak %s", s.Stop, s.Entry, s.Target, target.PeakPrice)
	case !long && !(s.Stop.GreaterThan(s.Entry) && s.Target.LessThan(s.Entry) && s.Target.GreaterThan(target.PeakPrice)):
		bad("short levels stop %s entry %s target %s vs cluster peak %s", s.Stop, s.Entry, s.Target, target.PeakPrice)
	case long && target.Fuel() != exchange.Short, !long && target.Fuel() != exchange.Long:
		bad("%s aims at a cluster of %s liquidations", s.Direction, target.Fuel())
	}
	if rec := a.lastSignal; len(rec.Plan) == 0 && len(rec.Rejection) == 0 {
		bad("recorded without a plan or a rejection")
	}
}

func TestDryRunAgainstSimulatorScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("drives 40 simulated minutes per scenario")
	}
	for _, sc := range []struct {
		name string
		seed int64
	}{{"long-cascade", 1}, {"short-squeeze", 1}} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := runSimScenario(t, sc.name, sc.seed, 40*time.Minute)
			for _, p := range r.problems {
				t.Error(p)
			}
			recs, err := r.store.Signals(time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d signals", sc.name, len(recs))
			for _, rec := range recs {
				t.Logf("  %s %s %s", rec.Time.Format(time.TimeOnly), rec.ID, rec.Reason)
			}
			if len(recs) == 0 {
				t.Fatal("the scenario produced no signal")
			}
			if len(recs) != r.signals {
				t.Errorf("%d signals handled, %d persisted", r.signals, len(recs))
			}
			if acct := r.sim.Account(); acct.Received != 0 || acct.OrderRequests != 0 || len(acct.OpenOrders) != 0 || len(acct.AlgoOrders) != 0 {
				t.Fatalf("dry-run sent orders to the exchange: %+v", acct)
			}
		})
	}
}
