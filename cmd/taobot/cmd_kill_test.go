package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/risk"
)

func TestKillEngagesWhatTheRiskLimitsRead(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sub", "taobot.kill")
	limits, err := risk.NewLimits(risk.LimitsConfig{KillSwitchFile: file}, risk.NewMemKV())
	if err != nil {
		t.Fatal(err)
	}
	check := func() (bool, bool) {
		d := limits.Check(now0, risk.EntryCheck{})
		return d.Allowed, d.Flatten
	}
	if ok, _ := check(); !ok {
		t.Fatal("blocked before the switch")
	}
	r := runCLI("kill", "--file", file, "--reason", "FOMC")
	if r.code != exitOK || !strings.Contains(r.stdout, "kill switch ENGAGED: no new entries") {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if ok, flat := check(); ok || flat {
		t.Fatalf("after kill: allowed %v flatten %v, want blocked without flatten", ok, flat)
	}
	b, _ := os.ReadFile(file)
	if !strings.Contains(string(b), "reason: FOMC") || !strings.Contains(string(b), now0.Format(time.RFC3339)) {
		t.Fatalf("file %q", b)
	}
	if r := runCLI("kill", "--file", file, "--flatten"); r.code != exitOK {
		t.Fatalf("flatten: exit %d", r.code)
	}
	if ok, flat := check(); ok || !flat {
		t.Fatalf("after --flatten: allowed %v flatten %v", ok, flat)
	}
	if r := runCLI("kill", "--file", file, "--status"); r.code != exitOK || !strings.Contains(r.stdout, "ENGAGED") || !strings.Contains(r.stdout, "flatten: true") {
		t.Fatalf("status: %d %q", r.code, r.stdout)
	}
	if r := runCLI("kill", "--file", file, "--release"); r.code != exitOK {
		t.Fatalf("release: exit %d", r.code)
	}
	if ok, _ := check(); !ok {
		t.Fatal("still blocked after release")
	}
	if r := runCLI("kill", "--file", file, "--status"); !strings.Contains(r.stdout, "released") {
		t.Fatalf("status after release %q", r.stdout)
	}
	if r := runCLI("kill", "--file", file, "--release", "--flatten"); r.code != exitUsage {
		t.Fatalf("--release --flatten: exit %d", r.code)
	}
}
