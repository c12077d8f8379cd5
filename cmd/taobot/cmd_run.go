package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent"
	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/logging"
	"github.com/taobot/taobot/agent/orders"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binance"
	"github.com/taobot/taobot/exchange/paper"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// runRun handles `taobot run`: load config, set up logging, run the bot until ctx ends.
func runRun(ctx context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	path := configFlag(fs)
	level := fs.String("log-level", "", "log `LEVEL`: trace, debug, info, warn, error (default: log.level from the config)")
	format := fs.String("log-format", "", "log `FORMAT`: auto, json, console (default: log.format from the config)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot run [-c FILE] [--log-level L] [--log-format F]\n\n"+
			"Runs the bot in the mode the config chooses (paper by default) until SIGINT or SIGTERM.\n"+
			"Exit codes: 0 clean stop, 1 runtime failure, 2 bad usage, 3 bad config.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot run: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if _, err := logging.ParseLevel(*level); err != nil {
		fmt.Fprintf(c.stderr, "taobot run: --%v\n", err)
		return exitUsage
	}
	switch *format {
	case "", logging.FormatAuto, logging.FormatJSON, logging.FormatConsole:
	default:
		fmt.Fprintf(c.stderr, "taobot run: --log-format %q: allowed: auto, json, console\n", *format)
		return exitUsage
	}

	cfg, secrets, code := loadConfig(c, *path)
	if code != exitOK {
		return code
	}
	if *level != "" {
		cfg.Log.Level = *level
	}
	if *format != "" {
		cfg.Log.Format = *format
	}
	log, err := logging.New(logging.Options{Level: cfg.Log.Level, Format: cfg.Log.Format, Out: c.stdout, Secrets: secrets.Values()})
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot run: %v\n", err)
		return exitConfig
	}
	if err := runBot(ctx, cfg, secrets, log); err != nil {
		log.Error().Err(err).Msg("taobot failed")
		return exitRuntime
	}
	return exitOK
}

// runBot is the bot's life: open state, announce, run until ctx is done,
// close. Later issues add the market data, the agent loop and the traders here.
func runBot(ctx context.Context, cfg *config.Config, secrets config.Secrets, log zerolog.Logger) (err error) {
	if err := os.MkdirAll(filepath.Dir(cfg.State.Path), 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	st, err := state.Open(cfg.State.Path)
	if err != nil {
		return fmt.Errorf("open state: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close state: %w", cerr))
		}
		if err == nil {
			log.Info().Msg("taobot stopped")
		}
	}()

	rest, ws := cfg.Exchange.Endpoints()
	http := cfg.HTTP.Listen
	if http == "" {
		http = "off"
	}
	log.Info().
		Str("version", version).
		Str("mode", string(cfg.Mode)).
		Str("symbol", cfg.Symbol).
		Str("network", cfg.Exchange.Network).
		Str("rest_url", rest).
		Str("ws_url", ws).
		Str("state", cfg.State.Path).
		Str("http", http).
		Object("keys", secrets).
		Msg("taobot starting")
	if cfg.Mode == config.ModeLive {
		log.Warn().Str("symbol", cfg.Symbol).Msg("LIVE MODE: orders use real money with leverage")
	}

	// The order manager books closed positions in the agent's risk limits;
	// the agent exists only after the deps, so the hook looks it up late.
	var a *agent.Agent
	onClose := func(now time.Time, pnl decimal.Decimal, stoppedOut bool) {
		if a != nil {
			a.RecordClose(now, pnl, stoppedOut)
		}
	}
	deps, cleanup, err := buildDeps(ctx, cfg, secrets, log, st, onClose)
	if err != nil {
		if ctx.Err() != nil {
			// Asked to stop while starting: that is a clean stop, not a failure.
			log.Info().Str("reason", context.Cause(ctx).Error()).Str("phase", "start-up").AnErr("interrupted", err).Msg("taobot stopping")
			return nil
		}
		if errors.Is(err, exchange.ErrRetryable) || errors.Is(err, exchange.ErrUnknownOutcome) {
			rest, _ := cfg.Exchange.Endpoints()
			err = fmt.Errorf("%w (cannot reach %s: check the network, DNS and exchange.network; `taobot demo` runs offline against the local simulator)", err, rest)
		}
		return err
	}
	defer cleanup()
	a, err = agent.New(deps)
	if err != nil {
		return err
	}
	stopHTTP, err := serveStatus(cfg.HTTP.Listen, a, log)
	if err != nil {
		return err
	}
	defer stopHTTP()
	if err := a.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	log.Info().Str("reason", context.Cause(ctx).Error()).Msg("taobot stopping")
	return nil
}

