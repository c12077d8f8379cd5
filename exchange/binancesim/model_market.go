package binancesim

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim/market"
)

// FallbackScenario selects the built-in tiny random walk instead of the market package.
const FallbackScenario = "flat"

// fundingIntervaler is implemented by models with a funding interval other than 8h.
type fundingIntervaler interface{ FundingInterval() time.Duration }

// newModel builds the market model Options ask for.
func newModel(o Options) (model, error) {
	if o.Scenario == FallbackScenario {
		return newFallbackModel(o.Seed, o.Start, o.StartPrice, o.FundingInterval), nil
	}
	rules := defaultRules(o)
	cfg := market.Config{
		Seed: o.Seed, Scenario: market.Scenario(o.Scenario), Symbol: Symbol, Start: o.Start, StartPrice: o.StartPrice,
		TickSize: rules.TickSize, StepSize: rules.StepSize, Brackets: o.Brackets, FundingInterval: o.FundingInterval,
		EventAt: o.EventAt, EventEvery: o.EventEvery,
	}
	m, err := market.New(cfg)
	if err != nil {
		return nil, err
	}
	interval := o.FundingInterval
	if interval == 0 {
		interval = market.DefaultConfig().FundingInterval
	}
	return &marketModel{m: m, interval: interval, own: map[int64]bool{}}, nil
}

// marketModel adapts *market.Model to the simulator's model interface.
type marketModel struct {
	m        *market.Model
	interval time.Duration
	own      map[int64]bool // trade IDs of the bot's fills not yet printed
}

func (a *marketModel) FundingInterval() time.Duration { return a.interval }

func (a *marketModel) Step(now time.Time) stepOutput {
	o := a.m.Step(now)
	var out stepOutput
	for _, t := range o.Trades {
		at := t.TradeTime
		if at.IsZero() {
			at = t.ExchangeTime
		}
		own := a.own[t.ID]
		delete(a.own, t.ID)
		out.Trades = append(out.Trades, mTrade{Time: at, Price: t.Price, Qty: t.Qty, BuyerMaker: t.BuyerMaker, Own: own})
	}
	for _, l := range o.Liquidations {
		at := l.TradeTime
		if at.IsZero() {
			at = l.ExchangeTime
		}
		qty := l.FilledQty
		if qty.IsZero() {
			qty = l.Qty
		}
		avg := l.AvgPrice
		if avg.IsZero() {
			avg = l.Price
		}
		out.Liquidations = append(out.Liquidations, mLiquidation{Time: at, Side: l.Side, Price: l.Price, AvgPrice: avg, Qty: qty})
	}
	for _, f := range o.Fundings {
		out.Fundings = append(out.Fundings, mFunding{Time: f.Time, Rate: f.Rate, Mark: f.Mark})
	}
	return out
}

func (a *marketModel) Quote() quote {
	q := a.m.Quote()
	return quote{
		Bid: q.Bid, BidQty: q.BidQty, Ask: q.Ask, AskQty: q.AskQty, Last: q.Last, Mark: q.Mark, Index: q.Index,
		FundingRate: q.FundingRate, InterestRate: q.InterestRate, NextFunding: q.NextFundingTime, OpenInterest: q.OpenInterest,
	}
}

func (a *marketModel) Depth(n int) (bids, asks []level) {
	b, s := a.m.Depth(n)
	for _, l := range b {
		bids = append(bids, level{Price: l.Price, Qty: l.Qty})
	}
	for _, l := range s {
		asks = append(asks, level{Price: l.Price, Qty: l.Qty})
	}
	return bids, asks
}

func (a *marketModel) SetPrice(p decimal.Decimal) { a.m.SetPrice(p) }

func (a *marketModel) TakeLiquidity(side exchange.Side, qty decimal.Decimal) []fill {
	var out []fill
	for _, f := range a.m.TakeLiquidity(side, qty) {
		out = append(out, fill{Price: f.Price, Qty: f.Qty})
		a.own[f.TradeID] = true
	}
	return out
}

// fundingInterval is the symbol's funding interval.
func (s *Sim) fundingInterval() time.Duration {
	if fi, ok := s.model.(fundingIntervaler); ok && fi.FundingInterval() > 0 {
		return fi.FundingInterval()
	}
	return 8 * time.Hour
}
