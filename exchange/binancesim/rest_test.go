package binancesim_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange/binancesim"
)

func TestPublicRESTDecodesWithGoBinance(t *testing.T) {
	s := flat(t, binancesim.Options{Seed: 7, Step: time.Minute})
	s.Advance(8*time.Hour + time.Minute) // one funding settlement, 481 one-minute candles
	c, x := client(s), ctx(t)

	if err := c.NewPingService().Do(x); err != nil {
		t.Fatalf("ping: %v", err)
	}
	st, err := c.NewServerTimeService().Do(x)
	if err != nil || st <= 0 {
		t.Fatalf("time: %d %v", st, err)
	}
	info, err := c.NewExchangeInfoService().Do(x)
	if err != nil {
		t.Fatalf("exchangeInfo: %v", err)
	}
	if len(info.Symbols) != 1 || info.Symbols[0].Symbol != "TAOUSDT" {
		t.Fatalf("symbols: %+v", info.Symbols)
	}
	sym := info.Symbols[0]
	if pf := sym.PriceFilter(); pf == nil || pf.TickSize != "0.01" {
		t.Errorf("PRICE_FILTER: %+v", pf)
	}
	if lf := sym.LotSizeFilter(); lf == nil || lf.StepSize != "0.001" || lf.MinQuantity != "0.001" {
		t.Errorf("LOT_SIZE: %+v", lf)
	}
	if mf := sym.MarketLotSizeFilter(); mf == nil || mf.MaxQuantity != "2000" {
		t.Errorf("MARKET_LOT_SIZE: %+v", mf)
	}
	if nf := sym.MinNotionalFilter(); nf == nil || nf.Notional != "5" {
		t.Errorf("MIN_NOTIONAL: %+v", nf)
	}
	if pp := sym.PercentPriceFilter(); pp == nil || pp.MultiplierUp != "1.0500" || pp.MultiplierDown != "0.9500" {
		t.Errorf("PERCENT_PRICE: %+v", pp)
	}

	pi, err := c.NewPremiumIndexService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(pi) != 1 || !dec(pi[0].MarkPrice).IsPositive() {
		t.Fatalf("premiumIndex: %+v %v", pi, err)
	}
	if got, want := pi[0].NextFundingTime, time.Date(2026, 1, 5, 16, 0, 0, 0, time.UTC).UnixMilli(); got != want {
		t.Errorf("nextFundingTime = %d, want %d", got, want)
	}
	fr, err := c.NewFundingRateService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(fr) != 1 || fr[0].FundingRate != "0.00010000" || fr[0].FundingTime != time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC).UnixMilli() {
		t.Fatalf("fundingRate: %+v %v", fr, err)
	}
	fi, err := c.NewFundingRateInfoService().Do(x)
	if err != nil || len(fi) != 0 {
		t.Fatalf("fundingInfo (8h symbols are absent): %+v %v", fi, err)
	}
	oi, err := c.NewGetOpenInterestService().Symbol("TAOUSDT").Do(x)
	if err != nil || oi.OpenInterest != "100000.000" || oi.Symbol != "TAOUSDT" {
		t.Fatalf("openInterest: %+v %v", oi, err)
	}
	hist, err := c.NewOpenInterestStatisticsService().Symbol("TAOUSDT").Period("1h").Limit(10).Do(x)
	if err != nil || len(hist) != 10 {
		t.Fatalf("openInterestHist: %d %v", len(hist), err)
	}
	if last := hist[len(hist)-1]; last.Timestamp != time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC).UnixMilli() || !dec(last.SumOpenInterest).IsPositive() {
		t.Errorf("last OI point: %+v", last)
	}
	depth, err := c.NewDepthService().Symbol("TAOUSDT").Limit(5).Do(x)
	if err != nil || len(depth.Bids) != 5 || len(depth.Asks) != 5 {
		t.Fatalf("depth: %+v %v", depth, err)
	}
	if !dec(depth.Bids[0].Price).LessThan(dec(depth.Asks[0].Price)) {
		t.Errorf("crossed book: %+v", depth)
	}
	kl, err := c.NewKlinesService().Symbol("TAOUSDT").Interval("1h").Limit(3).Do(x)
	if err != nil || len(kl) != 3 {
		t.Fatalf("klines: %d %v", len(kl), err)
	}
	if k := kl[2]; k.OpenTime != time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC).UnixMilli() || k.CloseTime != k.OpenTime+3_599_999 {
		t.Errorf("last kline times: %+v", k)
	}
}

