package strategy

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/exchange"
)

// Rule names which rule produced a signal.
type Rule string

// Rules.
const (
	RuleBreakout Rule = "breakout"   // trade with momentum into the cluster
	RuleFade     Rule = "fade"       // trade the reversal at a weakly approached cluster
	RuleSpike    Rule = "spike-fade" // trade the reversal after a liquidation cascade ran out of fuel
)

// Input is everything the strategy looks at, at one moment.
type Input struct {
	Now   time.Time
	Price decimal.Decimal // mark price
	// Clusters are the map's dense clusters (liqmap.Map.Clusters) at Now.
	Clusters    []liqmap.Cluster
	Velocity    liqmap.Velocity
	Regime      liqmap.Regime
	FundingRate decimal.Decimal
	Features    Features
	// Stale, when not empty, says why market data cannot be trusted now (a stream gap).
	Stale string
	// Blocked, when not empty, says why risk limits or a news blackout forbid new entries.
	Blocked string
	// Warming, when not empty, says why the windows are not full yet (after a start).
	Warming string
}

// ClusterRef describes the cluster a signal targets or stops beyond.
type ClusterRef struct {
	Low         decimal.Decimal            `json:"low"`
	High        decimal.Decimal            `json:"high"`
	Peak        decimal.Decimal            `json:"peak"`
	Total       decimal.Decimal            `json:"total"`
	Dominant    exchange.PositionDirection `json:"dominant"`
	DistancePct decimal.Decimal            `json:"distancePct"`
	RoundLevel  decimal.Decimal            `json:"roundLevel,omitempty"`
}

func refOf(c *liqmap.Cluster) ClusterRef {
	return ClusterRef{Low: c.Low, High: c.High, Peak: c.PeakPrice, Total: c.Total, Dominant: c.Fuel(),
		DistancePct: c.DistancePct, RoundLevel: c.Round.Level}
}

// Signal is a trade idea with everything a trader needs to judge it.
type Signal struct {
	ID        string                     `json:"id"`
	Time      time.Time                  `json:"time"`
	Symbol    string                     `json:"symbol"`
	Direction exchange.PositionDirection `json:"direction"`
	Rule      Rule                       `json:"rule"`
	Entry     decimal.Decimal            `json:"entry"`
	Stop      decimal.Decimal            `json:"stop"`
	Target    decimal.Decimal            `json:"target"`
	// Cluster is the one the trade aims at.
	Cluster  ClusterRef        `json:"cluster"`
	Features map[string]string `json:"features"`
	Reason   string            `json:"reason"`
}

// Decision is the outcome of one evaluation: a signal, or why there is none.
type Decision struct {
	Signal *Signal
	// Skips say, rule by rule, why nothing fired (for debug logs and tests).
	Skips []string
}

// Strategy evaluates the rules. It keeps a little memory (the last spike,
// recent signals, cluster behaviour) and is otherwise a pure function of its input.
type Strategy struct {
	cfg       Config
	beh       *Behaviour
	spikeAt   time.Time
	spikeDown bool // the spike liquidated longs (price fell)
	fired     map[string]time.Time
}

// New returns a strategy; beh may be nil for one without history.
func New(cfg Config, beh *Behaviour) (*Strategy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("strategy config: %w", err)
	}
	if beh == nil {
		beh = NewBehaviour(cfg.BehaviourWindow, cfg.BehaviourMovePct, 0)
	}
	return &Strategy{cfg: cfg, beh: beh, fired: map[string]time.Time{}}, nil
}

// Behaviour is the cluster-visit memory the strategy weights its rules by.
func (s *Strategy) Behaviour() *Behaviour { return s.beh }

var (
	hundred = decimal.NewFromInt(100)
	one     = decimal.NewFromInt(1)
)

func pct(p decimal.Decimal) decimal.Decimal { return p.Div(hundred) }

