package strategy

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/exchange"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// shortCluster sits above price: shorts would be liquidated there.
func shortCluster(low, peak, high string) *liqmap.Cluster {
	return &liqmap.Cluster{Low: d(low), High: d(high), PeakPrice: d(peak), Short: d("200000"), Long: d("10000"), Total: d("210000")}
}

func longCluster(low, peak, high string) *liqmap.Cluster {
	return &liqmap.Cluster{Low: d(low), High: d(high), PeakPrice: d(peak), Long: d("300000"), Short: d("5000"), Total: d("305000")}
}

// base is a long breakout setup: price 401 rising into a short cluster at 404-406.
func base() Input {
	return Input{
		Now:         t0,
		Price:       d("401"),
		Clusters:    []liqmap.Cluster{*shortCluster("404", "405", "406"), *longCluster("390", "391", "392")},
		Velocity:    liqmap.Velocity{Ratio: d("2.5")},
		Regime:      liqmap.Regime{Kind: liqmap.RegimeNewLongs},
		FundingRate: d("0.0001"),
		Features:    Features{MomentumPct: d("0.8"), VolumeRatio: d("2"), Ready: true},
	}
}

// mirror is the short breakout setup: price 395 falling into a long cluster at 390-392.
func mirror() Input {
	in := base()
	in.Price = d("395")
	in.Features.MomentumPct = d("-0.8")
	in.Regime.Kind = liqmap.RegimeNewShorts
	return in
}

