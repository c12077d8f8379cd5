package binancesim

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// success is Binance's reply to settings changes.
func success() map[string]any { return map[string]any{"code": 200, "msg": "success"} }

func hLeverageBracket(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	bs := []map[string]any{}
	for _, b := range s.rules.Brackets {
		f := func(d decimal.Decimal) float64 { v, _ := d.Float64(); return v } // Binance sends these as JSON numbers
		bs = append(bs, map[string]any{
			"bracket": b.Bracket, "initialLeverage": b.InitialLeverage, "notionalCap": f(b.NotionalCap),
			"notionalFloor": f(b.NotionalFloor), "maintMarginRatio": f(b.MaintMarginRatio), "cum": f(b.Cum),
		})
	}
	lb := map[string]any{"symbol": Symbol, "notionalCoef": 1.0, "brackets": bs}
	if r.has("symbol") {
		return lb, nil
	}
	return []any{lb}, nil
}

func hLeverage(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	if r.str("leverage") == "" {
		return nil, errBad(-1102, "Mandatory parameter 'leverage' was not sent, was empty/null, or malformed.")
	}
	lev, err := strconv.Atoi(r.str("leverage"))
	if err != nil {
		return nil, errBad(-1100, "Illegal characters found in parameter 'leverage'; legal range is '^[0-9]{1,20}$'.")
	}
	if lev < 1 || lev > s.rules.Brackets[0].InitialLeverage {
		return nil, errBad(-4028, "Leverage "+r.str("leverage")+" is not valid")
	}
	a := s.acct
	old := a.leverage
	a.leverage = lev
	if mark := s.model.Quote().Mark; a.pos.qty.Abs().Mul(mark).GreaterThan(a.maxNotional(s.rules.Brackets)) {
		a.leverage = old
		return nil, errBad(-2027, "Exceeded the maximum allowable position at current leverage.")
	}
	ms := s.now.UnixMilli()
	s.hub.publishUserLocked("", marshalEvent("ACCOUNT_CONFIG_UPDATE", struct {
		E  int64 `json:"E"`
		T  int64 `json:"T"`
		AC struct {
			S string `json:"s"`
			L int    `json:"l"`
		} `json:"ac"`
	}{E: ms, T: ms, AC: struct {
		S string `json:"s"`
		L int    `json:"l"`
	}{Symbol, lev}}))
	return map[string]any{"leverage": lev, "maxNotionalValue": a.maxNotional(s.rules.Brackets).String(), "symbol": Symbol}, nil
}

func (a *account) hasOpenOrders() bool {
	for _, id := range a.orderIDs {
		if !a.orders[id].status.Final() {
			return true
		}
	}
	return false
}

func hMarginType(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	mt := exchange.MarginType(r.str("marginType"))
	if mt != exchange.Isolated && mt != exchange.Cross {
		return nil, errBad(-1116, "Invalid marginType.")
	}
	a := s.acct
	if a.marginType == mt {
		return nil, errBad(exchange.CodeNoNeedChangeMargin, "No need to change margin type.")
	}
	if !a.pos.qty.IsZero() {
		return nil, errBad(-4048, "Margin type cannot be changed if there exists position.")
	}
	if a.hasOpenOrders() {
		return nil, errBad(-4047, "Margin type cannot be changed if there exists open orders.")
	}
	a.marginType = mt
	return success(), nil
}

func hSetDual(s *Sim, r *request) (any, *apiError) {
	dual, ok := parseBool(r.str("dualSidePosition"))
	if !ok || r.str("dualSidePosition") == "" {
		return nil, errBad(-1102, "Mandatory parameter 'dualSidePosition' was not sent, was empty/null, or malformed.")
	}
	a := s.acct
	if a.dualSide == dual {
		return nil, errBad(exchange.CodeNoNeedChangeDualPos, "No need to change position side.")
	}
	if !a.pos.qty.IsZero() || a.hasOpenOrders() {
		return nil, errBad(-4068, "Position side cannot be changed if there exists position.")
	}
	a.dualSide = dual
	return success(), nil
}

func hGetDual(s *Sim, _ *request) (any, *apiError) {
	return map[string]bool{"dualSidePosition": s.acct.dualSide}, nil
}

func hAccountConfig(s *Sim, _ *request) (any, *apiError) {
	return map[string]any{"feeTier": 0, "canTrade": true, "canDeposit": true, "canWithdraw": true, "dualSidePosition": s.acct.dualSide, "updateTime": 0, "multiAssetsMargin": false, "tradeGroupId": -1}, nil
}

func hSymbolConfig(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	a := s.acct
	return []map[string]any{{"symbol": Symbol, "marginType": string(a.marginType), "isAutoAddMargin": false, "leverage": a.leverage, "maxNotionalValue": a.maxNotional(s.rules.Brackets).String()}}, nil
}

