package orders

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binance"
	"github.com/taobot/taobot/exchange/binancesim"
	"github.com/taobot/taobot/exchange/fakeclock"
	"github.com/taobot/taobot/state"
)

// simGuard bounds every wait on the simulator: a failure guard, not timing.
const simGuard = 10 * time.Second

// simRig is the manager live-trading the local Binance simulator through
// the real adapter (go-binance underneath), user events pumped on the test
// goroutine.
type simRig struct {
	t      *testing.T
	ctx    context.Context
	sim    *binancesim.Sim
	c      *binance.Client
	m      *Manager
	events chan exchange.Event
	log    *bytes.Buffer
	closes []decimal.Decimal
}

func newSimRig(t *testing.T, mutate func(*Config)) *simRig {
	t.Helper()
	sim := binancesim.Start(t, binancesim.Options{Seed: 1})
	clk := fakeclock.New(sim.Now())
	c, err := binance.New(binance.Options{Network: binance.Custom, RESTURL: sim.RESTURL, WSURL: sim.WSURL,
		Key: sim.APIKey, Secret: sim.APISecret, Symbol: sym, Clock: clk, BackoffMin: time.Millisecond,
		BackoffMax: 4 * time.Millisecond, Jitter: func() float64 { return 0 }, OIHistLimit: -1,
		HTTPClient: &http.Client{Timeout: simGuard}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &simRig{t: t, ctx: context.Background(), sim: sim, c: c, events: make(chan exchange.Event, 1024), log: &bytes.Buffer{}}
	done := make(chan error, 1)
	go func() { done <- c.UserStream().Run(ctx, r.events) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(simGuard):
			t.Error("user stream did not stop")
		}
	})
	if !sim.WaitConnections(1, simGuard) {
		t.Fatal("user stream did not connect")
	}
	st, err := state.Open(t.TempDir() + "/taobot.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cfg := baseConfig()
	cfg.EntryType = exchange.Market
	cfg.OnClose = func(_ time.Time, pnl decimal.Decimal, _ bool) { r.closes = append(r.closes, pnl) }
	if mutate != nil {
		mutate(&cfg)
	}
	rules, err := c.SymbolRules(r.ctx, sym)
	if err != nil {
		t.Fatal(err)
	}
	if r.m, err = New(cfg, c, st, clk, zerolog.New(r.log), rules); err != nil {
		t.Fatal(err)
	}
	return r
}

// until feeds user events to the manager until cond holds.
func (r *simRig) until(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.After(simGuard)
	for !cond() {
		select {
		case ev := <-r.events:
			r.m.OnEvent(r.ctx, ev)
		case <-deadline:
			r.t.Fatalf("waiting for %s: timed out; log:\n%s", what, r.log)
		}
	}
}

func (r *simRig) algos() []exchange.AlgoOrder {
	r.t.Helper()
	g, err := r.c.OpenAlgoOrders(r.ctx, sym)
	if err != nil {
		r.t.Fatal(err)
	}
	return g
}

// The full lifecycle in live mode against the simulator: market entry, stop
// and target placed as algo orders with the filled quantity, target hit,
// position closed with a net PnL equal to the simulator's wallet change.
func TestSimLifecycle(t *testing.T) {
	r := newSimRig(t, nil)
	r.sim.SetPrice(d("400"))
	if err := r.m.Reconcile(r.ctx); err != nil {
		t.Fatal(err)
	}
	wallet0 := r.sim.Account().Wallet
	if err := r.m.Submit(r.ctx, sig("sim1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20")); err != nil {
		t.Fatal(err)
	}
	id := "tb1-sim1"
	r.until("stop and target", func() bool {
		tr := r.m.trades[id]
		return tr != nil && tr.protected() && tr.pos != nil && tr.pos.Qty.Equal(d("2")) && tr.current("target") != nil &&
			tr.current("target").State == state.LegOpen
	})
	g := r.algos()
	if len(g) != 2 || g[0].ClientAlgoID != id+"-s" || g[0].Type != exchange.StopMarket || !g[0].Qty.Equal(d("2")) ||
		g[0].WorkingType != exchange.MarkPriceTrigger || !g[0].TriggerPrice.Equal(d("390")) ||
		g[1].ClientAlgoID != id+"-t" || !g[1].ClosePosition {
		t.Fatalf("algo orders at the simulator: %+v", g)
	}
	if a := r.sim.Account(); !a.Position.Qty.Equal(d("2")) || a.Leverage != 5 || a.MarginType != exchange.Isolated {
		t.Fatalf("simulator account %+v", a.Position)
	}
	r.sim.SetPrice(d("421"))
	r.until("position closed", func() bool { return r.m.OpenPositions() == 0 })
	p := positionOf(t, r.m.st, id)
	if p.Open() || p.ExitReason != "target" {
		t.Fatalf("position %+v", p)
	}
	a := r.sim.Account()
	if !a.Position.Qty.IsZero() || len(r.algos()) != 0 {
		t.Errorf("left at the simulator: position %s, algos %+v", a.Position.Qty, r.algos())
	}
	eq(t, "net PnL vs the simulator's wallet change", p.RealizedPnL, a.Wallet.Sub(wallet0))
	// Net = qty*(exit-entry) - taker fees on both sides (no funding in a minute).
	fees := p.EntryPrice.Mul(d("2")).Add(p.ExitPrice.Mul(d("2"))).Mul(d("0.0005"))
	eq(t, "fees", p.Fees, fees)
	eq(t, "net by hand", p.RealizedPnL, p.ExitPrice.Sub(p.EntryPrice).Mul(d("2")).Sub(fees))
	if len(r.closes) != 1 || !r.closes[0].Equal(p.RealizedPnL) {
		t.Errorf("OnClose %v", r.closes)
	}
}

// A 503 after the simulator accepted the order (entry, or the stop after a
// limit fill): the adapter reports an unknown outcome, the manager finds the
// order by client id, and the simulator received each leg exactly once.
func TestSimUnknownOutcomeResolved(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry exchange.OrderType
	}{{"entry", exchange.Market}, {"stop", exchange.Limit}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newSimRig(t, func(c *Config) { c.EntryType = tc.entry })
			r.sim.SetPrice(d("400"))
			if err := r.m.Reconcile(r.ctx); err != nil {
				t.Fatal(err)
			}
			before := r.sim.Account().OrderRequests
			fault := binancesim.Fault{Kind: binancesim.FaultUnknownAfterAccept, Count: 1}
			if tc.entry == exchange.Market {
				if err := r.sim.InjectFault(fault); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.m.Submit(r.ctx, sig("sim2", exchange.Long), plan(exchange.Long, "399", "390", "420", "1", "10")); err != nil {
				t.Fatal(err)
			}
			id := "tb1-sim2"
			if tc.entry == exchange.Limit {
				if err := r.sim.InjectFault(fault); err != nil {
					t.Fatal(err)
				}
				r.sim.SetPrice(d("398.5"))
			}
			r.until("protected", func() bool {
				tr := r.m.trades[id]
				return tr != nil && tr.protected() && tr.pos != nil && tr.pos.Qty.Equal(d("1"))
			})
			r.until("target placed", func() bool {
				l := r.m.trades[id].current("target")
				return l != nil && l.State == state.LegOpen
			})
			a := r.sim.Account()
			if got := a.OrderRequests - before; got != 3 {
				t.Errorf("order requests %d, want 3 (entry, stop, target once each)", got)
			}
			eq(t, "simulator position", a.Position.Qty, d("1"))
			if len(r.m.trades[id].in.Legs) != 3 {
				t.Errorf("legs %+v", r.m.trades[id].in.Legs)
			}
			if !bytes.Contains(r.log.Bytes(), []byte(`"event":"order_unknown"`)) || !bytes.Contains(r.log.Bytes(), []byte(`"event":"order_resolved"`)) {
				t.Errorf("unknown outcome not logged and resolved:\n%s", r.log)
			}
		})
	}
}

