package orders

import (
	"context"
	"errors"
	"fmt"

	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// ErrNotReady is returned by Submit before a successful reconciliation,
// while the user stream is blind, or while a reconciliation is pending.
var ErrNotReady = errors.New("order manager not reconciled with the venue")

// ErrBusy is returned by Submit while another trade is open or being opened:
// one-way mode nets everything on the symbol into one position, so the
// manager runs one trade at a time.
var ErrBusy = errors.New("a trade is already open or being opened")

// ErrVenueNotClear is returned by Submit when the venue shows a position on
// the symbol or an open order of ours: an entry would net into it.
var ErrVenueNotClear = errors.New("venue has a position or open order of ours")

// Submit writes the plan as an intent (before anything is sent), sets margin
// type and leverage, and sends the entry. Stops and targets follow the fills.
func (m *Manager) Submit(ctx context.Context, sig strategy.Signal, plan risk.PlanResult) error {
	switch {
	case !m.reconciled || m.blind || m.needRecon:
		return fmt.Errorf("submit %s: %w", sig.ID, ErrNotReady)
	case len(m.trades) > 0:
		return fmt.Errorf("submit %s: %w", sig.ID, ErrBusy)
	case !plan.Accepted():
		return fmt.Errorf("submit %s: %w", sig.ID, plan.Err())
	case !plan.Qty.IsPositive() || !plan.Entry.IsPositive() || !plan.Stop.IsPositive():
		return fmt.Errorf("submit %s: plan needs qty, entry and stop > 0 (qty %s entry %s stop %s)", sig.ID, plan.Qty, plan.Entry, plan.Stop)
	case !plan.Direction.Valid():
		return fmt.Errorf("submit %s: plan direction %q", sig.ID, plan.Direction)
	}
	if err := m.venueClear(ctx); err != nil {
		return fmt.Errorf("submit %s: %w", sig.ID, err)
	}
	id := IntentID(m.cfg.Prefix, sig.ID)
	if longest := ClientID(id, state.LegExit, maxLegVersion); !clientIDRE.MatchString(longest) {
		return fmt.Errorf("submit %s: client id %q is not a valid Binance client id (max 36 of [.A-Za-z:/0-9_-])", sig.ID, longest)
	}
	if _, ok, err := m.st.Intent(id); err != nil {
		return fmt.Errorf("submit %s: read intent: %w", sig.ID, err)
	} else if ok {
		return fmt.Errorf("submit %s: intent %s already exists; a signal is traded at most once", sig.ID, id)
	}
	now := m.clock.Now()
	in := state.Intent{
		ID: id, SignalID: sig.ID, Symbol: m.cfg.Symbol, Direction: plan.Direction, EntryType: m.cfg.EntryType,
		EntryPrice: plan.Entry, Stop: plan.Stop, Qty: plan.Qty, Leverage: plan.Leverage,
		Status: state.IntentPending, CreatedAt: now, RiskUSDT: plan.WorstCaseLoss.Total,
	}
	if plan.Target != nil {
		in.Target = *plan.Target
	}
	t := newTrade(in)
	t.marginType = plan.MarginType
	entry := state.Leg{Name: state.LegEntry, Kind: state.KindRegular, Side: plan.Direction.EntrySide(),
		Type: m.cfg.EntryType, Qty: plan.Qty}
	if m.cfg.EntryType == exchange.Limit {
		entry.Price = plan.Entry
	}
	cid := t.addLeg(entry)
	// Write-ahead: the intent exists before anything reaches the venue.
	if err := m.save(t); err != nil {
		return fmt.Errorf("submit %s: %w", sig.ID, err)
	}
	m.addTrade(t)
	m.log.Info().Str("event", "intent").Str("intent", id).Str("signal_id", sig.ID).Str("direction", string(plan.Direction)).
		Str("entry_type", string(m.cfg.EntryType)).Str("entry", plan.Entry.String()).Str("stop", plan.Stop.String()).
		Str("target", in.Target.String()).Str("qty", plan.Qty.String()).Int("leverage", plan.Leverage).
		Str("risk_usdt", in.RiskUSDT.String()).Msg("intent written")
	t.in.Status = state.IntentActive
	oc, err := m.send(ctx, t, cid) // sets margin type and leverage first
	if errors.Is(err, errAccountSetup) {
		m.finish(t, state.IntentFailed, "account setup failed: "+err.Error())
		return fmt.Errorf("submit %s: %w", sig.ID, err)
	}
	switch oc {
	case rejectedOut:
		m.finish(t, state.IntentFailed, "entry rejected")
		return fmt.Errorf("submit %s: entry rejected: %w", sig.ID, err)
	case notPlacedOut:
		// Retried by OnTick (query first) until the limit timeout.
		m.log.Warn().Err(err).Str("event", "entry_retry").Str("intent", id).Msg("entry not placed yet; will retry")
	}
	m.protect(ctx, t)
	return nil
}

// errAccountSetup marks a failure to set margin type or leverage before an entry.
var errAccountSetup = errors.New("account setup failed")

// prepareAccount sets the margin type and the intent's leverage before
// every entry send (also one sent after a restart): the venue keeps them per
// symbol, and something else may have changed them. "No need to change" is
// success.
func (m *Manager) prepareAccount(ctx context.Context, t *trade) error {
	mt := t.marginType
	if mt == "" {
		mt = m.cfg.MarginType
	}
	cctx, cancel := m.callCtx(ctx)
	err := m.tr.SetMarginType(cctx, m.cfg.Symbol, mt)
	cancel()
	if err != nil && exchange.CodeOf(err) != exchange.CodeNoNeedChangeMargin {
		return fmt.Errorf("%w: set margin type %s: %w", errAccountSetup, mt, err)
	}
	if t.in.Leverage > 0 {
		cctx, cancel := m.callCtx(ctx)
		err := m.tr.SetLeverage(cctx, m.cfg.Symbol, t.in.Leverage)
		cancel()
		if err != nil {
			return fmt.Errorf("%w: set leverage %d: %w", errAccountSetup, t.in.Leverage, err)
		}
	}
	m.log.Info().Str("event", "account_prepared").Str("intent", t.in.ID).Str("margin_type", string(mt)).
		Int("leverage", t.in.Leverage).Msg("margin type and leverage set for the entry")
	return nil
}

// venueClear checks, right before an entry, that the venue's position on
// the symbol is flat and no order of ours is open there; otherwise it asks
// for a reconciliation and refuses.
func (m *Manager) venueClear(ctx context.Context) error {
	v, err := m.readVenue(ctx)
	if err != nil {
		return fmt.Errorf("check the venue before the entry: %w", err)
	}
	var ours []string
	for _, id := range sortedKeys(v.orders) {
		if m.ours(id) {
			ours = append(ours, id)
		}
	}
	for _, id := range sortedKeys(v.algos) {
		if m.ours(id) {
			ours = append(ours, id)
		}
	}
	if v.pos.Qty.IsZero() && len(ours) == 0 {
		return nil
	}
	m.needRecon = true
	m.log.Error().Str("event", "venue_not_clear").Str("venue_qty", v.pos.Qty.String()).Strs("open_orders", ours).
		Msg("venue has a position or open orders of ours that no trade accounts for; refusing the entry and reconciling")
	return fmt.Errorf("%w: position %s, open orders %v", ErrVenueNotClear, v.pos.Qty, ours)
}

// finish ends an intent that never opened a position (or was closed) and drops it.
func (m *Manager) finish(t *trade, st state.IntentStatus, note string) {
	t.in.Status = st
	if note != "" {
		t.in.Notes = note
	}
	_ = m.save(t) // logged by save
	m.dropTrade(t.in.ID)
	m.log.Info().Str("event", "intent_done").Str("intent", t.in.ID).Str("status", string(st)).Str("note", note).Msg("intent finished")
}
