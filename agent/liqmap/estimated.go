package liqmap

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// OnOpenInterest updates the estimated layer from a change in open interest.
//
// The first point is only a baseline: nobody knows where the existing OI was
// opened. A rise of dOI contracts is new positions worth dOI*entry, where
// entry is the VWAP of the trades in the last VWAPWindow and the long share
// is the taker-buy share of their volume; only trades at or before the
// point's time count. A back-filled point, or one no trade covers, uses
// Value/OI (else the mark) and an even split, counted in
// Stats.NoTradeFallbacks. The notional
// is spread over the leverage mix and each slice placed at its projected
// liquidation price (see Project). A fall of dOI removes the same fraction
// (dOI / previous OI) of the estimated notional, proportionally or nearest
// the mark first (Config.OIRemoval).
func (m *Map) OnOpenInterest(o exchange.OpenInterest) error {
	if !m.accept(o.EventMeta) {
		return nil
	}
	if o.OpenInterest.IsNegative() {
		m.stats.Ignored++
		return fmt.Errorf("liqmap: open interest must be >= 0, got %s", o.OpenInterest)
	}
	t := eventTime(o.EventMeta, o.ExchangeTime)
	if m.haveOI && (t < m.oiTime || (t == m.oiTime && o.OpenInterest.Equal(m.oi))) {
		// Already reflected: after a restart the adapter back-fills a day of
		// points the restored snapshot has seen. Counting them again would
		// re-attribute (or remove) that day's open interest.
		m.stats.StaleOI++
		return nil
	}
	m.see(t)
	m.stats.OIUpdates++
	m.oiHist = pushSample(m.oiHist, sample{T: t, V: o.OpenInterest}, int64(m.cfg.RegimeWindow))
	prev, had := m.oi, m.haveOI
	m.oi, m.oiTime, m.haveOI = o.OpenInterest, t, true
	if !had {
		return nil
	}
	delta := o.OpenInterest.Sub(prev)
	switch {
	case delta.IsPositive():
		m.stats.OIIncreases++
		return m.attribute(delta, o, t)
	case delta.IsNegative() && prev.IsPositive():
		m.stats.OIDecreases++
		frac := decimal.Min(one, delta.Neg().DivRound(prev, factorPlaces))
		m.removeEstimated(frac, t)
	}
	return nil
}

// attribute places delta contracts of new open interest observed at t.
//
// Live events and the start-up OI backfill share one channel, so a point can
// arrive after trades newer than itself, or be a day old. The entry and the
// taker split therefore come only from trades in (t-VWAPWindow, t]; a
// back-filled point, or one no trade covers, uses Value/OI and an even split.
func (m *Map) attribute(delta decimal.Decimal, o exchange.OpenInterest, t int64) error {
	var entry, longShare decimal.Decimal
	var sumPQ, sumQ, buyQ decimal.Decimal
	if !o.Backfill {
		sumPQ, sumQ, buyQ = m.trades.upTo(t, int64(m.cfg.VWAPWindow))
	}
	if sumQ.IsPositive() {
		entry = sumPQ.DivRound(sumQ, outPlaces)
		longShare = buyQ.DivRound(sumQ, factorPlaces)
	} else {
		m.stats.NoTradeFallbacks++
		longShare = decimal.RequireFromString("0.5")
		switch {
		case o.Value.IsPositive() && o.OpenInterest.IsPositive():
			entry = o.Value.DivRound(o.OpenInterest, outPlaces)
		case m.haveMark:
			entry = m.mark
		default:
			entry = m.lastPx
		}
	}
	if !entry.IsPositive() {
		return nil // no price seen at all yet: nothing to place it by
	}
	m.ensureWidth(entry)
	if m.lastPx.IsZero() {
		m.lastPx = entry
		m.setBand(entry)
	}
	notional := delta.Mul(entry)
	longN := notional.Mul(longShare).Round(outPlaces)
	levels, err := m.Project(entry, longN, notional.Sub(longN))
	if err != nil {
		return fmt.Errorf("liqmap: open interest +%s at %s: %w", delta, entry, err)
	}
	m.rebaseIfNeeded(t)
	for _, lv := range levels {
		m.addEstimated(lv, t)
	}
	return nil
}

// projRefShift: New evaluates the formula once per slice at entry 10^6. A
// large reference keeps more significant digits (decimal division keeps 16
// places) and the ratio LP/entry is then an exact shift.
const projRefShift = 6

// projection is one slice's liquidation price as a multiple of its entry.
type projection struct {
	dir   exchange.PositionDirection
	lev   int
	ratio decimal.Decimal // LP / entry
}