// Restart against the simulator: the entry filled (the ack was lost with
// the process), nothing else was sent; a fresh manager books the fill from
// the venue and places the stop and the target, once each. A position the
// store does not know is adopted with a stop.
func TestSimRestart(t *testing.T) {
	r := newSimRig(t, nil)
	r.sim.SetPrice(d("400"))
	id := "tb1-sim3"
	in := crashIntent(id, r.sim.Now(), exchange.Market, entryLeg(id, exchange.Market, state.LegPending))
	if err := r.m.st.PutIntent(in); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.PlaceOrder(r.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id + "-e", Side: exchange.Buy,
		Type: exchange.Market, Qty: d("2")}); err != nil {
		t.Fatal(err)
	}
	before := r.sim.Account().OrderRequests
	if err := r.m.Reconcile(r.ctx); err != nil {
		t.Fatal(err)
	}
	g := r.algos()
	if len(g) != 2 || g[0].ClientAlgoID != id+"-s" || !g[0].Qty.Equal(d("2")) || g[1].ClientAlgoID != id+"-t" {
		t.Fatalf("algo orders %+v", g)
	}
	if got := r.sim.Account().OrderRequests - before; got != 2 {
		t.Errorf("order requests after restart %d, want 2 (stop, target)", got)
	}
	eq(t, "booked entry", positionOf(t, r.m.st, id).EntryPrice, r.sim.Account().Position.EntryPrice)

	// Foreign position: seeded at the venue, then a second restart.
	r2 := newSimRig(t, nil)
	r2.sim.SetPrice(d("400"))
	r2.sim.SeedPosition(d("-0.8"), d("401"))
	if err := r2.m.Reconcile(r2.ctx); err != nil {
		t.Fatal(err)
	}
	g = r2.algos()
	if len(g) != 1 || g[0].Side != exchange.Buy || !g[0].Qty.Equal(d("0.8")) || g[0].Type != exchange.StopMarket {
		t.Fatalf("adopted stop %+v", g)
	}
	if r2.m.OpenPositions() != 1 {
		t.Errorf("open positions %d", r2.m.OpenPositions())
	}
}

func positionOf(t *testing.T, st *state.Store, id string) state.PositionRecord {
	t.Helper()
	ps, err := st.Positions()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no position %s", id)
	return state.PositionRecord{}
}
