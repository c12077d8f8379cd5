package risk

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

var planNow = time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)

// baseLong is the example: long 400, stop 380, target 440, 50 USDT
// budget, 1000 equity, taker 0.05% both ways, no funding.
func baseLong() PlanInput {
	return PlanInput{
		Direction: exchange.Long,
		Entry:     d("400"), Stop: d("380"), Target: d("440"),
		Equity: d("1000"), Available: d("1000"),
		Rules:    DefaultTAORules(),
		MakerFee: d("0.0002"), TakerFee: d("0.0005"),
		Now: planNow, NextFunding: planNow.Add(7 * time.Hour), FundingInterval: 8 * time.Hour,
		Config: SizingConfig{MaxLossUSDT: d("50")},
	}
}

func mustPlan(t *testing.T, in PlanInput) PlanResult {
	t.Helper()
	p, err := Plan(in)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestPlanAcceptedHandComputed(t *testing.T) {
	p := mustPlan(t, baseLong())
	if !p.Accepted() {
		t.Fatalf("rejected: %v", p.Err())
	}
	// Per unit: 20 price + 0.2 entry fee + 0.19 stop fee = 20.39;
	// 50/20.39 = 2.45218... -> 2.452.
	eq(t, "per unit", p.LossPerUnit.Total, "20.39")
	eq(t, "qty", p.Qty, "2.452")
	eq(t, "notional", p.Notional, "980.8")
	eq(t, "worst price", p.WorstCaseLoss.Price, "49.04")
	eq(t, "worst fees", p.WorstCaseLoss.Fees, "0.95628")
	eq(t, "worst funding", p.WorstCaseLoss.Funding, "0")
	eq(t, "worst total", p.WorstCaseLoss.Total, "49.99628")
	// Margin fits at 1x (980.8 + 0.49 fee <= 1000): wallet equals notional,
	// so a long cannot be liquidated.
	if p.Leverage != 1 || p.LiquidationPrice != nil {
		t.Errorf("leverage %d liq %v, want 1 and none", p.Leverage, p.LiquidationPrice)
	}
	eq(t, "margin", p.Margin, "980.8")
	// Reward: 40 - 0.2 - 0.22 = 39.58 per unit, x 2.452 = 97.05016;
	// R = 39.58/20.39 = 1.9411.
	eq(t, "reward", *p.ExpectedReward, "97.05016")
	eq(t, "R", *p.RMultiple, "1.9411")
	if len(p.Roundings) != 1 || p.Roundings[0].What != "qty" || !p.Roundings[0].To.Equal(d("2.452")) {
		t.Errorf("roundings = %+v, want one qty rounding to 2.452", p.Roundings)
	}
}

func TestPlanLeverageAndLiquidation(t *testing.T) {
	in := baseLong()
	in.Stop = d("390")
	in.Equity, in.Available = d("200"), d("200")
	p := mustPlan(t, in)
	if !p.Accepted() {
		t.Fatalf("rejected: %v", p.Err())
	}
	// 10.395 per unit -> 4.81; notional 1924; free 200-0.962 -> ceil(9.67) = 10x.
	eq(t, "qty", p.Qty, "4.81")
	if p.Leverage != 10 {
		t.Errorf("leverage = %d, want 10", p.Leverage)
	}
	eq(t, "margin", p.Margin, "192.4")
	// (192.4-1924)/(0.0481-4.81) = 363.636..., shown up toward the entry.
	if p.LiquidationPrice == nil {
		t.Fatal("no liquidation price")
	}
	eq(t, "liq", *p.LiquidationPrice, "363.64")

	// Cross margin: WB is the whole equity 200, leverage still the lowest
	// fitting; (200-1924)/(0.0481-4.81) = 362.044..., shown up as 362.05.
	in.Config.MarginType = exchange.Cross
	p = mustPlan(t, in)
	if !p.Accepted() || p.Leverage != 10 || p.LiquidationPrice == nil {
		t.Fatalf("cross: accepted %v lev %d liq %v; want 10x with a liquidation price", p.Accepted(), p.Leverage, p.LiquidationPrice)
	}
	eq(t, "cross liq", *p.LiquidationPrice, "362.05")
}

func TestPlanCrossWallet(t *testing.T) {
	in := baseLong()
	in.Stop = d("390")
	in.Equity, in.Available = d("200"), d("200")
	in.Config.MarginType = exchange.Cross
	in.CrossWallet = d("300") // (300-1924)/(0.0481-4.81) = 341.0403 -> 341.05
	p := mustPlan(t, in)
	if p.LiquidationPrice == nil {
		t.Fatal("no liquidation price")
	}
	eq(t, "cross liq", *p.LiquidationPrice, "341.05")
}

func TestPlanRejections(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*PlanInput)
		want []ReasonCode
		msg  string // a fragment the first message must contain
	}{
		{"stop above a long entry", func(in *PlanInput) { in.Stop = d("410") }, []ReasonCode{ReasonStopWrongSide}, "below the entry 400"},
		{"stop below a short entry", func(in *PlanInput) { in.Direction = exchange.Short; in.Target = decimal.Zero }, []ReasonCode{ReasonStopWrongSide}, "above the entry 400"},
		{"stop rounds onto the entry", func(in *PlanInput) { in.Entry, in.Stop = d("400.004"), d("399.996") }, []ReasonCode{ReasonStopWrongSide}, "got 400"},
		{"target below a long entry", func(in *PlanInput) { in.Target = d("390") }, []ReasonCode{ReasonTargetWrongSide}, "above the entry"},
		{"no budget", func(in *PlanInput) { in.Config = SizingConfig{MaxLossPct: d("1")}; in.Equity = decimal.Zero }, []ReasonCode{ReasonNoBudget}, "loss budget is 0"},
		{"qty and notional below min", func(in *PlanInput) { in.Config.MaxLossUSDT = d("0.01") }, []ReasonCode{ReasonQtyBelowMin, ReasonNotionalBelowMin}, "below the minimum quantity 0.001"},
		// 0.2/20.39 = 0.0098 -> 0.009: qty ok, notional 3.6 < 5.
		{"notional below min", func(in *PlanInput) { in.Config.MaxLossUSDT = d("0.2") }, []ReasonCode{ReasonNotionalBelowMin}, "notional 3.6 USDT is below the minimum 5"},
		{"margin insufficient", func(in *PlanInput) { in.Available = d("50") }, []ReasonCode{ReasonMarginShort}, "needs 98.57 USDT margin and fee at the 10x cap"},
		{"cross wallet empty", func(in *PlanInput) { in.Config.MarginType, in.Equity = exchange.Cross, decimal.Zero }, []ReasonCode{ReasonMarginShort},
			"cross margin with a wallet balance of 0 USDT"},
		{"fee exceeds balance", func(in *PlanInput) { in.Available = d("0.1") }, []ReasonCode{ReasonMarginShort}, "does not even cover the entry fee"},
		// Target 420: 19.59 net / 20.39 = 0.9608.
		{"reward/risk", func(in *PlanInput) { in.Target = d("420"); in.Config.MinRewardRisk = d("1.5") }, []ReasonCode{ReasonRewardRisk}, "reward/risk is 0.9608"},
		// 0.001*400*3 = 1.2 per unit of 39.58 after fees = 3.0%.
		{"funding share", func(in *PlanInput) {
			in.FundingRate, in.Hold, in.Config.MaxFundingShare = d("0.001"), 24*time.Hour, d("0.02")
		}, []ReasonCode{ReasonFundingShare}, "eats 3.0% of the expected profit"},
		// 100 available: lowest fitting leverage 10x, liquidation 363.64; the
		// stop at 380 is 55% of the way there.
		{"liquidation too close", func(in *PlanInput) { in.Available = d("100") }, []ReasonCode{ReasonLiqBuffer}, "liquidation is at 363.64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := baseLong()
			c.mod(&in)
			p := mustPlan(t, in)
			if len(p.Rejections) != len(c.want) {
				t.Fatalf("rejections = %+v, want codes %v", p.Rejections, c.want)
			}
			for i, code := range c.want {
				if p.Rejections[i].Code != code || !p.Has(code) {
					t.Errorf("rejection %d = %s, want %s", i, p.Rejections[i].Code, code)
				}
			}
			if !strings.Contains(p.Rejections[0].Message, c.msg) {
				t.Errorf("message %q lacks %q", p.Rejections[0].Message, c.msg)
			}
			if p.Err() == nil || !strings.Contains(p.Err().Error(), string(c.want[0])) {
				t.Errorf("Err() = %v", p.Err())
			}
		})
	}
}

