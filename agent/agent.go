package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/agent/orders"
	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// Orders is what the loop needs from the order manager. Dry-run has none.
type Orders interface {
	// Reconcile compares the store with the venue and repairs what it can;
	// the loop does not trade until it succeeds.
	Reconcile(ctx context.Context) error
	// Submit turns an accepted plan into orders.
	Submit(ctx context.Context, sig strategy.Signal, plan risk.PlanResult) error
	// OnEvent sees every event, market and user, after the map has.
	OnEvent(ctx context.Context, ev exchange.Event)
	// OnTick runs periodic management on the loop goroutine.
	OnTick(ctx context.Context, now time.Time, view orders.MarketView)
	// OpenPositions counts positions open or being opened, for the limits.
	OpenPositions() int
	// Flatten closes everything (kill switch).
	Flatten(ctx context.Context, reason string) error
	// Status is a JSON-able summary for the status API.
	Status() any
}

// RulesSource loads the symbol's filters and brackets.
type RulesSource func(ctx context.Context) (exchange.SymbolRules, error)

// Deps are what Run plugs together; only the mode decides which are set.
type Deps struct {
	Config config.Config
	Clock  exchange.Clock
	Log    zerolog.Logger
	Store  *state.Store
	// Market delivers market data (adapter, simulator, replay).
	Market exchange.EventSource
	// User delivers account events (adapter user stream, paper); nil in dry-run.
	User exchange.EventSource
	// Rules loads symbol rules; nil uses risk.DefaultTAORules.
	Rules RulesSource
	// Account reads balances for sizing; nil sizes from paper.starting_balance_usdt.
	Account exchange.AccountReader
	// Orders places and manages orders; nil in dry-run.
	Orders Orders
	// Observe, when set, sees each market event first (the paper venue fills on them).
	Observe func(exchange.Event)
	// FundingInterval of the symbol; zero = 8h.
	FundingInterval time.Duration
	// AfterEvent, when set, is called on the loop goroutine after each event
	// is handled (replay progress, tests).
	AfterEvent func(exchange.Event)
}

// KVBehaviour is the state-store key of the cluster behaviour history.
const KVBehaviour = "strategy/behaviour"

// Phases of the loop, as /status and /healthz report them.
const (
	phaseWarming = "warming up"
	phaseTrading = "trading"
)

// Agent is the trading loop. Create with New, start with Run.
type Agent struct {
	d      Deps
	cfg    config.Config
	log    zerolog.Logger
	rules  exchange.SymbolRules
	m      *liqmap.Map
	strat  *strategy.Strategy
	tape   *strategy.Tape
	limits *risk.Limits

	mark       exchange.MarkPrice
	gaps       map[string]exchange.StreamGap
	lastMarket time.Time
	volSince   decimal.Decimal
	lastSnap   time.Time
	lastView   time.Time
	startedAt  time.Time
	counts     Counts
	sc         strategy.Config
	// lastClusters are the clusters the last evaluation queried, at
	// lastClustersAt (the mark's event time); the tick reuses them.
	lastClusters   []liqmap.Cluster
	lastClustersAt time.Time
	firstMark      time.Time
	flattenAt      time.Time
	lastSignal     *state.SignalRecord
	lastSig        *strategy.Signal

	status atomic.Pointer[Status]
}

// Counts are running totals for the status API.
type Counts struct {
	Events   int64 `json:"events"`
	Signals  int64 `json:"signals"`
	Accepted int64 `json:"accepted"`
	Rejected int64 `json:"rejected"`
	Gaps     int64 `json:"gaps"`
}

