package paper

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

// A FUNDING_FEE update lists the isolated position it is for, and no
// position for a cross one, as Binance does.
func TestFundingUpdatePositionsByMarginType(t *testing.T) {
	for _, tc := range []struct {
		mt        exchange.MarginType
		positions int
	}{{exchange.Isolated, 1}, {exchange.Cross, 0}} {
		t.Run(string(tc.mt), func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.MarginType = tc.mt })
			ft := t0.Add(time.Hour)
			h.book("99.90", "100.00")
			h.markFunding("100.00", "0.0001", ft)
			h.mustPlace(market("e", exchange.Buy, "2"))
			h.events()
			h.clock.Set(ft)
			h.markFunding("100.00", "0.0001", ft.Add(8*time.Hour))
			evs := h.events()
			eqKinds(t, kinds(evs), "ACCOUNT:FUNDING_FEE")
			au := evs[0].(exchange.AccountUpdate)
			if len(au.Positions) != tc.positions {
				t.Fatalf("positions %+v, want %d", au.Positions, tc.positions)
			}
			if tc.positions == 1 && au.Positions[0].Symbol != sym {
				t.Errorf("position symbol %q", au.Positions[0].Symbol)
			}
			eqDec(t, "charged", au.Balances[0].BalanceChange, d("-0.02"))
		})
	}
}
