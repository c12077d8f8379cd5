package strategy

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

func trade(at time.Time, price, qty string) exchange.Trade {
	return exchange.Trade{EventMeta: exchange.EventMeta{ExchangeTime: at}, TradeTime: at, Price: d(price), Qty: d(qty)}
}

func TestTapeFeatures(t *testing.T) {
	tp := NewTape(time.Hour)
	// One trade of 1 every second for 20 minutes at 400, then 5 minutes of 3 per second rising to 404.
	for i := range 20 * 60 {
		tp.Add(trade(t0.Add(time.Duration(i)*time.Second), "400", "1"))
	}
	start := t0.Add(20 * time.Minute)
	for i := range 5 * 60 {
		p := "402"
		if i == 5*60-1 {
			p = "404"
		}
		tp.Add(trade(start.Add(time.Duration(i)*time.Second), p, "3"))
	}
	now := start.Add(5*time.Minute - time.Second)
	f := tp.Features(now, 5*time.Minute, time.Hour)
	if !f.Ready {
		t.Fatal("not ready")
	}
	// Base is the last price at or before now-5m, which is 400; last is 404: +1%.
	if !f.MomentumPct.Equal(d("1")) {
		t.Errorf("momentum %s, want 1", f.MomentumPct)
	}
	// Recent volume: the 300 trades of 3 after now-5m = 900 ... minus the bin at now-5m exactly (400's last second is before it).
	if !f.Volume.Equal(d("900")) {
		t.Errorf("volume %s, want 900", f.Volume)
	}
	// Span 25 minutes = 5 momentum windows; total 1200 + 900 = 2100; average 420 per window; 900/420.
	if !f.VolumeRatio.Equal(d("2.1429")) {
		t.Errorf("volume ratio %s, want 2.1429", f.VolumeRatio)
	}
}

func TestTapeNotReadyAndBounded(t *testing.T) {
	tp := NewTape(10 * time.Minute)
	tp.Add(trade(t0, "400", "1"))
	if f := tp.Features(t0.Add(time.Minute), 5*time.Minute, 10*time.Minute); f.Ready {
		t.Fatal("ready with one minute of tape")
	}
	for i := range 3600 {
		tp.Add(trade(t0.Add(time.Duration(i)*time.Second), "400", "1"))
	}
	if n := len(tp.bins); n > 601 {
		t.Fatalf("tape keeps %d bins, want at most 601", n)
	}
}
