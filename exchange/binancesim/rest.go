package binancesim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// security is an endpoint's Binance security type.
type security int

const (
	secNone   security = iota
	secAPIKey          // X-MBX-APIKEY only (listen keys)
	secSigned          // API key + HMAC signature + timestamp
)

// apiError is a Binance error reply: {"code":..,"msg":..} with an HTTP status.
type apiError struct {
	status     int
	code       int
	msg        string
	retryAfter time.Duration
}

func (e *apiError) Error() string { return strconv.Itoa(e.code) + " " + e.msg }

func errBad(code int, msg string) *apiError { return &apiError{status: 400, code: code, msg: msg} }

// request is what a handler sees: merged query and body parameters, at sim time now.
type request struct {
	p   url.Values
	now time.Time
}

func (r *request) str(k string) string { return r.p.Get(k) }

func (r *request) has(k string) bool { return r.p.Has(k) }

// int64Param reads an optional integer parameter: 0 when absent, -1100 when
// it is not a number (Binance never reads a garbled id as 0).
func (r *request) int64Param(k string) (int64, *apiError) {
	v := r.str(k)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errBad(-1100, "Illegal characters found in parameter '"+k+"'; legal range is '^[0-9]{1,20}$'.")
	}
	return n, nil
}

type handlerFunc func(s *Sim, r *request) (any, *apiError)

type route struct {
	sec    security
	weight func(r *request) int
	h      handlerFunc
	order  bool // an order placement: subject to FaultUnknownAfterAccept
}

func w(n int) func(*request) int { return func(*request) int { return n } }

// routes builds the HTTP handler: REST endpoints and the WebSocket upgrades.
func (s *Sim) routes() http.Handler {
	table := s.restTable()
	return http.HandlerFunc(func(rw http.ResponseWriter, hr *http.Request) {
		if hr.URL.Path == "/stream" || strings.HasPrefix(hr.URL.Path, "/ws/") {
			s.hub.serveWS(rw, hr)
			return
		}
		s.serveREST(rw, hr, table)
	})
}

func (s *Sim) serveREST(rw http.ResponseWriter, hr *http.Request, table map[string]route) {
	s.mu.Lock()
	delay := s.faults.delay
	s.mu.Unlock()
	if delay > 0 {
		// The injected wall clock, so a test can release the delay by advancing it.
		select {
		case <-s.opts.Wall.After(delay):
		case <-hr.Context().Done():
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, 1<<20))
	if err != nil {
		encodeReply(0, &apiError{status: 400, code: -1000, msg: "could not read body"}, nil).write(rw)
		return
	}
	rt, ok := table[hr.Method+" "+hr.URL.Path]
	if !ok {
		encodeReply(0, &apiError{status: 404, code: -5000, msg: "Path " + hr.URL.Path + ", Method " + hr.Method + " is invalid"}, nil).write(rw)
		return
	}
	params, err := url.ParseQuery(hr.URL.RawQuery)
	if err != nil {
		encodeReply(0, errBad(-1100, "Illegal characters found in a parameter."), nil).write(rw)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		encodeReply(0, errBad(-1100, "Illegal characters found in a parameter."), nil).write(rw)
		return
	}
	for k, vs := range form {
		for _, v := range vs {
			params.Add(k, v)
		}
	}
	// Build the reply under the lock, write it after: a client that stops
	// reading a large reply must not stall the simulator.
	s.handleLocked(hr, rt, params, body).write(rw)
}

// handleLocked runs one REST request under s.mu and encodes its reply.
func (s *Sim) handleLocked(hr *http.Request, rt route, params url.Values, body []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt.order {
		s.acct.requests++ // counted before any check: "did an order reach the exchange?"
	}
	req := &request{p: params, now: s.now}
	weight := rt.weight(req)
	if e := s.limit.admitLocked(s, weight); e != nil {
		return encodeReply(s.limit.used, e, nil)
	}
	if s.faults.httpErrors > 0 {
		s.faults.httpErrors--
		return encodeReply(s.limit.used, &apiError{status: s.faults.httpStatus, code: -1000, msg: "An unknown error occurred while processing the request."}, nil)
	}
	if e := s.authLocked(hr, rt.sec, body); e != nil {
		return encodeReply(s.limit.used, e, nil)
	}
	if rt.sec == secSigned {
		if e := s.riskRefusalLocked(); e != nil {
			return encodeReply(s.limit.used, e, nil)
		}
	}
	res, e := rt.h(s, req)
	if rt.sec == secSigned && e == nil {
		e = s.riskRefusalLocked() // the handler itself may have hit the error
	}
	if e == nil && rt.order && s.faults.unknownAfterAccept > 0 {
		s.faults.unknownAfterAccept--
		e = &apiError{status: 503, code: -1000, msg: "Unknown error, please check your request or try again later."}
	}
	r := encodeReply(s.limit.used, e, res)
	if rt.order {
		s.limit.orders++
		r.orderCount = strconv.Itoa(s.limit.orders)
	}
	return r
}

// reply is an encoded REST answer, built under s.mu and written without it.
type reply struct {
	status     int
	used       int
	retryAfter string
	orderCount string
	body       []byte
}

