package binancesim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/common"
	"github.com/adshao/go-binance/v2/futures"
	"github.com/gorilla/websocket"

	"github.com/taobot/taobot/exchange/binancesim"
	"github.com/taobot/taobot/exchange/fakeclock"
)

func inject(t *testing.T, s *binancesim.Sim, f binancesim.Fault) {
	t.Helper()
	if err := s.InjectFault(f); err != nil {
		t.Fatal(err)
	}
}

// closed reports whether the connection ends (a read error other than the
// guard's timeout); frames still in flight before the end are skipped.
func (w *wsConn) closed() bool {
	_ = w.c.SetReadDeadline(time.Now().Add(guard))
	for {
		if _, _, err := w.c.ReadMessage(); err != nil {
			return !strings.Contains(err.Error(), "timeout")
		}
	}
}

func TestDropFaults(t *testing.T) {
	s := flat(t, binancesim.Options{})
	ws := dial(t, s, "/ws/taousdt@markPrice@1s")
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultDropStreams})
	if !ws.closed() {
		t.Fatal("FaultDropStreams left the connection open")
	}
	if s.Connections() != 0 {
		t.Fatalf("%d connections after the drop", s.Connections())
	}

	inject(t, s, binancesim.Fault{Kind: binancesim.FaultDropEvery, Duration: 10 * time.Second})
	ws = dial(t, s, "/ws/taousdt@markPrice@1s")
	s.Advance(9 * time.Second)
	for range 9 {
		ws.next() // nine mark prices, still connected
	}
	s.Advance(time.Second)
	if !ws.closed() {
		t.Fatal("FaultDropEvery did not drop after 10s of sim time")
	}
}

func TestConnectionLifetime(t *testing.T) {
	s := flat(t, binancesim.Options{ConnLifetime: time.Hour, Step: time.Minute})
	ws := dial(t, s, "/ws/taousdt@forceOrder")
	s.Advance(time.Hour)
	if !ws.closed() {
		t.Fatal("connection outlived ConnLifetime")
	}
}

func TestStallWithholdsOneStream(t *testing.T) {
	s := flat(t, binancesim.Options{})
	ws := dial(t, s, "/stream?streams=taousdt@bookTicker/taousdt@markPrice@1s")
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultStall, Stream: "taousdt@bookTicker", Duration: 5 * time.Second})
	s.Advance(7 * time.Second)
	stallEnd := time.Date(2026, 1, 5, 0, 0, 5, 0, time.UTC).UnixMilli()
	marks := 0
	for {
		name, data := combined(t, ws.next())
		if name == "taousdt@markPrice@1s" {
			marks++
			continue
		}
		var e futures.WsBookTickerEvent
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		if e.Time < stallEnd {
			t.Fatalf("bookTicker at %d during the stall (ends %d)", e.Time, stallEnd)
		}
		break
	}
	if marks < 4 {
		t.Fatalf("only %d mark prices while bookTicker stalled", marks)
	}
}

func TestFrameFaults(t *testing.T) {
	s := flat(t, binancesim.Options{})
	ws := dial(t, s, "/ws/taousdt@markPrice@1s")
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultMalformed, Count: 1})
	s.Advance(time.Second)
	if bad := ws.next(); json.Valid(bad) {
		t.Fatalf("malformed frame is valid JSON: %s", bad)
	}
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultDuplicate, Count: 1})
	s.Advance(time.Second)
	if a, b := ws.next(), ws.next(); !bytes.Equal(a, b) {
		t.Fatalf("duplicate: %s then %s", a, b)
	}
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultReorder, Count: 1})
	s.Advance(2 * time.Second)
	var first, second futures.WsMarkPriceEvent
	if err := json.Unmarshal(ws.next(), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ws.next(), &second); err != nil {
		t.Fatal(err)
	}
	if first.Time <= second.Time {
		t.Fatalf("reorder: %d then %d", first.Time, second.Time)
	}
	s.Advance(time.Second)
	var next futures.WsMarkPriceEvent
	if err := json.Unmarshal(ws.next(), &next); err != nil || next.Time != first.Time+1000 {
		t.Fatalf("after the fault frames flow in order again: %+v %v", next, err)
	}
}

