package agent

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// Brackets returns the configured bracket override, or nil when the config has none.
func Brackets(cfg config.Config) []exchange.Bracket {
	if len(cfg.Risk.Brackets) == 0 {
		return nil
	}
	out := make([]exchange.Bracket, len(cfg.Risk.Brackets))
	for i, b := range cfg.Risk.Brackets {
		out[i] = exchange.Bracket{Bracket: i + 1, InitialLeverage: b.MaxLeverage, NotionalFloor: b.NotionalFloor,
			NotionalCap: b.NotionalCap, MaintMarginRatio: b.MaintMarginRatio, Cum: b.Cum}
	}
	return out
}

// MapConfig maps the liqmap section onto the map's own config.
func MapConfig(cfg config.Config, rules exchange.SymbolRules) (liqmap.Config, error) {
	c := liqmap.DefaultConfig()
	lm := cfg.LiqMap
	c.Symbol = cfg.Symbol
	if rules.TickSize.IsPositive() {
		c.TickSize = rules.TickSize
	}
	if lm.BucketTicks > 0 {
		c.BucketTicks, c.BucketBps = int64(lm.BucketTicks), 0
	} else if lm.BucketBps.IsPositive() {
		if !lm.BucketBps.Equal(lm.BucketBps.Truncate(0)) {
			return c, fmt.Errorf("liqmap.bucket_bps: must be a whole number of basis points, got %s", lm.BucketBps)
		}
		c.BucketBps = lm.BucketBps.IntPart()
	}
	setDur(&c.RealizedHalfLife, lm.HalfLife)
	setDur(&c.EstimatedHalfLife, lm.EstimatedHalfLife)
	setDur(&c.VWAPWindow, lm.VWAPWindow)
	setDur(&c.VelocityShort, lm.Velocity.Short)
	setDur(&c.VelocityLong, lm.Velocity.Long)
	setDur(&c.RegimeWindow, lm.RegimeWindow)
	setDec(&c.BandPct, lm.BandPct)
	setDec(&c.DensityMultiple, lm.DensityMultiple)
	setDec(&c.RoundDistancePct, lm.RoundNumberDistancePct)
	if lm.OIRemoval != "" {
		c.OIRemoval = liqmap.RemovalPolicy(lm.OIRemoval)
	}
	if len(lm.LeverageMix) > 0 {
		levs := make([]int, 0, len(lm.LeverageMix))
		for l := range lm.LeverageMix {
			levs = append(levs, l)
		}
		sort.Ints(levs)
		c.Leverage = c.Leverage[:0:0]
		for _, l := range levs {
			c.Leverage = append(c.Leverage, liqmap.LeverageWeight{Leverage: l, Weight: lm.LeverageMix[l]})
		}
	}
	switch {
	case len(rules.Brackets) > 0:
		c.Brackets = rules.Brackets
	case Brackets(cfg) != nil:
		c.Brackets = Brackets(cfg)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("liqmap config: %w", err)
	}
	return c, nil
}

// StrategyConfig maps the strategy section onto the strategy's config.
func StrategyConfig(cfg config.Config) strategy.Config {
	c := strategy.DefaultConfig()
	s := cfg.Strategy
	c.Symbol = cfg.Symbol
	c.Breakout = strategy.BreakoutRule{Enabled: s.Breakout.Enabled, MinMomentumPct: s.Breakout.MinMomentumPct,
		MinVolumeRatio: s.Breakout.MinVolumeRatio, MinVelocityRatio: s.Breakout.MinVelocityRatio}
	c.Fade.Enabled = s.Fade.Enabled
	c.Fade.MaxVolumeRatio = s.Fade.MaxVolumeRatio
	c.Fade.SpikeVelocityRatio = s.Fade.SpikeVelocityRatio
	c.Fade.FadingVelocityRatio = s.Fade.FadingVelocityRatio
	setDur(&c.Fade.SpikeMemory, s.Fade.SpikeMemory)
	c.Fade.SpikeMinPerMin = s.Fade.SpikeMinPerMin
	c.MinClusterNotional = s.MinClusterNotional
	setDec(&c.SearchRangePct, s.SearchRangePct)
	setDec(&c.ApproachDistancePct, s.ApproachDistancePct)
	setDur(&c.MomentumWindow, s.MomentumWindow)
	setDur(&c.VolumeAvgWindow, s.VolumeAvgWindow)
	setDec(&c.MaxStopDistancePct, s.MaxStopDistancePct)
	c.StopOffsetPct = s.StopOffsetPct
	c.TargetOffsetPct = s.TargetOffsetPct
	c.ExtremeFundingRate = s.ExtremeFundingRate
	setDur(&c.BehaviourWindow, s.BehaviourWindow)
	c.RegimeFilter = s.RegimeFilter
	setDec(&c.BehaviourMovePct, s.BehaviourMovePct)
	c.HistoryMinSamples = s.HistoryMinSamples
	c.HistoryMinRate = s.HistoryMinRate
	c.SignalCooldown = s.SignalCooldown
	// The strategy skips setups risk would refuse for their geometry alone.
	c.MinRewardRisk = cfg.Risk.MinRewardRisk
	return c
}

// SizingConfig maps the risk section onto the sizing rules.
func SizingConfig(cfg config.Config) risk.SizingConfig {
	r := cfg.Risk
	mt := exchange.Isolated
	if r.MarginType == "cross" {
		mt = exchange.Cross
	}
	return risk.SizingConfig{MaxLossUSDT: r.MaxLossUSDT, MaxLossPct: r.MaxLossPct, MaxLeverage: r.MaxLeverage,
		LiqBuffer: r.LiqBuffer, MinRewardRisk: r.MinRewardRisk, MaxFundingShare: r.MaxFundingShare, MarginType: mt}
}

// LimitsConfig maps the risk section onto the stateful limits.
func LimitsConfig(cfg config.Config) risk.LimitsConfig {
	r := cfg.Risk
	lc := risk.LimitsConfig{DailyLossLimit: r.DailyLossLimitUSDT, MaxOpenPositions: r.MaxOpenPositions,
		MaxPositionNotional: r.MaxPositionNotional, CooldownAfterStop: r.CooldownAfterStop,
		MaxConsecutiveLosses: r.MaxConsecutiveLosses, KillSwitchFile: r.KillSwitchFile}
	for _, b := range r.NewsBlackouts {
		lc.Blackouts = append(lc.Blackouts, risk.Blackout{At: b.At, Before: b.Before, After: b.After, Label: b.Label})
	}
	return lc
}

func setDur[T ~int64](dst *T, v T) {
	if v > 0 {
		*dst = v
	}
}

func setDec(dst *decimal.Decimal, v decimal.Decimal) {
	if v.IsPositive() {
		*dst = v
	}
}
