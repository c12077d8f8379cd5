package orders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// finishGrace is how long the fills of a FINISHED stop or target may take
// to arrive before the manager asks the venue.
const finishGrace = 2 * time.Second

// OnTick runs management once a second: retries and resolutions, stale
// entries, protection and its alarm, stop moves, time stop and the
// cluster-gone exit.
func (m *Manager) OnTick(ctx context.Context, now time.Time, view MarketView) {
	m.expireUnmatched(now)
	if m.needRecon {
		m.needRecon = false
		m.reconciled = false
	}
	if !m.reconciled {
		if (m.loaded || m.reconErr != "") && !now.Before(m.reconNext) {
			if err := m.Reconcile(ctx); err != nil {
				m.reconFails++
				wait := min(time.Second<<min(m.reconFails-1, 5), 30*time.Second)
				m.reconNext = now.Add(wait)
				m.log.Error().Err(err).Str("event", "reconcile_failed").Int("attempt", m.reconFails).Dur("retry_in", wait).
					Msg("reconcile failed; no trading")
			} else {
				m.reconFails, m.reconNext = 0, time.Time{}
			}
		}
		if !m.reconciled {
			// No trading, but what is open stays protected and watched.
			m.each(func(t *trade) { m.watchProtection(ctx, t, now) })
		}
		return
	}
	if view.Mark.IsPositive() {
		m.mark = view.Mark
	}
	m.each(func(t *trade) { m.manage(ctx, t, now, view) })
	m.checkVenue(ctx, now)
}

func (m *Manager) manage(ctx context.Context, t *trade, now time.Time, view MarketView) {
	if !t.finishedAt.IsZero() && now.Sub(t.finishedAt) >= finishGrace && t.exposure().IsPositive() {
		t.finishedAt = time.Time{}
		m.needRecon = true
		m.log.Warn().Str("event", "fills_missing").Str("intent", t.in.ID).Str("booked_qty", t.exposure().String()).
			Msg("a stop or target finished but its fills were not booked; reconciling")
		return // no new stop for a position the venue may have closed: ask it first
	}
	// Legs whose outcome is unknown or that still wait for a retry.
	for _, l := range append([]state.Leg(nil), t.in.Legs...) {
		if l.State == state.LegUnknown || l.State == state.LegPending && (l.Name == state.LegEntry || l.Name == state.LegExit) {
			if l.Name == state.LegEntry && l.State == state.LegPending && !m.entryFresh(t, now) {
				if found, err := m.query(ctx, t, t.leg(l.ClientID)); err == nil && !found {
					t.leg(l.ClientID).State = state.LegCanceled
					m.finish(t, state.IntentCanceled, "entry never placed while fresh")
					return
				}
				continue
			}
			if _, err := m.resolve(ctx, t, l.ClientID); err != nil {
				m.log.Warn().Err(err).Str("event", "resolve_failed").Str("client_id", l.ClientID).Msg("leg still unresolved")
			}
		}
	}
	if e := t.current(state.LegEntry); e != nil && e.State == state.LegOpen && e.Type == exchange.Limit &&
		now.Sub(t.in.CreatedAt) >= m.cfg.LimitTimeout {
		if err := m.cancel(ctx, t, e.ClientID, "limit timeout"); err != nil {
			m.log.Warn().Err(err).Str("event", "cancel_failed").Str("client_id", e.ClientID).Msg("stale entry not cancelled")
		}
	}
	m.afterChange(ctx, t)
	if _, ok := m.trades[t.in.ID]; !ok {
		return
	}
	m.watchProtection(ctx, t, now)
	if t.pos == nil || !t.pos.Qty.IsPositive() {
		return
	}
	// An exit already working: resend if it ended without closing.
	if t.exitReason != "" {
		if t.current(state.LegExit) == nil {
			if err := m.exit(ctx, t, t.exitReason); err != nil {
				m.log.Error().Err(err).Str("event", "exit_failed").Str("intent", t.in.ID).Msg("exit retry failed")
			}
		}
		return
	}
	if view.Mark.IsPositive() && !view.Stale {
		before := t.stopLevel()
		m.moveStop(t, view.Mark)
		if !t.stopLevel().Equal(before) {
			_ = m.save(t)
			m.protect(ctx, t)
		}
	}
	if m.cfg.TimeStop > 0 && now.Sub(t.pos.OpenedAt) >= m.cfg.TimeStop {
		m.exitLogged(ctx, t, "time_stop")
		return
	}
	if m.cfg.ExitOnClusterGone && !view.Stale && view.Nearest.Price.IsPositive() && t.in.Target.IsPositive() {
		if m.clusterNear(t, view) {
			t.clusterMissSince = time.Time{}
		} else if t.clusterMissSince.IsZero() {
			t.clusterMissSince = now
		} else if now.Sub(t.clusterMissSince) >= m.cfg.ClusterGoneGrace {
			m.exitLogged(ctx, t, "cluster_gone")
		}
	}
}

// marketEntryFresh is how old a market entry not yet placed may be and
// still be sent: its plan was made for the price of the moment.
const marketEntryFresh = 5 * time.Second

// entryFresh reports whether a never-placed entry may still be sent: a
// limit entry for LimitTimeout, a market entry for a few seconds.
func (m *Manager) entryFresh(t *trade, now time.Time) bool {
	limit := m.cfg.LimitTimeout
	if t.in.EntryType == exchange.Market && marketEntryFresh < limit {
		limit = marketEntryFresh
	}
	return now.Sub(t.in.CreatedAt) < limit
}

