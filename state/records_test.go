package state

import (
	"errors"
	"testing"
	"time"
)

func TestRoundTripEveryTable(t *testing.T) {
	s, path := openTemp(t, Options{})
	in, ord, fill, pos, sig := sampleIntent("tb-1"), sampleOrder("tb-1-e"), sampleFill(777, t0), samplePosition("tb-1"), sampleSignal("sig-1", t0)
	snap := MapSnapshot{Time: t0, Version: 3, Data: []byte{0, 1, 2, 255}}
	for _, v := range []any{in, in.Legs[0], ord, fill, pos, sig, snap} {
		requireAllSet(t, v)
	}
	if err := s.Update(func(tx *Tx) error {
		return errors.Join(tx.Intents().Put(in), tx.Orders().Put(ord), tx.Fills().Put(fill),
			tx.Positions().Put(pos), tx.Signals().Put(sig), tx.Snapshots().Put(snap), tx.KVPut("paper", []byte(`{"usdt":"1000.5"}`)))
	}); err != nil {
		t.Fatal(err)
	}
	// Reopen so the values come from the file, not a cache.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	gotIn, ok, err := s.Intent("tb-1")
	if err != nil || !ok {
		t.Fatalf("intent: ok=%v err=%v", ok, err)
	}
	requireSame(t, gotIn, in)
	if got := gotIn.EntryPrice.String(); got != "402.123456789012345678" {
		t.Errorf("entry price = %s, want the exact 402.123456789012345678", got)
	}
	gotOrd, ok, err := s.Order("tb-1-e")
	if err != nil || !ok {
		t.Fatalf("order: ok=%v err=%v", ok, err)
	}
	requireSame(t, gotOrd, ord)
	if got := gotOrd.StopPrice.String(); got != "0.000000000000000001" {
		t.Errorf("stop price = %s, want 0.000000000000000001", got)
	}
	fills, err := s.Fills(time.Time{}, time.Time{})
	if err != nil || len(fills) != 1 {
		t.Fatalf("fills = %v, %v", fills, err)
	}
	requireSame(t, fills[0], fill)
	poss, err := s.Positions()
	if err != nil || len(poss) != 1 {
		t.Fatalf("positions = %v, %v", poss, err)
	}
	requireSame(t, poss[0], pos)
	if got := poss[0].Funding.String(); got != "-0.0123456789" {
		t.Errorf("funding = %s, want -0.0123456789", got)
	}
	sigs, err := s.Signals(time.Time{}, time.Time{})
	if err != nil || len(sigs) != 1 {
		t.Fatalf("signals = %v, %v", sigs, err)
	}
	requireSame(t, sigs[0], sig)
	gotSnap, ok, err := s.LatestSnapshot()
	if err != nil || !ok {
		t.Fatalf("snapshot: ok=%v err=%v", ok, err)
	}
	requireSame(t, gotSnap, snap)
	v, ok, err := s.KVGet("paper")
	if err != nil || !ok || string(v) != `{"usdt":"1000.5"}` {
		t.Fatalf("kv = %q ok=%v err=%v", v, ok, err)
	}
}

func TestGetMissing(t *testing.T) {
	s, _ := openTemp(t, Options{})
	if _, ok, err := s.Intent("nope"); ok || err != nil {
		t.Errorf("Intent(nope) ok=%v err=%v, want absent", ok, err)
	}
	if _, ok, err := s.KVGet("nope"); ok || err != nil {
		t.Errorf("KVGet(nope) ok=%v err=%v, want absent", ok, err)
	}
	if _, ok, err := s.LatestSnapshot(); ok || err != nil {
		t.Errorf("LatestSnapshot ok=%v err=%v, want none", ok, err)
	}
}

func TestKV(t *testing.T) {
	s, _ := openTemp(t, Options{})
	steps := []struct {
		key, put string
	}{{"a", "1"}, {"a", "2"}, {"empty", ""}}
	for _, st := range steps {
		if err := s.KVPut(st.key, []byte(st.put)); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.KVGet(st.key)
		if err != nil || !ok || string(got) != st.put {
			t.Errorf("after KVPut(%q, %q): got %q ok=%v err=%v", st.key, st.put, got, ok, err)
		}
	}
	if err := s.KVPut("", []byte("x")); err == nil {
		t.Error("KVPut with an empty key succeeded")
	}
	if err := s.Update(func(tx *Tx) error { return tx.KVDelete("a") }); err != nil {
		t.Fatal(err)
	}
	var keys []string
	_ = s.View(func(tx *Tx) error { keys = tx.KVKeys(); return nil })
	if len(keys) != 1 || keys[0] != "empty" {
		t.Errorf("keys after delete = %q, want [empty]", keys)
	}
}

