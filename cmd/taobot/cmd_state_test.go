package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// stateCLI runs `taobot args...` in-process.
func stateCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &cli{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// stateFixture writes a state file with 1 intent, 2 signals and 1 kv value.
func stateFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "taobot.db")
	s, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	err = s.Update(func(tx *state.Tx) error {
		in := state.Intent{ID: "tb-1", Symbol: "TAOUSDT", Direction: exchange.Long,
			EntryPrice: decimal.RequireFromString("401.123456789"), CreatedAt: at, UpdatedAt: at}
		if err := tx.Intents().Put(in); err != nil {
			return err
		}
		for i, id := range []string{"sig-1", "sig-2"} {
			if err := tx.Signals().Put(state.SignalRecord{ID: id, Time: at.Add(time.Duration(i) * time.Minute), Mode: "dry-run"}); err != nil {
				return err
			}
		}
		return tx.KVPut("risk/day", []byte(`{"loss":"12.5"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStateCommands(t *testing.T) {
	db := stateFixture(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "taobot.yaml")
	if err := os.WriteFile(cfg, []byte("mode: paper\nstate: {path: "+db+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badCfg := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badCfg, []byte("mode: yolo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.db")
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr []string
	}{
		{"no subcommand", []string{"state"}, exitUsage, nil, []string{"Usage: taobot state inspect|export"}},
		{"unknown subcommand", []string{"state", "fix"}, exitUsage, nil, []string{`unknown subcommand "fix"`}},
		{"help", []string{"state", "--help"}, exitOK, []string{"inspect", "export"}, nil},
		{"inspect help", []string{"state", "inspect", "--help"}, exitOK, nil, []string{"Usage: taobot state inspect", "-db FILE"}},
		{"inspect extra arg", []string{"state", "inspect", db}, exitUsage, nil, []string{"unexpected argument"}},
		{"inspect", []string{"state", "inspect", "--db", db}, exitOK,
			[]string{"state file  " + db, "schema      1\n", "intents     1\n", "orders      0\n", "signals     2  (newest 2026-11-24T08:01:00Z)\n", "kv          1\n", " bytes\n"}, nil},
		{"inspect via config", []string{"state", "inspect", "-c", cfg}, exitOK, []string{"state file  " + db, "signals     2  (newest"}, nil},
		{"inspect bad config", []string{"state", "inspect", "-c", badCfg}, exitConfig, nil, []string{"mode", "--db FILE"}},
		{"inspect missing file", []string{"state", "inspect", "--db", missing}, exitRuntime, nil, []string{"no state file at " + missing, "taobot run creates it"}},
		{"export to stdout", []string{"state", "export", "--db", db}, exitOK,
			[]string{`"entryPrice": "401.123456789"`, `"id": "sig-2"`, `"loss": "12.5"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := stateCLI(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("inspecting a missing file created it (%v)", err)
	}
}

func TestStateInspectJSON(t *testing.T) {
	db := stateFixture(t)
	code, out, errOut := stateCLI("state", "inspect", "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r inspectReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if r.File != db || r.SizeBytes != fi.Size() || r.SchemaVersion != 1 || r.Counts["intents"] != 1 || r.Counts["signals"] != 2 || r.Counts["fills"] != 0 ||
		!r.Newest["signals"].Equal(time.Date(2026, 11, 24, 8, 1, 0, 0, time.UTC)) || len(r.Newest) != 1 {
		t.Errorf("report = %+v", r)
	}
}

func TestStateExportToFile(t *testing.T) {
	db := stateFixture(t)
	out := filepath.Join(t.TempDir(), "export.json")
	code, stdout, errOut := stateCLI("state", "export", "--db", db, "--out", out)
	if code != exitOK || stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %s", code, stdout, errOut)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc state.ExportDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("export file is not JSON: %v", err)
	}
	var kv bytes.Buffer
	if len(doc.KV) == 1 {
		_ = json.Compact(&kv, doc.KV[0].JSON) // the export is indented
	}
	if len(doc.Intents) != 1 || !doc.Intents[0].EntryPrice.Equal(decimal.RequireFromString("401.123456789")) ||
		len(doc.Signals) != 2 || kv.String() != `{"loss":"12.5"}` {
		t.Errorf("export = %+v", doc)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode = %v (%v), want 0600", fi.Mode(), err)
	}
}

// An export must never replace the state file it reads, even through another name.
func TestStateExportRefusesItsOwnStateFile(t *testing.T) {
	db := stateFixture(t)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "alias.db")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{db, link} {
		code, _, errOut := stateCLI("state", "export", "--db", db, "--out", out)
		if code != exitUsage || !strings.Contains(errOut, "is the state file itself") {
			t.Errorf("--out %s: exit %d stderr %q, want %d refusing", out, code, errOut, exitUsage)
		}
	}
	after, err := os.ReadFile(db)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the state file changed (%v)", err)
	}
}

func TestStateInspectWhileBotRuns(t *testing.T) {
	db := stateFixture(t)
	s, err := state.Open(db) // the "running bot"
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, sub := range []string{"inspect", "export"} {
		start := time.Now()
		code, _, errOut := stateCLI("state", sub, "--db", db, "--timeout", "1ms")
		if code != exitRuntime || !strings.Contains(errOut, "another taobot is using "+db) || !strings.Contains(errOut, "stop it first") {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 with the lock message", sub, code, errOut)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("%s took %s with a 1ms timeout", sub, d)
		}
	}
}

// TestCommandTableHasStateOnce guards the shared command table: two entries
// with one name would print twice in usage and hide each other.
func TestCommandTableHasStateOnce(t *testing.T) {
	seen := map[string]int{}
	for _, c := range commands() {
		seen[c.name]++
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("command %q is registered %d times", name, n)
		}
	}
	if seen["state"] != 1 {
		t.Errorf("state is registered %d times, want 1", seen["state"])
	}
}
