package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/taobot/taobot/state"
)

// runSignals handles `taobot signals`: list recorded signals from the state file.
func runSignals(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("signals", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	path := configFlag(fs)
	db := fs.String("db", "", "state `FILE` (default: state.path from the config)")
	since := fs.Duration("since", 24*time.Hour, "list signals newer than this `DURATION` (0 = all)")
	asJSON := fs.Bool("json", false, "print JSON lines, one signal per line")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot signals [-c FILE | --db FILE] [--since 1h] [--json]\n\n"+
			"Lists the signals the bot recorded, with the risk plan or the reasons it was rejected.\n"+
			"The bot must be stopped (the state file is locked while it runs): use the status API for a running bot.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	st, code := openStateRO(c, *path, *db)
	if code != exitOK {
		return code
	}
	defer st.Close()
	var from time.Time
	if *since > 0 {
		from = c.clock().Add(-*since)
	}
	recs, err := st.Signals(from, time.Time{})
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot signals: %v\n", err)
		return exitRuntime
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return exitRuntime
			}
		}
		return exitOK
	}
	if len(recs) == 0 {
		fmt.Fprintf(c.stdout, "no signals in %s", st.Path())
		if *since > 0 {
			fmt.Fprintf(c.stdout, " in the last %s (try --since 0)", *since)
		}
		fmt.Fprintln(c.stdout)
		return exitOK
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tID\tMODE\tSIDE\tRULE\tENTRY\tSTOP\tTARGET\tPLAN")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Time.UTC().Format("2006-01-02 15:04:05"), r.ID, r.Mode,
			r.Direction, r.Features["rule"], r.Entry.StringFixed(2), r.Stop.StringFixed(2), r.Target.StringFixed(2), planSummary(r))
	}
	_ = tw.Flush()
	fmt.Fprintln(c.stdout)
	for _, r := range recs {
		fmt.Fprintf(c.stdout, "%s  %s\n", r.ID, r.Reason)
	}
	return exitOK
}

// planSummary is "qty 1.234 @ 5x, risk 9.80" or the first rejection.
func planSummary(r state.SignalRecord) string {
	if len(r.Rejection) > 0 {
		var why []string
		if json.Unmarshal(r.Rejection, &why) == nil && len(why) > 0 {
			return "rejected: " + strings.Join(why, "; ")
		}
		return "rejected"
	}
	var p struct {
		Qty           string `json:"qty"`
		Leverage      int    `json:"leverage"`
		WorstCaseLoss struct {
			Total string `json:"total"`
		} `json:"worst_case_loss"`
		RMultiple *string `json:"r_multiple"`
	}
	if json.Unmarshal(r.Plan, &p) != nil {
		return "?"
	}
	s := fmt.Sprintf("qty %s @ %dx, worst loss %s", p.Qty, p.Leverage, p.WorstCaseLoss.Total)
	if p.RMultiple != nil {
		s += ", R " + *p.RMultiple
	}
	return s
}

// openStateRO opens the state file named by --db, else by the config, read-only.
func openStateRO(c *cli, cfgPath, db string) (*state.Store, int) {
	if db == "" {
		cfg, _, code := loadConfig(c, cfgPath)
		if code != exitOK {
			return nil, code
		}
		db = cfg.State.Path
	}
	st, err := state.OpenWithOptions(db, state.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot: %v\n", err)
		return nil, exitRuntime
	}
	return st, exitOK
}
