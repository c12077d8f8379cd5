package liqmap

import "github.com/shopspring/decimal"

// bucket holds one price bucket of both layers, in each layer's stored units.
type bucket struct {
	rLong, rShort   decimal.Decimal // realized notional of liquidated longs / shorts
	rnLong, rnShort int64           // realized print counts (a sample, see Stats)
	eLong, eShort   decimal.Decimal // estimated notional of longs / shorts that would liquidate here
	added           decimal.Decimal // undecayed notional added since firstSeen, for build speed
	firstSeen       int64           // unix ns of the first add since the bucket was last empty
	lastAdded       int64
}

// empty reports whether the bucket holds nothing of either layer.
func (b *bucket) empty() bool {
	return b.rLong.IsZero() && b.rShort.IsZero() && b.eLong.IsZero() && b.eShort.IsZero()
}

// resetIfEmpty clears the build history of an emptied bucket.
func (b *bucket) resetIfEmpty() {
	if b.empty() {
		*b = bucket{}
	}
}

// touch records an add of v (undecayed) at t.
func (b *bucket) touch(v decimal.Decimal, t int64) {
	if b.firstSeen == 0 || t < b.firstSeen {
		b.firstSeen = t
	}
	if t > b.lastAdded {
		b.lastAdded = t
	}
	b.added = b.added.Add(v)
}

// grid is a dense run of buckets [lo, lo+len(b)) with slack on both sides so
// growth at either end is amortised O(1).
type grid struct {
	buf []bucket
	off int // buf[off] is bucket lo
	n   int
	lo  int64
}

// span returns the first and one-past-last index held.
func (g *grid) span() (int64, int64) { return g.lo, g.lo + int64(g.n) }

// at returns bucket i or nil when it is not held.
func (g *grid) at(i int64) *bucket {
	if g.n == 0 || i < g.lo || i >= g.lo+int64(g.n) {
		return nil
	}
	return &g.buf[g.off+int(i-g.lo)]
}

// ensure returns bucket i, growing the grid to hold it.
func (g *grid) ensure(i int64) *bucket {
	if g.n == 0 {
		if len(g.buf) == 0 {
			g.buf = make([]bucket, 64)
		}
		clear(g.buf)
		g.off, g.n, g.lo = len(g.buf)/2, 1, i
		return &g.buf[g.off]
	}
	if i < g.lo {
		need := int(g.lo - i)
		if need > g.off {
			g.realloc(need, 0)
		}
		g.off -= need
		g.n += need
		g.lo = i
		clear(g.buf[g.off : g.off+need])
	} else if hi := g.lo + int64(g.n); i >= hi {
		need := int(i - hi + 1)
		if g.off+g.n+need > len(g.buf) {
			g.realloc(0, need)
		}
		clear(g.buf[g.off+g.n : g.off+g.n+need])
		g.n += need
	}
	return &g.buf[g.off+int(i-g.lo)]
}

// realloc copies into a buffer with at least front/back extra room plus slack.
func (g *grid) realloc(front, back int) {
	slack := g.n/2 + 16
	nb := make([]bucket, front+slack+g.n+back+slack)
	copy(nb[front+slack:], g.buf[g.off:g.off+g.n])
	g.buf, g.off = nb, front+slack
}

// popFront removes and returns the lowest bucket.
func (g *grid) popFront() bucket {
	b := g.buf[g.off]
	g.buf[g.off] = bucket{}
	g.off++
	g.n--
	g.lo++
	return b
}

// popBack removes and returns the highest bucket.
func (g *grid) popBack() bucket {
	b := g.buf[g.off+g.n-1]
	g.buf[g.off+g.n-1] = bucket{}
	g.n--
	return b
}
