package binancesim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange/binancesim"
)

func TestSignatureAndTimestampErrors(t *testing.T) {
	s := flat(t, binancesim.Options{Seed: 1})
	x := ctx(t)
	tests := []struct {
		name   string
		client func() *futures.Client
		code   int64
	}{
		{"good", func() *futures.Client { return client(s) }, 0},
		{"wrong secret", func() *futures.Client {
			c := futures.NewClient(s.APIKey, "not-the-secret")
			c.BaseURL = s.RESTURL
			return c
		}, -1022},
		{"wrong key", func() *futures.Client {
			c := futures.NewClient("not-the-key", s.APISecret)
			c.BaseURL = s.RESTURL
			return c
		}, -2015},
		// go-binance sends time.Now() - TimeOffset: 10s behind is outside recvWindow 5000.
		{"timestamp 10s behind", func() *futures.Client { c := client(s); c.TimeOffset = 10_000; return c }, -1021},
		{"timestamp 2s ahead", func() *futures.Client { c := client(s); c.TimeOffset = -2_000; return c }, -1021},
		{"timestamp 3s behind is inside recvWindow", func() *futures.Client { c := client(s); c.TimeOffset = 3_000; return c }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client().NewGetBalanceService().Do(x)
			if got := apiCode(err); got != tt.code {
				t.Fatalf("code %d (%v), want %d", got, err, tt.code)
			}
		})
	}
	// recvWindow is honoured: 10s behind with a 15s window passes.
	c := client(s)
	c.TimeOffset = 10_000
	if _, err := c.NewGetBalanceService().Do(x, futures.WithRecvWindow(15000)); err != nil {
		t.Fatalf("recvWindow 15000: %v", err)
	}
	// No API key at all: -2014 with HTTP 401.
	resp, err := http.Get(s.RESTURL + "/fapi/v2/balance?timestamp=1&signature=00")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no key: status %d, want 401", resp.StatusCode)
	}
}

func TestClockSkewFaultAndResync(t *testing.T) {
	s := flat(t, binancesim.Options{})
	c, x := client(s), ctx(t)
	if err := s.InjectFault(binancesim.Fault{Kind: binancesim.FaultClockSkew, Duration: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewGetBalanceService().Do(x); apiCode(err) != -1021 {
		t.Fatalf("with skew: want -1021, got %v", err)
	}
	off, err := c.NewSetServerTimeService().Do(x)
	if err != nil {
		t.Fatal(err)
	}
	// The server is 30s ahead, so the client's offset is about -30s.
	if off > -29_000 || off < -31_000 {
		t.Fatalf("measured offset %d ms, want about -30000", off)
	}
	if _, err := c.NewGetBalanceService().Do(x); err != nil {
		t.Fatalf("after resync: %v", err)
	}
}
