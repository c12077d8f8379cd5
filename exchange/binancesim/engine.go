package binancesim

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// orderParams is a validated new-order request.
type orderParams struct {
	clientID   string
	side       exchange.Side
	typ        exchange.OrderType
	tif        exchange.TimeInForce
	qty        decimal.Decimal
	price      decimal.Decimal
	reduceOnly bool
	// from a triggered algo order
	origType      exchange.OrderType
	stopPrice     decimal.Decimal
	workingType   exchange.WorkingType
	closePosition bool
}

// placeOrderLocked accepts an order and executes what can execute now.
func (s *Sim) placeOrderLocked(p orderParams) (*order, *apiError) {
	o, e := s.acceptOrderLocked(p)
	if e != nil {
		return nil, e
	}
	s.executeLocked(o)
	return o, nil
}

// acceptOrderLocked runs the account checks Binance runs after the filters
// and records the order as NEW (pushing ORDER_TRADE_UPDATE NEW).
func (s *Sim) acceptOrderLocked(p orderParams) (*order, *apiError) {
	a := s.acct
	q := s.model.Quote()
	if p.reduceOnly {
		room := a.reduceRoom(p.side)
		if !room.IsPositive() {
			return nil, errBad(exchange.CodeReduceOnlyRejected, "ReduceOnly Order is rejected.")
		}
		p.qty = decimal.Min(p.qty, room)
	}
	refPrice := p.price
	if p.typ == exchange.Market {
		refPrice = q.Mark
		if (p.side == exchange.Buy && q.Ask.GreaterThan(q.Mark.Mul(s.rules.MultiplierUp))) ||
			(p.side == exchange.Sell && q.Bid.LessThan(q.Mark.Mul(s.rules.MultiplierDown))) {
			return nil, errBad(exchange.CodePercentPrice, "The counterparty's best price does not meet the PERCENT_PRICE filter limit.")
		}
	}
	if !p.reduceOnly && refPrice.Mul(p.qty).LessThan(s.rules.MinNotional) {
		return nil, errBad(exchange.CodeMinNotional, "Order's notional must be no smaller than "+s.rules.MinNotional.String()+" (unless you choose reduce only).")
	}
	if opening := a.openingQty(p.side, p.qty); opening.IsPositive() {
		need := opening.Mul(refPrice).Div(decimal.NewFromInt(int64(a.leverage)))
		if need.GreaterThan(a.available(q.Mark)) {
			return nil, errBad(exchange.CodeMarginInsufficient, "Margin is insufficient.")
		}
		after := a.pos.qty.Abs().Add(opening).Mul(refPrice)
		if !a.pos.qty.IsZero() && a.pos.qty.Sign() != int(p.side.Sign()) {
			after = opening.Mul(refPrice)
		}
		if after.GreaterThan(a.maxNotional(s.rules.Brackets)) {
			return nil, errBad(-2027, "Exceeded the maximum allowable position at current leverage.")
		}
	}
	if p.typ == exchange.Limit && p.tif == exchange.GTX && s.wouldTake(p.side, p.price) {
		return nil, errBad(exchange.CodePostOnlyRejected, "Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history")
	}
	o := &order{
		id: a.nextOrderID, clientID: p.clientID, side: p.side, typ: p.typ, origType: p.origType, tif: p.tif,
		price: p.price, qty: p.qty, status: exchange.StatusNew, reduceOnly: p.reduceOnly, closePosition: p.closePosition,
		stopPrice: p.stopPrice, workingType: p.workingType, created: s.now, updated: s.now,
	}
	if o.origType == "" {
		o.origType = o.typ
	}
	if o.workingType == "" {
		o.workingType = exchange.ContractPriceTrigger
	}
	if o.typ == exchange.Market {
		o.tif = exchange.GTC
	}
	a.nextOrderID++
	a.received++
	a.orders[o.id] = o
	a.orderIDs = append(a.orderIDs, o.id)
	s.pushOrderUpdateLocked(o, "NEW", nil)
	return o, nil
}

