package liqmap

import (
	"fmt"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

func TestVelocity(t *testing.T) {
	// A print of 1,000 every minute for 14 minutes, then (burst) ten of 10,000 in ten seconds.
	build := func(burst bool) *Map {
		m := newMap(t, testConfig())
		for k := range 14 {
			apply(t, m, liq(t0.Add(time.Duration(k)*time.Minute), exchange.Sell, "400", "2.5"))
		}
		if burst {
			for s := range 10 {
				apply(t, m, liq(t0.Add(14*time.Minute+time.Duration(s)*time.Second), exchange.Buy, "400", "25"))
			}
		}
		return m
	}
	tests := []struct {
		name                        string
		burst                       bool
		now                         time.Duration
		short, long, ratio          string
		spike                       bool
		eventsShort, eventsLong     int64
		longsShortMin, shortsShortM string
	}{
		// Calm: the short window (t0+12m30s, t0+13m30s] holds the t0+13m print.
		// Long: 14,000 / 15 = 933.33333333; ratio 1000 / 933.33333333 = 1.0714.
		{"calm", false, 13*time.Minute + 30*time.Second, "1000", "933.33333333", "1.0714", false, 1, 14, "1000", "0"},
		// Burst: short window (t0+13m10s, t0+14m10s] holds only the burst (its bins start after
		// t0+13m05s): 100,000/min. Long: 114,000 / 15 = 7,600. Ratio 13.1579: a spike.
		{"burst", true, 14*time.Minute + 10*time.Second, "100000", "7600", "13.1579", true, 10, 24, "0", "100000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := build(tc.burst).Velocity(t0.Add(tc.now))
			eq(t, "short", v.TotalShortPerMin, tc.short)
			eq(t, "long", v.TotalLongPerMin, tc.long)
			eq(t, "realized short", v.RealizedShortPerMin, tc.short)
			eq(t, "ratio", v.Ratio, tc.ratio)
			eq(t, "longs liquidated", v.LongsLiquidatedShortPerMin, tc.longsShortMin)
			eq(t, "shorts liquidated", v.ShortsLiquidatedShortPerMin, tc.shortsShortM)
			if v.Spike != tc.spike || v.RealizedEventsShort != tc.eventsShort || v.RealizedEventsLong != tc.eventsLong {
				t.Errorf("spike %v events %d/%d, want %v %d/%d", v.Spike, v.RealizedEventsShort, v.RealizedEventsLong,
					tc.spike, tc.eventsShort, tc.eventsLong)
			}
		})
	}
}

func TestVelocityLateEvent(t *testing.T) {
	m := newMap(t, testConfig())
	apply(t, m, liq(t0.Add(30*time.Second), exchange.Sell, "400", "1"), liq(t0.Add(10*time.Second), exchange.Sell, "400", "2"))
	if n := len(m.vel.bins); n != 2 || m.vel.bins[0].Start > m.vel.bins[1].Start {
		t.Fatalf("bins out of order: %+v", m.vel.bins)
	}
	eq(t, "short", m.Velocity(t0.Add(40*time.Second)).RealizedShortPerMin, "1200")
}

func TestRegime(t *testing.T) {
	tests := []struct {
		name       string
		oi1, px1   string
		want       RegimeKind
		oiPct, pct string
	}{
		{"OI up, price up: new longs", "1010", "404", RegimeNewLongs, "1", "1"},
		{"OI up, price down: new shorts", "1010", "396", RegimeNewShorts, "1", "-1"},
		{"OI down, price up: short squeeze", "990", "404", RegimeShortSqueeze, "-1", "1"},
		{"OI down, price down: long capitulation", "990", "396", RegimeLongCapitulation, "-1", "-1"},
		{"small OI move: neutral", "1001", "404", RegimeNeutral, "0.1", "1"},
		{"flat price: neutral", "1010", "400", RegimeNeutral, "1", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMap(t, testConfig())
			apply(t, m, mark(t0, "400"), oi(t0, "1000"),
				mark(t0.Add(10*time.Minute), tc.px1), oi(t0.Add(10*time.Minute), tc.oi1))
			r := m.Regime(t0.Add(11 * time.Minute))
			if r.Kind != tc.want {
				t.Errorf("kind = %s, want %s", r.Kind, tc.want)
			}
			eq(t, "oi change", r.OIChangePct, tc.oiPct)
			eq(t, "price change", r.PriceChangePct, tc.pct)
		})
	}
	t.Run("one sample: unknown", func(t *testing.T) {
		m := newMap(t, testConfig())
		apply(t, m, mark(t0, "400"), oi(t0, "1000"))
		if k := m.Regime(t0.Add(time.Minute)).Kind; k != RegimeUnknown {
			t.Errorf("kind = %s, want unknown", k)
		}
	})
	t.Run("window baseline", func(t *testing.T) {
		// Samples at 0, 10 and 20 minutes. At 21m the window starts at 6m; the last sample at or
		// before it is the 0m one, so 0m is compared with 20m.
		m := newMap(t, testConfig())
		apply(t, m, mark(t0, "400"), oi(t0, "1000"),
			mark(t0.Add(10*time.Minute), "380"), oi(t0.Add(10*time.Minute), "900"),
			mark(t0.Add(20*time.Minute), "420"), oi(t0.Add(20*time.Minute), "1100"))
		r := m.Regime(t0.Add(21 * time.Minute))
		eq(t, "oi change 0m->20m", r.OIChangePct, "10")
		r = m.Regime(t0.Add(26 * time.Minute)) // baseline is now the 10m sample
		eq(t, "oi change 10m->20m", r.OIChangePct, "22.2222")
		if r.Kind != RegimeNewLongs {
			t.Errorf("kind = %s", r.Kind)
		}
	})
}

