package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliResult is what one in-process taobot invocation produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// invokeTaobot runs Main in-process with the given environment.
func invokeTaobot(ctx context.Context, env map[string]string, args ...string) cliResult {
	var out, errb bytes.Buffer
	code := Main(ctx, args, &cli{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }})
	return cliResult{code, out.String(), errb.String()}
}

// writeConfig writes a config file in a temp dir whose state file also lives there.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "taobot.yaml")
	body = strings.ReplaceAll(body, "$DIR", dir)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigCheckExitCodes(t *testing.T) {
	good := writeConfig(t, "mode: paper\nstate: {path: $DIR/s.db}\n")
	bad := writeConfig(t, "mode: yolo\nrisk:\n  max_loss_usdt: -5\n  max_leverage: 0\nlog: {level: loud}\n")
	live := writeConfig(t, "mode: live\n")
	liveBad := writeConfig(t, "mode: live\nrisk: {max_loss_usdt: -1}\n")
	nopct := writeConfig(t, "state: {path: $DIR/s.db}\nrisk: {max_loss_pct: 0, daily_loss_limit_usdt: 0}\n")
	typo := writeConfig(t, "mode: yolo\nrisk:\n  max_los_usdt: 5\n  max_leverage: 1.5\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
		env    map[string]string
	}{
		{"no command", nil, exitUsage, nil, []string{"Usage: taobot"}, nil},
		{"unknown command", []string{"frobnicate"}, exitUsage, nil, []string{`unknown command "frobnicate"`}, nil},
		{"top help", []string{"--help"}, exitOK, []string{"config", "version"}, nil, nil},
		{"config without subcommand", []string{"config"}, exitUsage, nil, []string{"Usage: taobot config check"}, nil},
		{"config unknown subcommand", []string{"config", "fix"}, exitUsage, nil, []string{`unknown subcommand "fix"`}, nil},
		{"config help", []string{"config", "--help"}, exitOK, []string{"Usage: taobot config check"}, nil, nil},
		{"check help", []string{"config", "check", "--help"}, exitOK, nil, []string{"Usage: taobot config check", "-c FILE"}, nil},
		{"check bad flag", []string{"config", "check", "--nope"}, exitUsage, nil, []string{"flag provided but not defined: -nope"}, nil},
		{"check extra arg", []string{"config", "check", good}, exitUsage, nil, []string{"unexpected argument"}, nil},
		{"check good", []string{"config", "check", "-c", good}, exitOK, []string{good + ": OK", "mode      paper", "keys      none"}, nil, nil},
		{"check good long flag", []string{"config", "check", "--config", good}, exitOK,
			[]string{"OK", "risk      max loss 10 USDT or 1% of equity (the smaller) per trade, daily limit 30 USDT, max leverage 10x isolated"}, nil, nil},
		{"check summary without pct or daily limit", []string{"config", "check", "-c", nopct}, exitOK,
			[]string{"risk      max loss 10 USDT per trade, no daily limit, max leverage 10x isolated"}, nil, nil},
		{"check bad lists every problem", []string{"config", "check", "-c", bad}, exitConfig, nil,
			[]string{"4 problem(s)", bad + ":1: mode:", bad + ":3: risk.max_loss_usdt: must be > 0, got -5", bad + ":4: risk.max_leverage:", bad + ":5: log.level:"}, nil},
		{"check missing file", []string{"config", "check", "-c", "/nonexistent/taobot.yaml"}, exitConfig, nil, []string{"no such file", "-c FILE"}, nil},
		{"check live without keys", []string{"config", "check", "-c", live}, exitConfig, nil, []string{live + ":1: mode: live, no API keys", "BINANCE_API_KEY"}, nil},
		{"check live without keys and a bad value", []string{"config", "check", "-c", liveBad}, exitConfig, nil,
			[]string{"2 problem(s)", liveBad + ":1: mode: live, no API keys", liveBad + ":2: risk.max_loss_usdt: must be > 0, got -1"}, nil},
		{"check live with env keys", []string{"config", "check", "-c", live}, exitOK, []string{"mode      live", "keys      found in env"}, nil,
			map[string]string{"BINANCE_API_KEY": "k123456789", "BINANCE_API_SECRET": "s123456789"}},
		{"check unknown key and bad values together", []string{"config", "check", "-c", typo}, exitConfig, nil,
			[]string{"3 problem(s)", typo + ":1: mode:", typo + ":3: risk.max_los_usdt: unknown key", typo + ":4: risk.max_leverage: not a whole number"}, nil},
		{"version", []string{"version"}, exitOK, []string{"taobot " + version + " (commit "}, nil, nil},
		{"version help", []string{"version", "--help"}, exitOK, nil, []string{"Usage: taobot version"}, nil},
		{"version extra arg", []string{"version", "now"}, exitUsage, nil, []string{`unexpected argument "now"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := invokeTaobot(context.Background(), tt.env, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code = %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if strings.Contains(r.stdout+r.stderr, "s123456789") {
				t.Errorf("a secret was printed")
			}
		})
	}
}

func TestConfigCheckRefusesOpenKeyFile(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys.env")
	if err := os.WriteFile(keyFile, []byte("BINANCE_API_KEY=k123456789\nBINANCE_API_SECRET=s123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, "mode: live\nkeys: {key_file: "+keyFile+"}\n")
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	r := invokeTaobot(context.Background(), nil, "config", "check", "-c", cfg)
	if r.code != exitConfig || !strings.Contains(r.stderr, "mode 0644") || !strings.Contains(r.stderr, "chmod 600 "+keyFile) {
		t.Errorf("0644: exit %d, stderr %q; want 3 with the mode and the chmod to run", r.code, r.stderr)
	}
	if err := os.Chmod(keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	r = invokeTaobot(context.Background(), nil, "config", "check", "-c", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "keys      found in key file "+keyFile) {
		t.Errorf("0600: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "s123456789") {
		t.Error("the secret was printed")
	}
}
