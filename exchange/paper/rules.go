package paper

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// roundTo rounds x to a multiple of step, up or down.
func roundTo(x, step decimal.Decimal, up bool) decimal.Decimal {
	if !step.IsPositive() {
		return x
	}
	n := x.Div(step)
	if up {
		n = n.Ceil()
	} else {
		n = n.Floor()
	}
	return n.Mul(step)
}

// onGrid reports whether x - base is a multiple of step.
func onGrid(x, base, step decimal.Decimal) bool {
	if !step.IsPositive() {
		return true
	}
	return x.Sub(base).Mod(step).IsZero()
}

// checkPrice applies PRICE_FILTER to a limit or trigger price.
func (t *Trader) checkPrice(p decimal.Decimal) error {
	r := t.cfg.Rules
	if r.MinPrice.IsPositive() && p.LessThan(r.MinPrice) || r.MaxPrice.IsPositive() && p.GreaterThan(r.MaxPrice) {
		return reject(exchange.CodeBadTick, fmt.Sprintf("Price %s is outside [%s, %s].", p, r.MinPrice, r.MaxPrice))
	}
	if !onGrid(p, r.MinPrice, r.TickSize) {
		return reject(exchange.CodeBadTick, fmt.Sprintf("Price %s not increased by tick size %s.", p, r.TickSize))
	}
	return nil
}

// checkQty applies LOT_SIZE (or MARKET_LOT_SIZE for market orders).
func (t *Trader) checkQty(q decimal.Decimal, market bool) error {
	r := t.cfg.Rules
	step, minQ, maxQ := r.StepSize, r.MinQty, r.MaxQty
	if market {
		if r.MarketStepSize.IsPositive() {
			step = r.MarketStepSize
		}
		if r.MarketMinQty.IsPositive() {
			minQ = r.MarketMinQty
		}
		if r.MarketMaxQty.IsPositive() {
			maxQ = r.MarketMaxQty
		}
	}
	if !onGrid(q, minQ, step) {
		return reject(exchange.CodeBadPrecision, fmt.Sprintf("Precision is over the maximum defined for this asset: qty %s, step %s.", q, step))
	}
	if q.LessThan(minQ) || maxQ.IsPositive() && q.GreaterThan(maxQ) {
		return reject(codeLotSize, fmt.Sprintf("Filter failure: LOT_SIZE: qty %s outside [%s, %s].", q, minQ, maxQ))
	}
	return nil
}

// checkNotional applies MIN_NOTIONAL; reduce-only and close-position orders are exempt.
func (t *Trader) checkNotional(q, price decimal.Decimal, reduceOnly bool) error {
	if reduceOnly || !t.cfg.Rules.MinNotional.IsPositive() || !price.IsPositive() {
		return nil
	}
	if n := q.Mul(price); n.LessThan(t.cfg.Rules.MinNotional) {
		return reject(exchange.CodeMinNotional, fmt.Sprintf("Order's notional %s must be no smaller than %s (unless you choose reduce only).", n, t.cfg.Rules.MinNotional))
	}
	return nil
}

// checkReduceOnly refuses a reduce-only order that would open, grow or flip the position (-2022).
func (t *Trader) checkReduceOnly(side exchange.Side, qty decimal.Decimal) error {
	pos := t.acct.PosQty
	if pos.IsZero() || pos.Sign() == int(side.Sign()) || qty.GreaterThan(pos.Abs()) {
		return reject(exchange.CodeReduceOnlyRejected, "ReduceOnly Order is rejected.")
	}
	return nil
}

// slipped is the taker price at the book worsened by the configured slippage, on the tick grid.
func (t *Trader) slipped(side exchange.Side, book decimal.Decimal) decimal.Decimal {
	bps := t.cfg.SlippageBps
	if bps.IsZero() {
		return book
	}
	f := bps.Div(decimal.NewFromInt(10000))
	if side == exchange.Buy {
		return roundTo(book.Mul(decimal.NewFromInt(1).Add(f)), t.cfg.Rules.TickSize, true)
	}
	return roundTo(book.Mul(decimal.NewFromInt(1).Sub(f)), t.cfg.Rules.TickSize, false)
}

// bookPrice is the touch a taker on side meets (ask for buys, bid for
// sells), falling back to the last trade and then the mark; zero if unknown.
func (t *Trader) bookPrice(side exchange.Side) (price, depth decimal.Decimal) {
	if side == exchange.Buy && t.mkt.ask.IsPositive() {
		return t.mkt.ask, t.mkt.askQty
	}
	if side == exchange.Sell && t.mkt.bid.IsPositive() {
		return t.mkt.bid, t.mkt.bidQty
	}
	if t.mkt.last.IsPositive() {
		return t.mkt.last, decimal.Zero
	}
	return t.mkt.mark, decimal.Zero
}

// refMark is the price min-notional of market orders is checked at: mark, else the book.
func (t *Trader) refMark(side exchange.Side) decimal.Decimal {
	if t.mkt.mark.IsPositive() {
		return t.mkt.mark
	}
	p, _ := t.bookPrice(side)
	return p
}
