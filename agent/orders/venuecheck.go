package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/state"
)

// startupWindow is how long after the first reconciliation the venue is
// checked at the busy interval: events from before the user stream was
// connected may still be missing.
const startupWindow = 2 * time.Minute

// confirmDelay is how long a mismatch must persist before it counts: fills
// and order updates may be in flight between the venue read and our books.
const confirmDelay = 3 * time.Second

// checkVenue compares, every VenueCheckInterval while a trade is booked or
// right after start and every VenueCheckIdleInterval otherwise, the venue's
// position and stop coverage with the booked exposure, and asks for a
// reconciliation when they disagree twice in a row (confirmDelay apart).
func (m *Manager) checkVenue(ctx context.Context, now time.Time) {
	every := m.cfg.VenueCheckIdleInterval
	if len(m.trades) > 0 || now.Sub(m.firstRecon) < startupWindow {
		every = m.cfg.VenueCheckInterval
	}
	due := now.Sub(m.lastCheck) >= every
	if !m.mismatchSince.IsZero() {
		// Confirm a mismatch confirmDelay after the last attempt, not after
		// the first sighting: a venue that keeps failing to answer is asked
		// every few seconds, not every tick, so the weight stays for stops.
		due = now.Sub(m.lastCheck) >= confirmDelay
	}
	if !due {
		return
	}
	m.lastCheck = now
	why, err := m.venueMismatch(ctx)
	switch {
	case err != nil:
		m.log.Warn().Err(err).Str("event", "venue_check_failed").Msg("periodic venue check could not read the venue")
		return
	case why == "":
		m.mismatchSince = time.Time{}
		return
	case m.mismatchSince.IsZero():
		m.mismatchSince = now
		m.log.Info().Str("event", "venue_check").Str("mismatch", why).Msg("venue differs from our books; checking again shortly")
		return
	}
	m.mismatchSince = time.Time{}
	m.needRecon = true
	m.log.Error().Str("event", "venue_mismatch").Str("mismatch", why).Msg("venue differs from our books; reconciling")
}

// venueMismatch describes how the venue differs from what the manager has
// booked: the position's signed quantity, a booked stop missing at the
// venue, or an order of ours no live leg accounts for. "" means they agree.
func (m *Manager) venueMismatch(ctx context.Context) (string, error) {
	v, err := m.readVenue(ctx)
	if err != nil {
		return "", err
	}
	booked := decimal.Zero
	liveIDs := map[string]bool{}
	for _, id := range m.order {
		t := m.trades[id]
		booked = booked.Add(t.exposure().Mul(decimal.NewFromInt(t.in.Direction.Sign())))
		for _, l := range t.in.Legs {
			if live(l.State) {
				liveIDs[l.ClientID] = true
			}
		}
		if s := t.current(state.LegStop); s != nil && t.protected() {
			g, ok := v.algos[s.ClientID]
			if !ok || g.Qty.LessThan(t.exposure()) {
				return fmt.Sprintf("stop %s (%s) not open at the venue", s.ClientID, s.Qty), nil
			}
		}
	}
	if !v.pos.Qty.Equal(booked) {
		return fmt.Sprintf("venue position %s, booked %s", v.pos.Qty, booked), nil
	}
	for _, id := range append(sortedKeys(v.orders), sortedKeys(v.algos)...) {
		if m.ours(id) && !liveIDs[id] {
			return fmt.Sprintf("order %s of ours open at the venue, not booked", id), nil
		}
	}
	return "", nil
}