// Evaluate decides whether to signal now.
func (s *Strategy) Evaluate(in Input) Decision {
	var d Decision
	skip := func(f string, a ...any) { d.Skips = append(d.Skips, fmt.Sprintf(f, a...)) }
	s.trackSpike(in)
	switch {
	case in.Stale != "":
		skip("market data is stale: %s", in.Stale)
		return d
	case in.Blocked != "":
		skip("new entries blocked: %s", in.Blocked)
		return d
	case in.Warming != "":
		skip("warming up: %s", in.Warming)
		return d
	case !in.Price.IsPositive():
		skip("no price yet")
		return d
	case !in.Features.Ready:
		skip("tape warming up: less than %s of trades", s.cfg.MomentumWindow)
		return d
	}
	for _, c := range s.candidates(in, skip) {
		// Per rule and direction, not per cluster: a peak drifts by a bucket
		// as notional decays, and the same setup must not fire again for it.
		key := string(c.Rule) + "/" + string(c.Direction)
		if last, ok := s.fired[key]; ok && in.Now.Sub(last) < s.cfg.SignalCooldown {
			skip("%s %s: already signalled %s ago", lower(c.Direction), c.Rule, in.Now.Sub(last).Round(time.Second))
			continue
		}
		if c.Rule == RuleSpike {
			s.spikeAt = time.Time{} // one spike, one fade
		}
		s.fired[key] = in.Now
		for k, t := range s.fired {
			if in.Now.Sub(t) >= s.cfg.SignalCooldown {
				delete(s.fired, k)
			}
		}
		d.Signal = c
		return d
	}
	return d
}

func (s *Strategy) trackSpike(in Input) {
	v := in.Velocity
	if s.cfg.Fade.SpikeVelocityRatio.IsPositive() && v.Ratio.GreaterThanOrEqual(s.cfg.Fade.SpikeVelocityRatio) &&
		v.TotalShortPerMin.GreaterThanOrEqual(s.cfg.Fade.SpikeMinPerMin) {
		s.spikeAt = in.Now
		s.spikeDown = v.LongsLiquidatedShortPerMin.GreaterThanOrEqual(v.ShortsLiquidatedShortPerMin)
	}
}

// candidates lists the signals the rules would give now: a spike fade first,
// then for each side the breakout and the fade.
func (s *Strategy) candidates(in Input, skip func(string, ...any)) []*Signal {
	var out []*Signal
	above, below := NearestAhead(in.Clusters, in.Price, s.cfg.MinClusterNotional, s.cfg.SearchRangePct)
	if above == nil {
		skip("no cluster above within %s%% holding at least %s USDT", s.cfg.SearchRangePct, s.cfg.MinClusterNotional)
	}
	if below == nil {
		skip("no cluster below within %s%% holding at least %s USDT", s.cfg.SearchRangePct, s.cfg.MinClusterNotional)
	}
	f := in.Features
	// Spike fade first: a cascade that just ran out of fuel is the clearest reversal.
	if s.cfg.Fade.Enabled && !s.spikeAt.IsZero() && in.Now.Sub(s.spikeAt) <= s.cfg.Fade.SpikeMemory &&
		in.Velocity.Ratio.LessThanOrEqual(s.cfg.Fade.FadingVelocityRatio) {
		dir, target, opposite := exchange.Long, above, below
		if !s.spikeDown {
			dir, target, opposite = exchange.Short, below, above
		}
		who := "shorts"
		if s.spikeDown {
			who = "longs"
		}
		why := fmt.Sprintf("the liquidation spike of %s at %s is fading (velocity %sx)",
			who, s.spikeAt.Format("15:04:05"), in.Velocity.Ratio.StringFixed(2))
		if sig, err := s.build(in, RuleSpike, dir, target, opposite, why); err != nil {
			skip("spike fade: %v", err)
		} else {
			out = append(out, sig)
		}
	}
	for _, up := range []bool{true, false} {
		near, far := above, below
		if !up {
			near, far = below, above
		}
		if near == nil {
			continue
		}
		side := "above"
		if !up {
			side = "below"
		}
		dist := approachDistance(in.Price, near, up)
		toward := f.MomentumPct.IsPositive() == up && !f.MomentumPct.IsZero()
		if dist.GreaterThan(s.cfg.ApproachDistancePct) || !toward {
			skip("cluster %s at %s: not approaching (%s%% away, momentum %s%%)", side, near.PeakPrice, dist.StringFixed(2), f.MomentumPct.StringFixed(2))
			continue
		}
		kind := ClusterKind{Dominant: near.Fuel(), FromBelow: up}
		if s.cfg.Breakout.Enabled {
			dir := exchange.Long
			if !up {
				dir = exchange.Short
			}
			if why, err := s.breakoutOK(in, near, dir, kind); err != nil {
				skip("breakout toward %s: %v", near.PeakPrice, err)
			} else if sig, err := s.build(in, RuleBreakout, dir, near, far, why); err != nil {
				skip("breakout toward %s: %v", near.PeakPrice, err)
			} else {
				out = append(out, sig)
			}
		}
		if s.cfg.Fade.Enabled {
			dir := exchange.Short
			if !up {
				dir = exchange.Long
			}
			if why, err := s.fadeOK(in, near, kind); err != nil {
				skip("fade at %s: %v", near.PeakPrice, err)
			} else if sig, err := s.build(in, RuleFade, dir, far, near, why); err != nil {
				skip("fade at %s: %v", near.PeakPrice, err)
			} else {
				out = append(out, sig)
			}
		}
	}
	return out
}

