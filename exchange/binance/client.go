package binance

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/adshao/go-binance/v2/common"
	"github.com/adshao/go-binance/v2/futures"
	"github.com/rs/zerolog"

	"github.com/taobot/taobot/exchange"
)

// Client is the REST side of the adapter: the live exchange.Trader plus the
// public reads the market stream needs. It is safe for concurrent use.
type Client struct {
	opts Options
	log  zerolog.Logger
	http *http.Client
	lim  *limiter

	// offsetMs is local wall time minus server time, in ms, as go-binance's
	// TimeOffset expects. Read atomically: each call builds its own
	// futures.Client with the current value, so no shared field is mutated.
	offsetMs atomic.Int64
	syncMu   sync.Mutex
	syncedAt time.Time // clock time of the last successful sync
	synced   atomic.Bool

	// wallNow is the time base of request signatures. go-binance stamps
	// signed requests with time.Now() internally; our own signed calls must
	// use the same base or the shared offset would be wrong for one of them.
	wallNow func() time.Time
}

var _ exchange.Trader = (*Client)(nil)

// New builds a Client. It does no I/O; the first signed call measures the
// server-time offset.
func New(opts Options) (*Client, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	hc := *o.HTTPClient // copy: never wrap a caller's client in place
	lim := newLimiter(hc.Transport, o.Clock, o.WeightLimit)
	hc.Transport = lim
	return &Client{opts: o, log: *o.Logger, http: &hc, lim: lim, wallNow: time.Now}, nil
}

// Options returns the effective options (defaults filled in).
func (c *Client) Options() Options { return c.opts }

// api returns a go-binance client for one call. Building one per call keeps
// BaseURL and TimeOffset per instance and per moment, without touching
// go-binance's package variables or racing on a shared struct.
func (c *Client) api() *futures.Client {
	fc := futures.NewClient(c.opts.Key, c.opts.Secret)
	fc.BaseURL = c.opts.RESTURL
	fc.HTTPClient = c.http
	fc.TimeOffset = c.offsetMs.Load()
	return fc
}

func (c *Client) recv() futures.RequestOption { return futures.WithRecvWindow(c.opts.RecvWindow) }

// call runs one REST call and classifies its error. signed calls first make
// sure the time offset is fresh, and a -1021 answer triggers exactly one
// resync and one retry (a -1021 is a 400: the request was not executed).
func (c *Client) call(ctx context.Context, what string, kind callKind, signed bool, fn func(ctx context.Context, api *futures.Client) error) error {
	if signed {
		c.maybeSync(ctx)
	}
	for attempt := 0; ; attempt++ {
		cctx, ci := withCallInfo(ctx)
		err := classify(fn(cctx, c.api()), ci, kind)
		if err == nil {
			return nil
		}
		if signed && attempt == 0 && exchange.CodeOf(err) == exchange.CodeTimestamp {
			c.log.Warn().Str("call", what).Msg("timestamp outside recvWindow (-1021): resyncing server time and retrying once")
			if serr := c.SyncTime(ctx); serr != nil {
				return fmt.Errorf("%s: resync after -1021: %w", what, serr)
			}
			continue
		}
		return fmt.Errorf("%s: %w", what, err)
	}
}

// maybeSync remeasures the offset if it was never measured or is older
// than TimeSyncInterval. A failed sync is logged; the old offset stays.
func (c *Client) maybeSync(ctx context.Context) {
	c.syncMu.Lock()
	due := !c.synced.Load() || c.opts.Clock.Now().Sub(c.syncedAt) >= c.opts.TimeSyncInterval
	c.syncMu.Unlock()
	if !due {
		return
	}
	if err := c.SyncTime(ctx); err != nil {
		c.log.Warn().Err(err).Msg("server time sync failed; keeping previous offset")
	}
}

// SyncTime measures the server-time offset now (GET /fapi/v1/time),
// assuming the server stamped its reply half-way through the round trip.
func (c *Client) SyncTime(ctx context.Context) error {
	var server int64
	var t0, t1 time.Time
	err := c.call(ctx, "server time", read, false, func(ctx context.Context, api *futures.Client) error {
		t0 = c.wallNow()
		var err error
		server, err = api.NewServerTimeService().Do(ctx)
		t1 = c.wallNow()
		return err
	})
	if err != nil {
		return err
	}
	mid := t0.Add(t1.Sub(t0) / 2).UnixMilli()
	c.offsetMs.Store(mid - server)
	c.syncMu.Lock()
	c.syncedAt = c.opts.Clock.Now()
	c.synced.Store(true)
	c.syncMu.Unlock()
	c.log.Debug().Int64("offset_ms", mid-server).Msg("server time synced")
	return nil
}

// TimeOffset is local wall time minus server time as last measured.
func (c *Client) TimeOffset() time.Duration {
	return time.Duration(c.offsetMs.Load()) * time.Millisecond
}

// signedRequest sends a hand-signed request the way go-binance does
// (HMAC-SHA256 of the query string, timestamp minus the shared offset,
// recvWindow, X-MBX-APIKEY) and decodes a JSON reply into out. Errors come
// back as *common.APIError like go-binance's, so classify treats both alike.
// Used by algo.go and for leverageBracket (whose go-binance struct is float64).
func (c *Client) signedRequest(ctx context.Context, method, path string, params url.Values, out any) error {
	if params == nil {
		params = url.Values{}
	}
	params.Set("recvWindow", strconv.FormatInt(c.opts.RecvWindow, 10))
	params.Set("timestamp", strconv.FormatInt(c.wallNow().UnixMilli()-c.offsetMs.Load(), 10))
	q := params.Encode()
	mac := hmac.New(sha256.New, []byte(c.opts.Secret))
	mac.Write([]byte(q))
	q += "&signature=" + hex.EncodeToString(mac.Sum(nil))
	req, err := http.NewRequestWithContext(ctx, method, c.opts.RESTURL+path+"?"+q, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-MBX-APIKEY", c.opts.Key)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		apiErr := &common.APIError{}
		if json.Unmarshal(body, apiErr) != nil || !apiErr.IsValid() {
			apiErr.Response = body
		}
		return apiErr
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}
