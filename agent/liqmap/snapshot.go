package liqmap

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// SnapshotVersion is the format version Snapshot writes and Restore reads.
const SnapshotVersion = 1

// ErrSnapshotVersion means a snapshot was written by an unknown format version.
var ErrSnapshotVersion = errors.New("unsupported liquidation map snapshot version")

type snapLayer struct {
	Epoch int64           `json:"epoch"`
	Set   bool            `json:"set"`
	Scale decimal.Decimal `json:"scale"`
}

type snapBucket struct {
	I     int64           `json:"i"`
	RL    decimal.Decimal `json:"rl"`
	RS    decimal.Decimal `json:"rs"`
	NL    int64           `json:"nl"`
	NS    int64           `json:"ns"`
	EL    decimal.Decimal `json:"el"`
	ES    decimal.Decimal `json:"es"`
	Added decimal.Decimal `json:"added"`
	First int64           `json:"first"`
	Last  int64           `json:"last"`
}

// snapV1 is the whole state; times are unix nanoseconds so they round-trip exactly.
type snapV1 struct {
	Version           int             `json:"version"`
	Symbol            string          `json:"symbol"`
	Width             decimal.Decimal `json:"width"`
	RealizedHalfLife  int64           `json:"realizedHalfLife"`
	EstimatedHalfLife int64           `json:"estimatedHalfLife"`
	Real              snapLayer       `json:"real"`
	Est               snapLayer       `json:"est"`
	Mark              decimal.Decimal `json:"mark"`
	MarkTime          int64           `json:"markTime"`
	HaveMark          bool            `json:"haveMark"`
	LastPx            decimal.Decimal `json:"lastPx"`
	OI                decimal.Decimal `json:"oi"`
	OITime            int64           `json:"oiTime"`
	HaveOI            bool            `json:"haveOi"`
	BandLo            int64           `json:"bandLo"`
	BandHi            int64           `json:"bandHi"`
	HaveBand          bool            `json:"haveBand"`
	Latest            int64           `json:"latest"`
	Buckets           []snapBucket    `json:"buckets"`
	Trades            []tradeSample   `json:"trades"`
	Bins              []velBin        `json:"bins"`
	OIHist            []sample        `json:"oiHist"`
	PxHist            []sample        `json:"pxHist"`
	Stats             Stats           `json:"stats"`
}

// Snapshot serialises the whole map state (versioned JSON) for the state
// store. Same state, same bytes.
func (m *Map) Snapshot() ([]byte, error) {
	s := snapV1{
		Version: SnapshotVersion, Symbol: m.cfg.Symbol, Width: m.width,
		RealizedHalfLife: int64(m.cfg.RealizedHalfLife), EstimatedHalfLife: int64(m.cfg.EstimatedHalfLife),
		Real: snapLayer{Epoch: m.real.epoch, Set: m.real.set, Scale: m.real.scale},
		Est:  snapLayer{Epoch: m.est.epoch, Set: m.est.set, Scale: m.est.scale},
		Mark: m.mark, MarkTime: m.markTime, HaveMark: m.haveMark, LastPx: m.lastPx,
		OI: m.oi, OITime: m.oiTime, HaveOI: m.haveOI,
		BandLo: m.bandLo, BandHi: m.bandHi, HaveBand: m.haveBand, Latest: m.latest,
		Trades: m.trades.live(), Bins: m.vel.bins, OIHist: m.oiHist, PxHist: m.pxHist, Stats: m.stats,
	}
	for k := 0; k < m.grid.n; k++ {
		b := &m.grid.buf[m.grid.off+k]
		if b.empty() {
			continue
		}
		s.Buckets = append(s.Buckets, snapBucket{
			I: m.grid.lo + int64(k), RL: b.rLong, RS: b.rShort, NL: b.rnLong, NS: b.rnShort,
			EL: b.eLong, ES: b.eShort, Added: b.added, First: b.firstSeen, Last: b.lastAdded,
		})
	}
	// Empty and nil slices must encode alike so a restored map snapshots to the same bytes.
	s.Trades, s.Bins, s.OIHist, s.PxHist = nilIfEmpty(s.Trades), nilIfEmpty(s.Bins), nilIfEmpty(s.OIHist), nilIfEmpty(s.PxHist)
	out, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("liqmap snapshot: %w", err)
	}
	return out, nil
}