func TestTimeKeysOrderAndRange(t *testing.T) {
	s, _ := openTemp(t, Options{})
	// Inserted out of order; two signals share a time and differ by id.
	for _, sg := range []SignalRecord{
		sampleSignal("c", t0.Add(2*time.Minute)), sampleSignal("b", t0.Add(time.Minute)),
		sampleSignal("a", t0), sampleSignal("a2", t0.Add(time.Minute)),
	} {
		if err := s.PutSignal(sg); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(sigs []SignalRecord) (out []string) {
		for _, sg := range sigs {
			out = append(out, sg.ID)
		}
		return out
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"all", time.Time{}, time.Time{}, []string{"a", "a2", "b", "c"}},
		{"from is inclusive, to exclusive", t0.Add(time.Minute), t0.Add(2 * time.Minute), []string{"a2", "b"}},
		{"open end", t0.Add(time.Minute + 1), time.Time{}, []string{"c"}},
		{"open start", time.Time{}, t0.Add(1), []string{"a"}},
		{"empty window", t0.Add(time.Hour), time.Time{}, nil},
	}
	for _, tc := range tests {
		got, err := s.Signals(tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if g := ids(got); len(g) != len(tc.want) || (len(g) > 0 && !same2(g, tc.want)) {
			t.Errorf("%s: ids = %q, want %q", tc.name, g, tc.want)
		}
	}
	err := s.View(func(tx *Tx) error { _, err := tx.Intents().Range(t0, time.Time{}); return err })
	if !errors.Is(err, ErrNotTimeKeyed) {
		t.Errorf("Range on intents: err = %v, want ErrNotTimeKeyed", err)
	}
}

func same2(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFillRedeliveryOverwrites(t *testing.T) {
	s, _ := openTemp(t, Options{})
	f := sampleFill(42, t0)
	for i := 0; i < 2; i++ {
		if err := s.PutFill(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutFill(sampleFill(43, t0)); err != nil {
		t.Fatal(err)
	}
	var n int
	var got Fill
	var ok bool
	err := s.View(func(tx *Tx) (err error) {
		n = tx.Fills().Count()
		got, ok, err = tx.Fills().Get(FillKey(t0, 42))
		return err
	})
	if err != nil || n != 2 || !ok || got.TradeID != 42 {
		t.Fatalf("count=%d get ok=%v trade=%d err=%v; want 2 fills and trade 42 found", n, ok, got.TradeID, err)
	}
}

func TestInvalidRecordsRefused(t *testing.T) {
	s, _ := openTemp(t, Options{})
	tests := []struct {
		name string
		put  func(tx *Tx) error
	}{
		{"intent without id", func(tx *Tx) error { return tx.Intents().Put(Intent{}) }},
		{"order without client id", func(tx *Tx) error { return tx.Orders().Put(OrderRecord{}) }},
		{"position without id", func(tx *Tx) error { return tx.Positions().Put(PositionRecord{}) }},
		{"fill without time", func(tx *Tx) error { return tx.Fills().Put(sampleFill(1, time.Time{})) }},
		{"fill before 1970", func(tx *Tx) error { return tx.Fills().Put(sampleFill(1, time.Unix(-5, 0))) }},
		{"signal without id", func(tx *Tx) error { return tx.Signals().Put(sampleSignal("", t0)) }},
		{"snapshot without time", func(tx *Tx) error { return tx.Snapshots().Put(MapSnapshot{Data: []byte{1}}) }},
	}
	for _, tc := range tests {
		if err := s.Update(tc.put); err == nil {
			t.Errorf("%s: stored without error", tc.name)
		}
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	for b, n := range st {
		if n != 0 {
			t.Errorf("bucket %s has %d records after refused puts, want 0", b, n)
		}
	}
}

func TestSnapshotRetention(t *testing.T) {
	tests := []struct {
		name    string
		keep    int
		puts    []int // minutes after t0, in insertion order
		wantMin []int // minutes kept, oldest first
	}{
		{"keeps the newest", 3, []int{1, 2, 3, 4, 5}, []int{3, 4, 5}},
		{"late old snapshot is dropped at once", 2, []int{5, 6, 1}, []int{5, 6}},
		{"same time replaces", 2, []int{1, 1, 2}, []int{1, 2}},
		{"default keeps 48", 0, seq(50), seq(50)[2:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t, Options{KeepSnapshots: tc.keep})
			for _, m := range tc.puts {
				if err := s.PutSnapshot(MapSnapshot{Time: t0.Add(time.Duration(m) * time.Minute), Version: 1, Data: []byte{byte(m)}}); err != nil {
					t.Fatal(err)
				}
			}
			var got []MapSnapshot
			if err := s.View(func(tx *Tx) (err error) { got, err = tx.Snapshots().List(); return err }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.wantMin) {
				t.Fatalf("kept %d snapshots, want %d", len(got), len(tc.wantMin))
			}
			for i, m := range tc.wantMin {
				if want := t0.Add(time.Duration(m) * time.Minute); !got[i].Time.Equal(want) || got[i].Data[0] != byte(m) {
					t.Errorf("snapshot %d = %s data %v, want minute %d", i, got[i].Time, got[i].Data, m)
				}
			}
			last, ok, err := s.LatestSnapshot()
			if want := tc.wantMin[len(tc.wantMin)-1]; err != nil || !ok || last.Data[0] != byte(want) {
				t.Errorf("latest = %v ok=%v err=%v, want minute %d", last.Data, ok, err, want)
			}
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}
