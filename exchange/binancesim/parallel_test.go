package binancesim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange/binancesim"
)

// Several simulators in one test binary share nothing: each has its own
// listener, credentials, clock and account.
func TestManySimulatorsAtOnce(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			s := binancesim.Start(t, binancesim.Options{Seed: int64(i), Scenario: "calm"})
			ws := dial(t, s, "/stream?streams=taousdt@aggTrade/taousdt@markPrice@1s")
			c, x := client(s), ctx(t)
			qty := fmt.Sprintf("%d", i+1)
			if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity(qty).Do(x); err != nil {
				t.Fatal(err)
			}
			s.Advance(2 * time.Second)
			ws.nextMatching("markPriceUpdate")
			if a := s.Account(); !a.Position.Qty.Equal(dec(qty)) || a.Received != 1 {
				t.Fatalf("sim %d: position %s received %d", i, a.Position.Qty, a.Received)
			}
			other := futures.NewClient(s.APIKey+"x", s.APISecret)
			other.BaseURL = s.RESTURL
			if _, err := other.NewGetBalanceService().Do(x); apiCode(err) != -2015 {
				t.Fatalf("foreign key accepted: %v", err)
			}
		})
	}
}
