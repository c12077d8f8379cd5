package market

import (
	"math"
	"sort"
	"testing"
	"time"
)

func TestLeverageMixAndSizes(t *testing.T) {
	m := mustNew(t, testConfig(Calm, 21))
	const n = 20000
	count := map[int]int{}
	sizes := make([]float64, n)
	for i := range n {
		count[m.drawLeverage(false)]++
		sizes[i] = m.drawNotional()
	}
	// 10x has weight 42 of 100: expect 8400 ± 4 sigma (~280).
	if c := count[10]; c < 8100 || c > 8700 {
		t.Errorf("10x drawn %d of %d, want about 42%%", c, n)
	}
	for lev, c := range count {
		if lev != 10 && c >= count[10] {
			t.Errorf("%dx drawn %d times, more than 10x (%d)", lev, c, count[10])
		}
	}
	sort.Float64s(sizes)
	// Pareto(1500, 1.4): median 1500 × 2^(1/1.4) = 2461; P(x > 100k) = (1500/100k)^1.4 ≈ 0.28%.
	if med := sizes[n/2]; math.Abs(med-2461) > 120 {
		t.Errorf("median notional %.0f, want about 2461", med)
	}
	big := n - sort.SearchFloat64s(sizes, 100000)
	if big < 20 || big > 100 {
		t.Errorf("%d of %d positions above 100k USDT, want about 56 (heavy tail)", big, n)
	}
	if sizes[0] < 1500 || sizes[n-1] > 1.5e6 {
		t.Errorf("sizes span %.0f..%.0f, want within [1500, 1.5M]", sizes[0], sizes[n-1])
	}
}

// TestRoundNumbersAttractOrders: stops and targets always sit on multiples
// of 5 USDT, and far more entries do than the 1-in-500 chance of a tick.
func TestRoundNumbersAttractOrders(t *testing.T) {
	m := mustNew(t, testConfig(Chop, 8))
	m.Step(t0.Add(20 * time.Minute))
	const five = 500 // ticks
	var nOpen, roundEntry, stops, targets int
	for i := range m.tr {
		tr := &m.tr[i]
		if tr.state == pending && tr.entry%five != 0 {
			t.Errorf("pending limit entry at %d ticks, not a multiple of 5 USDT", tr.entry)
		}
		if tr.state != open {
			continue
		}
		nOpen++
		if tr.entry%five == 0 {
			roundEntry++
		}
		if tr.stop != 0 {
			stops++
			if tr.stop%five != 0 {
				t.Errorf("stop at %d ticks, not a multiple of 5 USDT", tr.stop)
			}
		}
		if tr.target != 0 {
			targets++
			if tr.target%five != 0 {
				t.Errorf("target at %d ticks, not a multiple of 5 USDT", tr.target)
			}
		}
	}
	if nOpen < 100 || stops < 20 || targets < 20 {
		t.Fatalf("%d open, %d stops, %d targets: too few to judge", nOpen, stops, targets)
	}
	share := float64(roundEntry) / float64(nOpen)
	t.Logf("%d open positions, %.0f%% entered on a multiple of 5 USDT, %d stops, %d targets", nOpen, 100*share, stops, targets)
	if share < 0.25 {
		t.Errorf("%.0f%% of entries on a multiple of 5 USDT, want at least 25%%", 100*share)
	}
}
