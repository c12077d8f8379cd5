package binancesim_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
)

// userStream opens a listen key and its user-data connection.
func userStream(t *testing.T, s *binancesim.Sim) *wsConn {
	t.Helper()
	key, err := client(s).NewStartUserStreamService().Do(ctx(t))
	if err != nil {
		t.Fatalf("listen key: %v", err)
	}
	return dial(t, s, "/ws/"+key)
}

// nextUser reads the next user-data event, decoded by go-binance (ALGO_UPDATE excluded: go-binance rejects it).
func (w *wsConn) nextUser() futures.WsUserDataEvent {
	w.t.Helper()
	var e futures.WsUserDataEvent
	if err := json.Unmarshal(w.next(), &e); err != nil {
		w.t.Fatalf("user event: %v", err)
	}
	return e
}

// algoUpdate is ALGO_UPDATE as Binance documents it (go-binance v2.8.7 has no type for it).
type algoUpdate struct {
	Event string `json:"e"`
	Time  int64  `json:"E"`
	O     struct {
		ClientAlgoID string `json:"caid"`
		AlgoID       int64  `json:"aid"`
		Type         string `json:"o"`
		Status       string `json:"X"`
		ActualID     string `json:"ai"`
		TriggerPrice string `json:"tp"`
		WorkingType  string `json:"wt"`
		AvgPrice     string `json:"ap"`
		ExecutedQty  string `json:"aq"`
		Reason       string `json:"rm"`
	} `json:"o"`
}

func (w *wsConn) nextAlgo() algoUpdate {
	w.t.Helper()
	var a algoUpdate
	if err := json.Unmarshal(w.nextMatching(`"ALGO_UPDATE"`), &a); err != nil {
		w.t.Fatalf("ALGO_UPDATE: %v", err)
	}
	return a
}

func TestUserStreamReportsAMarketFill(t *testing.T) {
	s := flat(t, binancesim.Options{})
	us := userStream(t, s)
	c, x := client(s), ctx(t)
	if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeSell).Type(futures.OrderTypeMarket).Quantity("7").NewClientOrderID("short-1").Do(x); err != nil {
		t.Fatal(err)
	}
	e := us.nextUser()
	if e.Event != futures.UserDataEventTypeOrderTradeUpdate || e.OrderTradeUpdate.ExecutionType != "NEW" || e.OrderTradeUpdate.ClientOrderID != "short-1" {
		t.Fatalf("first event: %+v", e)
	}
	// 7 TAO sold into bids 399.99 (5) and 399.98 (2): two fills, each ACCOUNT_UPDATE then ORDER_TRADE_UPDATE.
	wantFills := []struct{ qty, price, cum, status, fee string }{
		{"5.000", "399.99", "5.000", "PARTIALLY_FILLED", "0.99997500"},
		{"2.000", "399.98", "7.000", "FILLED", "0.39998000"},
	}
	for _, want := range wantFills {
		acct := us.nextUser()
		if acct.Event != futures.UserDataEventTypeAccountUpdate || acct.AccountUpdate.Reason != "ORDER" || len(acct.AccountUpdate.Positions) != 1 {
			t.Fatalf("account update: %+v", acct)
		}
		tr := us.nextUser().OrderTradeUpdate
		if tr.ExecutionType != "TRADE" || tr.LastFilledQty != want.qty || tr.LastFilledPrice != want.price || tr.AccumulatedFilledQty != want.cum ||
			string(tr.Status) != want.status || tr.Commission != want.fee || tr.CommissionAsset != "USDT" || tr.IsMaker {
			t.Fatalf("trade update %+v, want %+v", tr, want)
		}
	}
	a := s.Account()
	// wallet 10000 - 0.999975 - 0.39998
	if !a.Position.Qty.Equal(dec("-7")) || !a.Wallet.Equal(dec("9998.600045")) {
		t.Fatalf("position %s wallet %s", a.Position.Qty, a.Wallet)
	}
	// entry = (5*399.99 + 2*399.98)/7
	if got := a.Position.EntryPrice.StringFixed(6); got != "399.987143" {
		t.Fatalf("entry %s", got)
	}
}

