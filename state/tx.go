package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Tx is one transaction over every bucket; get it from Store.Update or Store.View.
type Tx struct {
	btx  *bolt.Tx
	keep int
}

// Intents is the write-ahead intents table, keyed by IDKey(Intent.ID).
func (tx *Tx) Intents() Table[Intent] {
	return newTable(tx, tableDef[Intent]{
		bucket: bucketIntents, key: func(v *Intent) (Key, error) { return idKey(v.ID) },
		encode: jsonEncode[Intent], decode: jsonDecode[Intent],
	})
}

// Orders is the order table, keyed by IDKey(OrderRecord.ClientID).
func (tx *Tx) Orders() Table[OrderRecord] {
	return newTable(tx, tableDef[OrderRecord]{
		bucket: bucketOrders, key: func(v *OrderRecord) (Key, error) { return idKey(v.ClientID) },
		encode: jsonEncode[OrderRecord], decode: jsonDecode[OrderRecord],
	})
}

// Fills is the fill table, keyed by FillKey.
func (tx *Tx) Fills() Table[Fill] {
	return newTable(tx, tableDef[Fill]{
		bucket: bucketFills, timeKeyed: true, key: func(v *Fill) (Key, error) { return timeKey(v.Time, tradeIDPart(v.TradeID)) },
		encode: jsonEncode[Fill], decode: jsonDecode[Fill],
	})
}

// Positions is the position table, keyed by IDKey(PositionRecord.ID).
func (tx *Tx) Positions() Table[PositionRecord] {
	return newTable(tx, tableDef[PositionRecord]{
		bucket: bucketPositions, key: func(v *PositionRecord) (Key, error) { return idKey(v.ID) },
		encode: jsonEncode[PositionRecord], decode: jsonDecode[PositionRecord],
	})
}

// Signals is the signal table, keyed by TimeKey(SignalRecord.Time, SignalRecord.ID).
func (tx *Tx) Signals() Table[SignalRecord] {
	return newTable(tx, tableDef[SignalRecord]{
		bucket: bucketSignals, timeKeyed: true, key: func(v *SignalRecord) (Key, error) {
			if v.ID == "" {
				return nil, errors.New("signal id is empty")
			}
			return timeKey(v.Time, v.ID)
		},
		encode: jsonEncode[SignalRecord], decode: jsonDecode[SignalRecord],
	})
}

// Snapshots is the map snapshot table, keyed by TimeKey(MapSnapshot.Time, "").
// Every Put drops all but the newest Options.KeepSnapshots snapshots.
func (tx *Tx) Snapshots() Table[MapSnapshot] {
	keep := tx.keep
	return newTable(tx, tableDef[MapSnapshot]{
		bucket: bucketSnapshots, timeKeyed: true, key: func(v *MapSnapshot) (Key, error) { return timeKey(v.Time, "") },
		encode: encodeSnapshot, decode: decodeSnapshot,
		afterPut: func(b *bolt.Bucket) error { return keepNewest(b, keep) },
	})
}

// FillKey is the key of a fill: its time, then its trade id.
func FillKey(t time.Time, tradeID int64) Key { return TimeKey(t, tradeIDPart(tradeID)) }

func tradeIDPart(id int64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	return string(b[:])
}

// Snapshots are stored raw (not JSON) because they are large: 8 bytes of
// Unix nanoseconds, 4 bytes of version, then the data.
func encodeSnapshot(v *MapSnapshot) ([]byte, error) {
	out := make([]byte, 12, 12+len(v.Data))
	binary.BigEndian.PutUint64(out, uint64(v.Time.UnixNano()))
	binary.BigEndian.PutUint32(out[8:], uint32(v.Version))
	return append(out, v.Data...), nil
}

func decodeSnapshot(b []byte) (MapSnapshot, error) {
	if len(b) < 12 {
		return MapSnapshot{}, fmt.Errorf("snapshot record is %d bytes, shorter than its 12-byte header", len(b))
	}
	return MapSnapshot{
		Time:    time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC(),
		Version: int(binary.BigEndian.Uint32(b[8:])),
		Data:    append([]byte(nil), b[12:]...),
	}, nil
}

// keepNewest deletes the oldest keys of b until at most keep remain.
func keepNewest(b *bolt.Bucket, keep int) error {
	extra := countKeys(b) - keep
	if extra <= 0 {
		return nil
	}
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(old) < extra; k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("drop old snapshot: %w", err)
		}
	}
	return nil
}

// KVGet reads a small value; ok is false when the key is absent.
func (tx *Tx) KVGet(key string) (value []byte, ok bool) {
	b := tx.btx.Bucket([]byte(bucketKV))
	if b == nil {
		return nil, false
	}
	// A cursor, not Get, so an empty value still counts as present.
	k, v := b.Cursor().Seek([]byte(key))
	if k == nil || string(k) != key {
		return nil, false
	}
	return append([]byte{}, v...), true
}

// KVPut stores a small value under key.
func (tx *Tx) KVPut(key string, value []byte) error {
	if key == "" {
		return errors.New("kv put: key is empty")
	}
	b := tx.btx.Bucket([]byte(bucketKV))
	if b == nil {
		return errors.New("kv put: bucket missing (file not migrated)")
	}
	if value == nil {
		value = []byte{} // bbolt treats nil as absent on read
	}
	if err := b.Put([]byte(key), value); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// KVDelete removes key; a missing key is not an error.
func (tx *Tx) KVDelete(key string) error {
	b := tx.btx.Bucket([]byte(bucketKV))
	if b == nil {
		return nil
	}
	if err := b.Delete([]byte(key)); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// KVKeys lists the keys in sorted order.
func (tx *Tx) KVKeys() []string {
	b := tx.btx.Bucket([]byte(bucketKV))
	if b == nil {
		return nil
	}
	var keys []string
	_ = b.ForEach(func(k, _ []byte) error { keys = append(keys, string(k)); return nil })
	return keys
}