// New checks the dependencies; the heavy start-up work happens in Run.
func New(d Deps) (*Agent, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("agent: no state store")
	case d.Market == nil:
		return nil, errors.New("agent: no market data source")
	case d.Config.Mode != config.ModeDryRun && d.Orders == nil:
		return nil, fmt.Errorf("agent: mode %s needs an order manager", d.Config.Mode)
	case d.Config.Mode == config.ModeDryRun && (d.Orders != nil || d.User != nil):
		// Structural, not a promise: dry-run has nothing that could place,
		// repair or flatten an order.
		return nil, errors.New("agent: dry-run takes no order manager and no user stream")
	}
	if d.Clock == nil {
		d.Clock = exchange.WallClock{}
	}
	if d.FundingInterval <= 0 {
		d.FundingInterval = 8 * time.Hour
	}
	a := &Agent{d: d, cfg: d.Config, log: d.Log, gaps: map[string]exchange.StreamGap{}}
	lim, err := risk.NewLimits(LimitsConfig(d.Config), d.Store)
	if err != nil {
		return nil, fmt.Errorf("agent: risk limits: %w", err)
	}
	a.limits = lim
	a.status.Store(&Status{Mode: string(d.Config.Mode), Symbol: d.Config.Symbol, Phase: "starting"})
	return a, nil
}

// Run starts up in order — rules, map (restored from the last snapshot),
// limits, reconciliation — then runs the loop until ctx ends. It takes a
// final map snapshot on the way out.
func (a *Agent) Run(ctx context.Context) error {
	if err := a.startup(ctx); err != nil {
		a.setPhase("failed")
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	market := make(chan exchange.Event, 4096)
	user := make(chan exchange.Event, 1024)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	run := func(name string, src exchange.EventSource, out chan exchange.Event) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := src.Run(ctx, out)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				err = errors.New("ended while the bot was running")
			}
			errs <- fmt.Errorf("%s source: %w", name, err)
		}()
	}
	// Streams start before reconciliation: whatever happens at the venue
	// while we compare (a stop filling, say) then waits in the channels and is
	// applied after it, instead of falling between the two.
	run("market", a.d.Market, market)
	if a.d.User != nil {
		run("user", a.d.User, user)
	}
	defer wg.Wait()
	defer cancel()
	if a.d.Orders != nil {
		a.setPhase("reconciling")
		if err := a.d.Orders.Reconcile(ctx); err != nil {
			a.setPhase("failed")
			return fmt.Errorf("reconcile with the exchange (no trading until it succeeds): %w", err)
		}
	}

	tick := a.d.Clock.NewTicker(time.Second)
	defer tick.Stop()
	a.setPhase(phaseWarming)
	a.log.Info().Str("event", "started").Str("mode", string(a.cfg.Mode)).Dur("warm_up", a.warmUp()).
		Msg("start-up complete; warming up the windows before the first signal")
	for {
		select {
		case <-ctx.Done():
			a.shutdown()
			return nil
		case err := <-errs:
			a.shutdown()
			return err
		case ev := <-market:
			a.onMarket(ctx, ev)
			a.after(ev)
		case ev := <-user:
			a.onUser(ctx, ev)
			a.after(ev)
		case now := <-tick.C():
			a.onTick(ctx, now)
		}
	}
}

func (a *Agent) after(ev exchange.Event) {
	if a.d.AfterEvent != nil {
		a.d.AfterEvent(ev)
	}
}

