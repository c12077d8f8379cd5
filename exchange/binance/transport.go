package binance

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"time"

	"github.com/taobot/taobot/exchange"
)

// callInfo is filled by the transport for one logical REST call, so error
// classification can see what go-binance hides: the HTTP status, whether
// the request was written to the wire, and Retry-After.
type callInfo struct {
	mu         sync.Mutex
	status     int
	wrote      bool
	retryAfter time.Duration
	refused    error // the gate refused to send (ban, back-off) — nothing was written
}

type callInfoKey struct{}

func withCallInfo(ctx context.Context) (context.Context, *callInfo) {
	ci := &callInfo{}
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		ci.mu.Lock()
		ci.wrote = true
		ci.mu.Unlock()
	}}
	return httptrace.WithClientTrace(context.WithValue(ctx, callInfoKey{}, ci), trace), ci
}

func (ci *callInfo) snapshot() (status int, wrote bool, retryAfter time.Duration, refused error) {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	return ci.status, ci.wrote, ci.retryAfter, ci.refused
}

// Default waits when the venue does not say how long.
const (
	default429Wait = 30 * time.Second
	default418Ban  = 2 * time.Minute
	// weightHeadroom: above this share of the limit, requests wait for the next minute.
	weightHeadroomNum, weightHeadroomDen = 9, 10
)

// limiter is the http.RoundTripper on the REST client. It reads
// X-MBX-USED-WEIGHT-1M and holds requests back near the limit, turns a 429
// into a pause of Retry-After for every later request, and refuses to send
// anything at all during a 418 ban. Waits run on the injected clock.
type limiter struct {
	base  http.RoundTripper
	clock exchange.Clock
	limit int

	mu          sync.Mutex
	usedWeight  int
	weightAt    time.Time // clock time of the last weight reading
	pauseUntil  time.Time // after a 429
	bannedUntil time.Time // after a 418
}

func newLimiter(base http.RoundTripper, clock exchange.Clock, limit int) *limiter {
	if base == nil {
		base = http.DefaultTransport
	}
	return &limiter{base: base, clock: clock, limit: limit}
}

// errBanned is what the gate answers during a 418 ban, without sending.
type errBanned struct {
	until     time.Time
	remaining time.Duration
}

// Error says until when nothing is sent.
func (e errBanned) Error() string {
	return fmt.Sprintf("IP banned by Binance (418) until %s; not sending", e.until.Format(time.RFC3339))
}

// wait returns how long the next request must wait, or a ban error.
func (l *limiter) wait() (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if now.Before(l.bannedUntil) {
		return 0, errBanned{until: l.bannedUntil, remaining: l.bannedUntil.Sub(now)}
	}
	if now.Before(l.pauseUntil) {
		return l.pauseUntil.Sub(now), nil
	}
	if l.usedWeight*weightHeadroomDen >= l.limit*weightHeadroomNum && !l.weightAt.IsZero() {
		// The counter resets each minute: wait for the next minute boundary.
		next := l.weightAt.Truncate(time.Minute).Add(time.Minute)
		if now.Before(next) {
			return next.Sub(now), nil
		}
	}
	return 0, nil
}

// RoundTrip implements http.RoundTripper.
func (l *limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	ci, _ := req.Context().Value(callInfoKey{}).(*callInfo)
	for {
		d, err := l.wait()
		if err != nil {
			if ci != nil {
				ci.mu.Lock()
				ci.refused = err
				ci.mu.Unlock()
			}
			return nil, err
		}
		if d <= 0 {
			break
		}
		select {
		case <-l.clock.After(d):
		case <-req.Context().Done():
			if ci != nil {
				ci.mu.Lock()
				ci.refused = req.Context().Err()
				ci.mu.Unlock()
			}
			return nil, req.Context().Err()
		}
	}
	resp, err := l.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	l.observe(resp, ci)
	return resp, nil
}

func (l *limiter) observe(resp *http.Response, ci *callInfo) {
	now := l.clock.Now()
	ra := retryAfter(resp.Header)
	l.mu.Lock()
	if w, err := strconv.Atoi(resp.Header.Get("X-Mbx-Used-Weight-1m")); err == nil {
		l.usedWeight, l.weightAt = w, now
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		if ra <= 0 {
			ra = default429Wait
		}
		if until := now.Add(ra); until.After(l.pauseUntil) {
			l.pauseUntil = until
		}
	case http.StatusTeapot:
		if ra <= 0 {
			ra = default418Ban
		}
		if until := now.Add(ra); until.After(l.bannedUntil) {
			l.bannedUntil = until
		}
	}
	l.mu.Unlock()
	if ci != nil {
		ci.mu.Lock()
		ci.status = resp.StatusCode
		ci.retryAfter = ra
		ci.mu.Unlock()
	}
}

// retryAfter parses a Retry-After header in seconds (Binance sends seconds).
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}
