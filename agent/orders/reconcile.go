package orders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// venueView is what the venue says at one moment.
type venueView struct {
	orders map[string]exchange.Order
	algos  map[string]exchange.AlgoOrder
	pos    exchange.Position // the symbol's position; Qty zero when flat
}

// decide logs one reconciliation decision.
func (m *Manager) decide(decision string) *zerolog.Event {
	return m.log.Info().Str("event", "reconcile").Str("decision", decision)
}

// Reconcile compares the store's intents, orders and positions with the
// venue's open orders, open algo orders and position, matched by client id,
// and repairs: legs are advanced to what the venue says (querying vanished
// ones), a never-sent fresh entry is sent, fills missed while away are
// booked, a missing stop is placed at once, an unknown position is adopted
// or flattened, and orders of ours that nothing accounts for are cancelled.
// It returns an error, and the manager refuses to trade, when the venue
// cannot be read.
func (m *Manager) Reconcile(ctx context.Context) error {
	m.reconciled = false
	err := m.reconcile(ctx)
	for i := 0; i < 2 && errors.Is(err, errVenueMoved); i++ {
		err = m.reconcile(ctx) // fills were landing: look again (a pass is idempotent)
	}
	if err != nil {
		m.reconErr = err.Error()
		return err
	}
	m.reconciled, m.reconErr, m.lastRecon = true, "", m.clock.Now()
	m.lastCheck, m.mismatchSince = m.lastRecon, time.Time{}
	if m.firstRecon.IsZero() {
		m.firstRecon = m.lastRecon
	}
	m.log.Info().Str("event", "reconciled").Int("open_trades", len(m.trades)).Msg("store and venue agree; trading allowed")
	return nil
}

