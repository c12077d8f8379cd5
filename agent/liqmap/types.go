package liqmap

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Cluster is a run of contiguous dense buckets: a price zone where many
// positions were (realized) or would be (estimated) force-closed.
// Notional is in quote asset (USDT), decayed to the query time.
type Cluster struct {
	// Low and High bound the zone: Low of the first bucket, High of the last.
	Low  decimal.Decimal `json:"low"`
	High decimal.Decimal `json:"high"`
	// PeakPrice is the middle of the densest bucket.
	PeakPrice decimal.Decimal `json:"peakPrice"`
	// PeakNotional is the notional in the densest bucket.
	PeakNotional decimal.Decimal `json:"peakNotional"`
	// Buckets is how many buckets the zone spans (gaps included).
	Buckets int `json:"buckets"`
	// Long is the notional of long positions liquidated (or to be) here, Short of shorts.
	Long  decimal.Decimal `json:"long"`
	Short decimal.Decimal `json:"short"`
	// Total is Long + Short = Realized + Estimated.
	Total decimal.Decimal `json:"total"`
	// Realized came from forceOrder prints, Estimated from open-interest projection.
	Realized  decimal.Decimal `json:"realized"`
	Estimated decimal.Decimal `json:"estimated"`
	// EstimatedLong and EstimatedShort split Estimated by side: positions still
	// open whose liquidation lies here (the fuel a move into the zone would burn).
	EstimatedLong  decimal.Decimal `json:"estimatedLong"`
	EstimatedShort decimal.Decimal `json:"estimatedShort"`
	// RealizedShare is Realized / Total, in [0, 1].
	RealizedShare decimal.Decimal `json:"realizedShare"`
	// RealizedEvents counts the forceOrder prints here. The stream sends at most
	// one per second per symbol (the largest), so this is a sample count.
	RealizedEvents int64 `json:"realizedEvents"`
	// Density is Total per bucket (quote per bucket width).
	Density decimal.Decimal `json:"density"`
	// Strength is PeakNotional over the dense threshold at the peak (>= 1 when dense).
	Strength decimal.Decimal `json:"strength"`
	// FirstSeen is when the oldest notional still here arrived; LastAdded the newest.
	FirstSeen time.Time `json:"firstSeen"`
	LastAdded time.Time `json:"lastAdded"`
	// Age is now - FirstSeen.
	Age time.Duration `json:"age"`
	// BuildSpan is LastAdded - FirstSeen: how long the zone took to build.
	BuildSpan time.Duration `json:"buildSpan"`
	// BuildRatePerMin is the notional added (undecayed) per minute of BuildSpan
	// (at least one minute): the time-weighted density.
	BuildRatePerMin decimal.Decimal `json:"buildRatePerMin"`
	// BuildFast is true when BuildSpan is under Config.BuildFastThreshold (minutes, not hours).
	BuildFast bool `json:"buildFast"`
	// Round is the strongest round-number level near PeakPrice, if any.
	Round RoundTag `json:"round"`
	// DistancePct is (PeakPrice - reference) / reference * 100: positive above the reference price.
	DistancePct decimal.Decimal `json:"distancePct"`
}

// Dominant is the side with more notional in the cluster.
func (c Cluster) Dominant() exchange.PositionDirection {
	if c.Short.GreaterThan(c.Long) {
		return exchange.Short
	}
	return exchange.Long
}

// Fuel is the side whose still-open positions would be liquidated in the
// zone: the dominant side of the estimated layer, or of the whole cluster
// when it holds no estimated notional. Realized prints are history: the
// positions they closed are gone and cannot drive the next move.
func (c Cluster) Fuel() exchange.PositionDirection {
	if c.Estimated.IsPositive() {
		if c.EstimatedShort.GreaterThan(c.EstimatedLong) {
			return exchange.Short
		}
		return exchange.Long
	}
	return c.Dominant()
}

// RoundTag names a psychological price level near a bucket or cluster.
type RoundTag struct {
	// Level is the round price; zero means no round level within the distance.
	Level decimal.Decimal `json:"level"`
	// Step is the multiple Level belongs to (e.g. 10, 25, 50, 100 around 400);
	// a bigger step is a stronger level.
	Step decimal.Decimal `json:"step"`
}

