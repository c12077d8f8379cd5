package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/taobot/taobot/agent"
	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/risk"
)

// runMap handles `taobot map`: print the liquidation map of a running bot
// (through its status API) or from the newest snapshot in the state file.
func runMap(ctx context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("map", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	path := configFlag(fs)
	db := fs.String("db", "", "state `FILE` to read the newest snapshot from (default: state.path from the config)")
	url := fs.String("url", "", "status API `URL` of a running bot, e.g. http://127.0.0.1:8080 (default: the config's http.listen when the bot answers there)")
	asJSON := fs.Bool("json", false, "print JSON instead of the table and histogram")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: taobot map [-c FILE] [--url URL | --db FILE] [--json]\n\n"+
			"Prints the liquidation map: price buckets, long and short notional, clusters, round numbers,\n"+
			"current price, liquidation velocity and the OI/price regime, plus how price behaved at clusters.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	cfg := config.Default()
	if *db == "" && *url == "" {
		loaded, code := loadConfigNoKeys(c, *path)
		if code != exitOK {
			return code
		}
		cfg = *loaded
	}
	base := *url
	if base == "" && cfg.HTTP.Listen != "" && *db == "" {
		base = "http://" + cfg.HTTP.Listen
		if err := fetchMap(ctx, c.stdout, base, *asJSON); err == nil {
			return exitOK
		}
		base = "" // not running there: fall back to the state file
	}
	if base != "" {
		if err := fetchMap(ctx, c.stdout, base, *asJSON); err != nil {
			fmt.Fprintf(c.stderr, "taobot map: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	st, code := openStateRO(c, *path, firstNonEmpty(*db, cfg.State.Path))
	if code != exitOK {
		return code
	}
	defer st.Close()
	snap, ok, err := st.LatestSnapshot()
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot map: %v\n", err)
		return exitRuntime
	}
	if !ok {
		fmt.Fprintf(c.stderr, "taobot map: %s holds no map snapshot yet (the bot saves one every liqmap.snapshot_interval and at shutdown)\n", st.Path())
		return exitRuntime
	}
	rules := risk.DefaultTAORules()
	rules.Brackets = agent.Brackets(cfg)
	mc, err := agent.MapConfig(cfg, rules)
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot map: %v\n", err)
		return exitConfig
	}
	m, err := liqmap.New(mc)
	if err == nil {
		err = m.Restore(snap.Data)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot map: snapshot of %s: %v\n", snap.Time.Format(time.RFC3339), err)
		return exitRuntime
	}
	var visits []strategy.Visit
	if raw, ok, err := st.KVGet(agent.KVBehaviour); err != nil {
		fmt.Fprintf(c.stderr, "taobot map: read cluster behaviour: %v\n", err)
		return exitRuntime
	} else if ok {
		if err := json.Unmarshal(raw, &visits); err != nil {
			fmt.Fprintf(c.stderr, "taobot map: cluster behaviour in %s is unreadable (%v); showing the map without it\n", st.Path(), err)
		}
	}
	price, _ := m.MarkPrice()
	at := snap.Time
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(agent.NewMapView(m, at, price, visits)); err != nil {
			fmt.Fprintf(c.stderr, "taobot map: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	fmt.Fprintf(c.stdout, "Liquidation map from snapshot %s in %s\n\n", at.UTC().Format(time.RFC3339), st.Path())
	if err := agent.RenderMap(c.stdout, m, at, price, visits); err != nil {
		fmt.Fprintf(c.stderr, "taobot map: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

func fetchMap(ctx context.Context, w io.Writer, base string, asJSON bool) error {
	path := "/map"
	if asJSON {
		path += "?format=json"
	}
	return fetchBot(ctx, w, base, path)
}

// fetchBot copies what a running bot's status API answers at path to w.
func fetchBot(ctx context.Context, w io.Writer, base, path string) error {
	u := strings.TrimRight(base, "/") + path
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("ask the running bot at %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", u, resp.Status)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
