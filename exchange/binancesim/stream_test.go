package binancesim_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"
	"github.com/gorilla/websocket"

	"github.com/taobot/taobot/exchange/binancesim"
)

func TestCombinedMarketStreamDecodes(t *testing.T) {
	s := flat(t, binancesim.Options{Seed: 11})
	ws := dial(t, s, "/stream?streams=taousdt@aggTrade/taousdt@markPrice@1s/taousdt@bookTicker/taousdt@depth5@100ms")
	s.Advance(time.Second)
	mark, last, bid, ask := s.Quote()

	seen := map[string]bool{}
	for len(seen) < 4 {
		name, data := combined(t, ws.next())
		seen[name] = true
		switch name {
		case "taousdt@aggTrade":
			var e futures.WsAggTradeEvent
			if err := json.Unmarshal(data, &e); err != nil || e.Event != "aggTrade" || e.Symbol != "TAOUSDT" {
				t.Fatalf("aggTrade: %+v %v", e, err)
			}
			if !dec(e.Price).Equal(last) || e.TradeTime > s.Now().UnixMilli() || e.TradeTime <= time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixMilli() {
				t.Errorf("aggTrade price %s (last %s) time %d", e.Price, last, e.TradeTime)
			}
		case "taousdt@markPrice@1s":
			var e futures.WsMarkPriceEvent
			if err := json.Unmarshal(data, &e); err != nil || e.Event != "markPriceUpdate" {
				t.Fatalf("markPrice: %+v %v", e, err)
			}
			if !dec(e.MarkPrice).Equal(mark) || e.FundingRate != "0.00010000" || e.NextFundingTime != time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC).UnixMilli() {
				t.Errorf("markPrice: %+v, mark %s", e, mark)
			}
		case "taousdt@bookTicker":
			var e futures.WsBookTickerEvent
			if err := json.Unmarshal(data, &e); err != nil || e.Event != "bookTicker" {
				t.Fatalf("bookTicker: %+v %v", e, err)
			}
			if !dec(e.BestBidPrice).Equal(bid) || !dec(e.BestAskPrice).Equal(ask) || e.BestBidQty != "5.000" {
				t.Errorf("bookTicker %+v, want bid %s ask %s", e, bid, ask)
			}
		case "taousdt@depth5@100ms":
			var e struct {
				Event string      `json:"e"`
				Time  int64       `json:"E"`
				Bids  [][2]string `json:"b"`
				Asks  [][2]string `json:"a"`
			}
			if err := json.Unmarshal(data, &e); err != nil || e.Event != "depthUpdate" || len(e.Bids) != 5 || len(e.Asks) != 5 {
				t.Fatalf("depth5: %s %v", data, err)
			}
			if !dec(e.Bids[0][0]).Equal(bid) {
				t.Errorf("depth best bid %s, want %s", e.Bids[0][0], bid)
			}
		default:
			t.Fatalf("unexpected stream %q", name)
		}
	}
}

func TestRawStreamHasNoWrapper(t *testing.T) {
	s := flat(t, binancesim.Options{})
	ws := dial(t, s, "/ws/taousdt@markPrice")
	s.Advance(3 * time.Second)
	frame := ws.next()
	if strings.Contains(string(frame), `"stream"`) {
		t.Fatalf("raw stream frame is wrapped: %s", frame)
	}
	var e futures.WsMarkPriceEvent
	if err := json.Unmarshal(frame, &e); err != nil || e.Event != "markPriceUpdate" || e.Time != time.Date(2026, 1, 5, 0, 0, 3, 0, time.UTC).UnixMilli() {
		t.Fatalf("markPrice (3s): %+v %v", e, err)
	}
}

func TestUnknownStreamIsRefused(t *testing.T) {
	s := flat(t, binancesim.Options{})
	_, resp, err := websocket.DefaultDialer.Dial(s.WSURL+"/ws/btcusdt@aggTrade", nil)
	if resp != nil {
		_ = resp.Body.Close()
	}
	if err == nil || resp == nil || resp.StatusCode != 400 {
		t.Fatalf("want HTTP 400 for an unknown stream, got %v %v", resp, err)
	}
}

func TestListenKeyInACombinedStream(t *testing.T) {
	s := flat(t, binancesim.Options{})
	key, err := client(s).NewStartUserStreamService().Do(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	ws := dial(t, s, "/stream?streams=taousdt@bookTicker/"+key)
	if _, err := client(s).NewChangeLeverageService().Symbol("TAOUSDT").Leverage(5).Do(ctx(t)); err != nil {
		t.Fatal(err)
	}
	name, data := combined(t, ws.next())
	var e futures.WsUserDataEvent
	if err := json.Unmarshal(data, &e); err != nil || name != key || e.Event != "ACCOUNT_CONFIG_UPDATE" || e.AccountConfigUpdate.Leverage != 5 {
		t.Fatalf("user event in a combined stream: %s %s %v", name, data, err)
	}
	s.Advance(time.Second)
	if name, _ := combined(t, ws.next()); name != "taousdt@bookTicker" {
		t.Fatalf("market data on the same connection: %s", name)
	}
}

func TestOwnTakerFillsPrintOnceAndNeverSelfTrade(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	rest, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeSell).Type(futures.OrderTypeLimit).
		TimeInForce(futures.TimeInForceTypeGTC).Quantity("1").Price("400.03").Do(x)
	if err != nil {
		t.Fatal(err)
	}
	ws := dial(t, s, "/stream?streams=taousdt@aggTrade/taousdt@markPrice@1s")
	if _, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity("12").Do(x); err != nil {
		t.Fatal(err)
	}
	s.Advance(time.Second) // (seed 0: this step's random walk keeps the bid below 400.03)
	prints := map[string]int{}
	for {
		name, data := combined(t, ws.next())
		if name == "taousdt@markPrice@1s" {
			break
		}
		var e futures.WsAggTradeEvent
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		prints[e.Price+"x"+e.Quantity+"/"+strconv.FormatBool(e.Maker)]++
	}
	for _, want := range []string{"400.01x5.000/false", "400.02x5.000/false", "400.03x2.000/false"} {
		if prints[want] != 1 {
			t.Errorf("own fill %s printed %d times (tape %v)", want, prints[want], prints)
		}
	}
	got, err := c.NewGetOrderService().Symbol("TAOUSDT").OrderID(rest.OrderID).Do(x)
	if err != nil || got.Status != futures.OrderStatusTypeNew {
		t.Fatalf("the bot's resting sell traded against its own buy: %+v %v", got, err)
	}
}
