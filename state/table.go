package state

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNotTimeKeyed is returned by Range on a table whose keys are not times.
var ErrNotTimeKeyed = errors.New("table is not keyed by time")

// Key is a record's key in its bucket: IDKey for intents, orders and
// positions; TimeKey for fills, signals and snapshots.
type Key []byte

// IDKey is the key of a record stored by its id.
func IDKey(id string) Key { return Key(id) }

// TimeKey is the key of a record stored by time: 8 bytes of big-endian Unix
// nanoseconds, then the id, so keys sort by time.
func TimeKey(t time.Time, id string) Key {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	return append(k, id...)
}

// KeyTime reads the time back from a TimeKey.
func KeyTime(k Key) (time.Time, error) {
	if len(k) < 8 {
		return time.Time{}, fmt.Errorf("time key %x is shorter than 8 bytes", []byte(k))
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC(), nil
}

func timeKey(t time.Time, id string) (Key, error) {
	if t.IsZero() || t.UnixNano() < 0 || t.Year() > 2200 {
		return nil, fmt.Errorf("record time %s is unset or out of range", t)
	}
	return TimeKey(t, id), nil
}

func idKey(id string) (Key, error) {
	if id == "" {
		return nil, errors.New("record id is empty")
	}
	return IDKey(id), nil
}

// tableDef describes how one record type is stored.
type tableDef[T any] struct {
	bucket    string
	timeKeyed bool
	key       func(v *T) (Key, error)
	encode    func(v *T) ([]byte, error)
	decode    func(b []byte) (T, error)
	afterPut  func(b *bolt.Bucket) error // e.g. snapshot retention
}

func jsonEncode[T any](v *T) ([]byte, error) { return json.Marshal(v) }

func jsonDecode[T any](b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Table is a typed view of one bucket inside a transaction. Reads of a
// bucket that does not exist (an old file opened read-only) see nothing.
type Table[T any] struct {
	b   *bolt.Bucket
	def tableDef[T]
}

func newTable[T any](tx *Tx, def tableDef[T]) Table[T] {
	return Table[T]{b: tx.btx.Bucket([]byte(def.bucket)), def: def}
}

// Put stores v under its key, replacing any record with the same key.
func (t Table[T]) Put(v T) error {
	k, err := t.def.key(&v)
	if err != nil {
		return fmt.Errorf("put %s: %w", t.def.bucket, err)
	}
	if t.b == nil {
		return fmt.Errorf("put %s %q: bucket missing (file not migrated)", t.def.bucket, k)
	}
	raw, err := t.def.encode(&v)
	if err != nil {
		return fmt.Errorf("encode %s %q: %w", t.def.bucket, k, err)
	}
	if err := t.b.Put(k, raw); err != nil {
		return fmt.Errorf("put %s %q: %w", t.def.bucket, k, err)
	}
	if t.def.afterPut != nil {
		return t.def.afterPut(t.b)
	}
	return nil
}

// Get returns the record under k; ok is false when there is none.
func (t Table[T]) Get(k Key) (v T, ok bool, err error) {
	if t.b == nil {
		return v, false, nil
	}
	raw := t.b.Get(k)
	if raw == nil {
		return v, false, nil
	}
	v, err = t.decode(k, raw)
	return v, err == nil, err
}

// Delete removes the record under k; deleting a missing key is not an error.
func (t Table[T]) Delete(k Key) error {
	if t.b == nil {
		return nil
	}
	if err := t.b.Delete(k); err != nil {
		return fmt.Errorf("delete %s %q: %w", t.def.bucket, k, err)
	}
	return nil
}

// Count is the number of records, including this transaction's own writes.
func (t Table[T]) Count() int { return countKeys(t.b) }

// countKeys counts with a cursor: bbolt's Bucket.Stats misses keys written
// in the current, uncommitted transaction.
func countKeys(b *bolt.Bucket) int {
	if b == nil {
		return 0
	}
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

// ForEach calls fn for every record in key order (time order for time-keyed
// tables) until fn returns an error.
func (t Table[T]) ForEach(fn func(k Key, v T) error) error {
	return t.scan(nil, nil, fn)
}

// List returns every record in key order.
func (t Table[T]) List() ([]T, error) {
	var out []T
	err := t.scan(nil, nil, func(_ Key, v T) error { out = append(out, v); return nil })
	return out, err
}

// Range returns the records of a time-keyed table with from <= time < to, in
// time order. A zero from means the beginning, a zero to means the end.
func (t Table[T]) Range(from, to time.Time) ([]T, error) {
	if !t.def.timeKeyed {
		return nil, fmt.Errorf("range %s: %w", t.def.bucket, ErrNotTimeKeyed)
	}
	var lo, hi Key
	if !from.IsZero() {
		lo = TimeKey(from, "")
	}
	if !to.IsZero() {
		hi = TimeKey(to, "")
	}
	var out []T
	err := t.scan(lo, hi, func(_ Key, v T) error { out = append(out, v); return nil })
	return out, err
}

// Last returns the record with the greatest key (the newest, for time-keyed tables).
func (t Table[T]) Last() (v T, ok bool, err error) {
	if t.b == nil {
		return v, false, nil
	}
	k, raw := t.b.Cursor().Last()
	if k == nil {
		return v, false, nil
	}
	v, err = t.decode(k, raw)
	return v, err == nil, err
}

// scan visits keys in [lo, hi); nil bounds are open.
func (t Table[T]) scan(lo, hi Key, fn func(k Key, v T) error) error {
	if t.b == nil {
		return nil
	}
	c := t.b.Cursor()
	k, raw := c.First()
	if lo != nil {
		k, raw = c.Seek(lo)
	}
	for ; k != nil; k, raw = c.Next() {
		if hi != nil && bytes.Compare(k, hi) >= 0 {
			break
		}
		v, err := t.decode(k, raw)
		if err != nil {
			return err
		}
		if err := fn(append(Key(nil), k...), v); err != nil {
			return err
		}
	}
	return nil
}

func (t Table[T]) decode(k, raw []byte) (T, error) {
	v, err := t.def.decode(raw)
	if err != nil {
		return v, fmt.Errorf("decode %s %q: %w", t.def.bucket, k, err)
	}
	return v, nil
}
