package binance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/adshao/go-binance/v2/futures"
	"github.com/shopspring/decimal"
)

func TestRulesFromSymbolFilterTypes(t *testing.T) {
	sym := func(tick any) *futures.Symbol {
		return &futures.Symbol{Symbol: "TAOUSDT", Filters: []map[string]any{
			{"filterType": "PRICE_FILTER", "tickSize": tick, "minPrice": "0.010", "maxPrice": "10000"},
			{"filterType": "LOT_SIZE", "stepSize": "0.001", "minQty": "0.001", "maxQty": "1000"},
		}}
	}
	tests := []struct {
		name     string
		tick     any
		want     string // tick size, or "" for a decode error
		errMatch string
	}{
		{"string as Binance sends it", "0.01", "0.01", ""},
		{"json.Number literal", json.Number("0.01"), "0.01", ""},
		{"float64 is a format change", 0.01, "", "tickSize: got float64"},
		{"bool is garbage", true, "", "tickSize: got bool"},
	}
	for _, tc := range tests {
		r, err := rulesFromSymbol(sym(tc.tick))
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("%s: err %v, want one containing %q", tc.name, err, tc.errMatch)
			}
			continue
		}
		if err != nil || !r.TickSize.Equal(decimal.RequireFromString(tc.want)) || !r.StepSize.Equal(decimal.RequireFromString("0.001")) {
			t.Errorf("%s: tick %s step %s err %v, want tick %s", tc.name, r.TickSize, r.StepSize, err, tc.want)
		}
	}
}
