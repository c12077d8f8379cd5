package market

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// profile summarises a run for the scenario signatures.
type profile struct {
	sell, buy     int
	maxIn60s      int // most forced orders inside any 60 s of sim time
	lo, hi, end   decimal.Decimal
	preEvent      decimal.Decimal // last price just before the event
	loAfterEvent  decimal.Decimal // lowest last within 10 s after the event start
	hiAfterEvent  decimal.Decimal // highest last within 10 s after the event start
	start         decimal.Decimal
	liqTimesFirst time.Time
}

func profileRun(t *testing.T, cfg Config, dur time.Duration) profile {
	t.Helper()
	m := mustNew(t, cfg)
	p := profile{start: m.Quote().Last, lo: m.Quote().Last, hi: m.Quote().Last}
	var liqTimes []time.Time
	event := cfg.Start.Add(cfg.EventAt)
	for now := cfg.Start; now.Before(cfg.Start.Add(dur)); {
		now = now.Add(time.Second)
		out := m.Step(now)
		for _, l := range out.Liquidations {
			if l.Side == exchange.Sell {
				p.sell++
			} else {
				p.buy++
			}
			liqTimes = append(liqTimes, l.TradeTime)
		}
		last := m.Quote().Last
		p.lo, p.hi, p.end = decimal.Min(p.lo, last), decimal.Max(p.hi, last), last
		switch {
		case now.Equal(event):
			p.preEvent, p.loAfterEvent, p.hiAfterEvent = last, last, last
		case now.After(event) && !now.After(event.Add(10*time.Second)):
			p.loAfterEvent, p.hiAfterEvent = decimal.Min(p.loAfterEvent, last), decimal.Max(p.hiAfterEvent, last)
		}
	}
	for i, j := 0, 0; j < len(liqTimes); j++ {
		for liqTimes[j].Sub(liqTimes[i]) >= time.Minute {
			i++
		}
		p.maxIn60s = max(p.maxIn60s, j-i+1)
	}
	return p
}

// rel is (a - b) / b.
func rel(a, b decimal.Decimal) float64 { return a.Sub(b).Div(b).InexactFloat64() }

func TestScenarioSignatures(t *testing.T) {
	tests := []struct {
		sc    Scenario
		seed  int64
		dur   time.Duration
		check func(t *testing.T, p profile)
	}{
		{LongCascade, 1, 10 * time.Minute, longCascade},
		{LongCascade, 2, 10 * time.Minute, longCascade},
		{ShortSqueeze, 1, 10 * time.Minute, shortSqueeze},
		{ShortSqueeze, 2, 10 * time.Minute, shortSqueeze},
		{Calm, 1, 20 * time.Minute, func(t *testing.T, p profile) {
			if n := p.sell + p.buy; n > 5 {
				t.Errorf("calm: %d liquidations in 20 min, want at most 5", n)
			}
			if r := rel(p.hi, p.lo); r > 0.015 {
				t.Errorf("calm: range %.2f%%, want < 1.5%%", 100*r)
			}
		}},
		{Chop, 1, 20 * time.Minute, func(t *testing.T, p profile) {
			if r := rel(p.hi, p.lo); r > 0.05 {
				t.Errorf("chop: range %.2f%%, want < 5%% (range-bound)", 100*r)
			}
			if r := rel(p.end, p.start); r > 0.03 || r < -0.03 {
				t.Errorf("chop: ended %.2f%% from start, want within 3%%", 100*r)
			}
		}},
		{NewsSpike, 1, 20 * time.Minute, func(t *testing.T, p profile) {
			if r := rel(p.loAfterEvent, p.preEvent); r > -0.05 {
				t.Errorf("news-spike: fell %.2f%% in the 10 s after the event, want at least 5%%", -100*r)
			}
			if r := rel(p.end, p.lo); r < 0.02 {
				t.Errorf("news-spike: retraced only %.2f%% from the low, want at least 2%%", 100*r)
			}
			if !p.end.LessThan(p.preEvent) {
				t.Errorf("news-spike: end %s not below pre-event %s: retrace should be partial", p.end, p.preEvent)
			}
			if p.sell < 10 || p.sell <= 3*p.buy {
				t.Errorf("news-spike: %d long and %d short liquidations, want >= 10 and mostly longs", p.sell, p.buy)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(string(tc.sc), func(t *testing.T) {
			p := profileRun(t, testConfig(tc.sc, tc.seed), tc.dur)
			t.Logf("seed %d: %d sell, %d buy liquidations, max %d in 60 s, low %s high %s end %s",
				tc.seed, p.sell, p.buy, p.maxIn60s, p.lo, p.hi, p.end)
			tc.check(t, p)
		})
	}
}

func longCascade(t *testing.T, p profile) {
	if p.sell < 30 || p.sell < 5*p.buy {
		t.Errorf("long-cascade: %d long (SELL) and %d short liquidations, want >= 30 and 5x the shorts", p.sell, p.buy)
	}
	if p.maxIn60s < 2 {
		t.Errorf("long-cascade: at most %d forced orders in any minute, want > 1", p.maxIn60s)
	}
	if r := rel(p.lo, p.start); r > -0.05 {
		t.Errorf("long-cascade: low only %.2f%% below start, want 5%%", -100*r)
	}
}

func shortSqueeze(t *testing.T, p profile) {
	if p.buy < 30 || p.buy < 5*p.sell {
		t.Errorf("short-squeeze: %d short (BUY) and %d long liquidations, want >= 30 and 5x the longs", p.buy, p.sell)
	}
	if p.maxIn60s < 2 {
		t.Errorf("short-squeeze: at most %d forced orders in any minute, want > 1", p.maxIn60s)
	}
	if r := rel(p.hi, p.start); r < 0.05 {
		t.Errorf("short-squeeze: high only %.2f%% above start, want 5%%", 100*r)
	}
}

func TestPhaseAt(t *testing.T) {
	s, _ := scriptFor(LongCascade)
	at, every := 10*time.Minute, 4*time.Hour
	tests := []struct {
		elapsed time.Duration
		every   time.Duration
		name    string
		idx     int
		id      int64
	}{
		{0, every, "build-long", -1, 0},
		{10*time.Minute - SubStep, every, "build-long", -1, 0},
		{10 * time.Minute, every, "drop", 0, 1},
		{16*time.Minute - SubStep, every, "drop", 0, 1},
		{16 * time.Minute, every, "relief", 1, 2},
		{30 * time.Minute, every, "build-long", -1, 3},
		{4*time.Hour + 10*time.Minute, every, "drop", 0, 4},
		{4*time.Hour + 10*time.Minute, 0, "build-long", -1, 3},
	}
	for _, tc := range tests {
		r, id, idx := phaseAt(s, at, tc.every, tc.elapsed)
		if r.name != tc.name || idx != tc.idx || id != tc.id {
			t.Errorf("phaseAt(%s, every %s) = %s idx %d id %d, want %s idx %d id %d",
				tc.elapsed, tc.every, r.name, idx, id, tc.name, tc.idx, tc.id)
		}
	}
	calm, _ := scriptFor(Calm)
	if r, _, _ := phaseAt(calm, at, every, 5*time.Hour); r.name != "calm" {
		t.Errorf("calm has phase %s", r.name)
	}
}
