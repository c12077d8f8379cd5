package state

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesFileAndDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "taobot.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != path || s.SchemaVersion() != SchemaVersion() || SchemaVersion() != 1 {
		t.Errorf("path=%s schema=%d (binary %d), want %s and 1", s.Path(), s.SchemaVersion(), SchemaVersion(), path)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", p, got, want)
		}
	}
}

func TestReadOnlyNeverCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	_, err := OpenWithOptions(path, Options{ReadOnly: true})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open created %s", path)
	}
}

func TestLockContention(t *testing.T) {
	tests := []struct {
		name           string
		first, second  bool // ReadOnly of each open
		wantSecondFail bool
	}{
		{"writer then writer", false, false, true},
		{"writer then reader", false, true, true},
		{"reader then writer", true, false, true},
		{"reader then reader", true, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, path := openTemp(t, Options{})
			if tc.first {
				// Reopen read-only so the first holder is a reader.
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				var err error
				if s, err = OpenWithOptions(path, Options{ReadOnly: true}); err != nil {
					t.Fatal(err)
				}
				defer s.Close()
			}
			start := time.Now()
			s2, err := OpenWithOptions(path, Options{ReadOnly: tc.second, Timeout: time.Millisecond})
			elapsed := time.Since(start)
			if !tc.wantSecondFail {
				if err != nil {
					t.Fatalf("second open: %v", err)
				}
				s2.Close()
				return
			}
			if err == nil {
				s2.Close()
				t.Fatal("second open succeeded")
			}
			if !errors.Is(err, ErrLocked) || err.Error() != "another taobot is using "+path {
				t.Errorf("err = %q (ErrLocked %v), want exactly %q", err, errors.Is(err, ErrLocked), "another taobot is using "+path)
			}
			if elapsed > 500*time.Millisecond {
				t.Errorf("second open took %s with a 1ms timeout", elapsed)
			}
		})
	}
}

// TestLockHeldByAnotherProcess runs this test binary as a helper process
// that holds the file, then opens it here.
func TestLockHeldByAnotherProcess(t *testing.T) {
	if p := os.Getenv("TAOBOT_STATE_HOLD"); p != "" {
		s, err := Open(p)
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("ready\n")
		_, _ = os.Stdin.Read(make([]byte, 1)) // hold until the parent closes stdin
		s.Close()
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "taobot.db")
	release := holdInAnotherProcess(t, path)
	s, err := OpenWithOptions(path, Options{Timeout: time.Millisecond})
	if err == nil {
		s.Close()
		t.Fatal("open succeeded while another process holds the file")
	}
	if !errors.Is(err, ErrLocked) || err.Error() != "another taobot is using "+path {
		t.Errorf("err = %q, want %q", err, "another taobot is using "+path)
	}
	release()
	s, err = OpenWithOptions(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("open after the other process exited: %v", err)
	}
	s.Close()
}

func TestNewerSchemaRefused(t *testing.T) {
	s, path := openTemp(t, Options{})
	s.Close()
	setRawSchema(t, path, "7")
	before := readFile(t, path)
	for _, ro := range []bool{false, true} {
		_, err := OpenWithOptions(path, Options{ReadOnly: ro})
		want := "state file " + path + " has schema 7; this taobot understands up to 1: upgrade taobot"
		if !errors.Is(err, ErrNewerSchema) || err == nil || err.Error() != want {
			t.Errorf("readOnly=%v: err = %v, want %q", ro, err, want)
		}
	}
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("refusing a newer schema changed the file")
	}
}

func setRawSchema(t *testing.T, path, v string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucketMeta))
		if err != nil {
			return err
		}
		return b.Put([]byte(keySchema), []byte(v))
	}); err != nil {
		t.Fatal(err)
	}
}

// rawBolt makes a plain bbolt file with the given buckets (schema 0 when none).
func rawBolt(t *testing.T, path string, buckets ...string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(createBuckets(buckets)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateFromSchemaZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	rawBolt(t, path)
	before := readFile(t, path)

	ro, err := OpenWithOptions(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ro.Stats()
	if err != nil || ro.SchemaVersion() != 0 || st[bucketIntents] != 0 {
		t.Fatalf("read-only v0: schema=%d stats=%v err=%v", ro.SchemaVersion(), st, err)
	}
	ro.Close()
	if !bytes.Equal(before, readFile(t, path)) {
		t.Fatal("read-only open of an old schema changed the file")
	}

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.SchemaVersion() != 1 {
		t.Errorf("schema after migration = %d, want 1", s.SchemaVersion())
	}
	if err := s.PutIntent(sampleIntent("x")); err != nil {
		t.Errorf("migrated file has no intents bucket: %v", err)
	}
}

func TestMigrationMechanism(t *testing.T) {
	logStep := func(n string) migration {
		return migration{from: 0, name: "step " + n, apply: func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte(bucketKV))
			return b.Put([]byte("log"), append(append([]byte(nil), b.Get([]byte("log"))...), n...))
		}}
	}
	fail := migration{name: "broken", apply: func(*bolt.Tx) error { return errors.New("disk says no") }}
	steps := func(extra ...migration) []migration {
		out := builtinMigrations()
		for _, m := range extra {
			m.from = len(out)
			out = append(out, m)
		}
		return out
	}
	tests := []struct {
		name       string
		steps      []migration
		wantErr    string
		wantSchema int
		wantLog    string
	}{
		{"v1 to v3 in order", steps(logStep("2"), logStep("3")), "", 3, "23"},
		{"failure leaves v1", steps(logStep("2"), fail), "(broken): disk says no", 1, ""},
		{"misnumbered list", append(builtinMigrations(), migration{from: 5, name: "bad"}), "starts at schema 5", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, path := openTemp(t, Options{})
			s.Close()
			before := readFile(t, path)
			s, err := OpenWithOptions(path, Options{migrations: tc.steps})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				if !bytes.Equal(before, readFile(t, path)) {
					t.Error("a failed migration changed the file")
				}
				s, err = Open(path)
				if err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			log, _, _ := s.KVGet("log")
			if s.SchemaVersion() != tc.wantSchema || string(log) != tc.wantLog {
				t.Errorf("schema=%d log=%q, want %d %q", s.SchemaVersion(), log, tc.wantSchema, tc.wantLog)
			}
		})
	}
}

