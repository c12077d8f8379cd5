package binancesim

import (
	"strconv"

	"github.com/taobot/taobot/exchange"
)

// algoJSON is an algo order as the Algo Order API reports it.
func algoJSON(g *algoOrder) map[string]any {
	m := map[string]any{
		"algoId": g.id, "clientAlgoId": g.clientID, "algoType": "CONDITIONAL", "orderType": string(g.typ), "symbol": Symbol,
		"side": string(g.side), "positionSide": "BOTH", "timeInForce": "GTC", "quantity": fmtQty(g.qty),
		"algoStatus": string(g.status), "triggerPrice": fmtPrice(g.trigger), "price": "0.00", "icebergQuantity": nil,
		"selfTradePreventionMode": "EXPIRE_MAKER", "workingType": string(g.workingType), "priceMatch": "NONE",
		"closePosition": g.closePosition, "priceProtect": g.priceProtect, "reduceOnly": g.reduceOnly,
		"activatePrice": "", "callbackRate": "", "createTime": g.created.UnixMilli(), "updateTime": g.updated.UnixMilli(),
		"triggerTime": int64(0), "goodTillDate": int64(0),
		"actualOrderId": "", "actualPrice": fmtAvg(g.avgPrice), "executedQty": fmtQty(g.executedQty),
	}
	if !g.triggerTime.IsZero() {
		m["triggerTime"] = g.triggerTime.UnixMilli()
	}
	if g.actualOrderID != 0 {
		m["actualOrderId"] = strconv.FormatInt(g.actualOrderID, 10)
	}
	return m
}

func hNewAlgo(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	if r.str("algoType") != "CONDITIONAL" {
		return nil, errBad(-1116, "Invalid algoType.")
	}
	side, e := parseSide(r.str("side"))
	if e != nil {
		return nil, e
	}
	typ := exchange.OrderType(r.str("type"))
	if typ != exchange.StopMarket && typ != exchange.TakeProfitMarket {
		return nil, errBad(-1116, "Invalid orderType. (the simulator serves STOP_MARKET and TAKE_PROFIT_MARKET)")
	}
	if e := s.checkPositionSide(r); e != nil {
		return nil, e
	}
	cid := r.str("clientAlgoId")
	if len(cid) > 36 {
		return nil, errBad(-1100, "Illegal characters found in parameter 'clientAlgoId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")
	}
	g := &algoOrder{clientID: cid, side: side, typ: typ, workingType: exchange.ContractPriceTrigger}
	if wt := exchange.WorkingType(r.str("workingType")); wt != "" {
		if wt != exchange.MarkPriceTrigger && wt != exchange.ContractPriceTrigger {
			return nil, errBad(-1116, "Invalid workingType.")
		}
		g.workingType = wt
	}
	var ok bool
	if g.closePosition, ok = parseBool(r.str("closePosition")); !ok {
		return nil, errBad(-1100, "Illegal characters found in parameter 'closePosition'.")
	}
	if g.reduceOnly, ok = parseBool(r.str("reduceOnly")); !ok {
		return nil, errBad(-1100, "Illegal characters found in parameter 'reduceOnly'.")
	}
	if g.priceProtect, ok = parseBool(r.str("priceProtect")); !ok {
		return nil, errBad(-1100, "Illegal characters found in parameter 'priceProtect'.")
	}
	if g.trigger, e = parseDecimal(r, "triggerPrice", true); e != nil {
		return nil, e
	}
	if e := s.checkPrice(g.trigger, side, false); e != nil {
		return nil, e
	}
	if g.closePosition {
		if r.has("quantity") {
			return nil, errBad(-1106, "Parameter 'quantity' sent when not required.")
		}
		if g.reduceOnly {
			return nil, errBad(-1106, "Parameter 'reduceOnly' sent when not required.")
		}
	} else {
		if g.qty, e = parseDecimal(r, "quantity", true); e != nil {
			return nil, e
		}
		if e := s.checkQty(g.qty, true); e != nil {
			return nil, e
		}
		if !g.reduceOnly && g.trigger.Mul(g.qty).LessThan(s.rules.MinNotional) {
			return nil, errBad(exchange.CodeMinNotional, "Order's notional must be no smaller than "+s.rules.MinNotional.String()+" (unless you choose reduce only).")
		}
	}
	if _, e := s.placeAlgoLocked(g); e != nil {
		return nil, e
	}
	return algoJSON(g), nil
}

// findAlgo looks an algo order up by algoId or clientAlgoId (the newest with that id).
func (s *Sim) findAlgo(r *request) (*algoOrder, *apiError) {
	a := s.acct
	if r.str("algoId") != "" {
		id, e := r.int64Param("algoId")
		if e != nil {
			return nil, e
		}
		if g, ok := a.algos[id]; ok {
			return g, nil
		}
		return nil, errBad(exchange.CodeNoSuchOrder, "Order does not exist.")
	}
	cid := r.str("clientAlgoId")
	if cid == "" {
		return nil, errBad(-1102, "Param 'clientAlgoId' or 'algoId' must be sent, but both were empty/null!")
	}
	for i := len(a.algoIDs) - 1; i >= 0; i-- {
		if g := a.algos[a.algoIDs[i]]; g.clientID == cid {
			return g, nil
		}
	}
	return nil, errBad(exchange.CodeNoSuchOrder, "Order does not exist.")
}

func hGetAlgo(s *Sim, r *request) (any, *apiError) {
	g, e := s.findAlgo(r)
	if e != nil {
		return nil, e
	}
	return algoJSON(g), nil
}

func hCancelAlgo(s *Sim, r *request) (any, *apiError) {
	g, e := s.findAlgo(r)
	if e != nil {
		return nil, e
	}
	if !g.status.Open() {
		return nil, errBad(-2011, "Unknown order sent.")
	}
	s.cancelAlgoLocked(g)
	return map[string]any{"algoId": g.id, "clientAlgoId": g.clientID, "code": "200", "msg": "success"}, nil
}

func hOpenAlgos(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	out := []map[string]any{}
	for _, id := range s.acct.algoIDs {
		if g := s.acct.algos[id]; g.status.Open() {
			out = append(out, algoJSON(g))
		}
	}
	return out, nil
}

func hAllAlgos(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	out := []map[string]any{}
	for _, id := range s.acct.algoIDs {
		out = append(out, algoJSON(s.acct.algos[id]))
	}
	return out, nil
}

func hCancelAllAlgos(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	for _, id := range s.acct.algoIDs {
		if g := s.acct.algos[id]; g.status.Open() {
			s.cancelAlgoLocked(g)
		}
	}
	return map[string]any{"code": 200, "msg": "The operation of cancel all open order is done."}, nil
}
