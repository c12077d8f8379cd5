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
	// Low is the lowest price of the zone's first bucket.
	Low decimal.Decimal `json:"low"`
	// High is the top of the zone's last bucket (exclusive).
	High decimal.Decimal `json:"high"`
	// PeakPrice is the middle of the densest bucket.
	PeakPrice decimal.Decimal `json:"peakPrice"`
	// PeakNotional is the notional in the densest bucket.
	PeakNotional decimal.Decimal `json:"peakNotional"`
	// Buckets is how many buckets the zone spans (gaps included).
	Buckets int `json:"buckets"`
	// Long is the notional of long positions liquidated (or to be) here.
	Long decimal.Decimal `json:"long"`
	// Short is the notional of short positions liquidated (or to be) here.
	Short decimal.Decimal `json:"short"`
	// Total is Long + Short = Realized + Estimated.
	Total decimal.Decimal `json:"total"`
	// Realized is the notional from forceOrder prints (positions already closed).
	Realized decimal.Decimal `json:"realized"`
	// Estimated is the notional from open-interest projection (positions still open).
	Estimated decimal.Decimal `json:"estimated"`
	// EstimatedLong is the estimated open longs whose liquidation lies here:
	// the fuel a move down into the zone would burn.
	EstimatedLong decimal.Decimal `json:"estimatedLong"`
	// EstimatedShort is the estimated open shorts whose liquidation lies here:
	// the fuel a move up into the zone would burn.
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
	// FirstSeen is when the oldest notional still here arrived.
	FirstSeen time.Time `json:"firstSeen"`
	// LastAdded is when the newest notional here arrived.
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
	// Price is the price the clusters were looked for around.
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
//
// "Short" and "Long" in the rate names are the windows, not position sides;
// the LongsLiquidated/ShortsLiquidated fields split by side.
type Velocity struct {
	// ShortWindow is the recent window (Config.VelocityShort).
	ShortWindow time.Duration `json:"shortWindow"`
	// LongWindow is the baseline window (Config.VelocityLong).
	LongWindow time.Duration `json:"longWindow"`
	// RealizedShortPerMin is forceOrder notional per minute over the short window.
	RealizedShortPerMin decimal.Decimal `json:"realizedShortPerMin"`
	// RealizedLongPerMin is forceOrder notional per minute over the long window.
	RealizedLongPerMin decimal.Decimal `json:"realizedLongPerMin"`
	// EstimatedShortPerMin is crossed estimated notional per minute over the short window.
	EstimatedShortPerMin decimal.Decimal `json:"estimatedShortPerMin"`
	// EstimatedLongPerMin is crossed estimated notional per minute over the long window.
	EstimatedLongPerMin decimal.Decimal `json:"estimatedLongPerMin"`
	// TotalShortPerMin is realized plus estimated per minute over the short window.
	TotalShortPerMin decimal.Decimal `json:"totalShortPerMin"`
	// TotalLongPerMin is realized plus estimated per minute over the long window.
	TotalLongPerMin decimal.Decimal `json:"totalLongPerMin"`
	// LongsLiquidatedShortPerMin is the part of TotalShortPerMin that closed long positions.
	LongsLiquidatedShortPerMin decimal.Decimal `json:"longsLiquidatedShortPerMin"`
	// ShortsLiquidatedShortPerMin is the part of TotalShortPerMin that closed short positions.
	ShortsLiquidatedShortPerMin decimal.Decimal `json:"shortsLiquidatedShortPerMin"`
	// Ratio is TotalShortPerMin / TotalLongPerMin (zero when the long window is empty).
	Ratio decimal.Decimal `json:"ratio"`
	// Spike is Ratio >= Config.SpikeRatio: a cascade in progress.
	Spike bool `json:"spike"`
	// RealizedEventsShort counts forceOrder prints in the short window.
	RealizedEventsShort int64 `json:"realizedEventsShort"`
	// RealizedEventsLong counts forceOrder prints in the long window.
	RealizedEventsLong int64 `json:"realizedEventsLong"`
}

// RegimeKind names what open interest and price did together.
type RegimeKind string

// Regimes.
const (
	// RegimeUnknown: too few samples in the window, or the newest is a window old.
	RegimeUnknown RegimeKind = "unknown"
	// RegimeNeutral: OI or price moved less than its threshold.
	RegimeNeutral RegimeKind = "neutral"
	// RegimeNewLongs: OI up, price up; buyers are opening positions.
	RegimeNewLongs RegimeKind = "new-longs"
	// RegimeNewShorts: OI up, price down; sellers are opening positions.
	RegimeNewShorts RegimeKind = "new-shorts"
	// RegimeShortSqueeze: OI down, price up; shorts are closing or being liquidated.
	RegimeShortSqueeze RegimeKind = "short-squeeze"
	// RegimeLongCapitulation: OI down, price down; longs are closing or being liquidated.
	RegimeLongCapitulation RegimeKind = "long-capitulation"
)

// Regime is the OI/price regime over Config.RegimeWindow ending at the query time.
type Regime struct {
	// Kind is the regime; the other fields are zero when it is RegimeUnknown.
	Kind RegimeKind `json:"kind"`
	// OIChangePct is the open-interest change from the window's first to last sample, in percent.
	OIChangePct decimal.Decimal `json:"oiChangePct"`
	// PriceChangePct is the mark-price change over the window, in percent.
	PriceChangePct decimal.Decimal `json:"priceChangePct"`
	// From is the time of the baseline OI sample.
	From time.Time `json:"from"`
	// To is the time of the newest OI sample compared.
	To time.Time `json:"to"`
}

