package paper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// PlaceAlgoOrder places a conditional STOP_MARKET or TAKE_PROFIT_MARKET
// that triggers on the mark price (MARK_PRICE) or the last trade
// (CONTRACT_PRICE, the default) and then executes as a market order.
func (t *Trader) PlaceAlgoOrder(ctx context.Context, req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
	if err := ctx.Err(); err != nil {
		return exchange.AlgoOrder{}, err
	}
	if err := req.Validate(); err != nil {
		return exchange.AlgoOrder{}, reject(codeBadParam, err.Error())
	}
	if err := t.checkSymbol(req.Symbol); err != nil {
		return exchange.AlgoOrder{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	var out []exchange.Event
	funded := t.chargeFunding(now, decimal.Zero, &out)
	g, err := t.placeAlgo(req, now, &out)
	if err != nil {
		if funded {
			if cerr := t.commit(now, out); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
		return exchange.AlgoOrder{}, fmt.Errorf("place algo order %s: %w", req.ClientAlgoID, err)
	}
	if err := t.commit(now, out); err != nil {
		return g, fmt.Errorf("place algo order %s: %w", req.ClientAlgoID, err)
	}
	return g, nil
}

// placeAlgo validates and records an algo order; callers hold mu.
func (t *Trader) placeAlgo(req exchange.AlgoOrderRequest, now time.Time, out *[]exchange.Event) (exchange.AlgoOrder, error) {
	for _, g := range t.acct.Algos {
		if g.ClientAlgoID == req.ClientAlgoID {
			return exchange.AlgoOrder{}, reject(exchange.CodeDuplicateClientID, "Duplicate clientAlgoId.")
		}
	}
	if err := t.checkPrice(req.TriggerPrice); err != nil {
		return exchange.AlgoOrder{}, err
	}
	wt := req.WorkingType
	switch wt {
	case "":
		wt = exchange.ContractPriceTrigger
	case exchange.MarkPriceTrigger, exchange.ContractPriceTrigger:
	default:
		return exchange.AlgoOrder{}, reject(codeBadParam, fmt.Sprintf("Invalid workingType %s.", wt))
	}
	qty := decimal.Zero
	if !req.ClosePosition {
		qty = req.Qty
		if err := t.checkQty(qty, true); err != nil {
			return exchange.AlgoOrder{}, err
		}
		if err := t.checkNotional(qty, req.TriggerPrice, req.ReduceOnly); err != nil {
			return exchange.AlgoOrder{}, err
		}
	}
	if ref := t.triggerRef(wt); ref.IsPositive() && triggers(req.Type, req.Side, ref, req.TriggerPrice) {
		return exchange.AlgoOrder{}, reject(exchange.CodeWouldTrigger, "Order would immediately trigger.")
	}
	a := &t.acct
	g := exchange.AlgoOrder{
		Symbol: t.cfg.Symbol, ClientAlgoID: req.ClientAlgoID, AlgoID: a.NextAlgoID, Side: req.Side, Type: req.Type,
		Status: exchange.AlgoNew, TriggerPrice: req.TriggerPrice, Qty: qty, ClosePosition: req.ClosePosition,
		ReduceOnly: req.ReduceOnly || req.ClosePosition, WorkingType: wt, UpdateTime: now,
	}
	a.NextAlgoID++
	a.Algos = append(a.Algos, g)
	*out = append(*out, exchange.AlgoUpdate{EventMeta: t.meta(now), AlgoOrder: g})
	return g, nil
}

// triggerRef is the price a working type watches: the mark or the last trade.
func (t *Trader) triggerRef(wt exchange.WorkingType) decimal.Decimal {
	if wt == exchange.MarkPriceTrigger {
		return t.mkt.mark
	}
	return t.mkt.last
}

// triggers reports whether price has reached a conditional order's trigger:
// stops trigger on a move against the position they close (buy stop at or
// above, sell stop at or below), take-profits on a move in its favour.
func triggers(typ exchange.OrderType, side exchange.Side, price, trigger decimal.Decimal) bool {
	up := price.GreaterThanOrEqual(trigger)
	down := price.LessThanOrEqual(trigger)
	if typ == exchange.StopMarket {
		return side == exchange.Buy && up || side == exchange.Sell && down
	}
	return side == exchange.Buy && down || side == exchange.Sell && up
}

// triggerAlgos fires every open algo order of working type wt that price reached.
func (t *Trader) triggerAlgos(wt exchange.WorkingType, price decimal.Decimal, now time.Time, out *[]exchange.Event) bool {
	var fired []exchange.AlgoOrder
	keep := t.acct.Algos[:0]
	for _, g := range t.acct.Algos {
		if g.WorkingType == wt && triggers(g.Type, g.Side, price, g.TriggerPrice) {
			fired = append(fired, g)
			continue
		}
		keep = append(keep, g)
	}
	t.acct.Algos = keep
	for _, g := range fired {
		t.fire(g, now, out)
	}
	return len(fired) > 0
}

// fire executes a triggered algo order as a market order at the book.
// Nothing to reduce, or no margin for an opening stop, ends it REJECTED.
func (t *Trader) fire(g exchange.AlgoOrder, now time.Time, out *[]exchange.Event) {
	qty := g.Qty
	if g.ReduceOnly {
		red := t.reducible(g.Side)
		if g.ClosePosition {
			qty = red
		} else {
			qty = decimal.Min(qty, red)
		}
	}
	price, _ := t.bookPrice(g.Side)
	fill := t.slipped(g.Side, price)
	ok := qty.IsPositive() && price.IsPositive()
	if ok && !g.ReduceOnly && t.checkMargin(g.Side, qty, fill) != nil {
		ok = false
	}
	if !ok {
		g.Status, g.UpdateTime = exchange.AlgoRejected, now
		t.rememberAlgo(g)
		*out = append(*out, exchange.AlgoUpdate{EventMeta: t.meta(now), AlgoOrder: g})
		return
	}
	a := &t.acct
	o := exchange.Order{
		Symbol: t.cfg.Symbol, ClientID: g.ClientAlgoID, OrderID: a.NextOrderID, Side: g.Side, Type: exchange.Market,
		Status: exchange.StatusNew, Qty: qty, ExecutedQty: decimal.Zero, AvgPrice: decimal.Zero,
		ReduceOnly: g.ReduceOnly, UpdateTime: now,
	}
	a.NextOrderID++
	g.Status, g.ActualOrderID, g.UpdateTime = exchange.AlgoTriggered, o.OrderID, now
	*out = append(*out,
		exchange.AlgoUpdate{EventMeta: t.meta(now), AlgoOrder: g},
		exchange.OrderUpdate{EventMeta: t.meta(now), Order: o, ExecType: "NEW"},
	)
	t.execute(&o, qty, fill, false, now, out)
	t.remember(o)
	g.Status = exchange.AlgoFinished
	t.rememberAlgo(g)
	*out = append(*out, exchange.AlgoUpdate{EventMeta: t.meta(now), AlgoOrder: g})
	t.expireStaleReduceOnly(now, out)
}

// rememberAlgo keeps a finished algo order queryable, bounded by HistoryLimit.
func (t *Trader) rememberAlgo(g exchange.AlgoOrder) {
	h := append(t.acct.AlgoHistory, g)
	if n := len(h) - t.cfg.HistoryLimit; n > 0 {
		h = append([]exchange.AlgoOrder(nil), h[n:]...)
	}
	t.acct.AlgoHistory = h
}

// CancelAlgoOrder cancels an open algo order by client algo id.
func (t *Trader) CancelAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error) {
	if err := t.ready(ctx, symbol); err != nil {
		return exchange.AlgoOrder{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	for i, g := range t.acct.Algos {
		if g.ClientAlgoID != clientAlgoID {
			continue
		}
		t.acct.Algos = append(t.acct.Algos[:i:i], t.acct.Algos[i+1:]...)
		g.Status, g.UpdateTime = exchange.AlgoCanceled, now
		t.rememberAlgo(g)
		if err := t.commit(now, []exchange.Event{exchange.AlgoUpdate{EventMeta: t.meta(now), AlgoOrder: g}}); err != nil {
			return g, fmt.Errorf("cancel algo order %s: %w", clientAlgoID, err)
		}
		return g, nil
	}
	if _, ok := t.findDoneAlgo(clientAlgoID); ok {
		return exchange.AlgoOrder{}, fmt.Errorf("cancel algo order %s: %w", clientAlgoID, reject(codeUnknownOrder, "Unknown order sent."))
	}
	return exchange.AlgoOrder{}, fmt.Errorf("cancel algo order %s: %w", clientAlgoID, notFound("Unknown order sent."))
}

// findDoneAlgo returns the newest finished algo order with clientAlgoID.
func (t *Trader) findDoneAlgo(clientAlgoID string) (exchange.AlgoOrder, bool) {
	return newest(t.acct.AlgoHistory, func(g exchange.AlgoOrder) bool { return g.ClientAlgoID == clientAlgoID })
}

// QueryAlgoOrder returns an open or recently finished algo order by client algo id.
func (t *Trader) QueryAlgoOrder(ctx context.Context, symbol, clientAlgoID string) (exchange.AlgoOrder, error) {
	if err := t.ready(ctx, symbol); err != nil {
		return exchange.AlgoOrder{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, g := range t.acct.Algos {
		if g.ClientAlgoID == clientAlgoID {
			return g, nil
		}
	}
	if g, ok := t.findDoneAlgo(clientAlgoID); ok {
		return g, nil
	}
	return exchange.AlgoOrder{}, fmt.Errorf("query algo order %s: %w", clientAlgoID, notFound("Order does not exist."))
}

// OpenAlgoOrders returns the open algo orders, oldest first.
func (t *Trader) OpenAlgoOrders(ctx context.Context, symbol string) ([]exchange.AlgoOrder, error) {
	if err := t.ready(ctx, symbol); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]exchange.AlgoOrder{}, t.acct.Algos...), nil
}
