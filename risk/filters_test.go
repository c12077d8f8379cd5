package risk

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

func TestRoundQtyDown(t *testing.T) {
	tao := DefaultTAORules()
	odd := exchange.SymbolRules{StepSize: d("0.003"), MinQty: d("0.002")}
	cases := []struct {
		r        exchange.SymbolRules
		in, want string
	}{
		{tao, "2.4529", "2.452"},
		{tao, "2.452", "2.452"},
		{tao, "0.0009", "0"},
		{tao, "100", "100"},
		{odd, "1", "0.998"}, // 0.002 + 332*0.003
		{odd, "0.001", "0"}, // below minQty: grid from zero
		{exchange.SymbolRules{}, "1.23456", "1.23456"},
	}
	for _, c := range cases {
		if got := RoundQtyDown(c.r, d(c.in)); !got.Equal(d(c.want)) {
			t.Errorf("RoundQtyDown(%s, step %s) = %s, want %s", c.in, c.r.StepSize, got, c.want)
		}
	}
}

func TestRoundPrice(t *testing.T) {
	tao := DefaultTAORules()
	withMin := exchange.SymbolRules{TickSize: d("0.05"), MinPrice: d("0.02")}
	cases := []struct {
		r    exchange.SymbolRules
		in   string
		dir  RoundDir
		want string
	}{
		{tao, "380.005", RoundUp, "380.01"},
		{tao, "380.005", RoundDown, "380"},
		{tao, "380.01", RoundUp, "380.01"},
		{tao, "380.01", RoundDown, "380.01"},
		{withMin, "1.00", RoundDown, "0.97"},
		{withMin, "1.00", RoundUp, "1.02"},
		{exchange.SymbolRules{}, "3.14159", RoundUp, "3.14159"},
	}
	for _, c := range cases {
		if got := RoundPrice(c.r, d(c.in), c.dir); !got.Equal(d(c.want)) {
			t.Errorf("RoundPrice(%s, %s) = %s, want %s", c.in, c.dir, got, c.want)
		}
	}
}

// The "toward safety" rule: stops and targets move toward the entry,
// entries to the passive side.
func TestRoundDirections(t *testing.T) {
	tao := DefaultTAORules()
	cases := []struct {
		name string
		f    func(exchange.PositionDirection) RoundDir
		dir  exchange.PositionDirection
		in   string
		want string
	}{
		{"long stop up toward entry", StopRoundDir, exchange.Long, "379.999", "380"},
		{"short stop down toward entry", StopRoundDir, exchange.Short, "420.009", "420"},
		{"long target down toward entry", TargetRoundDir, exchange.Long, "440.019", "440.01"},
		{"short target up toward entry", TargetRoundDir, exchange.Short, "359.991", "360"},
		{"long entry down (pay no more)", EntryRoundDir, exchange.Long, "400.009", "400"},
		{"short entry up (sell no lower)", EntryRoundDir, exchange.Short, "399.991", "400"},
	}
	for _, c := range cases {
		if got := RoundPrice(tao, d(c.in), c.f(c.dir)); !got.Equal(d(c.want)) {
			t.Errorf("%s: %s -> %s, want %s", c.name, c.in, got, c.want)
		}
	}
}

func TestMinChecks(t *testing.T) {
	tao := DefaultTAORules()
	if MeetsMinQty(tao, d("0.0009")) || !MeetsMinQty(tao, d("0.001")) || MeetsMinQty(tao, decimal.Zero) {
		t.Error("MeetsMinQty wrong around 0.001")
	}
	if MeetsMinNotional(tao, d("0.012"), d("400")) || !MeetsMinNotional(tao, d("0.0125"), d("400")) {
		t.Error("MeetsMinNotional wrong around 5 USDT")
	}
}
