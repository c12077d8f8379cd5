package risk

import "sync"

// KV is the small store the limits persist through; package state
// implements it on bbolt with exactly these method names.
type KV interface {
	// KVGet returns the value under key and whether it exists.
	KVGet(key string) ([]byte, bool, error)
	// KVPut stores value under key, replacing any previous one.
	KVPut(key string, value []byte) error
}

// MemKV is an in-memory KV for tests, the calculator and dry runs.
type MemKV struct {
	mu sync.Mutex
	m  map[string][]byte
}

var _ KV = (*MemKV)(nil)

// NewMemKV returns an empty in-memory KV.
func NewMemKV() *MemKV { return &MemKV{m: map[string][]byte{}} }

// KVGet returns a copy of the value under key.
func (k *MemKV) KVGet(key string) ([]byte, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	if !ok {
		return nil, false, nil
	}
	return append([]byte(nil), v...), true, nil
}

// KVPut stores a copy of value under key.
func (k *MemKV) KVPut(key string, value []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = append([]byte(nil), value...)
	return nil
}
