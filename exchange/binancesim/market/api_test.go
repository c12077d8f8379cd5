package market

import (
	"testing"
	"time"
)

func TestNewRejectsUnknownScenario(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario = "moon"
	if _, err := New(cfg); err == nil {
		t.Fatal("New accepted an unknown scenario")
	}
}

func TestStepSettlesFunding(t *testing.T) {
	m, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	out := m.Step(DefaultConfig().Start.Add(8 * time.Hour))
	if len(out.Fundings) != 1 {
		t.Fatalf("fundings = %d, want 1", len(out.Fundings))
	}
}
