package risk

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// day1 is 2026-11-24; midnight is the UTC boundary to day 2.
func at(hh, mm, ss int, day2 bool) time.Time {
	dd := 24
	if day2 {
		dd = 25
	}
	return time.Date(2026, 11, dd, hh, mm, ss, 0, time.UTC)
}

var midnight = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func newLimits(t *testing.T, cfg LimitsConfig, kv KV) *Limits {
	t.Helper()
	l, err := NewLimits(cfg, kv)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func codes(dec Decision) []BlockCode {
	var out []BlockCode
	for _, b := range dec.Blocks {
		out = append(out, b.Code)
	}
	return out
}

// expect asserts the decision's block codes (none = allowed).
func expect(t *testing.T, what string, dec Decision, want ...BlockCode) {
	t.Helper()
	got := codes(dec)
	if len(got) != len(want) || dec.Allowed != (len(want) == 0) {
		t.Fatalf("%s: blocks %v (allowed %v), want %v", what, got, dec.Allowed, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: blocks %v, want %v", what, got, want)
		}
	}
}

func record(t *testing.T, l *Limits, now time.Time, pnl string, stopped bool) {
	t.Helper()
	if err := l.RecordClose(now, d(pnl), stopped); err != nil {
		t.Fatal(err)
	}
}

func TestDailyLossAcrossUTCDay(t *testing.T) {
	kv := NewMemKV()
	l := newLimits(t, LimitsConfig{DailyLossLimit: d("30")}, kv)
	record(t, l, at(22, 0, 0, false), "-20", false)
	expect(t, "10 left, trade risks 10", l.Check(at(22, 1, 0, false), EntryCheck{WorstLoss: d("10")}))
	expect(t, "10 left, trade risks 10.01", l.Check(at(22, 1, 0, false), EntryCheck{WorstLoss: d("10.01")}), BlockDailyLossHeadroom)
	record(t, l, at(23, 30, 0, false), "-15", true)
	dec := l.Check(at(23, 59, 59, false), EntryCheck{})
	expect(t, "35 lost at 23:59:59", dec, BlockDailyLoss)
	if !dec.Blocks[0].Until.Equal(midnight) || !strings.Contains(dec.Blocks[0].Message, "35 USDT") {
		t.Errorf("block = %+v, want until %s naming 35 USDT", dec.Blocks[0], midnight)
	}
	// A restart keeps the block: the state lives in the KV.
	l2 := newLimits(t, LimitsConfig{DailyLossLimit: d("30")}, kv)
	expect(t, "after restart", l2.Check(at(23, 59, 59, false), EntryCheck{}), BlockDailyLoss)
	expect(t, "new UTC day", l2.Check(midnight, EntryCheck{WorstLoss: d("30")}))
	if s := l2.Status(midnight); !s.RealizedToday.IsZero() {
		t.Errorf("realized on day 2 = %s, want 0", s.RealizedToday)
	}
	// Day 2 books from zero; profits do not lift headroom above the limit.
	record(t, l2, at(1, 0, 0, true), "50", false)
	expect(t, "profit day 2", l2.Check(at(1, 1, 0, true), EntryCheck{WorstLoss: d("30.5")}), BlockDailyLossHeadroom)
	if s := l2.Status(at(1, 1, 0, true)); !s.RealizedToday.Equal(d("50")) {
		t.Errorf("realized day 2 = %s, want 50", s.RealizedToday)
	}
}

// A close stamped before midnight but booked after a loss of the new day
// must not wipe the new day's total.
func TestLateCloseDoesNotResetTheNewDay(t *testing.T) {
	l := newLimits(t, LimitsConfig{DailyLossLimit: d("30")}, NewMemKV())
	record(t, l, at(0, 0, 5, true), "-25", false)
	record(t, l, at(23, 59, 58, false), "-4", false)
	if s := l.Status(at(0, 1, 0, true)); !s.RealizedToday.Equal(d("-25")) {
		t.Fatalf("realized today = %s, want -25", s.RealizedToday)
	}
	record(t, l, at(0, 2, 0, true), "-5", false)
	expect(t, "30 lost on day 2", l.Check(at(0, 3, 0, true), EntryCheck{}), BlockDailyLoss)
}

func TestCooldownAfterStopAcrossUTCDay(t *testing.T) {
	l := newLimits(t, LimitsConfig{CooldownAfterStop: 30 * time.Minute}, NewMemKV())
	record(t, l, at(23, 40, 0, false), "-5", false) // not a stop-out: no cooldown
	expect(t, "loss without stop", l.Check(at(23, 41, 0, false), EntryCheck{}))
	record(t, l, at(23, 50, 0, false), "-5", true)
	dec := l.Check(at(0, 19, 59, true), EntryCheck{})
	expect(t, "00:19:59", dec, BlockCooldown)
	if want := at(0, 20, 0, true); !dec.Blocks[0].Until.Equal(want) {
		t.Errorf("until %s, want %s", dec.Blocks[0].Until, want)
	}
	expect(t, "00:20", l.Check(at(0, 20, 0, true), EntryCheck{}))
}

func TestConsecutiveLossBrakeAcrossUTCDay(t *testing.T) {
	l := newLimits(t, LimitsConfig{MaxConsecutiveLosses: 3}, NewMemKV())
	record(t, l, at(20, 0, 0, false), "-1", false)
	record(t, l, at(20, 30, 0, false), "-1", false)
	record(t, l, at(21, 0, 0, false), "2", false) // a win resets the run
	record(t, l, at(21, 30, 0, false), "-1", false)
	record(t, l, at(22, 0, 0, false), "-1", false)
	expect(t, "two in a row", l.Check(at(22, 1, 0, false), EntryCheck{}))
	record(t, l, at(22, 30, 0, false), "-1", false)
	expect(t, "third loss", l.Check(at(23, 59, 59, false), EntryCheck{}), BlockLossBrake)
	expect(t, "next UTC day", l.Check(midnight, EntryCheck{}))
	if s := l.Status(midnight); s.ConsecutiveLosses != 0 {
		t.Errorf("run after brake = %d, want 0", s.ConsecutiveLosses)
	}

	// With a pause the brake is a duration, across midnight all the same.
	l = newLimits(t, LimitsConfig{MaxConsecutiveLosses: 2, LossBrakePause: 2 * time.Hour}, NewMemKV())
	record(t, l, at(22, 0, 0, false), "-1", false)
	record(t, l, at(23, 0, 0, false), "-1", false)
	expect(t, "00:59:59", l.Check(at(0, 59, 59, true), EntryCheck{}), BlockLossBrake)
	expect(t, "01:00", l.Check(at(1, 0, 0, true), EntryCheck{}))
}

func TestNewsBlackoutAcrossUTCDay(t *testing.T) {
	w := Blackout{At: at(0, 10, 0, true), Before: 30 * time.Minute, After: 15 * time.Minute, Label: "FOMC"}
	l := newLimits(t, LimitsConfig{Blackouts: []Blackout{w}}, NewMemKV())
	for _, c := range []struct {
		now     time.Time
		blocked bool
	}{
		{at(23, 39, 59, false), false},
		{at(23, 40, 0, false), true},
		{midnight, true},
		{at(0, 24, 59, true), true},
		{at(0, 25, 0, true), false},
	} {
		dec := l.Check(c.now, EntryCheck{})
		if c.blocked {
			expect(t, c.now.String(), dec, BlockBlackout)
			if !strings.Contains(dec.Blocks[0].Message, "FOMC") || !dec.Blocks[0].Until.Equal(at(0, 25, 0, true)) {
				t.Errorf("block %+v", dec.Blocks[0])
			}
		} else {
			expect(t, c.now.String(), dec)
		}
	}
}

func TestExposureLimitsAcrossUTCDay(t *testing.T) {
	l := newLimits(t, LimitsConfig{MaxOpenPositions: 1, MaxPositionNotional: d("2000")}, NewMemKV())
	for _, now := range []time.Time{at(23, 59, 0, false), at(0, 1, 0, true)} {
		expect(t, "flat, 2000", l.Check(now, EntryCheck{Notional: d("2000")}))
		expect(t, "one open", l.Check(now, EntryCheck{OpenPositions: 1, Notional: d("100")}), BlockOpenPositions)
		expect(t, "2000.01", l.Check(now, EntryCheck{Notional: d("2000.01")}), BlockNotional)
		expect(t, "both", l.Check(now, EntryCheck{OpenPositions: 2, Notional: d("5000")}), BlockOpenPositions, BlockNotional)
	}
}

func TestKillSwitchProgrammatic(t *testing.T) {
	kv := NewMemKV()
	l := newLimits(t, LimitsConfig{}, kv)
	if err := l.Engage(at(23, 0, 0, false), true, "operator"); err != nil {
		t.Fatal(err)
	}
	dec := l.Check(at(23, 1, 0, false), EntryCheck{})
	expect(t, "engaged", dec, BlockKillSwitch)
	if !dec.Flatten || !strings.Contains(dec.Err().Error(), "operator") {
		t.Errorf("flatten %v err %v", dec.Flatten, dec.Err())
	}
	// Survives a restart and the UTC day.
	l = newLimits(t, LimitsConfig{}, kv)
	expect(t, "day 2 after restart", l.Check(at(9, 0, 0, true), EntryCheck{}), BlockKillSwitch)
	if err := l.Release(at(9, 1, 0, true)); err != nil {
		t.Fatal(err)
	}
	dec = l.Check(at(9, 2, 0, true), EntryCheck{})
	expect(t, "released", dec)
	if dec.Flatten || dec.Err() != nil {
		t.Errorf("released: flatten %v err %v", dec.Flatten, dec.Err())
	}
}

func TestKillSwitchFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "taobot.kill")
	l := newLimits(t, LimitsConfig{KillSwitchFile: path}, NewMemKV())
	now := at(12, 0, 0, false)
	expect(t, "no file", l.Check(now, EntryCheck{}))
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dec := l.Check(now, EntryCheck{})
	expect(t, "empty file", dec, BlockKillSwitch)
	if dec.Flatten {
		t.Error("empty file must not flatten")
	}
	if err := os.WriteFile(path, []byte("FLATTEN now\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if dec := l.Check(now, EntryCheck{}); !dec.Flatten {
		t.Error("file saying flatten: want Flatten")
	}
	// Release does not remove an operator's file.
	if err := l.Release(now); err != nil {
		t.Fatal(err)
	}
	expect(t, "released but file present", l.Check(now, EntryCheck{}), BlockKillSwitch)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	expect(t, "file removed", l.Check(now, EntryCheck{}))
	// Unreadable is treated as engaged.
	l.readFile = func(string) ([]byte, error) { return nil, fs.ErrPermission }
	expect(t, "unreadable", l.Check(now, EntryCheck{}), BlockKillSwitch)
}

