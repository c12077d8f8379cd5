package binance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
)

func TestOrderTimeoutIsUnknownOutcomeAndNotResent(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	r.c.maybeSync(context.Background()) // sync first, so the one POST below is the only delayed call
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultDelay, Duration: guard}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := r.c.PlaceOrder(ctx, limitBuy("tb-slow", "300.00"))
	if !errors.Is(err, exchange.ErrUnknownOutcome) {
		t.Fatalf("timeout: %v, want ErrUnknownOutcome", err)
	}
	if got := r.count.get("POST /fapi/v1/order"); got != 1 {
		t.Fatalf("POST /fapi/v1/order sent %d times, want 1", got)
	}
	r.sim.ClearFaults()
	// Resolution is the caller's: query by client id. Here the venue never
	// got it (the simulator drops a request whose client went away).
	if _, err := r.c.QueryOrder(context.Background(), "TAOUSDT", "tb-slow"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("query after timeout: %v, want ErrNotFound", err)
	}
}

func TestListenKeyKeptAlive(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 1, Scenario: "flat", Step: time.Minute}, func(o *Options) { o.UserStaleAfter = 48 * time.Hour })
	col := startUser(t, r)
	waitPending(t, r, 3) // stale check, connection age, keepalive
	for i := 1; i <= 3; i++ {
		before := r.count.get("PUT /fapi/v1/listenKey")
		r.sim.Advance(30 * time.Minute)
		r.clock.Advance(30 * time.Minute)
		deadline := time.After(guard)
		for r.count.get("PUT /fapi/v1/listenKey") == before {
			select {
			case <-r.count.hit:
			case <-deadline:
				t.Fatalf("keepalive %d not sent", i)
			}
		}
	}
	// 90 minutes of sim time: without keepalives the 60-minute key would
	// have expired. The stream must still be the first one.
	if got := r.count.get("POST /fapi/v1/listenKey"); got != 1 {
		t.Fatalf("listen key created %d times, want 1", got)
	}
	for _, ev := range col.snapshot() {
		if g, ok := ev.(exchange.StreamGap); ok {
			t.Fatalf("unexpected gap %+v", g)
		}
	}
}

func TestFundingFeeOnUserStreamAndIncome(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 1, Scenario: "flat", Step: time.Hour, ListenKeyTTL: 24 * time.Hour}, func(o *Options) { o.UserStaleAfter = 48 * time.Hour })
	col := startUser(t, r)
	r.sim.SeedPosition(d("10"), d("400"))
	col.waitFor(t, 0, "seeded position", isType[exchange.AccountUpdate]())
	r.sim.Advance(8 * time.Hour)
	ev, _ := col.waitFor(t, 0, "FUNDING_FEE account update", func(ev exchange.Event) bool {
		a, ok := ev.(exchange.AccountUpdate)
		return ok && a.Reason == "FUNDING_FEE"
	})
	au := ev.(exchange.AccountUpdate)
	if len(au.Balances) != 1 || au.Balances[0].Asset != "USDT" || au.Balances[0].BalanceChange.IsZero() {
		t.Fatalf("funding update %+v", au)
	}
	inc, err := r.c.Income(context.Background(), "TAOUSDT", "FUNDING_FEE", time.Time{}, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc) != 1 || !inc[0].Amount.Equal(au.Balances[0].BalanceChange) || inc[0].Type != "FUNDING_FEE" {
		t.Fatalf("income %+v, want one FUNDING_FEE of %s", inc, au.Balances[0].BalanceChange)
	}
}

func TestStreamsNeedSymbol(t *testing.T) {
	c, err := New(Options{Network: Custom, RESTURL: "http://127.0.0.1:1", WSURL: "ws://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MarketStream().Run(context.Background(), make(chan exchange.Event)); !errors.Is(err, errNoSymbol) {
		t.Fatalf("Run without symbol: %v", err)
	}
}

// waitPending waits until the stream goroutines armed n timers on the fake
// clock, so an Advance cannot slip in before they exist.
func waitPending(t *testing.T, r *rig, n int) {
	t.Helper()
	deadline := time.After(guard)
	for r.clock.Pending() < n {
		select {
		case <-deadline:
			t.Fatalf("only %d timers armed, want %d", r.clock.Pending(), n)
		case <-time.After(time.Millisecond): // polling the fake clock's waiter count
		}
	}
}

func TestResyncReportsFundingPaidWhileBlind(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 1, Scenario: "flat", Step: time.Hour, ListenKeyTTL: 24 * time.Hour},
		func(o *Options) { o.UserStaleAfter = 48 * time.Hour })
	col := startUser(t, r)
	r.sim.SeedPosition(d("10"), d("400"))
	_, seen := col.waitFor(t, 0, "seeded position", isType[exchange.AccountUpdate]())
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultStall, Stream: "user"}); err != nil {
		t.Fatal(err)
	}
	r.sim.Advance(8 * time.Hour) // funding is paid; its ACCOUNT_UPDATE is withheld
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultDropStreams}); err != nil {
		t.Fatal(err)
	}
	ev, _ := col.waitFor(t, seen, "resync account update", func(ev exchange.Event) bool {
		a, ok := ev.(exchange.AccountUpdate)
		return ok && a.Reason == ExecResync
	})
	au := ev.(exchange.AccountUpdate)
	inc := r.sim.Account().Income
	if len(inc) != 1 || len(au.Balances) != 1 || !au.Balances[0].BalanceChange.Equal(inc[0].Amount) ||
		!au.Balances[0].Wallet.Equal(d("10000").Add(inc[0].Amount)) || len(au.Positions) != 0 {
		t.Fatalf("resync %+v, want the USDT wallet moved by the funding %+v and no position change", au, inc)
	}
}
