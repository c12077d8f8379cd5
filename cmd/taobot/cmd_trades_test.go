package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

func reportCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &cli{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// reportFixture: a win of 41.23945 (target), a loss of -10.50505 (stop), and an open short.
func reportFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "taobot.db")
	s, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := decimal.RequireFromString
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	ps := []state.PositionRecord{
		{ID: "tb1-a", Symbol: "TAOUSDT", Direction: exchange.Long, EnteredQty: dec("2"), ClosedQty: dec("2"), EntryPrice: dec("399"),
			ExitPrice: dec("419.95"), Fees: dec("0.57955"), Funding: dec("-0.081"), RealizedPnL: dec("41.23945"), RiskUSDT: dec("20"),
			R: dec("2.062"), OpenedAt: at, ClosedAt: at.Add(2 * time.Hour), ExitReason: "target"},
		{ID: "tb1-b", Symbol: "TAOUSDT", Direction: exchange.Short, EnteredQty: dec("1"), ClosedQty: dec("1"), EntryPrice: dec("400"),
			ExitPrice: dec("410.1"), Fees: dec("0.40505"), RealizedPnL: dec("-10.50505"), RiskUSDT: dec("10.5"),
			R: dec("-1.0005"), OpenedAt: at.Add(3 * time.Hour), ClosedAt: at.Add(4 * time.Hour), ExitReason: "stop"},
		{ID: "tb1-c", Symbol: "TAOUSDT", Direction: exchange.Short, Qty: dec("1.5"), EnteredQty: dec("1.5"), EntryPrice: dec("405"),
			Fees: dec("0.30375"), RealizedPnL: dec("-0.30375"), RiskUSDT: dec("9"), OpenedAt: at.Add(5 * time.Hour)},
	}
	err = s.Update(func(tx *state.Tx) error {
		for _, p := range ps {
			if err := tx.Positions().Put(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTradesAndPnl(t *testing.T) {
	db := reportFixture(t)

	code, out, errs := reportCLI("trades", "--db", db)
	if code != exitOK {
		t.Fatalf("trades: code %d, stderr %s", code, errs)
	}
	lines := strings.Split(out, "\n")
	for i, want := range []string{"tb1-a", "tb1-b", "tb1-c"} {
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("line %d %q, want %s", i+1, lines[i+1], want)
		}
	}
	for _, want := range []string{"41.2395", "-10.5051", "2.06", "target", "stop", "open",
		"net pnl          30.7344 USDT", "win rate 50.00%", "max drawdown     10.5051 USDT", "funding          -0.0810"} {
		if !strings.Contains(out, want) {
			t.Errorf("trades output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = reportCLI("trades", "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("trades --json: %d", code)
	}
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("json line %q: %v", l, err)
		}
		got = append(got, m)
	}
	if len(got) != 3 || got[0]["netPnl"] != "41.23945" || got[1]["r"] != "-1.0005" || got[2]["open"] != true || got[2]["closedAt"] != nil {
		t.Errorf("json trades %v", got)
	}

	code, out, _ = reportCLI("pnl", "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("pnl --json: %d", code)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"trades": 2.0, "open": 1.0, "wins": 1.0, "losses": 1.0, "winRatePct": "50",
		"netPnl": "30.7344", "fees": "0.9846", "funding": "-0.081", "grossPnl": "31.8", "maxDrawdown": "10.50505", "totalR": "1.0615"} {
		if sum[k] != want {
			t.Errorf("pnl %s = %v, want %v", k, sum[k], want)
		}
	}

	code, out, _ = reportCLI("pnl", "--db", db)
	if code != exitOK || !strings.Contains(out, "closed trades    2 (open 1)") {
		t.Errorf("pnl text: %d\n%s", code, out)
	}
}

func TestTradesUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"trades", "--help"}, exitOK},
		{[]string{"pnl", "--help"}, exitOK},
		{[]string{"trades", "--bogus"}, exitUsage},
		{[]string{"pnl", "extra"}, exitUsage},
		{[]string{"trades", "--db", filepath.Join(t.TempDir(), "missing", "x.db")}, exitRuntime},
	} {
		if code, _, errs := reportCLI(tc.args...); code != tc.code {
			t.Errorf("%v: code %d, want %d (%s)", tc.args, code, tc.code, errs)
		}
	}
	empty := filepath.Join(t.TempDir(), "e.db")
	s, err := state.Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if code, out, _ := reportCLI("trades", "--db", empty); code != exitOK || !strings.Contains(out, "no trades yet") {
		t.Errorf("empty: %d %q", code, out)
	}
}
