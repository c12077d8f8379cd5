package exchange

import (
	"time"

	"github.com/shopspring/decimal"
)

// Event is one thing that happened at the venue. The set is closed: the
// concrete types below are all there is, so a type switch can be exhaustive.
type Event interface {
	// Meta returns the symbol and the two timestamps every event carries.
	Meta() EventMeta
	isEvent()
}

// EventMeta is common to every event.
type EventMeta struct {
	Symbol string `json:"symbol"`
	// ExchangeTime is the venue's event time (Binance "E", or "T" where that is the trade time).
	ExchangeTime time.Time `json:"exchangeTime"`
	// ReceiveTime is when taobot received it, on the injected clock.
	ReceiveTime time.Time `json:"receiveTime"`
}

// Meta implements Event.
func (m EventMeta) Meta() EventMeta { return m }
func (EventMeta) isEvent()          {}

// Trade is an aggregated trade (aggTrade).
type Trade struct {
	EventMeta
	ID    int64           `json:"id"`
	Price decimal.Decimal `json:"price"`
	Qty   decimal.Decimal `json:"qty"`
	// BuyerMaker is Binance's "m": true when the buyer rested, i.e. the taker sold.
	BuyerMaker bool      `json:"buyerMaker"`
	TradeTime  time.Time `json:"tradeTime"`
}

// TakerSide is the aggressor's side.
func (t Trade) TakerSide() Side {
	if t.BuyerMaker {
		return Sell
	}
	return Buy
}

// MarkPrice is a markPrice stream update with funding.
type MarkPrice struct {
	EventMeta
	Mark            decimal.Decimal `json:"mark"`
	Index           decimal.Decimal `json:"index"`
	EstimatedSettle decimal.Decimal `json:"estimatedSettle"`
	FundingRate     decimal.Decimal `json:"fundingRate"`
	NextFundingTime time.Time       `json:"nextFundingTime"`
}

// Liquidation is a forced order from the forceOrder stream. The venue pushes
// at most one per symbol per second, so these are a sample, not a full record.
type Liquidation struct {
	EventMeta
	// Side of the forced order: SELL closes a long, BUY closes a short.
	Side      Side            `json:"side"`
	Price     decimal.Decimal `json:"price"`
	AvgPrice  decimal.Decimal `json:"avgPrice"`
	Qty       decimal.Decimal `json:"qty"`
	LastQty   decimal.Decimal `json:"lastQty"`
	FilledQty decimal.Decimal `json:"filledQty"`
	Status    OrderStatus     `json:"status"`
	TradeTime time.Time       `json:"tradeTime"`
}

// LiquidatedDirection is the direction of the position that was force-closed.
func (l Liquidation) LiquidatedDirection() PositionDirection {
	if l.Side == Sell {
		return Long
	}
	return Short
}

// Notional is filled quantity times average price, falling back to qty*price.
func (l Liquidation) Notional() decimal.Decimal {
	if l.FilledQty.IsPositive() && l.AvgPrice.IsPositive() {
		return l.FilledQty.Mul(l.AvgPrice)
	}
	return l.Qty.Mul(l.Price)
}

// OpenInterest is the symbol's open interest in contracts (base asset) at a time.
type OpenInterest struct {
	EventMeta
	OpenInterest decimal.Decimal `json:"openInterest"`
	// Value is the notional in quote asset when the source provides it (history), else zero.
	Value decimal.Decimal `json:"value"`
	// Backfill is true for points replayed from openInterestHist at start.
	Backfill bool `json:"backfill"`
}

// BookTicker is the best bid and ask.
type BookTicker struct {
	EventMeta
	UpdateID int64           `json:"updateId"`
	BidPrice decimal.Decimal `json:"bidPrice"`
	BidQty   decimal.Decimal `json:"bidQty"`
	AskPrice decimal.Decimal `json:"askPrice"`
	AskQty   decimal.Decimal `json:"askQty"`
}

// OrderUpdate is an ORDER_TRADE_UPDATE from the user-data stream.
type OrderUpdate struct {
	EventMeta
	Order Order `json:"order"`
	// ExecType is NEW, TRADE, CANCELED, CALCULATED (liquidation), EXPIRED, AMENDMENT.
	ExecType        string          `json:"execType"`
	LastFillQty     decimal.Decimal `json:"lastFillQty"`
	LastFillPrice   decimal.Decimal `json:"lastFillPrice"`
	Commission      decimal.Decimal `json:"commission"`
	CommissionAsset string          `json:"commissionAsset"`
	RealizedPnL     decimal.Decimal `json:"realizedPnl"`
	Maker           bool            `json:"maker"`
	TradeID         int64           `json:"tradeId"`
}

// AlgoUpdate is an ALGO_UPDATE from the user-data stream.
type AlgoUpdate struct {
	EventMeta
	AlgoOrder AlgoOrder `json:"algoOrder"`
}

// AccountUpdate is an ACCOUNT_UPDATE from the user-data stream.
type AccountUpdate struct {
	EventMeta
	// Reason is Binance's "m": ORDER, FUNDING_FEE, DEPOSIT, ...
	Reason    string     `json:"reason"`
	Balances  []Balance  `json:"balances"`
	Positions []Position `json:"positions"`
}

// StreamGap says a stream was (or is) blind. It is emitted once when the
// gap is detected (End zero) and again when data resumes (End set).
type StreamGap struct {
	EventMeta
	Stream string    `json:"stream"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Reason string    `json:"reason"`
}

// Ongoing reports whether the stream is still blind.
func (g StreamGap) Ongoing() bool { return g.End.IsZero() }

var (
	_ Event = Trade{}
	_ Event = MarkPrice{}
	_ Event = Liquidation{}
	_ Event = OpenInterest{}
	_ Event = BookTicker{}
	_ Event = OrderUpdate{}
	_ Event = AlgoUpdate{}
	_ Event = AccountUpdate{}
	_ Event = StreamGap{}
)
