package binance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange"
)

// ErrHedgeMode says the account is in hedge (dual-side) position mode,
// which taobot does not support: every formula assumes one-way mode.
var ErrHedgeMode = errors.New("account is in hedge (dual-side) position mode; taobot needs one-way mode: switch it off in Binance (Preferences > Position Mode) with no open positions")

// PlaceOrder sends a regular order with req.ClientID as newClientOrderId.
// It is sent exactly once: on ErrUnknownOutcome the caller must resolve it
// with QueryOrder, never by sending again.
func (c *Client) PlaceOrder(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
	if err := req.Validate(); err != nil {
		return exchange.Order{}, fmt.Errorf("%w: %w", exchange.ErrRejected, err)
	}
	var res *futures.CreateOrderResponse
	err := c.call(ctx, "place order "+req.ClientID, mutation, true, func(ctx context.Context, api *futures.Client) error {
		s := api.NewCreateOrderService().Symbol(req.Symbol).Side(futures.SideType(req.Side)).
			Type(futures.OrderType(req.Type)).Quantity(req.Qty.String()).
			NewClientOrderID(req.ClientID).NewOrderResponseType(futures.NewOrderRespTypeRESULT)
		if req.Type == exchange.Limit {
			tif := req.TimeInForce
			if tif == "" {
				tif = exchange.GTC
			}
			s = s.Price(req.Price.String()).TimeInForce(futures.TimeInForceType(tif))
		}
		if req.ReduceOnly {
			s = s.ReduceOnly(true)
		}
		var err error
		res, err = s.Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return exchange.Order{}, err
	}
	o, err := orderFromCreate(res)
	if err != nil {
		// Accepted, but we cannot read the reply: the outcome is known to
		// the venue only.
		return o, fmt.Errorf("place order %s: %w: %w", req.ClientID, exchange.ErrUnknownOutcome, err)
	}
	return o, nil
}

// CancelOrder cancels by client id.
func (c *Client) CancelOrder(ctx context.Context, symbol, clientID string) (exchange.Order, error) {
	var res *futures.CancelOrderResponse
	err := c.call(ctx, "cancel order "+clientID, mutation, true, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewCancelOrderService().Symbol(symbol).OrigClientOrderID(clientID).Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return exchange.Order{}, err
	}
	return orderFromCancel(res)
}

// QueryOrder fetches an order by client id; ErrNotFound if the venue has none.
func (c *Client) QueryOrder(ctx context.Context, symbol, clientID string) (exchange.Order, error) {
	var res *futures.Order
	err := c.call(ctx, "query order "+clientID, read, true, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewGetOrderService().Symbol(symbol).OrigClientOrderID(clientID).Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return exchange.Order{}, err
	}
	return orderFromAPI(res)
}

// OpenOrders lists the symbol's open regular orders (not algo orders: see OpenAlgoOrders).
func (c *Client) OpenOrders(ctx context.Context, symbol string) ([]exchange.Order, error) {
	var res []*futures.Order
	err := c.call(ctx, "open orders", read, true, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewListOpenOrdersService().Symbol(symbol).Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]exchange.Order, 0, len(res))
	for _, r := range res {
		o, err := orderFromAPI(r)
		if err != nil {
			return nil, fmt.Errorf("open orders: %w", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// Positions returns the symbol's one-way position(s); all symbols if symbol is empty.
func (c *Client) Positions(ctx context.Context, symbol string) ([]exchange.Position, error) {
	var res []*futures.PositionRisk
	err := c.call(ctx, "positions", read, true, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewGetPositionRiskService().Symbol(symbol).Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]exchange.Position, 0, len(res))
	for _, r := range res {
		if r.PositionSide != "" && r.PositionSide != "BOTH" {
			return nil, fmt.Errorf("positions: %w", ErrHedgeMode)
		}
		p, err := positionFromAPI(r)
		if err != nil {
			return nil, fmt.Errorf("positions: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Balances returns the futures wallet balances.
func (c *Client) Balances(ctx context.Context) ([]exchange.Balance, error) {
	var res []*futures.Balance
	err := c.call(ctx, "balances", read, true, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewGetBalanceService().Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]exchange.Balance, 0, len(res))
	for _, r := range res {
		b, err := balanceFromAPI(r)
		if err != nil {
			return nil, fmt.Errorf("balances: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

// SetLeverage sets the symbol's initial leverage.
func (c *Client) SetLeverage(ctx context.Context, symbol string, leverage int) error {
	return c.call(ctx, fmt.Sprintf("set leverage %s %dx", symbol, leverage), mutation, true, func(ctx context.Context, api *futures.Client) error {
		_, err := api.NewChangeLeverageService().Symbol(symbol).Leverage(leverage).Do(ctx, c.recv())
		return err
	})
}

// SetMarginType sets isolated or cross margin (isolated when mt is empty).
// Binance's "no need to change margin type" (-4046) counts as success.
func (c *Client) SetMarginType(ctx context.Context, symbol string, mt exchange.MarginType) error {
	if mt == "" {
		mt = exchange.Isolated
	}
	err := c.call(ctx, fmt.Sprintf("set margin type %s %s", symbol, mt), mutation, true, func(ctx context.Context, api *futures.Client) error {
		return api.NewChangeMarginTypeService().Symbol(symbol).MarginType(futures.MarginType(mt)).Do(ctx, c.recv())
	})
	if exchange.CodeOf(err) == exchange.CodeNoNeedChangeMargin {
		return nil
	}
	return err
}

// CheckPositionMode returns ErrHedgeMode if the account uses dual-side
// positions. It never changes the mode: that is the owner's decision.
func (c *Client) CheckPositionMode(ctx context.Context) error {
	var res *futures.PositionMode
	err := c.call(ctx, "position mode", read, true, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewGetPositionModeService().Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return err
	}
	if res.DualSidePosition {
		return ErrHedgeMode
	}
	return nil
}

// Income returns income history entries of incomeType (e.g. FUNDING_FEE;
// empty for all) for symbol in [start, end), oldest first, at most limit (≤1000).
func (c *Client) Income(ctx context.Context, symbol, incomeType string, start, end time.Time, limit int) ([]exchange.Income, error) {
	var res []*futures.IncomeHistory
	err := c.call(ctx, "income history", read, true, func(ctx context.Context, api *futures.Client) error {
		s := api.NewGetIncomeHistoryService().Symbol(symbol)
		if incomeType != "" {
			s = s.IncomeType(incomeType)
		}
		if !start.IsZero() {
			s = s.StartTime(start.UnixMilli())
		}
		if !end.IsZero() {
			s = s.EndTime(end.UnixMilli() - 1)
		}
		if limit > 0 {
			s = s.Limit(int64(limit))
		}
		var err error
		res, err = s.Do(ctx, c.recv())
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]exchange.Income, 0, len(res))
	for _, r := range res {
		var p parser
		in := exchange.Income{Symbol: r.Symbol, Type: r.IncomeType, Amount: p.dec("income", r.Income),
			Asset: r.Asset, Info: r.Info, TradeID: r.TradeID, TranID: r.TranID, Time: msTime(r.Time)}
		if p.err != nil {
			return nil, fmt.Errorf("income history: %w", p.err)
		}
		out = append(out, in)
	}
	return out, nil
}
