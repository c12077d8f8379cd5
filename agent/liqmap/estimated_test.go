package liqmap

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// Hand-computed with LP = (WB + cum - s*Q*EP) / (Q*MMR - s*Q), a 4,000 USDT
// position at 400 (Q = 10) in the first TAO bracket (MMR 1%, cum 0):
//
//	long  L: (4000/L - 4000) / (0.1 - 10)   short L: (4000/L + 4000) / (0.1 + 10)
//	 5x:  -3200/-9.9 = 323.2323...           4800/10.1 = 475.2475...
//	10x:  -3600/-9.9 = 363.6363...           4400/10.1 = 435.6435...
//	20x:  -3800/-9.9 = 383.8383...           4200/10.1 = 415.8415...
func TestProjectMatchesFormula(t *testing.T) {
	c := testConfig()
	c.Leverage = []LeverageWeight{{5, d("1")}, {10, d("2")}, {20, d("1")}}
	m := newMap(t, c)
	levels, err := m.Project(d("400"), d("1000"), d("3000"))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		dir      exchange.PositionDirection
		lev      int
		price    string // to 8 places
		notional string
	}{
		{exchange.Long, 5, "323.23232323", "250"},
		{exchange.Long, 10, "363.63636364", "500"},
		{exchange.Long, 20, "383.83838384", "250"},
		{exchange.Short, 5, "475.24752475", "750"},
		{exchange.Short, 10, "435.64356436", "1500"},
		{exchange.Short, 20, "415.84158416", "750"},
	}
	if len(levels) != len(want) {
		t.Fatalf("got %d levels, want %d: %+v", len(levels), len(want), levels)
	}
	for i, w := range want {
		g := levels[i]
		if g.Direction != w.dir || g.Leverage != w.lev {
			t.Errorf("level %d = %s %dx, want %s %dx", i, g.Direction, g.Leverage, w.dir, w.lev)
		}
		eq(t, "price", g.Price.Round(8), w.price)
		eq(t, "notional", g.Notional, w.notional)
	}
}