func TestPlanInvalidInput(t *testing.T) {
	cases := []struct {
		mod  func(*PlanInput)
		want string // a fragment the error must contain
	}{
		{func(in *PlanInput) { in.Direction = "UP" }, `direction "UP"`},
		{func(in *PlanInput) { in.Entry = decimal.Zero }, "entry and stop must be > 0"},
		{func(in *PlanInput) { in.Target = d("-1") }, "target must be >= 0"},
		{func(in *PlanInput) { in.TakerFee = d("-0.1") }, "fee rates must be >= 0"},
		{func(in *PlanInput) { in.Hold = -time.Hour }, "hold horizon must be >= 0"},
		{func(in *PlanInput) { in.Hold, in.Now = time.Hour, time.Time{} }, "now is required"},
		{func(in *PlanInput) { in.Config.LiqBuffer = d("1.5") }, "liq_buffer must be in (0, 1]"},
		{func(in *PlanInput) { in.Config.MaxLossPct = d("150") }, "max_loss_pct in [0, 100]"},
		{func(in *PlanInput) { in.Config.MarginType = "PORTFOLIO" }, `margin type "PORTFOLIO"`},
		{func(in *PlanInput) { in.Rules.Brackets = nil }, "no maintenance-margin brackets"},
	}
	for i, c := range cases {
		in := baseLong()
		c.mod(&in)
		if _, err := Plan(in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: err = %v, want one containing %q", i, err, c.want)
		}
	}
}

