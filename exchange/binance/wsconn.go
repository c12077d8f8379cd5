package binance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/taobot/taobot/exchange"
)

// endReason says why one connection ended.
type endReason string

const (
	endContext   endReason = "context done"
	endRead      endReason = "connection lost"
	endStale     endReason = "stream silent"
	endMaxAge    endReason = "planned reconnect before the 24 h connection limit"
	endExpired   endReason = "listen key expired"
	endKeepalive endReason = "listen key keepalive failed"
	endDecode    endReason = "undecodable message"
)

// closeWriteTimeout bounds writing the close frame at shutdown.
const closeWriteTimeout = time.Second

// connHooks are what a stream adds to the shared connection loop.
type connHooks struct {
	// connect dials (and for the user stream first creates a listen key).
	connect func(ctx context.Context) (*websocket.Conn, error)
	// opened runs after a successful connect; reconnect is false the first
	// time. The user stream resyncs here. Returning an error drops the
	// connection and counts as a failed attempt.
	opened func(ctx context.Context, reconnect bool) error
	// handle processes one message; a non-empty reason ends the connection.
	handle func(ctx context.Context, msg []byte, recv time.Time) (endReason, error)
	// keepalive, if set, runs every keepaliveEvery on the clock; an error ends the connection.
	keepalive      func(ctx context.Context) error
	keepaliveEvery time.Duration
	// staleAfter is the silence that counts as a dead connection; pings
	// count as life when countPings (the user stream is legitimately quiet
	// for hours, but the server pings it every 3 minutes).
	staleAfter time.Duration
	countPings bool
	// resumeOnOpen closes the gap when opened returns (user stream: after
	// resync) instead of at the first data message (market stream).
	resumeOnOpen bool
}

// streamLoop owns one logical stream: connect, serve, detect gaps, back off,
// reconnect, until ctx ends.
type streamLoop struct {
	name  string
	opts  Options
	log   zerolog.Logger
	out   chan<- exchange.Event
	hooks connHooks

	gapOpen   bool
	gapStart  time.Time
	gapReason string
}

