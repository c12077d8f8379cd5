package liqmap

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// refPrice is the price queries measure from: the mark, else the last trade.
func (m *Map) refPrice() decimal.Decimal {
	if m.haveMark {
		return m.mark
	}
	return m.lastPx
}

// density is one non-empty bucket's decayed notional at query time.
type density struct {
	i int64
	v decimal.Decimal
}

// rankKey orders buckets by value for the local median. All values carry
// outPlaces decimals, so comparing them is a plain integer compare.
type rankKey struct {
	v decimal.Decimal
	k int
}

func cmpRank(a, b rankKey) int {
	if c := a.v.Cmp(b.v); c != 0 {
		return c
	}
	return a.k - b.k
}

// densities lists the non-empty buckets' worth at now, in price order.
func (m *Map) densities(fr, fe decimal.Decimal) []density {
	out := make([]density, 0, 64)
	for k := 0; k < m.grid.n; k++ {
		b := &m.grid.buf[m.grid.off+k]
		if b.empty() {
			continue
		}
		v := m.bucketValue(b, fr, fe).Round(outPlaces)
		if !v.IsPositive() {
			continue
		}
		out = append(out, density{i: m.grid.lo + int64(k), v: v})
	}
	return out
}

// Clusters lists the dense zones at now, lowest price first. A bucket is
// dense when its notional is at least DensityMultiple times the median of
// the 2*LocalWindowBuckets+1 buckets around it (empty ones count as zero),
// at least MinClusterNotional and at least MinClusterSharePct of the map.
// Dense buckets at most ClusterGapBuckets apart form one cluster.
// Cost is O(non-empty buckets * window); it does not change the map.
func (m *Map) Clusters(now time.Time) []Cluster {
	if !m.width.IsPositive() {
		return nil
	}
	nowNs := now.UnixNano()
	fr, fe := m.real.readFactor(nowNs), m.est.readFactor(nowNs)
	ds := m.densities(fr, fe)
	if len(ds) == 0 {
		return nil
	}
	total := m.realTot.Mul(fr).Add(m.estLong.Add(m.estShort).Mul(fe))
	floor := decimal.Max(m.cfg.MinClusterNotional, total.Mul(m.cfg.MinClusterSharePct).Div(hundred))

	w := int64(m.cfg.LocalWindowBuckets)
	thresh := make([]decimal.Decimal, len(ds))
	dense := make([]bool, len(ds))
	// A sliding window over the non-empty buckets, kept sorted by value
	// (ties by position, so the order is total and deterministic).
	sorted := make([]rankKey, 0, 2*w+1)
	lo, hi := 0, 0
	for k, d := range ds {
		for ; hi < len(ds) && ds[hi].i <= d.i+w; hi++ {
			key := rankKey{ds[hi].v, hi}
			at, _ := slices.BinarySearchFunc(sorted, key, cmpRank)
			sorted = slices.Insert(sorted, at, key)
		}
		for ; ds[lo].i < d.i-w; lo++ {
			at, _ := slices.BinarySearchFunc(sorted, rankKey{ds[lo].v, lo}, cmpRank)
			sorted = slices.Delete(sorted, at, at+1)
		}
		thresh[k] = floor
		if d.v.LessThan(floor) {
			continue // below the floor it cannot be dense, whatever the median
		}
		// Sorted ascending the window has 2w+1-len(sorted) zeros first; the median is element w.
		if zeros := int(2*w + 1 - int64(len(sorted))); zeros <= int(w) {
			thresh[k] = decimal.Max(ds[sorted[int(w)-zeros].k].v.Mul(m.cfg.DensityMultiple), floor)
		}
		dense[k] = d.v.GreaterThanOrEqual(thresh[k])
	}

	var out []Cluster
	for k := 0; k < len(ds); k++ {
		if !dense[k] {
			continue
		}
		end := k
		for j := k + 1; j < len(ds) && ds[j].i-ds[end].i <= int64(m.cfg.ClusterGapBuckets)+1; j++ {
			if dense[j] {
				end = j
			}
		}
		out = append(out, m.cluster(ds, thresh, k, end, fr, fe, nowNs))
		k = end
	}
	return out
}

