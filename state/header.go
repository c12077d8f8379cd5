package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's on-disk constants (go.etcd.io/bbolt/internal/common). bbolt writes
// its meta pages in the machine's byte order.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeader     = 16 // id u64, flags u16, count u16, overflow u32
	boltMetaFlag       = 0x04
	boltMetaChecksumAt = 56 // bytes of the meta struct covered by its FNV-64a checksum
	boltMetaSize       = boltMetaChecksumAt + 8
)

// boltMeta is what precheck needs from one bbolt meta page.
type boltMeta struct {
	pageSize uint32
	pgid     uint64 // high-water mark: pages [0, pgid) must exist in the file
	txid     uint64
}

// precheck inspects an existing file before bbolt maps it. bbolt trusts its
// meta pages: a file shorter than they claim is mapped past its end and
// reading it kills the process with SIGBUS, and a file of zero bytes is
// silently initialised as a new database. Both must be clear errors here.
// It reports whether the file exists; it never writes.
func precheck(path string) (existed bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open state file %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return true, fmt.Errorf("stat state file %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return true, notStateFile(path, "not a regular file")
	}
	size := info.Size()
	if size == 0 {
		return true, notStateFile(path, "the file is empty (remove it to start with a fresh state)")
	}
	metas := readMetas(f, size)
	if len(metas) == 0 {
		return true, notStateFile(path, "no valid bbolt header (wrong file, or corrupted)")
	}
	for _, m := range metas {
		need := int64(m.pgid) * int64(m.pageSize)
		if m.pgid < 4 || need > size {
			return true, notStateFile(path, fmt.Sprintf("file is %d bytes but its header needs %d (truncated?)", size, need))
		}
	}
	return true, nil
}

// readMetas returns the valid meta pages of a bbolt file, trying page sizes
// the way bbolt does when the first meta page is damaged.
func readMetas(r io.ReaderAt, size int64) []boltMeta {
	var out []boltMeta
	m0, ok := readMeta(r, 0)
	if ok {
		out = append(out, m0)
		if m1, ok := readMeta(r, int64(m0.pageSize)); ok {
			out = append(out, m1)
		}
		return out
	}
	for i := 0; i <= 14; i++ {
		pos := int64(1024) << i
		if pos >= size {
			break
		}
		if m1, ok := readMeta(r, pos); ok && int64(m1.pageSize) == pos {
			return append(out, m1)
		}
	}
	return out
}

// readMeta decodes and validates (magic, version, checksum) the meta page at off.
func readMeta(r io.ReaderAt, off int64) (boltMeta, bool) {
	var buf [boltPageHeader + boltMetaSize]byte
	if _, err := r.ReadAt(buf[:], off); err != nil {
		return boltMeta{}, false
	}
	e := binary.NativeEndian
	if e.Uint16(buf[8:]) != boltMetaFlag {
		return boltMeta{}, false
	}
	m := buf[boltPageHeader:]
	if e.Uint32(m[0:]) != boltMagic || e.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(m[:boltMetaChecksumAt])
	if h.Sum64() != e.Uint64(m[boltMetaChecksumAt:]) {
		return boltMeta{}, false
	}
	ps := e.Uint32(m[8:])
	if ps < 512 || ps > 1<<24 || ps&(ps-1) != 0 {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: ps, pgid: e.Uint64(m[40:]), txid: e.Uint64(m[48:])}, true
}
