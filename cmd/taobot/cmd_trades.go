package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/taobot/taobot/agent/orders"
)

// runTrades handles `taobot trades`: every position from the state file with
// its entry, exit, quantity, fees, funding, net PnL and R, then the totals.
func runTrades(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("trades", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	path := configFlag(fs)
	db := fs.String("db", "", "state `FILE` (default: state.path from the config)")
	asJSON := fs.Bool("json", false, "print JSON lines, one trade per line")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot trades [-c FILE | --db FILE] [--json]\n\n"+
			"Lists the bot's trades (closed, then open) from the state file: entry, exit, quantity, fees,\n"+
			"funding, realized PnL net of both, and the R multiple (net PnL / planned worst-case loss).\n"+
			"The bot must be stopped (the state file is locked while it runs).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot trades: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	trades, sum, code := loadReport(c, "trades", *path, *db)
	if code != exitOK {
		return code
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		for _, tr := range trades {
			if err := enc.Encode(tr); err != nil {
				return exitRuntime
			}
		}
		return exitOK
	}
	if len(trades) == 0 {
		fmt.Fprintln(c.stdout, "no trades yet")
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ID\tSIDE\tOPENED (UTC)\tCLOSED (UTC)\tQTY\tENTRY\tEXIT\tFEES\tFUNDING\tNET PNL\tR\tREASON\t")
	for _, tr := range trades {
		closed, exit, r := "open", "-", "-"
		if tr.ClosedAt != nil {
			closed, exit, r = tr.ClosedAt.UTC().Format("2006-01-02 15:04"), tr.Exit.StringFixed(2), tr.R.StringFixed(2)
		}
		net := tr.NetPnL.StringFixed(4)
		if tr.PnLUnknown {
			net += "?" // closed without its closing fills: incomplete
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", tr.ID, tr.Direction,
			tr.OpenedAt.UTC().Format("2006-01-02 15:04"), closed, tr.Qty.String(), tr.Entry.StringFixed(2), exit,
			tr.Fees.StringFixed(4), tr.Funding.StringFixed(4), net, r, tr.ExitReason)
	}
	_ = tw.Flush()
	fmt.Fprintln(c.stdout)
	printPnlSummary(c.stdout, sum)
	return exitOK
}

// loadReport opens the state file read-only and builds the report.
func loadReport(c *cli, name, cfgPath, db string) ([]orders.TradeReport, orders.Summary, int) {
	st, code := openStateRO(c, cfgPath, db)
	if code != exitOK {
		return nil, orders.Summary{}, code
	}
	defer st.Close()
	ps, err := st.Positions()
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot %s: %v\n", name, err)
		return nil, orders.Summary{}, exitRuntime
	}
	trades, sum := orders.Report(ps)
	return trades, sum, exitOK
}

// printPnlSummary writes the totals as aligned lines.
func printPnlSummary(w io.Writer, s orders.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "closed trades\t%d (open %d)\n", s.Trades, s.Open)
	fmt.Fprintf(tw, "wins / losses\t%d / %d (win rate %s%%)\n", s.Wins, s.Losses, s.WinRate.StringFixed(2))
	fmt.Fprintf(tw, "gross pnl\t%s USDT\n", s.GrossPnL.StringFixed(4))
	fmt.Fprintf(tw, "fees\t%s USDT\n", s.Fees.StringFixed(4))
	fmt.Fprintf(tw, "funding\t%s USDT (received minus paid)\n", s.Funding.StringFixed(4))
	fmt.Fprintf(tw, "net pnl\t%s USDT\n", s.NetPnL.StringFixed(4))
	fmt.Fprintf(tw, "total R / avg R\t%s / %s\n", s.TotalR.StringFixed(2), s.AvgR.StringFixed(2))
	fmt.Fprintf(tw, "best / worst\t%s / %s USDT\n", s.Best.StringFixed(4), s.Worst.StringFixed(4))
	fmt.Fprintf(tw, "max drawdown\t%s USDT (of cumulative net pnl)\n", s.MaxDrawdown.StringFixed(4))
	if s.PnLUnknown > 0 {
		fmt.Fprintf(tw, "incomplete\t%d trade(s) closed while taobot could not see the closing fills (marked ?): their PnL is incomplete; check the exchange\n", s.PnLUnknown)
	}
	_ = tw.Flush()
}
