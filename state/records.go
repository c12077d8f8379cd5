package state

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// LegName names one order of an intent.
type LegName string

// The legs of an intent.
const (
	LegEntry  LegName = "entry"
	LegStop   LegName = "stop"
	LegTarget LegName = "target"
	LegExit   LegName = "exit" // a market close (time stop, kill switch, flatten)
)

// OrderKind says which Binance API an order lives in.
type OrderKind string

// Order kinds: regular orders (/fapi/v1/order) and conditional algo orders (/fapi/v1/algoOrder).
const (
	KindRegular OrderKind = "regular"
	KindAlgo    OrderKind = "algo"
)

// LegState is where one leg is in its life, as the order manager sees it.
type LegState string

// Leg states. "pending" is written before sending, so a restart knows it may
// or may not have reached the exchange and must query by client id.
const (
	LegPending  LegState = "pending"
	LegSent     LegState = "sent"
	LegOpen     LegState = "open"
	LegFilled   LegState = "filled"
	LegCanceled LegState = "canceled"
	LegRejected LegState = "rejected"
	LegUnknown  LegState = "unknown" // outcome unknown until queried
)

// IntentStatus is the life of a whole intent.
type IntentStatus string

// Intent statuses.
const (
	IntentPending  IntentStatus = "pending"  // written, nothing sent yet
	IntentActive   IntentStatus = "active"   // entry sent or position open
	IntentClosed   IntentStatus = "closed"   // position closed
	IntentCanceled IntentStatus = "canceled" // entry never filled
	IntentFailed   IntentStatus = "failed"   // rejected or abandoned; see Notes
)

// Leg is one order of an intent with its deterministic client id.
type Leg struct {
	Name       LegName            `json:"name"`
	ClientID   string             `json:"clientId"`
	Kind       OrderKind          `json:"kind"`
	Side       exchange.Side      `json:"side"`
	Type       exchange.OrderType `json:"type"`
	Price      decimal.Decimal    `json:"price"` // limit or trigger price; zero for market
	Qty        decimal.Decimal    `json:"qty"`
	State      LegState           `json:"state"`
	ExchangeID int64              `json:"exchangeId,omitempty"` // orderId or algoId once known
}

// Intent is a plan written before any order is sent (write-ahead), keyed by ID.
type Intent struct {
	ID         string                     `json:"id"` // deterministic client-id base
	SignalID   string                     `json:"signalId"`
	Symbol     string                     `json:"symbol"`
	Direction  exchange.PositionDirection `json:"direction"`
	EntryType  exchange.OrderType         `json:"entryType"`
	EntryPrice decimal.Decimal            `json:"entryPrice"`
	Stop       decimal.Decimal            `json:"stop"`
	Target     decimal.Decimal            `json:"target"`
	Qty        decimal.Decimal            `json:"qty"`
	Leverage   int                        `json:"leverage"`
	Legs       []Leg                      `json:"legs"`
	Status     IntentStatus               `json:"status"`
	CreatedAt  time.Time                  `json:"createdAt"`
	UpdatedAt  time.Time                  `json:"updatedAt"`
	Notes      string                     `json:"notes,omitempty"`
	// RiskUSDT is the plan's worst-case loss (1R), kept for the position's R multiple.
	RiskUSDT decimal.Decimal `json:"riskUsdt"`
}

// Leg returns the leg named n, if the intent has one.
func (in Intent) Leg(n LegName) (Leg, bool) {
	for _, l := range in.Legs {
		if l.Name == n {
			return l, true
		}
	}
	return Leg{}, false
}

// OrderRecord is the last known state of one order, keyed by client id.
type OrderRecord struct {
	ClientID    string             `json:"clientId"`
	ExchangeID  int64              `json:"exchangeId"` // orderId, or algoId for algo orders
	IntentID    string             `json:"intentId"`
	Leg         LegName            `json:"leg"`
	Kind        OrderKind          `json:"kind"`
	Symbol      string             `json:"symbol"`
	Side        exchange.Side      `json:"side"`
	Type        exchange.OrderType `json:"type"`
	Status      string             `json:"status"` // exchange.OrderStatus or exchange.AlgoStatus
	Price       decimal.Decimal    `json:"price"`
	StopPrice   decimal.Decimal    `json:"stopPrice"` // trigger price of a conditional order
	AvgPrice    decimal.Decimal    `json:"avgPrice"`
	Qty         decimal.Decimal    `json:"qty"`
	ExecutedQty decimal.Decimal    `json:"executedQty"`
	ReduceOnly  bool               `json:"reduceOnly"`
	CreatedAt   time.Time          `json:"createdAt"`
	UpdatedAt   time.Time          `json:"updatedAt"`
}

