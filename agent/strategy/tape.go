package strategy

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Tape keeps one-second bins of traded volume and last price, enough to
// answer "how fast is price moving and on how much volume" over the
// configured windows. Memory is bounded by VolumeAvgWindow in seconds.
type Tape struct {
	keep int64 // seconds of history
	bins []tapeBin
}

type tapeBin struct {
	sec    int64
	volume decimal.Decimal // base qty
	last   decimal.Decimal
}

// Features are what the tape says at a moment.
type Features struct {
	// MomentumPct is the price change over the momentum window, percent.
	MomentumPct decimal.Decimal
	// Volume is the base volume over the momentum window.
	Volume decimal.Decimal
	// VolumeRatio is Volume over the average volume of a momentum window within
	// the average window; zero when there is no history yet.
	VolumeRatio decimal.Decimal
	// Ready is false until the tape spans at least one momentum window.
	Ready bool
}

// NewTape keeps enough history for the given average window.
func NewTape(avgWindow time.Duration) *Tape {
	return &Tape{keep: int64(avgWindow / time.Second)}
}

// Add records a trade.
func (t *Tape) Add(tr exchange.Trade) {
	at := tr.TradeTime
	if at.IsZero() {
		at = tr.ExchangeTime
	}
	sec := at.Unix()
	if n := len(t.bins); n > 0 && t.bins[n-1].sec >= sec {
		// Same second (or a late trade): fold into the newest bin.
		b := &t.bins[n-1]
		b.volume = b.volume.Add(tr.Qty)
		if t.bins[n-1].sec == sec {
			b.last = tr.Price
		}
		return
	}
	t.bins = append(t.bins, tapeBin{sec: sec, volume: tr.Qty, last: tr.Price})
	if cut := sec - t.keep; t.bins[0].sec < cut {
		i := 0
		for i < len(t.bins) && t.bins[i].sec < cut {
			i++
		}
		t.bins = append(t.bins[:0], t.bins[i:]...)
	}
}

// LastPrice is the last traded price, zero before any trade.
func (t *Tape) LastPrice() decimal.Decimal {
	if len(t.bins) == 0 {
		return decimal.Zero
	}
	return t.bins[len(t.bins)-1].last
}

// Features computes momentum and relative volume at now.
func (t *Tape) Features(now time.Time, momentum, avg time.Duration) Features {
	var f Features
	if len(t.bins) == 0 || momentum <= 0 {
		return f
	}
	nowSec := now.Unix()
	mStart := nowSec - int64(momentum/time.Second)
	aStart := nowSec - int64(avg/time.Second)
	var base decimal.Decimal
	var baseFound bool
	var recent, total decimal.Decimal
	oldest := t.bins[0].sec
	for _, b := range t.bins {
		if b.sec > nowSec {
			break
		}
		if b.sec <= mStart {
			base, baseFound = b.last, true
		}
		if b.sec > mStart {
			recent = recent.Add(b.volume)
		}
		if b.sec > aStart {
			total = total.Add(b.volume)
		}
	}
	f.Volume = recent
	last := t.LastPrice()
	if baseFound && base.IsPositive() {
		f.MomentumPct = last.Sub(base).Mul(decimal.NewFromInt(100)).DivRound(base, 4)
		f.Ready = true
	}
	// Average volume per momentum window over the span the tape really covers.
	span := nowSec - max(oldest, aStart+1) + 1
	windows := decimal.NewFromInt(span).Div(decimal.NewFromInt(int64(momentum / time.Second)))
	if f.Ready && windows.GreaterThan(decimal.NewFromInt(1)) && total.IsPositive() {
		f.VolumeRatio = recent.Mul(windows).DivRound(total, 4)
	}
	return f
}
