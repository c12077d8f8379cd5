package risk

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// LiqInput describes a one-way-mode position for the liquidation formula.
type LiqInput struct {
	Direction exchange.PositionDirection
	// Qty is the absolute position size in base asset.
	Qty decimal.Decimal
	// Entry is the average entry price.
	Entry decimal.Decimal
	// Wallet is WB: the isolated wallet balance, or in cross margin the wallet
	// balance minus other positions' maintenance margin plus their unrealized
	// PnL (see CrossWalletBalance).
	Wallet decimal.Decimal
	// Brackets are the symbol's maintenance-margin tiers, ascending.
	Brackets []exchange.Bracket
}

// ErrNoLiquidation means the wallet covers any price move: the position cannot be liquidated.
var ErrNoLiquidation = errors.New("position cannot be liquidated at any positive price")

// BracketFor returns the tier whose [floor, cap) holds notional; past the last cap, the last tier.
func BracketFor(brackets []exchange.Bracket, notional decimal.Decimal) (exchange.Bracket, error) {
	i, err := bracketIndex(brackets, notional)
	if err != nil {
		return exchange.Bracket{}, err
	}
	return brackets[i], nil
}

// bracketIndex is BracketFor by position, so callers need not trust the Bracket numbers.
func bracketIndex(brackets []exchange.Bracket, notional decimal.Decimal) (int, error) {
	if len(brackets) == 0 {
		return 0, errors.New("no maintenance-margin brackets")
	}
	n := notional.Abs()
	for i, b := range brackets {
		if n.GreaterThanOrEqual(b.NotionalFloor) && n.LessThan(b.NotionalCap) {
			return i, nil
		}
	}
	return len(brackets) - 1, nil
}

var one = decimal.NewFromInt(1)

// LiquidationPrice is Binance's one-way-mode formula
//
//	LP = (WB + cum - s*Q*EP) / (Q*MMR - s*Q)
//
// with MMR and cum from the bracket of the notional at the liquidation price:
// when the notional at the first result falls in another bracket, the price
// is recomputed with that bracket, as Binance does. See LiquidationBracket.
func LiquidationPrice(in LiqInput) (decimal.Decimal, error) {
	lp, _, err := LiquidationBracket(in)
	return lp, err
}

// LiquidationBracket returns the liquidation price and the bracket it was computed with.
//
// Rather than hopping from bracket to bracket (which can oscillate on a
// hand-edited table), it solves each tier on its own price range
// [floor/Q, cap/Q) and keeps the first price at which the position is
// liquidated as price moves against it. With Binance's continuous tables
// (cum_n = floor_n*(MMR_n-MMR_n-1) + cum_n-1) that is the one bracket whose
// range holds its own solution, the same answer the recompute rule reaches.
func LiquidationBracket(in LiqInput) (decimal.Decimal, exchange.Bracket, error) {
	if !in.Direction.Valid() {
		return decimal.Zero, exchange.Bracket{}, fmt.Errorf("liquidation price: direction %q is not LONG or SHORT", in.Direction)
	}
	if !in.Qty.IsPositive() || !in.Entry.IsPositive() {
		return decimal.Zero, exchange.Bracket{}, fmt.Errorf("liquidation price: qty and entry must be > 0, got qty %s entry %s", in.Qty, in.Entry)
	}
	if len(in.Brackets) == 0 {
		return decimal.Zero, exchange.Bracket{}, errors.New("liquidation price: no maintenance-margin brackets")
	}
	long := in.Direction == exchange.Long
	s := decimal.NewFromInt(in.Direction.Sign())
	q := in.Qty
	sq := s.Mul(q)
	found := false
	var best decimal.Decimal
	bestIdx := 0
	for i, b := range in.Brackets {
		if b.MaintMarginRatio.IsNegative() || b.MaintMarginRatio.GreaterThanOrEqual(one) {
			return decimal.Zero, exchange.Bracket{}, fmt.Errorf("liquidation price: bracket %d: maintenance margin ratio %s outside [0, 1)", b.Bracket, b.MaintMarginRatio)
		}
		// Price range where this tier applies; the first tier reaches down to 0
		// and the last has no cap, as BracketFor treats them.
		lo := b.NotionalFloor.Div(q)
		if i == 0 {
			lo = decimal.Zero
		}
		last := i == len(in.Brackets)-1
		hi := b.NotionalCap.Div(q)
		num := in.Wallet.Add(b.Cum).Sub(sq.Mul(in.Entry))
		den := q.Mul(b.MaintMarginRatio).Sub(sq)
		p := num.Div(den) // den != 0: MMR < 1
		if long {
			// Liquidated at prices <= p within [lo, hi): the highest such price counts.
			if p.LessThan(lo) {
				continue
			}
			if !last && p.GreaterThanOrEqual(hi) {
				p = hi
			}
			if !found || p.GreaterThan(best) {
				best, bestIdx, found = p, i, true
			}
		} else {
			// Liquidated at prices >= p within [lo, hi): the lowest such price counts.
			if !last && p.GreaterThanOrEqual(hi) {
				continue
			}
			if p.LessThan(lo) {
				p = lo
			}
			if !found || p.LessThan(best) {
				best, bestIdx, found = p, i, true
			}
		}
	}
	if !found || !best.IsPositive() {
		return decimal.Zero, exchange.Bracket{}, ErrNoLiquidation
	}
	return best, in.Brackets[bestIdx], nil
}

// MaintenanceMargin is |Q| * mark * MMR - cum for the bracket of that notional.
func MaintenanceMargin(brackets []exchange.Bracket, qty, mark decimal.Decimal) (decimal.Decimal, error) {
	notional := qty.Abs().Mul(mark)
	b, err := BracketFor(brackets, notional)
	if err != nil {
		return decimal.Zero, err
	}
	return notional.Mul(b.MaintMarginRatio).Sub(b.Cum), nil
}

// CrossPosition is another open position sharing the cross-margin wallet.
type CrossPosition struct {
	// Qty is signed or absolute; only its size matters for maintenance margin.
	Qty decimal.Decimal
	// Mark is the position's current mark price.
	Mark decimal.Decimal
	// UnrealizedPnL is the position's unrealized profit (negative for a loss).
	UnrealizedPnL decimal.Decimal
	// Brackets are that symbol's maintenance-margin tiers.
	Brackets []exchange.Bracket
}

// CrossWalletBalance is WB for a cross-margin liquidation price: the wallet
// balance minus the other positions' maintenance margin plus their
// unrealized PnL.
func CrossWalletBalance(wallet decimal.Decimal, others []CrossPosition) (decimal.Decimal, error) {
	wb := wallet
	for i, o := range others {
		mm, err := MaintenanceMargin(o.Brackets, o.Qty, o.Mark)
		if err != nil {
			return decimal.Zero, fmt.Errorf("cross wallet: other position %d: %w", i, err)
		}
		wb = wb.Sub(mm).Add(o.UnrealizedPnL)
	}
	return wb, nil
}
