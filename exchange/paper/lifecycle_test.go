package paper

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// TestLifecycleMatchesHandCalculation: open long at the ask with slippage and
// taker fee, pay funding once, close at the target as maker.
//
//	entry  2 @ 50.00*1.0002 = 50.01      fee 2*50.01*0.0005 = 0.05001
//	funding at 52.00, rate 0.0001, long   pays 2*52*0.0001   = 0.0104
//	target 2 @ 55.00 (maker)             fee 2*55*0.0002    = 0.022
//	realized 2*(55.00-50.01) = 9.98
//	wallet 1000 + 9.98 - 0.05001 - 0.0104 - 0.022 = 1009.89759
func TestLifecycleMatchesHandCalculation(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.InitialBalance = d("1000"); c.SlippageBps = d("2") })
	ft := t0.Add(time.Hour)
	h.book("49.99", "50.00")
	h.markFunding("50.00", "0.0001", ft)
	entry := h.mustPlace(market("tb-1-entry", exchange.Buy, "2"))
	eqDec(t, "entry price", entry.AvgPrice, d("50.01"))
	if _, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: "tb-1-stop", Side: exchange.Sell, Type: exchange.StopMarket,
		TriggerPrice: d("48.00"), ClosePosition: true, WorkingType: exchange.MarkPriceTrigger}); err != nil {
		t.Fatal(err)
	}
	target := limit("tb-1-target", exchange.Sell, exchange.GTC, "55.00", "2")
	target.ReduceOnly = true
	h.mustPlace(target)
	h.clock.Set(ft)
	h.markFunding("52.00", "0.0003", ft.Add(8*time.Hour))
	h.clock.Set(ft.Add(2 * time.Hour))
	h.trade("54.90", "1")
	h.trade("55.01", "3")
	if _, err := h.tr.CancelAlgoOrder(h.ctx, sym, "tb-1-stop"); err != nil {
		t.Fatal(err)
	}

	want := d("1009.89759")
	if !h.position().Flat() {
		t.Fatalf("position %s, want flat", h.position().Qty)
	}
	b := h.balance()
	eqDec(t, "wallet", b.Wallet, want)
	eqDec(t, "available", b.Available, want)
	if got := b.Wallet.StringFixed(2); got != "1009.90" {
		t.Errorf("wallet to the cent %s, want 1009.90", got)
	}
	s := h.tr.Stats()
	eqDec(t, "realized", s.RealizedPnL, d("9.98"))
	eqDec(t, "fees", s.Fees, d("0.07201"))
	eqDec(t, "funding", s.Funding, d("-0.0104"))
	eqDec(t, "net", s.NetPnL, d("9.89759"))

	// The user-data stream alone tells the same story: funding from the
	// FUNDING_FEE balance change, fees and realized PnL from the trades.
	funding, fees, rp := decimal.Zero, decimal.Zero, decimal.Zero
	for _, ev := range h.events() {
		switch e := ev.(type) {
		case exchange.AccountUpdate:
			if e.Reason == "FUNDING_FEE" {
				funding = funding.Add(e.Balances[0].BalanceChange)
			} else if !e.Balances[0].BalanceChange.IsZero() {
				t.Errorf("%s update has balance change %s", e.Reason, e.Balances[0].BalanceChange)
			}
		case exchange.OrderUpdate:
			fees = fees.Add(e.Commission)
			rp = rp.Add(e.RealizedPnL)
		}
	}
	eqDec(t, "stream funding", funding, d("-0.0104"))
	eqDec(t, "stream commissions", fees, d("0.07201"))
	eqDec(t, "stream realized", rp, d("9.98"))
	eqDec(t, "stream net", rp.Sub(fees).Add(funding), want.Sub(d("1000")))
}