func (a *Agent) startup(ctx context.Context) error {
	a.startedAt = a.d.Clock.Now()
	a.setPhase("loading rules")
	rules := risk.DefaultTAORules()
	if a.d.Rules != nil {
		r, err := a.d.Rules(ctx)
		if err != nil {
			return fmt.Errorf("load symbol rules for %s: %w", a.cfg.Symbol, err)
		}
		rules = r
	}
	if len(rules.Brackets) == 0 {
		rules.Brackets = Brackets(a.cfg)
	}
	if len(rules.Brackets) == 0 {
		rules.Brackets = risk.DefaultTAOBrackets()
	}
	a.rules = rules
	a.log.Info().Str("event", "rules").Str("symbol", rules.Symbol).Str("tick", rules.TickSize.String()).
		Str("step", rules.StepSize.String()).Str("min_notional", rules.MinNotional.String()).
		Int("brackets", len(rules.Brackets)).Msg("symbol rules loaded")

	mc, err := MapConfig(a.cfg, rules)
	if err != nil {
		return err
	}
	if a.m, err = liqmap.New(mc); err != nil {
		return fmt.Errorf("liquidation map: %w", err)
	}
	a.setPhase("restoring map")
	snap, ok, err := a.d.Store.LatestSnapshot()
	switch {
	case err != nil:
		return fmt.Errorf("read map snapshot: %w", err)
	case ok:
		if err := a.m.Restore(snap.Data); err != nil {
			// A snapshot from an incompatible config is not fatal: the map rebuilds from live data.
			a.log.Warn().Err(err).Time("snapshot_time", snap.Time).Msg("map snapshot not restored; starting with an empty map")
			if a.m, err = liqmap.New(mc); err != nil {
				return fmt.Errorf("liquidation map: %w", err)
			}
		} else {
			a.lastSnap = a.d.Clock.Now()
			a.log.Info().Str("event", "map_restored").Time("snapshot_time", snap.Time).Msg("liquidation map restored")
		}
	}

	sc := StrategyConfig(a.cfg)
	a.sc = sc
	beh := strategy.NewBehaviour(sc.BehaviourWindow, sc.BehaviourMovePct, 0)
	if raw, ok, err := a.d.Store.KVGet(KVBehaviour); err != nil {
		return fmt.Errorf("read cluster behaviour: %w", err)
	} else if ok {
		var h []strategy.Visit
		if err := json.Unmarshal(raw, &h); err != nil {
			// History only weights rules: an unreadable blob must not keep an
			// unattended bot down. Keep it aside for a person and start afresh.
			a.log.Warn().Err(err).Str("event", "behaviour_corrupt").Str("kept_as", KVBehaviour+".corrupt").
				Msg("cluster behaviour history unreadable; starting with none")
			if err := a.d.Store.KVPut(KVBehaviour+".corrupt", raw); err != nil {
				return fmt.Errorf("keep unreadable cluster behaviour aside: %w", err)
			}
		} else {
			beh.Restore(h)
		}
	}
	if a.strat, err = strategy.New(sc, beh); err != nil {
		return err
	}
	a.tape = strategy.NewTape(sc.VolumeAvgWindow)
	return nil
}

func (a *Agent) onMarket(ctx context.Context, ev exchange.Event) {
	a.counts.Events++
	if a.d.Observe != nil {
		a.d.Observe(ev)
	}
	if err := a.m.Apply(ev); err != nil {
		a.log.Warn().Err(err).Str("event", "map_rejected_event").Msg("event not applied to the map")
	}
	switch e := ev.(type) {
	case exchange.Trade:
		a.tape.Add(e)
		a.volSince = a.volSince.Add(e.Qty)
		a.lastMarket = e.ReceiveTime
	case exchange.MarkPrice:
		a.mark = e
		a.lastMarket = e.ReceiveTime
		a.evaluate(ctx, e.ExchangeTime)
	case exchange.StreamGap:
		a.onGap(e)
	case exchange.BookTicker, exchange.Liquidation:
		a.lastMarket = e.Meta().ReceiveTime
	}
	if a.d.Orders != nil {
		a.d.Orders.OnEvent(ctx, ev)
	}
}

func (a *Agent) onUser(ctx context.Context, ev exchange.Event) {
	a.counts.Events++
	if g, ok := ev.(exchange.StreamGap); ok {
		a.onGap(g)
	}
	if a.d.Orders != nil {
		a.d.Orders.OnEvent(ctx, ev)
	}
}

func (a *Agent) onGap(g exchange.StreamGap) {
	if g.Ongoing() {
		a.counts.Gaps++
		a.gaps[g.Stream] = g
		a.log.Warn().Str("event", "stream_gap").Str("stream", g.Stream).Time("start", g.Start).Str("reason", g.Reason).
			Msg("stream is blind: no new signals until it resumes")
		return
	}
	delete(a.gaps, g.Stream)
	a.log.Info().Str("event", "stream_resumed").Str("stream", g.Stream).Time("start", g.Start).Time("end", g.End).
		Dur("gap", g.End.Sub(g.Start)).Msg("stream resumed")
}

