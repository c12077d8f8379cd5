package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
	"github.com/taobot/taobot/exchange/binancesim/market"
)

// runSim serves a local Binance USD-M simulator until ctx ends (SIGINT).
func runSim(ctx context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var names []string
	for _, s := range market.Scenarios() {
		names = append(names, string(s))
	}
	scenario := fs.String("scenario", "calm", "market scenario: "+strings.Join(names, ", ")+" (or "+binancesim.FallbackScenario+")")
	speed := fs.Float64("speed", 1, "sim seconds per wall second (1440 runs a day in a minute)")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same market")
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (keep it on loopback: the credentials are public)")
	balance := fs.String("balance", "10000", "starting USDT wallet balance")
	start := fs.String("start", "", "sim start time, RFC3339 (default: now)")
	step := fs.Duration("step", time.Second, "market model step (streams push once per step)")
	dropEvery := fs.Duration("drop-every", 0, "fault: drop every WebSocket connection each DURATION of sim time")
	delay := fs.Duration("delay", 0, "fault: delay every REST reply by DURATION")
	skew := fs.Duration("clock-skew", 0, "fault: shift the server clock by DURATION (signed requests get -1021 until resync)")
	var schedules []binancesim.Periodic
	fs.Func("fault", "repeating fault NAME@EVERY[:ARG] in sim time, repeatable: "+strings.Join(binancesim.ScheduleNames(), ", ")+
		"\n(e.g. stall@10m:30s, malformed@1m:2, 429@15m:10s, 503-after-accept@5m, expire-listen-key@2h)", func(v string) error {
		p, err := binancesim.ParseSchedule(v)
		if err == nil {
			schedules = append(schedules, p)
		}
		return err
	})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot sim [flags]\n\nServe a Binance USD-M futures simulator (REST and WebSocket) on loopback with a\nsynthetic TAOUSDT market, and print a config snippet that points the bot at it.\nRuns until interrupted.\n\nScenarios (--scenario):\n")
		for _, s := range market.Scenarios() {
			fmt.Fprintf(fs.Output(), "  %-14s %s\n", s, market.Describe(s))
		}
		fmt.Fprintf(fs.Output(), "  %-14s %s\n\nFlags:\n", binancesim.FallbackScenario, "tiny seeded random walk, ten-level book, occasional liquidation (for tests)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot sim: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	opts, err := simOptions(*scenario, *speed, *seed, *listen, *balance, *start, *step)
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot sim: %v\n", err)
		return exitUsage
	}
	sim, err := binancesim.New(opts)
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot sim: %v\n", err)
		return exitRuntime
	}
	for _, f := range []binancesim.Fault{
		{Kind: binancesim.FaultDropEvery, Duration: *dropEvery},
		{Kind: binancesim.FaultDelay, Duration: *delay},
		{Kind: binancesim.FaultClockSkew, Duration: *skew},
	} {
		if f.Duration != 0 {
			if err := sim.InjectFault(f); err != nil {
				_ = sim.Close()
				fmt.Fprintf(c.stderr, "taobot sim: %v\n", err)
				return exitRuntime
			}
		}
	}
	for _, p := range schedules {
		if err := sim.Schedule(p); err != nil {
			_ = sim.Close()
			fmt.Fprintf(c.stderr, "taobot sim: %v\n", err)
			return exitRuntime
		}
	}
	served := make(chan error, 1)
	go func() { served <- sim.Serve() }()
	printSimBanner(c, sim, opts)
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(c.stderr, "taobot sim: server stopped: %v\n", err)
		_ = sim.Close()
		return exitRuntime
	}
	if err := sim.Close(); err != nil {
		fmt.Fprintf(c.stderr, "taobot sim: close: %v\n", err)
		return exitRuntime
	}
	if err := <-served; err != nil {
		fmt.Fprintf(c.stderr, "taobot sim: %v\n", err)
		return exitRuntime
	}
	if err := sim.Err(); err != nil { // margin/liquidation went wrong: the session's results are suspect
		fmt.Fprintf(c.stderr, "taobot sim: %v\n", err)
		return exitRuntime
	}
	fmt.Fprintln(c.stdout, "simulator stopped")
	return exitOK
}

// simOptions validates the flags into simulator options.
func simOptions(scenario string, speed float64, seed int64, listen, balance, start string, step time.Duration) (binancesim.Options, error) {
	var errs []error
	known := scenario == binancesim.FallbackScenario
	for _, s := range market.Scenarios() {
		known = known || string(s) == scenario
	}
	if !known {
		errs = append(errs, fmt.Errorf("--scenario: unknown %q", scenario))
	}
	if speed <= 0 || speed > 100000 {
		errs = append(errs, fmt.Errorf("--speed: must be > 0 and <= 100000, got %g", speed))
	}
	bal, err := decimal.NewFromString(balance)
	if err != nil || !bal.IsPositive() {
		errs = append(errs, fmt.Errorf("--balance: must be a positive number, got %q", balance))
	}
	if step < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("--step: must be >= 10ms, got %s", step))
	}
	begin := exchange.WallClock{}.Now().Truncate(time.Second)
	if start != "" {
		if begin, err = time.Parse(time.RFC3339, start); err != nil {
			errs = append(errs, fmt.Errorf("--start: must be RFC3339, got %q", start))
		}
	}
	if len(errs) > 0 {
		return binancesim.Options{}, errors.Join(errs...)
	}
	return binancesim.Options{
		Scenario: scenario, Speed: speed, Seed: seed, Listen: listen, Balance: bal, Start: begin, Step: step,
		// Keep listen keys and connection lifetimes wall-clock-like at any speed.
		ListenKeyTTL: time.Duration(float64(time.Hour) * max(speed, 1)),
		ConnLifetime: time.Duration(float64(24*time.Hour) * max(speed, 1)),
	}, nil
}

func printSimBanner(c *cli, s *binancesim.Sim, o binancesim.Options) {
	fmt.Fprintf(c.stdout, "taobot sim: Binance USD-M simulator, scenario %s, seed %d, speed %gx, start %s\n\n", o.Scenario, o.Seed, o.Speed, o.Start.Format(time.RFC3339))
	fmt.Fprintf(c.stdout, "REST:      %s\nWebSocket: %s  (raw %s/ws/<stream>, combined %s/stream?streams=a/b)\n\n", s.RESTURL, s.WSURL, s.WSURL, s.WSURL)
	fmt.Fprintf(c.stdout, "Simulator-only credentials (they work nowhere else):\n  export BINANCE_API_KEY=%s\n  export BINANCE_API_SECRET=%s\n\n", s.APIKey, s.APISecret)
	fmt.Fprintf(c.stdout, "Config snippet:\n\nexchange:\n  network: custom\n  rest_url: %s\n  ws_url: %s\n\n", s.RESTURL, s.WSURL)
	fmt.Fprintln(c.stdout, "Press Ctrl-C to stop.")
}
