package binancesim

import (
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// fallbackModel is a deliberately tiny market: a seeded random walk with a
// ten-level book, one or two trades per step, an occasional liquidation and
// funding every interval (eight hours by default). It exists so the simulator works without the
// market package (Options.Scenario "flat"); the real dynamics live there.
type fallbackModel struct {
	rng      *rand.Rand
	tick     decimal.Decimal
	step     decimal.Decimal // book level size
	price    decimal.Decimal
	last     time.Time
	nextFund time.Time
	interval time.Duration
	oi       decimal.Decimal
	printed  []mTrade // taker fills to print on the next step, as the market model does
}

func newFallbackModel(seed int64, start time.Time, price decimal.Decimal, interval time.Duration) *fallbackModel {
	if interval <= 0 {
		interval = 8 * time.Hour
	}
	return &fallbackModel{
		interval: interval,
		rng:      rand.New(rand.NewPCG(uint64(seed), 0x7a0)),
		tick:     decimal.RequireFromString("0.01"),
		step:     decimal.RequireFromString("5"),
		price:    price,
		last:     start,
		nextFund: nextFundingAfter(start, interval),
		oi:       decimal.NewFromInt(100000),
	}
}

// FundingInterval is the time between funding settlements.
func (m *fallbackModel) FundingInterval() time.Duration { return m.interval }

// nextFundingAfter is the first funding time strictly after t on an interval grid from midnight UTC.
func nextFundingAfter(t time.Time, interval time.Duration) time.Time {
	return t.Truncate(interval).Add(interval)
}

func (m *fallbackModel) Step(now time.Time) stepOutput {
	var out stepOutput
	if !now.After(m.last) {
		return out
	}
	m.last = now
	out.Trades, m.printed = m.printed, nil
	moves := m.rng.IntN(7) - 3
	m.price = m.price.Add(m.tick.Mul(decimal.NewFromInt(int64(moves))))
	for i := range 1 + m.rng.IntN(2) {
		qty := decimal.NewFromInt(int64(1 + m.rng.IntN(50))).Div(decimal.NewFromInt(10))
		out.Trades = append(out.Trades, mTrade{
			Time: now.Add(-time.Duration(i) * time.Millisecond), Price: m.price, Qty: qty, BuyerMaker: m.rng.IntN(2) == 0,
		})
	}
	if m.rng.IntN(20) == 0 {
		side := exchange.Sell
		if m.rng.IntN(2) == 0 {
			side = exchange.Buy
		}
		qty := decimal.NewFromInt(int64(1 + m.rng.IntN(30)))
		out.Liquidations = append(out.Liquidations, mLiquidation{Time: now, Side: side, Price: m.price, AvgPrice: m.price, Qty: qty})
	}
	for !now.Before(m.nextFund) {
		out.Fundings = append(out.Fundings, mFunding{Time: m.nextFund, Rate: decimal.RequireFromString("0.0001"), Mark: m.price})
		m.nextFund = m.nextFund.Add(m.interval)
	}
	return out
}

func (m *fallbackModel) Quote() quote {
	return quote{
		Bid: m.price.Sub(m.tick), BidQty: m.step, Ask: m.price.Add(m.tick), AskQty: m.step,
		Last: m.price, Mark: m.price, Index: m.price,
		FundingRate: decimal.RequireFromString("0.0001"), InterestRate: decimal.RequireFromString("0.0001"),
		NextFunding: m.nextFund, OpenInterest: m.oi,
	}
}

func (m *fallbackModel) Depth(n int) (bids, asks []level) {
	for i := 1; i <= n; i++ {
		d := m.tick.Mul(decimal.NewFromInt(int64(i)))
		bids = append(bids, level{Price: m.price.Sub(d), Qty: m.step})
		asks = append(asks, level{Price: m.price.Add(d), Qty: m.step})
	}
	return bids, asks
}

func (m *fallbackModel) SetPrice(p decimal.Decimal) { m.price = p }

func (m *fallbackModel) TakeLiquidity(side exchange.Side, qty decimal.Decimal) []fill {
	var fills []fill
	left := qty
	for i := int64(1); left.IsPositive(); i++ {
		q := decimal.Min(left, m.step)
		d := m.tick.Mul(decimal.NewFromInt(i))
		p := m.price.Add(d)
		if side == exchange.Sell {
			p = m.price.Sub(d)
		}
		fills = append(fills, fill{Price: p, Qty: q})
		m.printed = append(m.printed, mTrade{Time: m.last, Price: p, Qty: q, BuyerMaker: side == exchange.Sell, Own: true})
		left = left.Sub(q)
	}
	if n := len(fills); n > 0 {
		m.price = fills[n-1].Price
	}
	return fills
}
