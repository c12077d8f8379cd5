package binance

import (
	"fmt"
	"time"

	"github.com/taobot/taobot/exchange"
)

// dedupe drops events a stream delivered twice (Binance does not promise
// exactly-once delivery, least of all around reconnects) and state updates
// older than one already passed on. Flows (trades, liquidations, fills) are
// matched by identity in a bounded window; states (book ticker, mark price)
// by their update id or time. Owned by one stream goroutine.
type dedupe struct {
	lastBook int64
	lastMark time.Time
	seen     map[string]struct{}
	ring     []string
	next     int
}

const dedupeWindow = 4096

func newDedupe() *dedupe {
	return &dedupe{seen: make(map[string]struct{}, dedupeWindow), ring: make([]string, dedupeWindow)}
}

// fresh reports whether ev should be passed on, and records it.
func (d *dedupe) fresh(ev exchange.Event) bool {
	switch e := ev.(type) {
	case exchange.BookTicker:
		if e.UpdateID != 0 && e.UpdateID <= d.lastBook {
			return false
		}
		d.lastBook = e.UpdateID
		return true
	case exchange.MarkPrice:
		if !e.ExchangeTime.After(d.lastMark) && !d.lastMark.IsZero() {
			return false
		}
		d.lastMark = e.ExchangeTime
		return true
	case exchange.Trade:
		return d.once(fmt.Sprintf("t%s%d", e.Symbol, e.ID))
	case exchange.Liquidation:
		return d.once(fmt.Sprintf("l%s%d%s%s%s", e.Symbol, e.TradeTime.UnixMilli(), e.Side, e.Price, e.Qty))
	case exchange.OrderUpdate:
		if e.ExecType != "TRADE" {
			return true // status updates are idempotent for a state consumer
		}
		return d.once(fmt.Sprintf("f%s%d", e.Order.ClientID, e.TradeID))
	}
	return true
}

func (d *dedupe) once(key string) bool {
	if _, dup := d.seen[key]; dup {
		return false
	}
	if old := d.ring[d.next]; old != "" {
		delete(d.seen, old)
	}
	d.ring[d.next] = key
	d.next = (d.next + 1) % len(d.ring)
	d.seen[key] = struct{}{}
	return true
}