// Tagged reports whether a round level was found.
func (r RoundTag) Tagged() bool { return r.Level.IsPositive() }

// Nearest is the densest cluster above and below a price within Config.NearestRangePct.
type Nearest struct {
	Price decimal.Decimal `json:"price"`
	// Above has PeakPrice > Price; nil when none is in range. Its DistancePct is relative to Price.
	Above *Cluster `json:"above,omitempty"`
	// Below has PeakPrice <= Price; nil when none is in range.
	Below *Cluster `json:"below,omitempty"`
}

// Velocity is liquidated notional per minute over a short and a long window.
// Realized comes from forceOrder prints (a 1-per-second sample biased toward
// the largest, so a floor on the true rate); Estimated from estimated levels
// the mark price crossed.
type Velocity struct {
	ShortWindow time.Duration `json:"shortWindow"`
	LongWindow  time.Duration `json:"longWindow"`
	// Per-minute rates over each window.
	RealizedShortPerMin  decimal.Decimal `json:"realizedShortPerMin"`
	RealizedLongPerMin   decimal.Decimal `json:"realizedLongPerMin"`
	EstimatedShortPerMin decimal.Decimal `json:"estimatedShortPerMin"`
	EstimatedLongPerMin  decimal.Decimal `json:"estimatedLongPerMin"`
	TotalShortPerMin     decimal.Decimal `json:"totalShortPerMin"`
	TotalLongPerMin      decimal.Decimal `json:"totalLongPerMin"`
	// LongsLiquidatedShortPerMin and ShortsLiquidatedShortPerMin split the short window's total by position side.
	LongsLiquidatedShortPerMin  decimal.Decimal `json:"longsLiquidatedShortPerMin"`
	ShortsLiquidatedShortPerMin decimal.Decimal `json:"shortsLiquidatedShortPerMin"`
	// Ratio is TotalShortPerMin / TotalLongPerMin (zero when the long window is empty).
	Ratio decimal.Decimal `json:"ratio"`
	// Spike is Ratio >= Config.SpikeRatio: a cascade in progress.
	Spike bool `json:"spike"`
	// RealizedEventsShort and RealizedEventsLong count forceOrder prints in each window.
	RealizedEventsShort int64 `json:"realizedEventsShort"`
	RealizedEventsLong  int64 `json:"realizedEventsLong"`
}

// RegimeKind names what open interest and price did together.
type RegimeKind string

// Regimes.
const (
	RegimeUnknown          RegimeKind = "unknown" // not enough samples in the window
	RegimeNeutral          RegimeKind = "neutral" // OI or price moved less than the thresholds
	RegimeNewLongs         RegimeKind = "new-longs"
	RegimeNewShorts        RegimeKind = "new-shorts"
	RegimeShortSqueeze     RegimeKind = "short-squeeze"
	RegimeLongCapitulation RegimeKind = "long-capitulation"
)

