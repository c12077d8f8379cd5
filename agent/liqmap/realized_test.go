package liqmap

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

func TestDecayFactor(t *testing.T) {
	l := newLayer(6 * time.Hour)
	l.epoch, l.set = t0.UnixNano(), true
	tests := []struct {
		name string
		at   time.Duration
		want string // to 18 places
	}{
		{"at epoch", 0, "1"},
		{"one half-life", 6 * time.Hour, "0.5"},
		{"two half-lives", 12 * time.Hour, "0.25"},
		{"three half-lives", 18 * time.Hour, "0.125"},
		// 0.5^(1/2) = 0.70710678118654752440...
		{"half a half-life", 3 * time.Hour, "0.707106781186547524"},
		// 0.5^(1/4) = 0.84089641525371454303...
		{"quarter", 90 * time.Minute, "0.840896415253714543"},
		{"before epoch clamps", -time.Hour, "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := l.readFactor(t0.Add(tc.at).UnixNano()).Round(18)
			eq(t, "factor", got, tc.want)
		})
	}
	// Growth and decay are inverse to the table's precision.
	g := pow(&l.growLo, &l.growHi, 3*stepsPerHalf/7, d("2"))
	dc := pow(&l.decLo, &l.decHi, 3*stepsPerHalf/7, d("0.5"))
	eq(t, "grow*decay", g.Mul(dc).Round(20), "1")
}

func TestRealizedLayer(t *testing.T) {
	tests := []struct {
		name            string
		side            exchange.Side
		price, qty      string
		at              time.Duration // query time after the print
		wantLong, wantS string
	}{
		{"sell closes a long", exchange.Sell, "400", "10", 0, "4000", "0"},
		{"buy closes a short", exchange.Buy, "420.5", "2", 0, "0", "841"},
		{"halves at the half-life", exchange.Sell, "400", "10", 6 * time.Hour, "2000", "0"},
		{"quarter at two half-lives", exchange.Buy, "400", "10", 12 * time.Hour, "0", "1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMap(t, testConfig())
			apply(t, m, liq(t0, tc.side, tc.price, tc.qty))
			l, s := realAt(m, tc.price, t0.Add(tc.at))
			eq(t, "long", l, tc.wantLong)
			eq(t, "short", s, tc.wantS)
			st := m.Stats()
			if st.RealizedEvents != 1 {
				t.Errorf("RealizedEvents = %d, want 1", st.RealizedEvents)
			}
		})
	}
}

func TestRealizedDecayAcrossRebase(t *testing.T) {
	// 40 half-lives of prints force rebases; the last print still reads exactly.
	c := testConfig()
	c.RealizedHalfLife = time.Hour
	m := newMap(t, c)
	for k := range 40 {
		apply(t, m, liq(t0.Add(time.Duration(k)*time.Hour), exchange.Sell, "400", "10"))
	}
	last := t0.Add(39 * time.Hour)
	l, _ := realAt(m, "400", last)
	// 4000 * (1 + 1/2 + 1/4 + ... 40 terms) = 8000 - 4000/2^39, rounded by storage.
	if l.Sub(d("8000")).Abs().GreaterThan(d("0.000001")) {
		t.Errorf("long after 40 hourly prints = %s, want ~8000", l)
	}
	if m.real.steps(last.UnixNano()) >= rebaseHalfLives*stepsPerHalf {
		t.Errorf("no rebase happened: %d steps since epoch", m.real.steps(last.UnixNano()))
	}
}

func TestSymbolFilterAndInvalid(t *testing.T) {
	m := newMap(t, testConfig())
	other := liq(t0, exchange.Sell, "400", "1")
	other.Symbol = "BTCUSDT"
	if err := m.Apply(other); err != nil {
		t.Fatal(err)
	}
	if err := m.Apply(liq(t0, exchange.Sell, "0", "1")); err == nil {
		t.Error("zero-price liquidation accepted")
	}
	if err := m.Apply(exchange.BookTicker{EventMeta: meta(t0)}); err != nil {
		t.Fatal(err)
	}
	if got := m.Stats(); got.Ignored != 3 || got.RealizedEvents != 0 {
		t.Errorf("stats = %+v, want 3 ignored and no prints", got)
	}
}

func TestBucketWidthFromBps(t *testing.T) {
	c := DefaultConfig() // 10 bps of the first price, rounded down to the 0.01 tick
	m := newMap(t, c)
	apply(t, m, trade(t0, "412.37", "1", false))
	eq(t, "width", m.BucketWidth(), "0.41")     // 412.37 * 0.001 = 0.41237
	if got := m.idx(d("412.37")); got != 1005 { // floor(412.37 / 0.41) = 1005.77...
		t.Errorf("idx = %d, want 1005", got)
	}
}

func TestBandDropAndFold(t *testing.T) {
	for _, pol := range []BandPolicy{BandDrop, BandFold} {
		t.Run(string(pol), func(t *testing.T) {
			c := testConfig()
			c.BandPct = d("10")
			c.OutOfBand = pol
			m := newMap(t, c)
			apply(t, m, mark(t0, "400"), liq(t0, exchange.Sell, "390", "10")) // 3900 inside the band
			// The mark moves up 20%: 390 is now outside [432, 528].
			apply(t, m, mark(t0.Add(time.Second), "480"))
			l, _ := realAt(m, "390", t0)
			eq(t, "at 390", l, "0")
			edge, _ := realAt(m, "432", t0)
			st := m.Stats()
			if pol == BandDrop {
				eq(t, "dropped", st.DroppedNotional, "3900")
				eq(t, "edge", edge, "0")
			} else {
				eq(t, "folded", st.FoldedNotional, "3900")
				eq(t, "edge", edge, "3900")
			}
			if lo, hi := m.grid.span(); pol == BandDrop && hi > lo && m.grid.at(lo).empty() == false && lo < m.bandLo {
				t.Errorf("grid [%d,%d) extends below band %d", lo, hi, m.bandLo)
			}
		})
	}
}