func TestRoundNumbers(t *testing.T) {
	tests := []struct {
		price    string
		wantUnit string
	}{{"400", "10"}, {"99.5", "1"}, {"1234", "100"}, {"400.000", "10"}, {"5.3", "0.1"}, {"0.53", "0.01"}}
	for _, tc := range tests {
		eq(t, fmt.Sprintf("unit(%s)", tc.price), roundUnit(d(tc.price)), tc.wantUnit)
	}

	m := newMap(t, testConfig())
	apply(t, m, mark(t0, "400"), liq(t0, exchange.Sell, "400", "10"), liq(t0, exchange.Buy, "337", "10"))
	st := m.RoundNumbers(t0)
	eq(t, "unit", st.Unit, "10")
	eq(t, "total", st.RealizedTotal, "7370")
	// 400.005 is near 400 for every step; 337.005 is near 340 (a multiple of 10) only.
	want := []struct{ step, near, share, coverage string }{
		{"10", "7370", "1", "1"}, // 2% of 400 = 8 each side covers every 10
		{"25", "4000", "0.5427", "0.64"},
		{"50", "4000", "0.5427", "0.32"},
		{"100", "4000", "0.5427", "0.16"},
	}
	if len(st.Levels) != len(want) {
		t.Fatalf("levels = %+v", st.Levels)
	}
	for i, w := range want {
		l := st.Levels[i]
		eq(t, "step", l.Step, w.step)
		eq(t, "near "+w.step, l.NearNotional, w.near)
		eq(t, "share "+w.step, l.Share, w.share)
		eq(t, "coverage "+w.step, l.Coverage, w.coverage)
	}
	if tag := m.roundTag(d("400.005")); !tag.Level.Equal(d("400")) || !tag.Step.Equal(d("100")) {
		t.Errorf("tag(400.005) = %+v, want 400 step 100", tag)
	}
	if tag := m.roundTag(d("337.005")); !tag.Level.Equal(d("340")) || !tag.Step.Equal(d("10")) {
		t.Errorf("tag(337.005) = %+v, want 340 step 10", tag)
	}
}

// clusterMap: one-dollar buckets, one TAO of short liquidations on each of
// 390..410 (390..410 USDT), and 12.5 TAO of long liquidations at 420 and 421.
func clusterMap(t *testing.T) *Map {
	c := testConfig()
	c.BucketTicks = 100
	c.LocalWindowBuckets = 5
	m := newMap(t, c)
	apply(t, m, mark(t0, "405"))
	for p := 390; p <= 410; p++ {
		apply(t, m, liq(t0, exchange.Buy, fmt.Sprint(p), "1"))
	}
	apply(t, m, liq(t0.Add(time.Hour), exchange.Sell, "420", "12.5"), liq(t0.Add(time.Hour+10*time.Minute), exchange.Sell, "421", "12.5"))
	// 420*12.5 = 5250 and 421*12.5 = 5262.5. Total 8400 + 10512.5, so the 1% floor is 189.125;
	// around 420 the local window is mostly empty (median 0), around 400 the median is ~400.
	return m
}

