package binance

// Conditional orders through Binance's Algo Order API. Since 2025-12-09
// STOP_MARKET and TAKE_PROFIT_MARKET sent to /fapi/v1/order are refused with
// -4120, and go-binance v2.8.7 has no algo service, so these four calls are
// hand-signed here with the Client's signing, time offset, rate limiter and
// error classification. Delete this file once go-binance covers them.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange"
)

// algoOrderJSON is an algo order as the REST endpoints return it.
type algoOrderJSON struct {
	AlgoID        int64   `json:"algoId"`
	ClientAlgoID  string  `json:"clientAlgoId"`
	AlgoType      string  `json:"algoType"`
	OrderType     string  `json:"orderType"`
	Symbol        string  `json:"symbol"`
	Side          string  `json:"side"`
	Quantity      string  `json:"quantity"`
	AlgoStatus    string  `json:"algoStatus"`
	TriggerPrice  string  `json:"triggerPrice"`
	WorkingType   string  `json:"workingType"`
	ClosePosition bool    `json:"closePosition"`
	PriceProtect  bool    `json:"priceProtect"`
	ReduceOnly    bool    `json:"reduceOnly"`
	UpdateTime    int64   `json:"updateTime"`
	CreateTime    int64   `json:"createTime"`
	ActualOrderID flexInt `json:"actualOrderId"`
}

func (a algoOrderJSON) toExchange() (exchange.AlgoOrder, error) {
	var p parser
	ut := a.UpdateTime
	if ut == 0 {
		ut = a.CreateTime
	}
	out := exchange.AlgoOrder{
		Symbol: a.Symbol, ClientAlgoID: a.ClientAlgoID, AlgoID: a.AlgoID,
		Side: exchange.Side(a.Side), Type: exchange.OrderType(a.OrderType),
		Status:        exchange.AlgoStatus(a.AlgoStatus),
		TriggerPrice:  p.dec("triggerPrice", a.TriggerPrice),
		Qty:           p.dec("quantity", a.Quantity),
		ClosePosition: a.ClosePosition, ReduceOnly: a.ReduceOnly,
		WorkingType:   exchange.WorkingType(a.WorkingType),
		ActualOrderID: int64(a.ActualOrderID),
		UpdateTime:    msTime(ut),
	}
	return out, p.err
}

// flexInt accepts a JSON number, a numeric string, or "" (zero): Binance
// sends some ids and times either way.
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if len(b) == 0 || string(b) == "null" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s", b)
	}
	*f = flexInt(v)
	return nil
}

// algoCall runs one hand-signed algo request through the same path as the
// go-binance calls (fresh offset, -1021 resync, classification).
func (c *Client) algoCall(ctx context.Context, what string, kind callKind, method, path string, params url.Values, out any) error {
	return c.call(ctx, what, kind, true, func(ctx context.Context, _ *futures.Client) error {
		p := url.Values{}
		for k, v := range params {
			p[k] = v
		}
		return c.signedRequest(ctx, method, path, p, out)
	})
}

// PlaceAlgoOrder places a conditional order (POST /fapi/v1/algoOrder,
// algoType CONDITIONAL). Like PlaceOrder it is sent exactly once.
func (c *Client) PlaceAlgoOrder(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
	if err := req.Validate(); err != nil {
		return exchange.AlgoOrder{}, fmt.Errorf("%w: %w", exchange.ErrRejected, err)
	}
	p := url.Values{}
	p.Set("algoType", "CONDITIONAL")
	p.Set("symbol", req.Symbol)
	p.Set("side", string(req.Side))
	p.Set("type", string(req.Type))
	p.Set("triggerPrice", req.TriggerPrice.String())
	p.Set("clientAlgoId", req.ClientAlgoID)
	wt := req.WorkingType
	if wt == "" {
		wt = exchange.MarkPriceTrigger
	}
	p.Set("workingType", string(wt))
	if req.ClosePosition {
		// closePosition cannot be combined with quantity or reduceOnly.
		p.Set("closePosition", "true")
	} else {
		p.Set("quantity", req.Qty.String())
		if req.ReduceOnly {
			p.Set("reduceOnly", "true")
		}
	}
	if req.PriceProtect {
		p.Set("priceProtect", "TRUE")
	}
	var res algoOrderJSON
	if err := c.algoCall(ctx, "place algo order "+req.ClientAlgoID, mutation, http.MethodPost, "/fapi/v1/algoOrder", p, &res); err != nil {
		return exchange.AlgoOrder{}, err
	}
	o, err := res.toExchange()
	if err != nil {
		return o, fmt.Errorf("place algo order %s: %w: %w", req.ClientAlgoID, exchange.ErrUnknownOutcome, err)
	}
	return o, nil
}

// CancelAlgoOrder cancels by client algo id. Binance answers only the ids,
// so the returned order carries ids, symbol and status CANCELED.
func (c *Client) CancelAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error) {
	p := url.Values{}
	p.Set("clientAlgoId", clientAlgoID)
	var res struct {
		AlgoID       int64  `json:"algoId"`
		ClientAlgoID string `json:"clientAlgoId"`
	}
	if err := c.algoCall(ctx, "cancel algo order "+clientAlgoID, mutation, http.MethodDelete, "/fapi/v1/algoOrder", p, &res); err != nil {
		return exchange.AlgoOrder{}, err
	}
	return exchange.AlgoOrder{Symbol: symbol, ClientAlgoID: res.ClientAlgoID, AlgoID: res.AlgoID, Status: exchange.AlgoCanceled}, nil
}

// QueryAlgoOrder fetches a conditional order by client algo id.
func (c *Client) QueryAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error) {
	p := url.Values{}
	p.Set("clientAlgoId", clientAlgoID)
	var res algoOrderJSON
	if err := c.algoCall(ctx, "query algo order "+clientAlgoID, read, http.MethodGet, "/fapi/v1/algoOrder", p, &res); err != nil {
		return exchange.AlgoOrder{}, err
	}
	return res.toExchange()
}

// OpenAlgoOrders lists the symbol's open conditional orders (all symbols if empty).
func (c *Client) OpenAlgoOrders(ctx context.Context, symbol string) ([]exchange.AlgoOrder, error) {
	p := url.Values{}
	if symbol != "" {
		p.Set("symbol", symbol)
	}
	var raw json.RawMessage
	if err := c.algoCall(ctx, "open algo orders", read, http.MethodGet, "/fapi/v1/openAlgoOrders", p, &raw); err != nil {
		return nil, err
	}
	// Documented as a list; accept {"orders":[...]} too, as some
	// deployments wrap it.
	var list []algoOrderJSON
	if err := json.Unmarshal(raw, &list); err != nil {
		var wrapped struct {
			Orders []algoOrderJSON `json:"orders"`
		}
		if err2 := json.Unmarshal(raw, &wrapped); err2 != nil {
			return nil, fmt.Errorf("open algo orders: decode: %w", err)
		}
		list = wrapped.Orders
	}
	out := make([]exchange.AlgoOrder, 0, len(list))
	for _, a := range list {
		o, err := a.toExchange()
		if err != nil {
			return nil, fmt.Errorf("open algo orders: %w", err)
		}
		out = append(out, o)
	}
	return out, nil
}
