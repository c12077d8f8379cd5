package binance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

var recvAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameEvent compares two events field by field through JSON, so decimals
// compare by value ("9910" == "9910.00") and any field mismatch shows.
func sameEvent(t *testing.T, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("event mismatch\n got: %s\nwant: %s", g, w)
	}
}

func TestDecodeMarketSamples(t *testing.T) {
	tests := []struct {
		file string
		want exchange.Event
	}{
		{"aggTrade.json", exchange.Trade{
			EventMeta: exchange.EventMeta{Symbol: "BTCUSDT", ExchangeTime: ms(123456789), ReceiveTime: recvAt},
			ID:        5933014, Price: d("0.001"), Qty: d("100"), BuyerMaker: true, TradeTime: ms(123456785),
		}},
		{"markPriceUpdate_combined.json", exchange.MarkPrice{
			EventMeta: exchange.EventMeta{Symbol: "BTCUSDT", ExchangeTime: ms(1562305380000), ReceiveTime: recvAt},
			Mark:      d("11794.15"), Index: d("11784.62659091"), EstimatedSettle: d("11784.25641265"),
			FundingRate: d("0.00038167"), NextFundingTime: ms(1562306400000),
		}},
		{"forceOrder.json", exchange.Liquidation{
			EventMeta: exchange.EventMeta{Symbol: "BTCUSDT", ExchangeTime: ms(1568014460893), ReceiveTime: recvAt},
			Side:      exchange.Sell, Price: d("9910"), AvgPrice: d("9910"), Qty: d("0.014"), LastQty: d("0.014"),
			FilledQty: d("0.014"), Status: exchange.StatusFilled, TradeTime: ms(1568014460893),
		}},
		{"bookTicker.json", exchange.BookTicker{
			EventMeta: exchange.EventMeta{Symbol: "BNBUSDT", ExchangeTime: ms(1568014460893), ReceiveTime: recvAt},
			UpdateID:  400900217, BidPrice: d("25.3519"), BidQty: d("31.21"), AskPrice: d("25.3652"), AskQty: d("40.66"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			ev, err := decodeMarket(readSample(t, tc.file), recvAt)
			if err != nil {
				t.Fatal(err)
			}
			sameEvent(t, ev, tc.want)
			if _, ok := ev.(exchange.Trade); ok && tc.want.(exchange.Trade).TakerSide() != exchange.Sell {
				t.Fatal("m=true must mean the taker sold")
			}
		})
	}
}

func TestDecodeMarketIgnoresUnknown(t *testing.T) {
	for _, msg := range []string{`{"result":null,"id":1}`, `{"e":"kline","E":1,"s":"X"}`, `{"stream":"x@depth","data":{"e":"depthUpdate","E":1}}`} {
		ev, err := decodeMarket([]byte(msg), recvAt)
		if err != nil || ev != nil {
			t.Errorf("%s: got %v, %v; want nil, nil", msg, ev, err)
		}
	}
	if _, err := decodeMarket([]byte(`{"e":"aggTrade","E":1,"s":"X","p":"1.2.3","q":"1"}`), recvAt); err == nil {
		t.Error("bad decimal must be an error")
	}
}

func TestDecodeUserSamples(t *testing.T) {
	tests := []struct {
		file    string
		want    exchange.Event
		expired bool
	}{
		{file: "orderTradeUpdate.json", want: exchange.OrderUpdate{
			EventMeta: exchange.EventMeta{Symbol: "BTCUSDT", ExchangeTime: ms(1568879465651), ReceiveTime: recvAt},
			Order: exchange.Order{Symbol: "BTCUSDT", ClientID: "TEST", OrderID: 8886774, Side: exchange.Sell,
				Type: exchange.TrailingStop, TimeInForce: exchange.GTC, Status: exchange.StatusNew,
				Price: d("0"), Qty: d("0.001"), ExecutedQty: d("0"), AvgPrice: d("0"), UpdateTime: ms(1568879465650)},
			ExecType: "NEW", LastFillQty: d("0"), LastFillPrice: d("0"), Commission: d("0"), CommissionAsset: "USDT",
			RealizedPnL: d("0"),
		}},
		{file: "orderTradeUpdate_trade.json", want: exchange.OrderUpdate{
			EventMeta: exchange.EventMeta{Symbol: "TAOUSDT", ExchangeTime: ms(1700000000123), ReceiveTime: recvAt},
			Order: exchange.Order{Symbol: "TAOUSDT", ClientID: "tb-7f3a-entry", OrderID: 99001, Side: exchange.Buy,
				Type: exchange.Limit, TimeInForce: exchange.GTC, Status: exchange.StatusPartiallyFilled,
				Price: d("412.3"), Qty: d("3.5"), ExecutedQty: d("1.2"), AvgPrice: d("412.3"), UpdateTime: ms(1700000000120)},
			ExecType: "TRADE", LastFillQty: d("1.2"), LastFillPrice: d("412.3"), Commission: d("0.098912"),
			CommissionAsset: "USDT", RealizedPnL: d("0"), Maker: true, TradeID: 5550001,
		}},
		{file: "accountUpdate.json", want: exchange.AccountUpdate{
			// Hedge-mode legs (ps LONG/SHORT) are dropped; only the one-way BOTH entry stays.
			EventMeta: exchange.EventMeta{Symbol: "BTCUSDT", ExchangeTime: ms(1564745798939), ReceiveTime: recvAt},
			Reason:    "ORDER",
			Balances: []exchange.Balance{
				{Asset: "USDT", Wallet: d("122624.12345678"), CrossWallet: d("100.12345678"), BalanceChange: d("50.12345678"), UpdateTime: ms(1564745798939)},
				{Asset: "BUSD", Wallet: d("1"), CrossWallet: d("0"), BalanceChange: d("-49.12345678"), UpdateTime: ms(1564745798939)},
			},
			Positions: []exchange.Position{{Symbol: "BTCUSDT", Qty: d("0"), EntryPrice: d("0"), UnrealizedPnL: d("0"),
				MarginType: exchange.Isolated, IsolatedWallet: d("0"), UpdateTime: ms(1564745798939)}},
		}},
		{file: "accountUpdate_fundingFee.json", want: exchange.AccountUpdate{
			EventMeta: exchange.EventMeta{Symbol: "TAOUSDT", ExchangeTime: ms(1700006400005), ReceiveTime: recvAt},
			Reason:    "FUNDING_FEE",
			Balances: []exchange.Balance{{Asset: "USDT", Wallet: d("1000.476123"), CrossWallet: d("0"),
				BalanceChange: d("-0.144305"), UpdateTime: ms(1700006400005)}},
			Positions: []exchange.Position{{Symbol: "TAOUSDT", Qty: d("3.5"), EntryPrice: d("412.3"), UnrealizedPnL: d("-2.1"),
				MarginType: exchange.Isolated, IsolatedWallet: d("144.155695"), UpdateTime: ms(1700006400005)}},
		}},
		{file: "algoUpdate.json", want: exchange.AlgoUpdate{
			EventMeta: exchange.EventMeta{Symbol: "BNBUSDT", ExchangeTime: ms(1750515742303), ReceiveTime: recvAt},
			AlgoOrder: exchange.AlgoOrder{Symbol: "BNBUSDT", ClientAlgoID: "Q5xaq5EGKgXXa0fD7fs0Ip", AlgoID: 2148719,
				Side: exchange.Sell, Type: exchange.TakeProfit, Status: exchange.AlgoCanceled, TriggerPrice: d("750"),
				Qty: d("0.01"), WorkingType: exchange.ContractPriceTrigger, UpdateTime: ms(1750515742303)},
		}},
		{file: "listenKeyExpired.json", expired: true},
		{file: "listenKeyExpired_stringE.json", expired: true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m, err := decodeUser(readSample(t, tc.file), recvAt)
			if err != nil {
				t.Fatal(err)
			}
			if m.expired != tc.expired {
				t.Fatalf("expired = %v, want %v", m.expired, tc.expired)
			}
			if tc.want == nil {
				if m.event != nil {
					t.Fatalf("unexpected event %#v", m.event)
				}
				return
			}
			sameEvent(t, m.event, tc.want)
		})
	}
}

func TestFlexInt(t *testing.T) {
	for in, want := range map[string]int64{`123`: 123, `"1736996475556"`: 1736996475556, `""`: 0, `null`: 0} {
		var f flexInt
		if err := json.Unmarshal([]byte(in), &f); err != nil || int64(f) != want {
			t.Errorf("%s -> %d, %v; want %d", in, f, err, want)
		}
	}
	var f flexInt
	if err := json.Unmarshal([]byte(`"abc"`), &f); err == nil {
		t.Error("non-numeric string must fail")
	}
}
