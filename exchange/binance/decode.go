package binance

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange"
)

// envelope is the part every stream payload shares. E is accepted as a
// number or a string (listenKeyExpired has been seen with a string E).
type envelope struct {
	Type string  `json:"e"`
	Time flexInt `json:"E"`
}

// combined is the wrapper of /stream?streams=... payloads.
type combined struct {
	Stream string          `json:"stream"`
	Data   json.RawMessage `json:"data"`
}

// unwrap returns the inner payload of a combined-stream message, or msg itself.
func unwrap(msg []byte) []byte {
	var c combined
	if json.Unmarshal(msg, &c) == nil && c.Stream != "" && len(c.Data) > 0 {
		return c.Data
	}
	return msg
}

// decodeMarket turns one market-stream message into an event. It returns
// (nil, nil) for messages that are not data (subscription replies, unknown
// event types), so new Binance event types do not break the stream.
func decodeMarket(msg []byte, recv time.Time) (exchange.Event, error) {
	data := unwrap(msg)
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("decode market message: %w", err)
	}
	switch env.Type {
	case "aggTrade":
		var e futures.WsAggTradeEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("decode aggTrade: %w", err)
		}
		var p parser
		ev := exchange.Trade{
			EventMeta: exchange.EventMeta{Symbol: e.Symbol, ExchangeTime: msTime(e.Time), ReceiveTime: recv},
			ID:        e.AggregateTradeID, Price: p.dec("p", e.Price), Qty: p.dec("q", e.Quantity),
			BuyerMaker: e.Maker, TradeTime: msTime(e.TradeTime),
		}
		return ev, wrapDecode("aggTrade", p.err)
	case "markPriceUpdate":
		var e futures.WsMarkPriceEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("decode markPriceUpdate: %w", err)
		}
		var p parser
		ev := exchange.MarkPrice{
			EventMeta:       exchange.EventMeta{Symbol: e.Symbol, ExchangeTime: msTime(e.Time), ReceiveTime: recv},
			Mark:            p.dec("p", e.MarkPrice),
			Index:           p.dec("i", e.IndexPrice),
			EstimatedSettle: p.dec("P", e.EstimatedSettlePrice),
			FundingRate:     p.dec("r", e.FundingRate),
			NextFundingTime: msTime(e.NextFundingTime),
		}
		return ev, wrapDecode("markPriceUpdate", p.err)
	case "forceOrder":
		var e futures.WsLiquidationOrderEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("decode forceOrder: %w", err)
		}
		o := e.LiquidationOrder
		var p parser
		ev := exchange.Liquidation{
			EventMeta: exchange.EventMeta{Symbol: o.Symbol, ExchangeTime: msTime(e.Time), ReceiveTime: recv},
			Side:      exchange.Side(o.Side),
			Price:     p.dec("p", o.Price), AvgPrice: p.dec("ap", o.AvgPrice),
			Qty: p.dec("q", o.OrigQuantity), LastQty: p.dec("l", o.LastFilledQty),
			FilledQty: p.dec("z", o.AccumulatedFilledQty),
			Status:    exchange.OrderStatus(o.OrderStatus), TradeTime: msTime(o.TradeTime),
		}
		return ev, wrapDecode("forceOrder", p.err)
	case "bookTicker":
		var e futures.WsBookTickerEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("decode bookTicker: %w", err)
		}
		var p parser
		ev := exchange.BookTicker{
			EventMeta: exchange.EventMeta{Symbol: e.Symbol, ExchangeTime: msTime(e.Time), ReceiveTime: recv},
			UpdateID:  e.UpdateID,
			BidPrice:  p.dec("b", e.BestBidPrice), BidQty: p.dec("B", e.BestBidQty),
			AskPrice: p.dec("a", e.BestAskPrice), AskQty: p.dec("A", e.BestAskQty),
		}
		return ev, wrapDecode("bookTicker", p.err)
	}
	return nil, nil
}

