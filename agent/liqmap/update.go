package liqmap

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

var (
	one     = decimal.NewFromInt(1)
	hundred = decimal.NewFromInt(100)
)

// OnTrade feeds one aggTrade into the VWAP and taker-aggression window that
// OnOpenInterest uses to place new positions. BuyerMaker (Binance "m") true
// means the taker sold.
func (m *Map) OnTrade(tr exchange.Trade) error {
	if !m.accept(tr.EventMeta) {
		return nil
	}
	if !tr.Price.IsPositive() || !tr.Qty.IsPositive() {
		m.stats.Ignored++
		return fmt.Errorf("liqmap: trade %d: price and qty must be > 0, got %s x %s", tr.ID, tr.Price, tr.Qty)
	}
	t := eventTime(tr.EventMeta, tr.TradeTime)
	m.see(t)
	m.ensureWidth(tr.Price)
	m.lastPx = tr.Price
	m.stats.Trades++
	m.trades.add(tradeSample{T: t, PQ: tr.Price.Mul(tr.Qty), Q: tr.Qty, TakerBuy: !tr.BuyerMaker})
	// Keep two windows: an OI point may be stamped before the newest trades
	// and needs the whole window before its own time (see attribute).
	m.trades.trim(t - 2*int64(m.cfg.VWAPWindow))
	if !m.haveMark {
		m.setBand(tr.Price)
	}
	return nil
}

// OnLiquidation adds one forceOrder print to the realized layer: a SELL
// liquidation closed a long, a BUY closed a short. The stream carries at most
// one print per symbol per second (the largest), so the layer is a sample
// biased toward big liquidations: Stats and Cluster.RealizedEvents count prints, not positions.
func (m *Map) OnLiquidation(l exchange.Liquidation) error {
	if !m.accept(l.EventMeta) {
		return nil
	}
	price := l.AvgPrice
	if !price.IsPositive() {
		price = l.Price
	}
	n := l.Notional()
	if !price.IsPositive() || !n.IsPositive() || !l.Side.Valid() {
		m.stats.Ignored++
		return fmt.Errorf("liqmap: liquidation %s at %s: need side BUY/SELL, price > 0 and notional > 0, got notional %s", l.Side, price, n)
	}
	t := eventTime(l.EventMeta, l.TradeTime)
	m.see(t)
	m.ensureWidth(price)
	if m.lastPx.IsZero() {
		m.lastPx = price
		m.setBand(price)
	}
	long := l.LiquidatedDirection() == exchange.Long
	m.stats.RealizedEvents++
	m.stats.RealizedNotional = m.stats.RealizedNotional.Add(n)
	if long {
		m.stats.RealizedLongEvents++
	} else {
		m.stats.RealizedShortEvents++
	}
	m.vel.add(t, int64(m.cfg.VelocityBin), int64(m.cfg.VelocityLong), n, false, long)

	i, ok := m.place(m.idx(price), n)
	if !ok {
		return nil
	}
	m.rebaseIfNeeded(t)
	s := m.real.toStored(n, t)
	b := m.grid.ensure(i)
	if long {
		b.rLong = b.rLong.Add(s)
		b.rnLong++
	} else {
		b.rShort = b.rShort.Add(s)
		b.rnShort++
	}
	m.realTot = m.realTot.Add(s)
	b.touch(n, t)
	return nil
}

// OnMarkPrice records the mark, consumes every estimated level it crossed
// (recorded as estimated liquidation velocity), and moves the band.
func (m *Map) OnMarkPrice(p exchange.MarkPrice) error {
	if !m.accept(p.EventMeta) {
		return nil
	}
	if !p.Mark.IsPositive() {
		m.stats.Ignored++
		return errPositive("mark price", p.Mark)
	}
	t := eventTime(p.EventMeta, p.EventMeta.ExchangeTime)
	m.see(t)
	m.ensureWidth(p.Mark)
	m.stats.MarkUpdates++
	m.pxHist = pushSample(m.pxHist, sample{T: t, V: p.Mark}, int64(m.cfg.RegimeWindow))
	c := m.idx(p.Mark)
	lo, hi := m.grid.span()
	if m.haveMark {
		lo, hi = m.markIdx+1, m.markIdx
	}
	// Invariant: estimated longs sit strictly below the mark's bucket and
	// shorts strictly above; restore it for the new mark.
	if c < hi {
		m.consume(c, hi, true, t)
	}
	if c >= lo {
		m.consume(lo, c+1, false, t)
	}
	m.mark, m.markIdx, m.markTime, m.haveMark = p.Mark, c, t, true
	m.lastPx = p.Mark
	m.setBand(p.Mark)
	return nil
}

// consume liquidates the estimated longs (or shorts) of buckets [from, to).
func (m *Map) consume(from, to int64, long bool, t int64) {
	glo, ghi := m.grid.span()
	from, to = max(from, glo), min(to, ghi)
	if from >= to {
		return
	}
	f := m.est.readFactor(t)
	for i := from; i < to; i++ {
		b := m.grid.at(i)
		s := &b.eShort
		if long {
			s = &b.eLong
		}
		if s.IsZero() {
			continue
		}
		v := s.Mul(f).Round(outPlaces)
		if long {
			m.estLong = m.estLong.Sub(*s)
		} else {
			m.estShort = m.estShort.Sub(*s)
		}
		*s = decimal.Zero
		b.resetIfEmpty()
		if v.IsPositive() {
			m.stats.EstimatedConsumed = m.stats.EstimatedConsumed.Add(v)
			m.vel.add(t, int64(m.cfg.VelocityBin), int64(m.cfg.VelocityLong), v, true, long)
		}
	}
}

