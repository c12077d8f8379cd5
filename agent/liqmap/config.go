package liqmap

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// RemovalPolicy says which estimated notional goes when open interest falls.
type RemovalPolicy string

// Removal policies.
const (
	// RemoveProportional shrinks every estimated level by the same fraction.
	RemoveProportional RemovalPolicy = "proportional"
	// RemoveNearest takes the same amount from the levels nearest the mark first.
	RemoveNearest RemovalPolicy = "nearest"
)

// BandPolicy says what happens to notional that falls outside the kept band around price.
type BandPolicy string

// Band policies.
const (
	// BandDrop forgets notional outside the band (counted in Stats.DroppedNotional).
	BandDrop BandPolicy = "drop"
	// BandFold moves it into the band's edge bucket.
	BandFold BandPolicy = "fold"
)

// LeverageWeight is one slice of the assumed leverage mix of new positions.
type LeverageWeight struct {
	// Leverage is the slice's leverage (capped at the bracket maximum when projected).
	Leverage int `json:"leverage" yaml:"leverage"`
	// Weight is the slice's relative share; weights are normalised to sum 1.
	Weight decimal.Decimal `json:"weight" yaml:"weight"`
}

// Config tunes the map. Every *Pct field is in percent (2 means 2%).
type Config struct {
	// Symbol filters events; empty accepts every symbol.
	Symbol string `json:"symbol" yaml:"symbol"`
	// TickSize is the symbol's price tick; bucket edges are multiples of it.
	TickSize decimal.Decimal `json:"tickSize" yaml:"tick_size"`
	// BucketTicks, when > 0, sets the bucket width to BucketTicks*TickSize.
	BucketTicks int64 `json:"bucketTicks" yaml:"bucket_ticks"`
	// BucketBps, used when BucketTicks is 0, sets the width to BucketBps basis
	// points of the first price seen, rounded down to the tick (at least one
	// tick). The width is then fixed for the life of the map (and its snapshots).
	BucketBps int64 `json:"bucketBps" yaml:"bucket_bps"`
	// BandPct keeps buckets within ±BandPct of the mark price.
	BandPct decimal.Decimal `json:"bandPct" yaml:"band_pct"`
	// OutOfBand says whether notional outside the band is dropped or folded to the edge.
	OutOfBand BandPolicy `json:"outOfBand" yaml:"out_of_band"`

	// RealizedHalfLife is the decay half-life of realized (forceOrder) notional.
	RealizedHalfLife time.Duration `json:"realizedHalfLife" yaml:"realized_half_life"`
	// EstimatedHalfLife is the decay half-life of estimated (open-interest) levels.
	EstimatedHalfLife time.Duration `json:"estimatedHalfLife" yaml:"estimated_half_life"`

	// VWAPWindow is the trade window, ending at an OI point's time, for the
	// entry price and the taker split of new OI. Trades are kept for two
	// windows so a point stamped before the newest trades still sees its own.
	VWAPWindow time.Duration `json:"vwapWindow" yaml:"vwap_window"`
	// Leverage is the assumed leverage mix of new positions; weights are
	// normalised, and each leverage is capped at the bracket maximum for
	// PositionNotional (a 100x slice is projected at 75x on TAOUSDT).
	Leverage []LeverageWeight `json:"leverage" yaml:"leverage"`
	// Brackets are the maintenance-margin tiers used to project liquidation prices.
	Brackets []exchange.Bracket `json:"brackets" yaml:"brackets"`
	// PositionNotional is the size of the representative position whose bracket
	// (MMR, cum) the projection uses: the OI delta is the sum of many such positions.
	PositionNotional decimal.Decimal `json:"positionNotional" yaml:"position_notional"`
	// OIRemoval chooses how estimated notional is removed when OI falls.
	OIRemoval RemovalPolicy `json:"oiRemoval" yaml:"oi_removal"`

	// RoundDistancePct tags buckets within this distance of a round level.
	RoundDistancePct decimal.Decimal `json:"roundDistancePct" yaml:"round_distance_pct"`

	// DensityMultiple: a bucket is dense when its notional is at least this
	// multiple of the median of the buckets within LocalWindowBuckets of it.
	DensityMultiple decimal.Decimal `json:"densityMultiple" yaml:"density_multiple"`
	// LocalWindowBuckets is the half-width, in buckets, of the local-median window.
	LocalWindowBuckets int `json:"localWindowBuckets" yaml:"local_window_buckets"`
	// MinClusterNotional is an absolute floor for a dense bucket.
	MinClusterNotional decimal.Decimal `json:"minClusterNotional" yaml:"min_cluster_notional"`
	// MinClusterSharePct is a floor relative to the whole map: a dense bucket
	// holds at least this percent of all notional in the band.
	MinClusterSharePct decimal.Decimal `json:"minClusterSharePct" yaml:"min_cluster_share_pct"`
	// ClusterGapBuckets is how many non-dense buckets may sit inside one cluster.
	ClusterGapBuckets int `json:"clusterGapBuckets" yaml:"cluster_gap_buckets"`
	// NearestRangePct limits Nearest to clusters whose peak is within this distance.
	NearestRangePct decimal.Decimal `json:"nearestRangePct" yaml:"nearest_range_pct"`
	// BuildFastThreshold: a cluster whose notional arrived within this span built fast.
	BuildFastThreshold time.Duration `json:"buildFastThreshold" yaml:"build_fast_threshold"`

	// VelocityShort is the recent velocity window.
	VelocityShort time.Duration `json:"velocityShort" yaml:"velocity_short"`
	// VelocityLong is the baseline velocity window the short one is compared with.
	VelocityLong time.Duration `json:"velocityLong" yaml:"velocity_long"`
	// VelocityBin is the time resolution of the velocity windows.
	VelocityBin time.Duration `json:"velocityBin" yaml:"velocity_bin"`
	// SpikeRatio: short/long per-minute velocity at or above it is a spike (cascade).
	SpikeRatio decimal.Decimal `json:"spikeRatio" yaml:"spike_ratio"`

	// RegimeWindow is the look-back of the OI/price regime.
	RegimeWindow time.Duration `json:"regimeWindow" yaml:"regime_window"`
	// RegimeMinOIChangePct: a smaller OI move (in percent) is neutral.
	RegimeMinOIChangePct decimal.Decimal `json:"regimeMinOiChangePct" yaml:"regime_min_oi_change_pct"`
	// RegimeMinPriceChangePct: a smaller price move (in percent) is neutral.
	RegimeMinPriceChangePct decimal.Decimal `json:"regimeMinPriceChangePct" yaml:"regime_min_price_change_pct"`
}

