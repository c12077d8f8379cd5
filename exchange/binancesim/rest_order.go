package binancesim

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// orderJSON is a regular order as /fapi/v1/order and friends report it.
func orderJSON(o *order) map[string]any {
	price := o.price
	if o.typ == exchange.Market {
		price = decimal.Zero
	}
	return map[string]any{
		"orderId": o.id, "symbol": Symbol, "status": string(o.status), "clientOrderId": o.clientID,
		"price": fmtPrice(price), "avgPrice": fmtAvg(o.avgPrice()), "origQty": fmtQty(o.qty), "executedQty": fmtQty(o.executed),
		"cumQty": fmtQty(o.executed), "cumQuote": fmtAmt(o.cumQuote), "timeInForce": string(o.tif), "type": string(o.typ),
		"reduceOnly": o.reduceOnly, "closePosition": o.closePosition, "side": string(o.side), "positionSide": "BOTH",
		"stopPrice": fmtPrice(o.stopPrice), "workingType": string(o.workingType), "priceProtect": false, "origType": string(o.origType),
		"priceMatch": "NONE", "selfTradePreventionMode": "EXPIRE_MAKER", "goodTillDate": 0,
		"time": o.created.UnixMilli(), "updateTime": o.updated.UnixMilli(),
	}
}

// checkPositionSide enforces the account's position mode.
func (s *Sim) checkPositionSide(r *request) *apiError {
	ps := r.str("positionSide")
	if s.acct.dualSide {
		if ps != "LONG" && ps != "SHORT" {
			return errBad(-4061, "Order's position side does not match user's setting.")
		}
		return errBad(-4061, "Order's position side does not match user's setting. (the simulator trades one-way mode only)")
	}
	if ps != "" && ps != "BOTH" {
		return errBad(-4061, "Order's position side does not match user's setting.")
	}
	return nil
}

// checkQty applies precision and LOT_SIZE (or MARKET_LOT_SIZE) to qty.
func (s *Sim) checkQty(qty decimal.Decimal, market bool) *apiError {
	r := s.rules
	minQ, maxQ, step := r.MinQty, r.MaxQty, r.StepSize
	if market {
		minQ, maxQ, step = r.MarketMinQty, r.MarketMaxQty, r.MarketStepSize
	}
	switch {
	case qty.Exponent() < -qtyPrecision && !qty.Equal(qty.Truncate(qtyPrecision)):
		return errBad(exchange.CodeBadPrecision, "Precision is over the maximum defined for this asset.")
	case !qty.IsPositive():
		return errBad(-4003, "Quantity less than or equal to zero.")
	case qty.LessThan(minQ):
		return errBad(-4004, "Quantity less than minimum quantity.")
	case qty.GreaterThan(maxQ):
		return errBad(-4005, "Quantity greater than maximum quantity.")
	case !isMultiple(qty, minQ, step):
		return errBad(-1013, "Filter failure: LOT_SIZE")
	}
	return nil
}

// checkPrice applies precision, PRICE_FILTER and PERCENT_PRICE to a limit price.
func (s *Sim) checkPrice(price decimal.Decimal, side exchange.Side, percent bool) *apiError {
	r := s.rules
	switch {
	case price.Exponent() < -pricePrecision && !price.Equal(price.Truncate(pricePrecision)):
		return errBad(exchange.CodeBadPrecision, "Precision is over the maximum defined for this asset.")
	case !price.IsPositive():
		return errBad(-4001, "Price less than 0.")
	case price.LessThan(r.MinPrice):
		return errBad(-4002, "Price less than min price.")
	case price.GreaterThan(r.MaxPrice):
		return errBad(-4006, "Price greater than max price.")
	case !isMultiple(price, r.MinPrice, r.TickSize):
		return errBad(exchange.CodeBadTick, "Price not increased by tick size.")
	}
	if !percent {
		return nil
	}
	mark := s.model.Quote().Mark
	if up := mark.Mul(r.MultiplierUp); side == exchange.Buy && price.GreaterThan(up) {
		return errBad(-4016, "Limit price can't be higher than "+fmtPrice(up.Truncate(pricePrecision))+".")
	}
	if down := mark.Mul(r.MultiplierDown); side == exchange.Sell && price.LessThan(down) {
		return errBad(-4024, "Limit price can't be lower than "+fmtPrice(down.RoundUp(pricePrecision))+".")
	}
	return nil
}

func parseSide(v string) (exchange.Side, *apiError) {
	s := exchange.Side(v)
	if !s.Valid() {
		return "", errBad(-1117, "Invalid side.")
	}
	return s, nil
}

