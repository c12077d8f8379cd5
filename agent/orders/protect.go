package orders

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// stopLevel is the price the protective stop should sit at now: the
// position's (moved by break-even or trailing) or the intent's.
func (t *trade) stopLevel() decimal.Decimal {
	if t.pos != nil && t.pos.Stop.IsPositive() {
		return t.pos.Stop
	}
	return t.in.Stop
}

// exiting reports whether a market exit is working or has filled (its fills
// may not be booked yet): no new stops then; the old one stays until flat.
func (t *trade) exiting() bool {
	for _, l := range t.in.Legs {
		if l.Name == state.LegExit && (live(l.State) || l.State == state.LegFilled) {
			return true
		}
	}
	return false
}

// protected reports whether an acknowledged stop covers the exposure at the wanted level.
func (t *trade) protected() bool {
	s := t.current(state.LegStop)
	return s != nil && s.State == state.LegOpen && !t.stopAbsent && s.Qty.GreaterThanOrEqual(t.exposure())
}

// protect makes sure the exposure has a reduce-only STOP_MARKET of at least
// its quantity at the wanted level, then a take-profit. A stop is replaced by
// placing the new version first and cancelling the old one after, so the
// position is never without one; a stop the venue refuses flattens.
func (m *Manager) protect(ctx context.Context, t *trade) {
	want := t.exposure()
	if !want.IsPositive() || t.exiting() {
		return
	}
	if !t.finishedAt.IsZero() && m.clock.Now().Sub(t.finishedAt) < finishGrace {
		// A stop or target just finished: if the venue is flat its fills are
		// on their way, and a new stop would only be refused or left over.
		if q, err := m.venueQty(ctx, t.in.Direction); err == nil && q.IsZero() {
			return
		}
	}
	old := t.current(state.LegStop)
	if old != nil && (old.State == state.LegUnknown || old.State == state.LegPending) {
		// Written or sent but not acknowledged: query first; an absent
		// pending leg is re-sent under the same id, an unknown one after UnknownResend.
		oc, err := m.resolve(ctx, t, old.ClientID)
		if oc == rejectedOut {
			m.stopRejected(ctx, t, old.ClientID, err)
			return
		}
		if err != nil {
			m.log.Warn().Err(err).Str("event", "stop_unresolved").Str("client_id", old.ClientID).Msg("stop outcome still unknown")
		}
		if old = t.current(state.LegStop); old != nil && old.State != state.LegOpen {
			return // still unresolved: next tick
		}
	}
	if old != nil && !t.stopAbsent && old.Qty.GreaterThanOrEqual(want) && old.Price.Equal(t.stopLevel()) {
		m.placeTarget(ctx, t)
		return
	}
	oldID := ""
	if old != nil {
		oldID = old.ClientID
	}
	if t.full(state.LegStop) {
		m.log.Error().Str("event", "stop_versions_exhausted").Str("intent", t.in.ID).
			Msg("no stop version left (client id length); keeping the current stop")
		if old == nil {
			m.stopRejected(ctx, t, "", errors.New("no stop version left"))
		}
		return
	}
	side := t.in.Direction.EntrySide().Opposite()
	cid := t.addLeg(state.Leg{Name: state.LegStop, Kind: state.KindAlgo, Side: side, Type: exchange.StopMarket,
		Price: t.stopLevel(), Qty: want})
	oc, err := m.send(ctx, t, cid)
	switch oc {
	case okOutcome:
		t.stopAbsent = false
		l := t.leg(cid)
		m.legEvent(m.log.Info(), "stop_placed", t, l).Str("working_type", string(m.cfg.StopWorkingType)).Msg("protective stop placed")
		if oldID != "" {
			if err := m.cancel(ctx, t, oldID, "replaced by "+cid); err != nil {
				m.log.Warn().Err(err).Str("event", "cancel_failed").Str("client_id", oldID).Msg("old stop not cancelled (reduce-only, harmless)")
			}
		}
		m.placeTarget(ctx, t)
	case rejectedOut:
		m.stopRejected(ctx, t, cid, err)
	}
}

// stopRejected: a position must never stay unprotected, so close it.
func (m *Manager) stopRejected(ctx context.Context, t *trade, cid string, err error) {
	m.log.Error().Err(err).Str("event", "stop_rejected").Str("intent", t.in.ID).Str("client_id", cid).
		Msg("protective stop refused by the venue; flattening the position")
	if ferr := m.exit(ctx, t, "stop_rejected"); ferr != nil {
		m.log.Error().Err(ferr).Str("event", "flatten_failed").Str("intent", t.in.ID).Msg("could not flatten after a refused stop")
	}
}

