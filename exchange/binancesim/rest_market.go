package binancesim

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// restTable lists every endpoint the simulator serves.
func (s *Sim) restTable() map[string]route {
	return map[string]route{
		"GET /fapi/v1/ping":                  {secNone, w(1), hPing, false},
		"GET /fapi/v1/time":                  {secNone, w(1), hTime, false},
		"GET /fapi/v1/exchangeInfo":          {secNone, w(1), hExchangeInfo, false},
		"GET /fapi/v1/premiumIndex":          {secNone, w(1), hPremiumIndex, false},
		"GET /fapi/v1/fundingRate":           {secNone, w(1), hFundingRate, false},
		"GET /fapi/v1/fundingInfo":           {secNone, w(1), hFundingInfo, false},
		"GET /fapi/v1/openInterest":          {secNone, w(1), hOpenInterest, false},
		"GET /futures/data/openInterestHist": {secNone, w(0), hOpenInterestHist, false},
		"GET /fapi/v1/depth":                 {secNone, depthWeight, hDepth, false},
		"GET /fapi/v1/klines":                {secNone, klineWeight, hKlines, false},
		"GET /fapi/v1/ticker/bookTicker":     {secNone, w(2), hBookTicker, false},

		"GET /fapi/v1/leverageBracket":    {secSigned, w(1), hLeverageBracket, false},
		"POST /fapi/v1/leverage":          {secSigned, w(1), hLeverage, false},
		"POST /fapi/v1/marginType":        {secSigned, w(1), hMarginType, false},
		"POST /fapi/v1/positionSide/dual": {secSigned, w(1), hSetDual, false},
		"GET /fapi/v1/positionSide/dual":  {secSigned, w(30), hGetDual, false},
		"GET /fapi/v1/accountConfig":      {secSigned, w(5), hAccountConfig, false},
		"GET /fapi/v1/symbolConfig":       {secSigned, w(5), hSymbolConfig, false},
		"GET /fapi/v1/commissionRate":     {secSigned, w(20), hCommission, false},
		"GET /fapi/v2/account":            {secSigned, w(5), hAccount, false},
		"GET /fapi/v3/account":            {secSigned, w(5), hAccount, false},
		"GET /fapi/v2/balance":            {secSigned, w(5), hBalance, false},
		"GET /fapi/v3/balance":            {secSigned, w(5), hBalance, false},
		"GET /fapi/v2/positionRisk":       {secSigned, w(5), hPositionRisk, false},
		"GET /fapi/v3/positionRisk":       {secSigned, w(5), hPositionRisk, false},
		"GET /fapi/v1/userTrades":         {secSigned, w(5), hUserTrades, false},
		"GET /fapi/v1/income":             {secSigned, w(30), hIncome, false},
		"POST /fapi/v1/listenKey":         {secAPIKey, w(1), hListenKeyNew, false},
		"PUT /fapi/v1/listenKey":          {secAPIKey, w(1), hListenKeyKeep, false},
		"DELETE /fapi/v1/listenKey":       {secAPIKey, w(1), hListenKeyClose, false},

		"POST /fapi/v1/order":            {secSigned, w(0), hNewOrder, true},
		"GET /fapi/v1/order":             {secSigned, w(1), hGetOrder, false},
		"DELETE /fapi/v1/order":          {secSigned, w(1), hCancelOrder, false},
		"GET /fapi/v1/openOrder":         {secSigned, w(1), hGetOpenOrder, false},
		"GET /fapi/v1/openOrders":        {secSigned, openOrdersWeight, hOpenOrders, false},
		"GET /fapi/v1/allOrders":         {secSigned, w(5), hAllOrders, false},
		"DELETE /fapi/v1/allOpenOrders":  {secSigned, w(1), hCancelAll, false},
		"POST /fapi/v1/algoOrder":        {secSigned, w(0), hNewAlgo, true},
		"GET /fapi/v1/algoOrder":         {secSigned, w(1), hGetAlgo, false},
		"DELETE /fapi/v1/algoOrder":      {secSigned, w(1), hCancelAlgo, false},
		"GET /fapi/v1/openAlgoOrders":    {secSigned, w(1), hOpenAlgos, false},
		"GET /fapi/v1/allAlgoOrders":     {secSigned, w(5), hAllAlgos, false},
		"DELETE /fapi/v1/algoOpenOrders": {secSigned, w(1), hCancelAllAlgos, false},
	}
}

