package binancesim_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange/binancesim"
)

// collect advances s by d in one go and returns every frame a combined
// connection to streams received, ending at a markPrice@1s frame stamped at
// the final time (the sentinel that says everything before it arrived).
func collect(t *testing.T, s *binancesim.Sim, streams string, d time.Duration) [][]byte {
	t.Helper()
	ws := dial(t, s, "/stream?streams="+streams+"/taousdt@markPrice@1s")
	s.Advance(d)
	end := s.Now().UnixMilli()
	var frames [][]byte
	for {
		f := ws.next()
		name, data := combined(t, f)
		if name == "taousdt@markPrice@1s" {
			var e futures.WsMarkPriceEvent
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatal(err)
			}
			if e.Time == end {
				return frames
			}
			continue
		}
		frames = append(frames, f)
	}
}

func TestCascadeScenarioForcesSeveralLiquidationsWithinAMinute(t *testing.T) {
	s := binancesim.Start(t, binancesim.Options{Scenario: "long-cascade", Seed: 42})
	frames := collect(t, s, "taousdt@forceOrder", 15*time.Minute)
	var times []int64
	perSecond := map[int64]int{}
	for _, f := range frames {
		_, data := combined(t, f)
		var e futures.WsLiquidationOrderEvent
		if err := json.Unmarshal(data, &e); err != nil || e.Event != "forceOrder" || e.LiquidationOrder.Symbol != "TAOUSDT" {
			t.Fatalf("forceOrder: %s %v", data, err)
		}
		if !dec(e.LiquidationOrder.OrigQuantity).IsPositive() || !dec(e.LiquidationOrder.AvgPrice).IsPositive() {
			t.Fatalf("forceOrder without size or price: %+v", e.LiquidationOrder)
		}
		times = append(times, e.LiquidationOrder.TradeTime)
		perSecond[e.LiquidationOrder.TradeTime/1000]++
	}
	for sec, n := range perSecond {
		if n > 1 {
			t.Fatalf("%d forceOrder pushes for second %d: the snapshot rule allows one", n, sec)
		}
	}
	best := 0
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j]-times[i] < 60_000; j++ {
			n++
		}
		best = max(best, n)
	}
	if best < 2 {
		t.Fatalf("at most %d forced liquidation(s) within a minute over %d pushes; a cascade needs more than one", best, len(times))
	}
	t.Logf("%d forceOrder pushes, up to %d within one minute", len(times), best)
}

func TestSameSeedSameEvents(t *testing.T) {
	streams := "taousdt@aggTrade/taousdt@forceOrder/taousdt@bookTicker/taousdt@markPrice"
	run := func(seed int64) [][]byte {
		s := binancesim.Start(t, binancesim.Options{Scenario: "long-cascade", Seed: seed})
		return collect(t, s, streams, 3*time.Minute)
	}
	a, b, c := run(9), run(9), run(10)
	if len(a) < 100 {
		t.Fatalf("only %d frames", len(a))
	}
	if len(a) != len(b) {
		t.Fatalf("same seed: %d vs %d frames", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("same seed: frame %d differs:\n%s\n%s", i, a[i], b[i])
		}
	}
	same := len(a) == len(c)
	for i := 0; same && i < len(a); i++ {
		same = bytes.Equal(a[i], c[i])
	}
	if same {
		t.Fatal("a different seed gave the very same events")
	}
}
