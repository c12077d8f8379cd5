package market

import (
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Quote is the market's current state.
func (m *Model) Quote() Quote {
	return Quote{
		Time:            m.now,
		Last:            m.px(m.last),
		Mark:            m.px(m.mark),
		Index:           m.px(m.index),
		Bid:             m.px(m.bk.bid),
		Ask:             m.px(m.bk.ask()),
		BidQty:          m.qtyDec(m.bk.bidLeft),
		AskQty:          m.qtyDec(m.bk.askLeft),
		OpenInterest:    m.qtyDec(m.longOI + m.shortOI),
		FundingRate:     m.fund.est,
		InterestRate:    m.fund.interest,
		NextFundingTime: m.fund.next,
	}
}

// Depth returns up to levels price levels per side around the best bid and
// ask, best first. It is a pure function of the model's state.
func (m *Model) Depth(levels int) (bids, asks []Level) {
	if levels <= 0 {
		return nil, nil
	}
	b := &m.bk
	bids = make([]Level, 0, levels)
	asks = make([]Level, 0, levels)
	for i := range int64(levels) {
		bp, ap := b.bid-i*b.gap, b.ask()+i*b.gap
		bq, aq := b.levelQty(bp, i), b.levelQty(ap, i)
		if i == 0 {
			bq, aq = b.bidLeft, b.askLeft
		}
		if bp > 0 {
			bids = append(bids, Level{Price: m.px(bp), Qty: m.qtyDec(bq)})
		}
		asks = append(asks, Level{Price: m.px(ap), Qty: m.qtyDec(aq)})
	}
	return bids, asks
}

// SetPrice forces fair, index, last and mark to p (rounded to the tick) at
// the current time and re-centres the book there. Traders whose triggers it
// crosses act at once; their liquidations and trades appear in the next Step.
func (m *Model) SetPrice(p decimal.Decimal) {
	t := max(1, p.Div(m.tick).Round(0).IntPart())
	m.fair = float64(t) * m.tickF
	m.index, m.last, m.mark = t, t, t
	m.basis = 0
	m.bk.setBid(max(m.bk.gap, floorTo(t-m.bk.gap/2, m.bk.gap)))
	m.scan()
}

// TakeLiquidity applies an external taker order (the bot's market order) of
// qty, truncated to the step, on side against the book. It returns the
// fills, prints them as public trades in the next Step, and moves the price
// by the order's impact. Liquidations it causes happen in later sub-steps.
func (m *Model) TakeLiquidity(side exchange.Side, qty decimal.Decimal) []Fill {
	steps := qty.Div(m.step).Floor().IntPart()
	if steps <= 0 || !side.Valid() {
		return nil
	}
	first := m.tradeID + 1 // take prints one trade per fill, numbered from here
	m.take(side.Sign(), steps, 0, impactAlpha)
	out := make([]Fill, len(m.fills))
	for i, f := range m.fills {
		out[i] = Fill{Price: m.px(f.price), Qty: m.qtyDec(f.qty), TradeID: first + int64(i)}
	}
	return out
}

// OpenInterestBySide is the population's open interest split by side, in base units.
func (m *Model) OpenInterestBySide() (long, short decimal.Decimal) {
	return m.qtyDec(m.longOI), m.qtyDec(m.shortOI)
}
