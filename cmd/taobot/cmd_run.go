package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/logging"
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

	<-ctx.Done()

	log.Info().Str("reason", context.Cause(ctx).Error()).Msg("taobot stopping")
	return nil
}