func TestEvaluateRules(t *testing.T) {
	type want struct {
		dir          exchange.PositionDirection
		rule         Rule
		stop, target string
	}
	cases := []struct {
		name   string
		cfg    func(*Config)
		in     func() Input
		want   *want
		skipIs string // a substring one of the skips must contain when no signal
	}{
		{name: "breakout long into short cluster", in: base,
			// target 405*(1-0.002); stop beyond the long cluster: 390*(1-0.002) = 389.22 (cap 401*0.97 = 388.97)
			want: &want{exchange.Long, RuleBreakout, "389.22", "404.19"}},
		{name: "breakout short into long cluster", in: mirror,
			// target 391*1.002; stop 406*1.002 = 406.812 (cap 395*1.03 = 406.85)
			want: &want{exchange.Short, RuleBreakout, "406.812", "391.782"}},
		{name: "stop capped at max distance", cfg: func(c *Config) { c.MaxStopDistancePct = d("1") }, in: base,
			// 401 * 0.99
			want: &want{exchange.Long, RuleBreakout, "396.99", "404.19"}},
		{name: "fade short on weak approach", cfg: func(c *Config) { c.Breakout.Enabled = false },
			in: func() Input { in := base(); in.Features.VolumeRatio = d("0.5"); return in },
			// target 391*1.002 before the long cluster below; stop beyond the faded cluster 406*1.002
			want: &want{exchange.Short, RuleFade, "406.812", "391.782"}},
		{name: "fade long on weak approach from above", cfg: func(c *Config) { c.Breakout.Enabled = false },
			in: func() Input { in := mirror(); in.Features.VolumeRatio = d("0.6"); return in },
			// target 405*0.998; stop beyond 390: 389.22 vs cap 395*0.97=383.15
			want: &want{exchange.Long, RuleFade, "389.22", "404.19"}},
		{name: "weak momentum gives no breakout", cfg: func(c *Config) { c.Fade.Enabled = false },
			in:     func() Input { in := base(); in.Features.MomentumPct = d("0.2"); return in },
			skipIs: "momentum 0.20% is below 0.5%"},
		{name: "low volume gives no breakout", cfg: func(c *Config) { c.Fade.Enabled = false },
			in:     func() Input { in := base(); in.Features.VolumeRatio = d("1.1"); return in },
			skipIs: "volume 1.10x its average is below 1.5x"},
		{name: "velocity not rising gives no breakout", cfg: func(c *Config) { c.Fade.Enabled = false },
			in:     func() Input { in := base(); in.Velocity.Ratio = d("1.2"); return in },
			skipIs: "not rising past 2x"},
		{name: "stale data", in: func() Input { in := base(); in.Stale = "aggTrade silent since 12:00:00"; return in },
			skipIs: "market data is stale"},
		{name: "blackout", in: func() Input { in := base(); in.Blocked = "news blackout FOMC"; return in },
			skipIs: "new entries blocked: news blackout FOMC"},
		{name: "limits hit", in: func() Input { in := base(); in.Blocked = "daily loss limit reached"; return in },
			skipIs: "daily loss limit"},
		{name: "extreme funding blocks crowded long", cfg: func(c *Config) { c.Fade.Enabled = false },
			in:     func() Input { in := base(); in.FundingRate = d("0.0008"); return in },
			skipIs: "longs are crowded"},
		{name: "extreme negative funding blocks crowded short", cfg: func(c *Config) { c.Fade.Enabled = false },
			in:     func() Input { in := mirror(); in.FundingRate = d("-0.0006"); return in },
			skipIs: "shorts are crowded"},
		{name: "regime filter: no long breakout in capitulation", cfg: func(c *Config) { c.Fade.Enabled = false },
			in:     func() Input { in := base(); in.Regime.Kind = liqmap.RegimeLongCapitulation; return in },
			skipIs: "long capitulation"},
		{name: "not approaching: too far", in: func() Input { in := base(); in.Price = d("396"); return in },
			skipIs: "not approaching"},
		{name: "not approaching: moving away", in: func() Input {
			in := base()
			in.Features.MomentumPct = d("-0.8")
			in.Clusters = in.Clusters[:1]
			return in
		},
			skipIs: "not approaching"},
		{name: "cluster too light", in: func() Input {
			in := base()
			in.Clusters[0].Total = d("1000")
			return in
		}, skipIs: "no cluster above within 10% holding at least 50000 USDT"},
		{name: "cluster of the wrong side", cfg: func(c *Config) { c.Fade.Enabled = false }, in: func() Input {
			in := base()
			in.Clusters[0] = *longCluster("404", "405", "406")
			return in
		}, skipIs: "holds mostly long liquidations"},
		{name: "warming up", in: func() Input { in := base(); in.Features.Ready = false; return in }, skipIs: "warming up"},
		{name: "both rules off", cfg: func(c *Config) { c.Fade.Enabled = false; c.Breakout.Enabled = false }, in: base},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			dec := s.Evaluate(tc.in())
			if tc.want == nil {
				if dec.Signal != nil {
					t.Fatalf("want no signal, got %+v", dec.Signal)
				}
				if tc.skipIs != "" && !strings.Contains(strings.Join(dec.Skips, "\n"), tc.skipIs) {
					t.Fatalf("skips %q do not mention %q", dec.Skips, tc.skipIs)
				}
				return
			}
			sig := dec.Signal
			if sig == nil {
				t.Fatalf("want a signal, got none; skips: %q", dec.Skips)
			}
			if sig.Direction != tc.want.dir || sig.Rule != tc.want.rule {
				t.Errorf("got %s %s, want %s %s", sig.Direction, sig.Rule, tc.want.dir, tc.want.rule)
			}
			if !sig.Stop.Equal(d(tc.want.stop)) || !sig.Target.Equal(d(tc.want.target)) {
				t.Errorf("stop/target = %s/%s, want %s/%s", sig.Stop, sig.Target, tc.want.stop, tc.want.target)
			}
			if !sig.Entry.Equal(tc.in().Price) {
				t.Errorf("entry %s, want price %s", sig.Entry, tc.in().Price)
			}
			// Consistency with the map: target between entry and the target cluster's peak, stop on the other side.
			if sig.Direction == exchange.Long {
				if !(sig.Stop.LessThan(sig.Entry) && sig.Target.GreaterThan(sig.Entry) && sig.Target.LessThan(sig.Cluster.Peak)) {
					t.Errorf("long levels inconsistent: %+v", sig)
				}
			} else if !(sig.Stop.GreaterThan(sig.Entry) && sig.Target.LessThan(sig.Entry) && sig.Target.GreaterThan(sig.Cluster.Peak)) {
				t.Errorf("short levels inconsistent: %+v", sig)
			}
			if sig.ID == "" || sig.Reason == "" || sig.Features["momentum_pct"] == "" || !strings.HasSuffix(sig.Reason, ".") {
				t.Errorf("signal lacks id, reason or features: %+v", sig)
			}
		})
	}
}

