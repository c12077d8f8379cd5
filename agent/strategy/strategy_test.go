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

// base is a long breakout setup: price 401 rising into a short cluster at
// 404-412 (peak 410), with a long cluster just below at 397-398.
func base() Input {
	return Input{
		Now:         t0,
		Price:       d("401"),
		Clusters:    []liqmap.Cluster{*shortCluster("404", "410", "412"), *longCluster("397", "397.5", "398")},
		Velocity:    liqmap.Velocity{Ratio: d("2.5")},
		Regime:      liqmap.Regime{Kind: liqmap.RegimeNewLongs},
		FundingRate: d("0.0001"),
		Features:    Features{MomentumPct: d("0.8"), VolumeRatio: d("2"), Ready: true},
	}
}

// mirror is the short breakout setup: price 399 falling into a long cluster
// at 390-398 (peak 392), with a short cluster just above at 401-402.
func mirror() Input {
	in := base()
	in.Price = d("399")
	in.Clusters = []liqmap.Cluster{*shortCluster("401", "401.5", "402"), *longCluster("390", "392", "398")}
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
			// target 410*(1-0.002) = 409.18; stop beyond the long cluster: 397*(1-0.002) = 396.206 (cap 401*0.97 = 388.97)
			want: &want{exchange.Long, RuleBreakout, "396.206", "409.18"}},
		{name: "breakout short into long cluster", in: mirror,
			// target 392*1.002 = 392.784; stop beyond the short cluster: 402*1.002 = 402.804 (cap 399*1.03 = 410.97)
			want: &want{exchange.Short, RuleBreakout, "402.804", "392.784"}},
		{name: "stop capped at max distance", cfg: func(c *Config) { c.MaxStopDistancePct = d("1") }, in: base,
			// 401 * 0.99 = 396.99 is nearer than 396.206
			want: &want{exchange.Long, RuleBreakout, "396.99", "409.18"}},
		{name: "fade short on weak approach", cfg: func(c *Config) { c.Breakout.Enabled = false },
			in: func() Input {
				in := base()
				in.Price = d("400.5")
				in.Clusters = []liqmap.Cluster{*shortCluster("401", "401.5", "402"), *longCluster("390", "392", "393")}
				in.Features = Features{MomentumPct: d("0.3"), VolumeRatio: d("0.5"), Ready: true}
				return in
			},
			// target 392*1.002 before the long cluster below; stop beyond the faded cluster 402*1.002
			want: &want{exchange.Short, RuleFade, "402.804", "392.784"}},
		{name: "fade long on weak approach from above", cfg: func(c *Config) { c.Breakout.Enabled = false },
			in: func() Input {
				in := base()
				in.Price = d("398.5")
				in.Clusters = []liqmap.Cluster{*shortCluster("404", "406", "412"), *longCluster("397", "397.5", "398")}
				in.Features = Features{MomentumPct: d("-0.3"), VolumeRatio: d("0.6"), Ready: true}
				return in
			},
			// target 406*0.998; stop beyond the faded cluster 397*0.998
			want: &want{exchange.Long, RuleFade, "396.206", "405.188"}},
		{name: "reward too small for the stop", cfg: func(c *Config) { c.Fade.Enabled = false }, in: func() Input {
			in := base()
			in.Clusters[0] = *shortCluster("404", "405", "406")
			return in
		}, skipIs: "target 404.19 is only 3.19 from entry for a stop 4.79 away (below 1.5 R before fees)"},
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
		{name: "not approaching: too far", in: func() Input { in := base(); in.Price = d("399"); return in },
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
	want := "Long breakout at 401.00: upward momentum of 0.80% on 2.00x volume with liquidations accelerating (2.50x); target 409.18 before the 210.0k USDT short-liquidation cluster (peak 410.00, 2.24% away), stop 396.21 beyond the long-liquidation cluster at 397.50."
	if sig.Reason != want {
		t.Errorf("reason\n got %s\nwant %s", sig.Reason, want)
	}
}

func TestCooldownPerRuleAndDirection(t *testing.T) {
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
	if !strings.Contains(strings.Join(dec.Skips, "\n"), "long breakout: already signalled 10m0s ago") {
		t.Fatalf("skips: %q", dec.Skips)
	}
	// The peak drifting by a bucket is the same setup: still cooling down.
	in.Clusters[0].PeakPrice = d("410.4")
	if s.Evaluate(in).Signal != nil {
		t.Fatal("a drifting peak re-fired the same setup")
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
	// A cascade of long liquidations: price fell fast into 396, between a long cluster
	// just below (392-394) and the short cluster above (404-408).
	in := base()
	in.Price = d("396")
	in.Clusters = []liqmap.Cluster{*shortCluster("404", "406", "408"), *longCluster("392", "393", "394")}
	in.Features = Features{MomentumPct: d("-1.5"), VolumeRatio: d("3"), Ready: true}
	spike := liqmap.Velocity{Ratio: d("4"), TotalShortPerMin: d("91000"), LongsLiquidatedShortPerMin: d("90000"), ShortsLiquidatedShortPerMin: d("1000")}
	in.Velocity = spike
	if dec := s.Evaluate(in); dec.Signal != nil {
		t.Fatalf("no fade while the spike is still running, got %+v", dec.Signal)
	}
	in.Now = t0.Add(3 * time.Minute)
	in.Velocity = liqmap.Velocity{Ratio: d("0.7")}
	sig := s.Evaluate(in).Signal
	if sig == nil || sig.Rule != RuleSpike || sig.Direction != exchange.Long {
		t.Fatalf("want a long spike fade, got %+v", sig)
	}
	// Target before the short cluster above (406*0.998); stop beyond the long cluster below (392*0.998).
	if !sig.Target.Equal(d("405.188")) || !sig.Stop.Equal(d("391.216")) {
		t.Errorf("target/stop %s/%s", sig.Target, sig.Stop)
	}
	// One spike, one fade: the next quiet minute does not fade it again.
	in.Now = t0.Add(40 * time.Minute)
	if sig := s.Evaluate(in).Signal; sig != nil && sig.Rule == RuleSpike {
		t.Fatalf("the same spike faded twice: %+v", sig)
	}

	t.Run("a small print after a quiet spell is not a spike", func(t *testing.T) {
		s, _ := New(cfg, nil)
		in.Now = t0
		in.Velocity = liqmap.Velocity{Ratio: d("15"), TotalShortPerMin: d("100"), LongsLiquidatedShortPerMin: d("100")}
		s.Evaluate(in)
		in.Now = t0.Add(70 * time.Second)
		in.Velocity = liqmap.Velocity{}
		if sig := s.Evaluate(in).Signal; sig != nil && sig.Rule == RuleSpike {
			t.Fatalf("faded a 100 USDT print: %+v", sig)
		}
	})
	t.Run("past the spike memory", func(t *testing.T) {
		s, _ := New(cfg, nil)
		in.Now = t0
		in.Velocity = spike
		s.Evaluate(in)
		in.Now = t0.Add(11 * time.Minute)
		in.Velocity = liqmap.Velocity{Ratio: d("0.7")}
		if sig := s.Evaluate(in).Signal; sig != nil && sig.Rule == RuleSpike {
			t.Fatalf("spike fade after the memory ran out: %+v", sig)
		}
	})
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