// The ratio shortcut in Project agrees with calling the formula at each entry.
func TestProjectEqualsDirectFormula(t *testing.T) {
	c := testConfig()
	c.Leverage = DefaultConfig().Leverage
	c.PositionNotional = d("250000") // the third bracket (2%, cum 550): cum matters
	m := newMap(t, c)
	for _, e := range []string{"0.37", "12.5", "333.33", "400", "412.87", "9999.99"} {
		levels, err := m.Project(d(e), d("1000"), d("1000"))
		if err != nil {
			t.Fatal(err)
		}
		for _, lv := range levels {
			want, err := risk.LiquidationPrice(risk.LiqInput{
				Direction: lv.Direction, Qty: c.PositionNotional.DivRound(d(e), 16), Entry: d(e),
				Wallet: c.PositionNotional.DivRound(decimal.NewFromInt(int64(lv.Leverage)), 16), Brackets: c.Brackets,
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := lv.Price.Sub(want).Abs(); diff.GreaterThan(want.Mul(d("1e-12"))) {
				t.Errorf("entry %s %s %dx: projected %s, formula %s", e, lv.Direction, lv.Leverage, lv.Price, want)
			}
		}
	}
}

// setupOI gives a mark at 400, a balanced VWAP of 400 and a first OI point.
func setupOI(t *testing.T, c Config) *Map {
	t.Helper()
	m := newMap(t, c)
	apply(t, m,
		mark(t0, "400"),
		trade(t0.Add(time.Second), "399", "5", false),  // taker bought
		trade(t0.Add(2*time.Second), "401", "5", true), // taker sold
		oi(t0.Add(3*time.Second), "1000"),
		oi(t0.Add(4*time.Second), "1010"), // +10 contracts at VWAP 400 = 4000 USDT, half long
	)
	return m
}

func TestOIIncreasePlacesLevels(t *testing.T) {
	m := setupOI(t, testConfig())
	now := t0.Add(4 * time.Second)
	l, s := estAt(m, "363.63", now)
	eq(t, "long at 363.63", l, "2000")
	eq(t, "short there", s, "0")
	l, s = estAt(m, "435.64", now)
	eq(t, "short at 435.64", s, "2000")
	eq(t, "long there", l, "0")
	// Nothing anywhere else: the totals are exactly the two levels.
	eq(t, "total long", m.estLong, "2000")
	eq(t, "total short", m.estShort, "2000")
	if st := m.Stats(); st.OIIncreases != 1 || !st.EstimatedAdded.Equal(d("4000")) || st.NoTradeFallbacks != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestOIIncreaseTakerSplit(t *testing.T) {
	m := newMap(t, testConfig())
	apply(t, m,
		mark(t0, "400"),
		trade(t0.Add(time.Second), "400", "3", false), // 3 bought
		trade(t0.Add(time.Second), "400", "1", true),  // 1 sold
		oi(t0.Add(2*time.Second), "100"),
		oi(t0.Add(3*time.Second), "110"),
	)
	now := t0.Add(3 * time.Second)
	l, _ := estAt(m, "363.63", now)
	_, s := estAt(m, "435.64", now)
	eq(t, "long (75%)", l, "3000")
	eq(t, "short (25%)", s, "1000")
}

func TestOIIncreaseWithoutTradesFallsBack(t *testing.T) {
	m := newMap(t, testConfig())
	o := oi(t0.Add(2*time.Second), "110")
	o.Value = d("44000") // 110 contracts at 400
	apply(t, m, mark(t0, "390"), oi(t0.Add(time.Second), "100"), o)
	now := t0.Add(2 * time.Second)
	l, _ := estAt(m, "363.63", now) // entry from Value/OI = 400, even split
	eq(t, "long", l, "2000")
	if m.Stats().NoTradeFallbacks != 1 {
		t.Errorf("NoTradeFallbacks = %d, want 1", m.Stats().NoTradeFallbacks)
	}
}

func TestMarkCrossingConsumes(t *testing.T) {
	tests := []struct {
		name         string
		marks        []string
		wantLong     string
		wantShort    string
		wantConsumed string
	}{
		{"no cross", []string{"380", "420"}, "2000", "2000", "0"},
		{"down through the long level", []string{"370", "363.60"}, "0", "2000", "2000"},
		{"into the long level's bucket", []string{"363.63"}, "0", "2000", "2000"},
		{"up through the short level", []string{"436"}, "2000", "0", "2000"},
		{"gap through both", []string{"350", "500"}, "0", "0", "4000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := setupOI(t, testConfig())
			at := t0.Add(10 * time.Second)
			for _, p := range tc.marks {
				before := m.estLong.Add(m.estShort)
				apply(t, m, mark(at, p))
				if after := m.estLong.Add(m.estShort); after.GreaterThan(before) {
					t.Errorf("mark %s increased estimated notional %s -> %s", p, before, after)
				}
			}
			eq(t, "long left", m.estLong, tc.wantLong)
			eq(t, "short left", m.estShort, tc.wantShort)
			eq(t, "consumed", m.Stats().EstimatedConsumed, tc.wantConsumed)
			// Consumption feeds velocity as estimated, never as realized.
			v := m.Velocity(at)
			eq(t, "estimated velocity", v.EstimatedShortPerMin, tc.wantConsumed)
			eq(t, "realized velocity", v.RealizedShortPerMin, "0")
		})
	}
}

func TestLeverageCappedAtBracket(t *testing.T) {
	// 100x is above the first TAO bracket's 75x: the slice is projected at 75x.
	// Long, Q = 10 at 400, WB = 4000/75: (53.333... - 4000) / (0.1 - 10) = 398.65319865...
	c := testConfig()
	c.Leverage = []LeverageWeight{{100, d("1")}}
	m := newMap(t, c)
	levels, err := m.Project(d("400"), d("100"), d("0"))
	if err != nil || len(levels) != 1 {
		t.Fatalf("levels %+v err %v", levels, err)
	}
	if levels[0].Leverage != 75 {
		t.Errorf("leverage = %d, want 75", levels[0].Leverage)
	}
	eq(t, "price", levels[0].Price.Round(8), "398.65319865")
}

func TestLevelAlreadyPastMark(t *testing.T) {
	// 100x with a 1% maintenance margin liquidates at entry: the mark is already there.
	c := testConfig()
	c.Leverage = []LeverageWeight{{100, d("1")}}
	c.Brackets = []exchange.Bracket{{Bracket: 1, InitialLeverage: 125, NotionalFloor: d("0"), NotionalCap: d("1000000"), MaintMarginRatio: d("0.01")}}
	m := newMap(t, c)
	apply(t, m, mark(t0, "400"), trade(t0, "400", "1", false), trade(t0, "400", "1", true),
		oi(t0, "100"), oi(t0.Add(time.Second), "110"))
	eq(t, "past mark", m.Stats().AlreadyPastMark, "4000")
	eq(t, "estimated", m.estLong.Add(m.estShort), "0")
}

func TestOIDecrease(t *testing.T) {
	tests := []struct {
		name      string
		policy    RemovalPolicy
		wantLong  string
		wantShort string
	}{
		// OI 1010 -> 909 is -10%: 400 USDT of 4000 goes.
		{"proportional", RemoveProportional, "1800", "1800"},
		// The short level (435.64, 3564 buckets from 400) is nearer than the long (363.63, 3637).
		{"nearest first", RemoveNearest, "2000", "1600"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig()
			c.OIRemoval = tc.policy
			m := setupOI(t, c)
			now := t0.Add(5 * time.Second)
			apply(t, m, oi(now, "909"))
			l, _ := estAt(m, "363.63", now)
			_, s := estAt(m, "435.64", now)
			eq(t, "long", l, tc.wantLong)
			eq(t, "short", s, tc.wantShort)
			eq(t, "removed", m.Stats().EstimatedRemoved, "400")
		})
	}
}

func TestEstimatedDecays(t *testing.T) {
	m := setupOI(t, testConfig()) // estimated half-life 24h; levels added at t0+4s
	l, _ := estAt(m, "363.63", t0.Add(4*time.Second+24*time.Hour))
	eq(t, "long after one half-life", l, "1000")
}

func TestBucketsView(t *testing.T) {
	m := setupOI(t, testConfig())
	apply(t, m, liq(t0.Add(5*time.Second), exchange.Sell, "390", "2"))
	bs := m.Buckets(t0.Add(5*time.Second), d("0"), d("0"))
	want := []struct{ low, rl, el, es string }{
		{"363.63", "0", "2000", "0"},
		{"390", "780", "0", "0"},
		{"435.64", "0", "0", "2000"},
	}
	if len(bs) != len(want) {
		t.Fatalf("buckets = %+v", bs)
	}
	for i, w := range want {
		eq(t, "low", bs[i].Low, w.low)
		eq(t, "realized long", bs[i].RealizedLong, w.rl)
		eq(t, "estimated long", bs[i].EstimatedLong, w.el)
		eq(t, "estimated short", bs[i].EstimatedShort, w.es)
	}
	if got := m.Buckets(t0, d("380"), d("400")); len(got) != 1 || !got[0].Low.Equal(d("390")) {
		t.Errorf("range filter: %+v", got)
	}
}

func TestProportionalRemovalRebases(t *testing.T) {
	// Halving OI 25 times takes the removal scale below 1e-6, forcing a rebase; values stay exact.
	m := setupOI(t, testConfig())
	at := t0.Add(5 * time.Second)
	o := d("1010")
	for range 25 {
		o = o.Div(d("2"))
		apply(t, m, oi(at, o.String()))
	}
	if !m.est.scale.Equal(d("1")) && m.est.scale.LessThan(d("0.000001")) {
		t.Fatalf("scale %s never rebased", m.est.scale)
	}
	l, _ := estAt(m, "363.63", at)
	eq(t, "long", l, "0.00005960") // 2000 / 2^25, rounded to 8 places
	if m.Stats().OIDecreases != 25 {
		t.Errorf("decreases = %d", m.Stats().OIDecreases)
	}
}

func TestVWAPWindowForgetsOldTrades(t *testing.T) {
	// A trade at 300 six minutes before the OI rise is outside the 5-minute window:
	// the entry is the VWAP of the recent trades only (400), all taker buys.
	m := newMap(t, testConfig())
	apply(t, m,
		mark(t0, "400"),
		trade(t0, "300", "100", true),
		oi(t0, "1000"),
		trade(t0.Add(6*time.Minute), "399", "1", false),
		trade(t0.Add(6*time.Minute), "401", "1", false),
		oi(t0.Add(6*time.Minute+time.Second), "1010"),
	)
	now := t0.Add(6*time.Minute + time.Second)
	l, _ := estAt(m, "363.63", now)
	eq(t, "long at the 400 entry's 10x level", l, "4000")
	eq(t, "shorts (no taker sells in the window)", m.estShort, "0")
}
