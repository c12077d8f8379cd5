package market

import (
	"testing"
	"time"
)

func TestFundingRateFormula(t *testing.T) {
	var f funding
	cfg := DefaultConfig()
	if err := f.init(cfg); err != nil {
		t.Fatal(err)
	}
	if !f.cap.Equal(d("0.0025")) || !f.interest.Equal(d("0.0001")) {
		t.Fatalf("cap %s interest %s, want 0.0025 (0.75 × (1/75 − 1%%)) and 0.0001", f.cap, f.interest)
	}
	tests := []struct{ p, want string }{
		{"0", "0.0001"},                // I - P = 0.0001 inside the damper
		{"0.0003", "0.0001"},           // I - P = -0.0002 inside the damper: F = I
		{"-0.0003", "0.0001"},          // I - P = 0.0004 inside: F = I
		{"0.001", "0.0005"},            // damper -0.0005
		{"-0.001", "-0.0005"},          // damper +0.0005
		{"0.01", "0.0025"},             // capped
		{"-0.01", "-0.0025"},           // floored
		{"0.0012345678", "0.00073457"}, // rounded to 8 places
	}
	for _, tc := range tests {
		if got := f.rate(d(tc.p)); !got.Equal(d(tc.want)) {
			t.Errorf("rate(P=%s) = %s, want %s", tc.p, got, tc.want)
		}
	}
	cfg.FundingInterval = 4 * time.Hour
	cfg.FundingCap = d("0.003")
	var g funding
	if err := g.init(cfg); err != nil {
		t.Fatal(err)
	}
	if !g.interest.Equal(d("0.00005")) || !g.cap.Equal(d("0.003")) {
		t.Errorf("4h: interest %s cap %s, want 0.00005 and 0.003", g.interest, g.cap)
	}
}

func TestFundingPremiumIsTimeWeighted(t *testing.T) {
	var f funding
	if err := f.init(DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	// Index 400.00; bid 16 ticks above (premium 0.0004), then 40 above (0.001):
	// P = (1×0.0004 + 2×0.001)/3 = 0.0008, F = 0.0008 − 0.0005 = 0.0003.
	f.sample(40016, 40018, 40000)
	f.sample(40040, 40042, 40000)
	if !f.est.Equal(d("0.0003")) {
		t.Fatalf("estimate %s, want 0.0003", f.est)
	}
	// Ask 100 ticks below the index: premium -0.0025 -> F = -0.0025 + 0.0005.
	var g funding
	_ = g.init(DefaultConfig())
	g.sample(39898, 39900, 40000)
	if !g.est.Equal(d("-0.002")) {
		t.Fatalf("estimate %s, want -0.002", g.est)
	}
	next := f.next
	s := f.settle(d("400"))
	if !s.Rate.Equal(d("0.0003")) || !s.Time.Equal(next) || !f.next.Equal(next.Add(8*time.Hour)) || f.w != 0 {
		t.Fatalf("settle = %+v, next %s, w %d", s, f.next, f.w)
	}
}

func TestFundingSettlesOnTheGrid(t *testing.T) {
	cfg := testConfig(Calm, 2)
	cfg.Start = t0.Add(30 * time.Second) // off the grid: first settlement at 00:01
	cfg.FundingInterval = time.Minute
	m := mustNew(t, cfg)
	if got := m.Quote().NextFundingTime; !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("next funding %s, want %s", got, t0.Add(time.Minute))
	}
	out := run(t, m, t0.Add(4*time.Minute+30*time.Second), 7*time.Second)
	if len(out.Fundings) != 4 {
		t.Fatalf("%d fundings in 4 minutes at a 1-minute interval, want 4", len(out.Fundings))
	}
	for i, f := range out.Fundings {
		if want := t0.Add(time.Duration(i+1) * time.Minute); !f.Time.Equal(want) {
			t.Errorf("funding %d at %s, want %s", i, f.Time, want)
		}
		if f.Rate.Abs().GreaterThan(d("0.0025")) || !f.Mark.IsPositive() {
			t.Errorf("funding %d = %+v", i, f)
		}
	}
	if q := m.Quote(); !q.InterestRate.Equal(d("0.00000021")) { // 0.0001 × 60 s / 8 h, 8 places
		t.Errorf("interest for 1m %s, want 0.00000021", q.InterestRate)
	}
}

func TestCrowdingMovesFunding(t *testing.T) {
	for _, tc := range []struct {
		sc       Scenario
		positive bool
	}{{LongCascade, true}, {ShortSqueeze, false}} {
		cfg := testConfig(tc.sc, 1)
		cfg.EventAt = time.Hour
		m := mustNew(t, cfg)
		m.Step(t0.Add(3 * time.Minute))
		r := m.Quote().FundingRate
		if tc.positive && !r.GreaterThan(d("0.0001")) || !tc.positive && !r.LessThan(d("0.0001")) {
			t.Errorf("%s: estimated funding %s after crowding, want %s 0.0001", tc.sc, r, map[bool]string{true: ">", false: "<"}[tc.positive])
		}
	}
}