// encodeReply encodes res, or e as Binance's error object, with the weight used.
func encodeReply(used int, e *apiError, res any) reply {
	r := reply{status: 200, used: used}
	if e != nil {
		r.status = e.status
		if e.retryAfter > 0 {
			r.retryAfter = strconv.Itoa(int(math.Ceil(e.retryAfter.Seconds())))
		}
		r.body, _ = json.Marshal(map[string]any{"code": e.code, "msg": e.msg})
		return r
	}
	body, err := json.Marshal(res)
	if err != nil {
		r.status = 500
		body = []byte(`{"code":-1000,"msg":"encode reply"}`)
	}
	r.body = body
	return r
}

// write sends the reply with Binance's headers.
func (r reply) write(rw http.ResponseWriter) {
	h := rw.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-MBX-USED-WEIGHT-1M", strconv.Itoa(r.used))
	if r.retryAfter != "" {
		h.Set("Retry-After", r.retryAfter)
	}
	if r.orderCount != "" {
		h.Set("X-MBX-ORDER-COUNT-1M", r.orderCount)
	}
	rw.WriteHeader(r.status)
	_, _ = rw.Write(r.body)
}

// apiNowLocked is the server's API clock: wall time plus the skew fault.
// Signed timestamps and /time use it (go-binance stamps requests with wall
// time, so a manual or sped-up sim clock must not be compared with them).
func (s *Sim) apiNowLocked() time.Time { return s.opts.Wall.Now().Add(s.faults.skew) }

// authLocked checks the API key, signature and timestamp as Binance does.
func (s *Sim) authLocked(hr *http.Request, sec security, body []byte) *apiError {
	if sec == secNone {
		return nil
	}
	key := hr.Header.Get("X-MBX-APIKEY")
	if key == "" {
		return &apiError{status: 401, code: -2014, msg: "API-key format invalid."}
	}
	if key != s.APIKey {
		return &apiError{status: 401, code: -2015, msg: "Invalid API-key, IP, or permissions for action."}
	}
	if sec == secAPIKey {
		return nil
	}
	raw := hr.URL.RawQuery
	sig := ""
	var kept []string
	for _, part := range strings.Split(raw, "&") {
		if v, ok := strings.CutPrefix(part, "signature="); ok {
			sig = v
			continue
		}
		if part != "" {
			kept = append(kept, part)
		}
	}
	if sig == "" {
		if f, _ := url.ParseQuery(string(body)); f.Get("signature") != "" {
			sig = f.Get("signature")
		}
	}
	if sig == "" {
		return errBad(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
	}
	q, _ := url.ParseQuery(raw)
	f, _ := url.ParseQuery(string(body))
	tsStr := q.Get("timestamp")
	if tsStr == "" {
		tsStr = f.Get("timestamp")
	}
	if tsStr == "" {
		return errBad(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
	}
	mac := hmac.New(sha256.New, []byte(s.APISecret))
	mac.Write([]byte(strings.Join(kept, "&")))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(strings.ToLower(sig)), []byte(want)) {
		return errBad(-1022, "Signature for this request is not valid.")
	}
	ts, err := strconv.ParseInt(tsStr, 10, 64)
	if err != nil {
		return errBad(-1100, "Illegal characters found in parameter 'timestamp'.")
	}
	recv := int64(5000)
	if v := q.Get("recvWindow"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errBad(-1100, "Illegal characters found in parameter 'recvWindow'.")
		}
		if n > 0 && n <= 60000 {
			recv = n
		}
	}
	server := s.apiNowLocked().UnixMilli()
	if ts >= server+1000 {
		return errBad(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
	}
	if server-ts > recv {
		return errBad(-1021, "Timestamp for this request is outside of the recvWindow.")
	}
	return nil
}

// rateLimiter counts REQUEST_WEIGHT per sim minute and enforces 429/418.
type rateLimiter struct {
	window     time.Time // start of the current minute (sim time)
	used       int
	orders     int       // order placements this minute (X-MBX-ORDER-COUNT-1M; the ORDERS limit is not enforced)
	retryUntil time.Time // a 429 was answered; requests before this earn a ban
	bannedTill time.Time
}

// admitLocked charges weight, or answers 429 / 418.
func (l *rateLimiter) admitLocked(s *Sim, weight int) *apiError {
	now := s.now
	if m := now.Truncate(time.Minute); !m.Equal(l.window) {
		l.window, l.used, l.orders = m, 0, 0
	}
	if now.Before(l.bannedTill) {
		return &apiError{status: 418, code: -1003, msg: "Way too many requests; IP banned until " + strconv.FormatInt(l.bannedTill.UnixMilli(), 10) + ".", retryAfter: l.bannedTill.Sub(now)}
	}
	if now.Before(l.retryUntil) {
		l.bannedTill = now.Add(2 * time.Minute)
		l.retryUntil = time.Time{}
		return &apiError{status: 418, code: -1003, msg: "Way too many requests; IP banned until " + strconv.FormatInt(l.bannedTill.UnixMilli(), 10) + ".", retryAfter: 2 * time.Minute}
	}
	if s.faults.rateLimit > 0 {
		s.faults.rateLimit--
		l.retryUntil = now.Add(s.faults.rateLimitRetryAfter)
		return &apiError{status: 429, code: -1003, msg: "Too many requests; please use the websocket for live updates to avoid polling the API.", retryAfter: s.faults.rateLimitRetryAfter}
	}
	l.used += weight
	if l.used > s.opts.WeightLimit {
		l.retryUntil = l.window.Add(time.Minute)
		return &apiError{status: 429, code: -1003, msg: "Too many requests; current limit of IP is " + strconv.Itoa(s.opts.WeightLimit) + " requests per minute.", retryAfter: l.retryUntil.Sub(now)}
	}
	return nil
}
