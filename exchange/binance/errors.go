package binance

import (
	"context"
	"errors"
	"net/http"

	"github.com/adshao/go-binance/v2/common"

	"github.com/taobot/taobot/exchange"
)

// callKind says whether a request changes state at the venue. Only
// mutations can have an unknown outcome; a read that failed is just retryable.
type callKind int

const (
	read callKind = iota
	mutation
)

// isNotFoundCode reports whether a Binance code means "no such order"
// (a switch, not a package-level map: no mutable state of ours).
func isNotFoundCode(code int) bool {
	switch code {
	case exchange.CodeNoSuchOrder, // -2013 Order does not exist
		-2011, // Unknown order sent (cancel)
		-2018: // Balance/position does not exist
		return true
	}
	return false
}

// classify turns a failure of one REST call into an *exchange.APIError whose
// Class is one of the exchange.Err* sentinels. go-binance reports coded
// errors as *common.APIError without the HTTP status, and non-JSON bodies
// (a bare 503 page) as an APIError with only Response set; ci carries the
// status the transport saw.
func classify(err error, ci *callInfo, kind callKind) error {
	if err == nil {
		return nil
	}
	var status int
	var wrote bool
	var refused error
	out := &exchange.APIError{}
	if ci != nil {
		status, wrote, out.RetryAfter, refused = ci.snapshot()
	}
	out.HTTPStatus = status
	var be errBanned
	var apiErr *common.APIError
	switch {
	case errors.As(err, &be):
		out.Class, out.Msg, out.HTTPStatus = exchange.ErrRateLimited, be.Error(), http.StatusTeapot
		out.RetryAfter = be.remaining
	case refused != nil && !wrote:
		// Never left the building: safe to try again later.
		out.Class, out.Msg = exchange.ErrRetryable, refused.Error()
	case errors.As(err, &apiErr):
		out.Code = int(apiErr.Code)
		out.Msg = apiErr.Message
		if !apiErr.IsValid() {
			out.Msg = truncate(string(apiErr.Response), 200)
		}
		out.Class = classifyAPI(out.Code, status, kind)
	case status >= 200 && status < 300:
		// The venue answered OK but the body did not decode: it acted.
		out.Msg = err.Error()
		out.Class = exchange.ErrRetryable
		if kind == mutation {
			out.Class = exchange.ErrUnknownOutcome
		}
	default:
		// Transport failure or timeout. If the request reached the wire, or
		// we cannot tell (deadline), a mutation may have happened.
		out.Msg = err.Error()
		out.Class = exchange.ErrRetryable
		if kind == mutation && (wrote || errors.Is(err, context.DeadlineExceeded)) {
			out.Class = exchange.ErrUnknownOutcome
		}
	}
	return &classified{api: out, orig: err}
}

// classified is an *exchange.APIError that also keeps the original error
// reachable for errors.Is/As (context cancellation, net errors).
type classified struct {
	api  *exchange.APIError
	orig error
}

// Error reads as the classified error.
func (c *classified) Error() string { return c.api.Error() }

// Unwrap exposes both the class and the original error.
func (c *classified) Unwrap() []error { return []error{c.api, c.orig} }

func classifyAPI(code, status int, kind callKind) error {
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusTeapot ||
		code == exchange.CodeTooManyRequests || code == -1015:
		return exchange.ErrRateLimited
	case status >= 500:
		// Binance: a 5xx (notably 503 "Unknown error") means the execution
		// status is unknown. A read can simply be repeated.
		if kind == mutation {
			return exchange.ErrUnknownOutcome
		}
		return exchange.ErrRetryable
	case isNotFoundCode(code):
		return exchange.ErrNotFound
	case code == exchange.CodeTimestamp, code == -1001, code == -1007:
		// -1021 timestamp, -1001 disconnected, -1007 timeout waiting for
		// backend: all answered with 4xx, meaning not executed... except
		// -1007 whose docs say status unknown.
		if code == -1007 && kind == mutation {
			return exchange.ErrUnknownOutcome
		}
		return exchange.ErrRetryable
	default:
		return exchange.ErrRejected
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
