package binancesim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// scripted is a model that prints given liquidations at given times and
// otherwise behaves like the flat fallback market.
type scripted struct {
	*fallbackModel
	liqs   []mLiquidation
	trades []mTrade
}

func (m *scripted) Step(now time.Time) stepOutput {
	var out stepOutput
	rest := m.liqs[:0]
	for _, l := range m.liqs {
		if l.Time.After(now) {
			rest = append(rest, l)
			continue
		}
		out.Liquidations = append(out.Liquidations, l)
	}
	m.liqs = rest
	var later []mTrade
	for _, t := range m.trades {
		if t.Time.After(now) {
			later = append(later, t)
			continue
		}
		out.Trades = append(out.Trades, t)
	}
	m.trades = later
	return out
}

func TestRestingLimitFillsWhenAPublicTradeReachesIt(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	d := decimal.RequireFromString
	s := Start(t, Options{Scenario: FallbackScenario, Start: start})
	s.mu.Lock()
	s.model = &scripted{fallbackModel: newFallbackModel(1, start, d("400"), 0), trades: []mTrade{
		{Time: start.Add(1 * time.Second), Price: d("399.51"), Qty: d("3"), BuyerMaker: true}, // above the bid: no fill
		{Time: start.Add(2 * time.Second), Price: d("399.50"), Qty: d("3"), BuyerMaker: true}, // at the bid: fills
	}}
	o, e := s.placeOrderLocked(orderParams{clientID: "bid", side: exchange.Buy, typ: exchange.Limit, tif: exchange.GTC, qty: d("2"), price: d("399.50")})
	s.mu.Unlock()
	if e != nil {
		t.Fatal(e)
	}
	s.Advance(time.Second)
	if s.Account().OpenOrders == nil {
		t.Fatal("filled by a trade above its price")
	}
	s.Advance(time.Second)
	a := s.Account()
	if len(a.OpenOrders) != 0 || !a.Position.Qty.Equal(d("2")) || !a.Position.EntryPrice.Equal(d("399.5")) {
		t.Fatalf("after the trade at the limit: open %d, position %s @ %s", len(a.OpenOrders), a.Position.Qty, a.Position.EntryPrice)
	}
	// maker fee: 2 * 399.5 * 0.0002 = 0.1598
	if !a.Wallet.Equal(d("9999.8402")) || o.status != exchange.StatusFilled {
		t.Fatalf("wallet %s status %s", a.Wallet, o.status)
	}
}

