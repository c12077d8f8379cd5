package binance

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/common"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/fakeclock"
)

func TestClassify(t *testing.T) {
	api := func(code int64, msg string) error { return &common.APIError{Code: code, Message: msg} }
	bare := &common.APIError{Response: []byte("<html>503 Service Unavailable</html>")}
	tests := []struct {
		name   string
		err    error
		status int
		wrote  bool
		kind   callKind
		want   error
		code   int
	}{
		{"503 after an order was sent", bare, 503, true, mutation, exchange.ErrUnknownOutcome, 0},
		{"coded 503 on an order", api(-1000, "Unknown error"), 503, true, mutation, exchange.ErrUnknownOutcome, -1000},
		{"502 on a read", bare, 502, true, read, exchange.ErrRetryable, 0},
		{"margin insufficient", api(-2019, "Margin is insufficient."), 400, true, mutation, exchange.ErrRejected, -2019},
		{"min notional", api(-4164, "notional"), 400, true, mutation, exchange.ErrRejected, -4164},
		{"would trigger", api(-2021, "Order would immediately trigger."), 400, true, mutation, exchange.ErrRejected, -2021},
		{"precision", api(-1111, "Precision is over the maximum"), 400, true, mutation, exchange.ErrRejected, -1111},
		{"reduce only", api(-2022, "ReduceOnly Order is rejected."), 400, true, mutation, exchange.ErrRejected, -2022},
		{"post only", api(-5022, "Post Only order will be rejected"), 400, true, mutation, exchange.ErrRejected, -5022},
		{"no such order", api(-2013, "Order does not exist."), 400, true, read, exchange.ErrNotFound, -2013},
		{"unknown order on cancel", api(-2011, "Unknown order sent."), 400, true, mutation, exchange.ErrNotFound, -2011},
		{"no such position", api(-2018, "Balance or position does not exist."), 400, true, read, exchange.ErrNotFound, -2018},
		{"timestamp", api(-1021, "Timestamp outside recvWindow"), 400, true, mutation, exchange.ErrRetryable, -1021},
		{"429", api(-1003, "Too many requests"), 429, true, mutation, exchange.ErrRateLimited, -1003},
		{"418", api(-1003, "banned"), 418, true, read, exchange.ErrRateLimited, -1003},
		{"timeout of an order", context.DeadlineExceeded, 0, true, mutation, exchange.ErrUnknownOutcome, 0},
		{"timeout of a read", context.DeadlineExceeded, 0, true, read, exchange.ErrRetryable, 0},
		{"refused before the wire", errors.New("dial tcp: connection refused"), 0, false, mutation, exchange.ErrRetryable, 0},
		{"connection reset after write", errors.New("read: connection reset"), 0, true, mutation, exchange.ErrUnknownOutcome, 0},
		{"undecodable 200 on an order", errors.New("unexpected end of JSON input"), 200, true, mutation, exchange.ErrUnknownOutcome, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ci := &callInfo{status: tc.status, wrote: tc.wrote}
			got := classify(tc.err, ci, tc.kind)
			if !errors.Is(got, tc.want) {
				t.Fatalf("classify = %v, want class %v", got, tc.want)
			}
			if exchange.CodeOf(got) != tc.code {
				t.Fatalf("code = %d, want %d", exchange.CodeOf(got), tc.code)
			}
			if !errors.Is(got, tc.err) {
				t.Fatal("the original error must stay reachable")
			}
		})
	}
	if classify(nil, nil, read) != nil {
		t.Fatal("nil stays nil")
	}
}

// stubRT answers every request with the given status and headers.
type stubRT struct {
	status int
	header http.Header
	sent   int
}

func (s *stubRT) RoundTrip(r *http.Request) (*http.Response, error) {
	s.sent++
	return &http.Response{StatusCode: s.status, Header: s.header.Clone(), Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

func TestLimiterSlowsDownNearWeightLimit(t *testing.T) {
	start := time.Date(2026, 1, 5, 10, 0, 40, 0, time.UTC)
	clk := fakeclock.New(start)
	stub := &stubRT{status: 200, header: http.Header{"X-Mbx-Used-Weight-1m": []string{"2100"}}}
	lim := newLimiter(stub, clk, 2400)
	do := func() error {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
		resp, err := lim.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := do(); err != nil { // 2100/2400 < 90 %: no wait
		t.Fatal(err)
	}
	if w, _ := lim.wait(); w != 0 {
		t.Fatalf("wait at 2100 = %v, want 0", w)
	}
	stub.header.Set("X-Mbx-Used-Weight-1m", "2160") // exactly 90 %
	if err := do(); err != nil {
		t.Fatal(err)
	}
	if w, _ := lim.wait(); w != 20*time.Second {
		t.Fatalf("wait at 2160 = %v, want 20s (to the next minute)", w)
	}
	done := make(chan error, 1)
	go func() { done <- do() }()
	for clk.Pending() == 0 {
		select {
		case err := <-done:
			t.Fatalf("request went out at 90%% weight: %v", err)
		case <-time.After(time.Millisecond): // polling the fake clock's waiter count
		}
	}
	if stub.sent != 2 {
		t.Fatalf("sent %d, want 2 before the minute turns", stub.sent)
	}
	stub.header.Set("X-Mbx-Used-Weight-1m", "1")
	clk.Advance(20 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if stub.sent != 3 {
		t.Fatalf("sent %d, want 3", stub.sent)
	}
}

func TestLimiterDefaultsWithoutRetryAfter(t *testing.T) {
	clk := fakeclock.New(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		status int
		check  func(*limiter) time.Time
		want   time.Duration
	}{
		{429, func(l *limiter) time.Time { return l.pauseUntil }, default429Wait},
		{418, func(l *limiter) time.Time { return l.bannedUntil }, default418Ban},
	} {
		lim := newLimiter(&stubRT{status: tc.status, header: http.Header{}}, clk, 2400)
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
		resp, err := lim.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := tc.check(lim).Sub(clk.Now()); got != tc.want {
			t.Errorf("%d without Retry-After: pause %v, want %v", tc.status, got, tc.want)
		}
	}
}
