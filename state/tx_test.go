package state

import (
	"errors"
	"testing"
	"time"
)

func TestUpdateIsAtomic(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   func(tx *Tx) error
		want error // nil: any error
	}{
		{"callback error after two puts", func(tx *Tx) error {
			if err := tx.Intents().Put(sampleIntent("tb-9")); err != nil {
				return err
			}
			if err := tx.Orders().Put(sampleOrder("tb-9-e")); err != nil {
				return err
			}
			return boom
		}, boom},
		{"invalid third record", func(tx *Tx) error {
			return errors.Join(tx.Intents().Put(sampleIntent("tb-9")), tx.KVPut("k", []byte("v")),
				tx.Fills().Put(sampleFill(1, time.Time{})))
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t, Options{})
			err := s.Update(tc.fn)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Update err = %v, want %v", err, tc.want)
			}
			requireEmpty(t, s)
		})
	}
}

func TestUpdatePanicRollsBack(t *testing.T) {
	s, _ := openTemp(t, Options{})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic was swallowed")
			}
		}()
		_ = s.Update(func(tx *Tx) error {
			if err := tx.Intents().Put(sampleIntent("tb-9")); err != nil {
				return err
			}
			panic("crash between intent and order")
		})
	}()
	requireEmpty(t, s)
	// The store is still usable after the rolled-back panic.
	if err := s.PutIntent(sampleIntent("tb-9")); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateCommitsTogether(t *testing.T) {
	s, _ := openTemp(t, Options{})
	in := sampleIntent("tb-2")
	if err := s.Update(func(tx *Tx) error {
		if err := tx.Intents().Put(in); err != nil {
			return err
		}
		o := sampleOrder(in.ID + "-e")
		o.IntentID = in.ID
		return tx.Orders().Put(o)
	}); err != nil {
		t.Fatal(err)
	}
	err := s.View(func(tx *Tx) error {
		_, okI, err := tx.Intents().Get(IDKey("tb-2"))
		if err != nil {
			return err
		}
		o, okO, err := tx.Orders().Get(IDKey("tb-2-e"))
		if !okI || !okO || o.IntentID != "tb-2" {
			t.Errorf("intent found=%v order found=%v intent id=%q", okI, okO, o.IntentID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.View(func(tx *Tx) error { return tx.Intents().Put(in) }); err == nil {
		t.Error("Put inside View succeeded")
	}
}

func TestReadOnlyStoreRefusesWrites(t *testing.T) {
	s, path := openTemp(t, Options{})
	s.Close()
	ro, err := OpenWithOptions(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.PutIntent(sampleIntent("x")); err == nil {
		t.Error("write to a read-only store succeeded")
	}
}

func requireEmpty(t *testing.T, s *Store) {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	for b, n := range st {
		if n != 0 {
			t.Errorf("bucket %s has %d records after a failed Update, want 0", b, n)
		}
	}
}