// emit sends ev unless ctx ends first.
func emit(ctx context.Context, out chan<- exchange.Event, ev exchange.Event) bool {
	select {
	case out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

func (l *streamLoop) openGap(ctx context.Context, start time.Time, reason string) {
	if l.gapOpen {
		return
	}
	l.gapOpen, l.gapStart, l.gapReason = true, start, reason
	l.log.Warn().Str("stream", l.name).Str("reason", reason).Msg("stream gap: data not live")
	emit(ctx, l.out, exchange.StreamGap{
		EventMeta: exchange.EventMeta{Symbol: l.opts.Symbol, ReceiveTime: l.opts.Clock.Now()},
		Stream:    l.name, Start: start, Reason: reason,
	})
}

// closeGap ends the open gap; its event repeats the reason the gap opened with.
func (l *streamLoop) closeGap(ctx context.Context) {
	if !l.gapOpen {
		return
	}
	l.gapOpen = false
	now := l.opts.Clock.Now()
	l.log.Info().Str("stream", l.name).Dur("blind", now.Sub(l.gapStart)).Msg("stream resumed")
	emit(ctx, l.out, exchange.StreamGap{
		EventMeta: exchange.EventMeta{Symbol: l.opts.Symbol, ReceiveTime: now},
		Stream:    l.name, Start: l.gapStart, End: now, Reason: l.gapReason,
	})
}

// run loops until ctx ends; it returns nil then.
func (l *streamLoop) run(ctx context.Context) error {
	attempt, connected := 0, false
	for {
		if d := backoff(attempt, l.opts.BackoffMin, l.opts.BackoffMax, l.opts.Jitter); d > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-l.opts.Clock.After(d):
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		conn, err := l.hooks.connect(ctx)
		if err == nil && l.hooks.opened != nil {
			if err = l.hooks.opened(ctx, connected); err != nil {
				conn.Close()
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			l.log.Warn().Err(err).Str("stream", l.name).Int("attempt", attempt).Msg("connect failed")
			l.openGap(ctx, l.opts.Clock.Now(), "connect failed: "+err.Error())
			attempt++
			continue
		}
		connected = true
		if l.hooks.resumeOnOpen {
			l.closeGap(ctx)
		}
		connAt := l.opts.Clock.Now()
		reason, lastMsg, gotData, err := l.serve(ctx, conn)
		conn.Close()
		if reason == endContext {
			return nil
		}
		// Back off again only if this connection never proved healthy, so a
		// server that accepts and at once drops us is not hammered.
		if gotData || reason == endMaxAge || l.opts.Clock.Now().Sub(connAt) >= l.opts.BackoffMax {
			attempt = 0
		} else {
			attempt++
		}
		msg := string(reason)
		if err != nil {
			msg += ": " + err.Error()
		}
		start := lastMsg
		if reason == endMaxAge {
			start = l.opts.Clock.Now()
			l.log.Info().Str("stream", l.name).Msg(msg)
		}
		l.openGap(ctx, start, msg)
	}
}

// serve reads one connection until it ends. It returns why, the clock time
// of the last data message (the start of any gap that follows) and whether
// any data message arrived.
func (l *streamLoop) serve(ctx context.Context, conn *websocket.Conn) (_ endReason, lastMsg time.Time, gotData bool, _ error) {
	clock := l.opts.Clock
	opened := clock.Now()
	lastMsg = opened

	// Set before the reader starts: handlers are read by ReadMessage.
	var lastPing atomic.Int64 // clock time of the last ping, unix nanos
	lastPing.Store(opened.UnixNano())
	conn.SetPingHandler(func(data string) error {
		lastPing.Store(clock.Now().UnixNano())
		// Answer like gorilla's default handler: pong with the same payload.
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	type frame struct {
		msg []byte
		err error
	}
	frames := make(chan frame)
	done := make(chan struct{})
	readerDone := make(chan struct{})
	// The reader is owned here: closing conn (deferred by the caller, and
	// below) ends its ReadMessage; done stops it from blocking on send.
	go func() {
		defer close(readerDone)
		for {
			_, msg, err := conn.ReadMessage()
			select {
			case frames <- frame{msg, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		close(done)
		conn.Close()
		<-readerDone
	}()

	staleAfter := l.hooks.staleAfter
	stale := clock.NewTicker(maxDur(staleAfter/4, time.Millisecond))
	defer stale.Stop()
	maxAge := clock.After(l.opts.MaxConnAge)
	var keep <-chan time.Time
	if l.hooks.keepalive != nil && l.hooks.keepaliveEvery > 0 {
		kt := clock.NewTicker(l.hooks.keepaliveEvery)
		defer kt.Stop()
		keep = kt.C()
	}
	for {
		select {
		case <-ctx.Done():
			// A socket deadline is wall time by nature; bounded so a wedged
			// socket cannot hold up shutdown (the zero time means no deadline).
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(closeWriteTimeout))
			return endContext, lastMsg, gotData, nil
		case f := <-frames:
			if f.err != nil {
				if ctx.Err() != nil {
					return endContext, lastMsg, gotData, nil
				}
				return endRead, lastMsg, gotData, f.err
			}
			now := clock.Now()
			lastMsg, gotData = now, true
			if !l.hooks.resumeOnOpen {
				l.closeGap(ctx)
			}
			reason, err := l.hooks.handle(ctx, f.msg, now)
			if reason != "" {
				return reason, lastMsg, gotData, err
			}
			if err != nil {
				// One bad frame is logged and skipped; the stream stays up.
				l.log.Warn().Err(err).Str("stream", l.name).Msg("skipping undecodable message")
			}
		case <-stale.C():
			// Read the clock now, not the tick time: after a long jump of a
			// fake clock the connection age decides first.
			now := clock.Now()
			if now.Sub(opened) >= l.opts.MaxConnAge {
				return endMaxAge, lastMsg, gotData, nil
			}
			alive := lastMsg
			if p := time.Unix(0, lastPing.Load()); l.hooks.countPings && p.After(alive) {
				alive = p
			}
			if now.Sub(alive) >= staleAfter {
				return endStale, lastMsg, gotData, fmt.Errorf("no message for %s", now.Sub(alive))
			}
		case <-maxAge:
			return endMaxAge, lastMsg, gotData, nil
		case <-keep:
			if err := l.hooks.keepalive(ctx); err != nil {
				return endKeepalive, lastMsg, gotData, err
			}
		}
	}
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

// dial opens a WebSocket to url with a bounded handshake.
func dial(ctx context.Context, url string) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}
	conn, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: http %d: %w", redactURL(url), resp.StatusCode, err)
		}
		return nil, fmt.Errorf("dial %s: %w", redactURL(url), err)
	}
	return conn, nil
}

// redactURL hides a listen key (a bearer credential for the user stream) in logs.
func redactURL(u string) string {
	const marker = "/ws/"
	for i := 0; i+len(marker) <= len(u); i++ {
		if u[i:i+len(marker)] == marker {
			return u[:i+len(marker)] + "<redacted>"
		}
	}
	return u
}

var errNoSymbol = errors.New("options: Symbol is required for streams")