// NearestAhead returns the closest cluster above price (peak above it) and the
// closest at or below it, among clusters holding at least minNotional whose
// peak lies within rangePct of price. The strategy trades into what price
// meets next, not into the biggest zone further away.
func NearestAhead(cs []liqmap.Cluster, price, minNotional, rangePct decimal.Decimal) (above, below *liqmap.Cluster) {
	for i := range cs {
		c := &cs[i]
		if c.Total.LessThan(minNotional) || !price.IsPositive() {
			continue
		}
		dist := c.PeakPrice.Sub(price).Mul(hundred).Div(price)
		if rangePct.IsPositive() && dist.Abs().GreaterThan(rangePct) {
			continue
		}
		if c.PeakPrice.GreaterThan(price) {
			if above == nil || c.PeakPrice.LessThan(above.PeakPrice) {
				above = c
			}
		} else if below == nil || c.PeakPrice.GreaterThan(below.PeakPrice) {
			below = c
		}
	}
	for _, p := range []**liqmap.Cluster{&above, &below} {
		if *p != nil {
			cp := **p
			cp.DistancePct = cp.PeakPrice.Sub(price).Mul(hundred).DivRound(price, 4)
			*p = &cp
		}
	}
	return above, below
}

// approachDistance is the percent from price to the cluster's near edge (0 inside it).
func approachDistance(price decimal.Decimal, c *liqmap.Cluster, up bool) decimal.Decimal {
	edge := c.Low
	if !up {
		edge = c.High
	}
	d := edge.Sub(price).Mul(hundred).Div(price)
	if !up {
		d = d.Neg()
	}
	if d.IsNegative() {
		return decimal.Zero
	}
	return d.Round(4)
}

func (s *Strategy) breakoutOK(in Input, near *liqmap.Cluster, dir exchange.PositionDirection, kind ClusterKind) (string, error) {
	r, f := s.cfg.Breakout, in.Features
	want := exchange.Short // a long runs toward short liquidations
	if dir == exchange.Short {
		want = exchange.Long
	}
	switch {
	case near.Fuel() != want:
		return "", fmt.Errorf("cluster holds mostly %s liquidations, not %s", lower(near.Fuel()), lower(want))
	case f.MomentumPct.Abs().LessThan(r.MinMomentumPct):
		return "", fmt.Errorf("momentum %s%% is below %s%%", f.MomentumPct.Abs().StringFixed(2), r.MinMomentumPct)
	case f.VolumeRatio.LessThan(r.MinVolumeRatio):
		return "", fmt.Errorf("volume %sx its average is below %sx", f.VolumeRatio.StringFixed(2), r.MinVolumeRatio)
	case in.Velocity.Ratio.LessThan(r.MinVelocityRatio):
		return "", fmt.Errorf("liquidation velocity %sx is not rising past %sx", in.Velocity.Ratio.StringFixed(2), r.MinVelocityRatio)
	}
	if s.cfg.RegimeFilter {
		if dir == exchange.Long && in.Regime.Kind == liqmap.RegimeLongCapitulation {
			return "", errors.New("regime is long capitulation (OI and price falling)")
		}
		if dir == exchange.Short && in.Regime.Kind == liqmap.RegimeShortSqueeze {
			return "", errors.New("regime is a short squeeze (OI falling, price rising)")
		}
	}
	if err := s.historyOK(kind, BreakOut); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s momentum of %s%% on %sx volume with liquidations accelerating (%sx)",
		pick(dir == exchange.Long, "upward", "downward"), f.MomentumPct.Abs().StringFixed(2),
		f.VolumeRatio.StringFixed(2), in.Velocity.Ratio.StringFixed(2)), nil
}

