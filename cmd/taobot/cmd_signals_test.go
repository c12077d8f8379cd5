package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent"
	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

var now0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// signalsDB writes two signals, one planned and one rejected, to a fresh state file.
func signalsDB(t *testing.T) (string, *state.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "taobot.db")
	st, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := []state.SignalRecord{
		{ID: "old1L", Time: now0.Add(-3 * time.Hour), Symbol: "TAOUSDT", Direction: exchange.Long, Entry: dec("401.5"), Stop: dec("399.2"),
			Target: dec("408.1"), Features: map[string]string{"rule": "breakout"}, Reason: "Long breakout at 401.50: test.", Mode: "dry-run",
			Plan: json.RawMessage(`{"qty":"2.5","leverage":3,"worst_case_loss":{"total":"9.87"},"r_multiple":"2.10"}`)},
		{ID: "new2S", Time: now0.Add(-10 * time.Minute), Symbol: "TAOUSDT", Direction: exchange.Short, Entry: dec("396"), Stop: dec("398"),
			Target: dec("395.5"), Features: map[string]string{"rule": "fade"}, Reason: "Short fade at 396.00: test.", Mode: "paper",
			Rejection: json.RawMessage(`["reward_risk_below_min: reward/risk is 0.2 after fees and funding"]`)},
	}
	for _, r := range recs {
		if err := st.PutSignal(r); err != nil {
			t.Fatal(err)
		}
	}
	return path, st
}

func runCLI(args ...string) cliResult {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &cli{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }, now: func() time.Time { return now0 }})
	return cliResult{code, out.String(), errb.String()}
}

func TestSignalsFromStateFile(t *testing.T) {
	path, st := signalsDB(t)
	st.Close()
	r := runCLI("signals", "--db", path, "--since", "0")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"old1L", "qty 2.5 @ 3x, worst loss 9.87, R 2.10", "new2S", "rejected: reward_risk_below_min", "Short fade at 396.00: test."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	// --since counts back from the CLI's clock: only the newer one.
	r = runCLI("signals", "--db", path, "--since", "1h", "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != exitOK || len(lines) != 1 || !strings.Contains(lines[0], `"id":"new2S"`) {
		t.Fatalf("exit %d, lines %q", r.code, lines)
	}
	if r := runCLI("signals", "--db", filepath.Join(t.TempDir(), "missing.db")); r.code != exitRuntime {
		t.Fatalf("missing file: exit %d", r.code)
	}
}

func TestSignalsFromRunningBot(t *testing.T) {
	_, st := signalsDB(t)
	defer st.Close()
	cfg := config.Default()
	cfg.Mode = config.ModeDryRun
	a, err := agent.New(agent.Deps{Config: cfg, Store: st, Market: noSource{}, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	r := runCLI("signals", "--url", srv.URL, "--since", "0")
	if r.code != exitOK || !strings.Contains(r.stdout, "old1L") || !strings.Contains(r.stdout, "new2S") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI("signals", "--url", srv.URL+"/nothing-here"); r.code != exitRuntime {
		t.Fatalf("bad url: exit %d", r.code)
	}
}

type noSource struct{}

func (noSource) Run(ctx context.Context, _ chan<- exchange.Event) error { <-ctx.Done(); return nil }

func TestMapFromStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "taobot.db")
	st, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	mc, err := agent.MapConfig(cfg, exchange.SymbolRules{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := liqmap.New(mc)
	if err != nil {
		t.Fatal(err)
	}
	meta := exchange.EventMeta{Symbol: "TAOUSDT", ExchangeTime: now0, ReceiveTime: now0}
	for _, ev := range []exchange.Event{
		exchange.MarkPrice{EventMeta: meta, Mark: dec("400"), Index: dec("400")},
		exchange.Liquidation{EventMeta: meta, Side: exchange.Buy, Price: dec("405"), AvgPrice: dec("405"), Qty: dec("500"), FilledQty: dec("500"), Status: exchange.StatusFilled, TradeTime: now0},
	} {
		if err := m.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	data, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	visits, _ := json.Marshal([]strategy.Visit{{Low: dec("404.8"), High: dec("405.2"), Peak: dec("405"), Dominant: exchange.Short, FromBelow: true, Outcome: strategy.Bounce}})
	if err := st.PutSnapshot(state.MapSnapshot{Time: now0, Version: 1, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := st.KVPut(agent.KVBehaviour, visits); err != nil {
		t.Fatal(err)
	}
	st.Close()

	r := runCLI("map", "--db", path)
	for _, want := range []string{"Liquidation map from snapshot 2026-11-24T12:00:00Z", "price 400", "cluster behaviour (1 classified visits)", "break 0  bounce 1  consolidate 0"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("map output lacks %q (exit %d):\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}
	r = runCLI("map", "--db", path, "--json")
	var view agent.MapView
	if err := json.Unmarshal([]byte(r.stdout), &view); err != nil || r.code != exitOK {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	if !view.Mark.Equal(dec("400")) || len(view.Clusters) != 1 || !view.Clusters[0].Short.Equal(dec("202500")) || len(view.Behaviour) != 1 {
		t.Fatalf("view %+v", view)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if s, err := state.Open(empty); err == nil {
		s.Close()
	}
	if r := runCLI("map", "--db", empty); r.code != exitRuntime || !strings.Contains(r.stderr, "holds no map snapshot yet") {
		t.Fatalf("empty file: exit %d %q", r.code, r.stderr)
	}
}