type failKV struct{ getErr, putErr error }

func (f failKV) KVGet(string) ([]byte, bool, error) { return []byte("{"), f.getErr == nil, f.getErr }
func (f failKV) KVPut(string, []byte) error         { return f.putErr }

func TestLimitsStoreErrors(t *testing.T) {
	boom := errors.New("disk full")
	if _, err := NewLimits(LimitsConfig{}, failKV{getErr: boom}); !errors.Is(err, boom) {
		t.Errorf("get error: %v", err)
	}
	if _, err := NewLimits(LimitsConfig{}, failKV{}); err == nil {
		t.Error("corrupt state: want error")
	}
	if _, err := NewLimits(LimitsConfig{DailyLossLimit: d("-1")}, NewMemKV()); err == nil {
		t.Error("negative limit: want error")
	}
	l := newLimits(t, LimitsConfig{DailyLossLimit: d("10")}, NewMemKV())
	l.kv = failKV{putErr: boom}
	if err := l.RecordClose(at(1, 0, 0, false), d("-10"), false); !errors.Is(err, boom) {
		t.Errorf("put error: %v", err)
	}
	// The running process still obeys what it was told.
	expect(t, "after failed persist", l.Check(at(1, 1, 0, false), EntryCheck{}), BlockDailyLoss)
}
