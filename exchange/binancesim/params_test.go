package binancesim_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/taobot/taobot/exchange/binancesim"
)

// A garbled or missing parameter is answered like Binance (HTTP 400, -1100
// illegal characters / -1102 mandatory parameter missing), never read as 0.
func TestGarbledParametersAreRejected(t *testing.T) {
	s := flat(t, binancesim.Options{})
	signedCases := []struct {
		method, path string
		params       url.Values
		code         int
	}{
		{http.MethodGet, "/fapi/v1/order", url.Values{"symbol": {"TAOUSDT"}, "orderId": {"12x"}}, -1100},
		{http.MethodDelete, "/fapi/v1/order", url.Values{"symbol": {"TAOUSDT"}, "orderId": {"x"}}, -1100},
		{http.MethodGet, "/fapi/v1/algoOrder", url.Values{"algoId": {"1e3"}}, -1100},
		{http.MethodGet, "/fapi/v1/userTrades", url.Values{"symbol": {"TAOUSDT"}, "orderId": {"abc"}}, -1100},
		{http.MethodGet, "/fapi/v1/userTrades", url.Values{"symbol": {"TAOUSDT"}, "fromId": {"1.5"}}, -1100},
		{http.MethodGet, "/fapi/v1/userTrades", url.Values{"symbol": {"TAOUSDT"}, "recvWindow": {"5s"}}, -1100},
		{http.MethodPost, "/fapi/v1/leverage", url.Values{"symbol": {"TAOUSDT"}}, -1102},
		{http.MethodPost, "/fapi/v1/leverage", url.Values{"symbol": {"TAOUSDT"}, "leverage": {"ten"}}, -1100},
	}
	for _, c := range signedCases {
		st, b := signed(t, s, c.method, c.path, c.params)
		if code, msg := binanceErr(t, b); st != 400 || code != c.code {
			t.Errorf("%s %s %v: %d %d %s, want 400 %d", c.method, c.path, c.params, st, code, msg, c.code)
		}
	}
	for _, raw := range []string{
		"/fapi/v1/depth?symbol=TAOUSDT&limit=abc",
		"/fapi/v1/klines?symbol=TAOUSDT&interval=1m&limit=abc",
		"/fapi/v1/depth?symbol=TAOUSDT&limit=%zz", // not even URL encoding
	} {
		resp, err := http.Get(s.RESTURL + raw)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if code, msg := binanceErr(t, b); resp.StatusCode != 400 || code != -1100 {
			t.Errorf("GET %s: %d %d %s, want 400 -1100", raw, resp.StatusCode, code, msg)
		}
	}
}