// buildDeps plugs the venue into the agent. Modes differ only here: which
// user stream, which Trader and which account; the loop is the same.
func buildDeps(ctx context.Context, cfg *config.Config, secrets config.Secrets, log zerolog.Logger, st *state.Store,
	onClose func(time.Time, decimal.Decimal, bool)) (agent.Deps, func(), error) {
	clock := exchange.WallClock{}
	adapterLog := log.With().Str("component", "binance").Logger()
	var key, secret string
	if cfg.Mode == config.ModeLive { // paper and dry-run read public data only: they get no keys at all
		key, secret = secrets.APIKey(), secrets.APISecret()
	}
	client, err := binance.New(binance.Options{
		Network: binance.Network(cfg.Exchange.Network), RESTURL: cfg.Exchange.RESTURL, WSURL: cfg.Exchange.WSURL,
		Key: key, Secret: secret, Symbol: cfg.Symbol, Clock: clock, Logger: &adapterLog,
		OIPollInterval: cfg.Exchange.OIPollInterval, StaleAfter: cfg.Exchange.StaleAfter,
		BackoffMin: cfg.Exchange.ReconnectBackoff.Min, BackoffMax: cfg.Exchange.ReconnectBackoff.Max,
		RecvWindow: cfg.Exchange.RecvWindow.Milliseconds(),
	})
	if err != nil {
		return agent.Deps{}, nil, fmt.Errorf("exchange adapter: %w", err)
	}
	// Live sizes with the account's own bracket table (signed); paper and
	// dry-run need no keys, so they take the public filters and the built-in
	// (or configured) TAOUSDT brackets.
	var rules exchange.SymbolRules
	if cfg.Mode == config.ModeLive {
		if err := client.CheckPositionMode(ctx); err != nil {
			return agent.Deps{}, nil, fmt.Errorf("live mode needs one-way position mode: %w", err)
		}
		rules, err = client.SymbolRules(ctx, cfg.Symbol)
	} else {
		rules, err = client.ExchangeRules(ctx, cfg.Symbol)
		if err == nil {
			rules.Brackets = agent.Brackets(*cfg)
			if len(rules.Brackets) == 0 {
				rules.Brackets = risk.DefaultTAOBrackets()
			}
		}
	}
	if err != nil {
		return agent.Deps{}, nil, fmt.Errorf("symbol rules for %s: %w", cfg.Symbol, err)
	}
	iv, err := client.FundingInterval(ctx, cfg.Symbol)
	if err != nil {
		return agent.Deps{}, nil, fmt.Errorf("funding interval of %s: %w", cfg.Symbol, err)
	}
	deps := agent.Deps{Config: *cfg, Clock: clock, Log: log, Store: st, Market: client.MarketStream(), FundingInterval: iv,
		Rules: func(context.Context) (exchange.SymbolRules, error) { return rules, nil }}
	noop := func() {}
	var venue exchange.Trader
	switch cfg.Mode {
	case config.ModeDryRun:
		log.Info().Str("event", "dry_run").Msg("dry-run: signals and plans are logged and stored; no order is ever sent")
		return deps, noop, nil
	case config.ModePaper:
		mt := exchange.Isolated
		if cfg.Risk.MarginType == "cross" {
			mt = exchange.Cross
		}
		p, err := paper.New(paper.Config{Symbol: cfg.Symbol, Rules: rules, Asset: "USDT", InitialBalance: cfg.Paper.StartingBalance,
			MakerFee: cfg.Risk.MakerFeeRate, TakerFee: cfg.Risk.TakerFeeRate, SlippageBps: cfg.Paper.SlippageBps, MarginType: mt}, st, clock)
		if err != nil {
			return agent.Deps{}, nil, fmt.Errorf("paper account: %w", err)
		}
		paperLog := log.With().Str("component", "paper").Logger()
		deps.User, deps.Account = p, p
		deps.Observe = func(ev exchange.Event) {
			if err := p.Observe(ev); err != nil {
				paperLog.Error().Err(err).Str("event", "paper_failed").Msg("paper venue could not apply a market event")
			}
		}
		venue = p
		log.Info().Str("event", "paper").Str("balance", cfg.Paper.StartingBalance.String()).
			Msg("paper mode: simulated fills, fees, funding and liquidation on live market data; the account persists in the state file")
	case config.ModeLive:
		deps.User, deps.Account = client.UserStream(), client
		venue = client
		log.Warn().Str("event", "live").Str("rest_url", client.Options().RESTURL).
			Msg("LIVE TRADING: real orders, real money, leverage; the kill switch file stops new entries")
	default:
		return agent.Deps{}, nil, fmt.Errorf("unknown mode %q", cfg.Mode)
	}
	mgr, err := orders.New(OrdersConfig(cfg, onClose), venue, st, clock, log, rules)
	if err != nil {
		return agent.Deps{}, nil, fmt.Errorf("order manager: %w", err)
	}
	deps.Orders = mgr
	return deps, noop, nil
}

