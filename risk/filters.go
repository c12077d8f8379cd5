package risk

import (
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// RoundDir says which way a price is rounded to the tick.
type RoundDir int

// Rounding directions.
const (
	RoundDown RoundDir = iota // toward lower prices
	RoundUp                   // toward higher prices
)

// String names the direction for rounding records.
func (r RoundDir) String() string {
	if r == RoundUp {
		return "up"
	}
	return "down"
}

// TAOUSDT filter defaults for paper, dry-run and the calculator when
// exchangeInfo has not been fetched. Live mode uses the exchange's filters.
var (
	DefaultTAOTickSize    = decimal.RequireFromString("0.01")
	DefaultTAOStepSize    = decimal.RequireFromString("0.001")
	DefaultTAOMinQty      = decimal.RequireFromString("0.001")
	DefaultTAOMinNotional = decimal.RequireFromString("5")
)

// DefaultTAORules are TAOUSDT's symbol rules built from the defaults above
// and DefaultTAOBrackets.
func DefaultTAORules() exchange.SymbolRules {
	return exchange.SymbolRules{
		Symbol:      "TAOUSDT",
		TickSize:    DefaultTAOTickSize,
		StepSize:    DefaultTAOStepSize,
		MinQty:      DefaultTAOMinQty,
		MinNotional: DefaultTAOMinNotional,
		MaxLeverage: 75,
		Brackets:    DefaultTAOBrackets(),
	}
}

// RoundQtyDown rounds qty down to the LOT_SIZE grid, (qty-minQty) % step == 0.
// Below minQty it rounds down on the grid from zero, so the caller can still
// report a meaningful too-small quantity. A zero step leaves qty unchanged.
func RoundQtyDown(r exchange.SymbolRules, qty decimal.Decimal) decimal.Decimal {
	return floorToGrid(qty, r.MinQty, r.StepSize)
}

// RoundPrice rounds price to the PRICE_FILTER grid, (price-minPrice) % tick
// == 0, in direction dir. A zero tick leaves price unchanged.
func RoundPrice(r exchange.SymbolRules, price decimal.Decimal, dir RoundDir) decimal.Decimal {
	if dir == RoundUp {
		return ceilToGrid(price, r.MinPrice, r.TickSize)
	}
	return floorToGrid(price, r.MinPrice, r.TickSize)
}

// Price-rounding rules "toward safety", one per price of a plan. A stop is
// rounded toward the entry (a long's stop up, a short's stop down) so it
// triggers no later than the strategy asked and the sized loss is never
// understated. A target is rounded toward the entry too, so the reward is
// never overstated. An entry is rounded to the passive side (a long's down,
// a short's up) so the position is never opened at a worse price than planned.

// StopRoundDir is the tick direction for a protective stop of direction d.
func StopRoundDir(d exchange.PositionDirection) RoundDir {
	if d == exchange.Long {
		return RoundUp
	}
	return RoundDown
}

// TargetRoundDir is the tick direction for a take-profit of direction d.
func TargetRoundDir(d exchange.PositionDirection) RoundDir {
	if d == exchange.Long {
		return RoundDown
	}
	return RoundUp
}

// EntryRoundDir is the tick direction for an entry price of direction d.
func EntryRoundDir(d exchange.PositionDirection) RoundDir {
	if d == exchange.Long {
		return RoundDown
	}
	return RoundUp
}

// MeetsMinQty reports whether qty satisfies LOT_SIZE minQty (and is positive).
func MeetsMinQty(r exchange.SymbolRules, qty decimal.Decimal) bool {
	return qty.IsPositive() && qty.GreaterThanOrEqual(r.MinQty)
}

// MeetsMinNotional reports whether qty*price satisfies MIN_NOTIONAL.
func MeetsMinNotional(r exchange.SymbolRules, qty, price decimal.Decimal) bool {
	return qty.Mul(price).GreaterThanOrEqual(r.MinNotional)
}

// floorToGrid rounds v down to base + k*step (k integer); below base, to k*step.
func floorToGrid(v, base, step decimal.Decimal) decimal.Decimal {
	if !step.IsPositive() {
		return v
	}
	if v.LessThan(base) {
		base = decimal.Zero
	}
	// QuoRem is exact, unlike Div, which rounds at 16 digits and could
	// push a quotient just below an integer up to it.
	k, rem := v.Sub(base).QuoRem(step, 0)
	if rem.IsNegative() {
		k = k.Sub(one)
	}
	return base.Add(k.Mul(step))
}

// ceilToGrid rounds v up to base + k*step (k integer); below base, to k*step.
func ceilToGrid(v, base, step decimal.Decimal) decimal.Decimal {
	if !step.IsPositive() {
		return v
	}
	if v.LessThan(base) {
		base = decimal.Zero
	}
	k, rem := v.Sub(base).QuoRem(step, 0)
	if rem.IsPositive() {
		k = k.Add(one)
	}
	return base.Add(k.Mul(step))
}
