package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
)

// runPnl handles `taobot pnl`: the totals of the closed trades.
func runPnl(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("pnl", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	path := configFlag(fs)
	db := fs.String("db", "", "state `FILE` (default: state.path from the config)")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot pnl [-c FILE | --db FILE] [--json]\n\n"+
			"Prints the totals of the bot's closed trades from the state file: net and gross PnL, fees,\n"+
			"funding, win rate, R and the maximum drawdown of cumulative net PnL.\n"+
			"The bot must be stopped (the state file is locked while it runs).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot pnl: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	_, sum, code := loadReport(c, "pnl", *path, *db)
	if code != exitOK {
		return code
	}
	if *asJSON {
		if err := json.NewEncoder(c.stdout).Encode(sum); err != nil {
			return exitRuntime
		}
		return exitOK
	}
	printPnlSummary(c.stdout, sum)
	return exitOK
}
