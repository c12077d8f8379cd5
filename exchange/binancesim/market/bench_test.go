package market

import (
	"testing"
	"time"
)

// BenchmarkStepHour simulates one hour of the long-cascade scenario (36,000
// sub-steps, 400 traders, the cascade included), stepping once per second.
func BenchmarkStepHour(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Scenario = LongCascade
	b.ReportAllocs()
	for b.Loop() {
		m, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for s := 1; s <= 3600; s++ {
			m.Step(cfg.Start.Add(time.Duration(s) * time.Second))
		}
	}
}
