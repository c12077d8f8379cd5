package agent

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/fakeclock"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// script is an EventSource that sends fixed events, then waits for ctx.
type script []exchange.Event

func (s script) Run(ctx context.Context, out chan<- exchange.Event) error {
	for _, ev := range s {
		select {
		case out <- ev:
		case <-ctx.Done():
			return nil
		}
	}
	<-ctx.Done()
	return nil
}

func meta(t time.Time) exchange.EventMeta {
	return exchange.EventMeta{Symbol: "TAOUSDT", ExchangeTime: t, ReceiveTime: t}
}

// breakoutScript: a calm tape at 398 for 15 minutes, forced liquidations that
// leave a short cluster at 405.5 and a long cluster at 401.0, then five minutes
// of heavier buying that lifts price to 401.5 and a mark price there.
// Buckets are 10 bps of the first price (398) rounded down to the tick: 0.39.
func breakoutScript(gap bool) script {
	s := script{exchange.MarkPrice{EventMeta: meta(t0), Mark: d("398"), Index: d("398"), FundingRate: d("0.0001"), NextFundingTime: t0.Add(4 * time.Hour)}}
	for i := range 15 * 60 {
		at := t0.Add(time.Duration(i) * time.Second)
		s = append(s, exchange.Trade{EventMeta: meta(at), ID: int64(i), Price: d("398"), Qty: d("1"), TradeTime: at})
	}
	liq := func(at time.Time, side exchange.Side, price string) exchange.Liquidation {
		return exchange.Liquidation{EventMeta: meta(at), Side: side, Price: d(price), AvgPrice: d(price), Qty: d("1000"),
			FilledQty: d("1000"), LastQty: d("1000"), Status: exchange.StatusFilled, TradeTime: at}
	}
	s = append(s, exchange.MarkPrice{EventMeta: meta(t0.Add(15 * time.Minute)), Mark: d("398"), Index: d("398"), FundingRate: d("0.0001"),
		NextFundingTime: t0.Add(4 * time.Hour)})
	for i := range 5 * 60 {
		at := t0.Add(15*time.Minute + time.Duration(i)*time.Second)
		// 398 rising by 3.5 over the five minutes, in decimals.
		p := d("398").Add(d("3.5").Mul(decimal.NewFromInt(int64(i))).Div(decimal.NewFromInt(299))).Round(2)
		if i == 270 {
			s = append(s, liq(at, exchange.Buy, "405.5"), liq(at.Add(time.Second), exchange.Sell, "401"))
		}
		s = append(s, exchange.Trade{EventMeta: meta(at), ID: int64(100000 + i), Price: p, Qty: d("5"), TradeTime: at})
	}
	end := t0.Add(20 * time.Minute)
	if gap {
		s = append(s, exchange.StreamGap{EventMeta: meta(end), Stream: "market", Start: end.Add(-time.Second), Reason: "test: socket dropped"})
	}
	s = append(s, exchange.MarkPrice{EventMeta: meta(end), Mark: d("401.5"), Index: d("401.4"), FundingRate: d("0.0001"),
		NextFundingTime: t0.Add(4 * time.Hour)})
	return s
}

