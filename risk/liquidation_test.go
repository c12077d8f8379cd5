package risk

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// oneBracket is a fixed single-tier table, as Binance's worked example assumes.
func oneBracket(mmr, cum string) []exchange.Bracket {
	return []exchange.Bracket{{Bracket: 1, InitialLeverage: 125, NotionalFloor: decimal.Zero,
		NotionalCap: d("1000000000"), MaintMarginRatio: d(mmr), Cum: d(cum)}}
}

func TestLiquidationPriceVectors(t *testing.T) {
	tao := DefaultTAOBrackets()
	cases := []struct {
		name       string
		in         LiqInput
		want       string // rounded to 2 dp
		wantBrkNum int
	}{
		{"binance isolated long example", LiqInput{exchange.Long, d("3683.979"), d("1456.84"), d("1535443.01"), oneBracket("0.1", "135365")}, "1114.78", 1},
		{"tao 10@400 wb400 long", LiqInput{exchange.Long, d("10"), d("400"), d("400"), tao}, "363.64", 1},
		{"tao 10@400 wb400 short", LiqInput{exchange.Short, d("10"), d("400"), d("400"), tao}, "435.64", 1},
		// Entry notional 12,000 is tier 2; tier 2's formula gives 323.18 whose
		// notional 9,695 is tier 1, recomputed: 9600/29.7 = 323.2323.
		{"long switches down a tier", LiqInput{exchange.Long, d("30"), d("400"), d("2400"), tao}, "323.23", 1},
		// Entry notional 9,600 is tier 1; tier 1 gives 437.29 (notional 10,495,
		// tier 2), recomputed: 10650/24.36 = 437.1921.
		{"short switches up a tier", LiqInput{exchange.Short, d("24"), d("400"), d("1000"), tao}, "437.19", 2},
		// Tier 3 throughout: (50000+550-400000)/(1000*0.02-1000) = 356.58.
		{"long stays in tier 3", LiqInput{exchange.Long, d("1000"), d("400"), d("50000"), tao}, "356.58", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lp, b, err := LiquidationBracket(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := lp.Round(2).StringFixed(2); got != c.want {
				t.Errorf("LP = %s (%s), want %s", got, lp, c.want)
			}
			if b.Bracket != c.wantBrkNum {
				t.Errorf("bracket = %d, want %d", b.Bracket, c.wantBrkNum)
			}
			lp2, err := LiquidationPrice(c.in)
			if err != nil || !lp2.Equal(lp) {
				t.Errorf("LiquidationPrice = %s, %v; want %s", lp2, err, lp)
			}
		})
	}
}

func TestLiquidationPriceErrors(t *testing.T) {
	tao := DefaultTAOBrackets()
	// Wallet 5000 covers a 10 TAO long all the way to zero.
	if _, err := LiquidationPrice(LiqInput{exchange.Long, d("10"), d("400"), d("5000"), tao}); !errors.Is(err, ErrNoLiquidation) {
		t.Errorf("overfunded long: err = %v, want ErrNoLiquidation", err)
	}
	bad := []LiqInput{
		{"", d("10"), d("400"), d("400"), tao},
		{exchange.Long, d("0"), d("400"), d("400"), tao},
		{exchange.Long, d("10"), d("-1"), d("400"), tao},
		{exchange.Long, d("10"), d("400"), d("400"), nil},
		{exchange.Long, d("10"), d("400"), d("400"), oneBracket("1", "0")},
	}
	for i, in := range bad {
		if _, err := LiquidationPrice(in); err == nil || errors.Is(err, ErrNoLiquidation) {
			t.Errorf("case %d: err = %v, want an input error", i, err)
		}
	}
}