// staleReason says why market data cannot be trusted now, or "".
func (a *Agent) staleReason(now time.Time) string {
	if len(a.gaps) > 0 {
		names := make([]string, 0, len(a.gaps))
		for name := range a.gaps {
			names = append(names, name)
		}
		sort.Strings(names)
		g := a.gaps[names[0]]
		return fmt.Sprintf("%s stream blind since %s (%s)", strings.Join(names, ", "), g.Start.Format(time.TimeOnly), g.Reason)
	}
	after := a.cfg.Exchange.StaleAfter
	switch {
	case after <= 0:
	case a.lastMarket.IsZero() && now.Sub(a.startedAt) > after:
		return fmt.Sprintf("no market data since start-up %s ago", now.Sub(a.startedAt).Round(time.Second))
	case !a.lastMarket.IsZero() && now.Sub(a.lastMarket) > after:
		return fmt.Sprintf("no market data for %s", now.Sub(a.lastMarket).Round(time.Second))
	}
	return ""
}

// evaluate runs the strategy at event time now, on each mark price.
func (a *Agent) evaluate(ctx context.Context, now time.Time) {
	price := a.mark.Mark
	sc := a.sc
	if a.firstMark.IsZero() {
		a.firstMark = now
	}
	clusters := a.m.Clusters(now)
	a.lastClusters, a.lastClustersAt = clusters, now
	if v := a.strat.Behaviour().Observe(now, price, a.volSince, clusters); v != nil {
		a.onVisit(*v)
	}
	a.volSince = decimal.Zero
	in := strategy.Input{
		Now: now, Price: price, Clusters: clusters,
		Velocity: a.m.Velocity(now), Regime: a.m.Regime(now), FundingRate: a.mark.FundingRate,
		Features: a.tape.Features(now, sc.MomentumWindow, sc.VolumeAvgWindow),
		Stale:    a.staleReason(a.d.Clock.Now()),
	}
	if left := a.warmUp() - now.Sub(a.firstMark); left > 0 {
		in.Warming = fmt.Sprintf("%s of market data left before the velocity and volume windows are full", left.Round(time.Second))
	} else if a.status.Load().Phase == phaseWarming {
		a.setPhase(phaseTrading)
		a.log.Info().Str("event", "trading").Msg("windows full: signals enabled")
	}
	dec := a.limits.Check(now, risk.EntryCheck{OpenPositions: a.openPositions()})
	if !dec.Allowed {
		in.Blocked = dec.Err().Error()
	}
	d := a.strat.Evaluate(in)
	if d.Signal == nil {
		if a.log.GetLevel() <= zerolog.TraceLevel && len(d.Skips) > 0 {
			a.log.Trace().Strs("skips", d.Skips).Msg("no signal")
		}
		return
	}
	a.onSignal(ctx, *d.Signal)
}

// RecordClose books a closed position's net result in the risk limits
// (daily loss, loss streak, cooldown). The order manager calls it on the loop goroutine.
func (a *Agent) RecordClose(now time.Time, pnl decimal.Decimal, stoppedOut bool) {
	if err := a.limits.RecordClose(now, pnl, stoppedOut); err != nil {
		a.log.Error().Err(err).Str("event", "state_write_failed").Msg("record closed position in the risk limits")
	}
	a.log.Info().Str("event", "limits_close").Str("pnl", pnl.String()).Bool("stopped_out", stoppedOut).Msg("closed position booked in the risk limits")
}

// warmUp is how much market data the windows need before signals make sense.
func (a *Agent) warmUp() time.Duration {
	return max(a.sc.MomentumWindow, a.m.Config().VelocityLong)
}

