package liqmap

import (
	"github.com/shopspring/decimal"
)

// tradeSample is one aggTrade inside the VWAP window.
type tradeSample struct {
	T        int64           `json:"t"`
	PQ       decimal.Decimal `json:"pq"`
	Q        decimal.Decimal `json:"q"`
	TakerBuy bool            `json:"takerBuy"`
}

// tradeWindow keeps exact running sums over the trades of the last window.
// Decimal add and subtract are exact, so the sums never drift.
type tradeWindow struct {
	buf   []tradeSample // buf[head:] is live
	head  int
	sumPQ decimal.Decimal
	sumQ  decimal.Decimal
	buyQ  decimal.Decimal
	sellQ decimal.Decimal
}

func (w *tradeWindow) live() []tradeSample { return w.buf[w.head:] }

func (w *tradeWindow) add(s tradeSample) {
	w.buf = append(w.buf, s)
	w.sumPQ = w.sumPQ.Add(s.PQ)
	w.sumQ = w.sumQ.Add(s.Q)
	if s.TakerBuy {
		w.buyQ = w.buyQ.Add(s.Q)
	} else {
		w.sellQ = w.sellQ.Add(s.Q)
	}
}

// upTo returns the sums over the trades in (t-window, t]: it drops the
// trades at or before t-window for good (later OI points are not older) and
// leaves out, without dropping, trades newer than t that arrived first. The
// buffer is in arrival order, which for one aggTrade stream is time order.
func (w *tradeWindow) upTo(t, window int64) (sumPQ, sumQ, buyQ decimal.Decimal) {
	w.trim(t - window)
	sumPQ, sumQ, buyQ = w.sumPQ, w.sumQ, w.buyQ
	live := w.live()
	for k := len(live) - 1; k >= 0 && live[k].T > t; k-- {
		sumPQ, sumQ = sumPQ.Sub(live[k].PQ), sumQ.Sub(live[k].Q)
		if live[k].TakerBuy {
			buyQ = buyQ.Sub(live[k].Q)
		}
	}
	return sumPQ, sumQ, buyQ
}

// trim drops trades at or before cutoff (unix ns), compacting now and then.
func (w *tradeWindow) trim(cutoff int64) {
	for w.head < len(w.buf) && w.buf[w.head].T <= cutoff {
		s := w.buf[w.head]
		w.buf[w.head] = tradeSample{}
		w.head++
		w.sumPQ = w.sumPQ.Sub(s.PQ)
		w.sumQ = w.sumQ.Sub(s.Q)
		if s.TakerBuy {
			w.buyQ = w.buyQ.Sub(s.Q)
		} else {
			w.sellQ = w.sellQ.Sub(s.Q)
		}
	}
	if w.head == len(w.buf) {
		w.buf, w.head = w.buf[:0], 0
		w.sumPQ, w.sumQ, w.buyQ, w.sellQ = decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	} else if w.head > 1024 && w.head > len(w.buf)/2 {
		n := copy(w.buf, w.buf[w.head:])
		w.buf, w.head = w.buf[:n], 0
	}
}

// velBin is the liquidated notional of one VelocityBin.
type velBin struct {
	Start      int64           `json:"start"` // bin index * bin width, unix ns
	RealLong   decimal.Decimal `json:"realLong"`
	RealShort  decimal.Decimal `json:"realShort"`
	EstLong    decimal.Decimal `json:"estLong"`
	EstShort   decimal.Decimal `json:"estShort"`
	RealEvents int64           `json:"realEvents"`
}

// velocity is a time-ordered queue of bins covering the long window.
type velocity struct {
	bins []velBin
}

// add puts notional into the bin of t; estimated or realized, long or short positions.
func (v *velocity) add(t, bin, keep int64, n decimal.Decimal, estimated, long bool) {
	start := t - t%bin
	if t < 0 && t%bin != 0 {
		start -= bin
	}
	i := len(v.bins)
	for i > 0 && v.bins[i-1].Start > start {
		i-- // a late event: walk back to its place
	}
	if i == 0 || v.bins[i-1].Start != start {
		v.bins = append(v.bins, velBin{})
		copy(v.bins[i+1:], v.bins[i:])
		v.bins[i] = velBin{Start: start}
		i++
	}
	i--
	b := &v.bins[i]
	switch {
	case estimated && long:
		b.EstLong = b.EstLong.Add(n)
	case estimated:
		b.EstShort = b.EstShort.Add(n)
	case long:
		b.RealLong = b.RealLong.Add(n)
		b.RealEvents++
	default:
		b.RealShort = b.RealShort.Add(n)
		b.RealEvents++
	}
	// Drop bins that ended before the long window of the newest bin.
	last := v.bins[len(v.bins)-1].Start
	k := 0
	for k < len(v.bins) && v.bins[k].Start+bin <= last-keep {
		k++
	}
	if k > 0 {
		v.bins = append(v.bins[:0], v.bins[k:]...)
	}
}

// sample is one (time, value) point of open interest or mark price.
type sample struct {
	T int64           `json:"t"`
	V decimal.Decimal `json:"v"`
}

// pushSample appends s and drops samples older than needed: one sample at or
// before t-keep stays as the window's baseline.
func pushSample(h []sample, s sample, keep int64) []sample {
	if n := len(h); n > 0 && s.T < h[n-1].T {
		return h // out of order: the window already moved past it
	}
	h = append(h, s)
	cut := s.T - keep
	k := 0
	for k+1 < len(h) && h[k+1].T <= cut {
		k++
	}
	if k > 0 {
		h = append(h[:0], h[k:]...)
	}
	return h
}
