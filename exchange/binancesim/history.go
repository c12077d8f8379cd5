package binancesim

import (
	"time"

	"github.com/shopspring/decimal"
)

// History bounds: about a week of 1m candles, a month of 5m open interest.
const (
	maxCandles   = 10080
	maxOIPoints  = 8640
	maxFundings  = 1000
	oiPeriod     = 5 * time.Minute
	oiBackfilled = 288 // one day of 5m points before Start, so consumers have a history
)

// history keeps what the REST history endpoints serve.
type history struct {
	candles  []candle
	oi       []oiPoint
	fundings []mFunding
}

// candle is one 1m kline.
type candle struct {
	open                             time.Time
	o, h, l, c                       decimal.Decimal
	vol, quoteVol, takerBuy, takerBQ decimal.Decimal
	n                                int64
}

type oiPoint struct {
	t     time.Time
	oi    decimal.Decimal
	value decimal.Decimal
}

// init backfills a flat day of open interest before start, marked by the
// model's opening state (the model has no past of its own).
func (h *history) init(start time.Time, q quote) {
	first := start.Truncate(oiPeriod).Add(-oiBackfilled * oiPeriod)
	for i := range oiBackfilled {
		h.oi = append(h.oi, oiPoint{t: first.Add(time.Duration(i) * oiPeriod), oi: q.OpenInterest, value: q.OpenInterest.Mul(q.Mark)})
	}
}

func (h *history) addTrade(t mTrade) {
	m := t.Time.Truncate(time.Minute)
	quote := t.Price.Mul(t.Qty)
	if n := len(h.candles); n == 0 || !h.candles[n-1].open.Equal(m) {
		h.candles = append(h.candles, candle{open: m, o: t.Price, h: t.Price, l: t.Price, c: t.Price})
		if len(h.candles) > maxCandles {
			h.candles = h.candles[len(h.candles)-maxCandles:]
		}
	}
	c := &h.candles[len(h.candles)-1]
	c.h = decimal.Max(c.h, t.Price)
	c.l = decimal.Min(c.l, t.Price)
	c.c = t.Price
	c.vol = c.vol.Add(t.Qty)
	c.quoteVol = c.quoteVol.Add(quote)
	if !t.BuyerMaker {
		c.takerBuy = c.takerBuy.Add(t.Qty)
		c.takerBQ = c.takerBQ.Add(quote)
	}
	c.n++
}

// sampleOI records open interest on each 5m boundary reached.
func (h *history) sampleOI(now time.Time, q quote) {
	b := now.Truncate(oiPeriod)
	if n := len(h.oi); n > 0 && !b.After(h.oi[n-1].t) {
		return
	}
	h.oi = append(h.oi, oiPoint{t: b, oi: q.OpenInterest, value: q.OpenInterest.Mul(q.Mark)})
	if len(h.oi) > maxOIPoints {
		h.oi = h.oi[len(h.oi)-maxOIPoints:]
	}
}

func (h *history) addFunding(f mFunding) {
	h.fundings = append(h.fundings, f)
	if len(h.fundings) > maxFundings {
		h.fundings = h.fundings[len(h.fundings)-maxFundings:]
	}
}

// klines aggregates 1m candles into interval buckets.
func (h *history) klines(interval time.Duration, start, end time.Time, limit int) []candle {
	var out []candle
	for _, c := range h.candles {
		b := c.open.Truncate(interval)
		if (!start.IsZero() && b.Before(start.Truncate(interval))) || (!end.IsZero() && b.After(end)) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].open.Equal(b) {
			o := &out[n-1]
			o.h, o.l, o.c = decimal.Max(o.h, c.h), decimal.Min(o.l, c.l), c.c
			o.vol, o.quoteVol = o.vol.Add(c.vol), o.quoteVol.Add(c.quoteVol)
			o.takerBuy, o.takerBQ = o.takerBuy.Add(c.takerBuy), o.takerBQ.Add(c.takerBQ)
			o.n += c.n
			continue
		}
		c.open = b
		out = append(out, c)
	}
	if limit > 0 && len(out) > limit {
		if start.IsZero() {
			out = out[len(out)-limit:]
		} else {
			out = out[:limit]
		}
	}
	return out
}
