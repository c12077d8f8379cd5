package exchange

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Side is the side of an order or a trade as Binance spells it.
type Side string

// Order sides.
const (
	Buy  Side = "BUY"
	Sell Side = "SELL"
)

// Opposite returns the side that closes a position opened with s.
func (s Side) Opposite() Side {
	if s == Buy {
		return Sell
	}
	return Buy
}

// Sign is +1 for Buy (long) and -1 for Sell (short).
func (s Side) Sign() int64 {
	if s == Buy {
		return 1
	}
	return -1
}

// Valid reports whether s is Buy or Sell.
func (s Side) Valid() bool { return s == Buy || s == Sell }

// PositionDirection names which way a position faces.
type PositionDirection string

// Position directions.
const (
	Long  PositionDirection = "LONG"
	Short PositionDirection = "SHORT"
)

// EntrySide is the order side that opens a position in direction d.
func (d PositionDirection) EntrySide() Side {
	if d == Long {
		return Buy
	}
	return Sell
}

// Sign is +1 for Long and -1 for Short.
func (d PositionDirection) Sign() int64 {
	if d == Long {
		return 1
	}
	return -1
}

// Valid reports whether d is Long or Short.
func (d PositionDirection) Valid() bool { return d == Long || d == Short }

// OrderType is an order's type. Conditional types go through the algo API.
type OrderType string

// Order types.
const (
	Limit            OrderType = "LIMIT"
	Market           OrderType = "MARKET"
	StopMarket       OrderType = "STOP_MARKET"
	TakeProfitMarket OrderType = "TAKE_PROFIT_MARKET"
	Stop             OrderType = "STOP"
	TakeProfit       OrderType = "TAKE_PROFIT"
	TrailingStop     OrderType = "TRAILING_STOP_MARKET"
	LiquidationOrder OrderType = "LIQUIDATION"
)

// Conditional reports whether t must be sent through the algo order API.
func (t OrderType) Conditional() bool {
	switch t {
	case StopMarket, TakeProfitMarket, Stop, TakeProfit, TrailingStop:
		return true
	}
	return false
}

// TimeInForce says how long a limit order rests.
type TimeInForce string

// Times in force. GTX is post-only.
const (
	GTC TimeInForce = "GTC"
	IOC TimeInForce = "IOC"
	FOK TimeInForce = "FOK"
	GTX TimeInForce = "GTX"
)

// OrderStatus is the lifecycle state of a regular order.
type OrderStatus string

// Order statuses.
const (
	StatusNew             OrderStatus = "NEW"
	StatusPartiallyFilled OrderStatus = "PARTIALLY_FILLED"
	StatusFilled          OrderStatus = "FILLED"
	StatusCanceled        OrderStatus = "CANCELED"
	StatusRejected        OrderStatus = "REJECTED"
	StatusExpired         OrderStatus = "EXPIRED"
)

// Final reports whether no more fills can happen.
func (s OrderStatus) Final() bool {
	switch s {
	case StatusFilled, StatusCanceled, StatusRejected, StatusExpired:
		return true
	}
	return false
}

// AlgoStatus is the lifecycle state of a conditional (algo) order.
type AlgoStatus string

// Algo order statuses as ALGO_UPDATE reports them.
const (
	AlgoNew        AlgoStatus = "NEW"
	AlgoCanceled   AlgoStatus = "CANCELED"
	AlgoTriggering AlgoStatus = "TRIGGERING"
	AlgoTriggered  AlgoStatus = "TRIGGERED"
	AlgoFinished   AlgoStatus = "FINISHED"
	AlgoRejected   AlgoStatus = "REJECTED"
	AlgoExpired    AlgoStatus = "EXPIRED"
)

// Open reports whether the algo order still protects (not yet triggered or ended).
func (s AlgoStatus) Open() bool { return s == AlgoNew || s == AlgoTriggering }

// WorkingType says which price triggers a conditional order.
type WorkingType string

// Working types.
const (
	MarkPriceTrigger     WorkingType = "MARK_PRICE"
	ContractPriceTrigger WorkingType = "CONTRACT_PRICE"
)

// MarginType is isolated or cross margin.
type MarginType string

// Margin types as Binance spells them in requests.
const (
	Isolated MarginType = "ISOLATED"
	Cross    MarginType = "CROSSED"
)