// A rejected plan still shows the loss budget it was judged against.
func TestPlanRejectionKeepsBudget(t *testing.T) {
	in := baseLong()
	in.Stop = d("410")
	p := mustPlan(t, in)
	if !p.Has(ReasonStopWrongSide) || !p.Budget.Equal(d("50")) {
		t.Errorf("rejections %+v, budget %s; want stop_wrong_side with the budget 50", p.Rejections, p.Budget)
	}
}

// The leverage cap is the smallest of the config, the symbol and the
// bracket of the notional (TAO tier 3, 100k-500k, allows 25x).
func TestPlanLeverageCapFromBracket(t *testing.T) {
	in := baseLong()
	in.Config.MaxLossUSDT, in.Config.MaxLeverage = d("10000"), 100
	in.Equity, in.Available = d("1000000"), d("5000")
	p := mustPlan(t, in)
	// 10000/20.39 -> 490.436 TAO, notional 196,174.4: needs 40x, cap 25x.
	eq(t, "qty", p.Qty, "490.436")
	if !p.Has(ReasonMarginShort) || !strings.Contains(p.Rejections[0].Message, "at the 25x cap") {
		t.Fatalf("rejections %+v", p.Rejections)
	}
	// 196,174.4/(8000-98.09) -> 25x fits, but the isolated margin 7,846.98
	// puts liquidation at (7846.976+550-196174.4)/(9.80872-490.436) = 390.70,
	// above the 380 stop.
	in.Available = d("8000")
	p = mustPlan(t, in)
	if p.Leverage != 25 || len(p.Rejections) != 1 || !p.Has(ReasonLiqBuffer) || p.LiquidationPrice == nil {
		t.Fatalf("leverage %d rejections %+v, want 25x and liquidation_too_close", p.Leverage, p.Rejections)
	}
	eq(t, "liq", *p.LiquidationPrice, "390.7")
}

func TestPlanBudgetIsSmallerOfAbsAndPct(t *testing.T) {
	for _, c := range []struct{ abs, pct, equity, want string }{
		{"50", "1", "1000", "10"},
		{"5", "1", "1000", "5"},
		{"0", "2", "1000", "20"},
		{"50", "0", "0", "50"},
	} {
		in := baseLong()
		in.Config.MaxLossUSDT, in.Config.MaxLossPct, in.Equity = d(c.abs), d(c.pct), d(c.equity)
		in.SkipMarginCheck = true
		p := mustPlan(t, in)
		eq(t, "budget "+c.abs+"/"+c.pct+"%", p.Budget, c.want)
	}
}