func TestClusters(t *testing.T) {
	m := clusterMap(t)
	now := t0.Add(time.Hour + 10*time.Minute)
	cs := m.Clusters(now)
	if len(cs) != 1 {
		t.Fatalf("got %d clusters, want 1: %+v", len(cs), cs)
	}
	c := cs[0]
	eq(t, "low", c.Low, "420")
	eq(t, "high", c.High, "422")
	eq(t, "peak", c.PeakPrice, "421.5")
	if c.Buckets != 2 || c.RealizedEvents != 2 || c.Dominant() != exchange.Long {
		t.Errorf("buckets %d events %d dominant %s", c.Buckets, c.RealizedEvents, c.Dominant())
	}
	if c.FirstSeen != t0.Add(time.Hour) || c.BuildSpan != 10*time.Minute || c.Age != 10*time.Minute || !c.BuildFast {
		t.Errorf("first %v span %v age %v fast %v", c.FirstSeen, c.BuildSpan, c.Age, c.BuildFast)
	}
	// Decay: 5250 is ten minutes old; read exactly through the layer.
	l420, _ := realAt(m, "420", now)
	eq(t, "long", c.Long, l420.Add(d("5262.5")).String())
	eq(t, "short", c.Short, "0")
	eq(t, "realized share", c.RealizedShare, "1")
	eq(t, "build rate", c.BuildRatePerMin, "1051.25") // (5250 + 5262.5) / 10 minutes
	eq(t, "distance", c.DistancePct, "4.0741")        // (421.5 - 405) / 405
	// The strongest level within 2% (8.43) of 421.5: 425 (step 25) beats 420 (step 10).
	if !c.Round.Level.Equal(d("425")) || !c.Round.Step.Equal(d("25")) {
		t.Errorf("round = %+v, want 425 step 25", c.Round)
	}
}

func TestClustersLocalMedian(t *testing.T) {
	// A uniform carpet is never dense; a bump three times the local median is.
	c := testConfig()
	c.BucketTicks = 100
	c.LocalWindowBuckets = 5
	c.MinClusterSharePct = d("0")
	m := newMap(t, c)
	apply(t, m, mark(t0, "400"))
	for p := 380; p <= 420; p++ {
		qty := "1"
		switch p {
		case 395:
			qty = "2.9" // 1145.5; local median 396, threshold 1188: not dense
		case 410:
			qty = "3.1" // 1271; local median 411, threshold 1233: dense
		}
		apply(t, m, liq(t0, exchange.Sell, fmt.Sprint(p), qty))
	}
	cs := m.Clusters(t0)
	if len(cs) != 1 || !cs[0].Low.Equal(d("410")) {
		t.Fatalf("clusters = %+v, want one at 410", cs)
	}
	eq(t, "strength", cs[0].Strength, "1.0308") // 1271 / 1233
}

func TestNearest(t *testing.T) {
	m := clusterMap(t)
	now := t0.Add(2 * time.Hour)
	n := m.Nearest(now, d("405"))
	if n.Above == nil || n.Below != nil {
		t.Fatalf("nearest = %+v", n)
	}
	eq(t, "above distance", n.Above.DistancePct, "4.0741")
	n = m.Nearest(now, d("430"))
	if n.Above != nil || n.Below == nil {
		t.Fatalf("nearest from 430 = %+v", n)
	}
	eq(t, "below distance", n.Below.DistancePct, "-1.9767") // (421.5-430)/430
	c := testConfig()
	c.NearestRangePct = d("1")
	m.cfg.NearestRangePct = c.NearestRangePct
	if n := m.Nearest(now, d("405")); n.Above != nil {
		t.Errorf("cluster 4%% away returned with a 1%% range: %+v", n.Above)
	}
}

// Nearest ranks by the zone's total notional: a wide zone of 11,730 beats a
// single bucket of 5,700 even though that bucket's peak is higher.
func TestNearestPrefersTotalOverPeak(t *testing.T) {
	c := testConfig()
	c.BucketTicks = 100 // 1 USDT buckets
	c.MinClusterSharePct = d("0")
	c.MinClusterNotional = d("1")
	c.ClusterGapBuckets = 1
	m := newMap(t, c)
	apply(t, m, mark(t0, "400"),
		liq(t0, exchange.Sell, "390", "10"), // 3900
		liq(t0, exchange.Sell, "391", "10"), // 3910
		liq(t0, exchange.Sell, "392", "10"), // 3920: the wide zone totals 11730, peak 3920
		liq(t0, exchange.Sell, "380", "15"), // 5700 alone: a higher peak, a smaller total
	)
	if cs := m.Clusters(t0); len(cs) != 2 {
		t.Fatalf("clusters = %+v, want two", cs)
	}
	n := m.Nearest(t0, d("400"))
	if n.Below == nil {
		t.Fatal("no cluster below")
	}
	eq(t, "total", n.Below.Total, "11730")
	eq(t, "peak", n.Below.PeakNotional, "3920")
	eq(t, "distance", n.Below.DistancePct, "-1.875") // (392.5 - 400) / 400
}