// depthWeight is the depth request's weight; a garbled limit is charged as
// the default (0) here and answered -1100 by hDepth.
func depthWeight(r *request) int {
	n, err := strconv.Atoi(r.str("limit"))
	if err != nil {
		n = 0
	}
	switch {
	case n == 0 || n > 100 && n <= 500:
		return 10
	case n <= 50:
		return 2
	case n <= 100:
		return 5
	}
	return 20
}

// klineWeight is the klines request's weight; a garbled limit is charged as
// the default (0) here and answered -1100 by window.
func klineWeight(r *request) int {
	n, err := strconv.Atoi(r.str("limit"))
	if err != nil {
		n = 0
	}
	switch {
	case n == 0 || n < 100:
		return 1
	case n < 500:
		return 2
	case n <= 1000:
		return 5
	}
	return 10
}

func openOrdersWeight(r *request) int {
	if r.has("symbol") {
		return 1
	}
	return 40
}

// checkSymbol answers -1121 unless the request names TAOUSDT (or required is false and none).
func checkSymbol(r *request, required bool) *apiError {
	sym := r.str("symbol")
	if sym == "" {
		if required {
			return errBad(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
		}
		return nil
	}
	if sym != Symbol {
		return errBad(-1121, "Invalid symbol.")
	}
	return nil
}

func hPing(*Sim, *request) (any, *apiError) { return struct{}{}, nil }

func hTime(s *Sim, _ *request) (any, *apiError) {
	return map[string]int64{"serverTime": s.apiNowLocked().UnixMilli()}, nil
}

func hExchangeInfo(s *Sim, _ *request) (any, *apiError) {
	r := s.rules
	filters := []map[string]any{
		{"filterType": "PRICE_FILTER", "minPrice": r.MinPrice.String(), "maxPrice": r.MaxPrice.String(), "tickSize": r.TickSize.String()},
		{"filterType": "LOT_SIZE", "minQty": r.MinQty.String(), "maxQty": r.MaxQty.String(), "stepSize": r.StepSize.String()},
		{"filterType": "MARKET_LOT_SIZE", "minQty": r.MarketMinQty.String(), "maxQty": r.MarketMaxQty.String(), "stepSize": r.MarketStepSize.String()},
		{"filterType": "MAX_NUM_ORDERS", "limit": 200},
		{"filterType": "MAX_NUM_ALGO_ORDERS", "limit": maxOpenAlgo},
		{"filterType": "MIN_NOTIONAL", "notional": r.MinNotional.String()},
		{"filterType": "PERCENT_PRICE", "multiplierUp": r.MultiplierUp.StringFixed(4), "multiplierDown": r.MultiplierDown.StringFixed(4), "multiplierDecimal": "4"},
	}
	sym := map[string]any{
		"symbol": Symbol, "pair": Symbol, "contractType": "PERPETUAL", "deliveryDate": int64(4133404800000),
		"onboardDate": int64(1681372800000), "status": "TRADING", "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000",
		"baseAsset": "TAO", "quoteAsset": "USDT", "marginAsset": "USDT", "pricePrecision": pricePrecision,
		"quantityPrecision": qtyPrecision, "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN",
		"underlyingSubType": []string{"AI"}, "settlePlan": 0, "triggerProtect": "0.0500", "liquidationFee": "0.015000",
		"marketTakeBound": "0.05", "maxMoveOrderLimit": 10000, "filters": filters,
		"orderTypes":  []string{"LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"},
		"timeInForce": []string{"GTC", "IOC", "FOK", "GTX", "GTD"},
	}
	return map[string]any{
		"timezone": "UTC", "serverTime": s.apiNowLocked().UnixMilli(), "futuresType": "U_MARGINED",
		"rateLimits": []map[string]any{
			{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": s.opts.WeightLimit},
			{"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
			{"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
		},
		"exchangeFilters": []any{},
		"assets":          []map[string]any{{"asset": "USDT", "marginAvailable": true, "autoAssetExchange": "-10000"}},
		"symbols":         []any{sym},
	}, nil
}

type premiumIndexJSON struct {
	Symbol               string `json:"symbol"`
	MarkPrice            string `json:"markPrice"`
	IndexPrice           string `json:"indexPrice"`
	EstimatedSettlePrice string `json:"estimatedSettlePrice"`
	LastFundingRate      string `json:"lastFundingRate"`
	InterestRate         string `json:"interestRate"`
	NextFundingTime      int64  `json:"nextFundingTime"`
	Time                 int64  `json:"time"`
}

func hPremiumIndex(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	q := s.model.Quote()
	p := premiumIndexJSON{
		Symbol: Symbol, MarkPrice: fmtRate(q.Mark), IndexPrice: fmtRate(q.Index), EstimatedSettlePrice: fmtRate(q.Index),
		LastFundingRate: fmtRate(q.FundingRate), InterestRate: fmtRate(q.InterestRate), NextFundingTime: q.NextFunding.UnixMilli(), Time: s.now.UnixMilli(),
	}
	if r.has("symbol") {
		return p, nil
	}
	return []premiumIndexJSON{p}, nil
}

// window parses startTime/endTime/limit with a default and maximum limit.
func window(r *request, def, max int) (start, end time.Time, limit int, e *apiError) {
	limit = def
	if v := r.str("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return start, end, 0, errBad(-1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.")
		}
		limit = min(n, max)
	}
	for _, k := range []string{"startTime", "endTime"} {
		v := r.str(k)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return start, end, 0, errBad(-1100, "Illegal characters found in parameter '"+k+"'.")
		}
		if k == "startTime" {
			start = time.UnixMilli(n).UTC()
		} else {
			end = time.UnixMilli(n).UTC()
		}
	}
	return start, end, limit, nil
}

func inWindow(t, start, end time.Time) bool {
	return (start.IsZero() || !t.Before(start)) && (end.IsZero() || !t.After(end))
}

func hFundingRate(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	start, end, limit, e := window(r, 100, 1000)
	if e != nil {
		return nil, e
	}
	out := []map[string]any{}
	for _, f := range s.hist.fundings {
		if inWindow(f.Time, start, end) {
			out = append(out, map[string]any{"symbol": Symbol, "fundingRate": fmtRate(f.Rate), "fundingTime": f.Time.UnixMilli(), "markPrice": fmtRate(f.Mark)})
		}
	}
	if len(out) > limit {
		if start.IsZero() {
			out = out[len(out)-limit:]
		} else {
			out = out[:limit]
		}
	}
	return out, nil
}

func hFundingInfo(s *Sim, _ *request) (any, *apiError) {
	h := int64(s.fundingInterval() / time.Hour)
	if h == 8 {
		return []any{}, nil // Binance lists only symbols with adjusted parameters; absent means 8h
	}
	return []map[string]any{{"symbol": Symbol, "adjustedFundingRateCap": "0.02000000", "adjustedFundingRateFloor": "-0.02000000", "fundingIntervalHours": h, "disclaimer": false}}, nil
}

func hOpenInterest(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	return map[string]any{"openInterest": fmtQty(s.model.Quote().OpenInterest), "symbol": Symbol, "time": s.now.UnixMilli()}, nil
}

// oiPeriods are openInterestHist's periods (a function: no package-level mutable state).
func oiPeriods() map[string]time.Duration {
	return map[string]time.Duration{
		"5m": 5 * time.Minute, "15m": 15 * time.Minute, "30m": 30 * time.Minute, "1h": time.Hour, "2h": 2 * time.Hour,
		"4h": 4 * time.Hour, "6h": 6 * time.Hour, "12h": 12 * time.Hour, "1d": 24 * time.Hour,
	}
}

func hOpenInterestHist(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	period, ok := oiPeriods()[r.str("period")]
	if !ok {
		return nil, errBad(-1120, "Invalid period.")
	}
	start, end, limit, e := window(r, 30, 500)
	if e != nil {
		return nil, e
	}
	out := []map[string]any{}
	for _, p := range s.hist.oi {
		if !p.t.Equal(p.t.Truncate(period)) || !inWindow(p.t, start, end) {
			continue
		}
		out = append(out, map[string]any{"symbol": Symbol, "sumOpenInterest": fmtAmt(p.oi), "sumOpenInterestValue": fmtAmt(p.value), "CMCCirculatingSupply": "0", "timestamp": p.t.UnixMilli()})
	}
	if len(out) > limit {
		if start.IsZero() {
			out = out[len(out)-limit:]
		} else {
			out = out[:limit]
		}
	}
	return out, nil
}

func hDepth(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	n := 500
	if v := r.str("limit"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			n = 0 // not a legal depth: answered -1100 below
		}
		switch n {
		case 5, 10, 20, 50, 100, 500, 1000:
		default:
			return nil, errBad(-1100, "Illegal characters found in parameter 'limit'; legal range is '5, 10, 20, 50, 100, 500, 1000'.")
		}
	}
	bids, asks := s.model.Depth(n)
	ms := s.now.UnixMilli()
	return map[string]any{"lastUpdateId": s.pub.updateID, "E": ms, "T": ms, "bids": levels(bids), "asks": levels(asks)}, nil
}