func TestEveryReplyCarriesUsedWeight(t *testing.T) {
	s := flat(t, binancesim.Options{})
	for _, path := range []string{"/fapi/v1/ping", "/fapi/v1/depth?symbol=TAOUSDT&limit=5", "/fapi/v1/nope", "/fapi/v2/balance"} {
		resp, err := http.Get(s.RESTURL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if v := resp.Header.Get("X-MBX-USED-WEIGHT-1M"); v == "" {
			t.Errorf("%s: no X-MBX-USED-WEIGHT-1M", path)
		}
	}
	resp, err := http.Get(s.RESTURL + "/fapi/v1/ping")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	// ping 1 + depth(5) 2 + unknown path 0 + balance 5 (refused, still charged) + ping 1
	if got := resp.Header.Get("X-MBX-USED-WEIGHT-1M"); got != strconv.Itoa(9) {
		t.Errorf("used weight = %s, want 9", got)
	}
}

func TestSignedRESTDecodesWithGoBinance(t *testing.T) {
	s := flat(t, binancesim.Options{Seed: 3})
	c, x := client(s), ctx(t)

	br, err := c.NewGetLeverageBracketService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(br) != 1 || len(br[0].Brackets) != 9 {
		t.Fatalf("leverageBracket: %+v %v", br, err)
	}
	if b := br[0].Brackets[1]; b.InitialLeverage != 50 || b.NotionalFloor != 10000 || b.MaintMarginRatio != 0.015 || b.Cum != 50 {
		t.Errorf("bracket 2: %+v", b)
	}
	lev, err := c.NewChangeLeverageService().Symbol("TAOUSDT").Leverage(10).Do(x)
	if err != nil || lev.Leverage != 10 || lev.Symbol != "TAOUSDT" {
		t.Fatalf("leverage: %+v %v", lev, err)
	}
	if err := c.NewChangeMarginTypeService().Symbol("TAOUSDT").MarginType(futures.MarginTypeIsolated).Do(x); err != nil {
		t.Fatalf("marginType: %v", err)
	}
	if err := c.NewChangeMarginTypeService().Symbol("TAOUSDT").MarginType(futures.MarginTypeIsolated).Do(x); apiCode(err) != -4046 {
		t.Fatalf("marginType again: want -4046, got %v", err)
	}
	mode, err := c.NewGetPositionModeService().Do(x)
	if err != nil || mode.DualSidePosition {
		t.Fatalf("positionSide/dual: %+v %v", mode, err)
	}
	acc, err := c.NewGetAccountService().Do(x)
	if err != nil || acc.TotalWalletBalance != "10000.00000000" || len(acc.Assets) != 1 {
		t.Fatalf("account v2: %+v %v", acc, err)
	}
	acc3, err := c.NewGetAccountV3Service().Do(x)
	if err != nil || acc3.AvailableBalance != "10000.00000000" {
		t.Fatalf("account v3: %+v %v", acc3, err)
	}
	bal, err := c.NewGetBalanceService().Do(x)
	if err != nil || len(bal) != 1 || bal[0].Balance != "10000.00000000" || bal[0].Asset != "USDT" {
		t.Fatalf("balance: %+v %v", bal, err)
	}

	// Buy 1 TAO at market: fills at the ask 400.01, taker fee 0.0005.
	ord, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).
		Quantity("1").NewClientOrderID("entry-1").NewOrderResponseType(futures.NewOrderRespTypeRESULT).Do(x)
	if err != nil {
		t.Fatalf("market order: %v", err)
	}
	if ord.Status != futures.OrderStatusTypeFilled || ord.ExecutedQuantity != "1.000" || ord.AvgPrice != "400.01000" || ord.ClientOrderID != "entry-1" {
		t.Fatalf("market order reply: %+v", ord)
	}
	pr, err := c.NewGetPositionRiskService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(pr) != 1 || pr[0].PositionAmt != "1.000" || pr[0].EntryPrice != "400.01000000" || pr[0].MarginType != "isolated" || pr[0].Leverage != "10" {
		t.Fatalf("positionRisk: %+v %v", pr, err)
	}
	// isolated long 1 @ 400.01, WB = 40.001: LP = (40.001 + 0 - 400.01)/(0.01 - 1) = 363.6454...
	if got := dec(pr[0].LiquidationPrice).StringFixed(2); got != "363.65" {
		t.Errorf("liquidationPrice = %s, want 363.65", got)
	}
	pr3, err := c.NewGetPositionRiskV3Service().Symbol("TAOUSDT").Do(x)
	if err != nil || len(pr3) != 1 || pr3[0].IsolatedWallet != "40.00100000" {
		t.Fatalf("positionRisk v3: %+v %v", pr3, err)
	}

	// A resting limit below the market, then query and cancel it by client id.
	lim, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeLimit).
		TimeInForce(futures.TimeInForceTypeGTC).Quantity("0.5").Price("390").NewClientOrderID("lim-1").Do(x)
	if err != nil || lim.Status != futures.OrderStatusTypeNew || lim.Price != "390.00" {
		t.Fatalf("limit: %+v %v", lim, err)
	}
	open, err := c.NewListOpenOrdersService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(open) != 1 || open[0].ClientOrderID != "lim-1" {
		t.Fatalf("openOrders: %+v %v", open, err)
	}
	got, err := c.NewGetOrderService().Symbol("TAOUSDT").OrigClientOrderID("lim-1").Do(x)
	if err != nil || got.OrderID != lim.OrderID || got.OrigQuantity != "0.500" {
		t.Fatalf("get order: %+v %v", got, err)
	}
	can, err := c.NewCancelOrderService().Symbol("TAOUSDT").OrigClientOrderID("lim-1").Do(x)
	if err != nil || can.Status != futures.OrderStatusTypeCanceled {
		t.Fatalf("cancel: %+v %v", can, err)
	}
	if _, err := c.NewCancelOrderService().Symbol("TAOUSDT").OrigClientOrderID("lim-1").Do(x); apiCode(err) != -2011 {
		t.Fatalf("cancel twice: want -2011, got %v", err)
	}
	if _, err := c.NewGetOrderService().Symbol("TAOUSDT").OrigClientOrderID("nope").Do(x); apiCode(err) != -2013 {
		t.Fatalf("unknown order: want -2013, got %v", err)
	}
	if err := c.NewCancelAllOpenOrdersService().Symbol("TAOUSDT").Do(x); err != nil {
		t.Fatalf("allOpenOrders: %v", err)
	}

	trades, err := c.NewListAccountTradeService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(trades) != 1 || trades[0].Price != "400.01" || trades[0].Commission != "0.20000500" || trades[0].Maker {
		t.Fatalf("userTrades: %+v %v", trades, err)
	}
	inc, err := c.NewGetIncomeHistoryService().Symbol("TAOUSDT").IncomeType("COMMISSION").Do(x)
	if err != nil || len(inc) != 1 || inc[0].Income != "-0.20000500" {
		t.Fatalf("income: %+v %v", inc, err)
	}
	key, err := c.NewStartUserStreamService().Do(x)
	if err != nil || len(key) != 60 {
		t.Fatalf("listenKey: %q %v", key, err)
	}
	if err := c.NewKeepaliveUserStreamService().ListenKey(key).Do(x); err != nil {
		t.Fatalf("keepalive: %v", err)
	}
	if err := c.NewCloseUserStreamService().ListenKey(key).Do(x); err != nil {
		t.Fatalf("close listen key: %v", err)
	}
	if err := c.NewKeepaliveUserStreamService().ListenKey(key).Do(x); apiCode(err) != -1125 {
		t.Fatalf("keepalive closed key: want -1125, got %v", err)
	}
	if err := c.NewChangePositionModeService().DualSide(true).Do(x); apiCode(err) != -4068 {
		t.Fatalf("hedge mode with a position: want -4068, got %v", err)
	}
	if n := s.Account().Received; n != 2 {
		t.Errorf("received orders = %d, want 2", n)
	}
}

