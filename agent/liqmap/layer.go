package liqmap

import (
	"time"

	"github.com/shopspring/decimal"
)

// Decay without floats and without touching every bucket on every event.
//
// A layer stores each bucket's notional in "epoch units": a value v added at
// time t is stored as v * 2^((t-epoch)/H). Its worth at time now is
// stored * 0.5^((now-epoch)/H) * scale, one common factor for the whole layer,
// so writes cost one factor and queries one factor, not one per bucket.
// Proportional removal multiplies scale. When the stored numbers would grow
// too big (many half-lives since epoch) or scale too small, the map rebases:
// it folds the factor into every bucket once and restarts the epoch, an O(n)
// step that happens at most once per rebaseHalfLives half-lives (amortised O(1)).
//
// Time is quantised to H/stepsPerHalf (about 5 s for a 6 h half-life), and
// 2^(k/stepsPerHalf) is the product of two table entries, built once from
// decimal square roots. Everything is decimal and
// deterministic across platforms; exactly at a whole number of half-lives the
// factor is an exact power of one half.
const (
	stepBits        = 12
	stepsPerHalf    = 1 << stepBits
	factorPlaces    = 30 // decimal places kept in decay factors
	storePlaces     = 12 // decimal places kept in stored notional
	outPlaces       = 8  // decimal places of notional in query results
	rebaseHalfLives = 16
	maxDecayHalves  = 128 // beyond this a layer reads as zero
)

// layer is the decay state of one layer (realized or estimated).
type layer struct {
	half  time.Duration
	step  int64 // nanoseconds per quantum
	epoch int64 // unix ns; meaningful once set
	set   bool
	scale decimal.Decimal
	// dec[j] = 0.5^(j / stepsPerHalf) and grow[j] = 2^(j / stepsPerHalf) for
	// j < 64 (lo) and for j = 64k (hi): any quantum count is one product.
	decLo, decHi   [splitN]decimal.Decimal
	growLo, growHi [splitN]decimal.Decimal
}

const (
	splitBits = stepBits / 2
	splitN    = 1 << splitBits
)

func newLayer(half time.Duration) layer {
	l := layer{half: half, step: int64(half) / stepsPerHalf, scale: decimal.NewFromInt(1)}
	if l.step < 1 {
		l.step = 1
	}
	// Square roots give 0.5^(2^i/stepsPerHalf); products of them fill the tables.
	var dec, grow [stepBits]decimal.Decimal
	d, g := decimal.RequireFromString("0.5"), decimal.NewFromInt(2)
	for i := stepBits - 1; i >= 0; i-- {
		d, g = sqrtDec(d), sqrtDec(g)
		dec[i], grow[i] = d, g
	}
	for j := range int64(splitN) {
		l.decLo[j], l.decHi[j] = bitProduct(&dec, j), bitProduct(&dec, j<<splitBits)
		l.growLo[j], l.growHi[j] = bitProduct(&grow, j), bitProduct(&grow, j<<splitBits)
	}
	return l
}

// bitProduct multiplies the table entries for the set bits of r (< stepsPerHalf).
func bitProduct(table *[stepBits]decimal.Decimal, r int64) decimal.Decimal {
	f := decimal.NewFromInt(1)
	for i := 0; r != 0; i, r = i+1, r>>1 {
		if r&1 == 1 {
			f = f.Mul(table[i]).Round(factorPlaces)
		}
	}
	return f
}

// sqrtDec is Newton's square root to factorPlaces+4 places, then rounded.
func sqrtDec(a decimal.Decimal) decimal.Decimal {
	const work = factorPlaces + 4
	two := decimal.NewFromInt(2)
	x := a.Add(decimal.NewFromInt(1)).Div(two)
	for range 200 {
		nx := x.Add(a.DivRound(x, work)).DivRound(two, work)
		if nx.Equal(x) {
			break
		}
		x = nx
	}
	return x.Round(factorPlaces)
}

// steps is the number of whole quanta from the epoch to t, never negative.
func (l *layer) steps(t int64) int64 {
	if !l.set || t <= l.epoch {
		return 0
	}
	return (t - l.epoch) / l.step
}

// pow is base^(n/stepsPerHalf) from the split tables, then whole^(n/stepsPerHalf).
func pow(lo, hi *[splitN]decimal.Decimal, n int64, whole decimal.Decimal) decimal.Decimal {
	r := n % stepsPerHalf
	f := hi[r>>splitBits].Mul(lo[r&(splitN-1)]).Round(factorPlaces)
	for q := n / stepsPerHalf; q > 0; q-- {
		f = f.Mul(whole)
	}
	return f
}

// readFactor is what stored values are multiplied by to get their worth at now.
func (l *layer) readFactor(now int64) decimal.Decimal {
	n := l.steps(now)
	if n/stepsPerHalf > maxDecayHalves {
		return decimal.Zero
	}
	return pow(&l.decLo, &l.decHi, n, decimal.RequireFromString("0.5")).Mul(l.scale).Round(factorPlaces)
}

// toStored converts a value v added at time t into stored units. A value
// older than the epoch (a late or back-filled event) is stored already
// decayed by its age at the epoch, from the same tables as readFactor.
func (l *layer) toStored(v decimal.Decimal, t int64) decimal.Decimal {
	var s decimal.Decimal
	if l.set && t < l.epoch {
		n := (l.epoch - t) / l.step
		if n/stepsPerHalf > maxDecayHalves {
			return decimal.Zero
		}
		s = v.Mul(pow(&l.decLo, &l.decHi, n, decimal.RequireFromString("0.5")))
	} else {
		s = v.Mul(pow(&l.growLo, &l.growHi, l.steps(t), decimal.NewFromInt(2)))
	}
	if !l.scale.Equal(decimal.NewFromInt(1)) {
		return s.DivRound(l.scale, storePlaces)
	}
	return s.Round(storePlaces)
}

// needsRebase reports whether writing at t should first fold the factor into the buckets.
func (l *layer) needsRebase(t int64) bool {
	return l.steps(t) >= rebaseHalfLives*stepsPerHalf || l.scale.LessThan(decimal.New(1, -6))
}
