package exchange

import "context"

// OrderPlacer places and inspects regular orders by client id.
type OrderPlacer interface {
	PlaceOrder(ctx context.Context, req OrderRequest) (Order, error)
	CancelOrder(ctx context.Context, symbol, clientID string) (Order, error)
	QueryOrder(ctx context.Context, symbol, clientID string) (Order, error)
	OpenOrders(ctx context.Context, symbol string) ([]Order, error)
}

// AlgoPlacer places and inspects conditional orders through the algo API.
type AlgoPlacer interface {
	PlaceAlgoOrder(ctx context.Context, req AlgoOrderRequest) (AlgoOrder, error)
	CancelAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (AlgoOrder, error)
	QueryAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (AlgoOrder, error)
	OpenAlgoOrders(ctx context.Context, symbol string) ([]AlgoOrder, error)
}

// AccountReader reads positions and balances.
type AccountReader interface {
	Positions(ctx context.Context, symbol string) ([]Position, error)
	Balances(ctx context.Context) ([]Balance, error)
}

// AccountConfigurer sets per-symbol margin settings before trading.
type AccountConfigurer interface {
	SetLeverage(ctx context.Context, symbol string, leverage int) error
	SetMarginType(ctx context.Context, symbol string, mt MarginType) error
}

// Trader is everything the order manager needs from a venue. Live (the
// Binance adapter) and paper implement it; dry-run plugs in none.
type Trader interface {
	OrderPlacer
	AlgoPlacer
	AccountReader
	AccountConfigurer
}

// EventSource produces events until ctx ends. Run sends on out and returns
// when ctx is done (nil) or on an unrecoverable error.
type EventSource interface {
	Run(ctx context.Context, out chan<- Event) error
}
