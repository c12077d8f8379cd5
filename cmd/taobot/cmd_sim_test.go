package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"
	"gopkg.in/yaml.v3"
)

func TestSimFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"--help"}, exitOK, "Usage: taobot sim"},
		{"help describes scenarios", []string{"--help"}, exitOK, "  long-cascade   crowded high-leverage longs, then a ~7% drop in 6 min"},
		{"help describes flat", []string{"--help"}, exitOK, "  flat           tiny seeded random walk"},
		{"unknown scenario", []string{"--scenario", "moon"}, exitUsage, `--scenario: unknown "moon"`},
		{"bad speed", []string{"--speed", "0"}, exitUsage, "--speed: must be > 0"},
		{"bad balance", []string{"--balance", "-3"}, exitUsage, "--balance: must be a positive number"},
		{"bad start", []string{"--start", "yesterday"}, exitUsage, "--start: must be RFC3339"},
		{"extra arg", []string{"now"}, exitUsage, "unexpected arguments"},
		{"bad fault", []string{"--fault", "boom@1m"}, exitUsage, `fault "boom@1m"`},
		{"bad listen", []string{"--listen", "256.0.0.1:1"}, exitRuntime, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := runSim(context.Background(), &cli{stdout: &out, stderr: &errb}, tt.args)
			if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.want) {
				t.Errorf("code %d, want %d; output lacks %q:\n%s%s", code, tt.code, tt.want, out.String(), errb.String())
			}
		})
	}
}

func TestSimServesUntilCancelled(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runSim(ctx, &cli{stdout: pw, stderr: &errb}, []string{"--seed", "5", "--speed", "60", "--start", "2026-03-01T00:00:00Z", "--fault", "stall@1h:1m", "--drop-every", "2h"})
		_ = pw.Close()
	}()
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "Press Ctrl-C") {
			break
		}
	}
	text := banner.String()
	_, snippet, ok := strings.Cut(text, "Config snippet:\n")
	if !ok {
		t.Fatalf("no config snippet in:\n%s\nstderr: %s", text, errb.String())
	}
	snippet, _, _ = strings.Cut(snippet, "Press Ctrl-C")
	var cfg struct {
		Exchange struct {
			Network string `yaml:"network"`
			RESTURL string `yaml:"rest_url"`
			WSURL   string `yaml:"ws_url"`
		} `yaml:"exchange"`
	}
	if err := yaml.Unmarshal([]byte(snippet), &cfg); err != nil {
		t.Fatalf("snippet is not YAML: %v\n%s", err, snippet)
	}
	if cfg.Exchange.Network != "custom" || !strings.HasPrefix(cfg.Exchange.RESTURL, "http://127.0.0.1:") || !strings.HasPrefix(cfg.Exchange.WSURL, "ws://127.0.0.1:") {
		t.Fatalf("snippet: %+v", cfg.Exchange)
	}
	var key, secret string
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "export BINANCE_API_KEY="); ok {
			key = v
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "export BINANCE_API_SECRET="); ok {
			secret = v
		}
	}
	c := futures.NewClient(key, secret)
	c.BaseURL = cfg.Exchange.RESTURL
	c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	if err := c.NewPingService().Do(ctx); err != nil {
		t.Fatalf("ping the printed URL: %v", err)
	}
	bal, err := c.NewGetBalanceService().Do(ctx)
	if err != nil || len(bal) != 1 || bal[0].Balance != "10000.00000000" {
		t.Fatalf("signed balance with the printed key: %+v %v", bal, err)
	}
	cancel()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d, stderr: %s", code, errb.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("taobot sim did not stop after cancel")
	}
}