func (m *Manager) reconcile(ctx context.Context) error {
	if !m.loaded {
		if err := m.load(); err != nil {
			return err
		}
		m.loaded = true
	}
	v, err := m.readVenue(ctx)
	if err != nil {
		return err
	}
	var errs []error
	m.each(func(t *trade) {
		if err := m.reconcileLegs(ctx, t, v); err != nil {
			errs = append(errs, err)
		}
	})
	if len(errs) == 0 {
		// A position or order of ours the store does not account for must be
		// gone (or adopted) before trading: any failure here fails Reconcile.
		// The legs were queried after the snapshot, so fills may have landed
		// since: act on the position only if it has not moved.
		if err := m.positionUnchanged(ctx, v); err != nil {
			errs = append(errs, err)
		} else if err := m.reconcilePosition(ctx, v); err != nil {
			errs = append(errs, err)
		} else if err := m.cancelOrphans(ctx, v); err != nil {
			errs = append(errs, err)
		}
	}
	// Protection is repaired even when something above failed: a failing
	// query must not leave a position without its stop.
	m.each(func(t *trade) {
		if t.exposure().IsPositive() && !t.protected() {
			m.decide("repair_stop").Str("intent", t.in.ID).Str("qty", t.exposure().String()).Msg("position without a working stop: placing one now")
			m.protect(ctx, t)
		} else if t.exposure().IsPositive() {
			m.placeTarget(ctx, t)
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("reconcile: %w", errors.Join(errs...))
	}
	return nil
}

// errVenueMoved: the venue's position changed during a reconciliation pass.
var errVenueMoved = errors.New("the venue's position changed while reconciling")

// positionUnchanged re-reads the venue's position and compares it with the
// snapshot the pass started from.
func (m *Manager) positionUnchanged(ctx context.Context, v venueView) error {
	cctx, cancel := m.callCtx(ctx)
	ps, err := m.tr.Positions(cctx, m.cfg.Symbol)
	cancel()
	if err != nil {
		return fmt.Errorf("re-read position: %w", err)
	}
	now := decimal.Zero
	for _, p := range ps {
		if p.Symbol == m.cfg.Symbol && !p.Flat() {
			now = p.Qty
		}
	}
	if !now.Equal(v.pos.Qty) {
		m.decide("venue_moved").Str("snapshot_qty", v.pos.Qty.String()).Str("now_qty", now.String()).
			Msg("position changed during reconciliation; looking again")
		return errVenueMoved
	}
	return nil
}

// load reads the unfinished intents, their positions and applied fills.
func (m *Manager) load() error {
	intents, err := m.st.Intents()
	if err != nil {
		return fmt.Errorf("reconcile: read intents: %w", err)
	}
	positions, err := m.st.Positions()
	if err != nil {
		return fmt.Errorf("reconcile: read positions: %w", err)
	}
	orders, err := m.st.Orders()
	if err != nil {
		return fmt.Errorf("reconcile: read orders: %w", err)
	}
	byID := map[string]state.PositionRecord{}
	for _, p := range positions {
		byID[p.IntentID] = p
	}
	recs := map[string]state.OrderRecord{}
	for _, r := range orders {
		recs[r.ClientID] = r
	}
	for _, in := range intents {
		if in.Symbol != m.cfg.Symbol || in.Status != state.IntentPending && in.Status != state.IntentActive {
			continue
		}
		t := newTrade(in)
		if p, ok := byID[in.ID]; ok {
			if !p.Open() {
				continue // closed, the intent status write was lost: nothing to do
			}
			t.pos = &p
			t.entryExec = p.EnteredQty
			t.exitReason = p.ExitReason
		}
		for _, l := range in.Legs {
			if r, ok := recs[l.ClientID]; ok {
				t.applied[l.ClientID] = r.ExecutedQty
				t.status[l.ClientID] = r.Status
			}
		}
		m.addTrade(t)
		m.decide("loaded").Str("intent", in.ID).Str("status", string(in.Status)).Bool("position", t.pos != nil).Msg("unfinished intent loaded from the store")
	}
	return nil
}

func (m *Manager) readVenue(ctx context.Context) (venueView, error) {
	v := venueView{orders: map[string]exchange.Order{}, algos: map[string]exchange.AlgoOrder{}, pos: exchange.Position{Symbol: m.cfg.Symbol}}
	cctx, cancel := m.callCtx(ctx)
	defer cancel()
	orders, err := m.tr.OpenOrders(cctx, m.cfg.Symbol)
	if err != nil {
		return v, fmt.Errorf("reconcile: read open orders: %w", err)
	}
	algos, err := m.tr.OpenAlgoOrders(cctx, m.cfg.Symbol)
	if err != nil {
		return v, fmt.Errorf("reconcile: read open algo orders: %w", err)
	}
	ps, err := m.tr.Positions(cctx, m.cfg.Symbol)
	if err != nil {
		return v, fmt.Errorf("reconcile: read positions: %w", err)
	}
	for _, o := range orders {
		v.orders[o.ClientID] = o
	}
	for _, g := range algos {
		v.algos[g.ClientAlgoID] = g
	}
	for _, p := range ps {
		if p.Symbol == m.cfg.Symbol && !p.Flat() {
			v.pos = p
		}
	}
	return v, nil
}

// reconcileLegs brings every live leg of t to the venue's state.
func (m *Manager) reconcileLegs(ctx context.Context, t *trade, v venueView) error {
	now := m.clock.Now()
	var errs []error
	for i := range t.in.Legs {
		l := &t.in.Legs[i]
		if !live(l.State) {
			continue
		}
		was := l.State
		if o, ok := v.orders[l.ClientID]; ok && l.Kind == state.KindRegular {
			m.observeOrder(t, l, o)
			m.decide("matched").Str("intent", t.in.ID).Str("client_id", l.ClientID).Str("status", string(o.Status)).Msg("leg open at the venue")
		} else if g, ok := v.algos[l.ClientID]; ok && l.Kind == state.KindAlgo {
			m.observeAlgo(t, l, g)
			m.decide("matched").Str("intent", t.in.ID).Str("client_id", l.ClientID).Str("status", string(g.Status)).Msg("leg open at the venue")
		} else {
			found, err := m.query(ctx, t, l)
			if err != nil {
				// Go on with the other legs (a stop must still be seen to);
				// the trade's close/finish decisions wait for a full picture.
				if l.Name == state.LegStop && l.State == state.LegOpen && t.current(state.LegStop) == l {
					t.stopAbsent = true
				}
				errs = append(errs, err)
				continue
			}
			switch {
			case found:
				m.decide("vanished").Str("intent", t.in.ID).Str("client_id", l.ClientID).Str("status", t.status[l.ClientID]).
					Str("leg_state", string(l.State)).Msg("leg no longer open at the venue; took its final state")
			case l.Name == state.LegEntry && (was == state.LegUnknown || was == state.LegSent) && now.Sub(t.in.CreatedAt) < m.cfg.LimitTimeout && t.exitReason == "":
				// Its send had an unknown outcome, or the process stopped while
				// the request may have been out: it may still land, so it is
				// watched, never sent again (see resolve).
				l.State = state.LegUnknown
				if _, ok := t.unknownSince[l.ClientID]; !ok {
					t.unknownSince[l.ClientID] = t.in.CreatedAt
				}
				m.decide("watch_entry").Str("intent", t.in.ID).Str("client_id", l.ClientID).
					Msg("entry with an unknown outcome not at the venue: watching its id, never resending")
			case l.Name == state.LegEntry && was == state.LegPending && m.entryFresh(t, now) && t.exitReason == "":
				m.decide("send_entry").Str("intent", t.in.ID).Str("client_id", l.ClientID).Str("was", string(was)).
					Msg("entry never reached the venue and is still fresh: sending it")
				if oc, err := m.send(ctx, t, l.ClientID); oc == rejectedOut {
					m.finish(t, state.IntentFailed, "entry rejected after restart: "+err.Error())
					return nil
				}
				l = t.leg(t.in.Legs[i].ClientID)
			case l.Name == state.LegEntry:
				l.State = state.LegCanceled
				m.decide("entry_expired").Str("intent", t.in.ID).Str("client_id", l.ClientID).Msg("entry never reached the venue and is stale: dropping it")
			case l.Name == state.LegExit:
				l.State = state.LegCanceled
				m.decide("exit_not_sent").Str("intent", t.in.ID).Str("client_id", l.ClientID).Msg("exit never reached the venue")
			default:
				// A stop or target written but never placed: protect re-sends it under the same id.
				l.State = state.LegPending
				m.decide("not_sent").Str("intent", t.in.ID).Str("client_id", l.ClientID).Msg("leg never reached the venue; will be placed")
			}
		}
		if err := m.catchUp(ctx, t, l); err != nil {
			errs = append(errs, err)
			continue
		}
		_ = m.save(t, m.record(t, l))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if _, ok := m.trades[t.in.ID]; !ok {
		return nil
	}
	if !m.maybeClose(ctx, t) {
		if e := t.current(state.LegEntry); e == nil && t.pos == nil && !t.entryExec.IsPositive() && !m.entryRetryable(t) {
			m.finish(t, state.IntentCanceled, "entry ended unfilled (reconcile)")
		}
	}
	return nil
}

// catchUp books fills of leg l that happened while we were not listening:
// the venue's executed quantity beyond what was booked, at the implied
// average price, with fees and realized PnL unknown (estimated).
func (m *Manager) catchUp(ctx context.Context, t *trade, l *state.Leg) error {
	var exec, avgPx decimal.Decimal
	if l.Kind == state.KindAlgo {
		if l.State != state.LegFilled {
			return nil
		}
		// The triggered order carries the algo order's client id.
		cctx, cancel := m.callCtx(ctx)
		o, err := m.tr.QueryOrder(cctx, t.in.Symbol, l.ClientID)
		cancel()
		if err != nil {
			m.decide("fill_unknown").Str("client_id", l.ClientID).Err(err).Msg("triggered order not found; position compared with the venue instead")
			return nil
		}
		exec, avgPx = o.ExecutedQty, o.AvgPrice
	} else {
		o, err := m.lastOrder(ctx, t, l)
		if err != nil {
			return err
		}
		exec, avgPx = o.ExecutedQty, o.AvgPrice
	}
	prev := t.applied[l.ClientID]
	delta := exec.Sub(prev)
	if !delta.IsPositive() {
		return nil
	}
	price := avgPx
	if prev.IsPositive() {
		// The average of the missing part: (avg*exec - booked average*booked) / delta.
		booked := t.bookedAvg(l)
		price = avgPx.Mul(exec).Sub(booked.Mul(prev)).DivRound(delta, 8)
	}
	m.decide("catch_up_fill").Str("intent", t.in.ID).Str("client_id", l.ClientID).Str("qty", delta.String()).
		Str("price", price.String()).Msg("booking fills missed while away (fees unknown)")
	m.book(t, l, fill{qty: delta, price: price, at: m.clock.Now(), estimated: true}, exec)
	return nil
}

// lastOrder is the venue's current view of a regular leg.
func (m *Manager) lastOrder(ctx context.Context, t *trade, l *state.Leg) (exchange.Order, error) {
	cctx, cancel := m.callCtx(ctx)
	defer cancel()
	o, err := m.tr.QueryOrder(cctx, t.in.Symbol, l.ClientID)
	if classify(err) == notFoundOut {
		return exchange.Order{}, nil
	}
	if err != nil {
		return o, fmt.Errorf("reconcile: query %s: %w", l.ClientID, err)
	}
	return o, nil
}

// bookedAvg is the average price already booked for leg l: the entry
// average for the entry (its only source), else the exit average.
func (t *trade) bookedAvg(l *state.Leg) decimal.Decimal {
	if t.pos == nil {
		return decimal.Zero
	}
	if l.Name == state.LegEntry {
		return t.pos.EntryPrice
	}
	return t.pos.ExitPrice
}

// reconcilePosition compares the venue's position with the booked one. It
// fails when a position nothing accounts for could not be flattened or adopted.
func (m *Manager) reconcilePosition(ctx context.Context, v venueView) error {
	var mine *trade
	m.each(func(t *trade) {
		if mine == nil && t.exposure().IsPositive() {
			mine = t
		}
	})
	vq := v.pos.Qty.Abs()
	switch {
	case mine == nil && vq.IsPositive():
		return m.unknownPosition(ctx, v.pos)
	case mine != nil && !vq.IsPositive():
		// A stop or target that finished: its triggered order tells the fills.
		for i := range mine.in.Legs {
			if l := &mine.in.Legs[i]; l.State == state.LegFilled && (l.Name == state.LegStop || l.Name == state.LegTarget) {
				if err := m.catchUp(ctx, mine, l); err != nil {
					m.log.Warn().Err(err).Str("event", "catch_up_failed").Str("client_id", l.ClientID).Msg("fills of a finished order unknown")
				}
			}
		}
		if m.maybeClose(ctx, mine) || mine.closing {
			return nil // closed, or closing while a leftover order is cancelled
		}
		m.decide("closed_at_venue").Str("intent", mine.in.ID).Str("booked_qty", mine.exposure().String()).
			Msg("the venue is flat: the position closed while we were away; PnL of the missing fills is unknown")
		if mine.pos == nil {
			mine.pos = &state.PositionRecord{ID: mine.in.ID, IntentID: mine.in.ID, Symbol: mine.in.Symbol, Direction: mine.in.Direction,
				Stop: mine.in.Stop, Target: mine.in.Target, RiskUSDT: mine.in.RiskUSDT, OpenedAt: m.clock.Now(), EnteredQty: mine.entryExec}
		}
		if mine.exitReason == "" {
			mine.exitReason = "closed_while_away"
		}
		mine.pnlUnknown = true
		mine.pos.ClosedQty = mine.pos.EnteredQty
		mine.pos.Qty = decimal.Zero
		mine.entryExec = mine.pos.EnteredQty
		m.maybeClose(ctx, mine)
	case mine != nil && v.pos.Direction() != mine.in.Direction:
		m.log.Error().Str("event", "reconcile").Str("decision", "direction_mismatch").Str("intent", mine.in.ID).
			Str("venue_qty", v.pos.Qty.String()).Msg("venue position faces the other way; flattening it and closing our record")
		mine.exitReason = "direction_mismatch"
		if mine.pos != nil {
			mine.pos.ClosedQty, mine.pos.Qty = mine.pos.EnteredQty, decimal.Zero
		}
		m.maybeClose(ctx, mine)
		if err := m.flattenForeign(ctx, "direction mismatch"); err != nil {
			m.log.Error().Err(err).Str("event", "flatten_failed").Msg("could not flatten the mismatched position")
			return fmt.Errorf("flatten mismatched position: %w", err)
		}
	case mine != nil && !vq.Equal(mine.exposure()):
		m.decide("qty_corrected").Str("intent", mine.in.ID).Str("booked_qty", mine.exposure().String()).Str("venue_qty", vq.String()).
			Msg("booked quantity differs from the venue; taking the venue's")
		if mine.pos == nil {
			mine.pos = &state.PositionRecord{ID: mine.in.ID, IntentID: mine.in.ID, Symbol: mine.in.Symbol, Direction: mine.in.Direction,
				Stop: mine.in.Stop, Target: mine.in.Target, RiskUSDT: mine.in.RiskUSDT, OpenedAt: m.clock.Now(), EntryPrice: v.pos.EntryPrice}
		}
		mine.pos.Qty = vq
		mine.pos.EnteredQty = vq.Add(mine.pos.ClosedQty)
		mine.entryExec = mine.pos.EnteredQty
		if err := m.save(mine); err != nil {
			return err
		}
	}
	return nil
}

// unknownPosition adopts (record + protective stop at AdoptStopPct from the
// mark) or flattens a position no intent accounts for; an error means the
// position is still there, unaccounted for.
func (m *Manager) unknownPosition(ctx context.Context, p exchange.Position) error {
	if !m.cfg.AdoptUnknown {
		m.decide("flatten_unknown").Str("qty", p.Qty.String()).Str("entry", p.EntryPrice.String()).Msg("position not in the store: flattening as configured")
		if err := m.flattenForeign(ctx, "unknown position"); err != nil {
			m.log.Error().Err(err).Str("event", "flatten_failed").Msg("could not flatten the unknown position")
			return fmt.Errorf("flatten unknown position: %w", err)
		}
		return nil
	}
	now := m.clock.Now()
	dir := p.Direction()
	ref := p.MarkPrice
	if !ref.IsPositive() {
		ref = m.mark
	}
	if !ref.IsPositive() {
		ref = p.EntryPrice
	}
	dist := ref.Mul(m.cfg.AdoptStopPct).Div(decimal.NewFromInt(100))
	stop := risk.RoundPrice(m.rules, ref.Sub(dist.Mul(decimal.NewFromInt(dir.Sign()))), risk.StopRoundDir(dir))
	qty := p.Qty.Abs()
	id := m.cfg.Prefix + "-a" + strconv.FormatInt(now.UnixMilli(), 36)
	in := state.Intent{ID: id, SignalID: "adopted", Symbol: m.cfg.Symbol, Direction: dir, EntryType: exchange.Market,
		EntryPrice: p.EntryPrice, Stop: stop, Qty: qty, Leverage: p.Leverage, Status: state.IntentActive,
		CreatedAt: now, Notes: "adopted: position found at the venue, not in the store",
		RiskUSDT: p.EntryPrice.Sub(stop).Abs().Mul(qty)}
	t := newTrade(in)
	t.pos = &state.PositionRecord{ID: id, IntentID: id, Symbol: m.cfg.Symbol, Direction: dir, Qty: qty, EntryPrice: p.EntryPrice,
		Stop: stop, RiskUSDT: in.RiskUSDT, OpenedAt: now, EnteredQty: qty}
	t.entryExec = qty
	if err := m.save(t); err != nil {
		return fmt.Errorf("adopt unknown position: %w", err)
	}
	m.addTrade(t)
	m.decide("adopt_unknown").Str("intent", id).Str("qty", p.Qty.String()).Str("entry", p.EntryPrice.String()).
		Str("stop", stop.String()).Msg("position not in the store: adopted with a protective stop")
	return nil
}

// cancelOrphans cancels open orders of ours that no live leg accounts for;
// orders without our prefix are someone else's and left alone. It fails when
// one of ours could not be cancelled (it could close or open the next trade).
func (m *Manager) cancelOrphans(ctx context.Context, v venueView) error {
	liveIDs := map[string]bool{}
	m.each(func(t *trade) {
		for _, l := range t.in.Legs {
			if live(l.State) {
				liveIDs[l.ClientID] = true
			}
		}
	})
	var errs []error
	for _, id := range sortedKeys(v.orders) {
		errs = append(errs, m.orphan(ctx, id, false, liveIDs))
	}
	for _, id := range sortedKeys(v.algos) {
		errs = append(errs, m.orphan(ctx, id, true, liveIDs))
	}
	return errors.Join(errs...)
}

func (m *Manager) orphan(ctx context.Context, id string, algo bool, liveIDs map[string]bool) error {
	if liveIDs[id] {
		return nil
	}
	if !m.ours(id) {
		m.decide("foreign_order").Str("client_id", id).Bool("algo", algo).Msg("open order without our prefix: left alone")
		return nil
	}
	cctx, cancel := m.callCtx(ctx)
	var err error
	if algo {
		_, err = m.tr.CancelAlgoOrder(cctx, m.cfg.Symbol, id)
	} else {
		_, err = m.tr.CancelOrder(cctx, m.cfg.Symbol, id)
	}
	cancel()
	if gone(err) {
		err = nil // already finished (the view is from before this pass's cancels)
	}
	if err != nil {
		m.log.Error().Err(err).Str("event", "reconcile").Str("decision", "cancel_orphan_failed").Str("client_id", id).Bool("algo", algo).
			Msg("open order of ours that no live intent accounts for could not be cancelled")
		return fmt.Errorf("cancel orphan %s: %w", id, err)
	}
	m.decide("cancel_orphan").Str("client_id", id).Bool("algo", algo).Msg("open order of ours that no live intent accounts for: cancelled")
	return nil
}

// codeCancelRejected is Binance's -2011 "Unknown order sent." on a cancel:
// the order is no longer open.
const codeCancelRejected = -2011

// gone reports whether a cancel failed because the order is no longer open.
func gone(err error) bool {
	return err != nil && (classify(err) == notFoundOut || exchange.CodeOf(err) == codeCancelRejected || exchange.CodeOf(err) == exchange.CodeNoSuchOrder)
}