func TestDefaultAckReplyPrecedesExecution(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	ack, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity("1").NewClientOrderID("ack").Do(x)
	if err != nil || ack.Status != futures.OrderStatusTypeNew || ack.ExecutedQuantity != "0.000" {
		t.Fatalf("ACK reply: %+v %v", ack, err)
	}
	got, err := c.NewGetOrderService().Symbol("TAOUSDT").OrderID(ack.OrderID).Do(x)
	if err != nil || got.Status != futures.OrderStatusTypeFilled || got.ExecutedQuantity != "1.000" {
		t.Fatalf("queried after ACK: %+v %v", got, err)
	}
}

func TestLimitOrders(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	limit := func(cid, side, tif, qty, price string) (*futures.CreateOrderResponse, error) {
		return c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideType(side)).Type(futures.OrderTypeLimit).
			TimeInForce(futures.TimeInForceType(tif)).Quantity(qty).Price(price).NewClientOrderID(cid).
			NewOrderResponseType(futures.NewOrderRespTypeRESULT).Do(x)
	}
	// FOK for more than the book holds within the limit: expires untouched.
	fok, err := limit("fok", "BUY", "FOK", "12", "400.02")
	if err != nil || fok.Status != "EXPIRED" || fok.ExecutedQuantity != "0.000" {
		t.Fatalf("FOK: %+v %v", fok, err)
	}
	// IOC takes the 10 TAO at 400.01 and 400.02, the rest expires.
	ioc, err := limit("ioc", "BUY", "IOC", "12", "400.02")
	if err != nil || ioc.Status != "EXPIRED" || ioc.ExecutedQuantity != "10.000" || ioc.AvgPrice != "400.01500" {
		t.Fatalf("IOC: %+v %v", ioc, err)
	}
	// The book moved up two ticks: best ask is 400.03 now. A post-only that would take is refused.
	if _, err := limit("gtx-take", "BUY", "GTX", "1", "400.03"); apiCode(err) != -5022 {
		t.Fatalf("GTX crossing: want -5022, got %v", err)
	}
	gtx, err := limit("gtx-rest", "SELL", "GTX", "1", "401")
	if err != nil || gtx.Status != "NEW" {
		t.Fatalf("GTX resting: %+v %v", gtx, err)
	}
	gtc, err := limit("gtc", "BUY", "GTC", "0.5", "390")
	if err != nil || gtc.Status != "NEW" {
		t.Fatalf("GTC: %+v %v", gtc, err)
	}
	s.SetPrice(dec("389.50")) // the ask (389.51) reaches the bid at 390: it fills as maker at 390
	got, err := c.NewGetOrderService().Symbol("TAOUSDT").OrigClientOrderID("gtc").Do(x)
	if err != nil || got.Status != "FILLED" || got.AvgPrice != "390.00000" {
		t.Fatalf("GTC after the market crossed: %+v %v", got, err)
	}
	trades, err := c.NewListAccountTradeService().Symbol("TAOUSDT").OrderID(gtc.OrderID).Do(x)
	if err != nil || len(trades) != 1 || !trades[0].Maker || trades[0].Commission != "0.03900000" {
		t.Fatalf("maker fill: %+v %v", trades, err)
	}
	s.SetPrice(dec("401.50"))
	if got, _ := c.NewGetOrderService().Symbol("TAOUSDT").OrigClientOrderID("gtx-rest").Do(x); got == nil || got.Status != "FILLED" {
		t.Fatalf("resting post-only sell after the market rose: %+v", got)
	}
}

