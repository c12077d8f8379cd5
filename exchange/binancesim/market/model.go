package market

import (
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// subStep is the fixed simulated time of one internal step.
const subStep = 100 * time.Millisecond

// Model is one deterministic synthetic market. It is not safe for
// concurrent use: the simulator server owns it behind its own lock.
type Model struct {
	cfg      Config
	rng      *rand.Rand
	now      time.Time
	price    int64 // ticks
	nextFund time.Time
	tradeID  int64
	pending  Output
}

// New builds a market from cfg (zero fields take defaults).
func New(cfg Config) (*Model, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Model{
		cfg:      c,
		rng:      rand.New(rand.NewPCG(uint64(c.Seed), 0x6d61726b6574)),
		now:      c.Start,
		price:    c.StartPrice.Div(c.TickSize).IntPart(),
		nextFund: c.Start.Truncate(c.FundingInterval).Add(c.FundingInterval),
	}, nil
}

func (m *Model) px(t int64) decimal.Decimal { return m.cfg.TickSize.Mul(decimal.NewFromInt(t)) }

// Step advances simulated time to now and returns what happened since the previous Step.
func (m *Model) Step(now time.Time) Output {
	out := m.pending
	m.pending = Output{}
	for !m.now.Add(subStep).After(now) {
		m.now = m.now.Add(subStep)
		m.price += int64(m.rng.IntN(3)) - 1
		if m.rng.IntN(5) == 0 {
			m.tradeID++
			out.Trades = append(out.Trades, exchange.Trade{
				EventMeta: exchange.EventMeta{Symbol: m.cfg.Symbol, ExchangeTime: m.now},
				ID:        m.tradeID, Price: m.px(m.price), Qty: m.cfg.StepSize.Mul(decimal.NewFromInt(100)),
				BuyerMaker: m.rng.IntN(2) == 0, TradeTime: m.now,
			})
		}
		if !m.now.Before(m.nextFund) {
			out.Fundings = append(out.Fundings, Funding{Time: m.nextFund, Rate: decimal.RequireFromString("0.0001"), Mark: m.px(m.price)})
			m.nextFund = m.nextFund.Add(m.cfg.FundingInterval)
		}
	}
	return out
}

// Quote is the current state.
func (m *Model) Quote() Quote {
	return Quote{
		Time: m.now, Last: m.px(m.price), Mark: m.px(m.price), Index: m.px(m.price),
		Bid: m.px(m.price - 1), Ask: m.px(m.price + 1), BidQty: decimal.NewFromInt(5), AskQty: decimal.NewFromInt(5),
		OpenInterest: decimal.NewFromInt(10000), FundingRate: decimal.RequireFromString("0.0001"),
		InterestRate: decimal.RequireFromString("0.0001"), NextFundingTime: m.nextFund,
	}
}

// Depth returns up to levels price levels per side, best first.
func (m *Model) Depth(levels int) (bids, asks []Level) {
	for i := range levels {
		bids = append(bids, Level{Price: m.px(m.price - 1 - int64(i)), Qty: decimal.NewFromInt(5)})
		asks = append(asks, Level{Price: m.px(m.price + 1 + int64(i)), Qty: decimal.NewFromInt(5)})
	}
	return bids, asks
}

// SetPrice forces last and mark to p at the current time.
func (m *Model) SetPrice(p decimal.Decimal) { m.price = p.Div(m.cfg.TickSize).IntPart() }

// TakeLiquidity fills an external taker order against the book and moves the price.
func (m *Model) TakeLiquidity(side exchange.Side, qty decimal.Decimal) []Fill {
	f := Fill{Price: m.px(m.price + side.Sign()), Qty: qty}
	m.price += side.Sign()
	return []Fill{f}
}