func hCommission(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	return map[string]any{"symbol": Symbol, "makerCommissionRate": s.opts.MakerFee.String(), "takerCommissionRate": s.opts.TakerFee.String()}, nil
}

// accountNumbers are the figures the account and balance endpoints share.
type accountNumbers struct {
	wallet, crossWallet, upnl, crossUPnL, posIM, orderIM, maint, available decimal.Decimal
}

func (s *Sim) numbersLocked() accountNumbers {
	a := s.acct
	mark := s.model.Quote().Mark
	return accountNumbers{
		wallet: a.wallet, crossWallet: a.crossWallet(), upnl: a.upnl(mark), crossUPnL: a.crossUPnL(mark),
		posIM: a.positionIM(mark), orderIM: a.openOrderIM(), maint: s.maintMarginLocked(mark), available: a.available(mark),
	}
}

func hAccount(s *Sim, _ *request) (any, *apiError) {
	a := s.acct
	n := s.numbersLocked()
	mark := s.model.Quote().Mark
	ms := a.updated.UnixMilli()
	margin := n.wallet.Add(n.upnl)
	asset := map[string]any{
		"asset": "USDT", "walletBalance": fmtAmt(n.wallet), "unrealizedProfit": fmtAmt(n.upnl), "marginBalance": fmtAmt(margin),
		"maintMargin": fmtAmt(n.maint), "initialMargin": fmtAmt(n.posIM.Add(n.orderIM)), "positionInitialMargin": fmtAmt(n.posIM),
		"openOrderInitialMargin": fmtAmt(n.orderIM), "crossWalletBalance": fmtAmt(n.crossWallet), "crossUnPnl": fmtAmt(n.crossUPnL),
		"availableBalance": fmtAmt(n.available), "maxWithdrawAmount": fmtAmt(n.available), "marginAvailable": true, "updateTime": ms,
	}
	positions := []map[string]any{}
	if !a.pos.qty.IsZero() {
		positions = append(positions, map[string]any{
			"symbol": Symbol, "positionSide": "BOTH", "positionAmt": fmtQty(a.pos.qty), "unrealizedProfit": fmtAmt(n.upnl),
			"isolatedMargin": fmtAmt(a.pos.iw.Add(n.upnl.Mul(boolDec(a.isolated())))), "notional": fmtAmt(a.pos.qty.Mul(mark)),
			"isolatedWallet": fmtAmt(a.pos.iw), "initialMargin": fmtAmt(n.posIM), "maintMargin": fmtAmt(n.maint),
			"positionInitialMargin": fmtAmt(n.posIM), "openOrderInitialMargin": fmtAmt(n.orderIM), "leverage": strconv.Itoa(a.leverage),
			"isolated": a.isolated(), "entryPrice": fmtRate(a.pos.entry), "maxNotional": a.maxNotional(s.rules.Brackets).String(),
			"bidNotional": "0", "askNotional": "0", "updateTime": a.pos.updated.UnixMilli(),
		})
	}
	return map[string]any{
		"feeTier": 0, "canTrade": true, "canDeposit": true, "canWithdraw": true, "feeBurn": false, "updateTime": 0, "multiAssetsMargin": false, "tradeGroupId": -1,
		"totalInitialMargin": fmtAmt(n.posIM.Add(n.orderIM)), "totalMaintMargin": fmtAmt(n.maint), "totalWalletBalance": fmtAmt(n.wallet),
		"totalUnrealizedProfit": fmtAmt(n.upnl), "totalMarginBalance": fmtAmt(margin), "totalPositionInitialMargin": fmtAmt(n.posIM),
		"totalOpenOrderInitialMargin": fmtAmt(n.orderIM), "totalCrossWalletBalance": fmtAmt(n.crossWallet), "totalCrossUnPnl": fmtAmt(n.crossUPnL),
		"availableBalance": fmtAmt(n.available), "maxWithdrawAmount": fmtAmt(n.available),
		"assets": []any{asset}, "positions": positions,
	}, nil
}

func boolDec(b bool) decimal.Decimal {
	if b {
		return decimal.NewFromInt(1)
	}
	return decimal.Zero
}

func hBalance(s *Sim, _ *request) (any, *apiError) {
	n := s.numbersLocked()
	return []map[string]any{{
		"accountAlias": "SgsR", "asset": "USDT", "balance": fmtAmt(n.wallet), "crossWalletBalance": fmtAmt(n.crossWallet),
		"crossUnPnl": fmtAmt(n.crossUPnL), "availableBalance": fmtAmt(n.available), "maxWithdrawAmount": fmtAmt(n.available),
		"marginAvailable": true, "updateTime": s.acct.updated.UnixMilli(),
	}}, nil
}