func TestRestartRestoresAccount(t *testing.T) {
	h := newHarness(t, nil)
	ft := t0.Add(time.Hour)
	h.book("99.90", "100.00")
	h.markFunding("100.00", "0.0001", ft)
	h.mustPlace(market("e", exchange.Buy, "1.5"))
	h.mustPlace(limit("add", exchange.Buy, exchange.GTC, "95.00", "1"))
	if _, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: "sl", Side: exchange.Sell, Type: exchange.StopMarket,
		TriggerPrice: d("90.00"), ClosePosition: true, WorkingType: exchange.MarkPriceTrigger}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(ft)
	h.markFunding("100.00", "0.0001", ft.Add(8*time.Hour))
	beforeBal, beforePos, beforeStats := h.balance(), h.position(), h.tr.Stats()
	beforeOrders, _ := h.tr.OpenOrders(h.ctx, sym)
	beforeAlgos, _ := h.tr.OpenAlgoOrders(h.ctx, sym)

	raw, ok, _ := h.kv.KVGet("paper/account/TAOUSDT")
	if !ok || !strings.Contains(string(raw), `"version":1`) {
		t.Fatalf("saved account %q lacks the version", raw)
	}
	// Same KV, a different initial balance that must be ignored.
	tr2, err := New(Config{Symbol: sym, Rules: testRules(), InitialBalance: d("1")}, h.kv, h.clock)
	if err != nil {
		t.Fatal(err)
	}
	h2 := &harness{t: t, tr: tr2, kv: h.kv, clock: h.clock, ctx: h.ctx}
	b, p := h2.balance(), h2.position()
	eqDec(t, "wallet", b.Wallet, beforeBal.Wallet)
	eqDec(t, "wallet is entry fee and funding", b.Wallet, d("10000").Sub(d("0.075")).Sub(d("0.015")))
	eqDec(t, "available", b.Available, beforeBal.Available)
	eqDec(t, "qty", p.Qty, beforePos.Qty)
	eqDec(t, "entry", p.EntryPrice, beforePos.EntryPrice)
	eqDec(t, "isolated", p.IsolatedWallet, beforePos.IsolatedWallet)
	if p.Leverage != 10 || p.MarginType != exchange.Isolated {
		t.Errorf("leverage %d margin %s", p.Leverage, p.MarginType)
	}
	if s := tr2.Stats(); !s.NetPnL.Equal(beforeStats.NetPnL) || !s.Funding.Equal(d("-0.015")) {
		t.Errorf("stats %+v, want %+v", s, beforeStats)
	}
	orders, _ := tr2.OpenOrders(h.ctx, sym)
	algos, _ := tr2.OpenAlgoOrders(h.ctx, sym)
	if len(orders) != 1 || orders[0].ClientID != "add" || orders[0].OrderID != beforeOrders[0].OrderID || !orders[0].Price.Equal(d("95")) {
		t.Fatalf("orders %+v, want %+v", orders, beforeOrders)
	}
	if len(algos) != 1 || algos[0].ClientAlgoID != "sl" || algos[0].AlgoID != beforeAlgos[0].AlgoID {
		t.Fatalf("algos %+v, want %+v", algos, beforeAlgos)
	}
	if q, err := tr2.QueryOrder(h.ctx, sym, "e"); err != nil || q.Status != exchange.StatusFilled {
		t.Fatalf("finished order after restart: %+v %v", q, err)
	}
	// Id counters continue; the funding time already charged is not charged again.
	h2.book("99.90", "100.00")
	h2.markFunding("100.00", "0.0001", ft.Add(8*time.Hour))
	o := h2.mustPlace(market("e2", exchange.Buy, "0.1"))
	if o.OrderID != 3 {
		t.Errorf("order id after restart %d, want 3", o.OrderID)
	}
	// The restored algo order still protects.
	h2.book("89.00", "89.10")
	h2.mark("89.50")
	if !h2.position().Flat() {
		t.Fatal("restored stop did not fire")
	}
}

func TestRestoreRefusesOtherVersion(t *testing.T) {
	kv := NewMemKV()
	if err := kv.KVPut(Key(sym), []byte(`{"version":99,"symbol":"TAOUSDT"}`)); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, nil)
	if _, err := New(Config{Symbol: sym, Rules: testRules()}, kv, h.clock); err == nil {
		t.Fatal("version 99 accepted")
	}
	if _, err := New(Config{Symbol: sym, Rules: testRules()}, NewMemKV(), h.clock); err == nil {
		t.Fatal("new account without balance accepted")
	}
}

func TestEventSourceNeverBlocksPlacement(t *testing.T) {
	h := newHarness(t, nil)
	h.book("49.90", "50.00")
	const n = 150 // far more events than any reasonable channel buffer the caller might pick
	// Nobody reads while we place: every placement must still return.
	for i := range n {
		h.mustPlace(limit(fmt.Sprintf("o%d", i), exchange.Buy, exchange.GTC, "40.00", "0.2"))
	}
	if h.tr.Pending() != n {
		t.Fatalf("pending %d, want %d", h.tr.Pending(), n)
	}
	// A reader that gives up keeps nothing from the queue.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.tr.Run(ctx, make(chan exchange.Event)); err != nil || h.tr.Pending() != n {
		t.Fatalf("cancelled Run: %v, pending %d", err, h.tr.Pending())
	}
	ctx, cancel = context.WithCancel(context.Background())
	out := make(chan exchange.Event)
	errc := make(chan error, 1)
	go func() { errc <- h.tr.Run(ctx, out) }()
	for i := range n {
		ev := <-out
		ou, ok := ev.(exchange.OrderUpdate)
		if !ok || ou.Order.OrderID != int64(i+1) || ou.ExecType != "NEW" {
			t.Fatalf("event %d: %+v", i, ev)
		}
	}
	// Events after Run started are delivered too.
	h.mustPlace(market("m", exchange.Buy, "0.2"))
	for _, want := range []string{"ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER"} {
		if got := kinds([]exchange.Event{<-out})[0]; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	h.mark("100.00")
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan exchange.Event)
	errc := make(chan error, 1)
	go func() { errc <- h.tr.Run(ctx, out) }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-out:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 100 {
			p := decimal.NewFromInt(int64(95 + i%10))
			_ = h.tr.Observe(exchange.Trade{EventMeta: exchange.EventMeta{Symbol: sym}, Price: p, Qty: d("0.05")})
			_ = h.tr.Observe(exchange.MarkPrice{EventMeta: exchange.EventMeta{Symbol: sym}, Mark: p})
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 100 {
			id := fmt.Sprintf("c%d", i)
			if _, err := h.tr.PlaceOrder(h.ctx, exchange.OrderRequest{Symbol: sym, ClientID: id, Side: exchange.Buy,
				Type: exchange.Limit, TimeInForce: exchange.GTC, Price: d("97.00"), Qty: d("0.1")}); err != nil {
				t.Errorf("place %s: %v", id, err)
				return
			}
			_, _ = h.tr.CancelOrder(h.ctx, sym, id) // may already be filled
			_, _ = h.tr.Balances(h.ctx)
		}
	}()
	wg.Wait()
	cancel()
	<-done
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// Whatever happened, the saved account equals the live one.
	tr2, err := New(Config{Symbol: sym, Rules: testRules()}, h.kv, h.clock)
	if err != nil {
		t.Fatal(err)
	}
	eqDec(t, "restored wallet", tr2.Stats().Wallet, h.tr.Stats().Wallet)
}