func wrapDecode(what string, err error) error {
	if err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// userMsg is one decoded user-data message.
type userMsg struct {
	event exchange.Event // nil if the message carries no event of ours
	// expired is set for listenKeyExpired: the key must be recreated.
	expired bool
}

// algoUpdateJSON is ALGO_UPDATE's "o" object (go-binance v2.8.7 lacks it).
type algoUpdateJSON struct {
	ClientAlgoID  string  `json:"caid"`
	AlgoID        int64   `json:"aid"`
	AlgoType      string  `json:"at"`
	OrderType     string  `json:"o"`
	Symbol        string  `json:"s"`
	Side          string  `json:"S"`
	Qty           string  `json:"q"`
	Status        string  `json:"X"`
	ActualOrderID flexInt `json:"ai"`
	TriggerPrice  string  `json:"tp"`
	WorkingType   string  `json:"wt"`
	ClosePosition bool    `json:"cp"`
	ReduceOnly    bool    `json:"R"`
	RejectReason  string  `json:"rm"`
}

// decodeUser turns one user-data message into an event.
func decodeUser(msg []byte, recv time.Time) (userMsg, error) {
	data := unwrap(msg)
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return userMsg{}, fmt.Errorf("decode user message: %w", err)
	}
	et := msTime(int64(env.Time))
	switch env.Type {
	case "listenKeyExpired":
		return userMsg{expired: true}, nil
	case "ORDER_TRADE_UPDATE":
		var e futures.WsUserDataEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return userMsg{}, fmt.Errorf("decode ORDER_TRADE_UPDATE: %w", err)
		}
		u := e.OrderTradeUpdate
		var p parser
		ev := exchange.OrderUpdate{
			EventMeta: exchange.EventMeta{Symbol: u.Symbol, ExchangeTime: et, ReceiveTime: recv},
			Order: exchange.Order{
				Symbol: u.Symbol, ClientID: u.ClientOrderID, OrderID: u.ID,
				Side: exchange.Side(u.Side), Type: exchange.OrderType(u.Type),
				TimeInForce: exchange.TimeInForce(u.TimeInForce), Status: exchange.OrderStatus(u.Status),
				Price: p.dec("p", u.OriginalPrice), Qty: p.dec("q", u.OriginalQty),
				ExecutedQty: p.dec("z", u.AccumulatedFilledQty), AvgPrice: p.dec("ap", u.AveragePrice),
				ReduceOnly: u.IsReduceOnly, UpdateTime: msTime(u.TradeTime),
			},
			ExecType:    string(u.ExecutionType),
			LastFillQty: p.dec("l", u.LastFilledQty), LastFillPrice: p.dec("L", u.LastFilledPrice),
			Commission: p.dec("n", u.Commission), CommissionAsset: u.CommissionAsset,
			RealizedPnL: p.dec("rp", u.RealizedPnL), Maker: u.IsMaker, TradeID: u.TradeID,
		}
		return userMsg{event: ev}, wrapDecode("ORDER_TRADE_UPDATE", p.err)
	case "ACCOUNT_UPDATE":
		var e futures.WsUserDataEvent
		if err := json.Unmarshal(data, &e); err != nil {
			return userMsg{}, fmt.Errorf("decode ACCOUNT_UPDATE: %w", err)
		}
		a := e.AccountUpdate
		var p parser
		ev := exchange.AccountUpdate{
			EventMeta: exchange.EventMeta{ExchangeTime: et, ReceiveTime: recv},
			Reason:    string(a.Reason),
		}
		for _, b := range a.Balances {
			ev.Balances = append(ev.Balances, exchange.Balance{
				Asset: b.Asset, Wallet: p.dec("wb", b.Balance), CrossWallet: p.dec("cw", b.CrossWalletBalance),
				BalanceChange: p.dec("bc", b.ChangeBalance), UpdateTime: et,
			})
		}
		for _, x := range a.Positions {
			if x.Side != "" && x.Side != "BOTH" {
				continue // hedge-mode legs: refused elsewhere, never mixed into one-way state
			}
			ev.Positions = append(ev.Positions, exchange.Position{
				Symbol: x.Symbol, Qty: p.dec("pa", x.Amount), EntryPrice: p.dec("ep", x.EntryPrice),
				MarkPrice: p.dec("mp", x.MarkPrice), UnrealizedPnL: p.dec("up", x.UnrealizedPnL),
				MarginType: marginTypeFromAPI(strings.ToLower(string(x.MarginType))), IsolatedWallet: p.dec("iw", x.IsolatedWallet),
				UpdateTime: et,
			})
		}
		if len(ev.Positions) > 0 {
			ev.Symbol = ev.Positions[0].Symbol
		}
		return userMsg{event: ev}, wrapDecode("ACCOUNT_UPDATE", p.err)
	case "ALGO_UPDATE":
		var e struct {
			O algoUpdateJSON `json:"o"`
		}
		if err := json.Unmarshal(data, &e); err != nil {
			return userMsg{}, fmt.Errorf("decode ALGO_UPDATE: %w", err)
		}
		o := e.O
		var p parser
		ev := exchange.AlgoUpdate{
			EventMeta: exchange.EventMeta{Symbol: o.Symbol, ExchangeTime: et, ReceiveTime: recv},
			AlgoOrder: exchange.AlgoOrder{
				Symbol: o.Symbol, ClientAlgoID: o.ClientAlgoID, AlgoID: o.AlgoID,
				Side: exchange.Side(o.Side), Type: exchange.OrderType(o.OrderType),
				Status:       exchange.AlgoStatus(o.Status),
				TriggerPrice: p.dec("tp", o.TriggerPrice), Qty: p.dec("q", o.Qty),
				ClosePosition: o.ClosePosition, ReduceOnly: o.ReduceOnly,
				WorkingType:   exchange.WorkingType(o.WorkingType),
				ActualOrderID: int64(o.ActualOrderID), UpdateTime: et,
			},
		}
		return userMsg{event: ev}, wrapDecode("ALGO_UPDATE", p.err)
	}
	return userMsg{}, nil
}
