package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrLocked means another process (or another Open in this process) holds the state file.
var ErrLocked = errors.New("state file is locked")

// ErrNotStateFile means the file exists but is not a usable taobot state file.
var ErrNotStateFile = errors.New("not a taobot state file")

// ErrNewerSchema means the file was written by a newer taobot than this one.
var ErrNewerSchema = errors.New("state file schema is newer than this taobot")

// DefaultLockTimeout is how long Open waits for the file lock before giving up.
const DefaultLockTimeout = time.Second

// DefaultKeepSnapshots is how many map snapshots are kept when Options.KeepSnapshots is 0.
const DefaultKeepSnapshots = 48

// Options tune OpenWithOptions; the zero value means defaults.
type Options struct {
	// Timeout bounds the wait for the file lock; 0 means DefaultLockTimeout.
	Timeout time.Duration
	// ReadOnly opens an existing file for reading only (inspect/export); it
	// never creates or migrates. It still waits for a running writer's lock.
	ReadOnly bool
	// KeepSnapshots is how many newest map snapshots to keep; 0 means DefaultKeepSnapshots.
	KeepSnapshots int

	// migrations replaces the built-in migration list (tests only).
	migrations []migration
}

// Store is an open taobot state file. It is safe for concurrent use.
type Store struct {
	db     *bolt.DB
	path   string
	opts   Options
	schema int
}

// pathError is an error whose text is exactly msg but which still matches a sentinel.
type pathError struct {
	msg      string
	sentinel error
}

func (e *pathError) Error() string { return e.msg }
func (e *pathError) Unwrap() error { return e.sentinel }

func lockedError(path string) error {
	return &pathError{msg: "another taobot is using " + path, sentinel: ErrLocked}
}

func notStateFile(path, why string) error {
	return &pathError{msg: path + " is not a taobot state file: " + why, sentinel: ErrNotStateFile}
}

// Open opens (or creates) the state file at path with default options.
func Open(path string) (*Store, error) { return OpenWithOptions(path, Options{}) }

// OpenWithOptions opens the state file at path, creating it (and its
// directory) when it does not exist unless o.ReadOnly. An existing file is
// never recreated or truncated: anything unexpected is an error.
func OpenWithOptions(path string, o Options) (*Store, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultLockTimeout
	}
	if o.KeepSnapshots <= 0 {
		o.KeepSnapshots = DefaultKeepSnapshots
	}
	if o.migrations == nil {
		o.migrations = builtinMigrations()
	}
	existed, err := precheck(path)
	if err != nil {
		return nil, err
	}
	if !existed {
		if o.ReadOnly {
			return nil, fmt.Errorf("no state file at %s: %w", path, os.ErrNotExist)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create state directory for %s: %w", path, err)
		}
	}
	db, err := openBolt(path, o)
	if err != nil {
		switch {
		case errors.Is(err, ErrNotStateFile):
			return nil, err
		case errors.Is(err, berrors.ErrTimeout):
			return nil, lockedError(path)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
			return nil, notStateFile(path, err.Error())
		}
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	s := &Store{db: db, path: path, opts: o}
	if err := guard(path, s.prepare); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state file %s: %w", s.path, err)
	}
	return nil
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// SchemaVersion is the file's schema version (after migration, unless read-only).
func (s *Store) SchemaVersion() int { return s.schema }

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.opts.ReadOnly }

// Update runs fn in one write transaction: everything fn writes commits
// together, or nothing does if fn returns an error (or panics).
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error { return fn(s.wrap(btx)) })
}

// View runs fn in a read-only transaction that sees one consistent state.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(s.wrap(btx)) })
}

func (s *Store) wrap(btx *bolt.Tx) *Tx { return &Tx{btx: btx, keep: s.opts.KeepSnapshots} }

// openBolt is bolt.Open guarded against panics and memory-map faults, which
// bbolt can raise on a corrupted file that precheck let through (it trusts
// the pages it maps). After such a panic the file is closed here, releasing
// its lock; bbolt's memory map of it is leaked.
func openBolt(path string, o Options) (db *bolt.DB, err error) {
	var file *os.File
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	err = guard(path, func() error {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly, OpenFile: openFile})
		return err
	})
	if errors.Is(err, ErrNotStateFile) && db == nil && file != nil {
		_ = file.Close()
	}
	return db, err
}

// guard runs fn turning a panic or a memory fault into ErrNotStateFile.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = notStateFile(path, fmt.Sprintf("corrupted (%v)", r))
		}
	}()
	return fn()
}
