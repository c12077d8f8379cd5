package liqmap

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// stream is a seeded random market: a mark random walk around 400 with
// trades, forceOrder prints and open interest that rises and falls.
func stream(seed uint64, n int) []exchange.Event {
	r := rand.New(rand.NewPCG(seed, 7))
	cents, oiC := int64(40000), int64(1_000_000) // price in cents, OI in 0.001 contracts
	at := t0
	out := make([]exchange.Event, 0, n)
	px := func(c int64) string { return decimal.New(c, -2).String() }
	for range n {
		at = at.Add(time.Duration(r.IntN(3000)) * time.Millisecond)
		switch k := r.IntN(10); {
		case k < 4:
			cents += int64(r.IntN(201) - 100) // ±1 USDT
			cents = max(cents, 20000)
			out = append(out, mark(at, px(cents)))
		case k < 7:
			out = append(out, trade(at, px(cents+int64(r.IntN(21)-10)), fmt.Sprint(1+r.IntN(50)), r.IntN(2) == 0))
		case k < 8:
			side := exchange.Sell
			if r.IntN(2) == 0 {
				side = exchange.Buy
			}
			out = append(out, liq(at, side, px(cents+int64(r.IntN(401)-200)), fmt.Sprint(1+r.IntN(200))))
		default:
			oiC += int64(r.IntN(20001) - 8000)
			oiC = max(oiC, 1000)
			out = append(out, oi(at, decimal.New(oiC, -3).String()))
		}
	}
	return out
}

// checkInvariants fails when any stored notional or total is negative or out of step with the buckets.
func checkInvariants(t *testing.T, m *Map, step int) {
	t.Helper()
	var rt, el, es decimal.Decimal
	for k := 0; k < m.grid.n; k++ {
		b := &m.grid.buf[m.grid.off+k]
		for _, v := range []decimal.Decimal{b.rLong, b.rShort, b.eLong, b.eShort} {
			if v.IsNegative() {
				t.Fatalf("step %d: negative notional in bucket %d: %+v", step, m.grid.lo+int64(k), *b)
			}
		}
		rt, el, es = rt.Add(b.rLong).Add(b.rShort), el.Add(b.eLong), es.Add(b.eShort)
	}
	if !rt.Equal(m.realTot) || !el.Equal(m.estLong) || !es.Equal(m.estShort) {
		t.Fatalf("step %d: totals %s/%s/%s, buckets sum to %s/%s/%s", step, m.realTot, m.estLong, m.estShort, rt, el, es)
	}
	if m.haveMark {
		// The crossing invariant: no estimated long at or above the mark's bucket, no short at or below.
		for k := 0; k < m.grid.n; k++ {
			i, b := m.grid.lo+int64(k), &m.grid.buf[m.grid.off+k]
			if (i >= m.markIdx && !b.eLong.IsZero()) || (i <= m.markIdx && !b.eShort.IsZero()) {
				t.Fatalf("step %d: estimated level on the wrong side of the mark in bucket %d (mark %d)", step, i, m.markIdx)
			}
		}
	}
}