// At the liquidation price, equity equals maintenance margin, and the tier
// used is the tier of the notional there: the recompute rule is satisfied.
func TestLiquidationPriceConsistentWithBracketRule(t *testing.T) {
	tao := DefaultTAOBrackets()
	r := rand.New(rand.NewSource(6))
	for i := range 2000 {
		dir := exchange.Long
		if i%2 == 1 {
			dir = exchange.Short
		}
		entry := decimal.NewFromInt(int64(50 + r.Intn(950)))
		qty := decimal.NewFromInt(int64(1 + r.Intn(200000))).Div(decimal.NewFromInt(100))
		lev := decimal.NewFromInt(int64(1 + r.Intn(50)))
		wb := qty.Mul(entry).Div(lev)
		in := LiqInput{dir, qty, entry, wb, tao}
		lp, b, err := LiquidationBracket(in)
		if errors.Is(err, ErrNoLiquidation) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		want, _ := BracketFor(tao, qty.Mul(lp))
		if want.Bracket != b.Bracket {
			t.Fatalf("%+v: LP %s used tier %d, notional there is tier %d", in, lp, b.Bracket, want.Bracket)
		}
		s := decimal.NewFromInt(dir.Sign())
		equity := wb.Add(s.Mul(qty).Mul(lp.Sub(entry)))
		mm, _ := MaintenanceMargin(tao, qty, lp)
		if equity.Sub(mm).Abs().GreaterThan(d("0.000001")) {
			t.Fatalf("%+v: at LP %s equity %s != maintenance %s", in, lp, equity, mm)
		}
	}
}

func TestMaintenanceMarginAndCrossWallet(t *testing.T) {
	tao := DefaultTAOBrackets()
	// 30 @ 400 = 12,000 notional, tier 2: 12000*0.015 - 50 = 130.
	mm, err := MaintenanceMargin(tao, d("-30"), d("400"))
	if err != nil || !mm.Equal(d("130")) {
		t.Fatalf("MaintenanceMargin = %s, %v; want 130", mm, err)
	}
	// 1000 - (5*100*0.01 - 0) + (-20) - 130 + 15 = 860.
	wb, err := CrossWalletBalance(d("1000"), []CrossPosition{
		{Qty: d("5"), Mark: d("100"), UnrealizedPnL: d("-20"), Brackets: tao},
		{Qty: d("-30"), Mark: d("400"), UnrealizedPnL: d("15"), Brackets: tao},
	})
	if err != nil || !wb.Equal(d("860")) {
		t.Fatalf("CrossWalletBalance = %s, %v; want 860", wb, err)
	}
	if _, err := CrossWalletBalance(d("1"), []CrossPosition{{Qty: d("1"), Mark: d("1")}}); err == nil {
		t.Error("missing brackets: want error")
	}
	// Cross LP for a 10 TAO long with that WB: (860-4000)/(0.1-10) = 317.17.
	lp, err := LiquidationPrice(LiqInput{exchange.Long, d("10"), d("400"), wb, tao})
	if err != nil || lp.Round(2).StringFixed(2) != "317.17" {
		t.Fatalf("cross LP = %s, %v; want 317.17", lp, err)
	}
}

func TestBracketFor(t *testing.T) {
	tao := DefaultTAOBrackets()
	for _, c := range []struct {
		notional string
		want     int
	}{{"0", 1}, {"9999.99", 1}, {"10000", 2}, {"-150000", 3}, {"49999999", 9}, {"90000000", 9}} {
		b, err := BracketFor(tao, d(c.notional))
		if err != nil || b.Bracket != c.want {
			t.Errorf("BracketFor(%s) = %d, %v; want %d", c.notional, b.Bracket, err, c.want)
		}
	}
	if _, err := BracketFor(nil, d("1")); err == nil {
		t.Error("empty table: want error")
	}
}

