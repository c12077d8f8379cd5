package binance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/binancesim"
	"github.com/taobot/taobot/risk"
)

func TestSymbolRulesAndFundingFromSim(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		interval time.Duration
		want     time.Duration
	}{
		{"absent from fundingInfo means 8h", 0, 8 * time.Hour},
		{"listed 4h", 4 * time.Hour, 4 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, binancesim.Options{Seed: 1, FundingInterval: tc.interval}, nil)
			got, err := r.c.FundingInterval(ctx, "TAOUSDT")
			if err != nil || got != tc.want {
				t.Fatalf("FundingInterval = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	rules, err := r.c.SymbolRules(ctx, "TAOUSDT")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"tick", rules.TickSize, d("0.01")}, {"step", rules.StepSize, d("0.001")},
		{"minQty", rules.MinQty, d("0.001")}, {"marketMaxQty", rules.MarketMaxQty, d("2000")},
		{"minNotional", rules.MinNotional, d("5")}, {"up", rules.MultiplierUp, d("1.05")},
		{"down", rules.MultiplierDown, d("0.95")}, {"maxPrice", rules.MaxPrice, d("100000")},
	}
	for _, c := range checks {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	want := risk.DefaultTAOBrackets()
	if len(rules.Brackets) != len(want) {
		t.Fatalf("brackets: got %d, want %d", len(rules.Brackets), len(want))
	}
	for i, b := range want {
		g := rules.Brackets[i]
		if g.Bracket != b.Bracket || g.InitialLeverage != b.InitialLeverage || !g.NotionalFloor.Equal(b.NotionalFloor) ||
			!g.NotionalCap.Equal(b.NotionalCap) || !g.MaintMarginRatio.Equal(b.MaintMarginRatio) || !g.Cum.Equal(b.Cum) {
			t.Errorf("bracket %d = %+v, want %+v", i, g, b)
		}
	}
	if rules.MaxLeverage != want[0].InitialLeverage {
		t.Errorf("MaxLeverage = %d, want %d", rules.MaxLeverage, want[0].InitialLeverage)
	}
	if _, err := r.c.SymbolRules(ctx, "NOPEUSDT"); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("unknown symbol: %v, want ErrNotFound", err)
	}
}

func limitBuy(id string, price string) exchange.OrderRequest {
	return exchange.OrderRequest{Symbol: "TAOUSDT", ClientID: id, Side: exchange.Buy, Type: exchange.Limit,
		TimeInForce: exchange.GTC, Qty: d("0.5"), Price: d(price)}
}

func TestOrderLifecycleOnSim(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	o, err := r.c.PlaceOrder(ctx, limitBuy("tb-1", "300.00"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != exchange.StatusNew || o.ClientID != "tb-1" || !o.Price.Equal(d("300")) || !o.Qty.Equal(d("0.5")) {
		t.Fatalf("placed = %+v", o)
	}
	q, err := r.c.QueryOrder(ctx, "TAOUSDT", "tb-1")
	if err != nil || q.OrderID != o.OrderID || q.Status != exchange.StatusNew {
		t.Fatalf("query = %+v, %v", q, err)
	}
	open, err := r.c.OpenOrders(ctx, "TAOUSDT")
	if err != nil || len(open) != 1 || open[0].ClientID != "tb-1" {
		t.Fatalf("open = %+v, %v", open, err)
	}
	cx, err := r.c.CancelOrder(ctx, "TAOUSDT", "tb-1")
	if err != nil || cx.Status != exchange.StatusCanceled {
		t.Fatalf("cancel = %+v, %v", cx, err)
	}
	if _, err := r.c.QueryOrder(ctx, "TAOUSDT", "never-sent"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("query unknown: %v, want ErrNotFound", err)
	}
	_, err = r.c.PlaceOrder(ctx, exchange.OrderRequest{Symbol: "TAOUSDT", ClientID: "tb-2", Side: exchange.Buy,
		Type: exchange.Limit, TimeInForce: exchange.GTC, Qty: d("0.5"), Price: d("300.001")})
	var ae *exchange.APIError
	if !errors.Is(err, exchange.ErrRejected) || !errors.As(err, &ae) || ae.Code == 0 {
		t.Fatalf("bad tick: %v, want ErrRejected with a code", err)
	}
}

func TestUnknownOutcomeIsNotResent(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultUnknownAfterAccept, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := r.c.PlaceOrder(ctx, limitBuy("tb-unk", "300.00"))
	if !errors.Is(err, exchange.ErrUnknownOutcome) {
		t.Fatalf("err = %v, want ErrUnknownOutcome", err)
	}
	var ae *exchange.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != 503 {
		t.Fatalf("want the 503 recorded, got %v", err)
	}
	if got := r.sim.Account().Received; got != 1 {
		t.Fatalf("simulator received %d orders, want exactly 1 (never re-sent)", got)
	}
	if got := r.count.get("POST /fapi/v1/order"); got != 1 {
		t.Fatalf("POST /fapi/v1/order sent %d times, want 1", got)
	}
	q, err := r.c.QueryOrder(ctx, "TAOUSDT", "tb-unk")
	if err != nil || q.Status != exchange.StatusNew || !q.Price.Equal(d("300")) {
		t.Fatalf("query after unknown outcome = %+v, %v; want the accepted order", q, err)
	}
}

func TestServerErrorOnReadIsRetryable(t *testing.T) {
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultHTTPError, Count: 1, Status: 502}); err != nil {
		t.Fatal(err)
	}
	_, _, err := r.c.OpenInterest(context.Background(), "TAOUSDT")
	if !errors.Is(err, exchange.ErrRetryable) {
		t.Fatalf("5xx on a read: %v, want ErrRetryable", err)
	}
}

func TestTimestampSkewResyncsOnceAndRetries(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	if _, err := r.c.Balances(ctx); err != nil {
		t.Fatal(err)
	}
	before := r.c.TimeOffset()
	if n := r.count.get("GET /fapi/v1/time"); n != 1 {
		t.Fatalf("time synced %d times at start, want 1", n)
	}
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultClockSkew, Duration: 20 * time.Second}); err != nil {
		t.Fatal(err)
	}
	bal, err := r.c.Balances(ctx)
	if err != nil || len(bal) == 0 {
		t.Fatalf("after skew: %v, %v; want success after one resync", bal, err)
	}
	if n := r.count.get("GET /fapi/v1/time"); n != 2 {
		t.Fatalf("time synced %d times, want 2 (one resync)", n)
	}
	if n := r.count.get("GET /fapi/v3/balance"); n != 3 {
		t.Fatalf("balance sent %d times, want 3 (ok, -1021, retry)", n)
	}
	// Server 20 s ahead: local-minus-server offset drops by about 20 s.
	if shift := before - r.c.TimeOffset(); shift < 19*time.Second || shift > 21*time.Second {
		t.Fatalf("offset moved by %v, want about 20s", shift)
	}
}

