package binancesim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// Symbol is the one contract the simulator lists.
const Symbol = "TAOUSDT"

// Options configures a simulator. The zero value is a usable manual-clock
// simulator with 10,000 USDT and the default scenario.
type Options struct {
	// Scenario names the market model's scenario (calm, long-cascade, ...);
	// "flat" selects the built-in tiny random walk.
	Scenario string
	// Seed makes the market deterministic: same seed, same events.
	Seed int64
	// Start is the sim clock's start time (default 2026-01-05 00:00:00 UTC).
	Start time.Time
	// Speed > 0 runs the sim clock at Speed times wall time (the CLI);
	// 0 means manual: time moves only through Advance (tests).
	Speed float64
	// Step is the model's time step (default 1s). Streams push once per step.
	Step time.Duration
	// Balance is the starting USDT wallet balance (default 10000).
	Balance decimal.Decimal
	// Listen is the address to listen on (default 127.0.0.1:0).
	Listen string
	// APIKey and APISecret default to values derived from Seed.
	APIKey, APISecret string
	// Rules overrides the TAOUSDT filters (brackets come from Brackets).
	Rules *exchange.SymbolRules
	// Brackets overrides the maintenance-margin tiers (default risk.DefaultTAOBrackets).
	Brackets []exchange.Bracket
	// FundingInterval is the symbol's funding interval (default: the model's, 8h).
	FundingInterval time.Duration
	// StartPrice is the market's opening price (default 400).
	StartPrice decimal.Decimal
	// EventAt is when the scenario's main event (drop, rally, shock) starts
	// after Start, and EventEvery how often it repeats; zero takes the model's
	// defaults (10 minutes, every 4 hours).
	EventAt, EventEvery time.Duration
	// MakerFee and TakerFee are commission rates (default 0.0002 and 0.0005).
	MakerFee, TakerFee decimal.Decimal
	// WeightLimit is REQUEST_WEIGHT per sim minute (default 2400).
	WeightLimit int
	// ListenKeyTTL is how long a listen key lives without keepalive, in sim time (default 60m).
	ListenKeyTTL time.Duration
	// ConnLifetime closes WebSocket connections older than this, in sim time (default 24h).
	ConnLifetime time.Duration
	// PingInterval is how often the server pings WebSocket clients, in wall time (default 3m).
	PingInterval time.Duration
	// Wall is the wall clock used for signature timestamps and real-time pacing (default exchange.WallClock).
	Wall exchange.Clock
}

