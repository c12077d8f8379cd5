package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

var fixed = func() time.Time { return time.Date(2026, 11, 24, 4, 5, 6, 789e6, time.UTC) }

// logEverywhere logs each secret in every way we can think of.
func logEverywhere(log zerolog.Logger, secrets ...string) {
	for _, s := range secrets {
		log.Info().Str("api_key", s).Msg("field")
		log.Info().Msg("message " + s)
		log.Warn().Msgf("formatted %s and %q", s, s)
		log.Error().Err(fmt.Errorf("signing failed for key %s: %w", s, errors.New("boom"))).Msg("error")
		log.Info().Interface("req", map[string]any{"headers": map[string]string{"X-MBX-APIKEY": s}}).Msg("interface")
		log.Info().Strs("list", []string{"a", s}).Bytes("raw", []byte(s)).Msg("slices")
		log.Info().Dict("nested", zerolog.Dict().Str("secret", s)).Msg("dict")
		child := log.With().Str("ctx", s).Logger()
		child.Info().Msg("context field")
		log.Info().Str("url", "https://x/fapi/v1/order?signature=abc&key="+s+"&x=1").Msg("embedded")
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	secrets := []string{
		"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", // Binance-shaped key
		`NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j`,
		`we"ird\secret/with<chars>`, // needs escaping in JSON and in Go quotes
	}
	for _, format := range []string{FormatJSON, FormatConsole} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := New(Options{Level: "trace", Format: format, Out: &buf, Secrets: secrets, Now: fixed})
			if err != nil {
				t.Fatal(err)
			}
			logEverywhere(log, secrets...)
			out := buf.String()
			if got := strings.Count(out, "\n"); got != 9*len(secrets) {
				t.Fatalf("got %d lines, want %d", got, 9*len(secrets))
			}
			for _, s := range secrets {
				q := jsonEscaped(s)
				for _, form := range []string{s, q, s[:len(s)-1] + "\\" + s[len(s)-1:]} {
					if strings.Contains(out, form) {
						t.Errorf("output contains secret form %q:\n%s", form, out)
					}
				}
				// a distinctive middle part catches partial leaks too
				if strings.Contains(out, s[4:len(s)-4]) || strings.Contains(out, q[4:len(q)-4]) {
					t.Errorf("output contains part of secret %q", s)
				}
			}
			if strings.Count(out, Redacted) < 9*len(secrets) {
				t.Errorf("expected at least one %s per line:\n%s", Redacted, out)
			}
		})
	}
}

// jsonEscaped is s as it appears inside a JSON string (zerolog does not escape <, >, &).
func jsonEscaped(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")[1 : b.Len()-2]
}

func TestJSONLineShape(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(Options{Level: "info", Format: FormatAuto, Out: &buf, Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	log.Debug().Msg("hidden")
	log.Info().Str("mode", "paper").Msg("taobot starting")
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil { // auto on a buffer = JSON, one line
		t.Fatalf("not one JSON line: %q: %v", buf.String(), err)
	}
	want := map[string]any{"level": "info", "mode": "paper", "message": "taobot starting", "time": "2026-11-24T04:05:06.789Z"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
}

func TestConsoleFormat(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(Options{Format: FormatConsole, Out: &buf, Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	log.Info().Str("mode", "paper").Msg("taobot starting")
	want := "2026-11-24T04:05:06.789Z INF taobot starting mode=paper\n"
	if buf.String() != want {
		t.Errorf("console line = %q, want %q", buf.String(), want)
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := New(Options{Level: "loud"}); err == nil || !strings.Contains(err.Error(), `"loud"`) {
		t.Errorf("bad level: err = %v", err)
	}
	if _, err := New(Options{Format: "xml"}); err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("bad format: err = %v", err)
	}
	for in, want := range map[string]zerolog.Level{"": zerolog.InfoLevel, "trace": zerolog.TraceLevel, "warn": zerolog.WarnLevel, "error": zerolog.ErrorLevel} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestRedactorReportsInputLength(t *testing.T) {
	var buf bytes.Buffer
	r := NewRedactor(&buf, "topsecret", "")
	n, err := r.Write([]byte("a topsecret b\n"))
	if err != nil || n != 14 || buf.String() != "a "+Redacted+" b\n" {
		t.Errorf("Write = %d, %v; wrote %q", n, err, buf.String())
	}
}