// cluster summarises the buckets of ds[a..b] (inclusive, gaps included).
func (m *Map) cluster(ds []density, thresh []decimal.Decimal, a, b int, fr, fe decimal.Decimal, now int64) Cluster {
	var rL, rS, eL, eS, added decimal.Decimal
	var events int64
	var first, last int64
	peak := a
	for k := a; k <= b; k++ {
		bk := m.grid.at(ds[k].i)
		rL, rS = add(rL, bk.rLong), add(rS, bk.rShort)
		eL, eS = add(eL, bk.eLong), add(eS, bk.eShort)
		added = add(added, bk.added)
		events += bk.rnLong + bk.rnShort
		if first == 0 || (bk.firstSeen != 0 && bk.firstSeen < first) {
			first = bk.firstSeen
		}
		last = max(last, bk.lastAdded)
		if ds[k].v.GreaterThan(ds[peak].v) {
			peak = k
		}
	}
	rl, rs := rL.Mul(fr).Round(outPlaces), rS.Mul(fr).Round(outPlaces)
	el, es := eL.Mul(fe).Round(outPlaces), eS.Mul(fe).Round(outPlaces)
	c := Cluster{
		Low:            m.bucketLow(ds[a].i),
		High:           m.bucketLow(ds[b].i + 1),
		PeakPrice:      m.bucketMid(ds[peak].i),
		PeakNotional:   ds[peak].v.Round(outPlaces),
		Buckets:        int(ds[b].i - ds[a].i + 1),
		Long:           rl.Add(el),
		Short:          rs.Add(es),
		Realized:       rl.Add(rs),
		Estimated:      el.Add(es),
		EstimatedLong:  el,
		EstimatedShort: es,
		RealizedEvents: events,
		FirstSeen:      time.Unix(0, first).UTC(),
		LastAdded:      time.Unix(0, last).UTC(),
		Age:            time.Duration(now - first),
		BuildSpan:      time.Duration(last - first),
	}
	// Each part is rounded once, so Long+Short = Realized+Estimated = Total exactly.
	c.Total = c.Long.Add(c.Short)
	if c.Total.IsPositive() {
		c.RealizedShare = c.Realized.DivRound(c.Total, 4)
	}
	c.Density = c.Total.DivRound(decimal.NewFromInt(int64(c.Buckets)), outPlaces)
	if thresh[peak].IsPositive() {
		c.Strength = ds[peak].v.DivRound(thresh[peak], 4)
	}
	span := max(c.BuildSpan, time.Minute)
	c.BuildRatePerMin = added.Mul(decimal.NewFromInt(int64(time.Minute))).DivRound(decimal.NewFromInt(int64(span)), outPlaces)
	c.BuildFast = c.BuildSpan < m.cfg.BuildFastThreshold
	c.Round = m.roundTag(c.PeakPrice)
	if ref := m.refPrice(); ref.IsPositive() {
		c.DistancePct = pctChange(ref, c.PeakPrice)
	}
	return c
}

// pctChange is (to - from) / from * 100, to four places.
func pctChange(from, to decimal.Decimal) decimal.Decimal {
	return to.Sub(from).Mul(hundred).DivRound(from, 4)
}

// Nearest returns the densest cluster above price and the densest at or
// below it, among clusters whose peak lies within NearestRangePct of price.
// DistancePct of each is measured from price.
//
// "Densest" means the most notional in the zone (Cluster.Total), not the
// fullest single bucket (PeakNotional): Total is what a move through the zone
// would liquidate, while the peak depends on the bucket width and on how the
// zone happens to split across buckets. Ties go to the closer cluster. To
// weigh zones some other way, rank Clusters yourself (the strategy does).
func (m *Map) Nearest(now time.Time, price decimal.Decimal) Nearest {
	if !price.IsPositive() {
		return Nearest{Price: price}
	}
	return NearestOf(m.Clusters(now), price, m.cfg.NearestRangePct)
}

// NearestOf is Nearest over clusters already queried (Map.Clusters), so a
// caller holding them does not scan the map again.
func NearestOf(clusters []Cluster, price, rangePct decimal.Decimal) Nearest {
	out := Nearest{Price: price}
	if !price.IsPositive() {
		return out
	}
	for _, c := range clusters {
		c.DistancePct = pctChange(price, c.PeakPrice)
		if c.DistancePct.Abs().GreaterThan(rangePct) {
			continue
		}
		slot := &out.Below
		if c.PeakPrice.GreaterThan(price) {
			slot = &out.Above
		}
		if *slot == nil || c.Total.GreaterThan((*slot).Total) ||
			(c.Total.Equal((*slot).Total) && c.DistancePct.Abs().LessThan((*slot).DistancePct.Abs())) {
			cc := c
			*slot = &cc
		}
	}
	return out
}

// Velocity is liquidated notional per minute over the short and long
// windows ending at now. Bins of VelocityBin count when they overlap the window.
func (m *Map) Velocity(now time.Time) Velocity {
	v := Velocity{ShortWindow: m.cfg.VelocityShort, LongWindow: m.cfg.VelocityLong}
	nowNs, bin := now.UnixNano(), int64(m.cfg.VelocityBin)
	var rS, rL, eS, eL, longsS, shortsS decimal.Decimal
	for _, b := range m.vel.bins {
		if b.Start > nowNs {
			continue
		}
		if b.Start+bin > nowNs-int64(m.cfg.VelocityLong) {
			rL = rL.Add(b.RealLong).Add(b.RealShort)
			eL = eL.Add(b.EstLong).Add(b.EstShort)
			v.RealizedEventsLong += b.RealEvents
		}
		if b.Start+bin > nowNs-int64(m.cfg.VelocityShort) {
			rS = rS.Add(b.RealLong).Add(b.RealShort)
			eS = eS.Add(b.EstLong).Add(b.EstShort)
			longsS = longsS.Add(b.RealLong).Add(b.EstLong)
			shortsS = shortsS.Add(b.RealShort).Add(b.EstShort)
			v.RealizedEventsShort += b.RealEvents
		}
	}
	perMin := func(x decimal.Decimal, w time.Duration) decimal.Decimal {
		return x.Mul(decimal.NewFromInt(int64(time.Minute))).DivRound(decimal.NewFromInt(int64(w)), outPlaces)
	}
	v.RealizedShortPerMin, v.RealizedLongPerMin = perMin(rS, v.ShortWindow), perMin(rL, v.LongWindow)
	v.EstimatedShortPerMin, v.EstimatedLongPerMin = perMin(eS, v.ShortWindow), perMin(eL, v.LongWindow)
	v.TotalShortPerMin, v.TotalLongPerMin = perMin(rS.Add(eS), v.ShortWindow), perMin(rL.Add(eL), v.LongWindow)
	v.LongsLiquidatedShortPerMin, v.ShortsLiquidatedShortPerMin = perMin(longsS, v.ShortWindow), perMin(shortsS, v.ShortWindow)
	if v.TotalLongPerMin.IsPositive() {
		v.Ratio = v.TotalShortPerMin.DivRound(v.TotalLongPerMin, 4)
		v.Spike = v.Ratio.GreaterThanOrEqual(m.cfg.SpikeRatio)
	}
	return v
}