// OrdersConfig maps the orders section onto the order manager's config.
func OrdersConfig(cfg *config.Config, onClose func(time.Time, decimal.Decimal, bool)) orders.Config {
	o := cfg.Orders
	oc := orders.Config{
		Symbol: cfg.Symbol, Prefix: o.ClientIDPrefix, EntryType: exchange.Limit, LimitTimeout: o.LimitTimeout,
		StopWorkingType: exchange.WorkingType(o.StopWorkingType), MarginType: exchange.Isolated,
		Breakeven: o.Breakeven.Enabled, BreakevenR: o.Breakeven.TriggerR,
		Trailing: o.Trailing.Enabled, TrailActivationR: o.Trailing.ActivationR, TrailDistancePct: o.Trailing.DistancePct,
		TimeStop: o.TimeStop, ExitOnClusterGone: o.ExitOnClusterGone, AdoptUnknown: o.UnknownPosition == "adopt",
		MissingStopAlarm: o.MissingStopAlarm, UserStream: binance.UserStreamName, OnClose: onClose,
		AdoptStopPct: o.AdoptStopPct, ClusterTolerancePct: o.ClusterTolerancePct, ClusterGoneGrace: o.ClusterGoneGrace,
		CallTimeout: o.CallTimeout, VenueCheckInterval: o.VenueCheck, VenueCheckIdleInterval: o.VenueCheckIdle,
	}
	if o.EntryType == "market" {
		oc.EntryType = exchange.Market
	}
	if cfg.Risk.MarginType == "cross" {
		oc.MarginType = exchange.Cross
	}
	return oc
}

// serveStatus starts the status API when listen is set; the returned func stops it.
func serveStatus(listen string, a *agent.Agent, log zerolog.Logger) (func(), error) {
	if listen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("status API on %s: %w (change http.listen or leave it empty)", listen, err)
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Str("event", "http_failed").Msg("status API stopped")
		}
	}()
	log.Info().Str("event", "http").Str("listen", ln.Addr().String()).Msg("status API: /healthz /status /map")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
