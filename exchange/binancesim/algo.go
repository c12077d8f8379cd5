package binancesim

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// maxOpenAlgo is TAOUSDT's MAX_NUM_ALGO_ORDERS.
const maxOpenAlgo = 10

// triggered reports whether an algo order's trigger condition holds at price.
func (g *algoOrder) triggered(price decimal.Decimal) bool {
	if !price.IsPositive() {
		return false
	}
	stop := g.typ == exchange.StopMarket
	if g.side == exchange.Sell {
		if stop {
			return price.LessThanOrEqual(g.trigger)
		}
		return price.GreaterThanOrEqual(g.trigger)
	}
	if stop {
		return price.GreaterThanOrEqual(g.trigger)
	}
	return price.LessThanOrEqual(g.trigger)
}

// triggerPrice is the price an algo order watches: mark or last trade.
func (s *Sim) triggerPrice(wt exchange.WorkingType) decimal.Decimal {
	q := s.model.Quote()
	if wt == exchange.MarkPriceTrigger {
		return q.Mark
	}
	return q.Last
}

// placeAlgoLocked accepts a validated conditional order.
func (s *Sim) placeAlgoLocked(g *algoOrder) (*algoOrder, *apiError) {
	a := s.acct
	open := 0
	for _, id := range a.algoIDs {
		x := a.algos[id]
		if x.status.Open() {
			open++
			if g.clientID != "" && x.clientID == g.clientID {
				return nil, errBad(exchange.CodeDuplicateClientID, "ClientOrderId is duplicated.")
			}
		}
	}
	if open >= maxOpenAlgo {
		return nil, errBad(-4045, "Reach max stop order limit.")
	}
	if g.triggered(s.triggerPrice(g.workingType)) {
		return nil, errBad(exchange.CodeWouldTrigger, "Order would immediately trigger.")
	}
	g.id = a.nextAlgoID
	a.nextAlgoID++
	if g.clientID == "" {
		g.clientID = "sim-algo-" + strconv.FormatInt(g.id, 10)
	}
	g.status, g.created, g.updated = exchange.AlgoNew, s.now, s.now
	a.received++
	a.algos[g.id] = g
	a.algoIDs = append(a.algoIDs, g.id)
	s.pushAlgoUpdateLocked(g)
	return g, nil
}

// cancelAlgoLocked cancels an open algo order.
func (s *Sim) cancelAlgoLocked(g *algoOrder) {
	g.status, g.updated = exchange.AlgoCanceled, s.now
	s.pushAlgoUpdateLocked(g)
}

// checkAlgosLocked triggers every open algo order whose condition holds:
// TRIGGERING, then a market order (TRIGGERED with its id), then FINISHED,
// or REJECTED when the resulting order cannot be placed.
func (s *Sim) checkAlgosLocked() {
	a := s.acct
	for _, id := range a.algoIDs {
		g := a.algos[id]
		if g.status != exchange.AlgoNew || !g.triggered(s.triggerPrice(g.workingType)) {
			continue
		}
		g.status, g.updated, g.triggerTime = exchange.AlgoTriggering, s.now, s.now
		s.pushAlgoUpdateLocked(g)
		qty := g.qty
		reduce := g.reduceOnly || g.closePosition
		if g.closePosition {
			qty = a.reduceRoom(g.side)
		}
		p := orderParams{
			clientID: g.clientID, side: g.side, typ: exchange.Market, qty: qty, reduceOnly: reduce,
			origType: g.typ, stopPrice: g.trigger, workingType: g.workingType, closePosition: g.closePosition,
		}
		var o *order
		var e *apiError
		if !qty.IsPositive() {
			e = errBad(exchange.CodeReduceOnlyRejected, "ReduceOnly Order is rejected.")
		} else {
			o, e = s.placeOrderTriggered(g, p)
		}
		if e != nil {
			g.status, g.updated, g.reason = exchange.AlgoRejected, s.now, e.msg
			s.pushAlgoUpdateLocked(g)
			continue
		}
		g.executedQty, g.avgPrice = o.executed, o.avgPrice()
		g.status, g.updated = exchange.AlgoFinished, s.now
		s.pushAlgoUpdateLocked(g)
	}
}

