package orders

import (
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

func TestConfigDefaultsAndErrors(t *testing.T) {
	c, err := Config{Symbol: sym, Prefix: "tb1", EntryType: "limit", StopWorkingType: "mark_price", MarginType: "cross"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.EntryType != exchange.Limit || c.StopWorkingType != exchange.MarkPriceTrigger || c.MarginType != exchange.Cross ||
		c.MissingStopAlarm != 5*time.Second || c.LimitTimeout != 2*time.Minute || c.UserStream != "user" || !c.AdoptStopPct.Equal(d("3")) {
		t.Errorf("defaults %+v", c)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no symbol", Config{Prefix: "tb1"}, "symbol is empty"},
		{"long prefix", Config{Symbol: sym, Prefix: "far-too-long"}, "prefix must be 1-8"},
		{"bad prefix char", Config{Symbol: sym, Prefix: "tb.1"}, "prefix must be 1-8"},
		{"entry type", Config{Symbol: sym, Prefix: "tb1", EntryType: "stop"}, "entry type must be LIMIT or MARKET"},
		{"working type", Config{Symbol: sym, Prefix: "tb1", StopWorkingType: "last"}, "stop working type"},
		{"margin type", Config{Symbol: sym, Prefix: "tb1", MarginType: "portfolio"}, "margin type"},
		{"breakeven", Config{Symbol: sym, Prefix: "tb1", Breakeven: true}, "breakeven trigger"},
		{"trailing", Config{Symbol: sym, Prefix: "tb1", Trailing: true, TrailActivationR: d("1")}, "trailing needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cfg.withDefaults()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestClientIDs(t *testing.T) {
	for _, tc := range []struct {
		leg  string
		v    int
		want string
	}{{"entry", 1, "tb1-mk3x9l0l-e"}, {"stop", 1, "tb1-mk3x9l0l-s"}, {"stop", 2, "tb1-mk3x9l0l-s2"}, {"target", 1, "tb1-mk3x9l0l-t"}, {"exit", 3, "tb1-mk3x9l0l-x3"}} {
		got := ClientID(IntentID("tb1", "mk3x9l0l"), stateLeg(tc.leg), tc.v)
		if got != tc.want || !clientIDRE.MatchString(got) {
			t.Errorf("%s v%d: %q, want %q", tc.leg, tc.v, got, tc.want)
		}
	}
}

func stateLeg(s string) state.LegName { return state.LegName(s) }
