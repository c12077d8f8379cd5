package state

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fill puts a known set of records: 2 intents, 1 order, 3 fills, 1
// position, 2 signals, 2 snapshots, 2 kv.
func fill(t *testing.T, s *Store) {
	t.Helper()
	err := s.Update(func(tx *Tx) error {
		for _, err := range []error{
			tx.Intents().Put(sampleIntent("tb-1")), tx.Intents().Put(sampleIntent("tb-2")),
			tx.Orders().Put(sampleOrder("tb-1-e")),
			tx.Fills().Put(sampleFill(1, t0)), tx.Fills().Put(sampleFill(2, t0)), tx.Fills().Put(sampleFill(3, t0.Add(time.Second))),
			tx.Positions().Put(samplePosition("tb-1")),
			tx.Signals().Put(sampleSignal("sig-1", t0)), tx.Signals().Put(sampleSignal("sig-2", t0.Add(time.Minute))),
			tx.Snapshots().Put(MapSnapshot{Time: t0, Version: 1, Data: []byte("map-one")}),
			tx.Snapshots().Put(MapSnapshot{Time: t0.Add(time.Hour), Version: 2, Data: []byte{0xff, 0x00}}),
			tx.KVPut("paper/account", []byte(`{"wallet":"1000.123456789"}`)), tx.KVPut("raw", []byte{0, 1, 2}),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStats(t *testing.T) {
	s, _ := openTemp(t, Options{})
	fill(t, s)
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"intents": 2, "orders": 1, "fills": 3, "positions": 1, "signals": 2, "snapshots": 2, "kv": 2}
	if len(st) != len(want) {
		t.Errorf("stats = %v, want %v", st, want)
	}
	for b, n := range want {
		if st[b] != n {
			t.Errorf("stats[%s] = %d, want %d", b, st[b], n)
		}
	}
}

func TestNewest(t *testing.T) {
	s, _ := openTemp(t, Options{})
	got, err := s.Newest()
	if err != nil || len(got) != 0 {
		t.Fatalf("empty store: newest = %v, %v", got, err)
	}
	fill(t, s)
	if got, err = s.Newest(); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"fills": t0.Add(time.Second), "signals": t0.Add(time.Minute), "snapshots": t0.Add(time.Hour)}
	if len(got) != len(want) {
		t.Errorf("newest = %v, want %v", got, want)
	}
	for b, w := range want {
		if !got[b].Equal(w) {
			t.Errorf("newest[%s] = %s, want %s", b, got[b], w)
		}
	}
}

func TestExport(t *testing.T) {
	s, path := openTemp(t, Options{})
	fill(t, s)
	var buf bytes.Buffer
	if err := s.Export(&buf); err != nil {
		t.Fatal(err)
	}
	var doc ExportDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, buf.String())
	}
	if doc.File != path || doc.SchemaVersion != 1 || len(doc.Intents) != 2 || len(doc.Orders) != 1 || len(doc.Fills) != 3 ||
		len(doc.Positions) != 1 || len(doc.Signals) != 2 || len(doc.Snapshots) != 2 || len(doc.KV) != 2 {
		t.Fatalf("export counts wrong: %+v", doc)
	}
	requireSame(t, doc.Intents[0], sampleIntent("tb-1"))
	requireSame(t, doc.Positions[0], samplePosition("tb-1"))
	if doc.Fills[2].TradeID != 3 || doc.Signals[1].ID != "sig-2" {
		t.Errorf("fills/signals not in time order: %+v %+v", doc.Fills, doc.Signals)
	}
	if got := doc.Snapshots[1]; got.Version != 2 || got.Bytes != 2 || !bytes.Equal(got.Data, []byte{0xff, 0}) {
		t.Errorf("snapshot = %+v", got)
	}
	text := buf.String()
	for _, want := range []string{
		`"entryPrice": "402.123456789012345678"`, // decimals as exact strings
		`"data": "bWFwLW9uZQ=="`,                 // base64("map-one")
		`"json": {`,                              // valid JSON kv inline
		`"wallet": "1000.123456789"`,
		`"base64": "AAEC"`, // base64(0,1,2)
	} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %s", want)
		}
	}
}

func TestExportEmptyHasLists(t *testing.T) {
	s, _ := openTemp(t, Options{})
	var buf bytes.Buffer
	if err := s.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "null") || !strings.Contains(buf.String(), `"intents": []`) {
		t.Errorf("empty export should use [] not null:\n%s", buf.String())
	}
}
