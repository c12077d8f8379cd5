package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/taobot/taobot/agent/config"
)

// defaultConfigPath is where run and config check look without -c.
const defaultConfigPath = "configs/taobot.yaml"

// runConfig handles `taobot config <subcommand>`; today only `check`.
func runConfig(ctx context.Context, c *cli, args []string) int {
	if len(args) == 0 {
		configUsage(c.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		configUsage(c.stdout)
		return exitOK
	case "check":
		return runConfigCheck(ctx, c, args[1:])
	}
	fmt.Fprintf(c.stderr, "taobot config: unknown subcommand %q\n\n", args[0])
	configUsage(c.stderr)
	return exitUsage
}

func configUsage(w io.Writer) {
	fmt.Fprint(w, "Usage: taobot config check [-c FILE]\n\n"+
		"  check   load the config file, print every problem (exit 3), or a summary (exit 0)\n\n"+
		"Run 'taobot config check --help' for its flags.\n")
}

func runConfigCheck(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	path := configFlag(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot config check [-c FILE]\n\n"+
			"Loads the config strictly, applies defaults, checks every value and the API keys\n"+
			"(live mode), and prints every problem at once. Exit 0 if fine, 3 if not.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot config check: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, secrets, code := loadConfig(c, *path)
	if code != exitOK {
		return code
	}
	printSummary(c.stdout, *path, cfg, secrets)
	return exitOK
}

// configFlag registers -c and --config on fs.
func configFlag(fs *flag.FlagSet) *string {
	path := new(string)
	fs.StringVar(path, "c", defaultConfigPath, "config `FILE`")
	fs.StringVar(path, "config", defaultConfigPath, "config `FILE` (same as -c)")
	return path
}

// loadConfig loads and validates the config and finds the API keys,
// printing every problem (config and keys together) to stderr; the code is
// exitOK or exitConfig.
func loadConfig(c *cli, path string) (*config.Config, config.Secrets, int) {
	cfg, secrets, err := config.LoadWithSecrets(path, c.getenv)
	if err != nil {
		var ps config.Problems
		if errors.As(err, &ps) {
			fmt.Fprintf(c.stderr, "%s: %d problem(s):\n%s\n", path, len(ps), ps.Error())
		} else {
			fmt.Fprintf(c.stderr, "taobot: %v (use -c FILE to choose a config)\n", err)
		}
		return nil, config.Secrets{}, exitConfig
	}
	return cfg, secrets, exitOK
}

func printSummary(w io.Writer, path string, cfg *config.Config, s config.Secrets) {
	rest, ws := cfg.Exchange.Endpoints()
	keys := "none (not needed in " + string(cfg.Mode) + " mode)"
	if s.Present() {
		keys = "found in " + s.Source()
	}
	http := cfg.HTTP.Listen
	if http == "" {
		http = "off"
	}
	r := cfg.Risk
	loss := r.MaxLossUSDT.String() + " USDT"
	if r.MaxLossPct.IsPositive() {
		loss += " or " + r.MaxLossPct.String() + "% of equity (the smaller)"
	}
	daily := "daily limit " + r.DailyLossLimitUSDT.String() + " USDT"
	if !r.DailyLossLimitUSDT.IsPositive() {
		daily = "no daily limit"
	}
	fmt.Fprintf(w, "%s: OK\n"+
		"  mode      %s\n"+
		"  symbol    %s\n"+
		"  exchange  %s (REST %s, WS %s)\n"+
		"  keys      %s\n"+
		"  risk      max loss %s per trade, %s, max leverage %dx %s\n"+
		"  state     %s\n"+
		"  http      %s\n",
		path, cfg.Mode, cfg.Symbol, cfg.Exchange.Network, rest, ws, keys,
		loss, daily, r.MaxLeverage, r.MarginType,
		cfg.State.Path, http)
}
