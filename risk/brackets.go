package risk

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// DefaultTAOBrackets is the last published TAOUSDT maintenance-margin table,
// used by paper and dry-run when the exchange's own table is not fetched.
// Live mode always uses /fapi/v1/leverageBracket.
func DefaultTAOBrackets() []exchange.Bracket {
	rows := []struct {
		floor, cap, mmr, cum string
		lev                  int
	}{
		{"0", "10000", "0.01", "0", 75},
		{"10000", "100000", "0.015", "50", 50},
		{"100000", "500000", "0.02", "550", 25},
		{"500000", "1000000", "0.025", "3050", 20},
		{"1000000", "5000000", "0.05", "28050", 10},
		{"5000000", "10000000", "0.1", "278050", 5},
		{"10000000", "12500000", "0.125", "528050", 4},
		{"12500000", "25000000", "0.25", "2090550", 2},
		{"25000000", "50000000", "0.5", "8340550", 1},
	}
	out := make([]exchange.Bracket, len(rows))
	for i, r := range rows {
		out[i] = exchange.Bracket{
			Bracket:          i + 1,
			InitialLeverage:  r.lev,
			NotionalFloor:    decimal.RequireFromString(r.floor),
			NotionalCap:      decimal.RequireFromString(r.cap),
			MaintMarginRatio: decimal.RequireFromString(r.mmr),
			Cum:              decimal.RequireFromString(r.cum),
		}
	}
	return out
}

// ValidateBrackets checks a maintenance-margin table, such as a config
// override, before it is trusted: tiers ascending and contiguous from 0,
// MMR in [0, 1) and non-decreasing, and each cum equal to Binance's
// floor_n*(MMR_n-MMR_n-1) + cum_n-1 so maintenance margin is continuous.
func ValidateBrackets(bs []exchange.Bracket) error {
	if len(bs) == 0 {
		return errors.New("brackets: table is empty")
	}
	for i, b := range bs {
		switch {
		case b.MaintMarginRatio.IsNegative() || b.MaintMarginRatio.GreaterThanOrEqual(one):
			return fmt.Errorf("brackets: tier %d: maintenance margin ratio %s outside [0, 1)", i+1, b.MaintMarginRatio)
		case !b.NotionalCap.GreaterThan(b.NotionalFloor):
			return fmt.Errorf("brackets: tier %d: cap %s must be above floor %s", i+1, b.NotionalCap, b.NotionalFloor)
		case b.InitialLeverage < 0:
			return fmt.Errorf("brackets: tier %d: max leverage %d is negative", i+1, b.InitialLeverage)
		}
		if i == 0 {
			if !b.NotionalFloor.IsZero() || !b.Cum.IsZero() {
				return fmt.Errorf("brackets: tier 1 must start at notional 0 with cum 0, got floor %s cum %s", b.NotionalFloor, b.Cum)
			}
			continue
		}
		prev := bs[i-1]
		if !b.NotionalFloor.Equal(prev.NotionalCap) {
			return fmt.Errorf("brackets: tier %d: floor %s does not meet the previous cap %s", i+1, b.NotionalFloor, prev.NotionalCap)
		}
		if b.MaintMarginRatio.LessThan(prev.MaintMarginRatio) {
			return fmt.Errorf("brackets: tier %d: maintenance margin ratio %s below the previous tier's %s", i+1, b.MaintMarginRatio, prev.MaintMarginRatio)
		}
		want := b.NotionalFloor.Mul(b.MaintMarginRatio.Sub(prev.MaintMarginRatio)).Add(prev.Cum)
		if !b.Cum.Equal(want) {
			return fmt.Errorf("brackets: tier %d: cum %s should be %s (floor x MMR step + previous cum)", i+1, b.Cum, want)
		}
	}
	return nil
}
