package orders

import (
	"context"

	"github.com/taobot/taobot/exchange"
)

// fakeTrader wraps a real venue (the paper account). Each hook, when set,
// replaces the call; calls counts placements per client id.
type fakeTrader struct {
	exchange.Trader
	placeOrder func(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error)
	placeAlgo  func(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error)
	positions  func(ctx context.Context, symbol string) ([]exchange.Position, error)
	cancelAlgo func(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error)
	queryAlgo  func(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error)
	openOrders func(ctx context.Context, symbol string) ([]exchange.Order, error)
	calls      map[string]int
}

var _ exchange.Trader = (*fakeTrader)(nil)

func newFake(inner exchange.Trader) *fakeTrader {
	return &fakeTrader{Trader: inner, calls: map[string]int{}}
}

func (f *fakeTrader) PlaceOrder(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
	f.calls[req.ClientID]++
	if f.placeOrder != nil {
		return f.placeOrder(ctx, req)
	}
	return f.Trader.PlaceOrder(ctx, req)
}

func (f *fakeTrader) PlaceAlgoOrder(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
	f.calls[req.ClientAlgoID]++
	if f.placeAlgo != nil {
		return f.placeAlgo(ctx, req)
	}
	return f.Trader.PlaceAlgoOrder(ctx, req)
}

func (f *fakeTrader) CancelAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error) {
	if f.cancelAlgo != nil {
		return f.cancelAlgo(ctx, symbol, clientAlgoID)
	}
	return f.Trader.CancelAlgoOrder(ctx, symbol, clientAlgoID)
}

func (f *fakeTrader) QueryAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error) {
	if f.queryAlgo != nil {
		return f.queryAlgo(ctx, symbol, clientAlgoID)
	}
	return f.Trader.QueryAlgoOrder(ctx, symbol, clientAlgoID)
}

func (f *fakeTrader) OpenOrders(ctx context.Context, symbol string) ([]exchange.Order, error) {
	if f.openOrders != nil {
		return f.openOrders(ctx, symbol)
	}
	return f.Trader.OpenOrders(ctx, symbol)
}

func (f *fakeTrader) Positions(ctx context.Context, symbol string) ([]exchange.Position, error) {
	if f.positions != nil {
		return f.positions(ctx, symbol)
	}
	return f.Trader.Positions(ctx, symbol)
}

// unknownAfter places through the inner venue, then reports an unknown outcome (a 503 after accept).
func unknownAfter[R, O any](place func(context.Context, R) (O, error)) func(context.Context, R) (O, error) {
	return func(ctx context.Context, req R) (O, error) {
		o, err := place(ctx, req)
		if err != nil {
			return o, err
		}
		var zero O
		return zero, &exchange.APIError{Code: exchange.CodeUnknown, HTTPStatus: 503, Msg: "Unknown error, please check your request or try again later.", Class: exchange.ErrUnknownOutcome}
	}
}
