package binance

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

func TestDedupe(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	tr := func(id int64) exchange.Event {
		return exchange.Trade{EventMeta: exchange.EventMeta{Symbol: "TAOUSDT"}, ID: id}
	}
	bk := func(u int64) exchange.Event { return exchange.BookTicker{UpdateID: u} }
	mk := func(s int) exchange.Event {
		return exchange.MarkPrice{EventMeta: exchange.EventMeta{ExchangeTime: t0.Add(time.Duration(s) * time.Second)}}
	}
	fill := func(tid int64, exec string) exchange.Event {
		return exchange.OrderUpdate{Order: exchange.Order{ClientID: "c1"}, ExecType: exec, TradeID: tid}
	}
	steps := []struct {
		ev   exchange.Event
		want bool
	}{
		{tr(1), true}, {tr(2), true}, {tr(1), false}, // duplicate trade
		{tr(0), true},                                                   // reordered older trade still counts: trades are a flow
		{bk(10), true}, {bk(10), false}, {bk(9), false}, {bk(11), true}, // stale book dropped
		{mk(1), true}, {mk(1), false}, {mk(0), false}, {mk(2), true},
		{fill(7, "TRADE"), true}, {fill(7, "TRADE"), false}, {fill(0, "NEW"), true}, {fill(0, "NEW"), true},
		{exchange.StreamGap{}, true},
	}
	d := newDedupe()
	for i, s := range steps {
		if got := d.fresh(s.ev); got != s.want {
			t.Fatalf("step %d (%T): fresh = %v, want %v", i, s.ev, got, s.want)
		}
	}
	// The window is bounded: a trade pushed out of it is forgotten.
	d = newDedupe()
	for id := int64(0); id <= dedupeWindow; id++ {
		d.fresh(tr(id))
	}
	if len(d.seen) != dedupeWindow || !d.fresh(tr(0)) || d.fresh(tr(dedupeWindow)) {
		t.Fatalf("window: %d entries", len(d.seen))
	}
}
