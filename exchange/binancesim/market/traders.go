package market

import (
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// traderState is where a simulated trader is in its life cycle.
type traderState uint8

const (
	flat    traderState = iota // no position; opens one at wake
	pending                    // a resting limit entry at a round number
	open                       // an isolated position
)

// trader is one simulated leveraged trader. Hot fields are integer ticks
// and steps so the per-sub-step trigger checks are cheap; the account math
// (margin, liquidation price, funding) is decimal.
type trader struct {
	state  traderState
	dir    int64 // +1 long, -1 short
	lev    int
	qty    int64 // steps
	entry  int64 // ticks; while pending, the limit price
	liq    int64 // ticks: a long is liquidated when mark <= liq, a short when mark >= liq
	bust   int64 // ticks: bankruptcy price, the limit of the forced order
	stop   int64 // ticks, 0 = none
	target int64 // ticks, 0 = none
	wake   int64 // sub-step of the next spontaneous action
	wallet decimal.Decimal
	lp     decimal.Decimal
}

// Leverage mixes, weighted toward 10x; crowded phases lean higher.
var (
	leverages  = [...]int{2, 3, 5, 10, 20, 25, 50, 75}
	normalMix  = [...]int{4, 5, 14, 42, 18, 8, 6, 3}
	crowdedMix = [...]int{2, 2, 8, 36, 22, 16, 9, 5}
)

// Behaviour constants of the population (seconds, fractions, USDT).
const (
	meanFlatWait   = 25 * 60.0 // between positions, at activity 1
	meanHold       = 3 * 3600.0
	meanPendingTTL = 40 * 60.0
	roundEntryProb = 0.55 // share of entries placed as limits at round numbers
	stopProb       = 0.5
	targetProb     = 0.6
	sizeMin        = 1500.0 // Pareto scale of position notional
	sizeAlpha      = 1.4    // Pareto tail index: heavy tail
	sizeMax        = 1.5e6
	impactAlpha    = 0.5 // share of a taker's price impact that is permanent
)

// drawLeverage picks a leverage from the mix.
func (m *Model) drawLeverage(crowded bool) int {
	mix := normalMix
	if crowded {
		mix = crowdedMix
	}
	u := m.rng.IntN(100)
	for i, w := range mix {
		if u < w {
			return leverages[i]
		}
		u -= w
	}
	return 10
}

// drawNotional is a Pareto-distributed position size in USDT.
func (m *Model) drawNotional() float64 {
	u := 1 - m.rng.Float64() // (0, 1]
	return math.Min(sizeMax, sizeMin/math.Pow(u, 1/sizeAlpha))
}

// drawGrid picks a round-number grid in ticks: 5, 10 or 25 units of price scale.
func (m *Model) drawGrid() int64 {
	switch u := m.rng.IntN(10); {
	case u < 5:
		return 5 * m.roundUnit
	case u < 8:
		return 10 * m.roundUnit
	default:
		return 25 * m.roundUnit
	}
}

// wait draws an exponential delay with the given mean in seconds, in sub-steps (at least 1).
func (m *Model) wait(meanSec float64) int64 {
	return 1 + int64(m.rng.ExpFloat64()*meanSec/m.dt)
}

func floorTo(x, g int64) int64 {
	q := x / g
	if x%g != 0 && x < 0 {
		q--
	}
	return q * g
}

func ceilTo(x, g int64) int64 { return -floorTo(-x, g) }

// sizeFor turns a notional at price ticks into steps and a leverage capped by
// the bracket of that notional; qty 0 means too small to trade.
func (m *Model) sizeFor(price int64, crowded bool) (qty int64, lev int) {
	notional := m.drawNotional()
	qty = int64(notional / (float64(price) * m.tickF * m.stepF))
	lev = m.drawLeverage(crowded)
	if qty <= 0 {
		return 0, lev
	}
	b, err := risk.BracketFor(m.cfg.Brackets, m.qtyDec(qty).Mul(m.px(price)))
	if err == nil && b.InitialLeverage > 0 && lev > b.InitialLeverage {
		lev = b.InitialLeverage
	}
	return qty, lev
}

// setPosition opens tr's position at entry with isolated margin notional/lev,
// draws its stop and target, and computes its liquidation price.
func (m *Model) setPosition(tr *trader, dir, qty, entry int64, lev int) error {
	tr.state, tr.dir, tr.qty, tr.entry, tr.lev = open, dir, qty, entry, lev
	tr.wallet = m.qtyDec(qty).Mul(m.px(entry)).Div(decimal.NewFromInt(int64(lev)))
	if err := m.applyRisk(tr); err != nil {
		return err
	}
	tr.stop, tr.target = 0, 0
	if m.rng.Float64() < stopProb {
		g := m.drawGrid()
		d := 0.015 + 0.045*m.rng.Float64()
		if dir > 0 {
			if s := floorTo(int64(float64(entry)*(1-d)), g); s > tr.liq {
				tr.stop = s
			}
		} else if s := ceilTo(int64(float64(entry)*(1+d)), g); s < tr.liq {
			tr.stop = s
		}
	}
	if m.rng.Float64() < targetProb {
		g := m.drawGrid()
		d := 0.02 + 0.06*m.rng.Float64()
		if dir > 0 {
			tr.target = ceilTo(int64(float64(entry)*(1+d)), g)
		} else {
			tr.target = max(g, floorTo(int64(float64(entry)*(1-d)), g))
		}
	}
	if dir > 0 {
		m.longOI += qty
	} else {
		m.shortOI += qty
	}
	tr.wake = m.k + m.wait(meanHold)
	return nil
}

// applyRisk recomputes tr's liquidation and bankruptcy prices from its wallet
// with the risk package's isolated one-way formula.
func (m *Model) applyRisk(tr *trader) error {
	dirn := exchange.Long
	if tr.dir < 0 {
		dirn = exchange.Short
	}
	q, e := m.qtyDec(tr.qty), m.px(tr.entry)
	lp, err := risk.LiquidationPrice(risk.LiqInput{Direction: dirn, Qty: q, Entry: e, Wallet: tr.wallet, Brackets: m.cfg.Brackets})
	switch {
	case errors.Is(err, risk.ErrNoLiquidation):
		tr.lp = decimal.Zero
		tr.liq = -1 // a long at mark <= -1 never happens
		if tr.dir < 0 {
			tr.liq = math.MaxInt64
		}
	case err != nil:
		return fmt.Errorf("trader liquidation price: %w", err)
	default:
		tr.lp = lp
		if tr.dir > 0 {
			tr.liq = lp.Div(m.tick).Floor().IntPart() // mark <= lp
		} else {
			tr.liq = lp.Div(m.tick).Ceil().IntPart() // mark >= lp
		}
	}
	bust := e.Sub(decimal.NewFromInt(tr.dir).Mul(tr.wallet).Div(q)).Div(m.tick)
	if tr.dir > 0 {
		tr.bust = max(1, bust.Ceil().IntPart()) // never sell below bankruptcy
	} else {
		tr.bust = bust.Floor().IntPart()
	}
	return nil
}

// openDecision is a flat trader waking up: a market entry now or a limit at a round number.
func (m *Model) openDecision(tr *trader) {
	dir := int64(-1)
	if m.rng.Float64() < m.reg.longBias {
		dir = 1
	}
	qty, lev := m.sizeFor(m.last, m.reg.highLev)
	if qty <= 0 {
		tr.wake = m.k + m.wait(meanFlatWait/m.reg.activity)
		return
	}
	if m.rng.Float64() < roundEntryProb {
		g := m.drawGrid()
		var px int64
		if dir > 0 {
			px = floorTo(m.last-1, g)
		} else {
			px = ceilTo(m.last+1, g)
		}
		if px > 0 && abs64(px-m.last)*1000 <= 15*m.last { // within 1.5%
			tr.state, tr.dir, tr.qty, tr.lev, tr.entry = pending, dir, qty, lev, px
			tr.wake = m.k + m.wait(meanPendingTTL)
			return
		}
	}
	filled, notional := m.take(dir, qty, 0, impactAlpha)
	if filled == 0 {
		tr.wake = m.k + m.wait(meanFlatWait/m.reg.activity)
		return
	}
	m.keep(m.setPosition(tr, dir, filled, avgTicks(notional, filled), lev))
}

// closePosition sends tr's market exit (stop, target or time) and makes it flat.
func (m *Model) closePosition(tr *trader) {
	m.dropOI(tr)
	m.take(-tr.dir, tr.qty, 0, impactAlpha)
	m.toFlat(tr)
}

// liquidate sends tr's forced order: a market sell (long) or buy (short)
// limited at the bankruptcy price, as Binance's IOC liquidation order is.
// When the book has already gapped past it, the insurance fund takes the
// rest over and closes it at market at once; the event then reports the
// worst fill as the order price, so Price stays on the limit side of
// AvgPrice. Either way the whole position leaves the book and moves price.
func (m *Model) liquidate(tr *trader) {
	m.dropOI(tr)
	filled, notional := m.take(-tr.dir, tr.qty, tr.bust, impactAlpha)
	price := tr.bust
	if filled < tr.qty {
		f2, n2 := m.take(-tr.dir, tr.qty-filled, 0, impactAlpha)
		filled, notional = filled+f2, notional+n2
		price = m.last
	}
	l := exchange.Liquidation{
		EventMeta: exchange.EventMeta{Symbol: m.cfg.Symbol, ExchangeTime: m.now},
		Side:      exchange.Sell,
		Price:     m.px(price),
		Qty:       m.qtyDec(tr.qty),
		LastQty:   m.qtyDec(filled),
		FilledQty: m.qtyDec(filled),
		Status:    exchange.StatusFilled,
		TradeTime: m.now,
	}
	if tr.dir < 0 {
		l.Side = exchange.Buy
	}
	if filled > 0 {
		l.AvgPrice = m.px(avgTicks(notional, filled))
	}
	if filled < tr.qty { // only past maxWalk levels: an absurdly thin book
		l.Status = exchange.StatusExpired
	}
	m.out.Liquidations = append(m.out.Liquidations, l)
	m.toFlat(tr)
}

func (m *Model) dropOI(tr *trader) {
	if tr.dir > 0 {
		m.longOI -= tr.qty
	} else {
		m.shortOI -= tr.qty
	}
}

func (m *Model) toFlat(tr *trader) {
	*tr = trader{state: flat, wake: m.k + m.wait(meanFlatWait/m.reg.activity)}
}

// scan runs every trader's triggers and wake-ups in index order, then
// recomputes the trigger bounds that let sub-steps skip the scan.
func (m *Model) scan() {
	for i := range m.tr {
		tr := &m.tr[i]
		switch tr.state {
		case open:
			long := tr.dir > 0
			switch {
			case (long && m.mark <= tr.liq) || (!long && m.mark >= tr.liq):
				m.liquidate(tr)
			case tr.stop != 0 && ((long && m.last <= tr.stop) || (!long && m.last >= tr.stop)):
				m.closePosition(tr)
			case tr.target != 0 && ((long && m.last >= tr.target) || (!long && m.last <= tr.target)):
				m.closePosition(tr)
			case m.k >= tr.wake:
				m.closePosition(tr)
			}
		case pending:
			if (tr.dir > 0 && m.last <= tr.entry) || (tr.dir < 0 && m.last >= tr.entry) {
				m.keep(m.setPosition(tr, tr.dir, tr.qty, tr.entry, tr.lev))
			} else if m.k >= tr.wake {
				m.toFlat(tr)
			}
		case flat:
			if m.k >= tr.wake {
				m.openDecision(tr)
			}
		}
	}
	m.bounds()
}

// bounds recomputes the nearest trigger on each side and the earliest wake-up.
func (m *Model) bounds() {
	m.loMark, m.hiMark = math.MinInt64, math.MaxInt64
	m.loLast, m.hiLast = math.MinInt64, math.MaxInt64
	m.minWake = math.MaxInt64
	for i := range m.tr {
		tr := &m.tr[i]
		m.minWake = min(m.minWake, tr.wake)
		switch tr.state {
		case open:
			if tr.dir > 0 {
				m.loMark = max(m.loMark, tr.liq)
				if tr.stop != 0 {
					m.loLast = max(m.loLast, tr.stop)
				}
				if tr.target != 0 {
					m.hiLast = min(m.hiLast, tr.target)
				}
			} else {
				m.hiMark = min(m.hiMark, tr.liq)
				if tr.stop != 0 {
					m.hiLast = min(m.hiLast, tr.stop)
				}
				if tr.target != 0 {
					m.loLast = max(m.loLast, tr.target)
				}
			}
		case pending:
			if tr.dir > 0 {
				m.loLast = max(m.loLast, tr.entry)
			} else {
				m.hiLast = min(m.hiLast, tr.entry)
			}
		}
	}
}

// due reports whether any trader needs attention at the current prices and sub-step.
func (m *Model) due() bool {
	return m.mark <= m.loMark || m.mark >= m.hiMark || m.last <= m.loLast || m.last >= m.hiLast || m.k >= m.minWake
}

// settleTraders charges funding to every open position's isolated wallet
// (positive rate: longs pay) and recomputes their liquidation prices.
func (m *Model) settleTraders(rate, mark decimal.Decimal) {
	for i := range m.tr {
		tr := &m.tr[i]
		if tr.state != open {
			continue
		}
		pay := m.qtyDec(tr.qty).Mul(mark).Mul(rate)
		tr.wallet = tr.wallet.Sub(decimal.NewFromInt(tr.dir).Mul(pay))
		m.keep(m.applyRisk(tr))
	}
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
