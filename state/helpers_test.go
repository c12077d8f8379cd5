package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// openTemp opens a fresh store in t.TempDir and closes it at cleanup.
func openTemp(t *testing.T, o Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "taobot.db")
	s, err := OpenWithOptions(path, o)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// t0 is a fixed time with nanoseconds, so encodings must keep them.
var t0 = time.Date(2026, 11, 24, 9, 30, 15, 123456789, time.UTC)

func sampleIntent(id string) Intent {
	return Intent{
		ID: id, SignalID: "sig-1", Symbol: "TAOUSDT", Direction: exchange.Long, EntryType: exchange.Limit,
		EntryPrice: dec("402.123456789012345678"), Stop: dec("380.05"), Target: dec("440.1"), Qty: dec("1.234"),
		Leverage: 7,
		Legs: []Leg{{Name: LegStop, ClientID: id + "-s", Kind: KindAlgo, Side: exchange.Sell, Type: exchange.StopMarket,
			Price: dec("380.05"), Qty: dec("1.234"), State: LegOpen, ExchangeID: 9876543210}},
		Status: IntentActive, CreatedAt: t0, UpdatedAt: t0.Add(time.Second), Notes: "adopted after restart",
		RiskUSDT: dec("35.5"),
	}
}

func sampleOrder(clientID string) OrderRecord {
	return OrderRecord{
		ClientID: clientID, ExchangeID: 123456789012, IntentID: "tb-1", Leg: LegEntry, Kind: KindRegular,
		Symbol: "TAOUSDT", Side: exchange.Buy, Type: exchange.Limit, Status: string(exchange.StatusPartiallyFilled),
		Price: dec("401.5"), StopPrice: dec("0.000000000000000001"), AvgPrice: dec("401.49999999"), Qty: dec("2"),
		ExecutedQty: dec("0.7"), ReduceOnly: true, CreatedAt: t0, UpdatedAt: t0.Add(time.Millisecond),
	}
}

func sampleFill(tradeID int64, at time.Time) Fill {
	return Fill{
		TradeID: tradeID, ClientID: "tb-1-e", OrderID: 55, Symbol: "TAOUSDT", Side: exchange.Buy,
		Price: dec("401.49"), Qty: dec("0.7"), Fee: dec("0.11241720"), FeeAsset: "USDT",
		RealizedPnL: dec("-3.5"), Maker: true, Time: at,
	}
}

func samplePosition(id string) PositionRecord {
	return PositionRecord{
		ID: id, IntentID: id, Symbol: "TAOUSDT", Direction: exchange.Short, Qty: dec("3.3"),
		EntryPrice: dec("410.25"), ExitPrice: dec("399.75"), Stop: dec("420"), Target: dec("395"),
		Fees: dec("0.5412"), Funding: dec("-0.0123456789"), RealizedPnL: dec("34.1"), RiskUSDT: dec("35"),
		R: dec("0.9742857142857143"), OpenedAt: t0, ClosedAt: t0.Add(time.Hour),
		EnteredQty: dec("3.3"), ClosedQty: dec("3.3"), ExitReason: "target",
	}
}

func sampleSignal(id string, at time.Time) SignalRecord {
	return SignalRecord{
		ID: id, Time: at, Symbol: "TAOUSDT", Direction: exchange.Long, Entry: dec("400"), Stop: dec("390.1"),
		Target: dec("430.9"), Cluster: "short liqs 428-432, peak 431", Features: map[string]string{"momentum": "0.8"},
		Reason: "price accelerates into a dense short cluster", Plan: json.RawMessage(`{"qty":"1.5"}`),
		Rejection: json.RawMessage(`{"reason":"none"}`), Mode: "dry-run",
	}
}

// requireAllSet fails when a field of v is zero, so a new field cannot
// escape the round-trip tests.
func requireAllSet(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := 0; i < rv.NumField(); i++ {
		if rv.Field(i).IsZero() {
			t.Errorf("%T fixture leaves %s zero; set it so the round trip covers it", v, rv.Type().Field(i).Name)
		}
	}
}

var (
	decType  = reflect.TypeOf(decimal.Decimal{})
	timeType = reflect.TypeOf(time.Time{})
)

// same compares records exactly: decimals by value, times by instant.
func same(a, b reflect.Value) bool {
	switch {
	case a.Type() == decType:
		return a.Interface().(decimal.Decimal).Equal(b.Interface().(decimal.Decimal))
	case a.Type() == timeType:
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func requireSame(t *testing.T, got, want any) {
	t.Helper()
	if !same(reflect.ValueOf(got), reflect.ValueOf(want)) {
		t.Fatalf("round trip changed the record:\n got %+v\nwant %+v", got, want)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
