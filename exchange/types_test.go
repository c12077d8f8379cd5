package exchange

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestSidesAndDirections(t *testing.T) {
	if Buy.Opposite() != Sell || Sell.Opposite() != Buy || Buy.Sign() != 1 || Sell.Sign() != -1 {
		t.Fatal("side helpers")
	}
	if Long.EntrySide() != Buy || Short.EntrySide() != Sell || Long.Sign() != 1 || Short.Sign() != -1 {
		t.Fatal("direction helpers")
	}
	if (Position{Qty: d("-2")}).Direction() != Short || (Position{Qty: d("2")}).Direction() != Long || !(Position{}).Flat() {
		t.Fatal("position direction")
	}
	liq := Liquidation{Side: Sell, Qty: d("2"), Price: d("400"), FilledQty: d("2"), AvgPrice: d("399.5")}
	if liq.LiquidatedDirection() != Long || !liq.Notional().Equal(d("799")) {
		t.Fatalf("liquidation %s %s", liq.LiquidatedDirection(), liq.Notional())
	}
	if (Trade{BuyerMaker: true}).TakerSide() != Sell || (Trade{}).TakerSide() != Buy {
		t.Fatal("taker side: m=true means the taker sold")
	}
}

func TestStatuses(t *testing.T) {
	for s, final := range map[OrderStatus]bool{StatusNew: false, StatusPartiallyFilled: false, StatusFilled: true, StatusCanceled: true, StatusRejected: true, StatusExpired: true} {
		if s.Final() != final {
			t.Errorf("%s final = %v", s, s.Final())
		}
	}
	if !AlgoNew.Open() || AlgoTriggered.Open() || AlgoCanceled.Open() {
		t.Error("algo open states")
	}
	if !StopMarket.Conditional() || Limit.Conditional() || Market.Conditional() {
		t.Error("conditional types")
	}
}

func TestOrderRequestValidate(t *testing.T) {
	ok := OrderRequest{Symbol: "TAOUSDT", ClientID: "tb1-abc-e", Side: Buy, Type: Limit, Qty: d("1"), Price: d("400")}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mut  func(*OrderRequest)
		want string
	}{
		{func(r *OrderRequest) { r.Symbol = "" }, "symbol is empty"},
		{func(r *OrderRequest) { r.ClientID = strings.Repeat("x", 37) }, "1-36 characters"},
		{func(r *OrderRequest) { r.Side = "LONG" }, `side "LONG"`},
		{func(r *OrderRequest) { r.Type = StopMarket }, "algo order API"},
		{func(r *OrderRequest) { r.Qty = d("0") }, "qty must be > 0"},
		{func(r *OrderRequest) { r.Price = d("0") }, "limit price must be > 0"},
	}
	for _, c := range cases {
		r := ok
		c.mut(&r)
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
	algo := AlgoOrderRequest{Symbol: "TAOUSDT", ClientAlgoID: "tb1-abc-s", Side: Sell, Type: StopMarket, TriggerPrice: d("390"), ClosePosition: true}
	if err := algo.Validate(); err != nil {
		t.Fatal(err)
	}
	algo.Type = Limit
	if err := algo.Validate(); err == nil {
		t.Fatal("LIMIT accepted as an algo order")
	}
}

func TestAPIErrorClass(t *testing.T) {
	err := fmt.Errorf("place stop for x: %w", &APIError{Code: CodeMarginInsufficient, Msg: "Margin is insufficient.", Class: ErrRejected})
	if !errors.Is(err, ErrRejected) || errors.Is(err, ErrUnknownOutcome) || CodeOf(err) != CodeMarginInsufficient {
		t.Fatalf("classification lost through wrapping: %v", err)
	}
	if CodeOf(errors.New("plain")) != 0 {
		t.Fatal("code of a plain error")
	}
}
