package binancesim_test

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange/binancesim"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		spec string
		want binancesim.Periodic
		err  bool
	}{
		{"drop@30s", binancesim.Periodic{Every: 30 * time.Second, Fault: binancesim.Fault{Kind: binancesim.FaultDropStreams, Count: 1}}, false},
		{"stall@10m:30s", binancesim.Periodic{Every: 10 * time.Minute, Fault: binancesim.Fault{Kind: binancesim.FaultStall, Count: 1, Duration: 30 * time.Second}}, false},
		{"stall@10m", binancesim.Periodic{Every: 10 * time.Minute, Fault: binancesim.Fault{Kind: binancesim.FaultStall, Count: 1, Duration: 5 * time.Minute}}, false},
		{"malformed@1m:2", binancesim.Periodic{Every: time.Minute, Fault: binancesim.Fault{Kind: binancesim.FaultMalformed, Count: 2}}, false},
		{"429@15m:10s", binancesim.Periodic{Every: 15 * time.Minute, Fault: binancesim.Fault{Kind: binancesim.FaultRateLimit, Count: 1, Duration: 10 * time.Second}}, false},
		{"expire-listen-key@2h", binancesim.Periodic{Every: 2 * time.Hour, Fault: binancesim.Fault{Kind: binancesim.FaultExpireListenKey, Count: 1}}, false},
		{"boom@1m", binancesim.Periodic{}, true},
		{"drop", binancesim.Periodic{}, true},
		{"drop@soon", binancesim.Periodic{}, true},
		{"drop@1m:3", binancesim.Periodic{}, true},
		{"malformed@1m:0", binancesim.Periodic{}, true},
		{"stall@1m:x", binancesim.Periodic{}, true},
	}
	for _, tt := range tests {
		got, err := binancesim.ParseSchedule(tt.spec)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%q: got %+v, %v; want %+v (error %v)", tt.spec, got, err, tt.want, tt.err)
		}
	}
}

func TestScheduledFaultRepeats(t *testing.T) {
	s := flat(t, binancesim.Options{Step: time.Minute, ListenKeyTTL: 24 * time.Hour})
	p, err := binancesim.ParseSchedule("expire-listen-key@30m")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	c, x := client(s), ctx(t)
	for i := range 2 {
		key, err := c.NewStartUserStreamService().Do(x)
		if err != nil {
			t.Fatal(err)
		}
		us := dial(t, s, "/ws/"+key)
		s.Advance(30 * time.Minute)
		if e := us.nextUser(); string(e.Event) != "listenKeyExpired" {
			t.Fatalf("round %d: %+v", i, e)
		}
	}
}