// reduceRoom is how much an order on side may reduce the position.
func (a *account) reduceRoom(side exchange.Side) decimal.Decimal {
	if a.pos.qty.IsZero() || a.pos.qty.Sign() == int(side.Sign()) {
		return decimal.Zero
	}
	return a.pos.qty.Abs()
}

// openingQty is the part of an order that increases exposure.
func (a *account) openingQty(side exchange.Side, qty decimal.Decimal) decimal.Decimal {
	if a.pos.qty.IsZero() || a.pos.qty.Sign() == int(side.Sign()) {
		return qty
	}
	return decimal.Max(qty.Sub(a.pos.qty.Abs()), decimal.Zero)
}

// wouldTake reports whether a limit at price crosses the book.
func (s *Sim) wouldTake(side exchange.Side, price decimal.Decimal) bool {
	q := s.model.Quote()
	if side == exchange.Buy {
		return q.Ask.IsPositive() && price.GreaterThanOrEqual(q.Ask)
	}
	return q.Bid.IsPositive() && price.LessThanOrEqual(q.Bid)
}

// executeLocked takes liquidity for a new market or marketable limit order;
// what a GTC limit does not fill rests, what IOC/FOK does not fill expires.
func (s *Sim) executeLocked(o *order) {
	take := o.remaining()
	if o.typ == exchange.Limit {
		take = decimal.Min(take, s.availableWithin(o.side, o.price))
		if o.tif == exchange.FOK && take.LessThan(o.remaining()) {
			take = decimal.Zero
		}
	}
	if take.IsPositive() {
		for _, f := range s.model.TakeLiquidity(o.side, take) {
			price := f.Price
			if o.typ == exchange.Limit && ((o.side == exchange.Buy && price.GreaterThan(o.price)) || (o.side == exchange.Sell && price.LessThan(o.price))) {
				price = o.price // the book moved under us: never fill worse than the limit
			}
			// The model prints this fill on its tape at the next step, tagged
			// Own, so the bot's resting orders never trade against it.
			s.fillLocked(o, price, f.Qty, false)
		}
	}
	if o.status.Final() {
		return
	}
	if o.typ == exchange.Market || o.tif == exchange.IOC || o.tif == exchange.FOK {
		o.status, o.updated = exchange.StatusExpired, s.now
		s.pushOrderUpdateLocked(o, "EXPIRED", nil)
	}
}

// availableWithin is the book quantity a taker on side can get at or better than limit.
func (s *Sim) availableWithin(side exchange.Side, limit decimal.Decimal) decimal.Decimal {
	bids, asks := s.model.Depth(1000)
	sum := decimal.Zero
	if side == exchange.Buy {
		for _, l := range asks {
			if l.Price.GreaterThan(limit) {
				break
			}
			sum = sum.Add(l.Qty)
		}
	} else {
		for _, l := range bids {
			if l.Price.LessThan(limit) {
				break
			}
			sum = sum.Add(l.Qty)
		}
	}
	return sum
}

// fillLocked applies one fill of o to the position, wallet, trades and income,
// and pushes ORDER_TRADE_UPDATE and ACCOUNT_UPDATE.
func (s *Sim) fillLocked(o *order, price, qty decimal.Decimal, maker bool) {
	a := s.acct
	rate := s.opts.TakerFee
	if maker {
		rate = s.opts.MakerFee
	}
	fee := price.Mul(qty).Mul(rate).Round(assetPrecision)
	realized := a.applyFill(o.side, price, qty)
	a.wallet = a.wallet.Add(realized).Sub(fee)
	a.pos.updated, a.updated = s.now, s.now
	o.executed = o.executed.Add(qty)
	o.cumQuote = o.cumQuote.Add(price.Mul(qty))
	o.updated = s.now
	o.status = exchange.StatusPartiallyFilled
	if !o.remaining().IsPositive() {
		o.status = exchange.StatusFilled
	}
	t := userTrade{id: a.nextTradeID, orderID: o.id, side: o.side, price: price, qty: qty, commission: fee, realized: realized, maker: maker, time: s.now}
	a.nextTradeID++
	a.trades = append(a.trades, t)
	tid := strconv.FormatInt(t.id, 10)
	if !realized.IsZero() {
		s.addIncomeLocked("REALIZED_PNL", realized, "", tid)
	}
	s.addIncomeLocked("COMMISSION", fee.Neg(), "", tid)
	s.pushAccountUpdateLocked("ORDER", true)
	s.pushOrderUpdateLocked(o, "TRADE", &t)
}

