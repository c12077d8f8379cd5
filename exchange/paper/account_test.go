package paper

import (
	"strings"
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
)

func TestFundingChargedAtFundingTimeWithSign(t *testing.T) {
	tests := []struct {
		name   string
		side   exchange.Side
		rate   string
		amount string // -qty * mark(101) * rate, qty = ±2
	}{
		{"long pays positive rate", exchange.Buy, "0.0001", "-0.0202"},
		{"short receives positive rate", exchange.Sell, "0.0001", "0.0202"},
		{"long receives negative rate", exchange.Buy, "-0.0001", "0.0202"},
		{"short pays negative rate", exchange.Sell, "-0.0001", "-0.0202"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			ft := t0.Add(time.Hour)
			h.book("99.90", "100.00")
			h.markFunding("100.00", tc.rate, ft)
			h.mustPlace(market("e", tc.side, "2"))
			before := h.balance().Wallet
			h.events()
			h.clock.Set(ft.Add(-time.Second))
			h.markFunding("100.50", tc.rate, ft)
			if evs := h.events(); len(evs) != 0 {
				t.Fatalf("charged before the funding time: %v", kinds(evs))
			}
			// The first mark at the funding time settles the previous rate at its mark,
			// then announces the next period's rate, which must not be used.
			h.clock.Set(ft)
			h.markFunding("101.00", "0.0075", ft.Add(8*time.Hour))
			evs := h.events()
			eqKinds(t, kinds(evs), "ACCOUNT:FUNDING_FEE")
			au := evs[0].(exchange.AccountUpdate)
			eqDec(t, "balance change", au.Balances[0].BalanceChange, d(tc.amount))
			if !au.ExchangeTime.Equal(ft) {
				t.Errorf("funding event at %v, want %v", au.ExchangeTime, ft)
			}
			eqDec(t, "wallet", h.balance().Wallet, before.Add(d(tc.amount)))
			eqDec(t, "stats funding", h.tr.Stats().Funding, d(tc.amount))
			h.clock.Set(ft.Add(time.Second))
			h.markFunding("101.00", "0.0075", ft.Add(8*time.Hour))
			h.trade("101.00", "1")
			if evs := h.events(); len(evs) != 0 {
				t.Fatalf("charged twice: %v", kinds(evs))
			}
		})
	}
}

func TestFundingOnlyWhenOpenAtFundingTime(t *testing.T) {
	ft := t0.Add(time.Hour)
	t.Run("closed before funding", func(t *testing.T) {
		h := newHarness(t, nil)
		h.book("99.90", "100.00")
		h.markFunding("100.00", "0.0001", ft)
		h.mustPlace(market("e", exchange.Buy, "2"))
		h.mustPlace(market("x", exchange.Sell, "2"))
		w := h.balance().Wallet
		h.events()
		h.clock.Set(ft)
		h.markFunding("100.00", "0.0001", ft.Add(8*time.Hour))
		if evs := h.events(); len(evs) != 0 {
			t.Fatalf("flat account charged: %v", kinds(evs))
		}
		eqDec(t, "wallet", h.balance().Wallet, w)
	})
	t.Run("opened after funding", func(t *testing.T) {
		h := newHarness(t, nil)
		h.book("99.90", "100.00")
		h.markFunding("100.00", "0.0001", ft)
		h.clock.Set(ft.Add(time.Minute))
		// The first call after the funding time settles it while still flat.
		h.mustPlace(market("e", exchange.Buy, "2"))
		h.markFunding("100.00", "0.0001", ft.Add(8*time.Hour))
		for _, k := range kinds(h.events()) {
			if k == "ACCOUNT:FUNDING_FEE" {
				t.Fatal("position opened after the funding time was charged")
			}
		}
		eqDec(t, "funding", h.tr.Stats().Funding, d("0"))
	})
	t.Run("settled by a trade event at the last mark", func(t *testing.T) {
		h := newHarness(t, nil)
		h.book("99.90", "100.00")
		h.markFunding("100.00", "0.0001", ft)
		h.mustPlace(market("e", exchange.Buy, "2"))
		h.clock.Set(ft.Add(-time.Second))
		h.mark("100.50")
		h.events()
		h.clock.Set(ft.Add(time.Second))
		h.trade("100.70", "1")
		evs := h.events()
		eqKinds(t, kinds(evs), "ACCOUNT:FUNDING_FEE")
		// 2 * 100.50 * 0.0001
		eqDec(t, "charged", evs[0].(exchange.AccountUpdate).Balances[0].BalanceChange, d("-0.0201"))
	})
}

