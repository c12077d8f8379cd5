package paper

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// sideSign is +1 for Buy, -1 for Sell.
func sideSign(s exchange.Side) decimal.Decimal { return decimal.NewFromInt(s.Sign()) }

// increasingQty is the part of an order of qty on side that would open or
// grow the position rather than reduce it.
func (t *Trader) increasingQty(side exchange.Side, qty decimal.Decimal) decimal.Decimal {
	pos := t.acct.PosQty
	if pos.IsZero() || pos.Sign() == int(side.Sign()) {
		return qty
	}
	return decimal.Max(decimal.Zero, qty.Sub(pos.Abs()))
}

// lev is the account leverage as a decimal.
func (t *Trader) lev() decimal.Decimal { return decimal.NewFromInt(int64(t.acct.Leverage)) }

// positionMargin is the margin the position holds: the isolated wallet, or
// the initial margin at entry in cross.
func (t *Trader) positionMargin() decimal.Decimal {
	if t.acct.MarginType == exchange.Isolated {
		return t.acct.PosMargin
	}
	return t.acct.PosQty.Abs().Mul(t.acct.PosEntry).Div(t.lev())
}

// unrealized is the position's PnL at the last mark (zero without a mark).
func (t *Trader) unrealized() decimal.Decimal {
	if t.acct.PosQty.IsZero() || !t.mkt.mark.IsPositive() {
		return decimal.Zero
	}
	return t.acct.PosQty.Mul(t.mkt.mark.Sub(t.acct.PosEntry))
}

// orderMargin is the initial margin reserved by open orders that would grow the position.
func (t *Trader) orderMargin() decimal.Decimal {
	sum := decimal.Zero
	for _, o := range t.acct.Orders {
		if o.ReduceOnly {
			continue
		}
		inc := t.increasingQty(o.Side, o.Qty.Sub(o.ExecutedQty))
		sum = sum.Add(inc.Mul(o.Price).Div(t.lev()))
	}
	return sum
}

// available is what new orders may use: wallet minus position and order
// margin, plus unrealized PnL in cross margin (isolated PnL stays in the position).
func (t *Trader) available() decimal.Decimal {
	a := t.acct.Wallet.Sub(t.positionMargin()).Sub(t.orderMargin())
	if t.acct.MarginType == exchange.Cross {
		a = a.Add(t.unrealized())
	}
	return a
}

// checkMargin refuses an order whose increasing part needs more initial
// margin than is available (-2019).
func (t *Trader) checkMargin(side exchange.Side, qty, price decimal.Decimal) error {
	need := t.increasingQty(side, qty).Mul(price).Div(t.lev())
	if need.IsPositive() && need.GreaterThan(t.available()) {
		return reject(exchange.CodeMarginInsufficient, fmt.Sprintf("Margin is insufficient: needs %s, available %s.", need.StringFixed(8), t.available().StringFixed(8)))
	}
	return nil
}

// applyFill books a fill of qty (> 0) on side at price with fee into the
// position and wallet and returns the gross realized PnL of the closed part.
func (t *Trader) applyFill(side exchange.Side, qty, price, fee decimal.Decimal) decimal.Decimal {
	a := &t.acct
	s := sideSign(side)
	realized := decimal.Zero
	if a.PosQty.IsZero() || a.PosQty.Sign() == s.Sign() {
		abs := a.PosQty.Abs()
		newAbs := abs.Add(qty)
		a.PosEntry = abs.Mul(a.PosEntry).Add(qty.Mul(price)).Div(newAbs)
		a.PosQty = a.PosQty.Add(qty.Mul(s))
		if a.MarginType == exchange.Isolated {
			a.PosMargin = a.PosMargin.Add(qty.Mul(price).Div(t.lev()))
		}
	} else {
		abs := a.PosQty.Abs()
		closed := decimal.Min(qty, abs)
		realized = closed.Mul(price.Sub(a.PosEntry)).Mul(decimal.NewFromInt(int64(a.PosQty.Sign())))
		if a.MarginType == exchange.Isolated {
			a.PosMargin = a.PosMargin.Sub(a.PosMargin.Mul(closed).Div(abs))
		}
		a.PosQty = a.PosQty.Add(closed.Mul(s))
		if a.PosQty.IsZero() {
			a.PosEntry, a.PosMargin = decimal.Zero, decimal.Zero
		}
		if rest := qty.Sub(closed); rest.IsPositive() {
			a.PosQty = rest.Mul(s)
			a.PosEntry = price
			if a.MarginType == exchange.Isolated {
				a.PosMargin = rest.Mul(price).Div(t.lev())
			}
		}
	}
	a.Wallet = a.Wallet.Add(realized).Sub(fee)
	a.RealizedPnL = a.RealizedPnL.Add(realized)
	a.Fees = a.Fees.Add(fee)
	return realized
}

