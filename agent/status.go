package agent

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// Status is the loop's published view, refreshed every few seconds. It is
// immutable once stored, so the HTTP server reads it without locks.
type Status struct {
	Mode      string    `json:"mode"`
	Symbol    string    `json:"symbol"`
	Phase     string    `json:"phase"`
	StartedAt time.Time `json:"startedAt"`
	Now       time.Time `json:"now"`
	// MarketTime is the exchange time of the last mark price: the clock the
	// map and the strategy run on (ahead of Now in the simulator's demo).
	MarketTime time.Time           `json:"marketTime"`
	Mark       decimal.Decimal     `json:"mark"`
	Funding    decimal.Decimal     `json:"fundingRate"`
	Stale      string              `json:"stale,omitempty"`
	Counts     Counts              `json:"counts"`
	Nearest    liqmap.Nearest      `json:"nearest"`
	Velocity   liqmap.Velocity     `json:"velocity"`
	Regime     liqmap.Regime       `json:"regime"`
	Clusters   []liqmap.Cluster    `json:"clusters"`
	Limits     risk.LimitsStatus   `json:"limits"`
	LastSignal *state.SignalRecord `json:"lastSignal,omitempty"`
	Orders     any                 `json:"orders,omitempty"`
	// Map and MapText are what `taobot map` prints (JSON and text).
	Map     MapView `json:"-"`
	MapText string  `json:"-"`
}

// Status returns the latest published status.
func (a *Agent) Status() Status { return *a.status.Load() }

func (a *Agent) publish(now time.Time, stale string) {
	at := a.mapNow(now)
	s := Status{
		Mode: string(a.cfg.Mode), Symbol: a.cfg.Symbol, Phase: a.status.Load().Phase, StartedAt: a.startedAt,
		Now: now, MarketTime: a.mark.ExchangeTime, Mark: a.mark.Mark, Funding: a.mark.FundingRate, Stale: stale, Counts: a.counts,
		Nearest: a.m.Nearest(at, a.mark.Mark), Velocity: a.m.Velocity(at), Regime: a.m.Regime(at),
		Clusters: a.m.Clusters(at), Limits: a.limits.Status(at), LastSignal: a.lastSignal,
	}
	if a.d.Orders != nil {
		s.Orders = a.d.Orders.Status()
	}
	visits := a.strat.Behaviour().History()
	s.Map = NewMapView(a.m, at, a.mark.Mark, visits)
	var buf bytes.Buffer
	if err := RenderMap(&buf, a.m, at, a.mark.Mark, visits); err == nil {
		s.MapText = buf.String()
	}
	a.status.Store(&s)
}

// Handler serves the status API: /healthz, /status (JSON) and /map (text,
// or JSON with ?format=json).
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		s := a.Status()
		body := s.Phase
		switch {
		case s.Stale != "":
			w.WriteHeader(http.StatusServiceUnavailable)
			body += ": stale: " + s.Stale
		case s.Phase != phaseTrading && s.Phase != phaseWarming:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write([]byte(body + "\n"))
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, a.Status())
	})
	mux.HandleFunc("GET /map", func(w http.ResponseWriter, r *http.Request) {
		s := a.Status()
		if r.URL.Query().Get("format") == "json" {
			writeJSON(w, s.Map)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if s.MapText == "" {
			_, _ = w.Write([]byte("no map yet: waiting for the first mark price\n"))
			return
		}
		_, _ = w.Write([]byte(s.MapText))
	})
	// /signals lists stored signals as JSON lines, newest last. bbolt serves
	// this read transaction alongside the loop's writes.
	mux.HandleFunc("GET /signals", func(w http.ResponseWriter, r *http.Request) {
		var from time.Time
		if v := r.URL.Query().Get("since"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				http.Error(w, "since: want a duration like 1h or 0 for all, got "+v, http.StatusBadRequest)
				return
			}
			if d > 0 {
				from = a.d.Clock.Now().Add(-d)
			}
		}
		recs, err := a.d.Store.Signals(from, time.Time{})
		if err != nil {
			http.Error(w, "read signals: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for _, rec := range recs {
			if err := enc.Encode(rec); err != nil {
				return // the client went away
			}
		}
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
