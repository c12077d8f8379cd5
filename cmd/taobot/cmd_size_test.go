package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// calcRun runs one taobot command in-process and returns exit code, stdout, stderr.
func calcRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &cli{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

const calcNow = "--now=2026-11-24T01:00:00Z"

func TestSizeHumanPlan(t *testing.T) {
	code, out, errOut := calcRun(t, "size", "--side", "long", "--entry", "400", "--stop", "380", "--target", "440",
		"--max-loss", "50", "--equity", "1000", "--funding-rate", "0.0001", "--hold", "24h", calcNow)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	// Per unit: 20 + 0.2 + 0.19 + 3 x 0.0001 x 400 = 20.51; 50/20.51 -> 2.437.
	for _, want := range []string{
		"LONG TAOUSDT plan (isolated margin)",
		"quantity         2.437  (notional 974.8 USDT)",
		"leverage         1x",
		"liquidation      none",
		"loss per unit    20.51 USDT = price 20 + fees 0.39 + funding 0.12",
		"worst-case loss  49.9829 USDT",
		"3 funding time(s) within 24h0m0s",
		"(R 1.9239)",
		"rounded qty      2.4378352 -> 2.437",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSizeJSONAndRejection(t *testing.T) {
	// 100 USDT equity forces 10x, liquidation 363.64: too close to a 380 stop.
	code, out, _ := calcRun(t, "size", "--side", "long", "--entry", "400", "--stop", "380", "--target", "440",
		"--max-loss", "50", "--equity", "100", "--json", calcNow)
	if code != exitRejected {
		t.Fatalf("exit %d, want %d", code, exitRejected)
	}
	var p struct {
		Qty              string `json:"qty"`
		Leverage         int    `json:"leverage"`
		LiquidationPrice string `json:"liquidation_price"`
		WorstCaseLoss    struct {
			Total string `json:"total"`
		} `json:"worst_case_loss"`
		Rejections []struct{ Code, Message string } `json:"rejections"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if p.Qty != "2.452" || p.Leverage != 10 || p.LiquidationPrice != "363.64" || p.WorstCaseLoss.Total != "49.99628" {
		t.Errorf("plan %+v", p)
	}
	if len(p.Rejections) != 1 || p.Rejections[0].Code != "liquidation_too_close" {
		t.Errorf("rejections %+v", p.Rejections)
	}
}

func TestSizeEveryReasonPrinted(t *testing.T) {
	code, out, _ := calcRun(t, "size", "--side", "long", "--entry", "400", "--stop", "380", "--target", "410", "--max-loss", "0.01", calcNow)
	if code != exitRejected {
		t.Fatalf("exit %d, want %d", code, exitRejected)
	}
	for _, want := range []string{"REJECTED: no long trade", "[reward_risk_below_min]", "[qty_below_min]", "[notional_below_min]", "R 0.4706"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSizeFlagsReachThePlan(t *testing.T) {
	// Short, cross, percent budget 1% of 2000 = 20; custom step 0.1; maker entry.
	// Per unit: 20 + 400*0.0002 + 420*0.0005 = 20.29; 20/20.29 = 0.98 -> 0.9.
	code, out, errOut := calcRun(t, "size", "--side", "short", "--entry", "400", "--stop", "420", "--max-loss", "100",
		"--max-loss-pct", "1", "--equity", "2000", "--margin", "cross", "--entry-maker", "--step", "0.1", "--min-qty", "0.1", "--json", calcNow)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p["budget"] != "20" || p["qty"] != "0.9" || p["margin_type"] != "CROSSED" || p["target"] != nil {
		t.Errorf("budget %v qty %v margin %v target %v", p["budget"], p["qty"], p["margin_type"], p["target"])
	}
}

func TestSizeUsageErrors(t *testing.T) {
	base := []string{"--side", "long", "--entry", "400", "--stop", "380"}
	cases := []struct {
		args []string
		want string // a fragment stderr must contain: the message names the flag
	}{
		{[]string{"--entry", "400", "--stop", "380", "--max-loss", "50"}, `--side must be long or short, got ""`},
		{[]string{"--side", "up", "--entry", "400", "--stop", "380", "--max-loss", "50"}, `--side must be long or short, got "up"`},
		{[]string{"--side", "long", "--entry", "400", "--max-loss", "50"}, "--entry and --stop are required"},
		{base, "give --max-loss (USDT) or --max-loss-pct with --equity"},
		{append(base, "--max-loss-pct", "1"), "--max-loss-pct needs --equity"},
		{[]string{"--side", "long", "--entry", "abc", "--stop", "380", "--max-loss", "50"}, `invalid value "abc" for flag -entry`},
		{append(base, "--max-loss", "50", "--margin", "portfolio"), `--margin must be isolated or cross, got "portfolio"`},
		{append(base, "--max-loss", "50", "--now", "yesterday"), "--now must be RFC 3339"},
		{append(base, "--max-loss", "50", "--liq-buffer", "2"), "liq_buffer must be in (0, 1]"},
		{append(base, "--max-loss", "50", "extra"), `unexpected arguments ["extra"]`},
		{append(base, "--max-loss", "50", "--margin", "cross"), "--margin cross needs --equity or --cross-wallet"},
		{append(base, "--max-loss", "0"), "--max-loss must be > 0 USDT"},
		{append(base, "--max-loss", "-5"), "--max-loss must be > 0 USDT"},
		{append(base, "--max-loss-pct", "150", "--equity", "1000"), "--max-loss-pct must be > 0 and <= 100"},
	}
	for _, c := range cases {
		args := append([]string{"size"}, c.args...)
		code, _, errOut := calcRun(t, args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d stderr %q, want %d with %q", c.args, code, errOut, exitUsage, c.want)
		}
	}
	if code, _, errOut := calcRun(t, "size", "--help"); code != exitOK || !strings.Contains(errOut, "Exit 0: plan; 4: rejected") {
		t.Errorf("--help: exit %d, %q", code, errOut)
	}
}
