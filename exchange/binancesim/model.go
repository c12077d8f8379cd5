package binancesim

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// model is what the simulator needs from a synthetic market. The market
// package's Model is plugged in through an adapter (model_market.go); the
// types below are the simulator's own so the protocol code does not depend
// on the model's internals.
type model interface {
	// Step advances the market to now and returns what happened since the last step.
	Step(now time.Time) stepOutput
	// Quote is the current top of book, mark, index, funding and open interest.
	Quote() quote
	// Depth returns up to n levels per side, best first.
	Depth(n int) (bids, asks []level)
	// SetPrice moves the market to p at once.
	SetPrice(p decimal.Decimal)
	// TakeLiquidity fills a taker order of qty against the book and moves it.
	TakeLiquidity(side exchange.Side, qty decimal.Decimal) []fill
}

// stepOutput is one step of public market activity.
type stepOutput struct {
	Trades       []mTrade
	Liquidations []mLiquidation
	Fundings     []mFunding
}

// mTrade is one public trade printed by the model.
type mTrade struct {
	Time  time.Time
	Price decimal.Decimal
	Qty   decimal.Decimal
	// BuyerMaker is true when the taker sold.
	BuyerMaker bool
	// Own marks the print of the bot's own taker fill, tagged by the model
	// that made it (self-trade prevention: the bot's resting orders skip it).
	Own bool
}

// mLiquidation is one forced order of a simulated trader.
type mLiquidation struct {
	Time     time.Time
	Side     exchange.Side // SELL closes a long
	Price    decimal.Decimal
	AvgPrice decimal.Decimal
	Qty      decimal.Decimal
}

// mFunding is a funding settlement at a funding time.
type mFunding struct {
	Time time.Time
	Rate decimal.Decimal
	Mark decimal.Decimal
}

// quote is the model's current state as the streams and REST report it.
type quote struct {
	Bid, BidQty, Ask, AskQty decimal.Decimal
	Last                     decimal.Decimal
	Mark, Index              decimal.Decimal
	FundingRate              decimal.Decimal
	InterestRate             decimal.Decimal
	NextFunding              time.Time
	OpenInterest             decimal.Decimal
}

// level is one price level of the book.
type level struct {
	Price, Qty decimal.Decimal
}

// fill is one piece of a taker order's execution.
type fill struct {
	Price, Qty decimal.Decimal
}
