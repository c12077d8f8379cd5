package binance

import (
	"testing"
	"time"
)

func TestEndpoints(t *testing.T) {
	tests := []struct {
		name         string
		net          Network
		rest, ws     string
		wantR, wantW string
		wantErr      bool
	}{
		{"mainnet", Mainnet, "", "", "https://fapi.binance.com", "wss://fstream.binance.com", false},
		{"empty is mainnet", "", "", "", "https://fapi.binance.com", "wss://fstream.binance.com", false},
		{"testnet", Testnet, "", "", "https://testnet.binancefuture.com", "wss://stream.binancefuture.com", false},
		{"custom", Custom, "http://127.0.0.1:9/", "ws://127.0.0.1:9", "http://127.0.0.1:9", "ws://127.0.0.1:9", false},
		{"custom needs ws", Custom, "http://127.0.0.1:9", "", "", "", true},
		{"mainnet refuses custom URL", Mainnet, "http://evil", "", "", "", true},
		{"unknown", "moon", "", "", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := Endpoints(tc.net, tc.rest, tc.ws)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if r != tc.wantR || w != tc.wantW {
				t.Fatalf("got %q %q, want %q %q", r, w, tc.wantR, tc.wantW)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	half := func() float64 { return 0.5 } // factor 0.75
	tests := []struct {
		n    int
		want time.Duration
	}{
		{0, 0},
		{1, 750 * time.Millisecond},  // 1s * 0.75
		{2, 1500 * time.Millisecond}, // 2s * 0.75
		{3, 3 * time.Second},         // 4s * 0.75
		{6, 6 * time.Second},         // capped at 8s, * 0.75
		{60, 6 * time.Second},
	}
	for _, tc := range tests {
		if got := backoff(tc.n, time.Second, 8*time.Second, half); got != tc.want {
			t.Errorf("backoff(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
	if got := backoff(1, time.Second, 8*time.Second, func() float64 { return 0 }); got != 500*time.Millisecond {
		t.Errorf("zero jitter = %v, want 500ms (floor is half the step)", got)
	}
}