// setBand recentres the kept band on price and folds or drops what left it.
func (m *Map) setBand(price decimal.Decimal) {
	if !m.width.IsPositive() {
		return
	}
	frac := m.cfg.BandPct.Div(hundred)
	m.bandLo = m.idx(price.Mul(one.Sub(frac)))
	m.bandHi = m.idx(price.Mul(one.Add(frac)))
	m.haveBand = true
	for m.grid.n > 0 && m.grid.lo < m.bandLo {
		m.evict(m.grid.popFront(), m.bandLo)
	}
	for m.grid.n > 0 {
		if _, hi := m.grid.span(); hi-1 <= m.bandHi {
			break
		}
		m.evict(m.grid.popBack(), m.bandHi)
	}
}

// evict folds a bucket that left the band into edge, or drops it.
func (m *Map) evict(b bucket, edge int64) {
	if b.empty() {
		return
	}
	if m.cfg.OutOfBand == BandDrop {
		m.realTot = m.realTot.Sub(b.rLong).Sub(b.rShort)
		m.estLong = m.estLong.Sub(b.eLong)
		m.estShort = m.estShort.Sub(b.eShort)
		v := m.bucketValue(&b, m.real.readFactor(m.latest), m.est.readFactor(m.latest))
		m.stats.DroppedNotional = m.stats.DroppedNotional.Add(v.Round(outPlaces))
		return
	}
	m.stats.FoldedNotional = m.stats.FoldedNotional.Add(
		m.bucketValue(&b, m.real.readFactor(m.latest), m.est.readFactor(m.latest)).Round(outPlaces))
	e := m.grid.ensure(edge)
	e.rLong, e.rShort = e.rLong.Add(b.rLong), e.rShort.Add(b.rShort)
	e.rnLong, e.rnShort = e.rnLong+b.rnLong, e.rnShort+b.rnShort
	e.eLong, e.eShort = e.eLong.Add(b.eLong), e.eShort.Add(b.eShort)
	e.added = e.added.Add(b.added)
	if e.firstSeen == 0 || (b.firstSeen != 0 && b.firstSeen < e.firstSeen) {
		e.firstSeen = b.firstSeen
	}
	e.lastAdded = max(e.lastAdded, b.lastAdded)
}

// place maps a bucket index into the band: folded to the edge, or dropped (false).
func (m *Map) place(i int64, n decimal.Decimal) (int64, bool) {
	if !m.haveBand || (i >= m.bandLo && i <= m.bandHi) {
		return i, true
	}
	if m.cfg.OutOfBand == BandDrop {
		m.stats.DroppedNotional = m.stats.DroppedNotional.Add(n)
		return 0, false
	}
	m.stats.FoldedNotional = m.stats.FoldedNotional.Add(n)
	return min(max(i, m.bandLo), m.bandHi), true
}

// bucketValue is a bucket's worth (both layers, both sides) given the read factors.
func (m *Map) bucketValue(b *bucket, fr, fe decimal.Decimal) decimal.Decimal {
	r, e := add(b.rLong, b.rShort), add(b.eLong, b.eShort)
	switch {
	case e.IsZero():
		return r.Mul(fr)
	case r.IsZero():
		return e.Mul(fe)
	}
	return r.Mul(fr).Add(e.Mul(fe))
}

// add is a + b without the allocations decimal spends when one side is zero.
func add(a, b decimal.Decimal) decimal.Decimal {
	switch {
	case a.IsZero():
		return b
	case b.IsZero():
		return a
	}
	return a.Add(b)
}

// rebaseIfNeeded starts the layers' epochs and folds their factors into the
// buckets when the stored numbers would grow too large.
func (m *Map) rebaseIfNeeded(t int64) {
	for _, l := range []*layer{&m.real, &m.est} {
		if !l.set {
			l.epoch, l.set = t, true
			continue
		}
		if l.needsRebase(t) {
			m.rebase(l, t)
		}
	}
}

// rebase multiplies every stored value of layer l by its read factor at t and restarts its epoch.
func (m *Map) rebase(l *layer, t int64) {
	f := l.readFactor(t)
	realized := l == &m.real
	if realized {
		m.realTot = decimal.Zero
	} else {
		m.estLong, m.estShort = decimal.Zero, decimal.Zero
	}
	for k := 0; k < m.grid.n; k++ {
		b := &m.grid.buf[m.grid.off+k]
		if realized {
			b.rLong, b.rShort = b.rLong.Mul(f).Round(storePlaces), b.rShort.Mul(f).Round(storePlaces)
			m.realTot = m.realTot.Add(b.rLong).Add(b.rShort)
		} else {
			b.eLong, b.eShort = b.eLong.Mul(f).Round(storePlaces), b.eShort.Mul(f).Round(storePlaces)
			m.estLong, m.estShort = m.estLong.Add(b.eLong), m.estShort.Add(b.eShort)
		}
		b.resetIfEmpty()
	}
	l.epoch += l.steps(t) * l.step
	l.scale = one
}
