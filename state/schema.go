package state

import (
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. The meta bucket holds the schema version; the others hold records.
const (
	bucketMeta      = "meta"
	bucketIntents   = "intents"
	bucketOrders    = "orders"
	bucketFills     = "fills"
	bucketPositions = "positions"
	bucketSignals   = "signals"
	bucketSnapshots = "snapshots"
	bucketKV        = "kv"
)

// keySchema is the meta key holding the schema version as decimal text.
const keySchema = "schema_version"

// DataBuckets lists the record buckets in a stable order (for inspect and export).
func DataBuckets() []string {
	return []string{bucketIntents, bucketOrders, bucketFills, bucketPositions, bucketSignals, bucketSnapshots, bucketKV}
}

// migration upgrades a file from schema `from` to from+1 inside the caller's write transaction.
type migration struct {
	from  int
	name  string
	apply func(tx *bolt.Tx) error
}

// builtinMigrations is the ordered upgrade path; its length is the schema
// version this binary writes. Append, never edit or reorder.
func builtinMigrations() []migration {
	return []migration{
		{from: 0, name: "create the v1 buckets", apply: createBuckets(append([]string{bucketMeta}, DataBuckets()...))},
	}
}

// SchemaVersion is the schema this binary writes and the newest it can read.
func SchemaVersion() int { return len(builtinMigrations()) }

func createBuckets(names []string) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		for _, n := range names {
			if _, err := tx.CreateBucketIfNotExists([]byte(n)); err != nil {
				return fmt.Errorf("create bucket %s: %w", n, err)
			}
		}
		return nil
	}
}

// readSchema returns the file's schema version. A file with no buckets at all
// is schema 0 (fresh); one with buckets but no meta/schema_version belongs to
// some other program and is refused.
func readSchema(tx *bolt.Tx, path string) (int, error) {
	meta := tx.Bucket([]byte(bucketMeta))
	if meta == nil {
		var other []string
		if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			other = append(other, string(name))
			return nil
		}); err != nil {
			return 0, err
		}
		if len(other) > 0 {
			return 0, notStateFile(path, fmt.Sprintf("a bbolt file of another program (buckets %q, no %s bucket)", other, bucketMeta))
		}
		return 0, nil
	}
	raw := meta.Get([]byte(keySchema))
	if raw == nil {
		return 0, notStateFile(path, "the meta bucket has no "+keySchema)
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 0 {
		return 0, notStateFile(path, fmt.Sprintf("bad %s %q", keySchema, raw))
	}
	return v, nil
}

// migrate runs steps[from:] in order and records the new version. It runs
// inside one write transaction, so a failing step leaves the file as it was.
func migrate(tx *bolt.Tx, path string, from int, steps []migration) error {
	for _, m := range steps[from:] {
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("migrate %s from schema %d (%s): %w", path, m.from, m.name, err)
		}
	}
	meta, err := tx.CreateBucketIfNotExists([]byte(bucketMeta))
	if err != nil {
		return fmt.Errorf("migrate %s: %w", path, err)
	}
	return meta.Put([]byte(keySchema), []byte(strconv.Itoa(len(steps))))
}

// prepare checks the file's integrity and schema and migrates it forward.
// It runs under guard: bbolt panics (or faults on its memory map) on some
// corruptions, and that must be an error, before anything is written.
func (s *Store) prepare() error {
	steps := s.opts.migrations
	for i, m := range steps {
		if m.from != i {
			return fmt.Errorf("state: migration %d (%s) starts at schema %d", i, m.name, m.from)
		}
	}
	var version int
	err := s.db.View(func(tx *bolt.Tx) error {
		var problems []error
		for e := range tx.Check() {
			if len(problems) < 3 { // the first few say enough
				problems = append(problems, e)
			}
		}
		if len(problems) > 0 {
			return notStateFile(s.path, fmt.Sprintf("corrupted: %v", errors.Join(problems...)))
		}
		v, err := readSchema(tx, s.path)
		version = v
		return err
	})
	if err != nil {
		return err
	}
	if version > len(steps) {
		return &pathError{sentinel: ErrNewerSchema, msg: fmt.Sprintf(
			"state file %s has schema %d; this taobot understands up to %d: upgrade taobot", s.path, version, len(steps))}
	}
	s.schema = version
	if version == len(steps) || s.opts.ReadOnly {
		return nil
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return migrate(tx, s.path, version, steps) }); err != nil {
		return err
	}
	s.schema = len(steps)
	return nil
}