// Bracket is one maintenance-margin tier of a symbol's leverage brackets.
type Bracket struct {
	Bracket          int             `json:"bracket"`
	InitialLeverage  int             `json:"initialLeverage"`
	NotionalFloor    decimal.Decimal `json:"notionalFloor"`
	NotionalCap      decimal.Decimal `json:"notionalCap"`
	MaintMarginRatio decimal.Decimal `json:"maintMarginRatio"`
	Cum              decimal.Decimal `json:"cum"`
}

// SymbolRules are the exchange filters and margin tiers of one symbol.
type SymbolRules struct {
	Symbol         string          `json:"symbol"`
	TickSize       decimal.Decimal `json:"tickSize"`
	MinPrice       decimal.Decimal `json:"minPrice"`
	MaxPrice       decimal.Decimal `json:"maxPrice"`
	StepSize       decimal.Decimal `json:"stepSize"`
	MinQty         decimal.Decimal `json:"minQty"`
	MaxQty         decimal.Decimal `json:"maxQty"`
	MarketStepSize decimal.Decimal `json:"marketStepSize"`
	MarketMinQty   decimal.Decimal `json:"marketMinQty"`
	MarketMaxQty   decimal.Decimal `json:"marketMaxQty"`
	MinNotional    decimal.Decimal `json:"minNotional"`
	MultiplierUp   decimal.Decimal `json:"multiplierUp"`
	MultiplierDown decimal.Decimal `json:"multiplierDown"`
	MaxLeverage    int             `json:"maxLeverage"`
	Brackets       []Bracket       `json:"brackets"`
}

// OrderRequest asks for a regular (non-conditional) order.
type OrderRequest struct {
	Symbol      string          `json:"symbol"`
	ClientID    string          `json:"clientId"`
	Side        Side            `json:"side"`
	Type        OrderType       `json:"type"`
	TimeInForce TimeInForce     `json:"timeInForce,omitempty"`
	Qty         decimal.Decimal `json:"qty"`
	Price       decimal.Decimal `json:"price"`
	ReduceOnly  bool            `json:"reduceOnly"`
}

// Validate reports a request that can never be valid, before it is sent.
func (r OrderRequest) Validate() error {
	switch {
	case r.Symbol == "":
		return fmt.Errorf("order %q: symbol is empty", r.ClientID)
	case r.ClientID == "" || len(r.ClientID) > 36:
		return fmt.Errorf("order %q: client id must be 1-36 characters", r.ClientID)
	case !r.Side.Valid():
		return fmt.Errorf("order %s: side %q is not BUY or SELL", r.ClientID, r.Side)
	case r.Type.Conditional():
		return fmt.Errorf("order %s: %s must go through the algo order API", r.ClientID, r.Type)
	case !r.Qty.IsPositive():
		return fmt.Errorf("order %s: qty must be > 0, got %s", r.ClientID, r.Qty)
	case r.Type == Limit && !r.Price.IsPositive():
		return fmt.Errorf("order %s: limit price must be > 0, got %s", r.ClientID, r.Price)
	}
	return nil
}

// Order is what the exchange knows about a regular order.
type Order struct {
	Symbol      string          `json:"symbol"`
	ClientID    string          `json:"clientId"`
	OrderID     int64           `json:"orderId"`
	Side        Side            `json:"side"`
	Type        OrderType       `json:"type"`
	TimeInForce TimeInForce     `json:"timeInForce,omitempty"`
	Status      OrderStatus     `json:"status"`
	Price       decimal.Decimal `json:"price"`
	Qty         decimal.Decimal `json:"qty"`
	ExecutedQty decimal.Decimal `json:"executedQty"`
	AvgPrice    decimal.Decimal `json:"avgPrice"`
	ReduceOnly  bool            `json:"reduceOnly"`
	UpdateTime  time.Time       `json:"updateTime"`
}

// AlgoOrderRequest asks for a conditional order through the algo order API
// (Binance's only route for STOP_MARKET and TAKE_PROFIT_MARKET since 2025-12-09).
type AlgoOrderRequest struct {
	Symbol        string          `json:"symbol"`
	ClientAlgoID  string          `json:"clientAlgoId"`
	Side          Side            `json:"side"`
	Type          OrderType       `json:"type"`
	TriggerPrice  decimal.Decimal `json:"triggerPrice"`
	Qty           decimal.Decimal `json:"qty"`
	ClosePosition bool            `json:"closePosition"`
	ReduceOnly    bool            `json:"reduceOnly"`
	WorkingType   WorkingType     `json:"workingType"`
	PriceProtect  bool            `json:"priceProtect"`
}

