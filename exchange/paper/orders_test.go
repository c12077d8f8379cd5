package paper

import (
	"errors"
	"testing"

	"github.com/taobot/taobot/exchange"
)

func TestMarketFillsAtBookWithSlippageAndTakerFee(t *testing.T) {
	tests := []struct {
		name     string
		slipBps  string
		side     exchange.Side
		qty      string
		price    string // hand-computed fill price
		fee      string // qty * price * 0.0005
		posQty   string
		margin   string // qty * price / 10
		wallet   string
		maxSlips string
	}{
		{"buy at ask", "0", exchange.Buy, "2", "100.00", "0.1", "2", "20", "9999.9", ""},
		{"sell at bid", "0", exchange.Sell, "2", "99.90", "0.0999", "-2", "19.98", "9999.9001", ""},
		// 100.00 * 1.0005 = 100.05
		{"buy with 5 bps", "5", exchange.Buy, "1", "100.05", "0.050025", "1", "10.005", "9999.949975", ""},
		// 99.90 * 0.9995 = 99.85005 -> 99.85 (down, against the seller)
		{"sell with 5 bps", "5", exchange.Sell, "1", "99.85", "0.049925", "-1", "9.985", "9999.950075", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.SlippageBps = d(tc.slipBps) })
			h.book("99.90", "100.00")
			o := h.mustPlace(market("m1", tc.side, tc.qty))
			if o.Status != exchange.StatusFilled {
				t.Fatalf("status %s, want FILLED", o.Status)
			}
			eqDec(t, "avg", o.AvgPrice, d(tc.price))
			evs := h.events()
			eqKinds(t, kinds(evs), "ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER")
			tr := trades(evs)[0]
			eqDec(t, "fill price", tr.LastFillPrice, d(tc.price))
			eqDec(t, "fill qty", tr.LastFillQty, d(tc.qty))
			eqDec(t, "commission", tr.Commission, d(tc.fee))
			if tr.Maker || tr.CommissionAsset != "USDT" || tr.Order.Status != exchange.StatusFilled {
				t.Errorf("trade %+v: want taker USDT FILLED", tr)
			}
			p := h.position()
			eqDec(t, "pos qty", p.Qty, d(tc.posQty))
			eqDec(t, "entry", p.EntryPrice, d(tc.price))
			eqDec(t, "isolated margin", p.IsolatedWallet, d(tc.margin))
			b := h.balance()
			eqDec(t, "wallet", b.Wallet, d(tc.wallet))
			eqDec(t, "available", b.Available, d(tc.wallet).Sub(d(tc.margin)))
		})
	}
}

func TestLimitRestsThenFillsOnCrossingTradeAtMakerFee(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	o := h.mustPlace(limit("l1", exchange.Buy, exchange.GTC, "99.50", "2"))
	if o.Status != exchange.StatusNew {
		t.Fatalf("status %s, want NEW", o.Status)
	}
	eqKinds(t, kinds(h.events()), "ORDER:NEW")
	// A trade at the price only touches it: no queue position, no fill.
	h.trade("99.50", "10")
	eqKinds(t, kinds(h.events()))
	// A trade through the price, smaller than the order: partial fill at the limit.
	h.trade("99.49", "0.5")
	evs := h.events()
	eqKinds(t, kinds(evs), "ORDER:TRADE", "ACCOUNT:ORDER")
	tr := trades(evs)[0]
	if tr.Order.Status != exchange.StatusPartiallyFilled || !tr.Maker {
		t.Fatalf("trade %+v: want maker PARTIALLY_FILLED", tr)
	}
	eqDec(t, "fill price", tr.LastFillPrice, d("99.50"))
	eqDec(t, "fill qty", tr.LastFillQty, d("0.5"))
	eqDec(t, "maker fee", tr.Commission, d("0.00995")) // 0.5*99.5*0.0002
	q, err := h.tr.QueryOrder(h.ctx, sym, "l1")
	if err != nil || q.Status != exchange.StatusPartiallyFilled {
		t.Fatalf("query %+v %v", q, err)
	}
	h.trade("99.40", "5")
	evs = h.events()
	tr = trades(evs)[0]
	if tr.Order.Status != exchange.StatusFilled {
		t.Fatalf("status %s, want FILLED", tr.Order.Status)
	}
	eqDec(t, "second fill qty", tr.LastFillQty, d("1.5"))
	eqDec(t, "second fee", tr.Commission, d("0.02985")) // 1.5*99.5*0.0002
	eqDec(t, "executed", tr.Order.ExecutedQty, d("2"))
	eqDec(t, "avg", tr.Order.AvgPrice, d("99.5"))
	open, _ := h.tr.OpenOrders(h.ctx, sym)
	if len(open) != 0 {
		t.Fatalf("open orders %v, want none", open)
	}
	eqDec(t, "wallet", h.balance().Wallet, d("9999.9602")) // 10000 - 0.0398
	eqDec(t, "pos", h.position().Qty, d("2"))
}