// Regime is the OI/price regime over Config.RegimeWindow ending at the query time.
type Regime struct {
	Kind RegimeKind `json:"kind"`
	// OIChangePct and PriceChangePct are the changes from the window's first to last sample, in percent.
	OIChangePct    decimal.Decimal `json:"oiChangePct"`
	PriceChangePct decimal.Decimal `json:"priceChangePct"`
	// From and To are the times of the samples compared (OI samples).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// RoundNumberStats says how much realized liquidation notional fell near round levels.
type RoundNumberStats struct {
	// Reference is the price that set the scale; Unit the smallest step (10 around 100-999).
	Reference   decimal.Decimal `json:"reference"`
	Unit        decimal.Decimal `json:"unit"`
	DistancePct decimal.Decimal `json:"distancePct"`
	// RealizedTotal is all realized notional in the band (decayed); RealizedEvents all prints.
	RealizedTotal  decimal.Decimal `json:"realizedTotal"`
	RealizedEvents int64           `json:"realizedEvents"`
	// Levels has one row per step, weakest first (Unit, 2.5, 5 and 10 x Unit).
	Levels []RoundLevelStats `json:"levels"`
}

// RoundLevelStats is the share of realized notional near multiples of one step.
type RoundLevelStats struct {
	Step         decimal.Decimal `json:"step"`
	NearNotional decimal.Decimal `json:"nearNotional"`
	NearEvents   int64           `json:"nearEvents"`
	// Share is NearNotional / RealizedTotal in [0, 1].
	Share decimal.Decimal `json:"share"`
	// Coverage is the share of the band's buckets that are near such a level:
	// the Share a price-blind liquidation would score. Compare Share with it.
	Coverage decimal.Decimal `json:"coverage"`
}

// Level is one projected liquidation level of a slice of new open interest.
type Level struct {
	Direction exchange.PositionDirection `json:"direction"`
	// Leverage is the slice's effective leverage (after the bracket cap).
	Leverage int             `json:"leverage"`
	Entry    decimal.Decimal `json:"entry"`
	Price    decimal.Decimal `json:"price"`
	Notional decimal.Decimal `json:"notional"`
}

// Stats are running counters, honest about what was sampled, estimated and lost.
type Stats struct {
	// RealizedEvents counts forceOrder prints applied (a 1/s/symbol sample of the largest).
	RealizedEvents      int64           `json:"realizedEvents"`
	RealizedLongEvents  int64           `json:"realizedLongEvents"`
	RealizedShortEvents int64           `json:"realizedShortEvents"`
	RealizedNotional    decimal.Decimal `json:"realizedNotional"` // undecayed sum
	// Trades counts aggTrades seen; MarkUpdates mark prices; OIUpdates open-interest points.
	Trades      int64 `json:"trades"`
	MarkUpdates int64 `json:"markUpdates"`
	OIUpdates   int64 `json:"oiUpdates"`
	OIIncreases int64 `json:"oiIncreases"`
	OIDecreases int64 `json:"oiDecreases"`
	// NoTradeFallbacks counts OI increases attributed without trades in the window (mark price, 50/50 split).
	NoTradeFallbacks int64 `json:"noTradeFallbacks"`
	// EstimatedAdded, EstimatedRemoved (OI fell) and EstimatedConsumed (mark crossed) are notional sums.
	EstimatedAdded    decimal.Decimal `json:"estimatedAdded"`
	EstimatedRemoved  decimal.Decimal `json:"estimatedRemoved"`
	EstimatedConsumed decimal.Decimal `json:"estimatedConsumed"`
	// AlreadyPastMark is projected notional whose level the mark had already crossed on arrival.
	AlreadyPastMark decimal.Decimal `json:"alreadyPastMark"`
	// DroppedNotional left the band under BandDrop; FoldedNotional was moved to its edge under BandFold.
	DroppedNotional decimal.Decimal `json:"droppedNotional"`
	FoldedNotional  decimal.Decimal `json:"foldedNotional"`
	// Ignored counts events for another symbol, of a type the map does not use, or invalid.
	Ignored int64 `json:"ignored"`
}

// RenderOptions shape the text rendering.
type RenderOptions struct {
	// Rows is the number of histogram rows (default 30).
	Rows int
	// BarWidth is the widest bar in characters (default 40).
	BarWidth int
	// RangePct is the price range shown around the price, ±percent (default Config.NearestRangePct).
	RangePct decimal.Decimal
}

// BucketView is one non-empty price bucket at a query time, for tables,
// JSON output and dashboards. Notional is decayed to the query time.
type BucketView struct {
	Low            decimal.Decimal `json:"low"`
	High           decimal.Decimal `json:"high"`
	RealizedLong   decimal.Decimal `json:"realizedLong"`
	RealizedShort  decimal.Decimal `json:"realizedShort"`
	EstimatedLong  decimal.Decimal `json:"estimatedLong"`
	EstimatedShort decimal.Decimal `json:"estimatedShort"`
	// RealizedEvents counts forceOrder prints (a sample, see Stats).
	RealizedEvents int64    `json:"realizedEvents"`
	Round          RoundTag `json:"round"`
}
