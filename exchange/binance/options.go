package binance

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/taobot/taobot/exchange"
)

// Network selects which Binance USD-M deployment to talk to.
type Network string

// Networks. Custom takes RESTURL and WSURL from Options (the simulator, a proxy).
const (
	Mainnet Network = "mainnet"
	Testnet Network = "testnet"
	Custom  Network = "custom"
)

// Base URLs of the public deployments.
const (
	MainnetREST = "https://fapi.binance.com"
	MainnetWS   = "wss://fstream.binance.com"
	TestnetREST = "https://testnet.binancefuture.com"
	TestnetWS   = "wss://stream.binancefuture.com"
)

// Endpoints resolves the REST and WebSocket base URLs for a network. For
// Custom both rest and ws must be given; for the public networks they must be
// empty (so a config cannot silently point "mainnet" elsewhere).
func Endpoints(network Network, rest, ws string) (restURL, wsURL string, err error) {
	switch network {
	case Mainnet, "":
		if rest != "" || ws != "" {
			return "", "", fmt.Errorf("network mainnet takes no custom URLs (got rest=%q ws=%q)", rest, ws)
		}
		return MainnetREST, MainnetWS, nil
	case Testnet:
		if rest != "" || ws != "" {
			return "", "", fmt.Errorf("network testnet takes no custom URLs (got rest=%q ws=%q)", rest, ws)
		}
		return TestnetREST, TestnetWS, nil
	case Custom:
		if rest == "" || ws == "" {
			return "", "", fmt.Errorf("network custom needs both REST and WS URLs (got rest=%q ws=%q)", rest, ws)
		}
		return strings.TrimRight(rest, "/"), strings.TrimRight(ws, "/"), nil
	}
	return "", "", fmt.Errorf("unknown network %q (want mainnet, testnet or custom)", network)
}

// Options configure a Client and its streams. Zero values take the defaults
// documented on each field.
type Options struct {
	Network Network
	// RESTURL and WSURL are used only with Network Custom. WSURL is the base
	// under which /ws/<name> and /stream?streams=... live.
	RESTURL string
	WSURL   string
	// Key and Secret are the API credentials; never logged.
	Key    string
	Secret string
	// Symbol is the one symbol the market stream follows, e.g. TAOUSDT.
	Symbol string
	// Clock drives every timer (staleness, reconnects, polling, back-off). Default exchange.WallClock.
	Clock exchange.Clock
	// Logger receives operational logs. Default: discard.
	Logger *zerolog.Logger
	// OIPollInterval is how often open interest is polled. Default 5 s.
	OIPollInterval time.Duration
	// StaleAfter is the silence after which a stream counts as stalled. Default 10 s.
	StaleAfter time.Duration
	// MaxConnAge is when a connection is replaced proactively (Binance cuts at 24 h). Default 23 h 30 m.
	MaxConnAge time.Duration
	// BackoffMin and BackoffMax bound the reconnect back-off. Defaults 500 ms and 30 s.
	BackoffMin time.Duration
	BackoffMax time.Duration
	// Jitter returns a factor in [0,1) applied to back-off; default a private PRNG. Tests inject a fixed one.
	Jitter func() float64
	// RecvWindow for signed requests in milliseconds. Default 5000.
	RecvWindow int64
	// TimeSyncInterval is how often the server-time offset is remeasured. Default 5 min.
	TimeSyncInterval time.Duration
	// ListenKeyKeepalive is how often the listen key is extended. Default 30 min.
	ListenKeyKeepalive time.Duration
	// UserStaleAfter is the silence (no data and no ping) after which the
	// user-data connection counts as dead. Default 10 min: Binance pings every
	// 3 min and drops clients silent for 10.
	UserStaleAfter time.Duration
	// WeightLimit is the per-minute REQUEST_WEIGHT budget. Default 2400.
	WeightLimit int
	// HTTPClient is the base HTTP client; its transport gets wrapped. Default a fresh client with a 10 s timeout.
	HTTPClient *http.Client
	// OIHistLimit is how many 5-minute openInterestHist points are back-filled at start. Default 288 (one day); 0 keeps the default, negative disables.
	OIHistLimit int
}

func (o Options) withDefaults() (Options, error) {
	rest, ws, err := Endpoints(o.Network, o.RESTURL, o.WSURL)
	if err != nil {
		return o, err
	}
	o.RESTURL, o.WSURL = rest, ws
	if o.Clock == nil {
		o.Clock = exchange.WallClock{}
	}
	if o.Logger == nil {
		l := zerolog.Nop()
		o.Logger = &l
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.OIPollInterval, 5*time.Second)
	def(&o.StaleAfter, 10*time.Second)
	def(&o.MaxConnAge, 23*time.Hour+30*time.Minute)
	def(&o.BackoffMin, 500*time.Millisecond)
	def(&o.BackoffMax, 30*time.Second)
	def(&o.TimeSyncInterval, 5*time.Minute)
	def(&o.ListenKeyKeepalive, 30*time.Minute)
	def(&o.UserStaleAfter, 10*time.Minute)
	if o.BackoffMax < o.BackoffMin {
		o.BackoffMax = o.BackoffMin
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64 // goroutine-safe, self-seeded
	}
	if o.RecvWindow <= 0 {
		o.RecvWindow = 5000
	}
	if o.WeightLimit <= 0 {
		o.WeightLimit = 2400
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.OIHistLimit == 0 {
		o.OIHistLimit = 288
	}
	o.Symbol = strings.ToUpper(o.Symbol)
	return o, nil
}

// backoff returns the wait before reconnect attempt n (0 = first retry,
// which is immediate): min*2^(n-1), capped at max, scaled by a jitter factor
// in [0.5, 1) so many clients do not reconnect in lockstep.
func backoff(n int, min, max time.Duration, jitter func() float64) time.Duration {
	if n <= 0 {
		return 0
	}
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return time.Duration(float64(d) * (0.5 + jitter()/2))
}
