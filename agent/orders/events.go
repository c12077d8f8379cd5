package orders

import (
	"context"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// OnEvent takes every market and user event: order and algo updates move
// legs and book fills, funding is booked against the open position, and the
// end of a user-stream gap triggers a reconciliation.
func (m *Manager) OnEvent(ctx context.Context, ev exchange.Event) {
	if ev.Meta().Symbol != "" && ev.Meta().Symbol != m.cfg.Symbol {
		return
	}
	switch e := ev.(type) {
	case exchange.MarkPrice:
		m.mark = e.Mark
	case exchange.OrderUpdate:
		m.onOrderUpdate(ctx, e)
	case exchange.AlgoUpdate:
		m.onAlgoUpdate(ctx, e)
	case exchange.AccountUpdate:
		if e.Reason == "FUNDING_FEE" {
			m.onFunding(e)
		}
	case exchange.StreamGap:
		if e.Stream != m.cfg.UserStream {
			return
		}
		if e.Ongoing() {
			m.blind = true
			m.log.Warn().Str("event", "user_stream_gap").Time("start", e.Start).Msg("user stream blind: no new trades until reconciled")
			return
		}
		m.blind = false
		if err := m.Reconcile(ctx); err != nil {
			m.log.Error().Err(err).Str("event", "reconcile_failed").Msg("reconcile after user-stream gap failed; retrying on tick")
		}
	}
}

// find returns the trade and leg of a client id of ours.
func (m *Manager) find(cid string) (*trade, *state.Leg) {
	for _, id := range m.order {
		t := m.trades[id]
		if l := t.leg(cid); l != nil {
			return t, l
		}
	}
	return nil, nil
}

func (m *Manager) onOrderUpdate(ctx context.Context, e exchange.OrderUpdate) {
	o := e.Order
	if e.ExecType == "CALCULATED" || o.Type == exchange.LiquidationOrder || strings.HasPrefix(o.ClientID, "autoclose-") || strings.HasPrefix(o.ClientID, "adl_autoclose") {
		m.onLiquidation(ctx, e)
		return
	}
	t, l := m.find(o.ClientID)
	if t == nil && o.OrderID != 0 {
		// The order a triggered algo order became may carry its own client id.
		if cid, ok := m.actual[o.OrderID]; ok {
			t, l = m.find(cid)
		}
	}
	if t == nil {
		switch {
		case e.ExecType != "TRADE" || m.flattens[o.ClientID]:
		case m.ours(o.ClientID):
			// A fill of ours no live intent expects: the venue position is
			// not what we think. Reconcile (adopt or flatten) on the next tick.
			m.needRecon = true
			m.log.Error().Str("event", "unexpected_fill").Str("client_id", o.ClientID).Str("qty", e.LastFillQty.String()).
				Msg("fill for an order no live intent expects; reconciling")
		case o.OrderID != 0:
			// Perhaps the order a triggered stop or target became, with a
			// venue-assigned client id, ahead of the ALGO_UPDATE naming it:
			// held for unmatchedHold, then reconciled.
			if m.unmatched[o.OrderID] == nil {
				m.unmatchedAt[o.OrderID] = m.clock.Now()
			}
			m.unmatched[o.OrderID] = append(m.unmatched[o.OrderID], e)
		default:
			m.needRecon = true
			m.log.Error().Str("event", "unmatched_fill").Str("client_id", o.ClientID).Str("qty", e.LastFillQty.String()).
				Msg("fill on our symbol no order of ours accounts for; reconciling")
		}
		return
	}
	if l.Kind == state.KindAlgo {
		// The regular order a triggered algo order became: only its fills matter here.
		if e.ExecType == "TRADE" {
			m.bookTrade(t, l, e)
			m.afterChange(ctx, t)
		}
		return
	}
	if l.ExchangeID != 0 && o.OrderID != 0 && o.OrderID != l.ExchangeID {
		m.onOtherOrder(ctx, t, l, e)
		return
	}
	m.observeOrder(t, l, o)
	if e.ExecType == "TRADE" {
		m.bookTrade(t, l, e)
	} else {
		_ = m.save(t, m.record(t, l))
	}
	m.afterChange(ctx, t)
}

func (m *Manager) onAlgoUpdate(ctx context.Context, e exchange.AlgoUpdate) {
	t, l := m.find(e.AlgoOrder.ClientAlgoID)
	if t == nil {
		return
	}
	was := l.State
	var held []exchange.OrderUpdate
	if id := e.AlgoOrder.ActualOrderID; id != 0 {
		m.actual[id] = l.ClientID
		held = m.unmatched[id]
		delete(m.unmatched, id)
		delete(m.unmatchedAt, id)
	}
	defer func() {
		// Fills of the triggered order that came first: book them now.
		for _, u := range held {
			m.onOrderUpdate(ctx, u)
		}
	}()
	m.observeAlgo(t, l, e.AlgoOrder)
	if l.State == state.LegFilled && was != state.LegFilled {
		t.finishedAt = m.clock.Now()
	}
	_ = m.save(t, m.record(t, l))
	if l.State != was {
		m.legEvent(m.log.Info(), "algo_update", t, l).Str("status", string(e.AlgoOrder.Status)).Msg("conditional order update")
	}
	m.afterChange(ctx, t)
}

// unmatchedHold is how long a fill no order of ours accounts for is held
// waiting for the ALGO_UPDATE that names its order.
const unmatchedHold = 5 * time.Second

// expireUnmatched gives up on held fills older than unmatchedHold: the
// venue's position is not what we booked, so reconcile.
func (m *Manager) expireUnmatched(now time.Time) {
	for id, at := range m.unmatchedAt {
		if now.Sub(at) < unmatchedHold {
			continue
		}
		for _, u := range m.unmatched[id] {
			m.log.Error().Str("event", "unmatched_fill").Int64("order_id", id).Str("client_id", u.Order.ClientID).
				Str("qty", u.LastFillQty.String()).Msg("fill on our symbol no order of ours accounts for; reconciling")
		}
		delete(m.unmatched, id)
		delete(m.unmatchedAt, id)
		m.needRecon = true
	}
}

// afterChange reacts to a leg or position change: close when flat, protect
// when exposed, finish an intent whose entry ended unfilled.
func (m *Manager) afterChange(ctx context.Context, t *trade) {
	if _, ok := m.trades[t.in.ID]; !ok {
		return
	}
	if m.maybeClose(ctx, t) {
		return
	}
	if e := t.current(state.LegEntry); e == nil && t.pos == nil && !t.entryExec.IsPositive() {
		if !m.entryRetryable(t) {
			m.finish(t, state.IntentCanceled, "entry ended unfilled")
		}
		return
	}
	if t.exposure().IsPositive() {
		if t.protected() {
			m.placeTarget(ctx, t)
		} else {
			m.protect(ctx, t)
		}
	}
}

// entryRetryable: the entry leg is still pending a retry (not placed yet).
func (m *Manager) entryRetryable(t *trade) bool {
	for _, l := range t.in.Legs {
		if l.Name == state.LegEntry && l.State == state.LegPending {
			return true
		}
	}
	return false
}

// onOtherOrder handles an update for a second order under a leg's client id
// (a late duplicate of an entry, say): its fills are booked on their own
// cumulative count, so they add to the position and the stop grows, and a
// reconciliation compares the result with the venue.
func (m *Manager) onOtherOrder(ctx context.Context, t *trade, l *state.Leg, e exchange.OrderUpdate) {
	o := e.Order
	m.needRecon = true
	m.log.Error().Str("event", "second_order").Str("intent", t.in.ID).Str("client_id", l.ClientID).
		Int64("order_id", o.OrderID).Int64("leg_order_id", l.ExchangeID).Str("exec_type", e.ExecType).
		Str("qty", e.LastFillQty.String()).Msg("a second order under one of our client ids; booking its fills and reconciling")
	if e.ExecType != "TRADE" {
		return
	}
	prev := t.others[o.OrderID]
	cum := o.ExecutedQty
	if !cum.IsPositive() {
		cum = prev.Add(e.LastFillQty)
	}
	qty := cum.Sub(prev)
	if !qty.IsPositive() {
		return // re-delivered
	}
	t.others[o.OrderID] = cum
	at := e.ExchangeTime
	if at.IsZero() {
		at = m.clock.Now()
	}
	// cum zero: the leg's own applied count is not this order's.
	m.book(t, l, fill{qty: qty, price: e.LastFillPrice, fee: e.Commission, rp: e.RealizedPnL,
		feeAsset: e.CommissionAsset, maker: e.Maker, tradeID: e.TradeID, orderID: o.OrderID, at: at}, decimal.Zero)
	if l.Name == state.LegEntry {
		t.entryExec = t.entryExec.Add(qty)
	}
	m.afterChange(ctx, t)
}

// fill is one execution to book.
type fill struct {
	qty, price, fee, rp decimal.Decimal
	feeAsset            string
	maker               bool
	tradeID             int64
	orderID             int64
	at                  time.Time
	// estimated: caught up from an order's executed quantity (fees and
	// realized PnL unknown), not from a TRADE event.
	estimated bool
}

// bookTrade books a TRADE update. The order's cumulative executed quantity
// makes re-delivered or already caught-up fills harmless; the fee is booked
// once per stored fill.
func (m *Manager) bookTrade(t *trade, l *state.Leg, e exchange.OrderUpdate) {
	prev := t.applied[l.ClientID]
	cum := e.Order.ExecutedQty
	if !cum.IsPositive() {
		cum = prev.Add(e.LastFillQty)
	}
	qty := decimal.Min(cum.Sub(prev), e.LastFillQty)
	if cum.Sub(prev).GreaterThan(e.LastFillQty) {
		qty = cum.Sub(prev) // an earlier fill went missing: book it at this price
	}
	at := e.ExchangeTime
	if at.IsZero() {
		at = m.clock.Now()
	}
	f := fill{qty: decimal.Max(qty, decimal.Zero), price: e.LastFillPrice, fee: e.Commission, rp: e.RealizedPnL,
		feeAsset: e.CommissionAsset, maker: e.Maker, tradeID: e.TradeID, orderID: e.Order.OrderID, at: at}
	m.book(t, l, f, cum)
}

// book applies f to the position of t and stores it with the intent, the
// position, the order record and the fill in one transaction.
func (m *Manager) book(t *trade, l *state.Leg, f fill, cum decimal.Decimal) {
	now := m.clock.Now()
	if f.at.After(t.lastFillAt) {
		t.lastFillAt = f.at
	}
	var seen bool
	if !f.estimated {
		_ = m.st.View(func(tx *state.Tx) error {
			_, seen, _ = tx.Fills().Get(state.FillKey(f.at, f.tradeID))
			return nil
		})
	}
	if !f.qty.IsPositive() && (seen || f.estimated) {
		return // nothing new
	}
	if t.pos == nil {
		t.pos = &state.PositionRecord{
			ID: t.in.ID, IntentID: t.in.ID, Symbol: t.in.Symbol, Direction: t.in.Direction, Stop: t.in.Stop,
			Target: t.in.Target, RiskUSDT: t.in.RiskUSDT, OpenedAt: f.at,
		}
	}
	p := t.pos
	if f.qty.IsPositive() {
		if l.Name == state.LegEntry {
			p.EntryPrice = avg(p.EntryPrice, p.EnteredQty, f.price, f.qty)
			p.EnteredQty = p.EnteredQty.Add(f.qty)
			p.Qty = p.Qty.Add(f.qty)
		} else {
			if f.estimated {
				f.rp = f.price.Sub(p.EntryPrice).Mul(f.qty).Mul(decimal.NewFromInt(t.in.Direction.Sign()))
			}
			p.ExitPrice = avg(p.ExitPrice, p.ClosedQty, f.price, f.qty)
			p.ClosedQty = p.ClosedQty.Add(f.qty)
			p.Qty = p.Qty.Sub(f.qty)
			t.lastCloser = l.Name
		}
		if cum.GreaterThan(t.applied[l.ClientID]) {
			t.applied[l.ClientID] = cum
		}
	}
	if f.estimated && f.qty.IsPositive() {
		t.estimated[l.ClientID] = true
	}
	fee := decimal.Zero
	if !seen {
		rp := f.rp
		if !f.qty.IsPositive() && t.estimated[l.ClientID] {
			// Its quantity was caught up with an estimated PnL already: the
			// late TRADE adds its fee, not its PnL a second time.
			rp = decimal.Zero
		}
		if f.feeAsset == "" || f.feeAsset == "USDT" {
			fee = f.fee
		} else if !f.fee.IsZero() {
			// Not converted (no price for it here): counted apart, not in USDT PnL.
			m.otherFees[f.feeAsset] = m.otherFees[f.feeAsset].Add(f.fee)
			m.log.Warn().Str("event", "fee_other_asset").Str("intent", t.in.ID).Str("asset", f.feeAsset).
				Str("fee", f.fee.String()).Msg("commission paid in another asset: not booked in the USDT PnL")
		}
		p.Fees = p.Fees.Add(fee)
		p.RealizedPnL = p.RealizedPnL.Add(rp).Sub(fee)
	}
	rec := m.record(t, l)
	rec.AvgPrice = f.price
	t.in.UpdatedAt = now
	err := m.st.Update(func(tx *state.Tx) error {
		if err := tx.Intents().Put(t.in); err != nil {
			return err
		}
		if err := tx.Positions().Put(*p); err != nil {
			return err
		}
		if err := tx.Orders().Put(rec); err != nil {
			return err
		}
		if f.estimated {
			return nil
		}
		return tx.Fills().Put(state.Fill{TradeID: f.tradeID, ClientID: l.ClientID, OrderID: f.orderID, Symbol: t.in.Symbol,
			Side: l.Side, Price: f.price, Qty: f.qty, Fee: f.fee, FeeAsset: f.feeAsset, RealizedPnL: f.rp, Maker: f.maker, Time: f.at})
	})
	if err != nil {
		m.log.Error().Err(err).Str("event", "state_write_failed").Str("intent", t.in.ID).Msg("persist fill")
	}
	m.log.Info().Str("event", "fill").Str("intent", t.in.ID).Str("leg", string(l.Name)).Str("client_id", l.ClientID).
		Str("qty", f.qty.String()).Str("price", f.price.String()).Str("fee", fee.String()).Str("realized_pnl", f.rp.String()).
		Bool("estimated", f.estimated).Str("position_qty", p.Qty.String()).Msg("fill booked")
}

// avg is the quantity-weighted average of (a over qa) and (b over qb).
func avg(a, qa, b, qb decimal.Decimal) decimal.Decimal {
	tot := qa.Add(qb)
	if !tot.IsPositive() {
		return b
	}
	return a.Mul(qa).Add(b.Mul(qb)).DivRound(tot, 8)
}

// onFunding books a FUNDING_FEE balance change against the open position,
// but only when it is provably ours: the update must list our symbol among
// its positions (Binance does so for an isolated position; for a cross one
// it lists none, and the fee could be any symbol's) and only USDT changes
// count. Anything else is logged, not booked.
func (m *Manager) onFunding(e exchange.AccountUpdate) {
	ourSymbol := false
	for _, p := range e.Positions {
		if p.Symbol == m.cfg.Symbol {
			ourSymbol = true
		}
	}
	amt := decimal.Zero
	var other []string
	for _, b := range e.Balances {
		if b.Asset == "USDT" {
			amt = amt.Add(b.BalanceChange)
		} else if !b.BalanceChange.IsZero() {
			other = append(other, b.Asset+" "+b.BalanceChange.String())
		}
	}
	if !ourSymbol || len(other) > 0 {
		m.log.Warn().Str("event", "funding_unattributed").Str("usdt", amt.String()).Strs("other_assets", other).
			Bool("our_symbol", ourSymbol).Msg("funding fee not provably of our position: not booked")
		if !ourSymbol {
			return
		}
	}
	if amt.IsZero() {
		return
	}
	for _, id := range m.order {
		t := m.trades[id]
		if t.pos == nil || !t.pos.Open() || !t.pos.Qty.IsPositive() {
			continue
		}
		t.pos.Funding = t.pos.Funding.Add(amt)
		t.pos.RealizedPnL = t.pos.RealizedPnL.Add(amt)
		_ = m.save(t)
		m.log.Info().Str("event", "funding").Str("intent", t.in.ID).Str("amount", amt.String()).
			Str("funding_total", t.pos.Funding.String()).Msg("funding booked against the position")
		return
	}
}

// onLiquidation books the venue's forced close against the open position.
func (m *Manager) onLiquidation(ctx context.Context, e exchange.OrderUpdate) {
	if e.ExecType != "TRADE" && e.ExecType != "CALCULATED" || !e.LastFillQty.IsPositive() {
		return
	}
	for _, id := range m.order {
		t := m.trades[id]
		if t.pos == nil || !t.pos.Qty.IsPositive() {
			continue
		}
		l := &state.Leg{Name: state.LegExit, ClientID: e.Order.ClientID, Kind: state.KindRegular, Side: e.Order.Side, Type: exchange.LiquidationOrder}
		m.log.Error().Str("event", "liquidated").Str("intent", t.in.ID).Str("qty", e.LastFillQty.String()).
			Str("price", e.LastFillPrice.String()).Msg("position liquidated by the venue")
		t.exitReason = "liquidation"
		m.book(t, l, fill{qty: e.LastFillQty, price: e.LastFillPrice, fee: e.Commission, rp: e.RealizedPnL,
			feeAsset: e.CommissionAsset, tradeID: e.TradeID, orderID: e.Order.OrderID, at: e.ExchangeTime}, e.LastFillQty)
		m.maybeClose(ctx, t)
		return
	}
}

// maybeClose closes the trade when its position is flat and its entry can
// fill no more; it cancels what is left working. It reports whether it closed.
func (m *Manager) maybeClose(ctx context.Context, t *trade) bool {
	p := t.pos
	if p == nil || !p.EnteredQty.IsPositive() || p.Qty.IsPositive() {
		return false
	}
	if e := t.current(state.LegEntry); e != nil {
		if err := m.cancel(ctx, t, e.ClientID, "position closed"); err != nil {
			m.log.Warn().Err(err).Str("event", "cancel_failed").Str("client_id", e.ClientID).Msg("entry remainder not cancelled; retrying on tick")
			return false
		}
		if t.pos.Qty.IsPositive() {
			return false // it filled more before the cancel
		}
	}
	// Every leftover order must be final before the trade is dropped: a
	// stale reduce-only stop or target could close the next trade. Until
	// then the trade stays (closing; Submit refuses) and ticks retry.
	failed := false
	for i := range t.in.Legs {
		if l := &t.in.Legs[i]; live(l.State) {
			if err := m.cancel(ctx, t, l.ClientID, "position closed"); err != nil {
				failed = true
				m.log.Warn().Err(err).Str("event", "cancel_failed").Str("client_id", l.ClientID).
					Msg("leftover order not cancelled; the trade stays open until it is, retrying on tick")
			}
		}
	}
	if failed {
		t.closing = true
		return false
	}
	now := m.clock.Now()
	if !t.lastFillAt.IsZero() {
		now = t.lastFillAt
	}
	reason := t.exitReason
	switch {
	case t.lastCloser == state.LegStop && !t.pnlUnknown:
		// The stop closed it, even if an exit was on its way (time stop, ...).
		reason = "stop"
	case reason == "" && t.lastCloser == state.LegTarget:
		reason = "target"
	case reason == "":
		reason = "closed"
	}
	p.ClosedAt, p.ExitReason, p.Qty = now, reason, decimal.Zero
	if p.RiskUSDT.IsPositive() {
		p.R = p.RealizedPnL.DivRound(p.RiskUSDT, 4)
	}
	t.in.Status = state.IntentClosed
	_ = m.save(t)
	m.dropTrade(t.in.ID)
	m.closedCount++
	stopped := reason == "stop"
	m.log.Info().Str("event", "position_closed").Str("intent", t.in.ID).Str("direction", string(p.Direction)).
		Str("qty", p.EnteredQty.String()).Str("entry", p.EntryPrice.String()).Str("exit", p.ExitPrice.String()).
		Str("fees", p.Fees.String()).Str("funding", p.Funding.String()).Str("net_pnl", p.RealizedPnL.String()).
		Str("r", p.R.String()).Str("reason", reason).Msg("position closed")
	pnl := p.RealizedPnL
	if t.pnlUnknown && p.RiskUSDT.IsPositive() {
		// The closing fills are unknown: assume the worst planned outcome.
		pnl, stopped = p.RiskUSDT.Neg(), true
		m.log.Warn().Str("event", "pnl_unknown").Str("intent", t.in.ID).Str("reported_pnl", pnl.String()).
			Msg("closing fills unknown: reporting a -1R stop-out to the risk limits")
	}
	if m.cfg.OnClose != nil {
		m.cfg.OnClose(now, pnl, stopped)
	}
	return true
}