// Restore replaces the map's state with a snapshot taken by a map with a
// compatible config (same bucket width when set in ticks, same half-lives).
// On error the map is unchanged.
func (m *Map) Restore(data []byte) error {
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("liqmap restore: %w", err)
	}
	if head.Version != SnapshotVersion {
		return fmt.Errorf("liqmap restore: version %d: %w", head.Version, ErrSnapshotVersion)
	}
	var s snapV1
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("liqmap restore: %w", err)
	}
	switch {
	case s.RealizedHalfLife != int64(m.cfg.RealizedHalfLife) || s.EstimatedHalfLife != int64(m.cfg.EstimatedHalfLife):
		return fmt.Errorf("liqmap restore: snapshot half-lives %v/%v differ from config %v/%v",
			s.RealizedHalfLife, s.EstimatedHalfLife, m.cfg.RealizedHalfLife, m.cfg.EstimatedHalfLife)
	case m.width.IsPositive() && !s.Width.Equal(m.width):
		return fmt.Errorf("liqmap restore: snapshot bucket width %s differs from config %s", s.Width, m.width)
	case len(s.Buckets) > 0 && !s.Width.IsPositive():
		return fmt.Errorf("liqmap restore: snapshot has buckets but no width")
	case !s.Real.Scale.IsPositive() || !s.Est.Scale.IsPositive():
		return fmt.Errorf("liqmap restore: layer scales must be > 0, got %s and %s", s.Real.Scale, s.Est.Scale)
	case m.cfg.Symbol != "" && s.Symbol != "" && s.Symbol != m.cfg.Symbol:
		return fmt.Errorf("liqmap restore: snapshot is for %s, config for %s", s.Symbol, m.cfg.Symbol)
	}
	if err := checkBand(&s); err != nil {
		return fmt.Errorf("liqmap restore: %w", err)
	}
	n, err := New(m.cfg)
	if err != nil {
		return fmt.Errorf("liqmap restore: %w", err)
	}
	n.width = s.Width
	n.real.epoch, n.real.set, n.real.scale = s.Real.Epoch, s.Real.Set, s.Real.Scale
	n.est.epoch, n.est.set, n.est.scale = s.Est.Epoch, s.Est.Set, s.Est.Scale
	n.mark, n.markTime, n.haveMark, n.lastPx = s.Mark, s.MarkTime, s.HaveMark, s.LastPx
	if n.haveMark {
		n.markIdx = n.idx(n.mark)
	}
	n.oi, n.oiTime, n.haveOI = s.OI, s.OITime, s.HaveOI
	n.bandLo, n.bandHi, n.haveBand, n.latest = s.BandLo, s.BandHi, s.HaveBand, s.Latest
	prev := int64(0)
	for k, sb := range s.Buckets {
		if k > 0 && sb.I <= prev {
			return fmt.Errorf("liqmap restore: bucket %d out of order", sb.I)
		}
		prev = sb.I
		if sb.RL.IsNegative() || sb.RS.IsNegative() || sb.EL.IsNegative() || sb.ES.IsNegative() || sb.NL < 0 || sb.NS < 0 {
			return fmt.Errorf("liqmap restore: bucket %d has negative notional or counts", sb.I)
		}
		b := n.grid.ensure(sb.I)
		*b = bucket{rLong: sb.RL, rShort: sb.RS, rnLong: sb.NL, rnShort: sb.NS, eLong: sb.EL, eShort: sb.ES,
			added: sb.Added, firstSeen: sb.First, lastAdded: sb.Last}
		n.realTot = n.realTot.Add(sb.RL).Add(sb.RS)
		n.estLong, n.estShort = n.estLong.Add(sb.EL), n.estShort.Add(sb.ES)
	}
	for _, t := range s.Trades {
		n.trades.add(t)
	}
	n.vel.bins, n.oiHist, n.pxHist, n.stats = s.Bins, s.OIHist, s.PxHist, s.Stats
	*m = *n
	return nil
}

// checkBand bounds what Restore will allocate: the grid is dense from its
// lowest to its highest bucket, so a corrupt index far from the others would
// cost memory for every bucket between. Buckets must lie in the snapshot's
// band, and the band must hold its reference price (the mark, else the last
// price) and be no wider than any BandPct (< 100%) could make it there.
func checkBand(s *snapV1) error {
	if len(s.Buckets) == 0 {
		return nil
	}
	if !s.HaveBand {
		return errors.New("snapshot has buckets but no band")
	}
	ref := s.LastPx
	if s.HaveMark {
		ref = s.Mark
	}
	if !ref.IsPositive() {
		return fmt.Errorf("snapshot has buckets but no positive reference price (got %s)", ref)
	}
	in := func(i int64) bool { return i >= s.BandLo && i <= s.BandHi }
	refIdx, _ := ref.QuoRem(s.Width, 0)
	// A band of p*(1±f) with f < 1 spans fewer than 2p/width + 2 buckets.
	maxSpan := ref.Mul(decimal.NewFromInt(2)).Div(s.Width).Ceil().Add(decimal.NewFromInt(2))
	span := decimal.NewFromInt(s.BandHi).Sub(decimal.NewFromInt(s.BandLo))
	if s.BandLo > s.BandHi || !in(refIdx.IntPart()) || span.GreaterThan(maxSpan) {
		return fmt.Errorf("snapshot band [%d, %d] does not fit price %s at width %s", s.BandLo, s.BandHi, ref, s.Width)
	}
	for _, b := range s.Buckets {
		if !in(b.I) {
			return fmt.Errorf("snapshot bucket %d lies outside its band [%d, %d]", b.I, s.BandLo, s.BandHi)
		}
	}
	return nil
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