func TestReasonIsReadable(t *testing.T) {
	s, _ := New(DefaultConfig(), nil)
	sig := s.Evaluate(base()).Signal
	if sig == nil {
		t.Fatal("no signal")
	}
	want := "Long breakout at 401.00: upward momentum of 0.80% on 2.00x volume with liquidations accelerating (2.50); target 404.19 before the 210.0k USDT short-liquidation cluster (peak 405.00, 1.00% away), stop 389.22 beyond the long-liquidation cluster at 391.00."
	want = strings.Replace(want, "(2.50)", "(2.50x)", 1)
	if sig.Reason != want {
		t.Errorf("reason\n got %s\nwant %s", sig.Reason, want)
	}
}

func TestCooldownPerClusterAndRule(t *testing.T) {
	s, _ := New(DefaultConfig(), nil)
	if s.Evaluate(base()).Signal == nil {
		t.Fatal("first evaluation should signal")
	}
	in := base()
	in.Now = t0.Add(10 * time.Minute)
	dec := s.Evaluate(in)
	if dec.Signal != nil {
		t.Fatalf("second signal inside the cooldown: %+v", dec.Signal)
	}
	if !strings.Contains(strings.Join(dec.Skips, "\n"), "already signalled 10m0s ago") {
		t.Fatalf("skips: %q", dec.Skips)
	}
	in.Now = t0.Add(31 * time.Minute)
	if s.Evaluate(in).Signal == nil {
		t.Fatal("signal expected after the cooldown")
	}
}

func TestSpikeFade(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Breakout.Enabled = false
	s, _ := New(cfg, nil)
	// A cascade of long liquidations: price fell fast into 396.
	in := base()
	in.Price = d("396")
	in.Features = Features{MomentumPct: d("-1.5"), VolumeRatio: d("3"), Ready: true}
	in.Velocity = liqmap.Velocity{Ratio: d("4"), LongsLiquidatedShortPerMin: d("90000"), ShortsLiquidatedShortPerMin: d("1000")}
	if dec := s.Evaluate(in); dec.Signal != nil {
		t.Fatalf("no fade while the spike is still running, got %+v", dec.Signal)
	}
	in.Now = t0.Add(3 * time.Minute)
	in.Velocity = liqmap.Velocity{Ratio: d("0.7")}
	sig := s.Evaluate(in).Signal
	if sig == nil || sig.Rule != RuleSpike || sig.Direction != exchange.Long {
		t.Fatalf("want a long spike fade, got %+v", sig)
	}
	// Target before the short cluster above; stop beyond the long cluster below (390*0.998).
	if !sig.Target.Equal(d("404.19")) || !sig.Stop.Equal(d("389.22")) {
		t.Errorf("target/stop %s/%s", sig.Target, sig.Stop)
	}
	// Past the spike memory the fade is gone.
	s2, _ := New(cfg, nil)
	in.Velocity = liqmap.Velocity{Ratio: d("4"), LongsLiquidatedShortPerMin: d("1")}
	in.Now = t0
	s2.Evaluate(in)
	in.Now = t0.Add(11 * time.Minute)
	in.Velocity = liqmap.Velocity{Ratio: d("0.7")}
	if sig := s2.Evaluate(in).Signal; sig != nil && sig.Rule == RuleSpike {
		t.Fatalf("spike fade after the memory ran out: %+v", sig)
	}
}

func TestHistorySwitchesRuleOff(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Fade.Enabled = false
	beh := NewBehaviour(cfg.BehaviourWindow, cfg.BehaviourMovePct, 0)
	var h []Visit
	for i := range 5 {
		o := Bounce
		if i == 0 {
			o = BreakOut
		}
		h = append(h, Visit{Dominant: exchange.Short, FromBelow: true, Outcome: o})
	}
	beh.Restore(h)
	s, _ := New(cfg, beh)
	dec := s.Evaluate(base())
	if dec.Signal != nil {
		t.Fatalf("breakout should be off after 1 break in 5 visits, got %+v", dec.Signal)
	}
	if !strings.Contains(strings.Join(dec.Skips, "\n"), "history: only 1 of 5 visits to short-liquidation clusters reached from below ended as a break") {
		t.Fatalf("skips: %q", dec.Skips)
	}
	// Two breaks in five (40%) clears the 30% bar.
	h[1].Outcome = BreakOut
	beh.Restore(h)
	if s.Evaluate(base()).Signal == nil {
		t.Fatal("breakout should fire with 2 of 5 breaks")
	}
}

func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	c.ApproachDistancePct = decimal.Zero
	c.Fade.FadingVelocityRatio = d("5")
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "approach distance") || !strings.Contains(err.Error(), "fading velocity ratio 5") {
		t.Fatalf("err = %v", err)
	}
}