func TestPlanFunding(t *testing.T) {
	cases := []struct {
		name    string
		dir     exchange.PositionDirection
		rate    string
		hold    time.Duration
		iv      time.Duration
		times   int
		perUnit string
	}{
		// Long pays a positive rate: 0.0001 x 400 x 3 (08, 16, 00 UTC).
		{"long pays positive 8h", exchange.Long, "0.0001", 24 * time.Hour, 8 * time.Hour, 3, "0.12"},
		{"long receives negative", exchange.Long, "-0.0001", 24 * time.Hour, 8 * time.Hour, 3, "0"},
		// Short pays a negative rate on max(entry, stop) = 420.
		{"short pays negative", exchange.Short, "-0.0001", 24 * time.Hour, 8 * time.Hour, 3, "0.126"},
		{"short receives positive", exchange.Short, "0.0001", 24 * time.Hour, 8 * time.Hour, 3, "0"},
		// 4h interval, next funding still 08:00: 08, 12, 16, 20, 00 = 5.
		{"4h interval", exchange.Long, "0.0001", 24 * time.Hour, 4 * time.Hour, 5, "0.2"},
		// Horizon ends exactly at 08:00: counted.
		{"horizon ends on funding", exchange.Long, "0.0001", 7 * time.Hour, 8 * time.Hour, 1, "0.04"},
		{"next funding outside horizon", exchange.Long, "0.0001", 6 * time.Hour, 8 * time.Hour, 0, "0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := baseLong()
			in.Direction = c.dir
			if c.dir == exchange.Short {
				in.Stop, in.Target = d("420"), d("360")
			}
			in.FundingRate, in.Hold, in.FundingInterval = d(c.rate), c.hold, c.iv
			p := mustPlan(t, in)
			if p.FundingTimes != c.times {
				t.Errorf("funding times = %d, want %d", p.FundingTimes, c.times)
			}
			eq(t, "funding per unit", p.LossPerUnit.Funding, c.perUnit)
			eq(t, "worst funding", p.WorstCaseLoss.Funding, p.Qty.Mul(d(c.perUnit)).String())
		})
	}
}

func TestPlanRoundsPricesTowardSafety(t *testing.T) {
	in := baseLong()
	in.Entry, in.Stop, in.Target = d("400.009"), d("380.001"), d("440.009")
	p := mustPlan(t, in)
	eq(t, "entry", p.Entry, "400")
	eq(t, "stop", p.Stop, "380.01")
	eq(t, "target", *p.Target, "440")
	want := []string{"entry 400.009->400", "stop 380.001->380.01", "target 440.009->440"}
	for i, w := range want {
		r := p.Roundings[i]
		if got := r.What + " " + r.From.String() + "->" + r.To.String(); got != w || r.Why == "" {
			t.Errorf("rounding %d = %q (%q), want %q", i, got, r.Why, w)
		}
	}
	in = baseLong()
	in.Direction, in.Entry, in.Stop, in.Target = exchange.Short, d("399.991"), d("420.009"), d("359.991")
	p = mustPlan(t, in)
	eq(t, "short entry", p.Entry, "400")
	eq(t, "short stop", p.Stop, "420")
	eq(t, "short target", *p.Target, "360")
}