func TestOrderRejections(t *testing.T) {
	s := flat(t, binancesim.Options{})
	tick := flat(t, binancesim.Options{Rules: &exchange.SymbolRules{
		TickSize: dec("0.05"), MinPrice: dec("0.05"), MaxPrice: dec("100000"), StepSize: dec("0.001"), MinQty: dec("0.001"), MaxQty: dec("10000"),
		MarketStepSize: dec("0.001"), MarketMinQty: dec("0.001"), MarketMaxQty: dec("2000"), MinNotional: dec("5"),
		MultiplierUp: dec("1.05"), MultiplierDown: dec("0.95"), MaxLeverage: 75,
	}})
	base := func(side, typ, qty string) url.Values {
		return url.Values{"symbol": {"TAOUSDT"}, "side": {side}, "type": {typ}, "quantity": {qty}}
	}
	with := func(v url.Values, kv ...string) url.Values {
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// an open order whose client id the duplicate test reuses
	if st, b := signed(t, s, "POST", "/fapi/v1/order", with(base("BUY", "LIMIT", "1"), "price", "380", "timeInForce", "GTC", "newClientOrderId", "dup")); st != 200 {
		t.Fatalf("setup: %d %s", st, b)
	}
	tests := []struct {
		name   string
		sim    *binancesim.Sim
		params url.Values
		status int
		code   int
	}{
		{"qty precision", s, base("BUY", "MARKET", "0.0001"), 400, -1111},
		{"price precision", s, with(base("BUY", "LIMIT", "1"), "price", "390.001", "timeInForce", "GTC"), 400, -1111},
		{"price off tick", tick, with(base("BUY", "LIMIT", "1"), "price", "390.03", "timeInForce", "GTC"), 400, -4014},
		{"min notional", s, base("BUY", "MARKET", "0.01"), 400, -4164},
		{"reduce-only exempt from min notional but nothing to reduce", s, with(base("SELL", "MARKET", "0.01"), "reduceOnly", "true"), 400, -2022},
		{"margin insufficient", s, base("BUY", "MARKET", "600"), 400, -2019},
		{"duplicate client id", s, with(base("BUY", "LIMIT", "1"), "price", "381", "timeInForce", "GTC", "newClientOrderId", "dup"), 400, -4116},
		{"stop market on the order endpoint", s, with(base("SELL", "STOP_MARKET", "1"), "stopPrice", "380"), 400, -4120},
		{"take profit market on the order endpoint", s, with(base("SELL", "TAKE_PROFIT_MARKET", "1"), "stopPrice", "420"), 400, -4120},
		{"trailing stop on the order endpoint", s, with(base("SELL", "TRAILING_STOP_MARKET", "1"), "callbackRate", "1"), 400, -4120},
		{"position side in one-way mode", s, with(base("BUY", "MARKET", "1"), "positionSide", "LONG"), 400, -4061},
		{"limit above PERCENT_PRICE", s, with(base("BUY", "LIMIT", "1"), "price", "421", "timeInForce", "GTC"), 400, -4016},
		{"limit below PERCENT_PRICE", s, with(base("SELL", "LIMIT", "1"), "price", "379", "timeInForce", "GTC"), 400, -4024},
		{"limit without timeInForce", s, with(base("BUY", "LIMIT", "1"), "price", "390"), 400, -1102},
		{"bad symbol", s, with(base("BUY", "MARKET", "1"), "symbol", "BTCUSDT"), 400, -1121},
		{"qty below min", s, base("BUY", "MARKET", "0"), 400, -4003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, b := signed(t, tt.sim, "POST", "/fapi/v1/order", tt.params)
			code, msg := binanceErr(t, b)
			if st != tt.status || code != tt.code || msg == "" {
				t.Fatalf("got %d %d %q, want %d %d", st, code, msg, tt.status, tt.code)
			}
		})
	}
	if a := s.Account(); a.Received != 1 || a.OrderRequests != 1+len(tests)-1 { // the tick test ran on the other simulator
		t.Errorf("accepted %d orders (want only the setup order), requests %d (want %d)", a.Received, a.OrderRequests, len(tests))
	}
}

func TestHedgeModeCanBeSwitchedOnAndOrdersThenRefused(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	if err := c.NewChangePositionModeService().DualSide(true).Do(x); err != nil {
		t.Fatal(err)
	}
	if err := c.NewChangePositionModeService().DualSide(true).Do(x); apiCode(err) != -4059 {
		t.Fatalf("again: want -4059, got %v", err)
	}
	m, err := c.NewGetPositionModeService().Do(x)
	if err != nil || !m.DualSidePosition {
		t.Fatalf("mode: %+v %v", m, err)
	}
	if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity("1").Do(x); apiCode(err) != -4061 {
		t.Fatalf("one-way order in hedge mode: want -4061, got %v", err)
	}
	if !s.Account().DualSide {
		t.Fatal("Account().DualSide is false")
	}
}

