package liqmap

import (
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

func TestRenderShowsTheMap(t *testing.T) {
	m := clusterMap(t)
	apply(t, m, trade(t0, "405", "5", false), trade(t0, "405", "5", true), oi(t0, "1000"), oi(t0.Add(time.Second), "1010"),
		oi(t0.Add(time.Hour+10*time.Minute), "1030"), mark(t0.Add(time.Hour+10*time.Minute), "404"),
		liq(t0.Add(time.Hour+10*time.Minute), exchange.Buy, "404", "1"))
	out := render(t, m, t0.Add(time.Hour+10*time.Minute))
	if testing.Verbose() {
		t.Log("\n" + out)
	}
	for _, want := range []string{
		"TAOUSDT liquidation map at 2026-03-01T13:10:00Z  price 404.00",
		// OI: the last point at or before the window start (1010 at t0+1s) against 1030; mark 405 -> 404.
		"regime: new-shorts (OI +1.98%, price -0.25% over 1.1h of OI samples, window 15m0s)",
		// +10 contracts at VWAP 405, then +20 without trades (at the mark, 405), half long, all 10x:
		// longs at 405*0.90909 = 368.18, shorts at 405*1.08911 = 441.09. The first 2025 decayed
		// 70 minutes at a 24 h half-life, plus 4050: 2025*0.5^(70/1440) + 4050 = 6008.
		"368.00     369.00     368.50             6008            0      0     1.1h     slow    375    -8.79",
		"clusters (3):",
		"420.00     422.00     421.50",
		"<== price 404.00",
		"C",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("render lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderEmptyMap(t *testing.T) {
	m := newMap(t, DefaultConfig())
	out := render(t, m, t0)
	for _, want := range []string{"TAOUSDT liquidation map", "regime: unknown", "clusters (0):"} {
		if !strings.Contains(out, want) {
			t.Errorf("empty render lacks %q:\n%s", want, out)
		}
	}
}
