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

func orderFromAPI(o *futures.Order) (exchange.Order, error) {
	var p parser
	out := exchange.Order{
		Symbol: o.Symbol, ClientID: o.ClientOrderID, OrderID: o.OrderID,
		Side: exchange.Side(o.Side), Type: exchange.OrderType(o.Type),
		TimeInForce: exchange.TimeInForce(o.TimeInForce), Status: exchange.OrderStatus(o.Status),
		Price:       p.dec("price", o.Price),
		Qty:         p.dec("origQty", o.OrigQuantity),
		ExecutedQty: p.dec("executedQty", o.ExecutedQuantity),
		AvgPrice:    p.dec("avgPrice", o.AvgPrice),
		ReduceOnly:  o.ReduceOnly,
		UpdateTime:  msTime(o.UpdateTime),
	}
	return out, p.err
}

func orderFromCreate(o *futures.CreateOrderResponse) (exchange.Order, error) {
	var p parser
	out := exchange.Order{
		Symbol: o.Symbol, ClientID: o.ClientOrderID, OrderID: o.OrderID,
		Side: exchange.Side(o.Side), Type: exchange.OrderType(o.Type),
		TimeInForce: exchange.TimeInForce(o.TimeInForce), Status: exchange.OrderStatus(o.Status),
		Price:       p.dec("price", o.Price),
		Qty:         p.dec("origQty", o.OrigQuantity),
		ExecutedQty: p.dec("executedQty", o.ExecutedQuantity),
		AvgPrice:    p.dec("avgPrice", o.AvgPrice),
		ReduceOnly:  o.ReduceOnly,
		UpdateTime:  msTime(o.UpdateTime),
	}
	return out, p.err
}

func orderFromCancel(o *futures.CancelOrderResponse) (exchange.Order, error) {
	var p parser
	out := exchange.Order{
		Symbol: o.Symbol, ClientID: o.ClientOrderID, OrderID: o.OrderID,
		Side: exchange.Side(o.Side), Type: exchange.OrderType(o.Type),
		TimeInForce: exchange.TimeInForce(o.TimeInForce), Status: exchange.OrderStatus(o.Status),
		Price:       p.dec("price", o.Price),
		Qty:         p.dec("origQty", o.OrigQuantity),
		ExecutedQty: p.dec("executedQty", o.ExecutedQuantity),
		ReduceOnly:  o.ReduceOnly,
		UpdateTime:  msTime(o.UpdateTime),
	}
	return out, p.err
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