func TestRESTDetails(t *testing.T) {
	s := flat(t, binancesim.Options{FundingInterval: 4 * time.Hour})
	c, x := client(s), ctx(t)
	fi, err := c.NewFundingRateInfoService().Do(x)
	if err != nil || len(fi) != 1 || fi[0].Symbol != "TAOUSDT" || fi[0].FundingIntervalHours != 4 {
		t.Fatalf("fundingInfo for a 4h symbol: %+v %v", fi, err)
	}
	pi, err := c.NewPremiumIndexService().Do(x) // no symbol: a list
	if err != nil || len(pi) != 1 || pi[0].NextFundingTime != time.Date(2026, 1, 5, 4, 0, 0, 0, time.UTC).UnixMilli() {
		t.Fatalf("premiumIndex list: %+v %v", pi, err)
	}
	// the v2 balance path answers like v3
	st, b := signed(t, s, "GET", "/fapi/v2/balance", nil)
	if st != 200 || !strings.Contains(string(b), `"balance":"10000.00000000"`) {
		t.Fatalf("v2 balance: %d %s", st, b)
	}
	// cancel by orderId
	o, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeSell).Type(futures.OrderTypeLimit).
		TimeInForce(futures.TimeInForceTypeGTC).Quantity("1").Price("410").Do(x)
	if err != nil {
		t.Fatal(err)
	}
	us := userStream(t, s)
	if _, err := c.NewCancelOrderService().Symbol("TAOUSDT").OrderID(o.OrderID).Do(x); err != nil {
		t.Fatalf("cancel by orderId: %v", err)
	}
	if e := us.nextUser(); e.OrderTradeUpdate.ExecutionType != "CANCELED" || e.OrderTradeUpdate.ID != o.OrderID {
		t.Fatalf("cancel update: %+v", e.OrderTradeUpdate)
	}
	if _, err := c.NewChangeLeverageService().Symbol("TAOUSDT").Leverage(7).Do(x); err != nil {
		t.Fatal(err)
	}
	if e := us.nextUser(); e.Event != "ACCOUNT_CONFIG_UPDATE" || e.AccountConfigUpdate.Leverage != 7 {
		t.Fatalf("leverage update: %+v", e)
	}
	if _, err := c.NewChangeLeverageService().Symbol("TAOUSDT").Leverage(76).Do(x); apiCode(err) != -4028 {
		t.Fatalf("leverage 76: want -4028, got %v", err)
	}
	if _, err := c.NewDepthService().Symbol("TAOUSDT").Limit(7).Do(x); apiCode(err) != -1100 {
		t.Fatalf("depth limit 7: want -1100, got %v", err)
	}
	if _, err := c.NewKlinesService().Symbol("TAOUSDT").Interval("7m").Do(x); apiCode(err) != -1120 {
		t.Fatalf("kline interval 7m: want -1120, got %v", err)
	}
	if _, err := c.NewGetOpenInterestService().Symbol("BTCUSDT").Do(x); apiCode(err) != -1121 {
		t.Fatalf("unknown symbol: want -1121, got %v", err)
	}
}

