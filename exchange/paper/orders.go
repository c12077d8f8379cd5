package paper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Binance codes for malformed requests.
const (
	codeBadParam     = -1102 // Mandatory parameter was not sent, was empty/null, or malformed.
	codeBadOrderType = -1116 // Invalid orderType.
	codeUnknownOrder = -2011 // Unknown order sent (cancel of a finished order).
)

// PlaceOrder places a MARKET or LIMIT (GTC, IOC, FOK, GTX) order. Market
// orders and limits that cross the book fill at once as taker; resting
// limits fill later on crossing trades as maker.
func (t *Trader) PlaceOrder(ctx context.Context, req exchange.OrderRequest) (exchange.Order, error) {
	if err := ctx.Err(); err != nil {
		return exchange.Order{}, err
	}
	if err := req.Validate(); err != nil {
		if req.Type.Conditional() {
			return exchange.Order{}, reject(exchange.CodeUseAlgoAPI, err.Error())
		}
		return exchange.Order{}, reject(codeBadParam, err.Error())
	}
	if err := t.checkSymbol(req.Symbol); err != nil {
		return exchange.Order{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	var out []exchange.Event
	funded := t.chargeFunding(now, decimal.Zero, &out)
	o, err := t.place(req, now, &out)
	if err != nil {
		if funded {
			if cerr := t.commit(now, out); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
		return exchange.Order{}, fmt.Errorf("place order %s: %w", req.ClientID, err)
	}
	if err := t.commit(now, out); err != nil {
		return o, fmt.Errorf("place order %s: %w", req.ClientID, err)
	}
	return o, nil
}

// commit saves the account and queues the events. A save failure leaves
// the change in effect (the events still go out) and is reported as an
// unknown outcome, so the caller queries rather than resends.
func (t *Trader) commit(now time.Time, out []exchange.Event) error {
	t.acct.UpdateTime = now
	err := t.save()
	t.q.push(out...)
	if err != nil {
		return &exchange.APIError{Code: exchange.CodeUnknown, Msg: err.Error(), Class: exchange.ErrUnknownOutcome}
	}
	return nil
}

// place validates and executes a regular order; callers hold mu.
func (t *Trader) place(req exchange.OrderRequest, now time.Time, out *[]exchange.Event) (exchange.Order, error) {
	for _, o := range t.acct.Orders {
		if o.ClientID == req.ClientID {
			return exchange.Order{}, reject(exchange.CodeDuplicateClientID, "Duplicate clientOrderId.")
		}
	}
	market := req.Type == exchange.Market
	if !market && req.Type != exchange.Limit {
		return exchange.Order{}, reject(codeBadOrderType, fmt.Sprintf("Invalid orderType %s.", req.Type))
	}
	tif := req.TimeInForce
	if market {
		tif = ""
	} else if tif == "" {
		tif = exchange.GTC
	}
	if err := t.checkQty(req.Qty, market); err != nil {
		return exchange.Order{}, err
	}
	if !market {
		if err := t.checkPrice(req.Price); err != nil {
			return exchange.Order{}, err
		}
	}
	if req.ReduceOnly {
		if err := t.checkReduceOnly(req.Side, req.Qty); err != nil {
			return exchange.Order{}, err
		}
	}
	book, depth := t.bookPrice(req.Side)
	if market && !book.IsPositive() {
		return exchange.Order{}, &exchange.APIError{Code: codeNoMarketPrice, Msg: "no market price observed yet", Class: exchange.ErrRetryable}
	}
	notionalPrice := req.Price
	if market {
		notionalPrice = t.refMark(req.Side)
	}
	if err := t.checkNotional(req.Qty, notionalPrice, req.ReduceOnly); err != nil {
		return exchange.Order{}, err
	}
	crosses := market
	if !market && t.mkt.ask.IsPositive() && t.mkt.bid.IsPositive() {
		crosses = req.Side == exchange.Buy && req.Price.GreaterThanOrEqual(t.mkt.ask) ||
			req.Side == exchange.Sell && req.Price.LessThanOrEqual(t.mkt.bid)
	}
	if crosses && tif == exchange.GTX {
		return exchange.Order{}, reject(exchange.CodePostOnlyRejected, "Due to the order could not be executed as maker, the Post Only order will be rejected.")
	}
	takerPrice := decimal.Zero
	if crosses {
		takerPrice = t.slipped(req.Side, book)
		if !market && (req.Side == exchange.Buy && takerPrice.GreaterThan(req.Price) || req.Side == exchange.Sell && takerPrice.LessThan(req.Price)) {
			takerPrice = req.Price // a limit never fills beyond its price
		}
	}
	if !req.ReduceOnly {
		marginPrice := req.Price
		if market {
			marginPrice = takerPrice
		}
		if err := t.checkMargin(req.Side, req.Qty, marginPrice); err != nil {
			return exchange.Order{}, err
		}
	}
	a := &t.acct
	o := exchange.Order{
		Symbol: t.cfg.Symbol, ClientID: req.ClientID, OrderID: a.NextOrderID, Side: req.Side, Type: req.Type,
		TimeInForce: tif, Status: exchange.StatusNew, Qty: req.Qty, ExecutedQty: decimal.Zero, AvgPrice: decimal.Zero,
		ReduceOnly: req.ReduceOnly, UpdateTime: now,
	}
	if !market {
		o.Price = req.Price
	}
	a.NextOrderID++
	*out = append(*out, exchange.OrderUpdate{EventMeta: t.meta(now), Order: o, ExecType: "NEW"})
	if crosses {
		q := req.Qty
		if !market && depth.IsPositive() && depth.LessThan(q) {
			q = depth // a limit takes only the displayed touch; the rest rests or expires
		}
		if tif == exchange.FOK && q.LessThan(req.Qty) {
			q = decimal.Zero
		}
		if q.IsPositive() {
			t.execute(&o, q, takerPrice, false, now, out)
		}
	}
	if o.Status != exchange.StatusFilled {
		if market || tif == exchange.IOC || tif == exchange.FOK {
			o.Status, o.UpdateTime = exchange.StatusExpired, now
			*out = append(*out, exchange.OrderUpdate{EventMeta: t.meta(now), Order: o, ExecType: "EXPIRED"})
		} else {
			a.Orders = append(a.Orders, o)
		}
	}
	if o.Status.Final() {
		t.remember(o)
	}
	t.expireStaleReduceOnly(now, out)
	return o, nil
}

// execute fills qty of o at price, books it and emits TRADE and ACCOUNT_UPDATE.
func (t *Trader) execute(o *exchange.Order, qty, price decimal.Decimal, maker bool, now time.Time, out *[]exchange.Event) {
	rate := t.cfg.TakerFee
	if maker {
		rate = t.cfg.MakerFee
	}
	fee := qty.Mul(price).Mul(rate)
	rp := t.applyFill(o.Side, qty, price, fee)
	exec := o.ExecutedQty.Add(qty)
	o.AvgPrice = o.AvgPrice.Mul(o.ExecutedQty).Add(price.Mul(qty)).Div(exec)
	o.ExecutedQty = exec
	o.Status = exchange.StatusPartiallyFilled
	if exec.Equal(o.Qty) {
		o.Status = exchange.StatusFilled
	}
	o.UpdateTime = now
	tradeID := t.acct.NextTradeID
	t.acct.NextTradeID++
	*out = append(*out,
		exchange.OrderUpdate{EventMeta: t.meta(now), Order: *o, ExecType: "TRADE", LastFillQty: qty, LastFillPrice: price,
			Commission: fee, CommissionAsset: t.acct.Asset, RealizedPnL: rp, Maker: maker, TradeID: tradeID},
		t.accountUpdate(now, "ORDER", decimal.Zero), // Binance "bc" excludes PnL and commission
	)
}

// fillRestingOnTrade fills resting limits that a trade went through, at
// their limit price as maker, sharing the trade's quantity in time priority.
// A trade at exactly the limit price does not fill: we have no queue position.
func (t *Trader) fillRestingOnTrade(e exchange.Trade, now time.Time, out *[]exchange.Event) bool {
	if len(t.acct.Orders) == 0 {
		return false
	}
	limited := e.Qty.IsPositive()
	avail := e.Qty
	changed := false
	open := t.acct.Orders
	t.acct.Orders = nil
	for i := range open {
		o := open[i]
		crosses := o.Side == exchange.Buy && e.Price.LessThan(o.Price) || o.Side == exchange.Sell && e.Price.GreaterThan(o.Price)
		if !crosses || limited && !avail.IsPositive() {
			t.acct.Orders = append(t.acct.Orders, o)
			continue
		}
		q := o.Qty.Sub(o.ExecutedQty)
		if limited {
			q = decimal.Min(q, avail)
		}
		if o.ReduceOnly {
			q = decimal.Min(q, t.reducible(o.Side))
		}
		if !q.IsPositive() {
			t.acct.Orders = append(t.acct.Orders, o)
			continue
		}
		t.execute(&o, q, o.Price, true, now, out)
		avail = avail.Sub(q)
		changed = true
		if o.Status == exchange.StatusFilled {
			t.remember(o)
		} else {
			t.acct.Orders = append(t.acct.Orders, o)
		}
	}
	if t.expireStaleReduceOnly(now, out) {
		changed = true
	}
	return changed
}

// reducible is how much an order on side can reduce the position.
func (t *Trader) reducible(side exchange.Side) decimal.Decimal {
	pos := t.acct.PosQty
	if pos.IsZero() || pos.Sign() == int(side.Sign()) {
		return decimal.Zero
	}
	return pos.Abs()
}

// expireStaleReduceOnly expires open reduce-only orders that can no longer
// reduce anything, as Binance does when the position closes.
func (t *Trader) expireStaleReduceOnly(now time.Time, out *[]exchange.Event) bool {
	changed := false
	keep := t.acct.Orders[:0]
	for _, o := range t.acct.Orders {
		if o.ReduceOnly && t.reducible(o.Side).IsZero() {
			o.Status, o.UpdateTime = exchange.StatusExpired, now
			t.remember(o)
			*out = append(*out, exchange.OrderUpdate{EventMeta: t.meta(now), Order: o, ExecType: "EXPIRED"})
			changed = true
			continue
		}
		keep = append(keep, o)
	}
	t.acct.Orders = keep
	return changed
}

// remember keeps a finished order queryable, bounded by HistoryLimit.
func (t *Trader) remember(o exchange.Order) {
	h := append(t.acct.History, o)
	if n := len(h) - t.cfg.HistoryLimit; n > 0 {
		h = append([]exchange.Order(nil), h[n:]...)
	}
	t.acct.History = h
}

// CancelOrder cancels an open order by client id.
func (t *Trader) CancelOrder(ctx context.Context, symbol, clientID string) (exchange.Order, error) {
	if err := t.ready(ctx, symbol); err != nil {
		return exchange.Order{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	for i, o := range t.acct.Orders {
		if o.ClientID != clientID {
			continue
		}
		t.acct.Orders = append(t.acct.Orders[:i:i], t.acct.Orders[i+1:]...)
		o.Status, o.UpdateTime = exchange.StatusCanceled, now
		t.remember(o)
		out := []exchange.Event{exchange.OrderUpdate{EventMeta: t.meta(now), Order: o, ExecType: "CANCELED"}}
		if err := t.commit(now, out); err != nil {
			return o, fmt.Errorf("cancel order %s: %w", clientID, err)
		}
		return o, nil
	}
	if _, ok := t.findDone(clientID); ok {
		return exchange.Order{}, fmt.Errorf("cancel order %s: %w", clientID, reject(codeUnknownOrder, "Unknown order sent."))
	}
	return exchange.Order{}, fmt.Errorf("cancel order %s: %w", clientID, notFound("Unknown order sent."))
}

// findDone returns the newest finished order with clientID.
func (t *Trader) findDone(clientID string) (exchange.Order, bool) {
	return newest(t.acct.History, func(o exchange.Order) bool { return o.ClientID == clientID })
}

// QueryOrder returns an open or recently finished order by client id.
func (t *Trader) QueryOrder(ctx context.Context, symbol, clientID string) (exchange.Order, error) {
	if err := t.ready(ctx, symbol); err != nil {
		return exchange.Order{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, o := range t.acct.Orders {
		if o.ClientID == clientID {
			return o, nil
		}
	}
	if o, ok := t.findDone(clientID); ok {
		return o, nil
	}
	return exchange.Order{}, fmt.Errorf("query order %s: %w", clientID, notFound("Order does not exist."))
}

// OpenOrders returns the open regular orders, oldest first.
func (t *Trader) OpenOrders(ctx context.Context, symbol string) ([]exchange.Order, error) {
	if err := t.ready(ctx, symbol); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]exchange.Order{}, t.acct.Orders...), nil
}
