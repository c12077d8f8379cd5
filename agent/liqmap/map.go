package liqmap

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Map is the liquidation map of one symbol. It is not safe for concurrent
// use: one goroutine (the agent loop) owns it. Snapshot to hand a copy to
// another goroutine.
type Map struct {
	cfg  Config
	lev  []LeverageWeight // weights normalised to sum 1
	proj []projection     // liquidation price / entry per side and slice

	width decimal.Decimal // bucket width, fixed once known
	grid  grid

	real layer // realized decay
	est  layer // estimated decay and proportional-removal scale

	// Stored (scaled) totals of each layer, kept exactly in step with the buckets.
	realTot  decimal.Decimal
	estLong  decimal.Decimal
	estShort decimal.Decimal

	mark     decimal.Decimal
	markIdx  int64
	markTime int64
	haveMark bool
	lastPx   decimal.Decimal // last trade or mark price, for the band before any mark

	oi     decimal.Decimal
	oiTime int64
	haveOI bool

	bandLo, bandHi int64 // kept bucket indexes, inclusive
	haveBand       bool

	trades tradeWindow
	vel    velocity
	oiHist []sample
	pxHist []sample
	stats  Stats
	latest int64 // latest event time seen (unix ns)
}

// New builds an empty map from a validated config.
func New(cfg Config) (*Map, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Map{cfg: cfg}
	sum := decimal.Zero
	for _, lw := range cfg.Leverage {
		sum = sum.Add(lw.Weight)
	}
	for _, lw := range cfg.Leverage {
		if lw.Weight.IsZero() {
			continue
		}
		m.lev = append(m.lev, LeverageWeight{Leverage: lw.Leverage, Weight: lw.Weight.DivRound(sum, 16)})
	}
	proj, err := projections(cfg, m.lev)
	if err != nil {
		return nil, fmt.Errorf("liqmap: %w", err)
	}
	m.proj = proj
	m.real = newLayer(cfg.RealizedHalfLife)
	m.est = newLayer(cfg.EstimatedHalfLife)
	if cfg.BucketTicks > 0 {
		m.width = cfg.TickSize.Mul(decimal.NewFromInt(cfg.BucketTicks))
	}
	return m, nil
}

// Config returns the map's configuration.
func (m *Map) Config() Config { return m.cfg }

// Stats returns the running counters.
func (m *Map) Stats() Stats { return m.stats }

// BucketWidth is the price width of one bucket; zero until the first price
// arrives when the width is set in basis points.
func (m *Map) BucketWidth() decimal.Decimal { return m.width }

// MarkPrice is the last mark price applied and whether there was one.
func (m *Map) MarkPrice() (decimal.Decimal, bool) { return m.mark, m.haveMark }

// Apply routes one event to its update method. Events the map does not use
// (and other symbols' events) are counted in Stats.Ignored and return nil.
func (m *Map) Apply(ev exchange.Event) error {
	switch e := ev.(type) {
	case exchange.Trade:
		return m.OnTrade(e)
	case exchange.Liquidation:
		return m.OnLiquidation(e)
	case exchange.OpenInterest:
		return m.OnOpenInterest(e)
	case exchange.MarkPrice:
		return m.OnMarkPrice(e)
	}
	m.stats.Ignored++
	return nil
}

// accept filters by symbol.
func (m *Map) accept(meta exchange.EventMeta) bool {
	if m.cfg.Symbol != "" && meta.Symbol != "" && meta.Symbol != m.cfg.Symbol {
		m.stats.Ignored++
		return false
	}
	return true
}

// eventTime picks the first non-zero of the given times, then the exchange and receive times.
func eventTime(meta exchange.EventMeta, first time.Time) int64 {
	for _, t := range []time.Time{first, meta.ExchangeTime, meta.ReceiveTime} {
		if !t.IsZero() {
			return t.UnixNano()
		}
	}
	return 0
}

// see advances the latest event time.
func (m *Map) see(t int64) {
	if t > m.latest {
		m.latest = t
	}
}

// ensureWidth fixes the bucket width from the first price when it is set in basis points.
func (m *Map) ensureWidth(price decimal.Decimal) {
	if m.width.IsPositive() {
		return
	}
	w := price.Mul(decimal.NewFromInt(m.cfg.BucketBps)).Div(decimal.NewFromInt(10000))
	ticks := w.Div(m.cfg.TickSize).Floor()
	if ticks.LessThan(decimal.NewFromInt(1)) {
		ticks = decimal.NewFromInt(1)
	}
	m.width = ticks.Mul(m.cfg.TickSize)
}

// idx is the bucket index holding price: floor(price / width).
func (m *Map) idx(price decimal.Decimal) int64 {
	q, _ := price.QuoRem(m.width, 0)
	if price.IsNegative() {
		q = q.Sub(decimal.NewFromInt(1))
	}
	return q.IntPart()
}

// bucketLow is the lowest price of bucket i.
func (m *Map) bucketLow(i int64) decimal.Decimal { return m.width.Mul(decimal.NewFromInt(i)) }

// bucketMid is the middle of bucket i.
func (m *Map) bucketMid(i int64) decimal.Decimal {
	return m.width.Mul(decimal.NewFromInt(2*i + 1)).Div(decimal.NewFromInt(2))
}

func errPositive(what string, v decimal.Decimal) error {
	return fmt.Errorf("liqmap: %s must be > 0, got %s", what, v)
}
