package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

const (
	testKey    = "kEyVaLuE0123456789abcdef"
	testSecret = "sEcReTvAlUe0123456789abcdef"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeKeyFile(t *testing.T, mode os.FileMode, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "keys.env")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // WriteFile's mode is filtered by umask; Chmod is not
		t.Fatal(err)
	}
	return p
}

func TestKeyFilePermissions(t *testing.T) {
	body := "# taobot keys\nBINANCE_API_KEY=" + testKey + "\nexport BINANCE_API_SECRET=\"" + testSecret + "\"\n"
	t.Run("0644 refused", func(t *testing.T) {
		p := writeKeyFile(t, 0o644, body)
		cfg := Default()
		cfg.Keys.KeyFile = p
		_, err := LoadSecrets(&cfg, env(nil))
		if err == nil {
			t.Fatal("a world-readable key file was accepted")
		}
		for _, want := range []string{p, "mode 0644", "chmod 600 " + p} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	})
	t.Run("0640 refused", func(t *testing.T) {
		cfg := Default()
		cfg.Keys.KeyFile = writeKeyFile(t, 0o640, body)
		if _, err := LoadSecrets(&cfg, env(nil)); err == nil || !strings.Contains(err.Error(), "mode 0640") {
			t.Fatalf("err = %v, want refusal naming mode 0640", err)
		}
	})
	for _, mode := range []os.FileMode{0o600, 0o400} {
		t.Run(fmt.Sprintf("%04o accepted", mode), func(t *testing.T) {
			cfg := Default()
			cfg.Mode = ModeLive
			cfg.Keys.KeyFile = writeKeyFile(t, mode, body)
			s, err := LoadSecrets(&cfg, env(nil))
			if err != nil {
				t.Fatal(err)
			}
			if s.APIKey() != testKey || s.APISecret() != testSecret || s.Source() != "key file "+cfg.Keys.KeyFile {
				t.Errorf("got key %q secret %q source %q", s.APIKey(), s.APISecret(), s.Source())
			}
		})
	}
	t.Run("missing file says what to do", func(t *testing.T) {
		cfg := Default()
		cfg.Keys.KeyFile = filepath.Join(t.TempDir(), "keys.env")
		_, err := LoadSecrets(&cfg, env(nil))
		for _, want := range []string{"keys.key_file", cfg.Keys.KeyFile, "no such file", "mode 0600", "BINANCE_API_KEY=..."} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to mention %q", err, want)
			}
		}
	})
	t.Run("directory refused", func(t *testing.T) {
		cfg := Default()
		cfg.Keys.KeyFile = t.TempDir()
		if _, err := LoadSecrets(&cfg, env(nil)); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("err = %v, want a directory refused as not a regular file", err)
		}
	})
	t.Run("bad line not echoed", func(t *testing.T) {
		cfg := Default()
		cfg.Keys.KeyFile = writeKeyFile(t, 0o600, testSecret+"\n")
		_, err := LoadSecrets(&cfg, env(nil))
		if err == nil || !strings.Contains(err.Error(), "line 1") || strings.Contains(err.Error(), testSecret) {
			t.Fatalf("err = %v, want line 1 named and the content not echoed", err)
		}
	})
}

func TestEnvSecrets(t *testing.T) {
	cfg := Default()
	cfg.Mode = ModeLive
	cfg.Keys.KeyFile = "/nonexistent/is/not/read/when/env/is/set"
	s, err := LoadSecrets(&cfg, env(map[string]string{EnvAPIKey: testKey, EnvAPISecret: testSecret}))
	if err != nil {
		t.Fatal(err)
	}
	if s.APIKey() != testKey || s.APISecret() != testSecret || s.Source() != "env" || !s.Present() {
		t.Errorf("got %q %q %q", s.APIKey(), s.APISecret(), s.Source())
	}
	if _, err := LoadSecrets(&cfg, env(map[string]string{EnvAPIKey: testKey})); err == nil || !strings.Contains(err.Error(), "only one of") {
		t.Errorf("half-set env: err = %v", err)
	}
}