func TestHTTPFaults(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)

	inject(t, s, binancesim.Fault{Kind: binancesim.FaultHTTPError, Count: 2, Status: 502})
	for range 2 {
		err := c.NewPingService().Do(x)
		var ae *common.APIError
		if err == nil || !strings.Contains(err.Error(), "-1000") {
			t.Fatalf("want a 502 with -1000, got %v (%v)", err, ae)
		}
	}
	if err := c.NewPingService().Do(x); err != nil {
		t.Fatalf("third ping: %v", err)
	}

	// 503 after the order took effect: the outcome is unknown to the client, the order exists.
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultUnknownAfterAccept, Count: 1})
	_, err := c.NewCreateOrderService().Symbol("TAOUSDT").Side(futures.SideTypeBuy).Type(futures.OrderTypeMarket).Quantity("1").NewClientOrderID("maybe").Do(x)
	if apiCode(err) != -1000 || !strings.Contains(err.Error(), "Unknown error") {
		t.Fatalf("want 503 unknown error, got %v", err)
	}
	o, err := c.NewGetOrderService().Symbol("TAOUSDT").OrigClientOrderID("maybe").Do(x)
	if err != nil || o.Status != futures.OrderStatusTypeFilled {
		t.Fatalf("the order behind the 503: %+v %v", o, err)
	}
	if n := s.Account().Received; n != 1 {
		t.Fatalf("received %d orders, want 1", n)
	}
}

func TestOrderCountHeader(t *testing.T) {
	s := flat(t, binancesim.Options{})
	order := url.Values{"symbol": {"TAOUSDT"}, "side": {"BUY"}, "type": {"MARKET"}, "quantity": {"0.001"}}
	for _, want := range []string{"1", "2"} {
		st, _, h := signedFull(t, s, "POST", "/fapi/v1/order", order) // refused (MIN_NOTIONAL), still counted
		if st != 400 || h.Get("X-MBX-ORDER-COUNT-1M") != want {
			t.Fatalf("status %d, X-MBX-ORDER-COUNT-1M %q, want %s", st, h.Get("X-MBX-ORDER-COUNT-1M"), want)
		}
	}
	s.Advance(time.Minute)
	if _, _, h := signedFull(t, s, "POST", "/fapi/v1/order", order); h.Get("X-MBX-ORDER-COUNT-1M") != "1" {
		t.Fatalf("a new minute: %q", h.Get("X-MBX-ORDER-COUNT-1M"))
	}
	if _, _, h := signedFull(t, s, "GET", "/fapi/v2/balance", nil); h.Get("X-MBX-ORDER-COUNT-1M") != "" {
		t.Fatal("order count on a balance query")
	}
}

func TestRateLimit429Then418(t *testing.T) {
	s := flat(t, binancesim.Options{WeightLimit: 3})
	get := func() *http.Response {
		resp, err := http.Get(s.RESTURL + "/fapi/v1/ping")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp
	}
	for i := range 3 {
		if r := get(); r.StatusCode != 200 || r.Header.Get("X-MBX-USED-WEIGHT-1M") != []string{"1", "2", "3"}[i] {
			t.Fatalf("request %d: %d weight %s", i, r.StatusCode, r.Header.Get("X-MBX-USED-WEIGHT-1M"))
		}
	}
	s.Advance(20 * time.Second)
	r := get()
	if r.StatusCode != 429 || r.Header.Get("Retry-After") != "40" {
		t.Fatalf("over the limit: %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// Ignoring Retry-After earns a ban.
	if r := get(); r.StatusCode != 418 || r.Header.Get("Retry-After") != "120" {
		t.Fatalf("hammering: %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	s.Advance(time.Minute)
	if r := get(); r.StatusCode != 418 {
		t.Fatalf("still banned: %d", r.StatusCode)
	}
	s.Advance(time.Minute)
	if r := get(); r.StatusCode != 200 {
		t.Fatalf("after the ban: %d", r.StatusCode)
	}

	// The fault: 429 at once; waiting out Retry-After avoids the ban.
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultRateLimit, Count: 1, Duration: 10 * time.Second})
	if r := get(); r.StatusCode != 429 || r.Header.Get("Retry-After") != "10" {
		t.Fatalf("fault 429: %d %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	s.Advance(10 * time.Second)
	if r := get(); r.StatusCode != 200 {
		t.Fatalf("after Retry-After: %d", r.StatusCode)
	}
}

func TestListenKeyExpiry(t *testing.T) {
	s := flat(t, binancesim.Options{Step: time.Minute})
	c, x := client(s), ctx(t)
	key, err := c.NewStartUserStreamService().Do(x)
	if err != nil {
		t.Fatal(err)
	}
	us := dial(t, s, "/ws/"+key)
	s.Advance(59 * time.Minute)
	if err := c.NewKeepaliveUserStreamService().ListenKey(key).Do(x); err != nil {
		t.Fatalf("keepalive before expiry: %v", err)
	}
	s.Advance(59 * time.Minute) // kept alive: still valid
	s.Advance(2 * time.Minute)  // now past 60m since the keepalive
	e := us.nextUser()
	if e.Event != futures.UserDataEventTypeListenKeyExpired || e.Time != time.Date(2026, 1, 5, 1, 59, 0, 0, time.UTC).UnixMilli() {
		t.Fatalf("want listenKeyExpired at 01:59, got %+v", e)
	}
	if err := c.NewKeepaliveUserStreamService().ListenKey(key).Do(x); apiCode(err) != -1125 {
		t.Fatalf("keepalive after expiry: want -1125, got %v", err)
	}
	// A new key works; the fault expires it at once.
	key2, err := c.NewStartUserStreamService().Do(x)
	if err != nil || key2 == key {
		t.Fatalf("new key %q (old %q): %v", key2, key, err)
	}
	us2 := dial(t, s, "/ws/"+key2)
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultExpireListenKey})
	if e := us2.nextUser(); e.Event != futures.UserDataEventTypeListenKeyExpired {
		t.Fatalf("fault: %+v", e)
	}
}

// waitPending waits (guard-bounded) until fc has n live timers: a goroutine armed one.
func waitPending(t *testing.T, fc *fakeclock.Clock, n int, what string) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for fc.Pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d timers armed, want %d", what, fc.Pending(), n)
		}
		time.Sleep(time.Millisecond) // failure guard only: waits for a goroutine, not for time
	}
}

