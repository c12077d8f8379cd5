package market

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Binance funding constants: 0.01% interest per 8 hours and a ±0.05% damper.
var (
	interestPer8h = decimal.RequireFromString("0.0001")
	damper        = decimal.RequireFromString("0.0005")
)

// funding accumulates the premium index over one interval and settles
// F = P + clamp(I − P, −0.05%, +0.05%), capped at ±cap, rounded to 8 places.
type funding struct {
	interval time.Duration
	next     time.Time
	interest decimal.Decimal // I for one interval
	cap      decimal.Decimal
	wsum     decimal.Decimal // Σ i·P_i (Binance weights later samples more)
	w        int64           // Σ i
	n        int64
	est      decimal.Decimal // F from the samples so far
	estF     float64         // est for the mark price's float median
}

// init sets the interval, interest and cap from c.
func (f *funding) init(c Config) error {
	f.interval = c.FundingInterval
	f.next = c.Start.Truncate(c.FundingInterval).Add(c.FundingInterval)
	f.interest = interestPer8h.Mul(decimal.NewFromInt(int64(c.FundingInterval / time.Second))).
		Div(decimal.NewFromInt(8 * 3600)).Round(8)
	f.cap = c.FundingCap
	if f.cap.IsZero() {
		b := c.Brackets[0]
		if b.InitialLeverage <= 0 {
			return fmt.Errorf("market config: funding cap: first bracket has no initial leverage; set FundingCap")
		}
		imr := decimal.NewFromInt(1).Div(decimal.NewFromInt(int64(b.InitialLeverage)))
		f.cap = decimal.RequireFromString("0.75").Mul(imr.Sub(b.MaintMarginRatio)).Round(6)
		if !f.cap.IsPositive() {
			return fmt.Errorf("market config: funding cap from first bracket is %s; set FundingCap", f.cap)
		}
	}
	f.est = f.rate(decimal.Zero)
	f.estF = f.est.InexactFloat64()
	return nil
}

// rate is the funding formula for an average premium p.
func (f *funding) rate(p decimal.Decimal) decimal.Decimal {
	adj := decimal.Min(damper, decimal.Max(damper.Neg(), f.interest.Sub(p)))
	r := p.Add(adj)
	return decimal.Min(f.cap, decimal.Max(f.cap.Neg(), r)).Round(8)
}

// sample adds one premium index sample from the top of book and the index
// (Binance uses impact bid/ask prices; the synthetic touch stands in for them).
func (f *funding) sample(bid, ask, index int64) {
	num := max(0, bid-index) - max(0, index-ask)
	f.n++
	f.w += f.n
	if num != 0 {
		p := decimal.NewFromInt(num).Div(decimal.NewFromInt(index))
		f.wsum = f.wsum.Add(p.Mul(decimal.NewFromInt(f.n)))
	}
	f.est = f.rate(f.wsum.Div(decimal.NewFromInt(f.w)))
	f.estF = f.est.InexactFloat64()
}

// settle closes the interval at mark and starts the next one.
func (f *funding) settle(mark decimal.Decimal) Funding {
	out := Funding{Time: f.next, Rate: f.est, Mark: mark}
	f.next = f.next.Add(f.interval)
	f.wsum, f.w, f.n = decimal.Zero, 0, 0
	return out
}
