package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taobot/taobot/state"
)

func TestRunExitCodes(t *testing.T) {
	bad := writeConfig(t, "risk: {max_loss_usdt: -5}\n")
	live := writeConfig(t, "mode: live\nstate: {path: $DIR/s.db}\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"help", []string{"run", "--help"}, exitOK, "Usage: taobot run"},
		{"bad flag", []string{"run", "--bogus"}, exitUsage, "flag provided but not defined"},
		{"bad log level flag", []string{"run", "--log-level", "loud"}, exitUsage, `"loud"`},
		{"bad log format flag", []string{"run", "--log-format", "xml"}, exitUsage, `"xml"`},
		{"extra argument", []string{"run", "now"}, exitUsage, "unexpected argument"},
		{"bad config", []string{"run", "-c", bad}, exitConfig, "risk.max_loss_usdt: must be > 0, got -5"},
		{"missing config", []string{"run", "-c", filepath.Join(t.TempDir(), "none.yaml")}, exitConfig, "no such file"},
		{"live without keys", []string{"run", "-c", live}, exitConfig, "no API keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := invokeTaobot(context.Background(), nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr+r.stdout, tt.stderr) {
				t.Errorf("code %d, want %d; output lacks %q?\nstdout: %s\nstderr: %s", r.code, tt.code, tt.stderr, r.stdout, r.stderr)
			}
		})
	}
}

func TestRunStartsAndStopsCleanly(t *testing.T) {
	const key, secret = "kEy0123456789abcdefKEY", "sEcReT0123456789abcdefSECRET"
	cfgPath := writeConfig(t, "mode: paper\nstate: {path: $DIR/data/taobot.db}\nlog: {format: console}\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // already cancelled: run must start, log, and stop at once
	env := map[string]string{"BINANCE_API_KEY": key, "BINANCE_API_SECRET": secret}
	r := invokeTaobot(ctx, env, "run", "-c", cfgPath, "--log-format", "json", "--log-level", "debug")
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, key) || strings.Contains(r.stdout+r.stderr, secret) {
		t.Fatalf("a secret was logged:\n%s", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var msgs []string
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil { // --log-format json beats the config's console
			t.Fatalf("not a JSON line: %q", l)
		}
		msgs = append(msgs, m["message"].(string))
		if m["message"] == "taobot starting" {
			want := map[string]any{"mode": "paper", "symbol": "TAOUSDT", "network": "mainnet",
				"rest_url": "https://fapi.binance.com", "ws_url": "wss://fstream.binance.com", "http": "off"}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("start line %s = %v, want %v", k, m[k], v)
				}
			}
			if keys, _ := m["keys"].(map[string]any); keys["present"] != true || keys["source"] != "env" {
				t.Errorf("start line keys = %v, want present from env", m["keys"])
			}
		}
	}
	if got := strings.Join(msgs, "|"); got != "taobot starting|taobot stopping|taobot stopped" {
		t.Errorf("messages = %s", got)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfgPath), "data", "taobot.db")); err != nil {
		t.Errorf("state file not created: %v", err)
	}
}

func TestRunRefusesLockedState(t *testing.T) {
	cfgPath := writeConfig(t, "state: {path: $DIR/taobot.db}\n")
	st, err := state.Open(filepath.Join(filepath.Dir(cfgPath), "taobot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := invokeTaobot(ctx, nil, "run", "-c", cfgPath, "--log-format", "json")
	if r.code != exitRuntime || !strings.Contains(r.stdout, "another taobot is using") || strings.Contains(r.stdout, "taobot starting") {
		t.Errorf("exit %d, want %d with the lock message and no start line\nstdout: %s\nstderr: %s", r.code, exitRuntime, r.stdout, r.stderr)
	}
}