func TestDelayFaultWaitsOnTheInjectedWallClock(t *testing.T) {
	fc := fakeclock.New(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	s := flat(t, binancesim.Options{Wall: fc})
	c, x := client(s), ctx(t)
	waitPending(t, fc, 1, "ping loop")
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultDelay, Duration: 30 * time.Second})
	done := make(chan error, 1)
	go func() { done <- c.NewPingService().Do(x) }()
	waitPending(t, fc, 2, "delayed request") // the request is parked on the fake clock
	fc.Advance(29 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("reply before the delay ran out: %v", err)
	default:
	}
	fc.Advance(time.Second)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(guard):
		t.Fatal("no reply after the delay")
	}
	inject(t, s, binancesim.Fault{Kind: binancesim.FaultDelay})
	if err := c.NewPingService().Do(x); err != nil {
		t.Fatalf("undelayed ping: %v", err)
	}
}

func TestServerPings(t *testing.T) {
	fc := fakeclock.New(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	s := flat(t, binancesim.Options{Wall: fc, PingInterval: 3 * time.Minute})
	c, resp, err := websocket.DefaultDialer.Dial(s.WSURL+"/ws/taousdt@aggTrade", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	defer c.Close()
	pinged := make(chan string, 1)
	c.SetPingHandler(func(data string) error {
		select {
		case pinged <- data:
		default:
		}
		return nil
	})
	frames := make(chan []byte, 1)
	done := make(chan struct{})
	defer close(done) // runs before c.Close: the reader stops even if it holds an unread frame
	go func() {
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			select {
			case frames <- b:
			case <-done:
				return
			}
		}
	}()
	// A request/reply round trip proves the server finished setting the connection up.
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"method":"LIST_SUBSCRIPTIONS","id":7}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-frames:
		if string(b) != `{"id":7,"result":["taousdt@aggTrade"]}` {
			t.Fatalf("LIST_SUBSCRIPTIONS reply %s", b)
		}
	case <-time.After(guard):
		t.Fatal("no reply to LIST_SUBSCRIPTIONS")
	}
	waitPending(t, fc, 1, "ping loop") // the ping loop arms its ticker when Serve starts
	fc.Advance(3 * time.Minute)
	select {
	case <-pinged:
	case <-time.After(guard):
		t.Fatal("no ping after PingInterval")
	}
}

func TestRealTimeClockRunsAtSpeed(t *testing.T) {
	fc := fakeclock.New(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	s := flat(t, binancesim.Options{Wall: fc, Speed: 60})
	ws := dial(t, s, "/ws/taousdt@markPrice@1s")
	deadline := time.Now().Add(guard)
	for fc.Pending() < 2 { // the ping loop's and the real-time loop's tickers
		if time.Now().After(deadline) {
			t.Fatal("real-time loop never started")
		}
		time.Sleep(time.Millisecond) // failure guard only: waits for a goroutine, not for time
	}
	fc.Advance(time.Second) // one wall second at 60x: one sim minute
	want := time.Date(2026, 1, 5, 0, 1, 0, 0, time.UTC).UnixMilli()
	for {
		var e futures.WsMarkPriceEvent
		if err := json.Unmarshal(ws.next(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Time == want {
			break
		}
		if e.Time > want {
			t.Fatalf("sim ran past one minute: %d", e.Time)
		}
	}
	if got := s.Now(); !got.Equal(time.Date(2026, 1, 5, 0, 1, 0, 0, time.UTC)) {
		t.Fatalf("sim clock %s", got)
	}
}
