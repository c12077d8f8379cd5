package orders

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/fakeclock"
	"github.com/taobot/taobot/exchange/paper"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// The agent's interface, restated here (package agent imports us, not the
// other way round) so a drift fails to compile.
var _ interface {
	Reconcile(ctx context.Context) error
	Submit(ctx context.Context, sig strategy.Signal, plan risk.PlanResult) error
	OnEvent(ctx context.Context, ev exchange.Event)
	OnTick(ctx context.Context, now time.Time, view MarketView)
	OpenPositions() int
	Flatten(ctx context.Context, reason string) error
	Status() any
} = (*Manager)(nil)

const sym = "TAOUSDT"

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func testRules() exchange.SymbolRules {
	return exchange.SymbolRules{
		Symbol: sym, TickSize: d("0.01"), MinPrice: d("0.01"), MaxPrice: d("100000"),
		StepSize: d("0.001"), MinQty: d("0.001"), MaxQty: d("10000"),
		MinNotional: d("5"), MaxLeverage: 75, Brackets: risk.DefaultTAOBrackets(),
	}
}

// rig is a manager over a paper venue on a fake clock, with a real store.
type rig struct {
	t      *testing.T
	ctx    context.Context
	clock  *fakeclock.Clock
	paper  *paper.Trader
	kv     *paper.MemKV
	trader exchange.Trader // what the manager uses (paper or a wrapper)
	store  *state.Store
	m      *Manager
	cfg    Config
	logBuf *bytes.Buffer
	closes []closeCall
	// filter, when set, rewrites or drops user events on their way to the manager.
	filter func(exchange.Event) (exchange.Event, bool)
}

type closeCall struct {
	pnl     decimal.Decimal
	stopped bool
}

func baseConfig() Config {
	return Config{Symbol: sym, Prefix: "tb1", EntryType: exchange.Limit, LimitTimeout: 2 * time.Minute,
		AdoptUnknown: true, AdoptStopPct: d("3")}
}

