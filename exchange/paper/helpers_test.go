package paper

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/fakeclock"
	"github.com/taobot/taobot/risk"
)

const sym = "TAOUSDT"

var t0 = time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func testRules() exchange.SymbolRules {
	return exchange.SymbolRules{
		Symbol: sym, TickSize: d("0.01"), MinPrice: d("0.01"), MaxPrice: d("100000"),
		StepSize: d("0.001"), MinQty: d("0.001"), MaxQty: d("10000"),
		MinNotional: d("5"), MaxLeverage: 75, Brackets: risk.DefaultTAOBrackets(),
	}
}

// harness is a Trader on a fake clock with helpers to feed market data and
// collect the user-data events it queued.
type harness struct {
	t     *testing.T
	tr    *Trader
	kv    *MemKV
	clock *fakeclock.Clock
	ctx   context.Context
}

func newHarness(t *testing.T, mutate func(*Config)) *harness {
	t.Helper()
	cfg := Config{Symbol: sym, Rules: testRules(), InitialBalance: d("10000"), Leverage: 10}
	if mutate != nil {
		mutate(&cfg)
	}
	h := &harness{t: t, kv: NewMemKV(), clock: fakeclock.New(t0), ctx: context.Background()}
	tr, err := New(cfg, h.kv, h.clock)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.tr = tr
	return h
}

func (h *harness) at() time.Time { return h.clock.Now() }

func (h *harness) observe(ev exchange.Event) {
	h.t.Helper()
	if err := h.tr.Observe(ev); err != nil {
		h.t.Fatalf("Observe: %v", err)
	}
}

func (h *harness) book(bid, ask string, qty ...string) {
	h.t.Helper()
	bq, aq := decimal.Zero, decimal.Zero
	if len(qty) == 2 {
		bq, aq = d(qty[0]), d(qty[1])
	}
	h.observe(exchange.BookTicker{EventMeta: h.meta(), BidPrice: d(bid), AskPrice: d(ask), BidQty: bq, AskQty: aq})
}

func (h *harness) trade(price, qty string) {
	h.t.Helper()
	h.observe(exchange.Trade{EventMeta: h.meta(), Price: d(price), Qty: d(qty), TradeTime: h.at()})
}

func (h *harness) mark(price string) {
	h.t.Helper()
	h.observe(exchange.MarkPrice{EventMeta: h.meta(), Mark: d(price)})
}

func (h *harness) markFunding(price, rate string, next time.Time) {
	h.t.Helper()
	h.observe(exchange.MarkPrice{EventMeta: h.meta(), Mark: d(price), FundingRate: d(rate), NextFundingTime: next})
}

func (h *harness) meta() exchange.EventMeta {
	return exchange.EventMeta{Symbol: sym, ExchangeTime: h.at(), ReceiveTime: h.at()}
}

// events returns and clears the queued user-data events.
func (h *harness) events() []exchange.Event { return h.tr.q.takeAll() }

func (h *harness) place(req exchange.OrderRequest) (exchange.Order, error) {
	req.Symbol = sym
	return h.tr.PlaceOrder(h.ctx, req)
}

func (h *harness) mustPlace(req exchange.OrderRequest) exchange.Order {
	h.t.Helper()
	o, err := h.place(req)
	if err != nil {
		h.t.Fatalf("PlaceOrder %s: %v", req.ClientID, err)
	}
	return o
}

func (h *harness) placeAlgo(req exchange.AlgoOrderRequest) (exchange.AlgoOrder, error) {
	req.Symbol = sym
	return h.tr.PlaceAlgoOrder(h.ctx, req)
}

func (h *harness) position() exchange.Position {
	h.t.Helper()
	ps, err := h.tr.Positions(h.ctx, sym)
	if err != nil || len(ps) != 1 {
		h.t.Fatalf("Positions: %v %v", ps, err)
	}
	return ps[0]
}

func (h *harness) balance() exchange.Balance {
	h.t.Helper()
	bs, err := h.tr.Balances(h.ctx)
	if err != nil || len(bs) != 1 {
		h.t.Fatalf("Balances: %v %v", bs, err)
	}
	return bs[0]
}

func market(id string, side exchange.Side, qty string) exchange.OrderRequest {
	return exchange.OrderRequest{ClientID: id, Side: side, Type: exchange.Market, Qty: d(qty)}
}

func limit(id string, side exchange.Side, tif exchange.TimeInForce, price, qty string) exchange.OrderRequest {
	return exchange.OrderRequest{ClientID: id, Side: side, Type: exchange.Limit, TimeInForce: tif, Price: d(price), Qty: d(qty)}
}

// kinds summarises events as "ORDER:NEW", "ALGO:TRIGGERED", "ACCOUNT:ORDER".
func kinds(evs []exchange.Event) []string {
	var out []string
	for _, ev := range evs {
		switch e := ev.(type) {
		case exchange.OrderUpdate:
			out = append(out, "ORDER:"+e.ExecType)
		case exchange.AlgoUpdate:
			out = append(out, "ALGO:"+string(e.AlgoOrder.Status))
		case exchange.AccountUpdate:
			out = append(out, "ACCOUNT:"+e.Reason)
		default:
			out = append(out, "OTHER")
		}
	}
	return out
}

func trades(evs []exchange.Event) []exchange.OrderUpdate {
	var out []exchange.OrderUpdate
	for _, ev := range evs {
		if e, ok := ev.(exchange.OrderUpdate); ok && (e.ExecType == "TRADE" || e.ExecType == "CALCULATED") {
			out = append(out, e)
		}
	}
	return out
}

func eqDec(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func eqKinds(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
}

// wantCode checks err is an ErrRejected APIError with code.
func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want code %d", code)
	}
	if got := exchange.CodeOf(err); got != code {
		t.Fatalf("code = %d (%v), want %d", got, err, code)
	}
	if !errors.Is(err, exchange.ErrRejected) {
		t.Fatalf("err %v is not ErrRejected", err)
	}
}