func (o Options) withDefaults() Options {
	if o.Scenario == "" {
		o.Scenario = "calm"
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	}
	o.Start = o.Start.UTC()
	if o.Step <= 0 {
		o.Step = time.Second
	}
	if o.Balance.IsZero() {
		o.Balance = decimal.NewFromInt(10000)
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.APIKey == "" {
		o.APIKey = derive("key", o.Seed)
	}
	if o.APISecret == "" {
		o.APISecret = derive("secret", o.Seed)
	}
	if len(o.Brackets) == 0 {
		o.Brackets = risk.DefaultTAOBrackets()
	}
	if o.StartPrice.IsZero() {
		o.StartPrice = decimal.NewFromInt(400)
	}
	if o.MakerFee.IsZero() {
		o.MakerFee = decimal.RequireFromString("0.0002")
	}
	if o.TakerFee.IsZero() {
		o.TakerFee = decimal.RequireFromString("0.0005")
	}
	if o.WeightLimit <= 0 {
		o.WeightLimit = 2400
	}
	if o.ListenKeyTTL <= 0 {
		o.ListenKeyTTL = time.Hour
	}
	if o.ConnLifetime <= 0 {
		o.ConnLifetime = 24 * time.Hour
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 3 * time.Minute
	}
	if o.Wall == nil {
		o.Wall = exchange.WallClock{}
	}
	return o
}

// derive makes a stable, obviously fake credential from the seed.
func derive(what string, seed int64) string {
	h := sha256.Sum256([]byte("binancesim-" + what + "-" + strconv.FormatInt(seed, 10)))
	return hex.EncodeToString(h[:])
}

// Sim is one running simulator. All state sits behind mu; HTTP handlers,
// WebSocket publishers and the controls below take it, so a Sim is safe for
// concurrent use and several Sims share nothing.
type Sim struct {
	// RESTURL is the REST base (set go-binance's client.BaseURL to it).
	RESTURL string
	// WSURL is the WebSocket base: raw streams at WSURL+"/ws/<name>", combined at WSURL+"/stream?streams=a/b".
	WSURL string
	// APIKey and APISecret are the credentials the simulator accepts.
	APIKey, APISecret string

	opts  Options
	rules exchange.SymbolRules

	mu     sync.Mutex
	now    time.Time // sim clock
	model  model
	acct   *account
	hub    *hub
	faults faults
	hist   history
	limit  rateLimiter
	keys   map[string]time.Time // listen key -> expiry (sim time)
	keyGen int64
	pub    publisher

	ln     net.Listener
	srv    *http.Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool

	riskErr error // first margin/liquidation error; signed requests are refused after it
}

// New builds a simulator and binds its listener; call Serve to run it.
func New(opts Options) (*Sim, error) {
	opts = opts.withDefaults()
	m, err := newModel(opts)
	if err != nil {
		return nil, fmt.Errorf("binancesim: market model: %w", err)
	}
	if err := risk.ValidateBrackets(opts.Brackets); err != nil {
		return nil, fmt.Errorf("binancesim: %w", err)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("binancesim: listen %s: %w", opts.Listen, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sim{
		RESTURL:   "http://" + ln.Addr().String(),
		WSURL:     "ws://" + ln.Addr().String(),
		APIKey:    opts.APIKey,
		APISecret: opts.APISecret,
		opts:      opts,
		rules:     defaultRules(opts),
		now:       opts.Start,
		model:     m,
		acct:      newAccount(opts.Balance),
		keys:      map[string]time.Time{},
		ln:        ln,
		ctx:       ctx,
		cancel:    cancel,
	}
	s.hub = newHub(s)
	s.pub = newPublisher(opts.Start)
	s.hist.init(s.now, s.model.Quote())
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// Start runs a manual-clock simulator for a test and closes it on cleanup;
// an error from Serve fails the test then.
func Start(t testing.TB, opts Options) *Sim {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("binancesim.Start: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("binancesim: close: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("binancesim: serve: %v", err)
		}
		if err := s.Err(); err != nil {
			t.Errorf("binancesim: %v", err)
		}
	})
	return s
}

// Serve answers requests until Close; with Speed > 0 it also runs the sim
// clock in real time. It returns nil after Close, also when Close came first.
func (s *Sim) Serve() error {
	// The loops join the WaitGroup under mu and only while open, so Close
	// (which marks closed under mu before Wait) either waits for them or
	// they never start.
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.hub.pingLoop(s.ctx)
	}()
	if s.opts.Speed > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.realtime(s.ctx)
		}()
	}
	s.mu.Unlock()
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server, drops every connection and waits for the simulator's goroutines.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	err := s.srv.Close()
	// srv.Close only closes listeners Serve has taken; a Close before Serve must free it too.
	if lerr := s.ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) && err == nil {
		err = lerr
	}
	s.hub.closeAll()
	s.wg.Wait()
	s.hub.wait()
	return err
}

// realtime advances the sim clock at Speed x wall time, one step at a time.
func (s *Sim) realtime(ctx context.Context) {
	wallStart := s.opts.Wall.Now()
	tick := time.Duration(float64(s.opts.Step) / s.opts.Speed)
	if tick < 5*time.Millisecond {
		tick = 5 * time.Millisecond
	}
	t := s.opts.Wall.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			// From the clock, not the tick: a slow reader's dropped ticks must not slow the sim.
			elapsed := time.Duration(float64(s.opts.Wall.Now().Sub(wallStart)) * s.opts.Speed)
			target := s.opts.Start.Add(elapsed.Truncate(s.opts.Step)) // stay on the step grid
			s.mu.Lock()
			s.advanceToLocked(target)
			s.mu.Unlock()
		}
	}
}

// Now is the sim clock.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Advance moves the sim clock forward by d in model steps, publishing every
// stream message those steps produce before it returns. A very long single
// Advance queues every frame of every step before any is sent, and a
// connection more than 4096 frames behind is dropped: advance a subscribed
// simulator in shorter pieces.
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceToLocked(s.now.Add(d))
}

// advanceToLocked steps the model up to target. Caller holds s.mu.
func (s *Sim) advanceToLocked(target time.Time) {
	for s.now.Before(target) {
		next := s.now.Add(s.opts.Step)
		if next.After(target) {
			next = target
		}
		s.now = next
		s.stepLocked()
	}
}

// SetPrice moves the market to p now and runs the account against it
// (resting limits, stops, liquidation), publishing the results; mark price,
// book ticker and depth are pushed at once, off their usual cadence.
func (s *Sim) SetPrice(p decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.model.SetPrice(p)
	s.afterMarketMoveLocked(nil)
	s.publishQuoteLocked(true)
}