// clusterNear reports whether the map still has a cluster near the
// trade's target on the target's side of price.
func (m *Manager) clusterNear(t *trade, view MarketView) bool {
	c := view.Nearest.Above
	if t.in.Direction == exchange.Short {
		c = view.Nearest.Below
	}
	if c == nil {
		return false
	}
	tol := t.in.Target.Mul(m.cfg.ClusterTolerancePct).Div(decimal.NewFromInt(100))
	return t.in.Target.GreaterThanOrEqual(c.Low.Sub(tol)) && t.in.Target.LessThanOrEqual(c.High.Add(tol)) ||
		c.PeakPrice.Sub(t.in.Target).Abs().LessThanOrEqual(tol)
}

func (m *Manager) exitLogged(ctx context.Context, t *trade, reason string) {
	if err := m.exit(ctx, t, reason); err != nil {
		m.log.Error().Err(err).Str("event", "exit_failed").Str("intent", t.in.ID).Str("reason", reason).Msg("market exit failed")
	}
}

// exit closes a trade at market with a reduce-only order for the venue's
// position (our booked quantity if the venue cannot be read). The stop stays
// until the position is flat.
func (m *Manager) exit(ctx context.Context, t *trade, reason string) error {
	if t.exitReason == "" {
		t.exitReason = reason
		m.log.Warn().Str("event", "exit").Str("intent", t.in.ID).Str("reason", reason).Msg("closing the position at market")
	}
	if e := t.current(state.LegEntry); e != nil {
		if err := m.cancel(ctx, t, e.ClientID, "exit: "+reason); err != nil {
			// Close what is open anyway; the entry is cancelled again on close.
			m.log.Warn().Err(err).Str("event", "cancel_failed").Str("client_id", e.ClientID).Msg("entry not cancelled before the exit")
		}
	}
	if x := t.current(state.LegExit); x != nil {
		return nil // one exit at a time; OnTick resolves it
	}
	qty := t.exposure()
	if vq, err := m.venueQty(ctx, t.in.Direction); err == nil {
		qty = vq
	} else {
		m.log.Warn().Err(err).Str("event", "position_read_failed").Msg("exit sized from the booked position")
	}
	if !qty.IsPositive() {
		return nil // flat at the venue: the closing fills are on their way
	}
	if t.full(state.LegExit) {
		return fmt.Errorf("exit %s: no exit version left (client id length)", t.in.ID)
	}
	cid := t.addLeg(state.Leg{Name: state.LegExit, Kind: state.KindRegular, Side: t.in.Direction.EntrySide().Opposite(),
		Type: exchange.Market, Qty: qty})
	oc, err := m.send(ctx, t, cid)
	if oc == rejectedOut {
		return fmt.Errorf("exit %s: %w", t.in.ID, err)
	}
	return err
}

// venueQty is the venue's position quantity in direction d (0 when flat or the other way).
func (m *Manager) venueQty(ctx context.Context, d exchange.PositionDirection) (decimal.Decimal, error) {
	cctx, cancel := m.callCtx(ctx)
	defer cancel()
	ps, err := m.tr.Positions(cctx, m.cfg.Symbol)
	if err != nil {
		return decimal.Zero, fmt.Errorf("read positions: %w", err)
	}
	for _, p := range ps {
		if p.Symbol == m.cfg.Symbol && !p.Flat() && p.Direction() == d {
			return p.Qty.Abs(), nil
		}
	}
	return decimal.Zero, nil
}

// Flatten closes every position at market (kill switch), including one the
// store does not know, and cancels unfilled entries.
func (m *Manager) Flatten(ctx context.Context, reason string) error {
	var errs []error
	m.each(func(t *trade) {
		if err := m.exit(ctx, t, "flatten: "+reason); err != nil {
			errs = append(errs, err)
		}
		if _, ok := m.trades[t.in.ID]; ok && t.pos == nil && !t.entryExec.IsPositive() {
			m.afterChange(ctx, t)
		}
	})
	if len(m.trades) == 0 {
		if err := m.flattenForeign(ctx, "flatten: "+reason); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// flattenForeign closes a venue position no trade accounts for.
func (m *Manager) flattenForeign(ctx context.Context, reason string) error {
	cctx, cancel := m.callCtx(ctx)
	ps, err := m.tr.Positions(cctx, m.cfg.Symbol)
	cancel()
	if err != nil {
		return fmt.Errorf("flatten: read positions: %w", err)
	}
	for _, p := range ps {
		if p.Symbol != m.cfg.Symbol || p.Flat() {
			continue
		}
		cid := m.cfg.Prefix + "-f" + strconv.FormatInt(m.clock.Now().UnixMilli(), 36) + "-x"
		req := exchange.OrderRequest{Symbol: m.cfg.Symbol, ClientID: cid, Side: p.Direction().EntrySide().Opposite(),
			Type: exchange.Market, Qty: p.Qty.Abs(), ReduceOnly: true}
		m.log.Warn().Str("event", "order_sent").Str("client_id", cid).Str("qty", req.Qty.String()).Str("side", string(req.Side)).
			Str("reason", reason).Msg("flattening a position the store does not know")
		m.flattens[cid] = true
		cctx, cancel := m.callCtx(ctx)
		o, err := m.tr.PlaceOrder(cctx, req)
		cancel()
		if classify(err) == unknownOut {
			cctx, cancel := m.callCtx(ctx)
			o, err = m.tr.QueryOrder(cctx, m.cfg.Symbol, cid)
			cancel()
		}
		if err != nil {
			return fmt.Errorf("flatten foreign position: %w", err)
		}
		m.log.Info().Str("event", "order_ack").Str("client_id", cid).Str("status", string(o.Status)).
			Str("executed", o.ExecutedQty.String()).Msg("flatten order acknowledged")
	}
	return nil
}
