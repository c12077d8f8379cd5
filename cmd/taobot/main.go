// Command taobot trades the Binance USD-M perpetual TAOUSDT from a local
// liquidation map. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Exit codes, distinct so scripts and systemd can tell failures apart.
const (
	exitOK      = 0
	exitRuntime = 1 // something failed while running
	exitUsage   = 2 // bad command line
	exitConfig  = 3 // the config file is missing or invalid
)

// cli carries what every command needs, so tests can run commands in-process.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// now is the CLI's clock for relative flags like --since; nil = wall time.
	now func() time.Time
}

// clock returns the CLI's current time.
func (c *cli) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now().UTC()
}

// command is one `taobot <name>` subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *cli, args []string) int
}

// commands lists every subcommand. Each lives in its own cmd_<name>.go file.
func commands() []command {
	cmds := []command{
		{"version", "print the version and exit", runVersion},
		{"size", "size a trade from the loss you accept (calculator)", runSize},
		{"liq", "print a liquidation price (calculator)", runLiq},
		{"config", "check a config file: config check [-c FILE]", runConfig},
		{"run", "run the bot (paper by default) until SIGINT/SIGTERM", runRun},
		{"state", "inspect or export the state file: state inspect|export [--db FILE]", runState},
		{"signals", "list recorded signals with their plans: signals [--since 1h] [--json]", runSignals},
		{"map", "print the liquidation map of a running bot or the state file: map [--json]", runMap},
		{"kill", "engage or release the kill switch: kill [--flatten] [--reason R] | --release | --status", runKill},
		{"demo", "run the simulator and the bot against it, no internet or keys: demo [--scenario S]", runDemo},
		{"sim", "serve a local Binance USD-M simulator: sim [--scenario S --speed X --seed N]", runSim},
		{"trades", "list trades with fees, funding, net PnL and R: trades [--json]", runTrades},
		{"pnl", "totals of closed trades: net PnL, win rate, max drawdown: pnl [--json]", runPnl},
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default action: a second Ctrl-C kills a stuck shutdown.
	context.AfterFunc(ctx, stop)
	code := Main(ctx, os.Args[1:], &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// Main dispatches args to a subcommand and returns the process exit code.
func Main(ctx context.Context, args []string, c *cli) int {
	if len(args) == 0 {
		usage(c.stderr)
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		usage(c.stdout)
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd.run(ctx, c, args[1:])
		}
	}
	fmt.Fprintf(c.stderr, "taobot: unknown command %q\n\n", name)
	usage(c.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("taobot trades the Binance USD-M perpetual TAOUSDT from a local liquidation map.\n\n")
	b.WriteString("Usage: taobot <command> [flags]\n\nCommands:\n")
	for _, cmd := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	b.WriteString("\nRun 'taobot <command> --help' for a command's flags.\n")
	io.WriteString(w, b.String())
}