func (s *Strategy) fadeOK(in Input, near *liqmap.Cluster, kind ClusterKind) (string, error) {
	f := in.Features
	if f.VolumeRatio.GreaterThan(s.cfg.Fade.MaxVolumeRatio) {
		return "", fmt.Errorf("approach volume %sx is not weak (max %sx)", f.VolumeRatio.StringFixed(2), s.cfg.Fade.MaxVolumeRatio)
	}
	if err := s.historyOK(kind, Bounce); err != nil {
		return "", err
	}
	return fmt.Sprintf("price is drifting into it on weak volume (%sx average)", f.VolumeRatio.StringFixed(2)), nil
}

// historyOK switches a rule off for a cluster kind whose past visits rarely ended as the rule expects.
func (s *Strategy) historyOK(kind ClusterKind, expect Outcome) error {
	t := s.beh.Tally(kind)
	if t.Total() < s.cfg.HistoryMinSamples || s.cfg.HistoryMinSamples <= 0 {
		return nil
	}
	n := t.Break
	if expect == Bounce {
		n = t.Bounce
	}
	rate := decimal.NewFromInt(int64(n)).Div(decimal.NewFromInt(int64(t.Total())))
	if rate.LessThan(s.cfg.HistoryMinRate) {
		return fmt.Errorf("history: only %d of %d visits to %s ended as a %s", n, t.Total(), kind, expect)
	}
	return nil
}

