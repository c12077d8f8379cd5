package binancesim_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
)

func TestFundingSettlesToThePosition(t *testing.T) {
	for _, mt := range []futures.MarginType{futures.MarginTypeCrossed, futures.MarginTypeIsolated} {
		t.Run(string(mt), func(t *testing.T) {
			s := flat(t, binancesim.Options{Step: time.Minute, ListenKeyTTL: 24 * time.Hour})
			c, x := client(s), ctx(t)
			if mt == futures.MarginTypeIsolated {
				if err := c.NewChangeMarginTypeService().Symbol("TAOUSDT").MarginType(mt).Do(x); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity("4").Do(x); err != nil {
				t.Fatal(err)
			}
			before := s.Account()
			us := userStream(t, s)
			s.Advance(8 * time.Hour) // to the 08:00 funding time
			e := us.nextUser()
			if e.Event != futures.UserDataEventTypeAccountUpdate || e.AccountUpdate.Reason != futures.UserDataEventReasonTypeFundingFee {
				t.Fatalf("want ACCOUNT_UPDATE FUNDING_FEE, got %+v", e)
			}
			rates, err := c.NewFundingRateService().Symbol("TAOUSDT").Do(x)
			if err != nil || len(rates) != 1 {
				t.Fatalf("fundingRate: %+v %v", rates, err)
			}
			// a long pays: -4 * mark * rate
			want := dec("-4").Mul(dec(rates[0].MarkPrice)).Mul(dec(rates[0].FundingRate)).Round(8)
			if got := dec(e.AccountUpdate.Balances[0].ChangeBalance); !got.Equal(want) {
				t.Fatalf("balance change %s, want %s", got, want)
			}
			if n := len(e.AccountUpdate.Positions); (mt == futures.MarginTypeIsolated) != (n == 1) {
				t.Fatalf("%s funding update carries %d positions", mt, n)
			}
			inc, err := c.NewGetIncomeHistoryService().Symbol("TAOUSDT").IncomeType("FUNDING_FEE").Do(x)
			if err != nil || len(inc) != 1 || !dec(inc[0].Income).Equal(want) || inc[0].Time != time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC).UnixMilli() {
				t.Fatalf("income: %+v %v", inc, err)
			}
			if after := s.Account(); !after.Wallet.Equal(before.Wallet.Add(want)) {
				t.Fatalf("wallet %s, want %s", after.Wallet, before.Wallet.Add(want))
			}
		})
	}
}

func TestOwnPositionIsLiquidatedAtBinancesPrice(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	if err := c.NewChangeMarginTypeService().Symbol("TAOUSDT").MarginType(futures.MarginTypeIsolated).Do(x); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewChangeLeverageService().Symbol("TAOUSDT").Leverage(10).Do(x); err != nil {
		t.Fatal(err)
	}
	// 10 TAO long at 400 with 400 USDT isolated: LP = (400 - 4000)/(10*0.01 - 10) = 363.6363...
	s.SeedPosition(dec("10"), dec("400"))
	a := s.Account()
	if got := a.Position.LiquidationPrice.StringFixed(2); got != "363.64" || !a.Position.IsolatedWallet.Equal(dec("400")) {
		t.Fatalf("LP %s iw %s", got, a.Position.IsolatedWallet)
	}
	if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeLimit).
		TimeInForce(futures.TimeInForceTypeGTC).Quantity("1").Price("350").NewClientOrderID("below").Do(x); err != nil {
		t.Fatal(err)
	}
	stop := url.Values{"symbol": {"TAOUSDT"}, "algoType": {"CONDITIONAL"}, "side": {"SELL"}, "type": {"STOP_MARKET"},
		"triggerPrice": {"350"}, "closePosition": {"true"}, "workingType": {"MARK_PRICE"}, "clientAlgoId": {"too-far"}}
	if st, b := signed(t, s, "POST", "/fapi/v1/algoOrder", stop); st != 200 {
		t.Fatalf("stop: %d %s", st, b)
	}
	us := userStream(t, s)
	fo := dial(t, s, "/ws/!forceOrder@arr")
	s.SetPrice(dec("363.70")) // above LP: nothing happens
	if q := s.Account().Position.Qty; !q.Equal(dec("10")) {
		t.Fatalf("liquidated above LP: %s", q)
	}
	s.SetPrice(dec("363.60"))
	if e := us.nextUser(); e.OrderTradeUpdate.ExecutionType != "CANCELED" || e.OrderTradeUpdate.ClientOrderID != "below" {
		t.Fatalf("open orders are canceled first: %+v", e.OrderTradeUpdate)
	}
	var expired algoUpdate
	if err := json.Unmarshal(us.next(), &expired); err != nil || expired.O.Status != "EXPIRED" || expired.O.ClientAlgoID != "too-far" {
		t.Fatalf("open algo orders expire: %+v %v", expired, err)
	}
	if e := us.nextUser(); e.Event != futures.UserDataEventTypeAccountUpdate || e.AccountUpdate.Positions[0].Amount != "0.000" {
		t.Fatalf("account update: %+v", e)
	}
	liq := us.nextUser().OrderTradeUpdate
	if liq.ExecutionType != "CALCULATED" || liq.Type != "LIQUIDATION" || !strings.HasPrefix(liq.ClientOrderID, "autoclose-") ||
		liq.Side != "SELL" || liq.LastFilledQty != "10.000" || liq.LastFilledPrice != "363.60" {
		t.Fatalf("liquidation order: %+v", liq)
	}
	// the isolated margin is gone: 10000 wallet included the 400 of margin
	if w := s.Account().Wallet; !w.Equal(dec("9600")) {
		t.Fatalf("wallet after liquidation %s, want 9600", w)
	}
	s.Advance(time.Second) // the snapshot window closes and the forced order is pushed
	var e futures.WsLiquidationOrderEvent
	if err := json.Unmarshal(fo.nextMatching("forceOrder"), &e); err != nil || e.LiquidationOrder.Side != "SELL" || e.LiquidationOrder.OrigQuantity != "10.000" {
		t.Fatalf("own liquidation on forceOrder: %+v %v", e, err)
	}
}

func TestCrossPositionUsesTheWholeWallet(t *testing.T) {
	s := flat(t, binancesim.Options{Balance: dec("1000")})
	// cross, 10 TAO long at 400, WB 1000: LP = (1000 - 4000)/(0.1 - 10) = 303.0303...
	s.SeedPosition(dec("10"), dec("400"))
	a := s.Account()
	if got := a.Position.LiquidationPrice.StringFixed(2); got != "303.03" || a.MarginType != exchange.Cross {
		t.Fatalf("cross LP %s (%s)", got, a.MarginType)
	}
	s.SetPrice(dec("303.10"))
	if !s.Account().Position.Qty.Equal(dec("10")) {
		t.Fatal("liquidated above LP")
	}
	s.SetPrice(dec("303.00"))
	a = s.Account()
	// realized (303-400)*10 = -970; the remaining 30 goes as clearance fee
	if !a.Position.Qty.IsZero() || !a.Wallet.Equal(dec("0")) {
		t.Fatalf("after cross liquidation: qty %s wallet %s", a.Position.Qty, a.Wallet)
	}
	types := map[string]string{}
	for _, in := range a.Income {
		types[in.Type] = in.Amount.String()
	}
	if types["REALIZED_PNL"] != "-970" || types["INSURANCE_CLEAR"] != "-30" {
		t.Fatalf("income %v", types)
	}
}
