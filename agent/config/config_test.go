package config

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func mustParse(t *testing.T, y string) *Config {
	t.Helper()
	cfg, err := Parse([]byte(y), "test.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

func problemsOf(t *testing.T, y string) Problems {
	t.Helper()
	_, err := Parse([]byte(y), "test.yaml")
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse(%q) = %v, want Problems", y, err)
	}
	return ps
}

func TestDefaultsFromEmptyFile(t *testing.T) {
	cfg := mustParse(t, "")
	if cfg.Mode != ModePaper || cfg.Symbol != "TAOUSDT" || cfg.Exchange.Network != NetworkMainnet {
		t.Fatalf("mode/symbol/network = %s/%s/%s, want paper/TAOUSDT/mainnet", cfg.Mode, cfg.Symbol, cfg.Exchange.Network)
	}
	if cfg.Exchange.OIPollInterval != 5*time.Second || cfg.Exchange.StaleAfter != 10*time.Second {
		t.Errorf("oi_poll_interval/stale_after = %s/%s, want 5s/10s", cfg.Exchange.OIPollInterval, cfg.Exchange.StaleAfter)
	}
	if cfg.Risk.MaxLeverage != 10 || cfg.Risk.MarginType != "isolated" || !cfg.Risk.LiqBuffer.Equal(dec("0.5")) {
		t.Errorf("risk defaults wrong: %+v", cfg.Risk)
	}
	if !cfg.Risk.MakerFeeRate.Equal(dec("0.0002")) || !cfg.Risk.TakerFeeRate.Equal(dec("0.0005")) {
		t.Errorf("fees = %s/%s, want 0.0002/0.0005", cfg.Risk.MakerFeeRate, cfg.Risk.TakerFeeRate)
	}
	if got := cfg.LiqMap.LeverageMix[10]; !got.Equal(dec("0.35")) || len(cfg.LiqMap.LeverageMix) != 6 {
		t.Errorf("leverage mix = %v, want 6 entries with 10x = 0.35", cfg.LiqMap.LeverageMix)
	}
	if !cfg.LiqMap.RoundNumberDistancePct.Equal(dec("2")) {
		t.Errorf("round_number_distance_pct = %s, want 2", cfg.LiqMap.RoundNumberDistancePct)
	}
	rest, ws := cfg.Exchange.Endpoints()
	if rest != "https://fapi.binance.com" || ws != "wss://fstream.binance.com" {
		t.Errorf("endpoints = %s %s", rest, ws)
	}
}

func TestBracketsOverride(t *testing.T) {
	cfg := mustParse(t, `symbol: BTCUSDT
risk:
  brackets:
    - {notional_floor: 0, notional_cap: 10000, maint_margin_ratio: 0.01, cum: 0, max_leverage: 75}
    - {notional_floor: 10000, notional_cap: 100000, maint_margin_ratio: 0.015, cum: 50, max_leverage: 50}
`)
	bs := cfg.Risk.ExchangeBrackets()
	if len(bs) != 2 || bs[1].Bracket != 2 || bs[1].InitialLeverage != 50 || !bs[1].Cum.Equal(dec("50")) || !bs[1].NotionalFloor.Equal(dec("10000")) {
		t.Errorf("brackets = %+v", bs)
	}
}

func TestDefaultIsValid(t *testing.T) {
	cfg := Default()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestEmptyValueKeepsDefault(t *testing.T) {
	cfg := mustParse(t, "exchange:\n  stale_after:\nrisk:\n  max_loss_usdt:\nliqmap:\n  leverage_mix:\n")
	if cfg.Exchange.StaleAfter != 10*time.Second || !cfg.Risk.MaxLossUSDT.Equal(dec("10")) || len(cfg.LiqMap.LeverageMix) != 6 {
		t.Errorf("got stale_after %s, max_loss_usdt %s, %d leverages; want the defaults 10s, 10, 6",
			cfg.Exchange.StaleAfter, cfg.Risk.MaxLossUSDT, len(cfg.LiqMap.LeverageMix))
	}
}

func TestQuotedTimeDecodes(t *testing.T) {
	cfg := mustParse(t, "risk: {news_blackouts: [{at: \"2026-03-18T19:00:00+01:00\", after: 1h}]}")
	if got := cfg.Risk.NewsBlackouts[0].At; !got.Equal(time.Date(2026, 3, 18, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("at = %s, want 18:00 UTC", got)
	}
}

func TestValuesDecodeExactly(t *testing.T) {
	cfg := mustParse(t, `
exchange:
  network: custom
  rest_url: http://127.0.0.1:9000
  ws_url: ws://127.0.0.1:9001
  stale_after: 1m30s
risk:
  maker_fee_rate: 0.00018
  max_loss_usdt: "12.345"
  news_blackouts:
    - {at: 2026-03-18T18:00:00Z, before: 30m, after: 1h, label: FOMC}
liqmap:
  leverage_mix: {10: 1}
`)
	if !cfg.Risk.MakerFeeRate.Equal(dec("0.00018")) || cfg.Risk.MakerFeeRate.String() != "0.00018" {
		t.Errorf("maker fee = %s, want exactly 0.00018", cfg.Risk.MakerFeeRate)
	}
	if cfg.Risk.MaxLossUSDT.String() != "12.345" {
		t.Errorf("max loss = %s", cfg.Risk.MaxLossUSDT)
	}
	if cfg.Exchange.StaleAfter != 90*time.Second {
		t.Errorf("stale_after = %s, want 1m30s", cfg.Exchange.StaleAfter)
	}
	b := cfg.Risk.NewsBlackouts
	if len(b) != 1 || !b[0].At.Equal(time.Date(2026, 3, 18, 18, 0, 0, 0, time.UTC)) || b[0].Before != 30*time.Minute || b[0].Label != "FOMC" {
		t.Errorf("blackouts = %+v", b)
	}
	// a map in the file replaces the default mix instead of merging into it
	if len(cfg.LiqMap.LeverageMix) != 1 || !cfg.LiqMap.LeverageMix[10].Equal(decimal.NewFromInt(1)) {
		t.Errorf("leverage mix = %v, want only 10: 1", cfg.LiqMap.LeverageMix)
	}
	rest, ws := cfg.Exchange.Endpoints()
	if rest != "http://127.0.0.1:9000" || ws != "ws://127.0.0.1:9001" {
		t.Errorf("endpoints = %s %s", rest, ws)
	}
}

func TestBadConfigs(t *testing.T) {
	tests := []struct {
		name, yaml, want string // want: the full "path: message" start
	}{
		{"negative max loss", "risk: {max_loss_usdt: -5}", "risk.max_loss_usdt: must be > 0, got -5"},
		{"unknown mode", "mode: yolo", `mode: unknown value, got "yolo" (allowed: live, paper, dry-run)`},
		{"custom without urls", "exchange: {network: custom, ws_url: 'ws://127.0.0.1:2'}", "exchange.rest_url: required when exchange.network is custom"},
		{"custom ws scheme", "exchange: {network: custom, rest_url: 'http://127.0.0.1:1', ws_url: 'http://127.0.0.1:2'}", `exchange.ws_url: wrong scheme, got "http" (allowed: ws, wss)`},
		{"url without custom", "exchange: {rest_url: 'http://127.0.0.1:1'}", "exchange.rest_url: only used with network: custom"},
		{"bad network", "exchange: {network: moon}", `exchange.network: unknown value, got "moon" (allowed: mainnet, testnet, custom)`},
		{"leverage too high", "risk: {max_leverage: 200}", "risk.max_leverage: out of range, got 200 (allowed: 1 to 125)"},
		{"margin type", "risk: {margin_type: portfolio}", `risk.margin_type: unknown value, got "portfolio" (allowed: isolated, cross)`},
		{"liq buffer 1", "risk: {liq_buffer: 1}", "risk.liq_buffer: out of range, got 1"},
		{"velocity windows", "liqmap: {velocity: {short: 10m, long: 5m}}", "liqmap.velocity.long: must be longer than velocity.short (10m0s), got 5m0s"},
		{"oi removal", "liqmap: {oi_removal: random}", `liqmap.oi_removal: unknown value, got "random" (allowed: proportional, nearest)`},
		{"entry type", "orders: {entry_type: stop}", `orders.entry_type: unknown value, got "stop" (allowed: limit, market)`},
		{"client id prefix", "orders: {client_id_prefix: 'far too long'}", `orders.client_id_prefix: must be 1-8 letters`},
		{"log level", "log: {level: verbose}", `log.level: unknown value, got "verbose"`},
		{"log format", "log: {format: xml}", `log.format: unknown value, got "xml" (allowed: auto, json, console)`},
		{"http listen", "http: {listen: '8080'}", `http.listen: not a host:port address, got "8080"`},
		{"duration without unit", "exchange: {stale_after: 10}", `exchange.stale_after: not a duration, got "10" (allowed: a duration like`},
		{"decimal garbage", "risk: {max_loss_usdt: ten}", `risk.max_loss_usdt: not a decimal number, got "ten"`},
		{"zero duration", "exchange: {oi_poll_interval: 0s}", "exchange.oi_poll_interval: must be > 0, got 0s"},
		{"blackout without at", "risk: {news_blackouts: [{before: 1h}]}", "risk.news_blackouts[0].at: required"},
		{"blackout bad time", "risk: {news_blackouts: [{at: tomorrow, before: 1h}]}", `risk.news_blackouts[0].at: not an RFC3339 time, got "tomorrow"`},
		{"bracket gap", "risk: {brackets: [{notional_floor: 0, notional_cap: 100, maint_margin_ratio: 0.01, cum: 0, max_leverage: 50}, {notional_floor: 200, notional_cap: 300, maint_margin_ratio: 0.02, cum: 1, max_leverage: 20}]}",
			"risk.brackets[1].notional_floor: must equal the previous tier's notional_cap (100), got 200"},
		{"bracket cum", "risk: {brackets: [{notional_floor: 0, notional_cap: 100, maint_margin_ratio: 0.01, cum: 0, max_leverage: 50}, {notional_floor: 100, notional_cap: 300, maint_margin_ratio: 0.02, cum: 5, max_leverage: 20}]}",
			"risk.brackets: tier 2: cum 5 should be 1"},
		{"leverage mix key", "liqmap: {leverage_mix: {0: 1}}", "liqmap.leverage_mix.0: out of range, got 0 (allowed: 1 to 125)"},
		{"leverage mix weight", "liqmap: {leverage_mix: {10: -1, 20: 2}}", "liqmap.leverage_mix.10: must be >= 0, got -1"},
		{"symbol lower case", "symbol: taousdt", `symbol: must be an upper-case USD-M symbol, got "taousdt"`},
		{"other symbol needs brackets", "risk: {max_leverage: 10}\nsymbol: BTCUSDT", "risk.brackets: required for BTCUSDT in paper mode"},
		{"empty state path", "state: {path: ''}", `state.path: must name the state file, got ""`},
		{"fade ratios", "strategy: {fade: {spike_velocity_ratio: 2, fading_velocity_ratio: 2}}", "strategy.fade.fading_velocity_ratio: must be below spike_velocity_ratio (2), got 2"},
		{"backoff order", "exchange: {reconnect_backoff: {min: 10s, max: 5s}}", "exchange.reconnect_backoff.max: must be >= reconnect_backoff.min (10s), got 5s"},
		{"daily below trade", "risk: {max_loss_usdt: 50, daily_loss_limit_usdt: 20}", "risk.daily_loss_limit_usdt: is below one trade's max loss (50), got 20"},
		{"section not a mapping", "risk: 5", `risk: this section must be a mapping of key: value lines, got "5"`},
		{"list where value", "risk: {max_leverage: [1, 2]}", "risk.max_leverage: must be a single value, got a list"},
		{"bool garbage", "orders: {exit_on_cluster_gone: maybe}", `orders.exit_on_cluster_gone: not true or false, got "maybe"`},
		{"disabled trailing still checked", "orders: {trailing: {enabled: false, distance_pct: -1}}", "orders.trailing.distance_pct: out of range, got -1"},
		{"disabled breakeven still checked", "orders: {breakeven: {trigger_r: 0}}", "orders.breakeven.trigger_r: must be > 0, got 0"},
		{"pct above 100", "risk: {max_loss_pct: 150}", "risk.max_loss_pct: out of range, got 150 (allowed: >= 0 and <= 100)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := problemsOf(t, tt.yaml)
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(ps), ps)
			}
			msg := ps[0].Path + ": " + ps[0].Msg
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("problem = %q\nwant prefix %q", msg, tt.want)
			}
			if ps[0].Line != 1 || !strings.HasPrefix(ps[0].Error(), "test.yaml:1: ") {
				t.Errorf("Error() = %q, want it located at test.yaml:1", ps[0].Error())
			}
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	// Unknown keys, badly typed values, secrets and rule violations all come
	// back from one Parse, in file order, one line each.
	ps := problemsOf(t, `mode: yolo
risk:
  max_loss_usdt: -5
  max_leverage: 0
  max_los_pct: 1
  hold_horizon: 10
  api_secret: hunter2
  news_blackouts: [5, {at: 2026-03-18T18:00:00Z, before: soon, after: 1h}]
liqmap:
  oi_removal: random
log:
  level: loud
`)
	want := []struct {
		path string
		line int
	}{
		{"mode", 1}, {"risk.max_loss_usdt", 3}, {"risk.max_leverage", 4}, {"risk.max_los_pct", 5},
		{"risk.hold_horizon", 6}, {"risk.api_secret", 7},
		{"risk.news_blackouts[0]", 8}, {"risk.news_blackouts[1].before", 8},
		{"liqmap.oi_removal", 10}, {"log.level", 12},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if ps[i].Path != w.path || ps[i].Line != w.line {
			t.Errorf("problem %d = %s line %d, want %s line %d", i, ps[i].Path, ps[i].Line, w.path, w.line)
		}
	}
	if n := strings.Count(ps.Error(), "\n"); n != len(want)-1 {
		t.Errorf("Error() has %d lines, want one per problem:\n%s", n+1, ps.Error())
	}
	if strings.Contains(ps.Error(), "hunter2") {
		t.Errorf("a problem echoes the secret value:\n%s", ps.Error())
	}
	// A dropped value does not also produce the section-level problem it causes.
	ps = problemsOf(t, "liqmap:\n  leverage_mix: {ten: 1}\nrisk:\n  news_blackouts: [{at: 2026-03-18T18:00:00Z, after: soon}]\n")
	if len(ps) != 2 || ps[0].Path != "liqmap.leverage_mix.ten" || ps[1].Path != "risk.news_blackouts[0].after" {
		t.Errorf("want only the two bad values, got:\n%v", ps)
	}
}

func TestUnknownKeys(t *testing.T) {
	ps := problemsOf(t, `modee: paper
risk:
  max_los_usdt: 5
  zzz: 1
orders:
  breakeven: {enabld: true}
`)
	want := []struct{ path, msg string }{
		{"modee", `unknown key, did you mean "mode"?`},
		{"risk.max_los_usdt", `unknown key, did you mean "max_loss_usdt"?`},
		{"risk.zzz", "unknown key (allowed: brackets, cooldown_after_stop,"},
		{"orders.breakeven.enabld", `unknown key, did you mean "enabled"?`},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if ps[i].Path != w.path || !strings.HasPrefix(ps[i].Msg, w.msg) {
			t.Errorf("problem %d = %s: %s\nwant %s: %s...", i, ps[i].Path, ps[i].Msg, w.path, w.msg)
		}
	}
	if ps[1].Line != 3 {
		t.Errorf("max_los_usdt line = %d, want 3", ps[1].Line)
	}
}

func TestSecretInYAMLRejected(t *testing.T) {
	const value = "sEcReTvAlUe1234567890"
	tests := []struct{ yaml, path string }{
		{"api_key: " + value, "api_key"},
		{"keys: {api_secret: " + value + "}", "keys.api_secret"},
		{"exchange: {secret: " + value + "}", "exchange.secret"},
		{"keys: {key: " + value + "}", "keys.key"},
		{"risk: {Binance-API-Key: " + value + "}", "risk.Binance-API-Key"},
		{"http: {password: " + value + "}", "http.password"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ps := problemsOf(t, tt.yaml)
			if len(ps) != 1 || ps[0].Path != tt.path {
				t.Fatalf("problems = %v, want one at %s", ps, tt.path)
			}
			if !strings.Contains(ps[0].Msg, "secrets must not be in the config file") || !strings.Contains(ps[0].Msg, "BINANCE_API_SECRET") || !strings.Contains(ps[0].Msg, "keys.key_file") {
				t.Errorf("message does not say where secrets belong: %s", ps[0].Msg)
			}
			if strings.Contains(ps.Error(), value) {
				t.Errorf("the secret value leaked into the error: %s", ps.Error())
			}
		})
	}
	// key_file is a path, not a secret
	mustParse(t, "keys: {key_file: /etc/taobot/keys}")
}

func TestShippedConfigsAreValid(t *testing.T) {
	def := Default()
	def.Risk.NewsBlackouts, def.Risk.Brackets = []Blackout{}, []BracketOverride{} // the file lists them as []
	want, _ := json.Marshal(def)
	cfg, err := Load("../../configs/taobot.yaml")
	if err != nil {
		t.Fatalf("configs/taobot.yaml: %v", err)
	}
	got, _ := json.Marshal(cfg)
	if string(got) != string(want) {
		t.Errorf("configs/taobot.yaml differs from Default():\n got %s\nwant %s", got, want)
	}
	for _, f := range []string{"dry-run.yaml", "live.example.yaml"} {
		if _, err := Load("../../configs/" + f); err != nil {
			t.Errorf("configs/%s: %v", f, err)
		}
	}
}

func TestOneDocumentOnly(t *testing.T) {
	ps := problemsOf(t, "mode: paper\n---\nmode: live\n")
	if len(ps) != 1 || !strings.Contains(ps[0].Msg, "more than one YAML document") {
		t.Fatalf("problems = %v", ps)
	}
	mustParse(t, "---\nmode: paper\n") // a leading --- is fine
}

func TestSyntaxErrorHasLine(t *testing.T) {
	ps := problemsOf(t, "mode: paper\nrisk:\n  max_loss_usdt: [1\n")
	if len(ps) != 1 || ps[0].Line == 0 {
		t.Fatalf("problems = %v, want one with a line", ps)
	}
}

func TestTabIndentNamesTheCause(t *testing.T) {
	ps := problemsOf(t, "mode: paper\nrisk:\n\tmax_loss_usdt: 5\n")
	if len(ps) != 1 || ps[0].Line != 3 || !strings.Contains(ps[0].Msg, "YAML indents with spaces only") {
		t.Fatalf("problems = %v, want one at line 3 naming the tab", ps)
	}
}
