package binance

import (
	"fmt"
	"strconv"
	"time"

	"github.com/adshao/go-binance/v2/futures"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// parser parses exchange strings into decimals and remembers the first
// failure, so a converter reads as a list of fields and checks once.
type parser struct{ err error }

// dec parses s; the empty string (an absent optional field) is zero.
func (p *parser) dec(field, s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	d, err := decimal.NewFromString(s)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("field %s: bad decimal %q: %w", field, s, err)
	}
	return d
}

// int parses a decimal integer string; empty is zero.
func (p *parser) int(field, s string) int64 {
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("field %s: bad integer %q: %w", field, s, err)
	}
	return v
}

// msTime converts Binance epoch milliseconds; 0 stays the zero time.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// orderFields are the order fields go-binance repeats in its Order,
// CreateOrderResponse and CancelOrderResponse types; one conversion serves all three.
type orderFields struct {
	symbol, clientID                      string
	orderID                               int64
	side, typ, tif, status                string
	price, origQty, executedQty, avgPrice string
	reduceOnly                            bool
	updateTime                            int64
}

func (f orderFields) order() (exchange.Order, error) {
	var p parser
	out := exchange.Order{
		Symbol: f.symbol, ClientID: f.clientID, OrderID: f.orderID,
		Side: exchange.Side(f.side), Type: exchange.OrderType(f.typ),
		TimeInForce: exchange.TimeInForce(f.tif), Status: exchange.OrderStatus(f.status),
		Price:       p.dec("price", f.price),
		Qty:         p.dec("origQty", f.origQty),
		ExecutedQty: p.dec("executedQty", f.executedQty),
		AvgPrice:    p.dec("avgPrice", f.avgPrice),
		ReduceOnly:  f.reduceOnly,
		UpdateTime:  msTime(f.updateTime),
	}
	return out, p.err
}

func orderFromAPI(o *futures.Order) (exchange.Order, error) {
	return orderFields{o.Symbol, o.ClientOrderID, o.OrderID, string(o.Side), string(o.Type), string(o.TimeInForce),
		string(o.Status), o.Price, o.OrigQuantity, o.ExecutedQuantity, o.AvgPrice, o.ReduceOnly, o.UpdateTime}.order()
}

func orderFromCreate(o *futures.CreateOrderResponse) (exchange.Order, error) {
	return orderFields{o.Symbol, o.ClientOrderID, o.OrderID, string(o.Side), string(o.Type), string(o.TimeInForce),
		string(o.Status), o.Price, o.OrigQuantity, o.ExecutedQuantity, o.AvgPrice, o.ReduceOnly, o.UpdateTime}.order()
}

// orderFromCancel: a cancel reply has no avgPrice.
func orderFromCancel(o *futures.CancelOrderResponse) (exchange.Order, error) {
	return orderFields{o.Symbol, o.ClientOrderID, o.OrderID, string(o.Side), string(o.Type), string(o.TimeInForce),
		string(o.Status), o.Price, o.OrigQuantity, o.ExecutedQuantity, "", o.ReduceOnly, o.UpdateTime}.order()
}

func positionFromAPI(r *futures.PositionRisk) (exchange.Position, error) {
	var p parser
	out := exchange.Position{
		Symbol:           r.Symbol,
		Qty:              p.dec("positionAmt", r.PositionAmt),
		EntryPrice:       p.dec("entryPrice", r.EntryPrice),
		MarkPrice:        p.dec("markPrice", r.MarkPrice),
		UnrealizedPnL:    p.dec("unRealizedProfit", r.UnRealizedProfit),
		LiquidationPrice: p.dec("liquidationPrice", r.LiquidationPrice),
		Leverage:         int(p.int("leverage", r.Leverage)),
		MarginType:       marginTypeFromAPI(r.MarginType),
		IsolatedWallet:   p.dec("isolatedWallet", r.IsolatedWallet),
	}
	return out, p.err
}

// marginTypeFromAPI maps positionRisk's lower-case "isolated"/"cross" and
// the stream's "isolated"/"cross" to the request spelling.
func marginTypeFromAPI(s string) exchange.MarginType {
	switch s {
	case "isolated", "ISOLATED":
		return exchange.Isolated
	case "cross", "crossed", "CROSSED", "CROSS":
		return exchange.Cross
	}
	return exchange.MarginType(s)
}

func balanceFromAPI(b *futures.Balance) (exchange.Balance, error) {
	var p parser
	out := exchange.Balance{
		Asset:           b.Asset,
		Wallet:          p.dec("balance", b.Balance),
		CrossWallet:     p.dec("crossWalletBalance", b.CrossWalletBalance),
		Available:       p.dec("availableBalance", b.AvailableBalance),
		CrossUnrealized: p.dec("crossUnPnl", b.CrossUnPnl),
		MaxWithdrawable: p.dec("maxWithdrawAmount", b.MaxWithdrawAmount),
		UpdateTime:      msTime(b.UpdateTime),
	}
	return out, p.err
}
