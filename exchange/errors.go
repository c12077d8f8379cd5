package exchange

import (
	"errors"
	"fmt"
	"time"
)

// Error classes. Adapters wrap every failure so that errors.Is(err, ErrX)
// tells the caller what to do; the order manager acts on the class, never on
// message text.
var (
	// ErrRetryable: the request certainly did not take effect; sending it again is safe.
	ErrRetryable = errors.New("retryable")
	// ErrRateLimited: the venue asked us to slow down (429) or banned us (418).
	ErrRateLimited = errors.New("rate limited")
	// ErrRejected: the venue understood and refused the request; resending the same is pointless.
	ErrRejected = errors.New("rejected")
	// ErrUnknownOutcome: the request may or may not have taken effect (timeout,
	// 503 after it reached the venue). Never resend; query by client id.
	ErrUnknownOutcome = errors.New("unknown outcome")
	// ErrNotFound: the order or object does not exist at the venue.
	ErrNotFound = errors.New("not found")
)

// APIError is a classified error answered by the venue.
type APIError struct {
	// Code is the venue's error code (Binance: negative numbers), 0 if none.
	Code int
	// Msg is the venue's message.
	Msg string
	// HTTPStatus is the HTTP status of the reply, 0 if not HTTP.
	HTTPStatus int
	// RetryAfter is how long the venue asked us to wait, if it said.
	RetryAfter time.Duration
	// Class is one of the Err* sentinels above.
	Class error
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%v: code %d: %s", e.Class, e.Code, e.Msg)
	}
	return fmt.Sprintf("%v: http %d: %s", e.Class, e.HTTPStatus, e.Msg)
}

// Unwrap lets errors.Is match the class.
func (e *APIError) Unwrap() error { return e.Class }

// Binance error codes the rest of the code acts on.
const (
	CodeUnknown             = -1000
	CodeTooManyRequests     = -1003
	CodeTimestamp           = -1021
	CodeSignature           = -1022
	CodeBadPrecision        = -1111
	CodeNoSuchOrder         = -2013
	CodeBadAPIKey           = -2015
	CodeMarginInsufficient  = -2019
	CodeWouldTrigger        = -2021
	CodeReduceOnlyRejected  = -2022
	CodeBadTick             = -4014
	CodeDuplicateClientID   = -4116
	CodeUseAlgoAPI          = -4120
	CodePercentPrice        = -4131
	CodeMinNotional         = -4164
	CodePostOnlyRejected    = -5022
	CodeNoNeedChangeMargin  = -4046
	CodeNoNeedChangeDualPos = -4059
)

// CodeOf returns the venue's code of err, or 0.
func CodeOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}