// DefaultConfig is a sane TAOUSDT setup: 10 bps buckets, ±30% band, 6 h
// realized and 24 h estimated half-life, a leverage mix centred on 10x.
func DefaultConfig() Config {
	d := decimal.RequireFromString
	return Config{
		Symbol:           "TAOUSDT",
		TickSize:         d("0.01"),
		BucketBps:        10,
		BandPct:          d("30"),
		OutOfBand:        BandDrop,
		RealizedHalfLife: 6 * time.Hour,
		// Positions live longer than the memory of one liquidation print.
		EstimatedHalfLife: 24 * time.Hour,
		VWAPWindow:        5 * time.Minute,
		Leverage: []LeverageWeight{
			{Leverage: 5, Weight: d("0.10")},
			{Leverage: 10, Weight: d("0.35")},
			{Leverage: 20, Weight: d("0.20")},
			{Leverage: 25, Weight: d("0.15")},
			{Leverage: 50, Weight: d("0.12")},
			{Leverage: 100, Weight: d("0.08")},
		},
		Brackets:           risk.DefaultTAOBrackets(),
		PositionNotional:   d("5000"),
		OIRemoval:          RemoveProportional,
		RoundDistancePct:   d("2"),
		DensityMultiple:    d("3"),
		LocalWindowBuckets: 50,
		MinClusterNotional: d("0"),
		MinClusterSharePct: d("1"),
		ClusterGapBuckets:  1,
		NearestRangePct:    d("10"),
		BuildFastThreshold: 30 * time.Minute,
		VelocityShort:      time.Minute,
		VelocityLong:       15 * time.Minute,
		VelocityBin:        5 * time.Second,
		SpikeRatio:         d("3"),
		RegimeWindow:       15 * time.Minute,
		// OI moves slowly; half a percent in 15 minutes is already a signal.
		RegimeMinOIChangePct:    d("0.5"),
		RegimeMinPriceChangePct: d("0.2"),
	}
}

