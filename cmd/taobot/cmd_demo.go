package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/logging"
	"github.com/taobot/taobot/exchange/binancesim"
	"github.com/taobot/taobot/exchange/binancesim/market"
)

// runDemo runs the local simulator and the bot against it in one process:
// the whole product, end to end, with no internet and no keys.
func runDemo(ctx context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var names []string
	for _, s := range market.Scenarios() {
		names = append(names, string(s))
	}
	path := fs.String("c", "", "config `FILE` to rehearse (default: the built-in defaults); its exchange section is replaced by the simulator")
	scenario := fs.String("scenario", "long-cascade", "market scenario: "+strings.Join(names, ", "))
	speed := fs.Float64("speed", 30, "sim seconds per wall second")
	eventAt := fs.Duration("event-at", 25*time.Minute, "sim time of the scenario's event (drop, rally, shock); it repeats every 4h.\nThe bot needs 15 sim minutes of data before its first signal")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same market")
	mode := fs.String("mode", "", "mode: paper, dry-run or live (live trades the simulator's fake account through the real adapter; default: the config's mode, paper)")
	db := fs.String("db", "data/demo.db", "state `FILE` for the demo (kept apart from the real bot's)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "status API address (empty = off); try: curl http://ADDR/map")
	minNotional := fs.String("min-cluster", "5000", "strategy.min_cluster_notional_usdt for the demo: the simulated market is smaller than the real one")
	level := fs.String("log-level", "info", "log `LEVEL`")
	format := fs.String("log-format", "auto", "log `FORMAT`: auto, json, console")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot demo [--scenario S] [--speed X] [--mode paper|dry-run|live] [-c FILE]\n\n"+
			"Starts the local Binance simulator with a synthetic TAOUSDT market and runs the bot against it\n"+
			"(paper mode by default) until Ctrl-C. No internet, no keys. Afterwards:\n"+
			"  taobot signals --db data/demo.db --since 0     taobot map --db data/demo.db\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot demo: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	opts, err := simOptions(*scenario, *speed, *seed, "127.0.0.1:0", "10000", "", time.Second)
	minN, nerr := decimal.NewFromString(*minNotional)
	if err = errors.Join(err, nerr); err != nil {
		fmt.Fprintf(c.stderr, "taobot demo: %v\n", err)
		return exitUsage
	}
	opts.EventAt = *eventAt
	cfg := config.Default()
	if *path != "" {
		// Keys are not needed: the demo trades the simulator's fake account.
		loaded, code := loadConfigNoKeys(c, *path)
		if code != exitOK {
			return code
		}
		cfg = *loaded
	}
	if *mode != "" {
		cfg.Mode = config.Mode(*mode)
	}
	switch cfg.Mode {
	case config.ModePaper, config.ModeDryRun, config.ModeLive:
	default:
		fmt.Fprintf(c.stderr, "taobot demo: --mode %q: allowed: paper, dry-run, live\n", cfg.Mode)
		return exitUsage
	}
	sim, err := binancesim.New(opts)
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot demo: %v\n", err)
		return exitRuntime
	}
	served := make(chan error, 1)
	go func() { served <- sim.Serve() }()
	defer func() {
		_ = sim.Close()
		<-served
	}()
	cfg.Exchange.Network = config.NetworkCustom
	cfg.Exchange.RESTURL, cfg.Exchange.WSURL = sim.RESTURL, sim.WSURL
	cfg.State.Path = *db
	cfg.HTTP.Listen = *httpAddr
	cfg.Strategy.MinClusterNotional = minN
	cfg.Keys.KeyFile = ""
	cfg.Log.Level, cfg.Log.Format = *level, *format
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(c.stderr, "taobot demo: %v\n", err)
		return exitConfig
	}
	secrets := config.NewSecrets(sim.APIKey, sim.APISecret, "simulator")
	log, err := logging.New(logging.Options{Level: cfg.Log.Level, Format: cfg.Log.Format, Out: c.stdout, Secrets: secrets.Values()})
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot demo: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(c.stderr, "taobot demo: scenario %s, seed %d, speed %gx, mode %s; simulator at %s; state %s\n",
		opts.Scenario, opts.Seed, opts.Speed, cfg.Mode, sim.RESTURL, cfg.State.Path)
	if cfg.HTTP.Listen != "" {
		fmt.Fprintf(c.stderr, "taobot demo: watch it: curl http://%s/map   curl http://%s/status\n", cfg.HTTP.Listen, cfg.HTTP.Listen)
	}
	fmt.Fprintf(c.stderr, "taobot demo: Ctrl-C to stop; then: taobot signals --db %s --since 0\n\n", cfg.State.Path)
	if err := runBot(ctx, &cfg, secrets, log); err != nil {
		log.Error().Err(err).Msg("taobot demo failed")
		return exitRuntime
	}
	if err := sim.Err(); err != nil {
		log.Error().Err(err).Msg("the simulator failed during the demo")
		return exitRuntime
	}
	return exitOK
}