// checkKillSwitch flattens once per engagement when the kill switch asks to,
// on the clock's tick so a blind market stream cannot stop it.
func (a *Agent) checkKillSwitch(ctx context.Context, now time.Time) {
	if a.d.Orders == nil {
		return
	}
	dec := a.limits.Check(now, risk.EntryCheck{OpenPositions: a.openPositions()})
	if !dec.Flatten {
		a.flattenAt = time.Time{}
		return
	}
	if a.openPositions() == 0 || (!a.flattenAt.IsZero() && now.Sub(a.flattenAt) < 30*time.Second) {
		return
	}
	a.flattenAt = now
	a.log.Warn().Str("event", "kill_switch_flatten").Int("positions", a.openPositions()).Msg("kill switch: flattening every position")
	if err := a.d.Orders.Flatten(ctx, "kill switch asks to flatten"); err != nil {
		a.log.Error().Err(err).Str("event", "flatten_failed").Msg("kill switch flatten failed; retrying in 30s")
	}
}

func (a *Agent) openPositions() int {
	if a.d.Orders == nil {
		return 0
	}
	return a.d.Orders.OpenPositions()
}

func (a *Agent) onVisit(v strategy.Visit) {
	a.log.Info().Str("event", "cluster_visit").Str("outcome", string(v.Outcome)).Str("peak", v.Peak.String()).
		Str("dominant", string(v.Dominant)).Bool("from_below", v.FromBelow).Str("volume", v.Volume.String()).
		Time("start", v.Start).Time("end", v.End).Msg("price resolved at a cluster")
	raw, err := json.Marshal(a.strat.Behaviour().History())
	if err == nil {
		err = a.d.Store.KVPut(KVBehaviour, raw)
	}
	if err != nil {
		a.log.Error().Err(err).Str("event", "state_write_failed").Msg("save cluster behaviour")
	}
}

func (a *Agent) onTick(ctx context.Context, now time.Time) {
	stale := a.staleReason(now)
	a.checkKillSwitch(ctx, now)
	if a.d.Orders != nil {
		a.d.Orders.OnTick(ctx, now, orders.MarketView{Now: now, Mark: a.mark.Mark, Nearest: a.nearest(now), Stale: stale != ""})
	}
	if iv := a.cfg.LiqMap.SnapshotInterval; iv > 0 && now.Sub(a.lastSnap) >= iv {
		a.snapshot(now)
	}
	if now.Sub(a.lastView) >= 5*time.Second || a.lastView.IsZero() {
		a.lastView = now
		a.publish(now, stale)
	}
}

// nearest is the map's nearest clusters around the mark at the map's time,
// reusing the last evaluation's clusters when they are for that time.
func (a *Agent) nearest(now time.Time) liqmap.Nearest {
	at := a.mapNow(now)
	if at.Equal(a.lastClustersAt) && a.lastClusters != nil {
		return liqmap.NearestOf(a.lastClusters, a.mark.Mark, a.m.Config().NearestRangePct)
	}
	return a.m.Nearest(at, a.mark.Mark)
}

// mapNow is the time to query the map at: the last event time, so replay and
// simulated time stay coherent with the wall-clock ticker.
func (a *Agent) mapNow(now time.Time) time.Time {
	if !a.mark.ExchangeTime.IsZero() {
		return a.mark.ExchangeTime
	}
	return now
}

func (a *Agent) snapshot(now time.Time) {
	data, err := a.m.Snapshot()
	if err == nil {
		err = a.d.Store.PutSnapshot(state.MapSnapshot{Time: a.mapNow(now), Version: 1, Data: data})
	}
	if err != nil {
		a.log.Error().Err(err).Str("event", "snapshot_failed").Msg("map snapshot not saved")
		return
	}
	a.lastSnap = now
	a.log.Debug().Str("event", "snapshot").Int("bytes", len(data)).Msg("map snapshot saved")
}

func (a *Agent) shutdown() {
	a.setPhase("stopping")
	now := a.d.Clock.Now()
	if a.m != nil {
		a.snapshot(now)
	}
	a.log.Info().Str("event", "stopped").Int64("signals", a.counts.Signals).Int64("events", a.counts.Events).Msg("agent stopped")
}

func (a *Agent) setPhase(p string) {
	s := *a.status.Load()
	s.Phase = p
	a.status.Store(&s)
}
