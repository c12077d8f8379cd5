package state

import "time"

// Single-record conveniences. Each is its own write transaction; use
// Store.Update to change several records atomically.

// KVGet reads a small value; ok is false when the key is absent.
func (s *Store) KVGet(key string) (value []byte, ok bool, err error) {
	err = s.View(func(tx *Tx) error {
		value, ok = tx.KVGet(key)
		return nil
	})
	return value, ok, err
}

// KVPut stores a small value under key.
func (s *Store) KVPut(key string, value []byte) error {
	return s.Update(func(tx *Tx) error { return tx.KVPut(key, value) })
}

// PutIntent stores (or replaces) an intent.
func (s *Store) PutIntent(in Intent) error {
	return s.Update(func(tx *Tx) error { return tx.Intents().Put(in) })
}

// Intent loads one intent by id.
func (s *Store) Intent(id string) (in Intent, ok bool, err error) {
	err = s.View(func(tx *Tx) error {
		in, ok, err = tx.Intents().Get(IDKey(id))
		return err
	})
	return in, ok, err
}

// Intents lists every intent in id order.
func (s *Store) Intents() (out []Intent, err error) {
	err = s.View(func(tx *Tx) error { out, err = tx.Intents().List(); return err })
	return out, err
}

// PutOrder stores (or replaces) an order record.
func (s *Store) PutOrder(o OrderRecord) error {
	return s.Update(func(tx *Tx) error { return tx.Orders().Put(o) })
}

// Order loads one order record by client id.
func (s *Store) Order(clientID string) (o OrderRecord, ok bool, err error) {
	err = s.View(func(tx *Tx) error {
		o, ok, err = tx.Orders().Get(IDKey(clientID))
		return err
	})
	return o, ok, err
}

// Orders lists every order record in client id order.
func (s *Store) Orders() (out []OrderRecord, err error) {
	err = s.View(func(tx *Tx) error { out, err = tx.Orders().List(); return err })
	return out, err
}

// PutFill stores a fill (a re-delivered fill with the same time and trade id replaces it).
func (s *Store) PutFill(f Fill) error {
	return s.Update(func(tx *Tx) error { return tx.Fills().Put(f) })
}

// Fills lists fills with from <= time < to (zero bounds are open), oldest first.
func (s *Store) Fills(from, to time.Time) (out []Fill, err error) {
	err = s.View(func(tx *Tx) error { out, err = tx.Fills().Range(from, to); return err })
	return out, err
}

// PutPosition stores (or replaces) a position record.
func (s *Store) PutPosition(p PositionRecord) error {
	return s.Update(func(tx *Tx) error { return tx.Positions().Put(p) })
}

// Positions lists every position record in id order.
func (s *Store) Positions() (out []PositionRecord, err error) {
	err = s.View(func(tx *Tx) error { out, err = tx.Positions().List(); return err })
	return out, err
}

// PutSignal stores a signal record.
func (s *Store) PutSignal(sig SignalRecord) error {
	return s.Update(func(tx *Tx) error { return tx.Signals().Put(sig) })
}

// Signals lists signals with from <= time < to (zero bounds are open), oldest first.
func (s *Store) Signals(from, to time.Time) (out []SignalRecord, err error) {
	err = s.View(func(tx *Tx) error { out, err = tx.Signals().Range(from, to); return err })
	return out, err
}

// PutSnapshot stores a map snapshot and drops all but the newest Options.KeepSnapshots.
func (s *Store) PutSnapshot(m MapSnapshot) error {
	return s.Update(func(tx *Tx) error { return tx.Snapshots().Put(m) })
}

// LatestSnapshot returns the newest map snapshot; ok is false when there is none.
func (s *Store) LatestSnapshot() (m MapSnapshot, ok bool, err error) {
	err = s.View(func(tx *Tx) error { m, ok, err = tx.Snapshots().Last(); return err })
	return m, ok, err
}