// placeTarget places the take-profit once, as closePosition so that it
// never needs amending as the position grows. A target the price has
// already passed (-2021) is taken at market.
func (m *Manager) placeTarget(ctx context.Context, t *trade) {
	if !t.in.Target.IsPositive() || t.exitReason != "" {
		return
	}
	for _, l := range t.in.Legs {
		if l.Name == state.LegTarget && l.State != state.LegCanceled {
			if l.State == state.LegPending || l.State == state.LegUnknown {
				if _, err := m.resolve(ctx, t, l.ClientID); err != nil {
					m.log.Warn().Err(err).Str("event", "target_unresolved").Str("client_id", l.ClientID).Msg("target outcome unknown")
				}
			}
			return
		}
	}
	side := t.in.Direction.EntrySide().Opposite()
	cid := t.addLeg(state.Leg{Name: state.LegTarget, Kind: state.KindAlgo, Side: side, Type: exchange.TakeProfitMarket,
		Price: t.in.Target})
	oc, err := m.send(ctx, t, cid)
	switch {
	case oc == okOutcome:
		m.legEvent(m.log.Info(), "target_placed", t, t.leg(cid)).Msg("take-profit placed")
	case oc == rejectedOut && exchange.CodeOf(err) == exchange.CodeWouldTrigger:
		if xerr := m.exit(ctx, t, "target"); xerr != nil {
			m.log.Error().Err(xerr).Str("event", "exit_failed").Str("intent", t.in.ID).Msg("target passed; market exit failed")
		}
	}
}

// watchProtection raises the alarm for a position without a working stop
// for longer than MissingStopAlarm, and repairs at once.
func (m *Manager) watchProtection(ctx context.Context, t *trade, now time.Time) {
	if !t.exposure().IsPositive() || t.protected() {
		t.unprotectedSince, t.alarmedAt = time.Time{}, time.Time{}
		return
	}
	if t.unprotectedSince.IsZero() {
		t.unprotectedSince = now
	}
	m.protect(ctx, t)
	if t.protected() {
		t.unprotectedSince, t.alarmedAt = time.Time{}, time.Time{}
		return
	}
	if age := now.Sub(t.unprotectedSince); age > m.cfg.MissingStopAlarm && (t.alarmedAt.IsZero() || now.Sub(t.alarmedAt) >= m.cfg.MissingStopAlarm) {
		t.alarmedAt = now
		m.log.Error().Str("event", "unprotected_position").Str("intent", t.in.ID).Str("qty", t.exposure().String()).
			Dur("unprotected_for", age).Msg("position has no protective stop at the venue; repairing")
	}
}

// moveStop applies break-even and trailing rules at mark price mark.
func (m *Manager) moveStop(t *trade, mark decimal.Decimal) {
	if t.pos == nil || !t.pos.Qty.IsPositive() || !mark.IsPositive() || t.exitReason != "" {
		return
	}
	sign := decimal.NewFromInt(t.in.Direction.Sign())
	entry := t.pos.EntryPrice
	r := entry.Sub(t.in.Stop).Abs()
	if !r.IsPositive() {
		return
	}
	gain := mark.Sub(entry).Mul(sign)
	cur := t.stopLevel()
	better := func(p decimal.Decimal) bool { return p.Sub(cur).Mul(sign).IsPositive() }
	beyondMark := func(p decimal.Decimal) bool { return mark.Sub(p).Mul(sign).IsPositive() }
	next := cur
	if m.cfg.Breakeven && gain.GreaterThanOrEqual(m.cfg.BreakevenR.Mul(r)) {
		be := risk.RoundPrice(m.rules, entry, risk.StopRoundDir(t.in.Direction))
		if better(be) && beyondMark(be) {
			next = be
		}
	}
	if m.cfg.Trailing && gain.GreaterThanOrEqual(m.cfg.TrailActivationR.Mul(r)) {
		dist := mark.Mul(m.cfg.TrailDistancePct).Div(decimal.NewFromInt(100))
		cand := risk.RoundPrice(m.rules, mark.Sub(dist.Mul(sign)), risk.StopRoundDir(t.in.Direction))
		// Move only by a tenth of the distance or more, not on every tick.
		step := decimal.Max(dist.Div(decimal.NewFromInt(10)), m.rules.TickSize)
		if cand.Sub(next).Mul(sign).GreaterThanOrEqual(step) && beyondMark(cand) {
			next = cand
		}
	}
	if next.Equal(cur) {
		return
	}
	m.log.Info().Str("event", "stop_move").Str("intent", t.in.ID).Str("from", cur.String()).Str("to", next.String()).
		Str("mark", mark.String()).Msg("moving the protective stop")
	t.pos.Stop = next
}