func TestPlanJSONFieldNames(t *testing.T) {
	b, err := json.Marshal(mustPlan(t, baseLong()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"direction", "margin_type", "entry", "stop", "target", "budget", "qty", "notional", "leverage", "margin",
		"liquidation_price", "funding_times", "loss_per_unit", "worst_case_loss", "expected_reward", "r_multiple", "roundings", "notes", "rejections"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if string(m["qty"]) != `"2.452"` || string(m["liquidation_price"]) != "null" {
		t.Errorf("qty %s liq %s", m["qty"], m["liquidation_price"])
	}
}

// Property: for a few thousand random valid inputs, the worst-case loss never
// exceeds the budget, qty sits on the step grid, and an accepted plan's
// liquidation price is beyond the stop within the buffer.
func TestPlanPropertyLossWithinBudget(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	rules := DefaultTAORules()
	step := rules.StepSize
	accepted, withLiq, rejected := 0, 0, 0
	for i := range 3000 {
		dir := exchange.Long
		if r.Intn(2) == 1 {
			dir = exchange.Short
		}
		entry := decimal.NewFromInt(int64(1000 + r.Intn(99000))).Div(decimal.NewFromInt(100)).Add(d("0.003"))
		dist := entry.Mul(decimal.NewFromInt(int64(1 + r.Intn(300)))).Div(decimal.NewFromInt(1000))
		stop := entry.Sub(dist.Mul(decimal.NewFromInt(dir.Sign())))
		target := entry.Add(dist.Mul(decimal.NewFromInt(int64(1 + r.Intn(5)))).Mul(decimal.NewFromInt(dir.Sign())))
		if !target.IsPositive() {
			target = decimal.Zero
		}
		equity := decimal.NewFromInt(int64(10 + r.Intn(100000)))
		in := PlanInput{
			Direction: dir, Entry: entry, Stop: stop, Target: target,
			Equity: equity, Available: equity.Mul(decimal.NewFromInt(int64(1 + r.Intn(10)))).Div(decimal.NewFromInt(10)),
			Rules: rules, MakerFee: d("0.0002"), TakerFee: decimal.NewFromInt(int64(r.Intn(10))).Div(decimal.NewFromInt(10000)),
			EntryMaker:      r.Intn(2) == 0,
			FundingRate:     decimal.NewFromInt(int64(r.Intn(41) - 20)).Div(decimal.NewFromInt(100000)),
			FundingInterval: []time.Duration{4 * time.Hour, 8 * time.Hour}[r.Intn(2)],
			Now:             planNow.Add(time.Duration(r.Intn(86400)) * time.Second),
			Hold:            time.Duration(r.Intn(72)) * time.Hour,
			Config: SizingConfig{
				MaxLossUSDT: decimal.NewFromInt(int64(1 + r.Intn(500))), MaxLossPct: decimal.NewFromInt(int64(r.Intn(5))),
				MaxLeverage: 1 + r.Intn(20), MinRewardRisk: d("1"), MaxFundingShare: d("0.5"),
			},
		}
		if r.Intn(3) == 0 {
			in.Config.MarginType = exchange.Cross
		}
		p, err := Plan(in)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if p.WorstCaseLoss.Total.GreaterThan(p.Budget) {
			t.Fatalf("case %d: worst loss %s > budget %s (%+v)", i, p.WorstCaseLoss.Total, p.Budget, in)
		}
		if !p.Qty.Mod(step).IsZero() || p.Qty.IsNegative() {
			t.Fatalf("case %d: qty %s not a multiple of %s", i, p.Qty, step)
		}
		if !p.Accepted() {
			rejected++
			continue
		}
		accepted++
		fee := p.Qty.Mul(p.Entry).Mul(map[bool]decimal.Decimal{true: in.MakerFee, false: in.TakerFee}[in.EntryMaker])
		if p.Margin.Add(fee).GreaterThan(in.Available) || p.Leverage < 1 || p.Leverage > in.Config.MaxLeverage {
			t.Fatalf("case %d: margin %s + fee %s over available %s, or leverage %d outside 1..%d", i, p.Margin, fee, in.Available, p.Leverage, in.Config.MaxLeverage)
		}
		if p.LiquidationPrice == nil {
			continue
		}
		withLiq++
		liqDist := p.Entry.Sub(*p.LiquidationPrice).Abs()
		stopDist := p.Entry.Sub(p.Stop).Abs()
		// The shown price is rounded one tick toward the entry at most.
		if stopDist.GreaterThan(liqDist.Add(rules.TickSize).Mul(d("0.5"))) {
			t.Fatalf("case %d: stop %s too close to liquidation %s from %s", i, p.Stop, *p.LiquidationPrice, p.Entry)
		}
	}
	// The generator must reach every outcome, or the property says little.
	t.Logf("accepted %d (with liquidation price %d), rejected %d", accepted, withLiq, rejected)
	if accepted < 300 || withLiq < 100 || rejected < 300 {
		t.Errorf("generator too narrow: accepted %d with liquidation %d rejected %d", accepted, withLiq, rejected)
	}
}

func BenchmarkPlan(b *testing.B) {
	in := baseLong()
	in.Stop = d("390")
	in.Equity, in.Available = d("200"), d("200")
	in.FundingRate, in.Hold = d("0.0001"), 24*time.Hour
	in.Config.MinRewardRisk, in.Config.MaxFundingShare = d("1.5"), d("0.25")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Plan(in); err != nil {
			b.Fatal(err)
		}
	}
}