// Validate reports a config the map cannot work with.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !c.TickSize.IsPositive() {
		bad("tick size must be > 0, got %s", c.TickSize)
	}
	if c.BucketTicks < 0 || c.BucketBps < 0 || (c.BucketTicks == 0 && c.BucketBps == 0) {
		bad("set bucket_ticks or bucket_bps to a positive number")
	}
	if !c.BandPct.IsPositive() || c.BandPct.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		bad("band_pct must be in (0, 100), got %s", c.BandPct)
	}
	if c.OutOfBand != BandDrop && c.OutOfBand != BandFold {
		bad("out_of_band must be %q or %q, got %q", BandDrop, BandFold, c.OutOfBand)
	}
	if c.RealizedHalfLife < time.Second || c.EstimatedHalfLife < time.Second {
		bad("half-lives must be at least 1s, got %s and %s", c.RealizedHalfLife, c.EstimatedHalfLife)
	}
	if c.VWAPWindow <= 0 {
		bad("vwap_window must be > 0")
	}
	if len(c.Leverage) == 0 {
		bad("leverage mix is empty")
	}
	sum := decimal.Zero
	for _, lw := range c.Leverage {
		if lw.Leverage < 1 || lw.Weight.IsNegative() {
			bad("leverage slice %dx weight %s: leverage must be >= 1 and weight >= 0", lw.Leverage, lw.Weight)
		}
		sum = sum.Add(lw.Weight)
	}
	if len(c.Leverage) > 0 && !sum.IsPositive() {
		bad("leverage weights sum to %s, need > 0", sum)
	}
	if len(c.Brackets) == 0 {
		bad("no maintenance-margin brackets")
	}
	if !c.PositionNotional.IsPositive() {
		bad("position_notional must be > 0")
	}
	if c.OIRemoval != RemoveProportional && c.OIRemoval != RemoveNearest {
		bad("oi_removal must be %q or %q, got %q", RemoveProportional, RemoveNearest, c.OIRemoval)
	}
	if c.RoundDistancePct.IsNegative() || c.DensityMultiple.IsNegative() || c.MinClusterNotional.IsNegative() ||
		c.MinClusterSharePct.IsNegative() || !c.NearestRangePct.IsPositive() || !c.SpikeRatio.IsPositive() ||
		c.RegimeMinOIChangePct.IsNegative() || c.RegimeMinPriceChangePct.IsNegative() {
		bad("percentages, multiples and floors must be >= 0 (nearest range and spike ratio > 0)")
	}
	if c.LocalWindowBuckets < 1 || c.ClusterGapBuckets < 0 {
		bad("local_window_buckets must be >= 1 and cluster_gap_buckets >= 0")
	}
	if c.VelocityBin <= 0 || c.VelocityShort < c.VelocityBin || c.VelocityLong < c.VelocityShort {
		bad("need 0 < velocity_bin <= velocity_short <= velocity_long")
	}
	if c.RegimeWindow <= 0 || c.BuildFastThreshold <= 0 {
		bad("regime_window and build_fast_threshold must be > 0")
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("liqmap config: %w", err)
	}
	return nil
}
