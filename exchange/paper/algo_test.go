package paper

import (
	"testing"

	"github.com/taobot/taobot/exchange"
)

func TestAlgoTriggersOnMarkNotLastTrade(t *testing.T) {
	tests := []struct {
		name      string
		typ       exchange.OrderType
		trigger   string
		wt        exchange.WorkingType
		quiet     func(h *harness) // must not trigger
		fire      func(h *harness) // must trigger
		fillPrice string           // the bid, where the sell executes
		realized  string           // 1 * (fill - 100.00)
	}{
		{"stop on mark", exchange.StopMarket, "95.00", exchange.MarkPriceTrigger,
			func(h *harness) { h.trade("94.00", "5"); h.mark("95.01") },
			func(h *harness) { h.book("94.40", "94.50"); h.mark("95.00") }, "94.40", "-5.6"},
		{"take-profit on mark", exchange.TakeProfitMarket, "110.00", exchange.MarkPriceTrigger,
			func(h *harness) { h.trade("111.00", "5"); h.mark("109.99") },
			func(h *harness) { h.book("110.20", "110.30"); h.mark("110.05") }, "110.20", "10.2"},
		{"stop on last trade (CONTRACT_PRICE)", exchange.StopMarket, "95.00", exchange.ContractPriceTrigger,
			func(h *harness) { h.mark("94.00") },
			func(h *harness) { h.book("94.80", "94.90"); h.trade("94.99", "1") }, "94.80", "-5.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.book("99.90", "100.00")
			h.mark("100.00")
			h.trade("100.00", "1")
			h.mustPlace(market("entry", exchange.Buy, "1"))
			g, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: "exit", Side: exchange.Sell, Type: tc.typ,
				TriggerPrice: d(tc.trigger), Qty: d("1"), ReduceOnly: true, WorkingType: tc.wt})
			if err != nil {
				t.Fatal(err)
			}
			if g.Status != exchange.AlgoNew || g.AlgoID != 1 {
				t.Fatalf("algo %+v", g)
			}
			h.events()
			tc.quiet(h)
			if evs := h.events(); len(evs) != 0 {
				t.Fatalf("triggered early: %v", kinds(evs))
			}
			tc.fire(h)
			evs := h.events()
			eqKinds(t, kinds(evs), "ALGO:TRIGGERED", "ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER", "ALGO:FINISHED")
			trig := evs[0].(exchange.AlgoUpdate).AlgoOrder
			tr := trades(evs)[0]
			if trig.ActualOrderID != tr.Order.OrderID || tr.Order.ClientID != "exit" || tr.Order.Type != exchange.Market || !tr.Order.ReduceOnly {
				t.Fatalf("trigger %+v order %+v", trig, tr.Order)
			}
			eqDec(t, "fill", tr.LastFillPrice, d(tc.fillPrice))
			eqDec(t, "realized", tr.RealizedPnL, d(tc.realized))
			eqDec(t, "taker fee", tr.Commission, d(tc.fillPrice).Mul(d("0.0005")))
			if !h.position().Flat() {
				t.Fatalf("position %v, want flat", h.position().Qty)
			}
			q, err := h.tr.QueryAlgoOrder(h.ctx, sym, "exit")
			if err != nil || q.Status != exchange.AlgoFinished {
				t.Fatalf("query %+v %v", q, err)
			}
			open, _ := h.tr.OpenAlgoOrders(h.ctx, sym)
			if len(open) != 0 {
				t.Fatalf("open algos %v", open)
			}
		})
	}
}

func TestAlgoWouldImmediatelyTrigger(t *testing.T) {
	tests := []struct {
		name    string
		typ     exchange.OrderType
		side    exchange.Side
		trigger string
		wt      exchange.WorkingType
		code    int
	}{
		{"sell stop above mark", exchange.StopMarket, exchange.Sell, "100.50", exchange.MarkPriceTrigger, exchange.CodeWouldTrigger},
		{"sell stop below mark", exchange.StopMarket, exchange.Sell, "99.50", exchange.MarkPriceTrigger, 0},
		{"buy stop below mark", exchange.StopMarket, exchange.Buy, "99.50", exchange.MarkPriceTrigger, exchange.CodeWouldTrigger},
		{"sell take-profit below mark", exchange.TakeProfitMarket, exchange.Sell, "99.50", exchange.MarkPriceTrigger, exchange.CodeWouldTrigger},
		{"sell take-profit above mark", exchange.TakeProfitMarket, exchange.Sell, "100.50", exchange.MarkPriceTrigger, 0},
		// last trade is 98: a sell stop at 99 on CONTRACT_PRICE is already hit though the mark is 100
		{"contract price uses last trade", exchange.StopMarket, exchange.Sell, "99.00", exchange.ContractPriceTrigger, exchange.CodeWouldTrigger},
		{"trigger off tick", exchange.StopMarket, exchange.Sell, "99.001", exchange.MarkPriceTrigger, exchange.CodeBadTick},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.mark("100.00")
			h.trade("98.00", "1")
			_, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: "s", Side: tc.side, Type: tc.typ,
				TriggerPrice: d(tc.trigger), ClosePosition: true, WorkingType: tc.wt})
			if tc.code == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tc.code)
		})
	}
}