// RoundNumberStats says how much realized liquidation notional fell near round levels.
type RoundNumberStats struct {
	// Reference is the price that set the scale (the mark, else the last trade).
	Reference decimal.Decimal `json:"reference"`
	// Unit is the smallest round step (10 around 100-999).
	Unit decimal.Decimal `json:"unit"`
	// DistancePct is how near a level counts as "near" (Config.RoundDistancePct).
	DistancePct decimal.Decimal `json:"distancePct"`
	// RealizedTotal is all realized notional in the band, decayed to the query time.
	RealizedTotal decimal.Decimal `json:"realizedTotal"`
	// RealizedEvents counts all forceOrder prints in the band.
	RealizedEvents int64 `json:"realizedEvents"`
	// Levels has one row per step, weakest first (Unit, 2.5, 5 and 10 x Unit).
	Levels []RoundLevelStats `json:"levels"`
}

// RoundLevelStats is the share of realized notional near multiples of one step.
type RoundLevelStats struct {
	// Step is the round step (a multiple of Unit) this row is about.
	Step decimal.Decimal `json:"step"`
	// NearNotional is the realized notional within DistancePct of a multiple of Step.
	NearNotional decimal.Decimal `json:"nearNotional"`
	// NearEvents counts the forceOrder prints in those buckets.
	NearEvents int64 `json:"nearEvents"`
	// Share is NearNotional / RealizedTotal in [0, 1].
	Share decimal.Decimal `json:"share"`
	// Coverage is the share of the band's buckets that are near such a level:
	// the Share a price-blind liquidation would score. Compare Share with it.
	Coverage decimal.Decimal `json:"coverage"`
}

// Level is one projected liquidation level of a slice of new open interest.
type Level struct {
	// Direction is the side of the projected positions (long liquidates below Entry).
	Direction exchange.PositionDirection `json:"direction"`
	// Leverage is the slice's effective leverage (after the bracket cap).
	Leverage int `json:"leverage"`
	// Entry is the price the positions were opened at.
	Entry decimal.Decimal `json:"entry"`
	// Price is the projected liquidation price.
	Price decimal.Decimal `json:"price"`
	// Notional is the slice's share of the new open interest, in quote.
	Notional decimal.Decimal `json:"notional"`
}

// Stats are running counters, honest about what was sampled, estimated and lost.
type Stats struct {
	// RealizedEvents counts forceOrder prints applied (a 1/s/symbol sample of the largest).
	RealizedEvents int64 `json:"realizedEvents"`
	// RealizedLongEvents counts prints that closed longs (SELL liquidations).
	RealizedLongEvents int64 `json:"realizedLongEvents"`
	// RealizedShortEvents counts prints that closed shorts (BUY liquidations).
	RealizedShortEvents int64 `json:"realizedShortEvents"`
	// RealizedNotional is the undecayed sum of the prints' notional.
	RealizedNotional decimal.Decimal `json:"realizedNotional"`
	// Trades counts aggTrades seen.
	Trades int64 `json:"trades"`
	// MarkUpdates counts mark prices applied.
	MarkUpdates int64 `json:"markUpdates"`
	// OIUpdates counts open-interest points applied (live and back-filled).
	OIUpdates int64 `json:"oiUpdates"`
	// OIIncreases counts points where open interest rose (placed as estimated levels).
	OIIncreases int64 `json:"oiIncreases"`
	// OIDecreases counts points where open interest fell (estimated notional removed).
	OIDecreases int64 `json:"oiDecreases"`
	// NoTradeFallbacks counts OI increases placed without trades at or before
	// the point (back-filled, or none in the window): entry Value/OI, else
	// the mark, and a 50/50 split.
	NoTradeFallbacks int64 `json:"noTradeFallbacks"`
	// EstimatedAdded is the projected notional placed from OI increases.
	EstimatedAdded decimal.Decimal `json:"estimatedAdded"`
	// EstimatedRemoved is the estimated notional taken away because OI fell.
	EstimatedRemoved decimal.Decimal `json:"estimatedRemoved"`
	// EstimatedConsumed is the estimated notional the mark price crossed.
	EstimatedConsumed decimal.Decimal `json:"estimatedConsumed"`
	// AlreadyPastMark is projected notional whose level the mark had already crossed on arrival.
	AlreadyPastMark decimal.Decimal `json:"alreadyPastMark"`
	// DroppedNotional is notional that left the band under BandDrop.
	DroppedNotional decimal.Decimal `json:"droppedNotional"`
	// FoldedNotional is notional moved to the band's edge under BandFold.
	FoldedNotional decimal.Decimal `json:"foldedNotional"`
	// StaleOI counts open-interest points no newer than the last one applied
	// (a restart's back-fill of points the restored snapshot already holds).
	StaleOI int64 `json:"staleOi"`
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
	// Low is the bucket's lowest price (inclusive).
	Low decimal.Decimal `json:"low"`
	// High is Low plus the bucket width (exclusive).
	High decimal.Decimal `json:"high"`
	// RealizedLong is forceOrder notional that closed longs here.
	RealizedLong decimal.Decimal `json:"realizedLong"`
	// RealizedShort is forceOrder notional that closed shorts here.
	RealizedShort decimal.Decimal `json:"realizedShort"`
	// EstimatedLong is projected open longs that would liquidate here.
	EstimatedLong decimal.Decimal `json:"estimatedLong"`
	// EstimatedShort is projected open shorts that would liquidate here.
	EstimatedShort decimal.Decimal `json:"estimatedShort"`
	// RealizedEvents counts forceOrder prints (a sample, see Stats).
	RealizedEvents int64 `json:"realizedEvents"`
	// Round is the strongest round level near the bucket's middle, if any.
	Round RoundTag `json:"round"`
}
