package strategy

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Config holds every threshold of the strategy. *Pct fields are percent (1 = 1%).
type Config struct {
	Symbol string
	// Breakout trades with strong momentum into a cluster (expects a break-through).
	Breakout BreakoutRule
	// Fade trades against a weak approach or a fading liquidation spike (expects a reversal).
	Fade FadeRule
	// MinClusterNotional ignores clusters lighter than this (USDT, decayed).
	MinClusterNotional decimal.Decimal
	// SearchRangePct ignores clusters whose peak is further than this from price.
	SearchRangePct decimal.Decimal
	// ApproachDistancePct: price within this distance of a cluster's near edge is approaching it.
	ApproachDistancePct decimal.Decimal
	// MomentumWindow is the look-back of the price change and of the recent volume.
	MomentumWindow time.Duration
	// VolumeAvgWindow is the look-back of the average volume the recent volume is compared with.
	VolumeAvgWindow time.Duration
	// MaxStopDistancePct caps the stop's distance from entry.
	MaxStopDistancePct decimal.Decimal
	// StopOffsetPct puts the stop this far beyond the opposite cluster's edge.
	StopOffsetPct decimal.Decimal
	// TargetOffsetPct puts the target this far before the target cluster's peak.
	TargetOffsetPct decimal.Decimal
	// ExtremeFundingRate: at or above it (per interval, absolute) the crowded side is not joined.
	ExtremeFundingRate decimal.Decimal
	// RegimeFilter blocks breakouts against the OI/price regime (no breakout long in long
	// capitulation, no breakout short in a short squeeze).
	RegimeFilter bool
	// BehaviourWindow is how long a cluster visit is watched before it is classified.
	BehaviourWindow time.Duration
	// BehaviourMovePct is how far beyond a cluster's edge price must close to count as a break or bounce.
	BehaviourMovePct decimal.Decimal
	// HistoryMinSamples and HistoryMinRate: once a cluster type has this many classified visits,
	// a rule whose expected outcome happened in fewer than HistoryMinRate of them is switched off for it.
	HistoryMinSamples int
	HistoryMinRate    decimal.Decimal
	// SignalCooldown: no second signal of the same rule and direction within it.
	SignalCooldown time.Duration
	// MinRewardRisk skips a setup whose target is closer than this multiple of
	// its stop distance before fees (risk applies the exact test after fees):
	// there is no point signalling what can never be traded.
	MinRewardRisk decimal.Decimal
}

// BreakoutRule is the trade-with-momentum rule.
type BreakoutRule struct {
	Enabled bool
	// MinMomentumPct is the least price change toward the cluster over MomentumWindow.
	MinMomentumPct decimal.Decimal
	// MinVolumeRatio is the least recent volume over its average.
	MinVolumeRatio decimal.Decimal
	// MinVelocityRatio is the least short/long liquidation velocity ratio (velocity rising).
	MinVelocityRatio decimal.Decimal
}

// FadeRule is the reversal rule.
type FadeRule struct {
	Enabled bool
	// MaxVolumeRatio: an approach on volume at or below this ratio is weak.
	MaxVolumeRatio decimal.Decimal
	// SpikeVelocityRatio marks a liquidation spike; FadingVelocityRatio, reached
	// within SpikeMemory after a spike, says it is fading.
	SpikeVelocityRatio  decimal.Decimal
	FadingVelocityRatio decimal.Decimal
	SpikeMemory         time.Duration
	// SpikeMinPerMin is the least liquidated notional per minute (USDT, short
	// window) for a velocity ratio to count as a spike: after a quiet spell one
	// small print makes the ratio huge, and that is not a cascade.
	SpikeMinPerMin decimal.Decimal
}

// DefaultConfig mirrors the documented defaults of configs/taobot.yaml.
func DefaultConfig() Config {
	d := decimal.RequireFromString
	return Config{
		Symbol:              "TAOUSDT",
		Breakout:            BreakoutRule{Enabled: true, MinMomentumPct: d("0.5"), MinVolumeRatio: d("1.5"), MinVelocityRatio: d("2")},
		Fade:                FadeRule{Enabled: true, MaxVolumeRatio: d("0.8"), SpikeVelocityRatio: d("3"), FadingVelocityRatio: d("1"), SpikeMemory: 10 * time.Minute, SpikeMinPerMin: d("20000")},
		MinClusterNotional:  d("50000"),
		SearchRangePct:      d("10"),
		ApproachDistancePct: d("1"),
		MomentumWindow:      5 * time.Minute,
		VolumeAvgWindow:     time.Hour,
		MaxStopDistancePct:  d("3"),
		StopOffsetPct:       d("0.2"),
		TargetOffsetPct:     d("0.2"),
		ExtremeFundingRate:  d("0.0005"),
		RegimeFilter:        true,
		BehaviourWindow:     30 * time.Minute,
		BehaviourMovePct:    d("0.3"),
		HistoryMinSamples:   5,
		HistoryMinRate:      d("0.3"),
		SignalCooldown:      30 * time.Minute,
		MinRewardRisk:       d("1.5"),
	}
}

// Validate reports thresholds the strategy cannot work with.
func (c Config) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if !c.ApproachDistancePct.IsPositive() {
		bad("approach distance must be > 0%%, got %s", c.ApproachDistancePct)
	}
	if !c.MaxStopDistancePct.IsPositive() {
		bad("max stop distance must be > 0%%, got %s", c.MaxStopDistancePct)
	}
	if c.MomentumWindow <= 0 || c.VolumeAvgWindow < c.MomentumWindow {
		bad("need 0 < momentum window (%s) <= volume average window (%s)", c.MomentumWindow, c.VolumeAvgWindow)
	}
	if c.BehaviourWindow <= 0 {
		bad("behaviour window must be > 0")
	}
	if c.Fade.Enabled && c.Fade.FadingVelocityRatio.GreaterThanOrEqual(c.Fade.SpikeVelocityRatio) {
		bad("fading velocity ratio %s must be below the spike ratio %s", c.Fade.FadingVelocityRatio, c.Fade.SpikeVelocityRatio)
	}
	return errors.Join(errs...)
}