func TestAlgoStopMarketClosesPositionOnMarkPrice(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity("2").Do(x); err != nil {
		t.Fatal(err)
	}
	us := userStream(t, s)
	stop := url.Values{"symbol": {"TAOUSDT"}, "algoType": {"CONDITIONAL"}, "side": {"SELL"}, "type": {"STOP_MARKET"},
		"triggerPrice": {"395"}, "workingType": {"MARK_PRICE"}, "closePosition": {"true"}, "clientAlgoId": {"stop-1"}}
	// A sell stop above the mark would trigger at once: -2021.
	bad := url.Values{}
	for k, v := range stop {
		bad[k] = v
	}
	bad.Set("triggerPrice", "401")
	if st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", bad); st != 400 {
		t.Fatalf("would trigger: %d %s", st, b)
	} else if code, _ := binanceErr(t, b); code != -2021 {
		t.Fatalf("would trigger: code %d", code)
	}
	st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", stop)
	if st != 200 {
		t.Fatalf("new algo: %d %s", st, b)
	}
	var placed map[string]any
	if err := json.Unmarshal(b, &placed); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"clientAlgoId": "stop-1", "algoType": "CONDITIONAL", "orderType": "STOP_MARKET", "side": "SELL",
		"triggerPrice": "395.00", "workingType": "MARK_PRICE", "closePosition": true, "reduceOnly": false, "algoStatus": "NEW"} {
		if placed[k] != want {
			t.Errorf("algo reply %s = %v, want %v", k, placed[k], want)
		}
	}
	if a := us.nextAlgo(); a.O.Status != "NEW" || a.O.ClientAlgoID != "stop-1" {
		t.Fatalf("ALGO_UPDATE NEW: %+v", a)
	}
	st, b = signed(t, s, "GET", "/fapi/v1/openAlgoOrders", url.Values{"symbol": {"TAOUSDT"}})
	if st != 200 || !strings.Contains(string(b), `"clientAlgoId":"stop-1"`) {
		t.Fatalf("openAlgoOrders: %d %s", st, b)
	}

	s.SetPrice(dec("394.90"))
	want := []string{"TRIGGERING", "TRIGGERED"}
	var actual string
	for _, w := range want {
		a := us.nextAlgo()
		if a.O.Status != w {
			t.Fatalf("ALGO_UPDATE %s, want %s", a.O.Status, w)
		}
		actual = a.O.ActualID
	}
	if actual == "" {
		t.Fatal("TRIGGERED without actualOrderId")
	}
	tr := us.nextUser() // the triggered order: NEW
	if tr.OrderTradeUpdate.ExecutionType != "NEW" || tr.OrderTradeUpdate.OriginalType != "STOP_MARKET" || tr.OrderTradeUpdate.Type != "MARKET" {
		t.Fatalf("triggered order NEW: %+v", tr.OrderTradeUpdate)
	}
	fin := us.nextAlgo()
	if fin.O.Status != "FINISHED" || fin.O.ExecutedQty != "2.000" {
		t.Fatalf("ALGO_UPDATE FINISHED: %+v", fin)
	}
	if a := s.Account(); !a.Position.Qty.IsZero() || len(a.AlgoOrders) != 1 || a.AlgoOrders[0].Status != exchange.AlgoFinished {
		t.Fatalf("after the stop: position %s algos %+v", a.Position.Qty, a.AlgoOrders)
	}
	st, b = signed(t, s, "GET", "/fapi/v1/algoOrder", url.Values{"symbol": {"TAOUSDT"}, "clientAlgoId": {"stop-1"}})
	if st != 200 || !strings.Contains(string(b), `"algoStatus":"FINISHED"`) || !strings.Contains(string(b), `"actualOrderId":"`+actual+`"`) {
		t.Fatalf("query algo: %d %s", st, b)
	}
}