// Regime compares open interest and mark price at the start and end of
// RegimeWindow before now: the last sample at or before now-window (else the
// first inside it) against the last sample at or before now. It is
// RegimeUnknown when either series has fewer than two samples to compare or
// its newest sample is RegimeWindow or more before now (OI polling or the
// mark stream stopped): an hours-old move says nothing about the market now.
func (m *Map) Regime(now time.Time) Regime {
	nowNs, w := now.UnixNano(), int64(m.cfg.RegimeWindow)
	o0, o1, okO := window(m.oiHist, nowNs, w)
	p0, p1, okP := window(m.pxHist, nowNs, w)
	if !okO || !okP || !o0.V.IsPositive() || !p0.V.IsPositive() {
		return Regime{Kind: RegimeUnknown}
	}
	// window already refuses a newest sample at or before now-w (it is then
	// its own baseline); say so here too, so the rule survives changes there.
	if o1.T <= nowNs-w || p1.T <= nowNs-w {
		return Regime{Kind: RegimeUnknown}
	}
	r := Regime{
		OIChangePct:    pctChange(o0.V, o1.V),
		PriceChangePct: pctChange(p0.V, p1.V),
		From:           time.Unix(0, o0.T).UTC(),
		To:             time.Unix(0, o1.T).UTC(),
	}
	oiUp, pxUp := r.OIChangePct.IsPositive(), r.PriceChangePct.IsPositive()
	switch {
	case r.OIChangePct.Abs().LessThan(m.cfg.RegimeMinOIChangePct) || r.OIChangePct.IsZero() ||
		r.PriceChangePct.Abs().LessThan(m.cfg.RegimeMinPriceChangePct) || r.PriceChangePct.IsZero():
		r.Kind = RegimeNeutral
	case oiUp && pxUp:
		r.Kind = RegimeNewLongs
	case oiUp:
		r.Kind = RegimeNewShorts
	case pxUp:
		r.Kind = RegimeShortSqueeze
	default:
		r.Kind = RegimeLongCapitulation
	}
	return r
}

// window picks the baseline and latest samples of h for the window ending at now.
func window(h []sample, now, w int64) (sample, sample, bool) {
	end := -1
	for k := len(h) - 1; k >= 0; k-- {
		if h[k].T <= now {
			end = k
			break
		}
	}
	if end < 1 {
		return sample{}, sample{}, false
	}
	start := 0
	for k := end; k >= 0; k-- {
		if h[k].T <= now-w {
			start = k
			break
		}
	}
	if start >= end {
		return sample{}, sample{}, false
	}
	return h[start], h[end], true
}

// Buckets lists the non-empty buckets whose range overlaps [lo, hi] at now,
// lowest first. A zero lo or hi leaves that end open.
func (m *Map) Buckets(now time.Time, lo, hi decimal.Decimal) []BucketView {
	if !m.width.IsPositive() {
		return nil
	}
	nowNs := now.UnixNano()
	fr, fe := m.real.readFactor(nowNs), m.est.readFactor(nowNs)
	var out []BucketView
	for k := 0; k < m.grid.n; k++ {
		b := &m.grid.buf[m.grid.off+k]
		if b.empty() {
			continue
		}
		i := m.grid.lo + int64(k)
		low, high := m.bucketLow(i), m.bucketLow(i+1)
		if (lo.IsPositive() && high.LessThanOrEqual(lo)) || (hi.IsPositive() && low.GreaterThan(hi)) {
			continue
		}
		out = append(out, BucketView{
			Low: low, High: high,
			RealizedLong: b.rLong.Mul(fr).Round(outPlaces), RealizedShort: b.rShort.Mul(fr).Round(outPlaces),
			EstimatedLong: b.eLong.Mul(fe).Round(outPlaces), EstimatedShort: b.eShort.Mul(fe).Round(outPlaces),
			RealizedEvents: b.rnLong + b.rnShort,
			Round:          m.roundTag(m.bucketMid(i)),
		})
	}
	return out
}
