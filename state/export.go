package state

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Stats counts the records in every data bucket (missing buckets count 0).
func (s *Store) Stats() (map[string]int, error) {
	out := make(map[string]int, len(DataBuckets()))
	err := s.View(func(tx *Tx) error {
		for _, name := range DataBuckets() {
			out[name] = countKeys(tx.btx.Bucket([]byte(name)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stats of %s: %w", s.path, err)
	}
	return out, nil
}

// Newest returns, for each time-keyed bucket (fills, signals, snapshots)
// that has records, the time of its newest record.
func (s *Store) Newest() (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := s.View(func(tx *Tx) error {
		for _, name := range []string{bucketFills, bucketSignals, bucketSnapshots} {
			b := tx.btx.Bucket([]byte(name))
			if b == nil {
				continue
			}
			if k, _ := b.Cursor().Last(); k != nil {
				t, err := KeyTime(k)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				out[name] = t
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("newest records of %s: %w", s.path, err)
	}
	return out, nil
}

// ExportDoc is the JSON document Export writes: every bucket, decoded.
type ExportDoc struct {
	File          string           `json:"file"`
	SchemaVersion int              `json:"schemaVersion"`
	Intents       []Intent         `json:"intents"`
	Orders        []OrderRecord    `json:"orders"`
	Fills         []Fill           `json:"fills"`
	Positions     []PositionRecord `json:"positions"`
	Signals       []SignalRecord   `json:"signals"`
	Snapshots     []ExportSnapshot `json:"snapshots"`
	KV            []ExportKV       `json:"kv"`
}

// ExportSnapshot is a map snapshot in an export; Data is base64.
type ExportSnapshot struct {
	Time    time.Time `json:"time"`
	Version int       `json:"version"`
	Bytes   int       `json:"bytes"`
	Data    []byte    `json:"data"`
}

// ExportKV is one key/value in an export: JSON values inline, anything else
// as base64; neither field means an empty value.
type ExportKV struct {
	Key    string          `json:"key"`
	JSON   json.RawMessage `json:"json,omitempty"`
	Base64 []byte          `json:"base64,omitempty"`
}

// Export writes every bucket as one indented JSON document (an ExportDoc),
// read in one consistent transaction.
func (s *Store) Export(w io.Writer) error {
	doc := ExportDoc{File: s.path, SchemaVersion: s.schema}
	err := s.View(func(tx *Tx) error {
		var err error
		if doc.Intents, err = tx.Intents().List(); err != nil {
			return err
		}
		if doc.Orders, err = tx.Orders().List(); err != nil {
			return err
		}
		if doc.Fills, err = tx.Fills().List(); err != nil {
			return err
		}
		if doc.Positions, err = tx.Positions().List(); err != nil {
			return err
		}
		if doc.Signals, err = tx.Signals().List(); err != nil {
			return err
		}
		if err := tx.Snapshots().ForEach(func(_ Key, m MapSnapshot) error {
			doc.Snapshots = append(doc.Snapshots, ExportSnapshot{Time: m.Time, Version: m.Version, Bytes: len(m.Data), Data: m.Data})
			return nil
		}); err != nil {
			return err
		}
		for _, k := range tx.KVKeys() {
			v, _ := tx.KVGet(k)
			e := ExportKV{Key: k}
			if len(v) > 0 && json.Valid(v) {
				e.JSON = v
			} else {
				e.Base64 = v
			}
			doc.KV = append(doc.KV, e)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export %s: %w", s.path, err)
	}
	nonNil(&doc.Intents)
	nonNil(&doc.Orders)
	nonNil(&doc.Fills)
	nonNil(&doc.Positions)
	nonNil(&doc.Signals)
	nonNil(&doc.Snapshots)
	nonNil(&doc.KV)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("export %s: write: %w", s.path, err)
	}
	return nil
}

// nonNil makes an empty list export as [] rather than null.
func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}
