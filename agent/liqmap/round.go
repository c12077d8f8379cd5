package liqmap

import (
	"time"

	"github.com/shopspring/decimal"
)

// Round numbers follow the price's scale. With u = 10^(floor(log10 p) - 1)
// for the reference price p, the round steps are u, 2.5u, 5u and 10u: around
// TAO's 100-999 that is multiples of 10, 25, 50 and 100; at 1,000-9,999 of
// 100, 250, 500 and 1,000; at 10-99 of 1, 2.5, 5 and 10. The reference is the
// mark (else the last trade), so the whole map uses one scale at a time.
func roundMultiples() []decimal.Decimal {
	return []decimal.Decimal{decimal.NewFromInt(1), decimal.New(25, -1), decimal.NewFromInt(5), decimal.NewFromInt(10)}
}

// roundUnit is u for price p (zero for p <= 0).
func roundUnit(p decimal.Decimal) decimal.Decimal {
	if !p.IsPositive() {
		return decimal.Zero
	}
	// floor(log10 p) from the digits of the coefficient and the exponent.
	mag := p.NumDigits() + int(p.Exponent()) - 1
	return decimal.New(1, int32(mag-1))
}

// near reports whether p is within dist (a fraction) of a positive multiple of step; it returns the multiple.
func near(p, step, dist decimal.Decimal) (decimal.Decimal, bool) {
	lvl := p.DivRound(step, 0).Mul(step)
	if !lvl.IsPositive() {
		return decimal.Zero, false
	}
	return lvl, p.Sub(lvl).Abs().LessThanOrEqual(p.Mul(dist))
}

// roundTag is the strongest round level within RoundDistancePct of p.
func (m *Map) roundTag(p decimal.Decimal) RoundTag {
	u := roundUnit(m.refPrice())
	if u.IsZero() {
		return RoundTag{}
	}
	dist := m.cfg.RoundDistancePct.Div(hundred)
	mults := roundMultiples()
	for k := len(mults) - 1; k >= 0; k-- {
		step := u.Mul(mults[k])
		if lvl, ok := near(p, step, dist); ok {
			return RoundTag{Level: lvl, Step: step}
		}
	}
	return RoundTag{}
}

// RoundNumbers reports, for each round step, how much of the realized
// (decayed) notional and how many prints fell within RoundDistancePct of a
// multiple of it, next to the share a price-blind print would score
// (Coverage = min(1, 2*distance/step) at the reference price). A claim such
// as "87% of liquidations happen near round numbers" means little when
// Coverage is itself near 1, so read Share against Coverage.
func (m *Map) RoundNumbers(now time.Time) RoundNumberStats {
	ref := m.refPrice()
	st := RoundNumberStats{Reference: ref, Unit: roundUnit(ref), DistancePct: m.cfg.RoundDistancePct}
	if st.Unit.IsZero() || !m.width.IsPositive() {
		return st
	}
	fr := m.real.readFactor(now.UnixNano())
	dist := m.cfg.RoundDistancePct.Div(hundred)
	mults := roundMultiples()
	st.Levels = make([]RoundLevelStats, len(mults))
	stored := make([]decimal.Decimal, len(mults))
	var all decimal.Decimal
	for k := 0; k < m.grid.n; k++ {
		b := &m.grid.buf[m.grid.off+k]
		r := b.rLong.Add(b.rShort)
		if r.IsZero() {
			continue
		}
		all = all.Add(r)
		n := b.rnLong + b.rnShort
		st.RealizedEvents += n
		mid := m.bucketMid(m.grid.lo + int64(k))
		for j, mult := range mults {
			if _, ok := near(mid, st.Unit.Mul(mult), dist); ok {
				stored[j] = stored[j].Add(r)
				st.Levels[j].NearEvents += n
			}
		}
	}
	st.RealizedTotal = all.Mul(fr).Round(outPlaces)
	for j, mult := range mults {
		l := &st.Levels[j]
		l.Step = st.Unit.Mul(mult)
		l.NearNotional = stored[j].Mul(fr).Round(outPlaces)
		if all.IsPositive() {
			l.Share = stored[j].DivRound(all, 4)
		}
		l.Coverage = decimal.Min(one, ref.Mul(dist).Mul(decimal.NewFromInt(2)).DivRound(l.Step, 4))
	}
	return st
}
