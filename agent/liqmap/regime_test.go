package liqmap

import (
	"testing"
	"time"
)

// When OI polling (or the mark stream) stops, the regime goes unknown once
// the newest sample is older than RegimeWindow (15m) rather than reporting
// the last move seen hours ago.
func TestRegimeStaleSamples(t *testing.T) {
	tests := []struct {
		name   string
		lastOI time.Duration // time of the newest OI sample after t0
		lastPx time.Duration
		at     time.Duration
		want   RegimeKind
	}{
		{"both fresh", 10 * time.Minute, 10 * time.Minute, 11 * time.Minute, RegimeNewLongs},
		{"newest sample just inside the window", 10 * time.Minute, 10 * time.Minute, 24 * time.Minute, RegimeNewLongs},
		{"OI polling stopped hours ago", 10 * time.Minute, 3 * time.Hour, 3*time.Hour + time.Minute, RegimeUnknown},
		{"mark stream stopped hours ago", 3 * time.Hour, 10 * time.Minute, 3*time.Hour + time.Minute, RegimeUnknown},
		{"both stopped", 10 * time.Minute, 10 * time.Minute, 2 * time.Hour, RegimeUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMap(t, testConfig())
			// OI +1% and price +1% between t0 and the last sample; the
			// fresher series also has a sample 5 minutes before its last.
			apply(t, m, mark(t0, "400"), oi(t0, "1000"))
			if tc.lastPx > 10*time.Minute {
				apply(t, m, mark(t0.Add(tc.lastPx-5*time.Minute), "400"))
			}
			if tc.lastOI > 10*time.Minute {
				apply(t, m, oi(t0.Add(tc.lastOI-5*time.Minute), "1000"))
			}
			apply(t, m, mark(t0.Add(tc.lastPx), "404"), oi(t0.Add(tc.lastOI), "1010"))
			if k := m.Regime(t0.Add(tc.at)).Kind; k != tc.want {
				t.Errorf("kind = %s, want %s", k, tc.want)
			}
		})
	}
}