func TestPropertyRandomStreams(t *testing.T) {
	variants := []struct {
		pol  RemovalPolicy
		band BandPolicy
		pct  string
	}{
		{RemoveProportional, BandDrop, "30"},
		{RemoveNearest, BandDrop, "30"},
		{RemoveProportional, BandFold, "3"}, // a narrow band: levels and buckets fold all the time
		{RemoveNearest, BandDrop, "3"},
	}
	for _, seed := range []uint64{1, 42} {
		for _, v := range variants {
			t.Run(fmt.Sprintf("seed%d-%s-%s%s", seed, v.pol, v.band, v.pct), func(t *testing.T) {
				c := testConfig()
				c.BucketTicks = 10
				c.Leverage = DefaultConfig().Leverage
				c.OIRemoval = v.pol
				c.OutOfBand = v.band
				c.BandPct = d(v.pct)
				c.RealizedHalfLife = 20 * time.Minute // short half-lives exercise rebasing
				c.EstimatedHalfLife = 30 * time.Minute
				m := newMap(t, c)
				evs := stream(seed, 1500)
				for i, ev := range evs {
					before := m.estLong.Add(m.estShort)
					beforeConsumed := m.stats.EstimatedConsumed
					apply(t, m, ev)
					if i%50 == 0 || i == len(evs)-1 {
						checkInvariants(t, m, i) // O(buckets): not on every step
					}
					for _, v := range []decimal.Decimal{m.realTot, m.estLong, m.estShort} {
						if v.IsNegative() {
							t.Fatalf("step %d: negative total %s", i, v)
						}
					}
					if _, ok := ev.(exchange.MarkPrice); ok {
						if m.estLong.Add(m.estShort).GreaterThan(before) {
							t.Fatalf("step %d: a mark update increased estimated notional", i)
						}
						if m.stats.EstimatedConsumed.LessThan(beforeConsumed) {
							t.Fatalf("step %d: consumed notional went down", i)
						}
					}
				}
				now := evs[len(evs)-1].Meta().ExchangeTime
				for _, cl := range m.Clusters(now) {
					if cl.Total.IsNegative() || cl.Long.IsNegative() || cl.Short.IsNegative() || cl.Estimated.IsNegative() {
						t.Fatalf("negative cluster %+v", cl)
					}
				}
				if m.stats.EstimatedAdded.IsZero() || m.stats.RealizedEvents == 0 {
					t.Fatalf("stream exercised too little: %+v", m.stats)
				}
			})
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	c := testConfig()
	c.BucketTicks = 10
	c.Leverage = DefaultConfig().Leverage
	c.RealizedHalfLife = 20 * time.Minute
	evs := stream(9, 1200)
	half, rest := evs[:700], evs[700:]

	a := newMap(t, c)
	apply(t, a, half...)
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b := newMap(t, c)
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	snap2, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap, snap2) {
		t.Fatalf("snapshot of restored map differs:\n%s\n%s", snap, snap2)
	}
	now := half[len(half)-1].Meta().ExchangeTime
	if ra, rb := render(t, a, now), render(t, b, now); ra != rb {
		t.Fatalf("render differs after restore:\n%s\n---\n%s", ra, rb)
	}
	// Restored and original maps evolve identically.
	apply(t, a, rest...)
	apply(t, b, rest...)
	sa, _ := a.Snapshot()
	sb, _ := b.Snapshot()
	if !bytes.Equal(sa, sb) {
		t.Fatal("restored map diverged from the original on the same events")
	}
	// And a fresh map fed everything is identical too (determinism).
	f := newMap(t, c)
	apply(t, f, evs...)
	if sf, _ := f.Snapshot(); !bytes.Equal(sa, sf) {
		t.Fatal("same events gave a different map")
	}
}

func TestRestoreRejects(t *testing.T) {
	m := newMap(t, testConfig())
	apply(t, m, liq(t0, exchange.Sell, "400", "1"))
	snap, _ := m.Snapshot()
	tests := []struct {
		name string
		data []byte
		cfg  func(*Config)
		is   error
		msg  string // part of the error text
	}{
		{"future version", []byte(`{"version":2}`), nil, ErrSnapshotVersion, "version 2"},
		{"garbage", []byte(`{`), nil, nil, "unexpected end"},
		{"other half-life", snap, func(c *Config) { c.RealizedHalfLife = time.Hour }, nil, "half-lives"},
		{"other width", snap, func(c *Config) { c.BucketTicks = 5 }, nil, "bucket width"},
		{"negative notional", bytes.Replace(snap, []byte(`"rl":"400"`), []byte(`"rl":"-400"`), 1), nil, nil, "negative"},
		{"other symbol", snap, func(c *Config) { c.Symbol = "BTCUSDT" }, nil, "snapshot is for TAOUSDT, config for BTCUSDT"},
		// A bucket outside the band [28000, 52000] of the 400 print. (Far
		// enough out, a dense grid reaching it would not fit in memory; kept
		// near here so the test is cheap even without the check.)
		{"bucket outside the band", bytes.Replace(snap, []byte(`"buckets":[`),
			[]byte(`"buckets":[{"i":1000,"rl":"1","rs":"0","nl":1,"ns":0,"el":"0","es":"0","added":"1","first":0,"last":0},`), 1),
			nil, nil, "outside its band"},
		{"band far too wide", regexp.MustCompile(`"bandLo":-?\d+`).ReplaceAll(snap, []byte(`"bandLo":-1000000000000`)), nil, nil, "does not fit"},
		{"buckets without a band", bytes.Replace(snap, []byte(`"haveBand":true`), []byte(`"haveBand":false`), 1), nil, nil, "no band"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig()
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			n := newMap(t, c)
			apply(t, n, mark(t0, "410"), liq(t0, exchange.Buy, "420", "2"))
			before, _ := n.Snapshot()
			err := n.Restore(tc.data)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want an error (is %v) containing %q", err, tc.is, tc.msg)
			}
			if after, _ := n.Snapshot(); !bytes.Equal(before, after) {
				t.Error("failed restore changed the map")
			}
		})
	}
}

func render(t *testing.T, m *Map, now time.Time) string {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Render(now, decimal.Zero, &buf, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