// positionView is the position as Binance reports it.
func (t *Trader) positionView(now time.Time) exchange.Position {
	a := &t.acct
	p := exchange.Position{
		Symbol:        t.cfg.Symbol,
		Qty:           a.PosQty,
		EntryPrice:    a.PosEntry,
		MarkPrice:     t.mkt.mark,
		UnrealizedPnL: t.unrealized(),
		Leverage:      a.Leverage,
		MarginType:    a.MarginType,
		UpdateTime:    now,
	}
	if a.MarginType == exchange.Isolated {
		p.IsolatedWallet = a.PosMargin
	}
	if lp, ok := t.liquidationPrice(); ok {
		p.LiquidationPrice = lp
	}
	return p
}

// balanceView is the margin asset's balance as Binance reports it.
func (t *Trader) balanceView(now time.Time, change decimal.Decimal) exchange.Balance {
	a := &t.acct
	cross := a.Wallet
	crossUnr := decimal.Zero
	if a.MarginType == exchange.Isolated {
		cross = cross.Sub(a.PosMargin)
	} else {
		crossUnr = t.unrealized()
	}
	avail := decimal.Max(decimal.Zero, t.available())
	return exchange.Balance{
		Asset:           a.Asset,
		Wallet:          a.Wallet,
		CrossWallet:     cross,
		Available:       avail,
		CrossUnrealized: crossUnr,
		BalanceChange:   change,
		MaxWithdrawable: avail,
		UpdateTime:      now,
	}
}

// accountUpdate builds an ACCOUNT_UPDATE for the current state.
func (t *Trader) accountUpdate(now time.Time, reason string, change decimal.Decimal) exchange.AccountUpdate {
	return exchange.AccountUpdate{
		EventMeta: t.meta(now),
		Reason:    reason,
		Balances:  []exchange.Balance{t.balanceView(now, change)},
		Positions: []exchange.Position{t.positionView(now)},
	}
}

// Positions returns the symbol's one-way position (Qty zero when flat).
func (t *Trader) Positions(ctx context.Context, symbol string) ([]exchange.Position, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if symbol != "" {
		if err := t.checkSymbol(symbol); err != nil {
			return nil, err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return []exchange.Position{t.positionView(t.clock.Now())}, nil
}

// Balances returns the margin asset's wallet and available balance.
func (t *Trader) Balances(ctx context.Context) ([]exchange.Balance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return []exchange.Balance{t.balanceView(t.clock.Now(), decimal.Zero)}, nil
}

// SetLeverage sets the account's leverage (1..Rules.MaxLeverage); open
// isolated margin is kept as it is.
func (t *Trader) SetLeverage(ctx context.Context, symbol string, leverage int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.checkSymbol(symbol); err != nil {
		return err
	}
	if leverage < 1 || (t.cfg.Rules.MaxLeverage > 0 && leverage > t.cfg.Rules.MaxLeverage) {
		return reject(codeBadLeverage, fmt.Sprintf("Leverage %d is not valid.", leverage))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.acct.Leverage
	t.acct.Leverage = leverage
	if err := t.save(); err != nil {
		t.acct.Leverage = old
		return fmt.Errorf("set leverage: %w", err)
	}
	return nil
}

// SetMarginType switches isolated/cross; refused with a position or open orders, like Binance.
func (t *Trader) SetMarginType(ctx context.Context, symbol string, mt exchange.MarginType) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.checkSymbol(symbol); err != nil {
		return err
	}
	if mt != exchange.Isolated && mt != exchange.Cross {
		return reject(exchange.CodeUnknown, fmt.Sprintf("Margin type %q is not ISOLATED or CROSSED.", mt))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.acct.MarginType == mt:
		return reject(exchange.CodeNoNeedChangeMargin, "No need to change margin type.")
	case !t.acct.PosQty.IsZero():
		return reject(codeMarginTypeOpenPos, "Margin type cannot be changed if there exists position.")
	case len(t.acct.Orders) > 0 || len(t.acct.Algos) > 0:
		return reject(codeMarginTypeOpenOrds, "Margin type cannot be changed if there exists open orders.")
	}
	old := t.acct.MarginType
	t.acct.MarginType = mt
	if err := t.save(); err != nil {
		t.acct.MarginType = old
		return fmt.Errorf("set margin type: %w", err)
	}
	return nil
}