func TestLesserEndpointsDecode(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	o, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeLimit).
		TimeInForce(futures.TimeInForceTypeGTC).Quantity("1").Price("390").NewClientOrderID("open-1").Do(x)
	if err != nil {
		t.Fatal(err)
	}
	oo, err := c.NewGetOpenOrderService().Symbol("TAOUSDT").OrigClientOrderID("open-1").Do(x)
	if err != nil || oo.OrderID != o.OrderID {
		t.Fatalf("openOrder: %+v %v", oo, err)
	}
	all, err := c.NewListOrdersService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(all) != 1 || all[0].Price != "390.00" {
		t.Fatalf("allOrders: %+v %v", all, err)
	}
	cr, err := c.NewCommissionRateService().Symbol("TAOUSDT").Do(x)
	if err != nil || cr.MakerCommissionRate != "0.0002" || cr.TakerCommissionRate != "0.0005" {
		t.Fatalf("commissionRate: %+v %v", cr, err)
	}
	ac, err := c.NewGetAccountConfigService().Do(x)
	if err != nil || ac.DualSidePosition || !ac.CanTrade {
		t.Fatalf("accountConfig: %+v %v", ac, err)
	}
	sc, err := c.NewGetSymbolConfigService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(sc) != 1 || sc[0].Leverage != 20 || sc[0].MarginType != "CROSSED" {
		t.Fatalf("symbolConfig: %+v %v", sc, err)
	}
	bt, err := c.NewListBookTickersService().Symbol("TAOUSDT").Do(x)
	if err != nil || len(bt) != 1 || bt[0].BidPrice != "399.99" || bt[0].AskPrice != "400.01" {
		t.Fatalf("bookTicker: %+v %v", bt, err)
	}
	stop := url.Values{"symbol": {"TAOUSDT"}, "algoType": {"CONDITIONAL"}, "side": {"SELL"}, "type": {"STOP_MARKET"}, "triggerPrice": {"380"}, "quantity": {"1"}}
	if st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", stop); st != 200 {
		t.Fatalf("algo: %d %s", st, b)
	}
	if st, b := signed(t, s, "DELETE", "/fapi/v1/algoOpenOrders", url.Values{"symbol": {"TAOUSDT"}}); st != 200 || !strings.Contains(string(b), `"code":200`) {
		t.Fatalf("algoOpenOrders: %d %s", st, b)
	}
	st, b := signed(t, s, "GET", "/fapi/v1/allAlgoOrders", url.Values{"symbol": {"TAOUSDT"}})
	if st != 200 || !strings.Contains(string(b), `"algoStatus":"CANCELED"`) || !strings.Contains(string(b), `"clientAlgoId":"sim-algo-`) {
		t.Fatalf("allAlgoOrders: %d %s", st, b)
	}
}