// Fill is one trade execution, keyed by (Time, TradeID). Time must be the
// exchange's trade time so that a re-delivered fill overwrites, not duplicates.
type Fill struct {
	TradeID     int64           `json:"tradeId"`
	ClientID    string          `json:"clientId"`
	OrderID     int64           `json:"orderId"`
	Symbol      string          `json:"symbol"`
	Side        exchange.Side   `json:"side"`
	Price       decimal.Decimal `json:"price"`
	Qty         decimal.Decimal `json:"qty"`
	Fee         decimal.Decimal `json:"fee"`
	FeeAsset    string          `json:"feeAsset"`
	RealizedPnL decimal.Decimal `json:"realizedPnl"`
	Maker       bool            `json:"maker"`
	Time        time.Time       `json:"time"`
}

// PositionRecord is one position from open to close with its costs, keyed by ID.
type PositionRecord struct {
	ID          string                     `json:"id"` // usually the intent id; adopted positions get their own
	IntentID    string                     `json:"intentId"`
	Symbol      string                     `json:"symbol"`
	Direction   exchange.PositionDirection `json:"direction"`
	Qty         decimal.Decimal            `json:"qty"` // open quantity, unsigned
	EntryPrice  decimal.Decimal            `json:"entryPrice"`
	ExitPrice   decimal.Decimal            `json:"exitPrice"` // average, once closed
	Stop        decimal.Decimal            `json:"stop"`
	Target      decimal.Decimal            `json:"target"`
	Fees        decimal.Decimal            `json:"fees"`
	Funding     decimal.Decimal            `json:"funding"`     // paid is negative
	RealizedPnL decimal.Decimal            `json:"realizedPnl"` // net of fees and funding
	RiskUSDT    decimal.Decimal            `json:"riskUsdt"`    // planned worst-case loss (1R)
	R           decimal.Decimal            `json:"r"`           // RealizedPnL / RiskUSDT once closed
	OpenedAt    time.Time                  `json:"openedAt"`
	ClosedAt    time.Time                  `json:"closedAt"` // zero while open
	// EnteredQty and ClosedQty are the totals filled by opening and closing
	// orders (the averages EntryPrice and ExitPrice are over them).
	EnteredQty decimal.Decimal `json:"enteredQty"`
	ClosedQty  decimal.Decimal `json:"closedQty"`
	// ExitReason says what closed it: stop, target, time_stop, cluster_gone, flatten, liquidation, ...
	ExitReason string `json:"exitReason,omitempty"`
}

// Open reports whether the position has not been closed.
func (p PositionRecord) Open() bool { return p.ClosedAt.IsZero() }

// SignalRecord is one strategy signal and what became of it, keyed by (Time, ID).
type SignalRecord struct {
	ID        string                     `json:"id"`
	Time      time.Time                  `json:"time"`
	Symbol    string                     `json:"symbol"`
	Direction exchange.PositionDirection `json:"direction"`
	Entry     decimal.Decimal            `json:"entry"`
	Stop      decimal.Decimal            `json:"stop"`
	Target    decimal.Decimal            `json:"target"`
	Cluster   string                     `json:"cluster"` // the targeted cluster, described
	Features  map[string]string          `json:"features"`
	Reason    string                     `json:"reason"`
	Plan      json.RawMessage            `json:"plan,omitempty"`      // the risk plan, when accepted
	Rejection json.RawMessage            `json:"rejection,omitempty"` // why risk refused, when it did
	Mode      string                     `json:"mode"`                // live | paper | dry-run | replay
}

// MapSnapshot is an opaque liquidation-map snapshot, keyed by Time. Only the
// newest Options.KeepSnapshots are kept.
type MapSnapshot struct {
	Time    time.Time `json:"time"`
	Version int       `json:"version"`
	Data    []byte    `json:"data"`
}
