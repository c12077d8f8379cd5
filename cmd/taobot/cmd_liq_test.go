package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLiqHuman(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--side", "long", "--entry", "400", "--qty", "10", "--wallet", "400"}, "liquidation price: 363.64 (-9.09% from entry; bracket 1, MMR 1%, cum 0)"},
		{[]string{"--side", "short", "--entry", "400", "--qty", "10", "--wallet", "400"}, "liquidation price: 435.64 (8.91% from entry; bracket 1"},
		// Binance's example with its fixed bracket.
		{[]string{"--side", "long", "--entry", "1456.84", "--qty", "3683.979", "--wallet", "1535443.01", "--mmr", "0.1", "--cum", "135365"}, "liquidation price: 1114.79"},
		// Tier switch: 30 @ 400 starts in tier 2, liquidates in tier 1.
		{[]string{"--side", "long", "--entry", "400", "--qty", "30", "--wallet", "2400"}, "liquidation price: 323.24 (-19.19% from entry; bracket 1"},
		{[]string{"--side", "long", "--entry", "400", "--qty", "10", "--wallet", "5000"}, "liquidation price: none"},
		{[]string{"--side", "long", "--entry", "1456.84", "--qty", "3683.979", "--wallet", "1535443.01", "--mmr", "0.1", "--cum", "135365"},
			"  exact 1114.78496375, shown rounded to the tick on the safe side (up for a long)"},
		// 4000*0.01 = 40 maintenance > 30 wallet: liquidated at (30-4000)/(0.1-10) = 401.0101, shown up.
		{[]string{"--side", "long", "--entry", "400", "--qty", "10", "--wallet", "30"}, "liquidation price: 401.02 (0.26% from entry; bracket 1, MMR 1%, cum 0)\n  exact 401.01010101, shown rounded to the tick on the safe side (up for a long)\n  the wallet does not cover the maintenance margin: this position would be liquidated at once"},
	}
	for _, c := range cases {
		code, out, errOut := calcRun(t, append([]string{"liq"}, c.args...)...)
		if code != exitOK || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, out %q (stderr %q), want %q", c.args, code, out, errOut, c.want)
		}
	}
}

func TestLiqJSON(t *testing.T) {
	code, out, _ := calcRun(t, "liq", "--side", "short", "--entry", "400", "--qty", "24", "--wallet", "1000", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	// 10650/24.36 = 437.1921..., in tier 2; shown down toward the entry.
	if o["liquidation_price"] != "437.19" || o["liquidation_price_exact"] != "437.19211823" || o["bracket"] != 2.0 || o["mmr"] != "0.015" || o["liquidatable"] != true {
		t.Errorf("json %s", out)
	}
	code, out, _ = calcRun(t, "liq", "--side", "long", "--entry", "400", "--qty", "10", "--wallet", "5000", "--json")
	if code != exitOK || !strings.Contains(out, `"liquidation_price": null`) || !strings.Contains(out, `"liquidatable": false`) {
		t.Errorf("no-liquidation json: exit %d %s", code, out)
	}
}

func TestLiqUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string // a fragment stderr must contain
	}{
		{[]string{"--entry", "400", "--qty", "10", "--wallet", "400"}, `--side must be long or short, got ""`},
		{[]string{"--side", "long", "--qty", "10", "--wallet", "400"}, "--entry, --qty and --wallet are required"},
		{[]string{"--side", "long", "--entry", "400", "--qty", "10", "--wallet", "400", "--cum", "5"}, "--cum needs --mmr"},
		{[]string{"--side", "long", "--entry", "400", "--qty", "0", "--wallet", "400"}, "--qty must be > 0"},
		{[]string{"--side", "long", "--entry", "400", "--qty", "-10", "--wallet", "400"}, "--qty must be > 0"},
		{[]string{"--side", "long", "--entry", "400", "--qty", "10", "--wallet", "400", "--mmr", "1"}, "maintenance margin ratio 1 outside [0, 1)"},
		{[]string{"--side", "long", "--entry", "-400", "--qty", "10", "--wallet", "400"}, "qty and entry must be > 0"},
	}
	for _, c := range cases {
		code, _, errOut := calcRun(t, append([]string{"liq"}, c.args...)...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d stderr %q, want %d with %q", c.args, code, errOut, exitUsage, c.want)
		}
	}
	if code, _, errOut := calcRun(t, "liq", "--help"); code != exitOK || !strings.Contains(errOut, "Usage: taobot liq") {
		t.Errorf("--help exit %d, %q", code, errOut)
	}
}
