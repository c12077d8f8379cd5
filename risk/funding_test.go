package risk

import (
	"testing"
	"time"
)

func TestFundingCount(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	h := time.Hour
	cases := []struct {
		name     string
		now      string
		next     string // "" = zero: epoch grid
		interval time.Duration
		hold     time.Duration
		want     int
	}{
		{"8h: 24h from 01:00 sees 08,16,00", "2026-11-24T01:00:00Z", "2026-11-24T08:00:00Z", 8 * h, 24 * h, 3},
		{"8h: horizon ends exactly at a funding time (counted)", "2026-11-24T01:00:00Z", "2026-11-24T08:00:00Z", 8 * h, 7 * h, 1},
		{"8h: horizon ends one second before it", "2026-11-24T01:00:00Z", "2026-11-24T08:00:00Z", 8 * h, 7*h - time.Second, 0},
		{"8h: opened exactly at a funding time (counted)", "2026-11-24T08:00:00Z", "2026-11-24T08:00:00Z", 8 * h, 8 * h, 2},
		{"8h: next funding outside the horizon", "2026-11-24T09:00:00Z", "2026-11-24T16:00:00Z", 8 * h, 6 * h, 0},
		{"8h: next funding inside, crosses UTC midnight", "2026-11-24T15:00:00Z", "2026-11-24T16:00:00Z", 8 * h, 10 * h, 2},
		{"4h: 24h sees six", "2026-11-24T01:00:00Z", "2026-11-24T04:00:00Z", 4 * h, 24 * h, 6},
		{"4h: 9h from 01:00 sees 04,08", "2026-11-24T01:00:00Z", "2026-11-24T04:00:00Z", 4 * h, 9 * h, 2},
		{"stale next rolled forward", "2026-11-24T09:00:00Z", "2026-11-24T00:00:00Z", 8 * h, 8 * h, 1},
		{"zero next: epoch grid 8h", "2026-11-24T01:30:00Z", "", 8 * h, 24 * h, 3},
		{"zero next: epoch grid 4h at a boundary", "2026-11-24T04:00:00Z", "", 4 * h, 4 * h, 2},
		{"zero interval means 8h", "2026-11-24T01:00:00Z", "2026-11-24T08:00:00Z", 0, 24 * h, 3},
		{"zero hold before funding", "2026-11-24T01:00:00Z", "2026-11-24T08:00:00Z", 8 * h, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var next time.Time
			if c.next != "" {
				next = at(c.next)
			}
			if got := FundingCount(at(c.now), next, c.interval, c.hold); got != c.want {
				t.Errorf("FundingCount = %d, want %d", got, c.want)
			}
		})
	}
}
