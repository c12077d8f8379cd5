package market

import (
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string // substring of the error; "" = valid
	}{
		{"default", func(*Config) {}, ""},
		{"zero config takes defaults", func(c *Config) { *c = Config{} }, ""},
		{"unknown scenario", func(c *Config) { c.Scenario = "moon" }, "scenario"},
		{"negative tick", func(c *Config) { c.TickSize = d("-0.01") }, "tick size"},
		{"negative step", func(c *Config) { c.StepSize = d("-1") }, "step size"},
		{"negative price", func(c *Config) { c.StartPrice = d("-400") }, "start price"},
		{"price below 100 ticks", func(c *Config) { c.StartPrice = d("0.5") }, "start price"},
		{"short funding interval", func(c *Config) { c.FundingInterval = time.Second }, "funding interval"},
		{"interval not dividing a day", func(c *Config) { c.FundingInterval = 7 * time.Hour }, "funding interval"},
		{"negative traders", func(c *Config) { c.Traders = -1 }, "traders"},
		{"negative event", func(c *Config) { c.EventAt = -time.Minute }, "event"},
		{"negative cap", func(c *Config) { c.FundingCap = d("-0.01") }, "funding cap"},
		{"bracket without leverage", func(c *Config) {
			c.Brackets = []exchange.Bracket{{Bracket: 1, NotionalCap: d("1e9"), MaintMarginRatio: d("0.01")}}
		}, "funding cap"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.mod(&cfg)
			_, err := New(cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestScenariosAllBuild(t *testing.T) {
	if got := len(Scenarios()); got != 5 {
		t.Fatalf("%d scenarios, want 5", got)
	}
	for _, sc := range Scenarios() {
		if _, ok := scriptFor(sc); !ok {
			t.Errorf("scenario %s has no script", sc)
		}
		cfg := DefaultConfig()
		cfg.Scenario = sc
		m := mustNew(t, cfg)
		if q := m.Quote(); !q.Last.Equal(d("400")) || !q.OpenInterest.IsPositive() {
			t.Errorf("%s: start quote %+v, want last 400 and open interest", sc, q)
		}
	}
}