func TestRateLimit429WaitsRetryAfterAnd418Refuses(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultRateLimit, Count: 1, Duration: 7 * time.Second}); err != nil {
		t.Fatal(err)
	}
	_, _, err := r.c.OpenInterest(ctx, "TAOUSDT")
	var ae *exchange.APIError
	if !errors.Is(err, exchange.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter != 7*time.Second || ae.HTTPStatus != 429 {
		t.Fatalf("429: %v (%+v), want ErrRateLimited with RetryAfter 7s", err, ae)
	}
	sent := r.count.get("GET /fapi/v1/openInterest")
	pending := r.clock.Pending()
	type result struct{ err error }
	done := make(chan result, 1)
	go func() { _, _, err := r.c.OpenInterest(ctx, "TAOUSDT"); done <- result{err} }()
	// The next call must park on the clock for Retry-After, not send.
	deadline := time.After(guard)
	for r.clock.Pending() == pending {
		select {
		case res := <-done:
			t.Fatalf("call returned %v before Retry-After elapsed", res.err)
		case <-deadline:
			t.Fatal("call never waited on the clock")
		case <-time.After(time.Millisecond): // poll the fake clock's waiter count; not a timing assumption
		}
	}
	if got := r.count.get("GET /fapi/v1/openInterest"); got != sent {
		t.Fatalf("sent during back-off: %d requests, want %d", got, sent)
	}
	r.sim.Advance(7 * time.Second) // the simulator's Retry-After window is sim time
	r.clock.Advance(7 * time.Second)
	select {
	case res := <-done:
		if res.err != nil {
			t.Fatalf("after Retry-After: %v", res.err)
		}
	case <-time.After(guard):
		t.Fatal("call did not resume after Retry-After")
	}

	// Ignoring a 429 earns a 418; after that nothing is sent until the ban ends.
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultRateLimit, Count: 1, Duration: 7 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.c.OpenInterest(ctx, "TAOUSDT"); !errors.Is(err, exchange.ErrRateLimited) {
		t.Fatalf("second 429: %v", err)
	}
	r.clock.Advance(7 * time.Second) // our pause ends, the simulator's window has not: it bans
	if _, _, err := r.c.OpenInterest(ctx, "TAOUSDT"); !errors.Is(err, exchange.ErrRateLimited) || !errors.As(err, &ae) || ae.HTTPStatus != 418 {
		t.Fatalf("into the window: %v, want a 418 ErrRateLimited", err)
	}
	sent = r.count.get("GET /fapi/v1/openInterest")
	if _, _, err := r.c.OpenInterest(ctx, "TAOUSDT"); !errors.Is(err, exchange.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter <= 0 {
		t.Fatalf("during ban: %v, want ErrRateLimited saying how long the ban lasts", err)
	}
	if got := r.count.get("GET /fapi/v1/openInterest"); got != sent {
		t.Fatalf("a request was sent during the 418 ban")
	}
}

func TestHedgeModeRefused(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	if err := r.c.CheckPositionMode(ctx); err != nil {
		t.Fatalf("one-way account: %v", err)
	}
	raw := futures.NewClient(r.sim.APIKey, r.sim.APISecret)
	raw.BaseURL = r.sim.RESTURL
	if err := raw.NewChangePositionModeService().DualSide(true).Do(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.c.CheckPositionMode(ctx); !errors.Is(err, ErrHedgeMode) {
		t.Fatalf("hedge account: %v, want ErrHedgeMode", err)
	}
}

func TestLeverageAndMarginType(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	if err := r.c.SetLeverage(ctx, "TAOUSDT", 7); err != nil {
		t.Fatal(err)
	}
	for _, mt := range []exchange.MarginType{exchange.Cross, exchange.Cross, "", exchange.Isolated} {
		if err := r.c.SetMarginType(ctx, "TAOUSDT", mt); err != nil {
			t.Fatalf("SetMarginType(%q): %v (no-need-to-change must be success)", mt, err)
		}
	}
	a := r.sim.Account()
	if a.Leverage != 7 || a.MarginType != exchange.Isolated {
		t.Fatalf("account leverage %d margin %s, want 7 ISOLATED", a.Leverage, a.MarginType)
	}
}

func TestAlgoOrdersOnSim(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	r.sim.SeedPosition(d("2"), d("400"))
	req := exchange.AlgoOrderRequest{Symbol: "TAOUSDT", ClientAlgoID: "tb-stop-1", Side: exchange.Sell,
		Type: exchange.StopMarket, TriggerPrice: d("350.50"), Qty: d("2"), ReduceOnly: true, WorkingType: exchange.MarkPriceTrigger}
	a, err := r.c.PlaceAlgoOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != exchange.AlgoNew || a.ClientAlgoID != "tb-stop-1" || !a.TriggerPrice.Equal(d("350.5")) || a.AlgoID == 0 {
		t.Fatalf("placed = %+v", a)
	}
	open, err := r.c.OpenAlgoOrders(ctx, "TAOUSDT")
	if err != nil || len(open) != 1 || open[0].AlgoID != a.AlgoID || !open[0].Qty.Equal(d("2")) {
		t.Fatalf("open algo = %+v, %v", open, err)
	}
	q, err := r.c.QueryAlgoOrder(ctx, "TAOUSDT", "tb-stop-1")
	if err != nil || q.AlgoID != a.AlgoID || q.Type != exchange.StopMarket || q.WorkingType != exchange.MarkPriceTrigger {
		t.Fatalf("query algo = %+v, %v", q, err)
	}
	cx, err := r.c.CancelAlgoOrder(ctx, "TAOUSDT", "tb-stop-1")
	if err != nil || cx.Status != exchange.AlgoCanceled || cx.AlgoID != a.AlgoID {
		t.Fatalf("cancel algo = %+v, %v", cx, err)
	}
	if open, err := r.c.OpenAlgoOrders(ctx, "TAOUSDT"); err != nil || len(open) != 0 {
		t.Fatalf("after cancel open algo = %+v, %v", open, err)
	}
	if _, err := r.c.QueryAlgoOrder(ctx, "TAOUSDT", "never-sent"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("query unknown algo: %v, want ErrNotFound", err)
	}
	// A conditional type on the regular endpoint never leaves the process.
	if _, err := r.c.PlaceOrder(ctx, exchange.OrderRequest{Symbol: "TAOUSDT", ClientID: "x", Side: exchange.Sell,
		Type: exchange.StopMarket, Qty: d("1")}); !errors.Is(err, exchange.ErrRejected) {
		t.Fatalf("stop on /order: %v", err)
	}
}

func TestAlgoUnknownOutcomeIsNotResent(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, binancesim.Options{Seed: 1}, nil)
	if err := r.sim.InjectFault(binancesim.Fault{Kind: binancesim.FaultUnknownAfterAccept, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := r.c.PlaceAlgoOrder(ctx, exchange.AlgoOrderRequest{Symbol: "TAOUSDT", ClientAlgoID: "tb-ua", Side: exchange.Buy,
		Type: exchange.StopMarket, TriggerPrice: d("450"), Qty: d("0.5"), WorkingType: exchange.MarkPriceTrigger})
	if !errors.Is(err, exchange.ErrUnknownOutcome) {
		t.Fatalf("err = %v, want ErrUnknownOutcome", err)
	}
	if got := r.count.get("POST /fapi/v1/algoOrder"); got != 1 || r.sim.Account().Received != 1 {
		t.Fatalf("algo POST sent %d times, simulator received %d; want 1 and 1", got, r.sim.Account().Received)
	}
	a, err := r.c.QueryAlgoOrder(ctx, "TAOUSDT", "tb-ua")
	if err != nil || a.Status != exchange.AlgoNew || !a.TriggerPrice.Equal(d("450")) {
		t.Fatalf("query after unknown outcome = %+v, %v", a, err)
	}
}
