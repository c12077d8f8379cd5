package paper

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// liquidationPrice is the position's risk.LiquidationPrice; false when flat or unliquidatable.
func (t *Trader) liquidationPrice() (decimal.Decimal, bool) {
	a := &t.acct
	if a.PosQty.IsZero() {
		return decimal.Zero, false
	}
	wallet := a.PosMargin
	if a.MarginType == exchange.Cross {
		wallet = a.Wallet
	}
	dir := exchange.Long
	if a.PosQty.IsNegative() {
		dir = exchange.Short
	}
	lp, err := risk.LiquidationPrice(risk.LiqInput{Direction: dir, Qty: a.PosQty.Abs(), Entry: a.PosEntry, Wallet: wallet, Brackets: t.cfg.Rules.Brackets})
	if err != nil {
		return decimal.Zero, false
	}
	return lp, true
}

// chargeFunding settles the funding time announced by the mark-price stream
// once now has reached it: payment = position notional at mark × rate,
// positive rate longs pay. evMark is the mark of the event being observed
// (zero if none): used when stamped exactly at the funding time, else the
// last mark seen before it is.
func (t *Trader) chargeFunding(now time.Time, evMark decimal.Decimal, out *[]exchange.Event) bool {
	a := &t.acct
	ft := a.NextFundingTime
	if ft.IsZero() || now.Before(ft) || !ft.After(a.FundedAt) {
		return false
	}
	a.FundedAt = ft
	mark := t.mkt.mark
	if evMark.IsPositive() && (now.Equal(ft) || !mark.IsPositive()) {
		mark = evMark
	}
	if !mark.IsPositive() {
		// Restarted across the funding time with no mark seen since: the
		// entry price is the best estimate left, and skipping would be wrong.
		mark = a.PosEntry
	}
	if a.PosQty.IsZero() || !mark.IsPositive() || a.FundingRate.IsZero() {
		return true
	}
	amount := a.PosQty.Mul(mark).Mul(a.FundingRate).Neg()
	a.Wallet = a.Wallet.Add(amount)
	a.Funding = a.Funding.Add(amount)
	au := t.accountUpdate(ft, "FUNDING_FEE", amount)
	if a.MarginType == exchange.Cross {
		// Like Binance: a cross position's funding update carries the
		// balance only, no position (isolated: the position it is for).
		au.Positions = nil
	}
	*out = append(*out, au)
	return true
}

// liquidateIfDue closes the whole position when the mark has crossed its
// liquidation price. The wallet the formula uses (isolated margin, or the
// cross wallet) is lost entirely: the position is closed at the
// liquidation price and the rest goes to the insurance fund, as on Binance.
func (t *Trader) liquidateIfDue(now time.Time, out *[]exchange.Event) bool {
	a := &t.acct
	lp, ok := t.liquidationPrice()
	mark := t.mkt.mark
	if !ok || !mark.IsPositive() {
		return false
	}
	long := a.PosQty.IsPositive()
	if (long && mark.GreaterThan(lp)) || (!long && mark.LessThan(lp)) {
		return false
	}
	t.cancelAllOpen(now, out)
	qty := a.PosQty.Abs()
	side := exchange.Sell
	if !long {
		side = exchange.Buy
	}
	loss := a.PosMargin
	if a.MarginType == exchange.Cross {
		loss = a.Wallet
	}
	price := roundTo(lp, t.cfg.Rules.TickSize, !long)
	id := a.NextOrderID
	a.NextOrderID++
	tradeID := a.NextTradeID
	a.NextTradeID++
	a.PosQty, a.PosEntry, a.PosMargin = decimal.Zero, decimal.Zero, decimal.Zero
	a.Wallet = a.Wallet.Sub(loss)
	a.RealizedPnL = a.RealizedPnL.Sub(loss)
	o := exchange.Order{
		Symbol: t.cfg.Symbol, ClientID: fmt.Sprintf("autoclose-%d", now.UnixMilli()), OrderID: id,
		Side: side, Type: exchange.LiquidationOrder, TimeInForce: exchange.IOC, Status: exchange.StatusFilled,
		Price: price, Qty: qty, ExecutedQty: qty, AvgPrice: price, ReduceOnly: true, UpdateTime: now,
	}
	t.remember(o)
	*out = append(*out,
		exchange.OrderUpdate{EventMeta: t.meta(now), Order: o, ExecType: "CALCULATED", LastFillQty: qty, LastFillPrice: price,
			Commission: decimal.Zero, CommissionAsset: a.Asset, RealizedPnL: loss.Neg(), TradeID: tradeID},
		t.accountUpdate(now, "ORDER", decimal.Zero),
	)
	return true
}

// cancelAllOpen cancels every open order and expires every open algo order (liquidation does this).
func (t *Trader) cancelAllOpen(now time.Time, out *[]exchange.Event) {
	for _, o := range t.acct.Orders {
		o.Status, o.UpdateTime = exchange.StatusCanceled, now
		t.remember(o)
		*out = append(*out, exchange.OrderUpdate{EventMeta: t.meta(now), Order: o, ExecType: "CANCELED"})
	}
	t.acct.Orders = nil
	for _, g := range t.acct.Algos {
		g.Status, g.UpdateTime = exchange.AlgoExpired, now // Binance: EXPIRED = cancelled by the system
		t.rememberAlgo(g)
		*out = append(*out, exchange.AlgoUpdate{EventMeta: t.meta(now), AlgoOrder: g})
	}
	t.acct.Algos = nil
}