// cum must make maintenance margin continuous across tier floors.
func TestDefaultTAOBracketsContinuous(t *testing.T) {
	tao := DefaultTAOBrackets()
	for i := 1; i < len(tao); i++ {
		want := tao[i].NotionalFloor.Mul(tao[i].MaintMarginRatio.Sub(tao[i-1].MaintMarginRatio)).Add(tao[i-1].Cum)
		if !tao[i].Cum.Equal(want) || !tao[i].NotionalFloor.Equal(tao[i-1].NotionalCap) {
			t.Errorf("tier %d: cum %s want %s, floor %s prev cap %s", tao[i].Bracket, tao[i].Cum, want, tao[i].NotionalFloor, tao[i-1].NotionalCap)
		}
	}
}

func TestValidateBrackets(t *testing.T) {
	if err := ValidateBrackets(DefaultTAOBrackets()); err != nil {
		t.Fatalf("default table: %v", err)
	}
	if err := ValidateBrackets(oneBracket("0.1", "0")); err != nil {
		t.Fatalf("one tier: %v", err)
	}
	mods := map[string]func([]exchange.Bracket){
		"cum off":      func(b []exchange.Bracket) { b[2].Cum = d("500") },
		"gap":          func(b []exchange.Bracket) { b[1].NotionalFloor = d("11000") },
		"mmr falls":    func(b []exchange.Bracket) { b[3].MaintMarginRatio = d("0.001") },
		"mmr one":      func(b []exchange.Bracket) { b[8].MaintMarginRatio = d("1") },
		"cap <= floor": func(b []exchange.Bracket) { b[0].NotionalCap = d("0") },
		"first floor":  func(b []exchange.Bracket) { b[0].NotionalFloor = d("1") },
	}
	for name, m := range mods {
		b := DefaultTAOBrackets()
		m(b)
		if err := ValidateBrackets(b); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	if err := ValidateBrackets(nil); err == nil {
		t.Error("empty: want error")
	}
}

// On a hand-edited table with a discontinuity the solver still returns the
// first price, moving against the position, at which equity <= maintenance.
func TestLiquidationPriceDiscontinuousTable(t *testing.T) {
	// Tier 2 cum 0 instead of 50: maintenance jumps from 100 to 150 at 10,000.
	bs := []exchange.Bracket{
		{Bracket: 1, NotionalFloor: d("0"), NotionalCap: d("10000"), MaintMarginRatio: d("0.01"), Cum: d("0")},
		{Bracket: 2, NotionalFloor: d("10000"), NotionalCap: d("100000"), MaintMarginRatio: d("0.015"), Cum: d("0")},
	}
	// Long 25 @ 440 (11,000), wallet 1,200. Tier 2 alone: (1200-11000)/(0.375-25)
	// = 397.97, notional 9,949: not tier 2. Tier 1 alone: (1200-11000)/(0.25-25)
	// = 395.96, in tier 1. Just above 400 (tier 2) equity 1200-25*40 = 200 >
	// 150, so liquidation is in tier 1 at 395.96.
	lp, b, err := LiquidationBracket(LiqInput{exchange.Long, d("25"), d("440"), d("1200"), bs})
	if err != nil || b.Bracket != 1 || lp.Round(2).StringFixed(2) != "395.96" {
		t.Fatalf("LP = %s tier %d, %v; want 395.96 in tier 1", lp, b.Bracket, err)
	}
	// Tier 2 cum 100 instead of 50: maintenance drops from 100 to 50 at
	// 10,000. Wallet 1,080: tier 2 alone gives 9820/24.625 = 398.78, not tier
	// 2; tier 1 alone gives 9920/24.75 = 400.81, above its range; so just
	// below 400, where maintenance jumps to 100 > equity 80, it liquidates.
	bs[1].Cum = d("100")
	lp, b, err = LiquidationBracket(LiqInput{exchange.Long, d("25"), d("440"), d("1080"), bs})
	if err != nil || b.Bracket != 1 || !lp.Equal(d("400")) {
		t.Fatalf("LP = %s tier %d, %v; want 400 in tier 1", lp, b.Bracket, err)
	}
}