// applyFill moves the position by a fill and returns the realized PnL.
func (a *account) applyFill(side exchange.Side, price, qty decimal.Decimal) decimal.Decimal {
	lev := decimal.NewFromInt(int64(a.leverage))
	signed := qty.Mul(decimal.NewFromInt(side.Sign()))
	p := &a.pos
	if p.qty.IsZero() || p.qty.Sign() == signed.Sign() {
		size := p.qty.Abs()
		p.entry = size.Mul(p.entry).Add(qty.Mul(price)).Div(size.Add(qty))
		if a.isolated() {
			p.iw = p.iw.Add(qty.Mul(price).Div(lev)).Round(assetPrecision)
		}
		p.qty = p.qty.Add(signed)
		return decimal.Zero
	}
	size := p.qty.Abs()
	closing := decimal.Min(qty, size)
	realized := closing.Mul(price.Sub(p.entry)).Mul(decimal.NewFromInt(int64(p.qty.Sign()))).Round(assetPrecision)
	p.cr = p.cr.Add(realized)
	if a.isolated() {
		p.iw = p.iw.Sub(p.iw.Mul(closing).Div(size)).Round(assetPrecision)
	}
	p.qty = p.qty.Add(signed)
	switch rest := qty.Sub(closing); {
	case rest.IsPositive(): // flipped
		p.entry = price
		p.iw = decimal.Zero
		if a.isolated() {
			p.iw = rest.Mul(price).Div(lev).Round(assetPrecision)
		}
	case p.qty.IsZero():
		p.entry, p.iw = decimal.Zero, decimal.Zero
	}
	return realized
}

func (s *Sim) addIncomeLocked(typ string, amount decimal.Decimal, info, tradeID string) {
	a := s.acct
	a.income = append(a.income, incomeRec{typ: typ, amount: amount, info: info, tradeID: tradeID, tranID: a.nextTranID, time: s.now})
	a.nextTranID++
}

// cancelOrderLocked cancels an open order and reports it.
func (s *Sim) cancelOrderLocked(o *order) {
	o.status, o.updated = exchange.StatusCanceled, s.now
	s.pushOrderUpdateLocked(o, "CANCELED", nil)
}

// matchRestingLocked fills resting limits that the market crossed: a public
// trade at or through the limit, or the opposite best price reaching it.
// Fills are maker fills at the limit price.
func (s *Sim) matchRestingLocked(trades []mTrade) {
	a := s.acct
	q := s.model.Quote()
	for _, id := range a.orderIDs {
		o := a.orders[id]
		if o.status.Final() || o.typ != exchange.Limit {
			continue
		}
		crossed := false
		for _, t := range trades {
			if (o.side == exchange.Buy && t.Price.LessThanOrEqual(o.price)) || (o.side == exchange.Sell && t.Price.GreaterThanOrEqual(o.price)) {
				crossed = true
				break
			}
		}
		if !crossed {
			crossed = (o.side == exchange.Buy && q.Ask.IsPositive() && q.Ask.LessThanOrEqual(o.price)) ||
				(o.side == exchange.Sell && q.Bid.IsPositive() && q.Bid.GreaterThanOrEqual(o.price))
		}
		if !crossed {
			continue
		}
		qty := o.remaining()
		if o.reduceOnly {
			qty = decimal.Min(qty, a.reduceRoom(o.side))
			if !qty.IsPositive() {
				o.status, o.updated = exchange.StatusExpired, s.now
				s.pushOrderUpdateLocked(o, "EXPIRED", nil)
				continue
			}
		}
		s.fillLocked(o, o.price, qty, true)
		if o.reduceOnly && o.remaining().IsPositive() {
			o.status, o.updated = exchange.StatusExpired, s.now
			s.pushOrderUpdateLocked(o, "EXPIRED", nil)
		}
	}
}
