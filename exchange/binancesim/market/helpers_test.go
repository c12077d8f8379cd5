package market

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// testConfig is the default market with its event early, so short runs include it.
func testConfig(sc Scenario, seed int64) Config {
	cfg := DefaultConfig()
	cfg.Scenario = sc
	cfg.Seed = seed
	cfg.Start = t0
	cfg.EventAt = 2 * time.Minute
	return cfg
}

func mustNew(t testing.TB, cfg Config) *Model {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// run steps m from its current time to until in increments of every and
// returns everything concatenated.
func run(t testing.TB, m *Model, until time.Time, every time.Duration) Output {
	t.Helper()
	var all Output
	for now := m.Now(); now.Before(until); {
		now = now.Add(every)
		if now.After(until) {
			now = until
		}
		out := m.Step(now)
		all.Trades = append(all.Trades, out.Trades...)
		all.Liquidations = append(all.Liquidations, out.Liquidations...)
		all.Fundings = append(all.Fundings, out.Fundings...)
	}
	if err := m.Err(); err != nil {
		t.Fatalf("model error: %v", err)
	}
	return all
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// isolate empties the population except for nothing: every trader flat and
// asleep, so a test can place its own positions.
func isolate(m *Model) {
	for i := range m.tr {
		if m.tr[i].state == open {
			m.dropOI(&m.tr[i])
		}
		m.tr[i] = trader{state: flat, wake: 1 << 62}
	}
	m.bounds()
}

// place opens a hand-made position on trader i with no stop, target or wake-up.
func place(t *testing.T, m *Model, i int, dir, qtySteps, entryTicks int64, lev int) *trader {
	t.Helper()
	tr := &m.tr[i]
	if err := m.setPosition(tr, dir, qtySteps, entryTicks, lev); err != nil {
		t.Fatal(err)
	}
	tr.stop, tr.target, tr.wake = 0, 0, 1<<62
	m.bounds()
	return tr
}