func TestClosePositionClosesWhateverIsOpenAtTrigger(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	h.mark("100.00")
	h.mustPlace(market("e1", exchange.Buy, "1"))
	if _, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: "sl", Side: exchange.Sell, Type: exchange.StopMarket,
		TriggerPrice: d("95.00"), ClosePosition: true, WorkingType: exchange.MarkPriceTrigger}); err != nil {
		t.Fatal(err)
	}
	h.mustPlace(market("e2", exchange.Buy, "2.5"))
	h.events()
	h.book("94.00", "94.10")
	h.mark("94.90")
	tr := trades(h.events())
	if len(tr) != 1 {
		t.Fatalf("trades %v", tr)
	}
	eqDec(t, "closed qty", tr[0].LastFillQty, d("3.5"))
	eqDec(t, "realized", tr[0].RealizedPnL, d("-21")) // 3.5 * (94 - 100)
	if !h.position().Flat() {
		t.Fatal("not flat")
	}
}

func TestReduceOnlyAlgoWithNothingToCloseIsRejected(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	h.mark("100.00")
	h.mustPlace(market("e1", exchange.Buy, "1"))
	for _, id := range []string{"sl", "sl2"} {
		if _, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: id, Side: exchange.Sell, Type: exchange.StopMarket,
			TriggerPrice: d("95.00"), ClosePosition: true, WorkingType: exchange.MarkPriceTrigger}); err != nil {
			t.Fatal(err)
		}
	}
	h.events()
	h.mark("94.00")
	// The first closes the position; the second finds nothing left.
	eqKinds(t, kinds(h.events()), "ALGO:TRIGGERED", "ORDER:NEW", "ORDER:TRADE", "ACCOUNT:ORDER", "ALGO:FINISHED", "ALGO:REJECTED")
	g, err := h.tr.QueryAlgoOrder(h.ctx, sym, "sl2")
	if err != nil || g.Status != exchange.AlgoRejected {
		t.Fatalf("sl2 %+v %v", g, err)
	}
}

func TestCancelAlgoAndDuplicate(t *testing.T) {
	h := newHarness(t, nil)
	h.mark("100.00")
	req := exchange.AlgoOrderRequest{ClientAlgoID: "sl", Side: exchange.Sell, Type: exchange.StopMarket,
		TriggerPrice: d("95.00"), ClosePosition: true, WorkingType: exchange.MarkPriceTrigger}
	if _, err := h.placeAlgo(req); err != nil {
		t.Fatal(err)
	}
	_, err := h.placeAlgo(req)
	wantCode(t, err, exchange.CodeDuplicateClientID)
	h.events()
	g, err := h.tr.CancelAlgoOrder(h.ctx, sym, "sl")
	if err != nil || g.Status != exchange.AlgoCanceled {
		t.Fatalf("cancel %+v %v", g, err)
	}
	eqKinds(t, kinds(h.events()), "ALGO:CANCELED")
	h.mark("90.00")
	if evs := h.events(); len(evs) != 0 {
		t.Fatalf("cancelled algo fired: %v", kinds(evs))
	}
}

func TestNonPositivePricesAreIgnored(t *testing.T) {
	h := newHarness(t, nil)
	h.book("99.90", "100.00")
	h.mark("100.00")
	h.mustPlace(market("e", exchange.Buy, "1"))
	if _, err := h.placeAlgo(exchange.AlgoOrderRequest{ClientAlgoID: "sl", Side: exchange.Sell, Type: exchange.StopMarket,
		TriggerPrice: d("95.00"), ClosePosition: true, WorkingType: exchange.MarkPriceTrigger}); err != nil {
		t.Fatal(err)
	}
	h.events()
	h.mark("0")
	h.book("0", "100.00")
	h.trade("0", "1")
	if evs := h.events(); len(evs) != 0 {
		t.Fatalf("zero prices acted on: %v", kinds(evs))
	}
	eqDec(t, "pos", h.position().Qty, d("1"))
}
