package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/state"
)

// runSignals handles `taobot signals`: list recorded signals from the state file.
func runSignals(ctx context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("signals", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	path := configFlag(fs)
	db := fs.String("db", "", "state `FILE` (default: state.path from the config)")
	since := fs.Duration("since", 24*time.Hour, "list signals newer than this `DURATION` (0 = all)")
	asJSON := fs.Bool("json", false, "print JSON lines, one signal per line")
	url := fs.String("url", "", "status API `URL` of a running bot, e.g. http://127.0.0.1:8080 (the state file is locked while the bot runs)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot signals [-c FILE | --db FILE | --url URL] [--since 1h] [--json]\n\n"+
			"Lists the signals the bot recorded, with the risk plan or the reasons it was rejected.\n"+
			"A running bot locks its state file: ask it through its status API (--url, or the config's http.listen).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	recs, where, code := loadSignals(ctx, c, *path, *db, *url, *since)
	if code != exitOK {
		return code
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				fmt.Fprintf(c.stderr, "taobot signals: %v\n", err)
				return exitRuntime
			}
		}
		return exitOK
	}
	if len(recs) == 0 {
		fmt.Fprintf(c.stdout, "no signals in %s", where)
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

// loadSignals reads signals from a running bot (url, or the config's
// http.listen when the bot answers there) or else from the state file.
func loadSignals(ctx context.Context, c *cli, cfgPath, db, url string, since time.Duration) ([]state.SignalRecord, string, int) {
	if url == "" && db == "" {
		if cfg, code := loadConfigNoKeys(c, cfgPath); code != exitOK {
			return nil, "", code
		} else if cfg.HTTP.Listen != "" {
			if recs, err := fetchSignals(ctx, "http://"+cfg.HTTP.Listen, since); err == nil {
				return recs, "the running bot at " + cfg.HTTP.Listen, exitOK
			}
		}
	}
	if url != "" {
		recs, err := fetchSignals(ctx, url, since)
		if err != nil {
			fmt.Fprintf(c.stderr, "taobot signals: %v\n", err)
			return nil, "", exitRuntime
		}
		return recs, "the running bot at " + url, exitOK
	}
	st, code := openStateRO(c, cfgPath, db)
	if code != exitOK {
		return nil, "", code
	}
	defer st.Close()
	var from time.Time
	if since > 0 {
		from = c.clock().Add(-since)
	}
	recs, err := st.Signals(from, time.Time{})
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot signals: %v\n", err)
		return nil, "", exitRuntime
	}
	return recs, st.Path(), exitOK
}

// fetchSignals asks a running bot's /signals.
func fetchSignals(ctx context.Context, base string, since time.Duration) ([]state.SignalRecord, error) {
	var buf bytes.Buffer
	if err := fetchBot(ctx, &buf, base, "/signals?since="+since.String()); err != nil {
		return nil, err
	}
	var out []state.SignalRecord
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var r state.SignalRecord
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("decode signals from %s: %w", base, err)
		}
		out = append(out, r)
	}
	return out, nil
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

// loadConfigNoKeys loads and checks the config for commands that only read
// the state file or a bot's status API: they never need the API keys.
func loadConfigNoKeys(c *cli, path string) (*config.Config, int) {
	cfg, err := config.Load(path)
	if err != nil {
		var ps config.Problems
		if errors.As(err, &ps) {
			fmt.Fprintf(c.stderr, "%s: %d problem(s):\n%s\n", path, len(ps), ps.Error())
		} else {
			fmt.Fprintf(c.stderr, "taobot: %v (use -c FILE to choose a config, or --db FILE)\n", err)
		}
		return nil, exitConfig
	}
	return cfg, exitOK
}

// openStateRO opens the state file named by --db, else by the config, read-only.
func openStateRO(c *cli, cfgPath, db string) (*state.Store, int) {
	if db == "" {
		cfg, code := loadConfigNoKeys(c, cfgPath)
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
