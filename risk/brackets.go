package risk

import (
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
