package market

import (
	"bytes"
	"testing"
	"time"
)

// snapshot is everything observable after a run, as bytes.
func snapshot(t *testing.T, m *Model, out Output) []byte {
	bids, asks := m.Depth(10)
	return mustJSON(t, struct {
		Out        Output
		Q          Quote
		Bids, Asks []Level
	}{out, m.Quote(), bids, asks})
}

func TestSameSeedGivesIdenticalOutputs(t *testing.T) {
	cfg := testConfig(LongCascade, 42)
	cfg.EventAt = time.Minute
	cfg.FundingInterval = 2 * time.Minute
	a, b := mustNew(t, cfg), mustNew(t, cfg)
	until := t0.Add(150 * time.Second)
	outA, outB := run(t, a, until, time.Second), run(t, b, until, time.Second)
	if len(outA.Trades) == 0 || len(outA.Liquidations) == 0 || len(outA.Fundings) == 0 {
		t.Fatalf("run too quiet to prove anything: %d trades, %d liquidations, %d fundings",
			len(outA.Trades), len(outA.Liquidations), len(outA.Fundings))
	}
	if !bytes.Equal(snapshot(t, a, outA), snapshot(t, b, outB)) {
		t.Fatal("same config and step times gave different outputs")
	}
}

func TestDifferentSeedDiffers(t *testing.T) {
	a, b := mustNew(t, testConfig(Calm, 1)), mustNew(t, testConfig(Calm, 2))
	until := t0.Add(time.Minute)
	if bytes.Equal(snapshot(t, a, run(t, a, until, time.Second)), snapshot(t, b, run(t, b, until, time.Second))) {
		t.Fatal("seeds 1 and 2 gave identical markets")
	}
}

func TestStepSizeIndependence(t *testing.T) {
	cfg := testConfig(LongCascade, 7)
	cfg.Traders = 200 // fewer liquidation-price computations under -race
	cfg.EventAt = time.Minute
	cfg.FundingInterval = time.Minute
	until := t0.Add(150 * time.Second)
	ref := mustNew(t, cfg)
	refOut := run(t, ref, until, time.Second)
	if len(refOut.Liquidations) == 0 || len(refOut.Fundings) != 2 {
		t.Fatalf("reference run has %d liquidations and %d fundings; want some and 2", len(refOut.Liquidations), len(refOut.Fundings))
	}
	want := snapshot(t, ref, refOut)
	for _, every := range []time.Duration{SubStep, 10 * time.Second, 37 * time.Millisecond, time.Hour} {
		m := mustNew(t, cfg)
		if got := snapshot(t, m, run(t, m, until, every)); !bytes.Equal(got, want) {
			t.Errorf("stepping every %s differs from stepping every 1s", every)
		}
	}
}

func TestStepOffGridDoesPartialSubSteps(t *testing.T) {
	m := mustNew(t, testConfig(Calm, 1))
	m.Step(t0.Add(250 * time.Millisecond))
	if got, want := m.Now(), t0.Add(200*time.Millisecond); !got.Equal(want) {
		t.Fatalf("Now after stepping to +250ms = %s, want %s (whole sub-steps only)", got, want)
	}
	m.Step(t0) // going back in time does nothing
	if got := m.Quote().Time; !got.Equal(t0.Add(200 * time.Millisecond)) {
		t.Fatalf("quote time %s after a backwards Step", got)
	}
}