func TestGarbageFilesRefused(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// A real state file with records, to truncate and to corrupt.
	good := func(t *testing.T) []byte {
		s, path := openTemp(t, Options{})
		for i := 0; i < 20; i++ {
			if err := s.PutSignal(sampleSignal(strings.Repeat("s", 200)+string(rune('a'+i)), t0)); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		return readFile(t, path)
	}
	tests := []struct {
		name    string
		content func(t *testing.T) []byte
		want    string
	}{
		{"text file", func(*testing.T) []byte { return []byte("mode: paper\nsymbol: TAOUSDT\n") }, "no valid bbolt header"},
		{"empty file", func(*testing.T) []byte { return nil }, "the file is empty"},
		{"one page of random bytes", func(*testing.T) []byte { return random(4096) }, "no valid bbolt header"},
		{"64 KiB of random bytes", func(*testing.T) []byte { return random(64 << 10) }, "no valid bbolt header"},
		{"truncated to its meta pages", func(t *testing.T) []byte { return good(t)[:8192] }, "truncated"},
		{"truncated below its high-water mark", func(t *testing.T) []byte {
			g := good(t)
			m := readMetas(bytes.NewReader(g), int64(len(g)))
			end := int(m[0].pgid*uint64(m[0].pageSize)) - 1
			if end > len(g) || end < 5*4096 {
				t.Fatalf("fixture: high-water mark %d of a %d-byte file", end, len(g))
			}
			return g[:end]
		}, "truncated"},
		{"data pages overwritten", func(t *testing.T) []byte {
			g := good(t)
			copy(g[8192:], random(len(g)-8192))
			return g
		}, "corrupted"},
		{"leaf pages overwritten, root and freelist intact", func(t *testing.T) []byte {
			g := good(t)
			m := readMetas(bytes.NewReader(g), int64(len(g)))[1]
			if m0 := readMetas(bytes.NewReader(g), int64(len(g)))[0]; m0.txid > m.txid {
				m = m0
			}
			ps := int(m.pageSize)
			for id := 2; id < int(m.pgid); id++ {
				if uint64(id) != m.root && uint64(id) != m.freelist {
					copy(g[id*ps:(id+1)*ps], random(ps))
				}
			}
			return g
		}, "corrupted"},
		{"bbolt file of another program", func(t *testing.T) []byte {
			p := filepath.Join(t.TempDir(), "other.db")
			rawBolt(t, p, "users", "sessions")
			return readFile(t, p)
		}, "a bbolt file of another program"},
		{"meta bucket without schema", func(t *testing.T) []byte {
			p := filepath.Join(t.TempDir(), "meta.db")
			rawBolt(t, p, bucketMeta)
			return readFile(t, p)
		}, "has no schema_version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "taobot.db")
			content := tc.content(t)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				s, err := OpenWithOptions(path, Options{ReadOnly: ro, Timeout: time.Millisecond})
				if err == nil {
					s.Close()
					t.Fatalf("readOnly=%v: opened a garbage file", ro)
				}
				t.Logf("readOnly=%v: %v", ro, err)
				prefix := path + " is not a taobot state file: "
				if !errors.Is(err, ErrNotStateFile) || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("readOnly=%v: err = %q, want %q...%q", ro, err, prefix, tc.want)
				}
				if got := readFile(t, path); !bytes.Equal(got, content) {
					t.Fatalf("readOnly=%v: the failed open changed the file (%d bytes, was %d)", ro, len(got), len(content))
				}
			}
		})
	}
}

func TestDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir)
	if !errors.Is(err, ErrNotStateFile) {
		t.Errorf("err = %v, want ErrNotStateFile", err)
	}
}

func TestGuardTurnsPanicsIntoErrors(t *testing.T) {
	err := guard("/x.db", func() error { panic("invalid page type") })
	if !errors.Is(err, ErrNotStateFile) || err.Error() != "/x.db is not a taobot state file: corrupted (invalid page type)" {
		t.Errorf("err = %v", err)
	}
}