func TestForceOrderSnapshotRulePushesTheLargestPerSecond(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	liq := func(ms int, side exchange.Side, qty string, price string) mLiquidation {
		p := decimal.RequireFromString(price)
		return mLiquidation{Time: at(ms), Side: side, Price: p, AvgPrice: p, Qty: decimal.RequireFromString(qty)}
	}
	s := Start(t, Options{Scenario: FallbackScenario, Start: start, Step: 100 * time.Millisecond})
	s.mu.Lock()
	s.model = &scripted{fallbackModel: newFallbackModel(1, start, decimal.NewFromInt(400), 0), liqs: []mLiquidation{
		liq(200, exchange.Sell, "10", "400"), // second 0: notional 4000
		liq(500, exchange.Sell, "30", "399"), // second 0: notional 11970, the largest
		liq(900, exchange.Buy, "5", "401"),   // second 0: 2005
		liq(1300, exchange.Buy, "2", "402"),  // second 1: alone
		// second 2: nothing, so nothing is pushed
		liq(3100, exchange.Sell, "1", "400"),   // second 3: 400
		liq(3999, exchange.Sell, "1.5", "399"), // second 3: 598.5, the largest
	}}
	s.mu.Unlock()

	single, resp, err := websocket.DefaultDialer.Dial(s.WSURL+"/ws/taousdt@forceOrder", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	defer single.Close()
	all, resp, err := websocket.DefaultDialer.Dial(s.WSURL+"/stream?streams=!forceOrder@arr", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	defer all.Close()

	s.Advance(5 * time.Second)
	want := []struct {
		side, qty string
		e, tt     int64
	}{
		{"SELL", "30.000", at(1000).UnixMilli(), at(500).UnixMilli()},
		{"BUY", "2.000", at(2000).UnixMilli(), at(1300).UnixMilli()},
		{"SELL", "1.500", at(4000).UnixMilli(), at(3999).UnixMilli()},
	}
	for _, w := range want {
		_ = single.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, raw, err := single.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		var e struct { // exact tags for each key: encoding/json matches case-insensitively otherwise
			Ev string `json:"e"`
			E  int64  `json:"E"`
			O  struct {
				Sym string `json:"s"`
				S   string `json:"S"`
				Q   string `json:"q"`
				T   int64  `json:"T"`
			} `json:"o"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		if e.O.S != w.side || e.O.Q != w.qty || e.E != w.e || e.O.T != w.tt {
			t.Fatalf("pushed %s, want %+v", raw, w)
		}
		_ = all.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, wrapped, err := all.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"stream":"!forceOrder@arr","data":` + string(raw) + `}`; string(wrapped) != want {
			t.Fatalf("all-market stream: %s, want %s", wrapped, want)
		}
	}
}

// thinBook quotes an ask far above mark, as a book drained by a cascade would.
type thinBook struct{ *fallbackModel }

func (m thinBook) Quote() quote {
	q := m.fallbackModel.Quote()
	q.Ask = q.Mark.Mul(decimal.RequireFromString("1.06"))
	return q
}

func TestMarketOrderRefusedWhenTheBookBreaksPercentPrice(t *testing.T) {
	d := decimal.RequireFromString
	s := Start(t, Options{Scenario: FallbackScenario})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.model = thinBook{newFallbackModel(1, s.now, d("400"), 0)}
	if _, e := s.placeOrderLocked(orderParams{clientID: "b", side: exchange.Buy, typ: exchange.Market, qty: d("1")}); e == nil || e.code != exchange.CodePercentPrice {
		t.Fatalf("buy into an ask 6%% above mark: %v, want -4131", e)
	}
	if _, e := s.placeOrderLocked(orderParams{clientID: "s", side: exchange.Sell, typ: exchange.Market, qty: d("1")}); e != nil {
		t.Fatalf("sell into a normal bid: %v", e)
	}
}

// A trader's print identical to one of the bot's own fills (same price and
// quantity) is public: it must still reach the bot's resting orders. Own
// prints are recognised by their tag, not by their price and quantity.
func TestTradersPrintLikeAnOwnFillStillMatches(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	d := decimal.RequireFromString
	s := Start(t, Options{Scenario: FallbackScenario, Start: start})
	s.mu.Lock()
	// The scripted tape holds only the trader's print, not the bot's own
	// fill, so only a value match could mistake one for the other.
	s.model = &scripted{fallbackModel: newFallbackModel(1, start, d("400"), 0), trades: []mTrade{
		{Time: start.Add(time.Second), Price: d("400.01"), Qty: d("1")}, // a trader buys 1 at 400.01
	}}
	// The bot buys 1: it fills at 400.01 (bid 400.00, ask 400.02 after it).
	if _, e := s.placeOrderLocked(orderParams{clientID: "buy", side: exchange.Buy, typ: exchange.Market, qty: d("1")}); e != nil {
		s.mu.Unlock()
		t.Fatal(e)
	}
	// A take-profit at 400.01 rests: the bid is below it.
	tp, e := s.placeOrderLocked(orderParams{clientID: "tp", side: exchange.Sell, typ: exchange.Limit, tif: exchange.GTC, qty: d("1"), price: d("400.01"), reduceOnly: true})
	s.mu.Unlock()
	if e != nil {
		t.Fatal(e)
	}
	if tp.status != exchange.StatusNew {
		t.Fatalf("take-profit %s, want it resting", tp.status)
	}
	s.Advance(time.Second)
	if a := s.Account(); tp.status != exchange.StatusFilled || !a.Position.Qty.IsZero() {
		t.Fatalf("after the trader's print at 400.01 x 1: take-profit %s, position %s", tp.status, a.Position.Qty)
	}
}