// projections evaluates risk.LiquidationPrice once per leverage slice and side.
//
// For an isolated position of fixed notional N opened at E (Q = N/E, wallet
// N/L) the formula LP = (WB + cum - s*Q*E) / (Q*MMR - s*Q) is E times a
// number that does not depend on E, and so is the notional at LP that picks
// the bracket (Q*LP = N*LP/E). So LP(E) = E * LP(ref)/ref exactly, and an OI
// update costs one multiplication per slice instead of a bracket search.
// TestProjectMatchesFormula checks the result against direct calls.
//
// A slice's leverage is capped at the bracket's maximum for PositionNotional
// (75x for a small TAOUSDT position): nobody can hold 100x there, and the
// formula would put such a position's liquidation at its entry.
func projections(cfg Config, lev []LeverageWeight) ([]projection, error) {
	ref := decimal.New(1, projRefShift)
	b, err := risk.BracketFor(cfg.Brackets, cfg.PositionNotional)
	if err != nil {
		return nil, fmt.Errorf("projection bracket: %w", err)
	}
	var out []projection
	for _, dir := range []exchange.PositionDirection{exchange.Long, exchange.Short} {
		for _, lw := range lev {
			l := lw.Leverage
			if b.InitialLeverage > 0 && l > b.InitialLeverage {
				l = b.InitialLeverage
			}
			lp, err := risk.LiquidationPrice(risk.LiqInput{
				Direction: dir,
				Qty:       cfg.PositionNotional.DivRound(ref, 16),
				Entry:     ref,
				Wallet:    cfg.PositionNotional.DivRound(decimal.NewFromInt(int64(l)), 16),
				Brackets:  cfg.Brackets,
			})
			if errors.Is(err, risk.ErrNoLiquidation) {
				out = append(out, projection{dir: dir, lev: l}) // zero ratio: never liquidates
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("project %s %dx: %w", dir, l, err)
			}
			out = append(out, projection{dir: dir, lev: l, ratio: lp.Shift(-projRefShift)})
		}
	}
	return out, nil
}

// Project splits long and short notional opened at entry over the leverage
// mix and returns each slice's liquidation price: Binance's isolated formula
// (risk.LiquidationPrice) for a position of Config.PositionNotional at that
// leverage (wallet = notional / leverage, brackets from Config). Slices
// whose position cannot be liquidated are left out. The slices of one side
// sum exactly to its notional (the last slice takes the rounding remainder).
func (m *Map) Project(entry, longNotional, shortNotional decimal.Decimal) ([]Level, error) {
	if !entry.IsPositive() {
		return nil, errPositive("entry", entry)
	}
	out := make([]Level, 0, len(m.proj))
	for _, side := range []struct {
		dir exchange.PositionDirection
		n   decimal.Decimal
	}{{exchange.Long, longNotional}, {exchange.Short, shortNotional}} {
		if !side.n.IsPositive() {
			continue
		}
		left := side.n
		k := 0
		for _, p := range m.proj {
			if p.dir != side.dir {
				continue
			}
			n := side.n.Mul(m.lev[k].Weight).Round(outPlaces)
			if k == len(m.lev)-1 {
				n = left
			}
			k++
			left = left.Sub(n)
			if p.ratio.IsPositive() && n.IsPositive() {
				out = append(out, Level{Direction: side.dir, Leverage: p.lev, Entry: entry, Price: entry.Mul(p.ratio), Notional: n})
			}
		}
	}
	return out, nil
}

// addEstimated puts one projected level into its bucket unless the mark is already past it.
func (m *Map) addEstimated(lv Level, t int64) {
	i := m.idx(lv.Price)
	long := lv.Direction == exchange.Long
	if m.haveMark && ((long && i >= m.markIdx) || (!long && i <= m.markIdx)) {
		m.stats.AlreadyPastMark = m.stats.AlreadyPastMark.Add(lv.Notional)
		return
	}
	i, ok := m.place(i, lv.Notional)
	if !ok {
		return
	}
	s := m.est.toStored(lv.Notional, t)
	b := m.grid.ensure(i)
	if long {
		b.eLong = b.eLong.Add(s)
		m.estLong = m.estLong.Add(s)
	} else {
		b.eShort = b.eShort.Add(s)
		m.estShort = m.estShort.Add(s)
	}
	b.touch(lv.Notional, t)
	m.stats.EstimatedAdded = m.stats.EstimatedAdded.Add(lv.Notional)
}

// removeEstimated takes frac of the estimated notional away at t.
func (m *Map) removeEstimated(frac decimal.Decimal, t int64) {
	f := m.est.readFactor(t)
	total := m.estLong.Add(m.estShort)
	if total.IsZero() || f.IsZero() {
		return
	}
	m.stats.EstimatedRemoved = m.stats.EstimatedRemoved.Add(total.Mul(f).Mul(frac).Round(outPlaces))
	if m.cfg.OIRemoval == RemoveProportional {
		m.est.scale = m.est.scale.Mul(one.Sub(frac)).Round(factorPlaces)
		if m.est.needsRebase(t) {
			m.rebase(&m.est, t)
		}
		return
	}
	// Nearest first: walk outward from the mark, taking stored units.
	left := total.Mul(frac).Round(storePlaces)
	c := m.markIdx
	if !m.haveMark {
		c = m.idx(m.lastPx)
	}
	glo, ghi := m.grid.span()
	for d := int64(0); left.IsPositive() && (c-d >= glo || c+d < ghi); d++ {
		idxs := []int64{c - d, c + d}
		if d == 0 {
			idxs = idxs[:1]
		}
		for _, i := range idxs {
			b := m.grid.at(i)
			if b == nil {
				continue
			}
			for _, s := range []*decimal.Decimal{&b.eLong, &b.eShort} {
				if !left.IsPositive() || s.IsZero() {
					continue
				}
				take := decimal.Min(*s, left)
				*s = s.Sub(take)
				left = left.Sub(take)
				if s == &b.eLong {
					m.estLong = m.estLong.Sub(take)
				} else {
					m.estShort = m.estShort.Sub(take)
				}
			}
			b.resetIfEmpty()
		}
	}
}