func newRig(t *testing.T, mutate func(*Config)) *rig {
	t.Helper()
	r := &rig{t: t, ctx: context.Background(), clock: fakeclock.New(t0), kv: paper.NewMemKV(), cfg: baseConfig()}
	if mutate != nil {
		mutate(&r.cfg)
	}
	p, err := paper.New(paper.Config{Symbol: sym, Rules: testRules(), InitialBalance: d("10000"), Leverage: 10}, r.kv, r.clock)
	if err != nil {
		t.Fatal(err)
	}
	r.paper, r.trader = p, p
	st, err := state.Open(filepath.Join(t.TempDir(), "taobot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	r.store = st
	return r
}

// start builds a fresh manager (as after a restart) and reconciles.
func (r *rig) start() {
	r.t.Helper()
	r.build()
	if err := r.m.Reconcile(r.ctx); err != nil {
		r.t.Fatalf("Reconcile: %v", err)
	}
	r.pump()
}

func (r *rig) build() {
	r.t.Helper()
	cfg := r.cfg
	cfg.OnClose = func(_ time.Time, pnl decimal.Decimal, stopped bool) {
		r.closes = append(r.closes, closeCall{pnl, stopped})
	}
	r.logBuf = &bytes.Buffer{}
	m, err := New(cfg, r.trader, r.store, r.clock, zerolog.New(r.logBuf), testRules())
	if err != nil {
		r.t.Fatal(err)
	}
	r.m = m
}

// pump delivers the paper account's queued user events to the manager
// until none are left (handling one may queue more). Run with a cancelled
// context returns at once, leaving undelivered events queued in order.
func (r *rig) pump() {
	r.t.Helper()
	r.pumpTo(func(ev exchange.Event) {
		if r.filter != nil {
			var keep bool
			if ev, keep = r.filter(ev); !keep {
				return
			}
		}
		r.m.OnEvent(r.ctx, ev)
	})
}

// drain discards the venue's queued user events (the process that would
// have read them is dead).
func (r *rig) drain() { r.pumpTo(func(exchange.Event) {}) }

func (r *rig) pumpTo(sink func(exchange.Event)) {
	r.t.Helper()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for range 1000 {
		ch := make(chan exchange.Event, 4096)
		for r.paper.Pending() > 0 {
			if err := r.paper.Run(done, ch); err != nil {
				r.t.Fatal(err)
			}
		}
		if len(ch) == 0 {
			return
		}
		close(ch)
		for ev := range ch {
			sink(ev)
		}
	}
	r.t.Fatal("pump: events never stopped")
}

func (r *rig) meta() exchange.EventMeta {
	now := r.clock.Now()
	return exchange.EventMeta{Symbol: sym, ExchangeTime: now, ReceiveTime: now}
}

// market feeds one market event to the paper venue and the manager, then pumps.
func (r *rig) market(ev exchange.Event) {
	r.t.Helper()
	if err := r.paper.Observe(ev); err != nil {
		r.t.Fatalf("Observe: %v", err)
	}
	if r.m != nil {
		r.m.OnEvent(r.ctx, ev)
		r.pump()
	}
}

func (r *rig) book(bid, ask string) {
	r.market(exchange.BookTicker{EventMeta: r.meta(), BidPrice: d(bid), AskPrice: d(ask), BidQty: d("100"), AskQty: d("100")})
}

func (r *rig) trade(price, qty string) {
	r.market(exchange.Trade{EventMeta: r.meta(), Price: d(price), Qty: d(qty), TradeTime: r.clock.Now()})
}

func (r *rig) mark(price string) {
	r.market(exchange.MarkPrice{EventMeta: r.meta(), Mark: d(price)})
}

func (r *rig) markFunding(price, rate string, next time.Time) {
	r.market(exchange.MarkPrice{EventMeta: r.meta(), Mark: d(price), FundingRate: d(rate), NextFundingTime: next})
}

// tick advances the clock by dt and runs one management tick.
func (r *rig) tick(dt time.Duration, view MarketView) {
	r.t.Helper()
	r.clock.Advance(dt)
	view.Now = r.clock.Now()
	r.m.OnTick(r.ctx, view.Now, view)
	r.pump()
}

func sig(id string, dir exchange.PositionDirection) strategy.Signal {
	return strategy.Signal{ID: id, Time: t0, Symbol: sym, Direction: dir}
}

func plan(dir exchange.PositionDirection, entry, stop, target, qty, risk_ string) risk.PlanResult {
	tg := d(target)
	return risk.PlanResult{Direction: dir, MarginType: exchange.Isolated, Entry: d(entry), Stop: d(stop), Target: &tg,
		Qty: d(qty), Leverage: 5, WorstCaseLoss: risk.LossBreakdown{Total: d(risk_)}}
}

func (r *rig) submit(s strategy.Signal, p risk.PlanResult) {
	r.t.Helper()
	if err := r.m.Submit(r.ctx, s, p); err != nil {
		r.t.Fatalf("Submit: %v", err)
	}
	r.pump()
}

func (r *rig) openOrders() []exchange.Order {
	r.t.Helper()
	o, err := r.paper.OpenOrders(r.ctx, sym)
	if err != nil {
		r.t.Fatal(err)
	}
	return o
}

func (r *rig) openAlgos() []exchange.AlgoOrder {
	r.t.Helper()
	g, err := r.paper.OpenAlgoOrders(r.ctx, sym)
	if err != nil {
		r.t.Fatal(err)
	}
	return g
}

func (r *rig) venuePos() decimal.Decimal {
	r.t.Helper()
	ps, err := r.paper.Positions(r.ctx, sym)
	if err != nil {
		r.t.Fatal(err)
	}
	q := decimal.Zero
	for _, p := range ps {
		q = q.Add(p.Qty)
	}
	return q
}

func (r *rig) position(id string) state.PositionRecord {
	r.t.Helper()
	ps, err := r.store.Positions()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	r.t.Fatalf("no position %s in %+v", id, ps)
	return state.PositionRecord{}
}

func (r *rig) intent(id string) state.Intent {
	r.t.Helper()
	in, ok, err := r.store.Intent(id)
	if err != nil || !ok {
		r.t.Fatalf("intent %s: ok=%v err=%v", id, ok, err)
	}
	return in
}

// logEvents returns the log lines with event == name.
func (r *rig) logEvents(name string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(r.logBuf.String(), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["event"] == name {
			out = append(out, m)
		}
	}
	return out
}

func eq(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// algoIDs lists the client ids of open algo orders.
func algoIDs(gs []exchange.AlgoOrder) []string {
	var ids []string
	for _, g := range gs {
		ids = append(ids, g.ClientAlgoID+"/"+string(g.Type)+"/"+g.Qty.String())
	}
	return ids
}