// build places target before the target cluster's peak and the stop beyond the
// opposite cluster, or at the maximum distance.
func (s *Strategy) build(in Input, rule Rule, dir exchange.PositionDirection, target, opposite *liqmap.Cluster, why string) (*Signal, error) {
	if target == nil {
		return nil, fmt.Errorf("no usable %s cluster to target", pick(dir == exchange.Long, "upper", "lower"))
	}
	long := dir == exchange.Long
	if long && target.Fuel() != exchange.Short || !long && target.Fuel() != exchange.Long {
		return nil, fmt.Errorf("target cluster at %s holds mostly %s liquidations", target.PeakPrice, lower(target.Fuel()))
	}
	p := in.Price
	tOff, sOff, maxStop := pct(s.cfg.TargetOffsetPct), pct(s.cfg.StopOffsetPct), pct(s.cfg.MaxStopDistancePct)
	var tgt, stop decimal.Decimal
	capStop := p.Mul(one.Sub(maxStop))
	if long {
		tgt = target.PeakPrice.Mul(one.Sub(tOff))
		stop = capStop
		if opposite != nil {
			if beyond := opposite.Low.Mul(one.Sub(sOff)); beyond.GreaterThan(capStop) && beyond.LessThan(p) {
				stop = beyond
			}
		}
		if !tgt.GreaterThan(p) {
			return nil, fmt.Errorf("target %s is not above price %s", tgt.StringFixed(2), p)
		}
	} else {
		tgt = target.PeakPrice.Mul(one.Add(tOff))
		capStop = p.Mul(one.Add(maxStop))
		stop = capStop
		if opposite != nil {
			if beyond := opposite.High.Mul(one.Add(sOff)); beyond.LessThan(capStop) && beyond.GreaterThan(p) {
				stop = beyond
			}
		}
		if !tgt.LessThan(p) {
			return nil, fmt.Errorf("target %s is not below price %s", tgt.StringFixed(2), p)
		}
	}
	tgt, stop = tgt.Round(8), stop.Round(8)
	if rr := s.cfg.MinRewardRisk; rr.IsPositive() {
		reward, riskDist := tgt.Sub(p).Abs(), stop.Sub(p).Abs()
		if reward.LessThan(riskDist.Mul(rr)) {
			return nil, fmt.Errorf("target %s is only %s from entry for a stop %s away (below %s R before fees)",
				tgt.StringFixed(2), reward.StringFixed(2), riskDist.StringFixed(2), rr)
		}
	}
	t := *target
	t.DistancePct = target.PeakPrice.Sub(p).Mul(hundred).DivRound(p, 4)
	sig := &Signal{
		ID: signalID(in.Now, dir), Time: in.Now, Symbol: s.cfg.Symbol, Direction: dir, Rule: rule,
		Entry: p, Stop: stop, Target: tgt, Cluster: refOf(&t),
		Features: map[string]string{
			"momentum_pct":   in.Features.MomentumPct.StringFixed(4),
			"volume_ratio":   in.Features.VolumeRatio.StringFixed(4),
			"velocity_ratio": in.Velocity.Ratio.StringFixed(4),
			"velocity_short": in.Velocity.TotalShortPerMin.StringFixed(2),
			"regime":         string(in.Regime.Kind),
			"funding_rate":   in.FundingRate.String(),
			"cluster_total":  target.Total.StringFixed(2),
		},
	}
	if err := s.fundingOK(in, dir); err != nil {
		return nil, err
	}
	stopWhere := "at the maximum distance"
	if opposite != nil && !stop.Equal(capStop.Round(8)) {
		stopWhere = fmt.Sprintf("beyond the %s-liquidation cluster at %s", lower(opposite.Fuel()), opposite.PeakPrice.StringFixed(2))
	}
	round := ""
	if target.Round.Tagged() {
		round = fmt.Sprintf(", round %s", target.Round.Level)
	}
	sig.Reason = fmt.Sprintf("%s %s at %s: %s; target %s before the %s USDT %s-liquidation cluster (peak %s%s, %s%% away), stop %s %s.",
		titleDir(dir), rule, p.StringFixed(2), why, tgt.StringFixed(2), humanUSD(target.Total), lower(target.Fuel()),
		target.PeakPrice.StringFixed(2), round, t.DistancePct.StringFixed(2), stop.StringFixed(2), stopWhere)
	return sig, nil
}

// fundingOK refuses to join the crowded side when funding is extreme.
func (s *Strategy) fundingOK(in Input, dir exchange.PositionDirection) error {
	x := s.cfg.ExtremeFundingRate
	if !x.IsPositive() {
		return nil
	}
	if dir == exchange.Long && in.FundingRate.GreaterThanOrEqual(x) {
		return fmt.Errorf("funding %s is extreme: longs are crowded", in.FundingRate)
	}
	if dir == exchange.Short && in.FundingRate.LessThanOrEqual(x.Neg()) {
		return fmt.Errorf("funding %s is extreme: shorts are crowded", in.FundingRate)
	}
	return nil
}

// pick is a ternary for wording.
func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func titleDir(d exchange.PositionDirection) string {
	if d == exchange.Long {
		return "Long"
	}
	return "Short"
}

func humanUSD(v decimal.Decimal) string {
	switch {
	case v.GreaterThanOrEqual(decimal.NewFromInt(1_000_000)):
		return v.Div(decimal.NewFromInt(1_000_000)).StringFixed(2) + "M"
	case v.GreaterThanOrEqual(decimal.NewFromInt(1_000)):
		return v.Div(decimal.NewFromInt(1_000)).StringFixed(1) + "k"
	}
	return v.StringFixed(0)
}

// signalID is short, sortable and deterministic: base-36 milliseconds plus L/S.
// Order client ids derive from it, so it stays well inside Binance's 36 characters.
func signalID(t time.Time, d exchange.PositionDirection) string {
	return strconv.FormatInt(t.UnixMilli(), 36) + string(d)[:1]
}