func hBookTicker(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, false); e != nil {
		return nil, e
	}
	q := s.model.Quote()
	t := map[string]any{"symbol": Symbol, "bidPrice": fmtPrice(q.Bid), "bidQty": fmtQty(q.BidQty), "askPrice": fmtPrice(q.Ask), "askQty": fmtQty(q.AskQty), "time": s.now.UnixMilli(), "lastUpdateId": s.pub.updateID}
	if r.has("symbol") {
		return t, nil
	}
	return []any{t}, nil
}

// klineIntervals are the kline intervals served.
func klineIntervals() map[string]time.Duration {
	return map[string]time.Duration{
		"1m": time.Minute, "3m": 3 * time.Minute, "5m": 5 * time.Minute, "15m": 15 * time.Minute, "30m": 30 * time.Minute,
		"1h": time.Hour, "2h": 2 * time.Hour, "4h": 4 * time.Hour, "6h": 6 * time.Hour, "8h": 8 * time.Hour,
		"12h": 12 * time.Hour, "1d": 24 * time.Hour,
	}
}

func hKlines(s *Sim, r *request) (any, *apiError) {
	if e := checkSymbol(r, true); e != nil {
		return nil, e
	}
	iv, ok := klineIntervals()[r.str("interval")]
	if !ok {
		return nil, errBad(-1120, "Invalid interval.")
	}
	start, end, limit, e := window(r, 500, 1500)
	if e != nil {
		return nil, e
	}
	out := [][]any{}
	for _, c := range s.hist.klines(iv, start, end, limit) {
		out = append(out, []any{
			c.open.UnixMilli(), fmtPrice(c.o), fmtPrice(c.h), fmtPrice(c.l), fmtPrice(c.c), fmtQty(c.vol),
			c.open.Add(iv).UnixMilli() - 1, fmtAmt(c.quoteVol), c.n, fmtQty(c.takerBuy), fmtAmt(c.takerBQ), "0",
		})
	}
	return out, nil
}

// parseBool reads Binance's "true"/"false" parameters.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true":
		return true, true
	case "false", "":
		return false, true
	}
	return false, false
}

// parseDecimal reads a decimal parameter, answering -1102 if missing and -1100 if malformed.
func parseDecimal(r *request, k string, required bool) (decimal.Decimal, *apiError) {
	v := r.str(k)
	if v == "" {
		if required {
			return decimal.Zero, errBad(-1102, "Mandatory parameter '"+k+"' was not sent, was empty/null, or malformed.")
		}
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return decimal.Zero, errBad(-1100, "Illegal characters found in parameter '"+k+"'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")
	}
	return d, nil
}