func TestLiquidationAtFormulaPrice(t *testing.T) {
	tests := []struct {
		name       string
		margin     exchange.MarginType
		balance    string
		side       exchange.Side
		lp         string // hand formula (num/den), compared exactly
		safe, kill string // marks just before / at-or-past LP
		fill       string // LP rounded to the tick against the position
		loss       string
		wallet     string
	}{
		// LP = (100 + 0 - 10*100) / (10*0.01 - 10) = -900 / -9.9
		{"isolated long", exchange.Isolated, "10000", exchange.Buy, "-900/-9.9", "90.92", "90.90", "90.90", "100", "9899.5"},
		// LP = (100 + 0 + 10*100) / (10*0.01 + 10) = 1100 / 10.1
		{"isolated short", exchange.Isolated, "10000", exchange.Sell, "1100/10.1", "108.91", "108.92", "108.92", "100", "9899.5"},
		// cross: WB = 150 - 0.5 fee = 149.5; LP = (149.5 - 1000) / -9.9
		{"cross long", exchange.Cross, "150", exchange.Buy, "-850.5/-9.9", "85.91", "85.90", "85.90", "149.5", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.InitialBalance = d(tc.balance); c.MarginType = tc.margin })
			h.book("100.00", "100.00")
			h.mark("100.00")
			h.mustPlace(market("e", tc.side, "10"))
			// A resting add-on limit and a far stop, both cancelled by the liquidation.
			restPx, stopPx := "99.00", "50.00"
			if tc.side == exchange.Sell {
				restPx, stopPx = "101.00", "150.00"
			}
			h.mustPlace(limit("l", tc.side, exchange.GTC, restPx, "0.1"))
			if _, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: "sl", Side: tc.side.Opposite(), Type: exchange.StopMarket,
				TriggerPrice: d(stopPx), ClosePosition: true, WorkingType: exchange.ContractPriceTrigger}); err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tc.lp, "/")
			wantLP := d(parts[0]).Div(d(parts[1]))
			eqDec(t, "position liquidation price", h.position().LiquidationPrice, wantLP)
			h.events()
			h.mark(tc.safe)
			if evs := h.events(); len(evs) != 0 {
				t.Fatalf("liquidated before LP: %v", kinds(evs))
			}
			h.mark(tc.kill)
			evs := h.events()
			eqKinds(t, kinds(evs), "ORDER:CANCELED", "ALGO:EXPIRED", "ORDER:CALCULATED", "ACCOUNT:ORDER")
			tr := trades(evs)
			liq := tr[0]
			if liq.ExecType != "CALCULATED" || !strings.HasPrefix(liq.Order.ClientID, "autoclose-") || liq.Order.Type != exchange.LiquidationOrder {
				t.Fatalf("liquidation update %+v", liq)
			}
			if liq.Order.Side != tc.side.Opposite() {
				t.Errorf("liquidation side %s", liq.Order.Side)
			}
			eqDec(t, "liq qty", liq.LastFillQty, d("10"))
			eqDec(t, "liq price", liq.LastFillPrice, d(tc.fill))
			eqDec(t, "liq realized", liq.RealizedPnL, d(tc.loss).Neg())
			if !h.position().Flat() {
				t.Fatal("position survived liquidation")
			}
			eqDec(t, "wallet", h.balance().Wallet, d(tc.wallet))
			if open, _ := h.tr.OpenOrders(h.ctx, sym); len(open) != 0 {
				t.Errorf("open orders after liquidation: %v", open)
			}
			if open, _ := h.tr.OpenAlgoOrders(h.ctx, sym); len(open) != 0 {
				t.Errorf("open algo orders after liquidation: %v", open)
			}
		})
	}
}

func TestMarginTypeAndLeverage(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	if err := h.tr.SetMarginType(h.ctx, sym, exchange.Isolated); exchange.CodeOf(err) != exchange.CodeNoNeedChangeMargin {
		t.Fatalf("same margin type: %v", err)
	}
	if err := h.tr.SetLeverage(h.ctx, sym, 76); exchange.CodeOf(err) != codeBadLeverage {
		t.Fatalf("leverage above max: %v", err)
	}
	if err := h.tr.SetLeverage(h.ctx, sym, 5); err != nil {
		t.Fatal(err)
	}
	h.mustPlace(market("e", exchange.Buy, "1"))
	eqDec(t, "margin at 5x", h.position().IsolatedWallet, d("20"))
	if h.position().Leverage != 5 {
		t.Errorf("leverage %d", h.position().Leverage)
	}
	if err := h.tr.SetMarginType(h.ctx, sym, exchange.Cross); exchange.CodeOf(err) != codeMarginTypeOpenPos {
		t.Fatalf("switch with a position: %v", err)
	}
	h.mustPlace(market("x", exchange.Sell, "1"))
	if err := h.tr.SetMarginType(h.ctx, sym, exchange.Cross); err != nil {
		t.Fatal(err)
	}
	h.mark("100.00")
	h.mustPlace(market("e2", exchange.Buy, "1"))
	h.mark("103.00")
	// cross: available includes unrealized PnL 1*(103-100)
	b := h.balance()
	eqDec(t, "cross unrealized", b.CrossUnrealized, d("3"))
	eqDec(t, "available", b.Available, b.Wallet.Sub(d("20")).Add(d("3")))
}

func TestFundingSettledAfterRestartAcrossFundingTime(t *testing.T) {
	h := newHarness(t, nil)
	ft := t0.Add(time.Hour)
	h.book("99.90", "100.00")
	h.markFunding("100.00", "0.0002", ft)
	h.mustPlace(market("e", exchange.Sell, "2"))
	// The process is down across the funding time.
	tr2, err := New(Config{Symbol: sym, Rules: testRules()}, h.kv, h.clock)
	if err != nil {
		t.Fatal(err)
	}
	h2 := &harness{t: t, tr: tr2, kv: h.kv, clock: h.clock, ctx: h.ctx}
	h2.clock.Set(ft.Add(time.Minute))
	h2.markFunding("98.00", "0.0001", ft.Add(8*time.Hour))
	evs := h2.events()
	eqKinds(t, kinds(evs), "ACCOUNT:FUNDING_FEE")
	// short receives 2 * 98 * 0.0002 at the saved rate and the first mark seen
	eqDec(t, "received", evs[0].(exchange.AccountUpdate).Balances[0].BalanceChange, d("0.0392"))
}
