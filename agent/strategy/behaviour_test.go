package strategy

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/exchange"
)

func TestBehaviourClassifies(t *testing.T) {
	near := []liqmap.Cluster{*shortCluster("404", "405", "406")}
	cases := []struct {
		name  string
		path  []string // prices after entering; one per minute
		want  Outcome
		ended time.Duration
	}{
		{"break through the top", []string{"405", "406", "407.5"}, BreakOut, 3 * time.Minute},
		{"bounce back below", append(repeat("405", 29), "402"), Bounce, 30 * time.Minute},
		{"consolidate inside", repeat("405", 30), Consolidate, 30 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBehaviour(30*time.Minute, d("0.3"), 10)
			b.Observe(t0, d("402"), decimal.Zero, near)
			if v := b.Observe(t0, d("404.5"), d("10"), near); v != nil || b.Active() == nil {
				t.Fatal("entering the cluster should start a visit")
			}
			var got *Visit
			for i, p := range tc.path {
				if got = b.Observe(t0.Add(time.Duration(i+1)*time.Minute), d(p), d("1"), near); got != nil {
					break
				}
			}
			if got == nil {
				t.Fatal("visit never classified")
			}
			if got.Outcome != tc.want || got.End.Sub(got.Start) != tc.ended || !got.FromBelow || got.Dominant != exchange.Short {
				t.Fatalf("got %+v", got)
			}
			if b.Tally(got.Kind()).Total() != 1 || len(b.History()) != 1 {
				t.Fatal("history not recorded")
			}
		})
	}
}

func TestBehaviourNeedsEntryFromOutside(t *testing.T) {
	near := []liqmap.Cluster{*shortCluster("404", "405", "406")}
	b := NewBehaviour(30*time.Minute, d("0.3"), 10)
	// Price starts inside and wobbles there: no visit.
	b.Observe(t0, d("404.5"), decimal.Zero, near)
	b.Observe(t0.Add(time.Second), d("404.6"), decimal.Zero, near)
	if b.Active() != nil {
		t.Fatal("a visit started without price entering from outside")
	}
	// From above: a visit reached from above.
	b.Observe(t0.Add(2*time.Second), d("407"), decimal.Zero, near)
	b.Observe(t0.Add(3*time.Second), d("405.5"), decimal.Zero, near)
	if v := b.Active(); v == nil || v.FromBelow {
		t.Fatalf("want a visit from above, got %+v", v)
	}
	// Breaking down through the low (404*0.997 = 402.788) classifies it as a break.
	if v := b.Observe(t0.Add(time.Minute), d("402.7"), decimal.Zero, near); v == nil || v.Outcome != BreakOut {
		t.Fatalf("got %+v", v)
	}
}

func TestBehaviourHistoryBounded(t *testing.T) {
	b := NewBehaviour(time.Minute, d("0.3"), 3)
	b.Restore(make([]Visit, 10))
	if len(b.History()) != 3 {
		t.Fatalf("kept %d", len(b.History()))
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
