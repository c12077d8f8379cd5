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
	// balance minus other positions' maintenance margin plus their unrealized PnL.
	Wallet decimal.Decimal
	// Brackets are the symbol's maintenance-margin tiers, ascending.
	Brackets []exchange.Bracket
}

// ErrNoLiquidation means the wallet covers any price move: the position cannot be liquidated.
var ErrNoLiquidation = errors.New("position cannot be liquidated at any positive price")

// BracketFor returns the tier whose [floor, cap) holds notional; past the last cap, the last tier.
func BracketFor(brackets []exchange.Bracket, notional decimal.Decimal) (exchange.Bracket, error) {
	if len(brackets) == 0 {
		return exchange.Bracket{}, errors.New("no maintenance-margin brackets")
	}
	n := notional.Abs()
	for _, b := range brackets {
		if n.GreaterThanOrEqual(b.NotionalFloor) && n.LessThan(b.NotionalCap) {
			return b, nil
		}
	}
	return brackets[len(brackets)-1], nil
}

// LiquidationPrice is Binance's one-way-mode formula
//
//	LP = (WB + cum - s*Q*EP) / (Q*MMR - s*Q)
//
// with MMR and cum from the bracket of the position's notional; when the
// notional at the resulting price falls in another bracket it recomputes
// with that bracket, as Binance does.
func LiquidationPrice(in LiqInput) (decimal.Decimal, error) {
	if !in.Direction.Valid() {
		return decimal.Zero, fmt.Errorf("liquidation price: direction %q is not LONG or SHORT", in.Direction)
	}
	if !in.Qty.IsPositive() || !in.Entry.IsPositive() {
		return decimal.Zero, fmt.Errorf("liquidation price: qty and entry must be > 0, got qty %s entry %s", in.Qty, in.Entry)
	}
	s := decimal.NewFromInt(in.Direction.Sign())
	b, err := BracketFor(in.Brackets, in.Qty.Mul(in.Entry))
	if err != nil {
		return decimal.Zero, fmt.Errorf("liquidation price: %w", err)
	}
	var lp decimal.Decimal
	// A bracket switch can flip back and forth only across tiers the notional
	// straddles; a few passes always settle.
	for range len(in.Brackets) + 1 {
		num := in.Wallet.Add(b.Cum).Sub(s.Mul(in.Qty).Mul(in.Entry))
		den := in.Qty.Mul(b.MaintMarginRatio).Sub(s.Mul(in.Qty))
		if den.IsZero() {
			return decimal.Zero, ErrNoLiquidation
		}
		lp = num.Div(den)
		if !lp.IsPositive() {
			return decimal.Zero, ErrNoLiquidation
		}
		nb, err := BracketFor(in.Brackets, in.Qty.Mul(lp))
		if err != nil {
			return decimal.Zero, fmt.Errorf("liquidation price: %w", err)
		}
		if nb.Bracket == b.Bracket {
			break
		}
		b = nb
	}
	return lp, nil
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