func hNewOrder(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	side, e := parseSide(r.str("side"))
	if e != nil {
		return nil, e
	}
	typ := exchange.OrderType(r.str("type"))
	if typ.Conditional() {
		return nil, errBad(exchange.CodeUseAlgoAPI, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.")
	}
	if typ != exchange.Limit && typ != exchange.Market {
		return nil, errBad(-1116, "Invalid orderType.")
	}
	if e := s.checkPositionSide(r); e != nil {
		return nil, e
	}
	cid := r.str("newClientOrderId")
	if len(cid) > 36 {
		return nil, errBad(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")
	}
	if cid == "" {
		cid = "sim-" + strconv.FormatInt(s.acct.nextOrderID, 10)
	}
	for _, id := range s.acct.orderIDs {
		if o := s.acct.orders[id]; !o.status.Final() && o.clientID == cid {
			return nil, errBad(exchange.CodeDuplicateClientID, "ClientOrderId is duplicated.")
		}
	}
	reduce, ok := parseBool(r.str("reduceOnly"))
	if !ok {
		return nil, errBad(-1100, "Illegal characters found in parameter 'reduceOnly'.")
	}
	qty, e := parseDecimal(r, "quantity", true)
	if e != nil {
		return nil, e
	}
	if e := s.checkQty(qty, typ == exchange.Market); e != nil {
		return nil, e
	}
	p := orderParams{clientID: cid, side: side, typ: typ, qty: qty, reduceOnly: reduce}
	if typ == exchange.Limit {
		p.tif = exchange.TimeInForce(r.str("timeInForce"))
		switch p.tif {
		case exchange.GTC, exchange.IOC, exchange.FOK, exchange.GTX:
		case "":
			return nil, errBad(-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.")
		default:
			return nil, errBad(-1115, "Invalid timeInForce.")
		}
		if p.price, e = parseDecimal(r, "price", true); e != nil {
			return nil, e
		}
		if e := s.checkPrice(p.price, side, true); e != nil {
			return nil, e
		}
	} else if r.has("price") {
		return nil, errBad(-1106, "Parameter 'price' sent when not required.")
	}
	respType := r.str("newOrderRespType")
	if respType != "" && respType != "ACK" && respType != "RESULT" {
		return nil, errBad(-1100, "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT'.")
	}
	o, e := s.acceptOrderLocked(p)
	if e != nil {
		return nil, e
	}
	// ACK (Binance's default) answers with the order as accepted, before it
	// executes: fills are learnt from the user stream or by querying.
	ack := orderJSON(o)
	s.executeLocked(o)
	if respType == "RESULT" {
		return orderJSON(o), nil
	}
	return ack, nil
}

// findOrder looks an order up by orderId or origClientOrderId (the newest with that id).
func (s *Sim) findOrder(r *request) (*order, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	a := s.acct
	if r.str("orderId") != "" {
		id, e := r.int64Param("orderId")
		if e != nil {
			return nil, e
		}
		if o, ok := a.orders[id]; ok {
			return o, nil
		}
		return nil, errBad(exchange.CodeNoSuchOrder, "Order does not exist.")
	}
	cid := r.str("origClientOrderId")
	if cid == "" {
		return nil, errBad(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
	}
	for i := len(a.orderIDs) - 1; i >= 0; i-- {
		if o := a.orders[a.orderIDs[i]]; o.clientID == cid {
			return o, nil
		}
	}
	return nil, errBad(exchange.CodeNoSuchOrder, "Order does not exist.")
}

func hGetOrder(s *Sim, r *request) (any, *apiError) {
	o, e := s.findOrder(r)
	if e != nil {
		return nil, e
	}
	return orderJSON(o), nil
}

func hGetOpenOrder(s *Sim, r *request) (any, *apiError) {
	o, e := s.findOrder(r)
	if e != nil {
		return nil, e
	}
	if o.status.Final() {
		return nil, errBad(-2013, "Order does not exist.")
	}
	return orderJSON(o), nil
}

func hCancelOrder(s *Sim, r *request) (any, *apiError) {
	o, e := s.findOrder(r)
	if e != nil {
		return nil, e
	}
	if o.status.Final() {
		return nil, errBad(-2011, "Unknown order sent.")
	}
	s.cancelOrderLocked(o)
	return orderJSON(o), nil
}

func (s *Sim) openOrdersJSON() []map[string]any {
	out := []map[string]any{}
	for _, id := range s.acct.orderIDs {
		if o := s.acct.orders[id]; !o.status.Final() {
			out = append(out, orderJSON(o))
		}
	}
	return out
}

func hOpenOrders(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	return s.openOrdersJSON(), nil
}

func hAllOrders(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	start, end, limit, e := window(r, 500, 1000)
	if e != nil {
		return nil, e
	}
	out := []map[string]any{}
	for _, id := range s.acct.orderIDs {
		if o := s.acct.orders[id]; inWindow(o.created, start, end) {
			out = append(out, orderJSON(o))
		}
	}
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

func hCancelAll(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	for _, id := range s.acct.orderIDs {
		if o := s.acct.orders[id]; !o.status.Final() {
			s.cancelOrderLocked(o)
		}
	}
	return map[string]any{"code": 200, "msg": "The operation of cancel all open order is done."}, nil
}