func TestLimitCrossingOnArrival(t *testing.T) {
	tests := []struct {
		name      string
		tif       exchange.TimeInForce
		price     string
		askQty    string
		wantCode  int
		wantKinds []string
		filled    string
		status    exchange.OrderStatus
		open      int
	}{
		{"GTC crossing fills as taker at the ask", exchange.GTC, "100.10", "10", 0,
			[]string{"ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER"}, "1", exchange.StatusFilled, 0},
		{"GTC crossing takes the touch, rests the rest", exchange.GTC, "100.10", "0.4", 0,
			[]string{"ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER"}, "0.4", exchange.StatusPartiallyFilled, 1},
		{"GTX that would take is rejected", exchange.GTX, "100.00", "10", exchange.CodePostOnlyRejected, nil, "0", "", 0},
		{"GTX below the ask rests", exchange.GTX, "99.95", "10", 0, []string{"ORDER:NEW"}, "0", exchange.StatusNew, 1},
		{"IOC fills at the book", exchange.IOC, "100.10", "10", 0,
			[]string{"ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER"}, "1", exchange.StatusFilled, 0},
		{"IOC fills what it can, expires the rest", exchange.IOC, "100.10", "0.4", 0,
			[]string{"ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER", "ORDER:EXPIRED"}, "0.4", exchange.StatusExpired, 0},
		{"IOC not crossing expires", exchange.IOC, "99.95", "10", 0, []string{"ORDER:NEW", "ORDER:EXPIRED"}, "0", exchange.StatusExpired, 0},
		{"FOK short of depth expires unfilled", exchange.FOK, "100.10", "0.4", 0, []string{"ORDER:NEW", "ORDER:EXPIRED"}, "0", exchange.StatusExpired, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.book("99.90", "100.00", "10", tc.askQty)
			o, err := h.place(limit("x", exchange.Buy, tc.tif, tc.price, "1"))
			if tc.wantCode != 0 {
				wantCode(t, err, tc.wantCode)
				if evs := h.events(); len(evs) != 0 {
					t.Fatalf("rejected order emitted %v", kinds(evs))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			evs := h.events()
			eqKinds(t, kinds(evs), tc.wantKinds...)
			eqDec(t, "executed", o.ExecutedQty, d(tc.filled))
			if o.Status != tc.status {
				t.Errorf("status %s, want %s", o.Status, tc.status)
			}
			if tr := trades(evs); len(tr) > 0 {
				eqDec(t, "fill price (ask, not the limit)", tr[0].LastFillPrice, d("100.00"))
				eqDec(t, "taker fee", tr[0].Commission, d(tc.filled).Mul(d("100")).Mul(d("0.0005")))
				if tr[0].Maker {
					t.Error("crossing fill reported as maker")
				}
			}
			open, _ := h.tr.OpenOrders(h.ctx, sym)
			if len(open) != tc.open {
				t.Errorf("open orders %d, want %d", len(open), tc.open)
			}
		})
	}
}

func TestReduceOnly(t *testing.T) {
	tests := []struct {
		name     string
		open     string // long qty opened first, "" for flat
		side     exchange.Side
		qty      string
		wantCode int
	}{
		{"flat", "", exchange.Sell, "1", exchange.CodeReduceOnlyRejected},
		{"would increase a long", "1", exchange.Buy, "0.5", exchange.CodeReduceOnlyRejected},
		{"would flip a long", "1", exchange.Sell, "1.5", exchange.CodeReduceOnlyRejected},
		{"reduces part", "1", exchange.Sell, "0.5", 0},
		{"closes exactly, tiny notional exempt", "1", exchange.Sell, "1", 0},
		{"below min notional but reduce-only", "1", exchange.Sell, "0.01", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.book("99.90", "100.00")
			if tc.open != "" {
				h.mustPlace(market("open", exchange.Buy, tc.open))
			}
			req := market("ro", tc.side, tc.qty)
			req.ReduceOnly = true
			_, err := h.place(req)
			if tc.wantCode != 0 {
				wantCode(t, err, tc.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eqDec(t, "pos", h.position().Qty, d(tc.open).Sub(d(tc.qty)))
		})
	}
}

func TestRestingReduceOnlyExpiresWhenFlat(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	h.mustPlace(market("open", exchange.Buy, "1"))
	req := limit("tp", exchange.Sell, exchange.GTC, "110.00", "1")
	req.ReduceOnly = true
	h.mustPlace(req)
	h.events()
	h.mustPlace(market("close", exchange.Sell, "1"))
	eqKinds(t, kinds(h.events()), "ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER", "ORDER:EXPIRED")
	q, err := h.tr.QueryOrder(h.ctx, sym, "tp")
	if err != nil || q.Status != exchange.StatusExpired {
		t.Fatalf("tp %+v %v, want EXPIRED", q, err)
	}
}

func TestFiltersAndRejections(t *testing.T) {
	tests := []struct {
		name  string
		req   exchange.OrderRequest
		code  int
		class error
	}{
		{"price off tick", limit("a", exchange.Buy, exchange.GTC, "99.005", "1"), exchange.CodeBadTick, exchange.ErrRejected},
		{"qty off step", limit("a", exchange.Buy, exchange.GTC, "99.00", "1.0005"), exchange.CodeBadPrecision, exchange.ErrRejected},
		{"market qty off step", market("a", exchange.Buy, "0.0001"), exchange.CodeBadPrecision, exchange.ErrRejected},
		{"limit notional below 5", limit("a", exchange.Buy, exchange.GTC, "99.00", "0.05"), exchange.CodeMinNotional, exchange.ErrRejected},
		{"market notional at mark below 5", market("a", exchange.Buy, "0.049"), exchange.CodeMinNotional, exchange.ErrRejected},
		{"insufficient margin", market("a", exchange.Buy, "1001"), exchange.CodeMarginInsufficient, exchange.ErrRejected},
		{"resting limit margin too", limit("a", exchange.Buy, exchange.GTC, "99.00", "1011"), exchange.CodeMarginInsufficient, exchange.ErrRejected},
		{"conditional type through order API", exchange.OrderRequest{ClientID: "a", Side: exchange.Sell, Type: exchange.StopMarket, Qty: d("1")}, exchange.CodeUseAlgoAPI, exchange.ErrRejected},
		{"other symbol", exchange.OrderRequest{Symbol: "BTCUSDT"}, codeBadSymbol, exchange.ErrRejected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.book("99.90", "100.00")
			h.mark("100.00")
			req := tc.req
			if req.Symbol == "" {
				req.Symbol = sym
			} else {
				req = market("a", exchange.Buy, "1")
				req.Symbol = tc.req.Symbol
			}
			_, err := h.tr.PlaceOrder(h.ctx, req)
			wantCode(t, err, tc.code)
			if !errors.Is(err, tc.class) {
				t.Fatalf("class of %v", err)
			}
			if evs := h.events(); len(evs) != 0 {
				t.Fatalf("rejection emitted %v", kinds(evs))
			}
		})
	}
}

func TestClientIDs(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	h.mustPlace(limit("dup", exchange.Buy, exchange.GTC, "90.00", "1"))
	_, err := h.place(limit("dup", exchange.Buy, exchange.GTC, "91.00", "1"))
	wantCode(t, err, exchange.CodeDuplicateClientID)

	if _, err := h.tr.QueryOrder(h.ctx, sym, "nope"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("query unknown: %v, want ErrNotFound", err)
	}
	if _, err := h.tr.CancelOrder(h.ctx, sym, "nope"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("cancel unknown: %v, want ErrNotFound", err)
	}
	h.events()
	c, err := h.tr.CancelOrder(h.ctx, sym, "dup")
	if err != nil || c.Status != exchange.StatusCanceled {
		t.Fatalf("cancel %+v %v", c, err)
	}
	eqKinds(t, kinds(h.events()), "ORDER:CANCELED")
	// A finished id may be reused, and the cancelled one stays queryable.
	h.mustPlace(limit("dup", exchange.Buy, exchange.GTC, "91.00", "1"))
	if _, err := h.tr.CancelOrder(h.ctx, sym, "dup"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tr.CancelOrder(h.ctx, sym, "dup"); exchange.CodeOf(err) != codeUnknownOrder {
		t.Fatalf("second cancel: %v, want -2011", err)
	}
	if _, err := h.tr.QueryAlgoOrder(h.ctx, sym, "nope"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("query unknown algo: %v", err)
	}
}

func TestMarketWithoutPriceIsRetryable(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.place(market("m", exchange.Buy, "1"))
	if !errors.Is(err, exchange.ErrRetryable) {
		t.Fatalf("err %v, want ErrRetryable", err)
	}
}

func TestMinQty(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Rules.MinQty = d("0.01") })
	h.book("99.90", "100.00")
	_, err := h.place(limit("a", exchange.Buy, exchange.GTC, "1000.00", "0.005"))
	wantCode(t, err, codeLotSize)
	_, err = h.place(limit("b", exchange.Buy, exchange.GTC, "99.00", "0.0105"))
	wantCode(t, err, exchange.CodeBadPrecision)
}
