package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rs/zerolog"
)

// Environment variables (and key-file keys) that carry the API secrets.
const (
	EnvAPIKey    = "BINANCE_API_KEY"
	EnvAPISecret = "BINANCE_API_SECRET"
)

// redacted is what every rendering of Secrets shows instead of the values.
const redacted = "[REDACTED]"

// Secrets holds the Binance API key and secret. Its String, GoString,
// MarshalJSON, MarshalText and zerolog renderings never show the values;
// read them only with APIKey and APISecret where a request is signed.
type Secrets struct {
	apiKey, apiSecret string
	source            string
}

// NewSecrets builds Secrets from values (for tests and simulators).
func NewSecrets(apiKey, apiSecret, source string) Secrets {
	return Secrets{apiKey: apiKey, apiSecret: apiSecret, source: source}
}

// APIKey returns the API key, for the exchange adapter only.
func (s Secrets) APIKey() string { return s.apiKey }

// APISecret returns the API secret, for request signing only.
func (s Secrets) APISecret() string { return s.apiSecret }

// Present reports whether both the key and the secret are set.
func (s Secrets) Present() bool { return s.apiKey != "" && s.apiSecret != "" }

// Source says where the secrets came from ("env", "key file <path>" or "").
func (s Secrets) Source() string { return s.source }

// Values lists the non-empty secret values, for the log redactor.
func (s Secrets) Values() []string {
	var v []string
	for _, x := range []string{s.apiKey, s.apiSecret} {
		if x != "" {
			v = append(v, x)
		}
	}
	return v
}

// String describes the secrets without their values.
func (s Secrets) String() string {
	if !s.Present() {
		return "Secrets{none}"
	}
	return "Secrets{key: " + redacted + ", secret: " + redacted + ", source: " + s.source + "}"
}

// GoString keeps %#v from printing the fields.
func (s Secrets) GoString() string { return s.String() }

// MarshalText keeps encoders that use text marshalling from printing the values.
func (s Secrets) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON renders only whether secrets are present and their source.
func (s Secrets) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"present":%t,"source":%q}`, s.Present(), s.source), nil
}

// MarshalZerologObject renders only whether secrets are present and their source.
func (s Secrets) MarshalZerologObject(e *zerolog.Event) {
	e.Bool("present", s.Present()).Str("source", s.source)
}

// ErrNoKeys is returned by LoadSecrets when live mode has no API keys.
var ErrNoKeys = errors.New("no API keys")

// LoadSecrets finds the API key and secret: the environment
// (BINANCE_API_KEY and BINANCE_API_SECRET) first, then keys.key_file. The key
// file must be mode 0600 or stricter and hold the same two names as
// KEY=VALUE lines (so it also works as a systemd EnvironmentFile). Live mode
// without keys is an error; paper and dry-run return empty Secrets happily.
// A key file that is read (no keys in the environment) and is unsafe or
// unreadable is an error in any mode; with keys in the environment it is not read.
func LoadSecrets(cfg *Config, getenv func(string) string) (Secrets, error) {
	key, secret := strings.TrimSpace(getenv(EnvAPIKey)), strings.TrimSpace(getenv(EnvAPISecret))
	if (key == "") != (secret == "") {
		return Secrets{}, fmt.Errorf("only one of %s and %s is set in the environment: set both or neither", EnvAPIKey, EnvAPISecret)
	}
	s := Secrets{apiKey: key, apiSecret: secret, source: "env"}
	if !s.Present() && cfg.Keys.KeyFile != "" {
		var err error
		if s, err = readKeyFile(cfg.Keys.KeyFile); err != nil {
			return Secrets{}, err
		}
	}
	if !s.Present() {
		s = Secrets{}
		if cfg.Mode == ModeLive {
			return Secrets{}, fmt.Errorf("mode live: %w: set %s and %s in the environment, or keys.key_file to a file (mode 0600) holding them",
				ErrNoKeys, EnvAPIKey, EnvAPISecret)
		}
	}
	return s, nil
}

// readKeyFile reads KEY=VALUE lines from a file nobody else can read.
func readKeyFile(path string) (Secrets, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Secrets{}, fmt.Errorf("keys.key_file: cannot use %s: %w; create it (mode 0600) with %s=... and %s=... lines, "+
			"or set keys.key_file: \"\" and use the environment", path, err, EnvAPIKey, EnvAPISecret)
	}
	if !info.Mode().IsRegular() {
		return Secrets{}, fmt.Errorf("keys.key_file: %s is not a regular file (allowed: a file with mode 0600)", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return Secrets{}, fmt.Errorf("keys.key_file: %s has mode %04o, which lets other users read your API secret (allowed: 0600 or stricter); run: chmod 600 %s",
			path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Secrets{}, fmt.Errorf("keys.key_file: %w", err)
	}
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		name = strings.TrimSpace(name)
		if !ok || (name != EnvAPIKey && name != EnvAPISecret) {
			// never echo the line: it may be a secret
			return Secrets{}, fmt.Errorf("keys.key_file: %s line %d is not %s=... or %s=... (comments start with #)", path, n, EnvAPIKey, EnvAPISecret)
		}
		vals[name] = strings.Trim(strings.TrimSpace(val), `"'`)
	}
	s := Secrets{apiKey: vals[EnvAPIKey], apiSecret: vals[EnvAPISecret], source: "key file " + path}
	if !s.Present() {
		return Secrets{}, fmt.Errorf("keys.key_file: %s must set both %s and %s", path, EnvAPIKey, EnvAPISecret)
	}
	return s, nil
}