func hPositionRisk(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	a := s.acct
	n := s.numbersLocked()
	mark := s.model.Quote().Mark
	mt := "cross"
	if a.isolated() {
		mt = "isolated"
	}
	isoMargin := decimal.Zero
	if a.isolated() {
		isoMargin = a.pos.iw.Add(n.upnl)
	}
	return []map[string]any{{
		"symbol": Symbol, "positionAmt": fmtQty(a.pos.qty), "entryPrice": fmtRate(a.pos.entry), "breakEvenPrice": fmtRate(a.pos.entry),
		"markPrice": fmtRate(mark), "unRealizedProfit": fmtAmt(n.upnl), "liquidationPrice": fmtRate(s.liquidationPriceLocked()),
		"leverage": strconv.Itoa(a.leverage), "maxNotionalValue": a.maxNotional(s.rules.Brackets).String(), "marginType": mt,
		"isolatedMargin": fmtAmt(isoMargin), "isAutoAddMargin": "false", "positionSide": "BOTH", "notional": fmtAmt(a.pos.qty.Mul(mark)),
		"isolatedWallet": fmtAmt(a.pos.iw), "marginAsset": "USDT", "initialMargin": fmtAmt(n.posIM), "maintMargin": fmtAmt(n.maint),
		"positionInitialMargin": fmtAmt(n.posIM), "openOrderInitialMargin": fmtAmt(n.orderIM), "adl": 0,
		"bidNotional": "0", "askNotional": "0", "updateTime": a.pos.updated.UnixMilli(),
	}}, nil
}

func hUserTrades(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	start, end, limit, e := window(r, 500, 1000)
	if e != nil {
		return nil, e
	}
	orderID, e := r.int64Param("orderId")
	if e != nil {
		return nil, e
	}
	fromID, e := r.int64Param("fromId")
	if e != nil {
		return nil, e
	}
	out := []map[string]any{}
	for _, t := range s.acct.trades {
		if (orderID != 0 && t.orderID != orderID) || (fromID != 0 && t.id < fromID) || !inWindow(t.time, start, end) {
			continue
		}
		out = append(out, map[string]any{
			"buyer": t.side == exchange.Buy, "commission": fmtAmt(t.commission), "commissionAsset": "USDT", "id": t.id,
			"maker": t.maker, "orderId": t.orderID, "price": fmtPrice(t.price), "qty": fmtQty(t.qty), "quoteQty": fmtAmt(t.price.Mul(t.qty)),
			"realizedPnl": fmtAmt(t.realized), "side": string(t.side), "positionSide": "BOTH", "symbol": Symbol, "time": t.time.UnixMilli(),
		})
	}
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

func hIncome(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	start, end, limit, e := window(r, 100, 1000)
	if e != nil {
		return nil, e
	}
	typ := r.str("incomeType")
	out := []map[string]any{}
	for _, in := range s.acct.income {
		if (typ != "" && in.typ != typ) || !inWindow(in.time, start, end) {
			continue
		}
		out = append(out, map[string]any{
			"symbol": Symbol, "incomeType": in.typ, "income": fmtAmt(in.amount), "asset": "USDT", "info": in.info,
			"time": in.time.UnixMilli(), "tranId": in.tranID, "tradeId": in.tradeID,
		})
	}
	if len(out) > limit {
		if start.IsZero() {
			out = out[len(out)-limit:] // the most recent, still oldest first
		} else {
			out = out[:limit]
		}
	}
	return out, nil
}

// listenKey derives the account's key for a generation, so keys are stable per seed.
func (s *Sim) listenKeyLocked() string {
	for k := range s.keys {
		return k
	}
	s.keyGen++
	h := sha256.Sum256([]byte(s.APIKey + strconv.FormatInt(s.keyGen, 10)))
	return hex.EncodeToString(h[:])[:60]
}

func hListenKeyNew(s *Sim, _ *request) (any, *apiError) {
	k := s.listenKeyLocked()
	s.keys[k] = s.now.Add(s.opts.ListenKeyTTL)
	return map[string]string{"listenKey": k}, nil
}

func hListenKeyKeep(s *Sim, r *request) (any, *apiError) {
	k := r.str("listenKey")
	if k == "" {
		for key := range s.keys {
			k = key
		}
	}
	if _, ok := s.keys[k]; !ok {
		return nil, errBad(-1125, "This listenKey does not exist.")
	}
	s.keys[k] = s.now.Add(s.opts.ListenKeyTTL)
	return map[string]string{"listenKey": k}, nil
}

func hListenKeyClose(s *Sim, r *request) (any, *apiError) {
	k := r.str("listenKey")
	if k == "" {
		for key := range s.keys {
			k = key
		}
	}
	if _, ok := s.keys[k]; ok {
		delete(s.keys, k)
		s.hub.dropAllLocked(k)
	}
	return struct{}{}, nil
}