// Validate reports a request that can never be valid, before it is sent.
func (r AlgoOrderRequest) Validate() error {
	switch {
	case r.Symbol == "":
		return fmt.Errorf("algo order %q: symbol is empty", r.ClientAlgoID)
	case r.ClientAlgoID == "" || len(r.ClientAlgoID) > 36:
		return fmt.Errorf("algo order %q: client algo id must be 1-36 characters", r.ClientAlgoID)
	case !r.Side.Valid():
		return fmt.Errorf("algo order %s: side %q is not BUY or SELL", r.ClientAlgoID, r.Side)
	case r.Type != StopMarket && r.Type != TakeProfitMarket:
		return fmt.Errorf("algo order %s: type %s is not STOP_MARKET or TAKE_PROFIT_MARKET", r.ClientAlgoID, r.Type)
	case !r.TriggerPrice.IsPositive():
		return fmt.Errorf("algo order %s: trigger price must be > 0, got %s", r.ClientAlgoID, r.TriggerPrice)
	case !r.ClosePosition && !r.Qty.IsPositive():
		return fmt.Errorf("algo order %s: qty must be > 0 unless closePosition, got %s", r.ClientAlgoID, r.Qty)
	}
	return nil
}

// AlgoOrder is what the exchange knows about a conditional order.
type AlgoOrder struct {
	Symbol        string          `json:"symbol"`
	ClientAlgoID  string          `json:"clientAlgoId"`
	AlgoID        int64           `json:"algoId"`
	Side          Side            `json:"side"`
	Type          OrderType       `json:"type"`
	Status        AlgoStatus      `json:"status"`
	TriggerPrice  decimal.Decimal `json:"triggerPrice"`
	Qty           decimal.Decimal `json:"qty"`
	ClosePosition bool            `json:"closePosition"`
	ReduceOnly    bool            `json:"reduceOnly"`
	WorkingType   WorkingType     `json:"workingType"`
	ActualOrderID int64           `json:"actualOrderId"`
	UpdateTime    time.Time       `json:"updateTime"`
}

// Position is one symbol's position in one-way mode. Qty is signed:
// positive long, negative short, zero flat.
type Position struct {
	Symbol           string          `json:"symbol"`
	Qty              decimal.Decimal `json:"qty"`
	EntryPrice       decimal.Decimal `json:"entryPrice"`
	MarkPrice        decimal.Decimal `json:"markPrice"`
	UnrealizedPnL    decimal.Decimal `json:"unrealizedPnl"`
	LiquidationPrice decimal.Decimal `json:"liquidationPrice"`
	Leverage         int             `json:"leverage"`
	MarginType       MarginType      `json:"marginType"`
	IsolatedWallet   decimal.Decimal `json:"isolatedWallet"`
	UpdateTime       time.Time       `json:"updateTime"`
}

// Direction returns Long or Short; meaningless when flat.
func (p Position) Direction() PositionDirection {
	if p.Qty.IsNegative() {
		return Short
	}
	return Long
}

// Flat reports whether the position has no quantity.
func (p Position) Flat() bool { return p.Qty.IsZero() }

// Balance is one asset's balance in the futures wallet.
type Balance struct {
	Asset           string          `json:"asset"`
	Wallet          decimal.Decimal `json:"wallet"`
	CrossWallet     decimal.Decimal `json:"crossWallet"`
	Available       decimal.Decimal `json:"available"`
	CrossUnrealized decimal.Decimal `json:"crossUnrealized"`
	BalanceChange   decimal.Decimal `json:"balanceChange"`
	MaxWithdrawable decimal.Decimal `json:"maxWithdrawable"`
	UpdateTime      time.Time       `json:"updateTime"`
}

// Income is one entry of the account's income history (funding, fees, PnL).
type Income struct {
	Symbol  string          `json:"symbol"`
	Type    string          `json:"type"` // FUNDING_FEE, COMMISSION, REALIZED_PNL, ...
	Amount  decimal.Decimal `json:"amount"`
	Asset   string          `json:"asset"`
	Info    string          `json:"info"`
	TradeID string          `json:"tradeId"`
	TranID  int64           `json:"tranId"`
	Time    time.Time       `json:"time"`
}
