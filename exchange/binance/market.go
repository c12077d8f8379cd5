package binance

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// MarketStream is the market-data exchange.EventSource for Options.Symbol:
// one combined connection for aggTrade, markPrice@1s, forceOrder and
// bookTicker, plus open interest by polling (and a backfill at start).
type MarketStream struct{ c *Client }

var _ exchange.EventSource = (*MarketStream)(nil)

// MarketStream returns the market-data source of this client's symbol; run it once at a time.
func (c *Client) MarketStream() *MarketStream { return &MarketStream{c: c} }

// MarketStreamName is StreamGap.Stream for the market connection.
const MarketStreamName = "market"

// StreamURL is the combined-stream URL the market connection uses.
func (m *MarketStream) StreamURL() string {
	s := strings.ToLower(m.c.opts.Symbol)
	names := []string{s + "@aggTrade", s + "@markPrice@1s", s + "@forceOrder", s + "@bookTicker"}
	return m.c.opts.WSURL + "/stream?streams=" + strings.Join(names, "/")
}

// Run emits market events on out until ctx ends, then returns nil.
func (m *MarketStream) Run(ctx context.Context, out chan<- exchange.Event) error {
	o := m.c.opts
	if o.Symbol == "" {
		return errNoSymbol
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.pollOI(ctx, out)
	}()
	dd := newDedupe()
	loop := &streamLoop{name: MarketStreamName, opts: o, log: m.c.log, out: out, hooks: connHooks{
		staleAfter: o.StaleAfter,
		connect:    func(ctx context.Context) (*websocket.Conn, error) { return dial(ctx, m.StreamURL()) },
		handle: func(ctx context.Context, msg []byte, recv time.Time) (endReason, error) {
			ev, err := decodeMarket(msg, recv)
			if err != nil || ev == nil || !dd.fresh(ev) {
				return "", err
			}
			emit(ctx, out, ev)
			return "", nil
		},
	}}
	err := loop.run(ctx)
	cancel()
	wg.Wait()
	return err
}

// pollOI back-fills openInterestHist, then polls openInterest and emits
// only changes. Failures are logged and retried on the next tick.
func (m *MarketStream) pollOI(ctx context.Context, out chan<- exchange.Event) {
	o := m.c.opts
	var last decimal.Decimal
	have := false
	if o.OIHistLimit > 0 {
		hist, err := m.c.OpenInterestHist(ctx, o.Symbol, o.OIHistLimit)
		if err != nil {
			m.c.log.Warn().Err(err).Msg("open interest backfill failed; continuing without it")
		}
		for _, ev := range hist {
			if !emit(ctx, out, ev) {
				return
			}
		}
	}
	var outage pollOutage
	poll := func() bool {
		oi, at, err := m.c.OpenInterest(ctx, o.Symbol)
		if err != nil {
			if ctx.Err() == nil {
				outage.failed(&m.c.log, o.Clock.Now(), err)
			}
			return true
		}
		outage.recovered(&m.c.log, o.Clock.Now())
		if have && oi.Equal(last) {
			return true
		}
		last, have = oi, true
		return emit(ctx, out, exchange.OpenInterest{
			EventMeta:    exchange.EventMeta{Symbol: o.Symbol, ExchangeTime: at, ReceiveTime: o.Clock.Now()},
			OpenInterest: oi,
		})
	}
	if !poll() {
		return
	}
	t := o.Clock.NewTicker(o.OIPollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			if !poll() {
				return
			}
		}
	}
}

// oiWarnEvery is how often an ongoing open-interest outage is logged again.
const oiWarnEvery = time.Minute

// pollOutage keeps an open-interest outage from logging a warning on every
// poll: the first failure is logged, then at most one line per oiWarnEvery,
// and one line on recovery. Owned by the polling goroutine.
type pollOutage struct {
	failing  bool
	since    time.Time // first failure of the outage
	lastLog  time.Time
	failures int
}

func (p *pollOutage) failed(log *zerolog.Logger, now time.Time, err error) {
	p.failures++
	if !p.failing {
		p.failing, p.since, p.lastLog = true, now, now
		log.Warn().Err(err).Msg("open interest poll failed; retrying each poll, repeating this at most once a minute")
		return
	}
	if now.Sub(p.lastLog) >= oiWarnEvery {
		p.lastLog = now
		log.Warn().Err(err).Int("failures", p.failures).Dur("for", now.Sub(p.since)).Msg("open interest poll still failing")
	}
}

func (p *pollOutage) recovered(log *zerolog.Logger, now time.Time) {
	if !p.failing {
		return
	}
	log.Info().Int("failures", p.failures).Dur("after", now.Sub(p.since)).Msg("open interest poll recovered")
	*p = pollOutage{}
}
