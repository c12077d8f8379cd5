package binancesim_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/common"
	"github.com/adshao/go-binance/v2/futures"
	"github.com/gorilla/websocket"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange/binancesim"
)

// guard bounds every wait on the simulator; it only fires when a test is broken.
const guard = 5 * time.Second

// flat starts a simulator on the built-in flat market: price 400.00, bid
// 399.99, ask 400.01, 5 TAO on each level one tick apart.
func flat(t *testing.T, opts binancesim.Options) *binancesim.Sim {
	t.Helper()
	opts.Scenario = binancesim.FallbackScenario
	return binancesim.Start(t, opts)
}

// client is the real go-binance futures client pointed at sim (per client, no globals).
func client(s *binancesim.Sim) *futures.Client {
	c := futures.NewClient(s.APIKey, s.APISecret)
	c.BaseURL = s.RESTURL
	c.HTTPClient = &http.Client{Timeout: guard}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return c
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// apiCode returns the Binance code of a go-binance error, or 0.
func apiCode(err error) int64 {
	var ae *common.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// wsConn is a test WebSocket reader.
type wsConn struct {
	t *testing.T
	c *websocket.Conn
}

// dial opens url (relative to the sim's WS base) with gorilla/websocket.
func dial(t *testing.T, s *binancesim.Sim, path string) *wsConn {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(s.WSURL+path, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	_ = resp.Body.Close()
	t.Cleanup(func() { _ = c.Close() })
	return &wsConn{t: t, c: c}
}

// next reads one frame (failing the test after the guard).
func (w *wsConn) next() []byte {
	w.t.Helper()
	_ = w.c.SetReadDeadline(time.Now().Add(guard))
	_, data, err := w.c.ReadMessage()
	if err != nil {
		w.t.Fatalf("read frame: %v", err)
	}
	return data
}

// nextMatching reads frames until one contains substr.
func (w *wsConn) nextMatching(substr string) []byte {
	w.t.Helper()
	for range 100000 {
		if f := w.next(); strings.Contains(string(f), substr) {
			return f
		}
	}
	w.t.Fatalf("no frame containing %q", substr)
	return nil
}

// combined splits a combined-stream frame.
func combined(t *testing.T, frame []byte) (string, json.RawMessage) {
	t.Helper()
	var env struct {
		Stream string          `json:"stream"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(frame, &env); err != nil || env.Stream == "" {
		t.Fatalf("not a combined frame: %s (%v)", frame, err)
	}
	return env.Stream, env.Data
}

// signed sends a signed request the way go-binance does (timestamp in the
// query, other parameters in the form body for POST/DELETE) and returns the
// status and body.
func signed(t *testing.T, s *binancesim.Sim, method, path string, params url.Values) (int, []byte) {
	t.Helper()
	st, b, _ := signedFull(t, s, method, path, params)
	return st, b
}

// signedFull is signed with the reply's headers.
func signedFull(t *testing.T, s *binancesim.Sim, method, path string, params url.Values) (int, []byte, http.Header) {
	t.Helper()
	q := url.Values{"timestamp": {strconv.FormatInt(time.Now().UnixMilli(), 10)}}
	body := ""
	if method == http.MethodGet {
		for k, vs := range params {
			q[k] = vs
		}
	} else {
		body = params.Encode()
	}
	mac := hmac.New(sha256.New, []byte(s.APISecret))
	mac.Write([]byte(q.Encode() + body))
	full := s.RESTURL + path + "?" + q.Encode() + "&signature=" + hex.EncodeToString(mac.Sum(nil))
	req, err := http.NewRequest(method, full, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-MBX-APIKEY", s.APIKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := (&http.Client{Timeout: guard}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// binanceErr decodes {"code","msg"}.
func binanceErr(t *testing.T, b []byte) (int, string) {
	t.Helper()
	var e struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an error object: %s", b)
	}
	return e.Code, e.Msg
}
