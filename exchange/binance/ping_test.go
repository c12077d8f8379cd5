package binance

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/taobot/taobot/exchange/fakeclock"
)

// TestPingAnswered: the server pings as Binance does every 3 minutes; the
// client must answer with a pong carrying the same payload.
func TestPingAnswered(t *testing.T) {
	pongs := make(chan string, 1)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/stream") {
			http.NotFound(w, r) // REST polls of open interest: not under test here
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.SetPongHandler(func(s string) error { pongs <- s; return nil })
		if err := c.WriteControl(websocket.PingMessage, []byte("are-you-there"), time.Now().Add(guard)); err != nil {
			return
		}
		for { // read to process the pong
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c, err := New(Options{Network: Custom, RESTURL: srv.URL, WSURL: "ws" + strings.TrimPrefix(srv.URL, "http"),
		Symbol: "TAOUSDT", Clock: fakeclock.New(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)), OIHistLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	runSource(t, c.MarketStream())
	select {
	case p := <-pongs:
		if p != "are-you-there" {
			t.Fatalf("pong payload %q", p)
		}
	case <-time.After(guard):
		t.Fatal("ping not answered")
	}
}
