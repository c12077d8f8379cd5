package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrLocked means another process (or another Open in this process) holds the state file.
var ErrLocked = errors.New("state file is locked")

// ErrNotStateFile means the file exists but is not a taobot bbolt state file.
var ErrNotStateFile = errors.New("not a taobot state file")

// DefaultLockTimeout is how long Open waits for the file lock before giving up.
const DefaultLockTimeout = time.Second

// Options tune OpenWithOptions; the zero value means defaults.
type Options struct {
	// Timeout bounds the wait for the file lock; 0 means DefaultLockTimeout.
	Timeout time.Duration
	// ReadOnly opens an existing file for reading only (inspect/export); it never creates.
	ReadOnly bool
	// KeepSnapshots is how many newest map snapshots to keep; 0 means DefaultKeepSnapshots.
	KeepSnapshots int
}

// Store is an open taobot state file.
type Store struct {
	db   *bolt.DB
	path string
	opts Options
}

// Open opens (or creates) the state file at path with default options.
func Open(path string) (*Store, error) { return OpenWithOptions(path, Options{}) }

// OpenWithOptions opens (or, unless ReadOnly, creates) the state file at path.
func OpenWithOptions(path string, o Options) (*Store, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultLockTimeout
	}
	if !o.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create state directory: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	return &Store{db: db, path: path, opts: o}, nil
}

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

var bucketKV = []byte("kv")

// KVGet reads a small value; ok is false when the key is absent.
func (s *Store) KVGet(key string) (value []byte, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(key)); v != nil {
			value, ok = append([]byte(nil), v...), true
		}
		return nil
	})
	return value, ok, err
}

// KVPut stores a small value under key in its own write transaction.
func (s *Store) KVPut(key string, value []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketKV)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
}

// DefaultKeepSnapshots is how many map snapshots are kept when Options.KeepSnapshots is 0.
const DefaultKeepSnapshots = 48