func TestLiveNeedsKeys(t *testing.T) {
	cfg := mustParse(t, "mode: live")
	_, err := LoadSecrets(cfg, env(nil))
	if !errors.Is(err, ErrNoKeys) || !strings.Contains(err.Error(), "BINANCE_API_KEY") {
		t.Fatalf("live without keys: err = %v, want ErrNoKeys naming BINANCE_API_KEY", err)
	}
	for _, m := range []Mode{ModePaper, ModeDryRun} {
		cfg.Mode = m
		s, err := LoadSecrets(cfg, env(nil))
		if err != nil || s.Present() {
			t.Errorf("%s without keys: %v, present %v; want fine and empty", m, err, s.Present())
		}
	}
}

func TestSecretsNeverRendered(t *testing.T) {
	s := NewSecrets(testKey, testSecret, "env")
	var buf bytes.Buffer
	log := zerolog.New(&buf)
	log.Info().Object("keys", s).Interface("iface", s).Msg("x")
	j, _ := json.Marshal(struct{ S Secrets }{s})
	renderings := map[string]string{
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s), "%#v": fmt.Sprintf("%#v", s),
		"%s": fmt.Sprintf("%s", s), "ptr": fmt.Sprintf("%v", &s), "json": string(j), "zerolog": buf.String(),
	}
	for name, r := range renderings {
		if strings.Contains(r, testKey) || strings.Contains(r, testSecret) {
			t.Errorf("%s rendering shows a secret: %s", name, r)
		}
	}
	if !strings.Contains(buf.String(), `"present":true`) {
		t.Errorf("zerolog rendering = %s, want present:true", buf.String())
	}
}

// Key problems come in the same list as the config's, located where the
// setting is, so one run shows everything to fix.
func TestLoadWithSecretsReportsKeysWithConfigProblems(t *testing.T) {
	dir := t.TempDir()
	keyFile := writeKeyFile(t, 0o644, "BINANCE_API_KEY="+testKey+"\nBINANCE_API_SECRET="+testSecret+"\n")
	cases := []struct {
		name, yaml string
		want       []string // "path@line" in order
	}{
		{"live without keys and a bad value", "mode: live\nrisk:\n  max_loss_usdt: -5\n", []string{"mode@1", "risk.max_loss_usdt@3"}},
		{"open key file and a typo", "mode: paper\nkeys:\n  key_file: " + keyFile + "\nrisk:\n  max_los_usdt: 5\n", []string{"keys.key_file@3", "risk.max_los_usdt@5"}},
		{"live with keys in the env is only the config problem", "mode: live\nlog: {level: loud}\n", []string{"log.level@2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "taobot.yaml")
			if err := os.WriteFile(p, []byte(c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			e := env(nil)
			if strings.Contains(c.name, "env") {
				e = env(map[string]string{EnvAPIKey: testKey, EnvAPISecret: testSecret})
			}
			_, s, err := LoadWithSecrets(p, e)
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			var got []string
			for _, pr := range ps {
				got = append(got, fmt.Sprintf("%s@%d", pr.Path, pr.Line))
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("problems %v, want %v:\n%v", got, c.want, ps)
			}
			if s.Present() || strings.Contains(ps.Error(), testSecret) {
				t.Errorf("secrets returned or echoed with problems: %v", ps)
			}
		})
	}
	p := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(p, []byte("mode: live\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, s, err := LoadWithSecrets(p, env(map[string]string{EnvAPIKey: testKey, EnvAPISecret: testSecret}))
	if err != nil || cfg.Mode != ModeLive || s.APISecret() != testSecret {
		t.Fatalf("good live config: cfg %v secrets present %v err %v", cfg != nil, s.Present(), err)
	}
}
