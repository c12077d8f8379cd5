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
	"github.com/taobot/taobot/exchange"
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
	if *db == "" || *url == "" {
		if loaded, _, code := loadConfig(c, *path); code == exitOK {
			cfg = *loaded
		} else if *db == "" && *url == "" {
			return code
		}
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
	if raw, ok, err := st.KVGet("strategy/behaviour"); err == nil && ok {
		_ = json.Unmarshal(raw, &visits)
	}
	price, _ := m.MarkPrice()
	at := snap.Time
	if *asJSON {
		out := struct {
			SnapshotTime time.Time               `json:"snapshotTime"`
			Mark         string                  `json:"mark"`
			Nearest      liqmap.Nearest          `json:"nearest"`
			Velocity     liqmap.Velocity         `json:"velocity"`
			Regime       liqmap.Regime           `json:"regime"`
			Clusters     []liqmap.Cluster        `json:"clusters"`
			RoundNumbers liqmap.RoundNumberStats `json:"roundNumbers"`
			Behaviour    []strategy.Visit        `json:"behaviour"`
		}{at, price.String(), m.Nearest(at, price), m.Velocity(at), m.Regime(at), m.Clusters(at), m.RoundNumbers(at), visits}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return exitRuntime
		}
		return exitOK
	}
	fmt.Fprintf(c.stdout, "Liquidation map from snapshot %s in %s\n\n", at.UTC().Format(time.RFC3339), st.Path())
	if !price.IsPositive() {
		fmt.Fprintln(c.stdout, "(the snapshot has no mark price yet)")
		return exitOK
	}
	if err := m.Render(at, price, c.stdout, liqmap.RenderOptions{}); err != nil {
		fmt.Fprintf(c.stderr, "taobot map: %v\n", err)
		return exitRuntime
	}
	printBehaviour(c.stdout, visits)
	return exitOK
}

// printBehaviour summarises how price resolved at each kind of cluster.
func printBehaviour(w io.Writer, visits []strategy.Visit) {
	fmt.Fprintf(w, "\nCluster behaviour (%d classified visits)\n", len(visits))
	if len(visits) == 0 {
		fmt.Fprintln(w, "  none yet: a visit is classified one behaviour window after price enters a cluster")
		return
	}
	for _, dom := range []exchange.PositionDirection{exchange.Short, exchange.Long} {
		for _, below := range []bool{true, false} {
			k := strategy.ClusterKind{Dominant: dom, FromBelow: below}
			t := strategy.TallyVisits(visits, k)
			if t.Total() == 0 {
				continue
			}
			fmt.Fprintf(w, "  %-48s break %d  bounce %d  consolidate %d\n", k.String()+":", t.Break, t.Bounce, t.Consolidate)
		}
	}
	last := visits[len(visits)-1]
	fmt.Fprintf(w, "  last: %s at %s (%s..%s) from %s, volume %s\n", last.Outcome, last.Peak, last.Low, last.High,
		map[bool]string{true: "below", false: "above"}[last.FromBelow], last.Volume.StringFixed(3))
}

func fetchMap(ctx context.Context, w io.Writer, base string, asJSON bool) error {
	u := strings.TrimRight(base, "/") + "/map"
	if asJSON {
		u += "?format=json"
	}
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
