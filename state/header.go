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
// its pages in the machine's byte order.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeader     = 16 // id u64, flags u16, count u16, overflow u32
	boltBranchFlag     = 0x01
	boltLeafFlag       = 0x02
	boltMetaFlag       = 0x04
	boltFreelistFlag   = 0x10
	boltNoFreelist     = ^uint64(0)
	boltMetaChecksumAt = 56 // bytes of the meta struct covered by its FNV-64a checksum
	boltMetaSize       = boltMetaChecksumAt + 8
)

// boltMeta is what precheck needs from one bbolt meta page.
type boltMeta struct {
	pageSize uint32
	root     uint64 // page of the root bucket
	freelist uint64 // page of the freelist, or boltNoFreelist
	pgid     uint64 // high-water mark: pages [0, pgid) must exist in the file
	txid     uint64
}

// precheck inspects an existing file before bbolt maps it. bbolt (v1.5)
// trusts its meta pages: a file truncated below the size they claim, or one
// with a damaged freelist page, makes bolt.Open panic (tried: "invalid
// freelist page"), and reading mapped pages past the end of the file can
// fault; a file of zero bytes is silently initialised as a new database.
// All must be clear errors here. It reports whether the file exists; it
// never writes.
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
	// bbolt uses the valid meta with the highest txid; the other one may
	// point at pages reused since, so only the newest is checked.
	m := metas[0]
	if len(metas) > 1 && metas[1].txid > m.txid {
		m = metas[1]
	}
	need := int64(m.pgid) * int64(m.pageSize)
	if m.pgid < 4 || need > size {
		return true, notStateFile(path, fmt.Sprintf("file is %d bytes but its header needs %d (truncated?)", size, need))
	}
	if err := checkPages(f, m); err != nil {
		return true, notStateFile(path, "corrupted: "+err.Error())
	}
	return true, nil
}

// checkPages checks the root and freelist pages the meta points at.
func checkPages(r io.ReaderAt, m boltMeta) error {
	if _, _, err := readPage(r, m, m.root, boltBranchFlag, boltLeafFlag); err != nil {
		return fmt.Errorf("root page: %w", err)
	}
	if m.freelist == boltNoFreelist {
		return nil
	}
	hdr, span, err := readPage(r, m, m.freelist, boltFreelistFlag, boltFreelistFlag)
	if err != nil {
		return fmt.Errorf("freelist page: %w", err)
	}
	n := uint64(binary.NativeEndian.Uint16(hdr[10:]))
	if n == 0xFFFF { // the real count is in the first element
		var c [8]byte
		if _, err := r.ReadAt(c[:], int64(m.freelist)*int64(m.pageSize)+boltPageHeader); err != nil {
			return fmt.Errorf("freelist page: %w", err)
		}
		n = binary.NativeEndian.Uint64(c[:]) + 1
	}
	if n > m.pgid || boltPageHeader+8*n > span {
		return fmt.Errorf("freelist page claims %d entries", n)
	}
	return nil
}

// readPage reads the header of page id and checks its id, type and extent;
// it returns the header and the page's byte span including overflow.
func readPage(r io.ReaderAt, m boltMeta, id uint64, flagA, flagB uint16) ([]byte, uint64, error) {
	if id < 2 || id >= m.pgid {
		return nil, 0, fmt.Errorf("page %d is outside 2..%d", id, m.pgid-1)
	}
	hdr := make([]byte, boltPageHeader)
	if _, err := r.ReadAt(hdr, int64(id)*int64(m.pageSize)); err != nil {
		return nil, 0, fmt.Errorf("page %d: %w", id, err)
	}
	e := binary.NativeEndian
	if got := e.Uint64(hdr); got != id {
		return nil, 0, fmt.Errorf("page %d says it is page %d", id, got)
	}
	if f := e.Uint16(hdr[8:]); f != flagA && f != flagB {
		return nil, 0, fmt.Errorf("page %d has type %#x", id, f)
	}
	overflow := uint64(e.Uint32(hdr[12:]))
	if id+overflow >= m.pgid {
		return nil, 0, fmt.Errorf("page %d overflows past the end (%d more pages)", id, overflow)
	}
	return hdr, (overflow + 1) * uint64(m.pageSize), nil
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
	return boltMeta{pageSize: ps, root: e.Uint64(m[16:]), freelist: e.Uint64(m[32:]), pgid: e.Uint64(m[40:]), txid: e.Uint64(m[48:])}, true
}