func TestAlgoTakeProfitOnContractPriceAndCancel(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeSell).Type(futures.OrderTypeMarket).Quantity("3").Do(x); err != nil {
		t.Fatal(err)
	}
	tp := url.Values{"symbol": {"TAOUSDT"}, "algoType": {"CONDITIONAL"}, "side": {"BUY"}, "type": {"TAKE_PROFIT_MARKET"},
		"triggerPrice": {"390"}, "quantity": {"1"}, "reduceOnly": {"true"}, "clientAlgoId": {"tp-1"}}
	if st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", tp); st != 200 || !strings.Contains(string(b), `"workingType":"CONTRACT_PRICE"`) {
		t.Fatalf("tp: %d %s", st, b)
	}
	if st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", tp); st != 400 || !strings.Contains(string(b), "-4116") {
		t.Fatalf("duplicate clientAlgoId: %d %s", st, b)
	}
	other := url.Values{"symbol": {"TAOUSDT"}, "algoType": {"CONDITIONAL"}, "side": {"BUY"}, "type": {"STOP_MARKET"},
		"triggerPrice": {"420"}, "quantity": {"1"}, "reduceOnly": {"true"}, "clientAlgoId": {"sl-1"}}
	if st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", other); st != 200 {
		t.Fatalf("sl: %d %s", st, b)
	}
	st, b := signed(t, s, "DELETE", "/fapi/v1/algoOrder", url.Values{"symbol": {"TAOUSDT"}, "clientAlgoId": {"sl-1"}})
	if st != 200 || !strings.Contains(string(b), `"code":"200"`) {
		t.Fatalf("cancel algo: %d %s", st, b)
	}
	if st, _ := signed(t, s, "DELETE", "/fapi/v1/algoOrder", url.Values{"symbol": {"TAOUSDT"}, "clientAlgoId": {"sl-1"}}); st != 400 {
		t.Fatalf("cancel twice: %d", st)
	}
	s.SetPrice(dec("389.99")) // last trade price now 389.99 <= 390
	a := s.Account()
	if !a.Position.Qty.Equal(dec("-2")) {
		t.Fatalf("after take profit of 1: position %s", a.Position.Qty)
	}
	statuses := map[string]exchange.AlgoStatus{}
	for _, g := range a.AlgoOrders {
		statuses[g.ClientAlgoID] = g.Status
	}
	if statuses["tp-1"] != exchange.AlgoFinished || statuses["sl-1"] != exchange.AlgoCanceled {
		t.Fatalf("algo statuses %v", statuses)
	}
	// A reduce-only stop with nothing left to reduce is REJECTED when it triggers.
	if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity("2").ReduceOnly(true).Do(x); err != nil {
		t.Fatal(err)
	}
	us := userStream(t, s)
	late := url.Values{"symbol": {"TAOUSDT"}, "algoType": {"CONDITIONAL"}, "side": {"BUY"}, "type": {"STOP_MARKET"},
		"triggerPrice": {"395"}, "closePosition": {"true"}, "clientAlgoId": {"late"}}
	if st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", late); st != 200 {
		t.Fatalf("late stop: %d %s", st, b)
	}
	s.SetPrice(dec("396"))
	for _, want := range []string{"NEW", "TRIGGERING", "REJECTED"} {
		if g := us.nextAlgo(); g.O.Status != want || (want == "REJECTED" && g.O.Reason == "") {
			t.Fatalf("ALGO_UPDATE %+v, want %s", g.O, want)
		}
	}
}

func TestAlgoOrderValidation(t *testing.T) {
	s := flat(t, binancesim.Options{})
	base := func(kv ...string) url.Values {
		v := url.Values{"symbol": {"TAOUSDT"}, "algoType": {"CONDITIONAL"}, "side": {"SELL"}, "type": {"STOP_MARKET"}, "triggerPrice": {"390"}, "quantity": {"1"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name string
		p    url.Values
		code int
	}{
		{"not conditional", base("algoType", "VP"), -1116},
		{"stop limit not simulated", base("type", "STOP"), -1116},
		{"bad working type", base("workingType", "INDEX_PRICE"), -1116},
		{"trigger precision", base("triggerPrice", "390.001"), -1111},
		{"closePosition with quantity", base("closePosition", "true"), -1106},
		{"no trigger", base("triggerPrice", ""), -1102},
		{"min notional", base("quantity", "0.01"), -4164},
		{"take profit below the market", base("type", "TAKE_PROFIT_MARKET"), -2021},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", tt.p)
			if code, _ := binanceErr(t, b); st != 400 || code != tt.code {
				t.Fatalf("got %d %s, want code %d", st, b, tt.code)
			}
		})
	}
}