// placeOrderTriggered places the market order of a triggered algo order,
// reporting TRIGGERED (with actualOrderId) before the order's own updates.
func (s *Sim) placeOrderTriggered(g *algoOrder, p orderParams) (*order, *apiError) {
	a := s.acct
	g.actualOrderID = a.nextOrderID
	g.status = exchange.AlgoTriggered
	s.pushAlgoUpdateLocked(g)
	o, e := s.placeOrderLocked(p)
	if e != nil {
		g.actualOrderID = 0
	}
	return o, e
}

// checkLiquidationLocked force-closes the bot's position when mark crosses
// Binance's liquidation price: open orders are canceled and open algo orders
// expired, the position is
// closed at mark by an "autoclose-" LIQUIDATION order, the remaining margin
// of the position is charged as the clearance fee, and the forced order is
// offered to the forceOrder stream like any other.
func (s *Sim) checkLiquidationLocked() {
	a := s.acct
	if a.pos.qty.IsZero() {
		return
	}
	mark := s.model.Quote().Mark
	lp := s.liquidationPriceLocked()
	if !lp.IsPositive() {
		return
	}
	long := a.pos.qty.IsPositive()
	if (long && mark.GreaterThan(lp)) || (!long && mark.LessThan(lp)) {
		return
	}
	for _, id := range a.orderIDs {
		if o := a.orders[id]; !o.status.Final() {
			s.cancelOrderLocked(o)
		}
	}
	for _, id := range a.algoIDs { // the position they protect is gone: the system expires them
		if g := a.algos[id]; g.status.Open() {
			g.status, g.updated, g.reason = exchange.AlgoExpired, s.now, "position liquidated"
			s.pushAlgoUpdateLocked(g)
		}
	}
	side := exchange.Sell
	if !long {
		side = exchange.Buy
	}
	qty := a.pos.qty.Abs()
	mm := s.maintMarginLocked(mark)
	iw := a.pos.iw
	o := &order{
		id: a.nextOrderID, clientID: "autoclose-" + strconv.FormatInt(s.now.UnixMilli(), 10), side: side,
		typ: exchange.LiquidationOrder, origType: exchange.LiquidationOrder, tif: exchange.IOC, price: mark, qty: qty,
		status: exchange.StatusNew, reduceOnly: true, workingType: exchange.ContractPriceTrigger, created: s.now, updated: s.now,
	}
	a.nextOrderID++
	a.orders[o.id] = o
	a.orderIDs = append(a.orderIDs, o.id)
	realized := a.applyFill(side, mark, qty)
	a.wallet = a.wallet.Add(realized)
	clearance := mm
	if a.isolated() {
		clearance = iw.Add(realized)
	}
	clearance = decimal.Min(decimal.Max(clearance, decimal.Zero), decimal.Max(a.wallet, decimal.Zero)).Round(assetPrecision)
	a.wallet = a.wallet.Sub(clearance)
	o.executed, o.cumQuote, o.status, o.updated = qty, mark.Mul(qty), exchange.StatusFilled, s.now
	t := userTrade{id: a.nextTradeID, orderID: o.id, side: side, price: mark, qty: qty, realized: realized, time: s.now}
	a.nextTradeID++
	a.trades = append(a.trades, t)
	tid := strconv.FormatInt(t.id, 10)
	s.addIncomeLocked("REALIZED_PNL", realized, "", tid)
	if clearance.IsPositive() {
		s.addIncomeLocked("INSURANCE_CLEAR", clearance.Neg(), "", tid)
	}
	s.pushAccountUpdateLocked("ORDER", true)
	s.pushOrderUpdateLocked(o, "CALCULATED", &t)
	s.pub.offerLiquidation(mLiquidation{Time: s.now, Side: side, Price: mark, AvgPrice: mark, Qty: qty})
}

// settleFundingLocked pays or charges funding on the open position:
// notional at mark times rate; positive rates make longs pay.
func (s *Sim) settleFundingLocked(f mFunding) {
	a := s.acct
	if a.pos.qty.IsZero() {
		return
	}
	mark := f.Mark
	if !mark.IsPositive() {
		mark = s.model.Quote().Mark
	}
	amount := a.pos.qty.Mul(mark).Mul(f.Rate).Neg().Round(assetPrecision)
	a.wallet = a.wallet.Add(amount)
	if a.isolated() {
		a.pos.iw = a.pos.iw.Add(amount)
	}
	a.updated = s.now
	s.addIncomeLocked("FUNDING_FEE", amount, "", "")
	s.pushFundingUpdateLocked(amount)
}