func runScript(t *testing.T, src script, mode config.Mode) (*state.Store, *Agent) {
	t.Helper()
	st, err := state.Open(filepath.Join(t.TempDir(), "taobot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.Mode = mode
	cfg.Risk.KillSwitchFile = ""
	clk := fakeclock.New(t0.Add(20 * time.Minute))
	done := make(chan struct{})
	n := 0
	a, err := New(Deps{Config: cfg, Clock: clk, Log: zerolog.Nop(), Store: st, Market: src,
		AfterEvent: func(exchange.Event) {
			if n++; n == len(src) {
				close(done)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	select {
	case <-done:
	case err := <-errc:
		t.Fatalf("agent stopped early: %v", err)
	case <-time.After(30 * time.Second): // failure guard only
		t.Fatal("agent did not process the script")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
	return st, a
}

func TestDryRunSignalIsPersistedWithPlanOrRejection(t *testing.T) {
	st, a := runScript(t, breakoutScript(false), config.ModeDryRun)
	recs, err := st.Signals(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("want 1 signal, got %d: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.Direction != exchange.Long || r.Features["rule"] != "breakout" || r.Mode != "dry-run" {
		t.Fatalf("signal %+v", r)
	}
	// Target 0.2% before the short cluster's peak (bucket 405.21-405.60, mid 405.405):
	// 405.405*0.998 = 404.59419; stop 0.2% beyond the long cluster's low (400.92): 400.11816.
	if !r.Entry.Equal(d("401.5")) || !r.Stop.Equal(d("400.11816")) || !r.Target.Equal(d("404.59419")) {
		t.Fatalf("levels: entry %s stop %s target %s", r.Entry, r.Stop, r.Target)
	}
	if !strings.Contains(r.Reason, "short-liquidation cluster") || !strings.HasPrefix(r.Reason, "Long breakout at 401.50") {
		t.Fatalf("reason %q", r.Reason)
	}
	// Budget min(10 USDT, 1% of 1000) sizes ~6 TAO (2400 USDT), over the 2000 cap:
	// the plan is accepted with a smaller budget instead of refused.
	if len(r.Rejection) != 0 {
		t.Fatalf("rejected: %s", r.Rejection)
	}
	var plan risk.PlanResult
	if err := json.Unmarshal(r.Plan, &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Notional.GreaterThan(d("2000")) || !plan.WorstCaseLoss.Total.LessThanOrEqual(plan.Budget) || plan.Budget.GreaterThanOrEqual(d("10")) ||
		!strings.Contains(strings.Join(plan.Notes, ";"), "so the position fits max_position_notional 2000") {
		t.Fatalf("plan not cut to the notional cap: notional %s budget %s worst %s notes %q", plan.Notional, plan.Budget, plan.WorstCaseLoss.Total, plan.Notes)
	}
	if len(r.Plan) == 0 {
		t.Fatal("the plan (with its numbers) should be recorded even when rejected")
	}
	// Shutdown leaves a snapshot that restores.
	if _, ok, err := st.LatestSnapshot(); err != nil || !ok {
		t.Fatalf("no map snapshot at shutdown: %v", err)
	}
	if c := a.counts; c.Signals != 1 || c.Rejected != 0 || c.Accepted != 1 {
		t.Fatalf("counts %+v", c)
	}
}

func TestNoSignalWhileStreamIsBlind(t *testing.T) {
	st, a := runScript(t, breakoutScript(true), config.ModeDryRun)
	recs, err := st.Signals(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 0 || a.counts.Gaps != 1 {
		t.Fatalf("want no signal during a gap, got %d (gaps %d)", len(recs), a.counts.Gaps)
	}
}

func TestRestartRestoresMap(t *testing.T) {
	st, _ := runScript(t, breakoutScript(true), config.ModeDryRun)
	snap, ok, err := st.LatestSnapshot()
	if err != nil || !ok {
		t.Fatal("no snapshot", err)
	}
	cfg := config.Default()
	cfg.Mode = config.ModeDryRun
	a2, err := New(Deps{Config: cfg, Log: zerolog.Nop(), Store: st, Market: script{}, Clock: fakeclock.New(t0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a2.startup(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := a2.m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(snap.Data) {
		t.Fatal("restored map differs from the snapshot it came from")
	}
}

func TestNewRefusesTradingModeWithoutOrders(t *testing.T) {
	st, err := state.Open(filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	cfg.Mode = config.ModePaper
	if _, err := New(Deps{Config: cfg, Store: st, Market: script{}}); err == nil || !strings.Contains(err.Error(), "needs an order manager") {
		t.Fatalf("err = %v", err)
	}
}
