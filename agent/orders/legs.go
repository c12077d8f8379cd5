package orders

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/rs/zerolog"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// Client ids: "<prefix>-<signal id>-<leg><version>", leg e (entry), s (stop),
// t (target), x (exit); version 1 is omitted ("tb1-mk3x9l-s"), replacements
// count up ("...-s2"). Binance allows ^[\.A-Z\:/a-z0-9_-]{1,36}$.
var clientIDRE = regexp.MustCompile(`^[\.A-Z\:/a-z0-9_-]{1,36}$`)

var legLetter = map[state.LegName]string{
	state.LegEntry: "e", state.LegStop: "s", state.LegTarget: "t", state.LegExit: "x",
}

// IntentID is the id of the intent of a signal: "<prefix>-<signal id>".
func IntentID(prefix, signalID string) string { return prefix + "-" + signalID }

// ClientID is the client order id of version v (1-based) of leg n of an intent.
func ClientID(intentID string, n state.LegName, v int) string {
	id := intentID + "-" + legLetter[n]
	if v > 1 {
		id += strconv.Itoa(v)
	}
	return id
}

// ours reports whether a venue client id was made by this manager's prefix.
func (m *Manager) ours(clientID string) bool {
	p := m.cfg.Prefix + "-"
	return len(clientID) > len(p) && clientID[:len(p)] == p
}

// live reports whether a leg may still be (or become) an order at the venue.
func live(s state.LegState) bool {
	return s == state.LegPending || s == state.LegSent || s == state.LegOpen || s == state.LegUnknown
}

// final reports whether a leg has ended at the venue.
func final(s state.LegState) bool {
	return s == state.LegFilled || s == state.LegCanceled || s == state.LegRejected
}

// leg finds the leg with a client id.
func (t *trade) leg(cid string) *state.Leg {
	for i := range t.in.Legs {
		if t.in.Legs[i].ClientID == cid {
			return &t.in.Legs[i]
		}
	}
	return nil
}

// current is the newest live leg named n, or nil.
func (t *trade) current(n state.LegName) *state.Leg {
	for i := len(t.in.Legs) - 1; i >= 0; i-- {
		if l := &t.in.Legs[i]; l.Name == n && live(l.State) {
			return l
		}
	}
	return nil
}

// maxLegVersion caps a leg's versions so that every client id fits the 36
// characters Binance allows: Submit checks the id of version maxLegVersion,
// and no leg gets a version beyond it (see full).
const maxLegVersion = 999

// full reports whether leg n has used all its versions.
func (t *trade) full(n state.LegName) bool {
	v := 0
	for _, x := range t.in.Legs {
		if x.Name == n {
			v++
		}
	}
	return v >= maxLegVersion
}

// addLeg appends the next version of leg n and returns its client id; the
// caller checks full first.
func (t *trade) addLeg(l state.Leg) string {
	v := 1
	for _, x := range t.in.Legs {
		if x.Name == l.Name {
			v++
		}
	}
	l.ClientID = ClientID(t.in.ID, l.Name, v)
	l.State = state.LegPending
	t.in.Legs = append(t.in.Legs, l)
	return l.ClientID
}

// outcome classes of a venue call.
type outcome int

const (
	okOutcome    outcome = iota
	rejectedOut          // the venue refused: resending the same is pointless
	notPlacedOut         // certainly did not take effect (retryable, rate limited)
	unknownOut           // may or may not have taken effect: query, never resend blindly
	notFoundOut          // the order does not exist
)

func classify(err error) outcome {
	switch {
	case err == nil:
		return okOutcome
	case errors.Is(err, exchange.ErrNotFound):
		return notFoundOut
	case errors.Is(err, exchange.ErrRejected):
		return rejectedOut
	case errors.Is(err, exchange.ErrRetryable), errors.Is(err, exchange.ErrRateLimited):
		return notPlacedOut
	default: // ErrUnknownOutcome, timeouts, anything unclassified
		return unknownOut
	}
}

// legEvent starts a structured log line about a leg.
func (m *Manager) legEvent(e *zerolog.Event, event string, t *trade, l *state.Leg) *zerolog.Event {
	return e.Str("event", event).Str("intent", t.in.ID).Str("leg", string(l.Name)).Str("client_id", l.ClientID).
		Str("side", string(l.Side)).Str("type", string(l.Type)).Str("qty", l.Qty.String()).Str("price", l.Price.String())
}

// send places leg cid, which is written (pending) before the call. It returns
// the outcome class; a nil error with unknownOut means "resolved later".
func (m *Manager) send(ctx context.Context, t *trade, cid string) (outcome, error) {
	l := t.leg(cid)
	l.State = state.LegPending
	if err := m.save(t, m.record(t, l)); err != nil {
		return notPlacedOut, err // write-ahead failed: nothing sent
	}
	if l.Name == state.LegEntry {
		if err := m.prepareAccount(ctx, t); err != nil {
			m.legEvent(m.log.Warn(), "order_not_placed", t, l).Err(err).Msg("margin type or leverage not set; entry not sent")
			return notPlacedOut, err
		}
	}
	if l.Name == state.LegEntry {
		// From here the request may be out. A crash now leaves "sent", which a
		// restart treats like an unknown outcome: watched, never sent again
		// (Binance refuses a duplicate id only among open orders, so a late
		// fill plus a resend would double the position). "pending" above still
		// means certainly not sent.
		l.State = state.LegSent
		if err := m.save(t, m.record(t, l)); err != nil {
			l.State = state.LegPending
			return notPlacedOut, err
		}
	}
	m.legEvent(m.log.Info(), "order_sent", t, l).Msg("sending order")
	cctx, cancel := m.callCtx(ctx)
	var err error
	if l.Kind == state.KindAlgo {
		var g exchange.AlgoOrder
		g, err = m.tr.PlaceAlgoOrder(cctx, m.algoRequest(t, l))
		if err == nil {
			m.observeAlgo(t, l, g)
		}
	} else {
		var o exchange.Order
		o, err = m.tr.PlaceOrder(cctx, m.orderRequest(t, l))
		if err == nil {
			m.observeOrder(t, l, o)
		}
	}
	cancel()
	l = t.leg(cid) // observe may not reallocate, but be safe
	oc := classify(err)
	if exchange.CodeOf(err) == exchange.CodeDuplicateClientID {
		// An open order with this client id exists (an earlier send that
		// landed late): it is ours; query it and take its state.
		m.legEvent(m.log.Warn(), "order_duplicate", t, l).Err(err).Msg("client id already open at the venue; taking that order")
		oc = unknownOut
	}
	switch oc {
	case okOutcome:
		m.legEvent(m.log.Info(), "order_ack", t, l).Int64("exchange_id", l.ExchangeID).Str("status", t.status[cid]).Msg("order acknowledged")
	case rejectedOut, notFoundOut:
		l.State = state.LegRejected
		m.legEvent(m.log.Error(), "order_rejected", t, l).Int("code", exchange.CodeOf(err)).Err(err).Msg("venue refused the order")
		oc = rejectedOut
	case notPlacedOut:
		if l.State == state.LegSent {
			l.State = state.LegPending // the venue said no before taking it
		}
		m.legEvent(m.log.Warn(), "order_not_placed", t, l).Err(err).Msg("order certainly not placed; will retry")
	case unknownOut:
		l.State = state.LegUnknown
		t.unknownSince[cid] = m.clock.Now()
		m.legEvent(m.log.Warn(), "order_unknown", t, l).Err(err).Msg("outcome unknown; querying by client id, never resending blindly")
	}
	if serr := m.save(t, m.record(t, l)); serr != nil && err == nil {
		err = serr
	}
	if oc == unknownOut {
		return m.resolve(ctx, t, cid)
	}
	return oc, err
}

// resolve queries a leg whose outcome is unknown (or that was written but
// maybe not sent) and decides: found means adopt its state; a pending leg
// (certainly not placed) is sent; a stop or target not found for longer than
// UnknownResend is sent again under the same client id. An entry is never
// sent again after an unknown outcome: Binance refuses a duplicate client
// id only among open orders, so a market entry executing late would double
// the position. It is watched for LimitTimeout, then given up; a fill that
// appears later is unexpected and reconciled (adopted or flattened).
func (m *Manager) resolve(ctx context.Context, t *trade, cid string) (outcome, error) {
	l := t.leg(cid)
	found, err := m.query(ctx, t, l)
	if err != nil {
		return unknownOut, err
	}
	if found {
		m.legEvent(m.log.Info(), "order_resolved", t, l).Str("status", t.status[cid]).Msg("found at the venue by client id")
		delete(t.unknownSince, cid)
		return okOutcome, m.save(t, m.record(t, l))
	}
	since, ok := t.unknownSince[cid]
	now := m.clock.Now()
	if l.State == state.LegUnknown && l.Name == state.LegEntry {
		if !ok {
			t.unknownSince[cid] = now
			return unknownOut, nil
		}
		if now.Sub(since) < m.cfg.LimitTimeout {
			return unknownOut, nil // keep watching its id
		}
		delete(t.unknownSince, cid)
		l.State = state.LegCanceled
		m.legEvent(m.log.Warn(), "entry_given_up", t, l).Dur("unknown_for", now.Sub(since)).
			Msg("entry outcome unknown and not at the venue: given up, never resent; a late fill will be reconciled")
		return unknownOut, m.save(t, m.record(t, l))
	}
	if l.State == state.LegUnknown && (!ok || now.Sub(since) < m.cfg.UnknownResend) {
		if !ok {
			t.unknownSince[cid] = now
		}
		return unknownOut, nil // may still be in flight: ask again later
	}
	delete(t.unknownSince, cid)
	m.legEvent(m.log.Info(), "order_resend", t, l).Msg("not at the venue; sending under the same client id")
	return m.send(ctx, t, cid)
}

// query asks the venue for leg l by client id; found is false on ErrNotFound.
func (m *Manager) query(ctx context.Context, t *trade, l *state.Leg) (found bool, err error) {
	cctx, cancel := m.callCtx(ctx)
	defer cancel()
	if l.Kind == state.KindAlgo {
		g, err := m.tr.QueryAlgoOrder(cctx, t.in.Symbol, l.ClientID)
		if errors.Is(err, exchange.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("query algo order %s: %w", l.ClientID, err)
		}
		m.observeAlgo(t, l, g)
		return true, nil
	}
	o, err := m.tr.QueryOrder(cctx, t.in.Symbol, l.ClientID)
	if errors.Is(err, exchange.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("query order %s: %w", l.ClientID, err)
	}
	m.observeOrder(t, l, o)
	return true, nil
}

// cancel cancels a live leg; an order already gone is queried for its final state.
func (m *Manager) cancel(ctx context.Context, t *trade, cid, why string) error {
	l := t.leg(cid)
	if l == nil || !live(l.State) {
		return nil
	}
	cctx, cancel := m.callCtx(ctx)
	var err error
	if l.Kind == state.KindAlgo {
		var g exchange.AlgoOrder
		if g, err = m.tr.CancelAlgoOrder(cctx, t.in.Symbol, cid); err == nil {
			m.observeAlgo(t, l, g)
		}
	} else {
		var o exchange.Order
		if o, err = m.tr.CancelOrder(cctx, t.in.Symbol, cid); err == nil {
			m.observeOrder(t, l, o)
		}
	}
	cancel()
	if err != nil {
		// Finished, unknown or never placed: ask rather than guess.
		found, qerr := m.query(ctx, t, l)
		switch {
		case qerr != nil:
			return fmt.Errorf("cancel %s: %w (query: %v)", cid, err, qerr)
		case !found && l.State == state.LegUnknown && m.mayStillLand(t, cid):
			return fmt.Errorf("cancel %s: outcome unknown and it may still land: %w", cid, err)
		case !found && l.State != state.LegOpen:
			l.State = state.LegCanceled // never reached the venue
		case !found && gone(err):
			// Cancel and query both say the venue knows no such order: it
			// cannot fill, and a trade must not stay "closing" for ever on it.
			l.State = state.LegCanceled
		case !found:
			return fmt.Errorf("cancel %s: %w", cid, err)
		case live(l.State):
			return fmt.Errorf("cancel %s: still %s: %w", cid, t.status[cid], err)
		}
	}
	m.legEvent(m.log.Info(), "order_canceled", t, l).Str("why", why).Str("status", t.status[cid]).Msg("order cancelled")
	return m.save(t, m.record(t, l))
}

// mayStillLand reports whether a leg whose send had an unknown outcome and
// that the venue does not (yet) have could still appear: for LimitTimeout
// after the outcome became unknown (from now, if that time was lost).
func (m *Manager) mayStillLand(t *trade, cid string) bool {
	now := m.clock.Now()
	since, ok := t.unknownSince[cid]
	if !ok {
		t.unknownSince[cid] = now
		return true
	}
	return now.Sub(since) < m.cfg.LimitTimeout
}

// orderRequest builds the regular order of leg l.
func (m *Manager) orderRequest(t *trade, l *state.Leg) exchange.OrderRequest {
	r := exchange.OrderRequest{Symbol: t.in.Symbol, ClientID: l.ClientID, Side: l.Side, Type: l.Type, Qty: l.Qty,
		ReduceOnly: l.Name != state.LegEntry}
	if l.Type == exchange.Limit {
		r.Price, r.TimeInForce = l.Price, exchange.GTC
	}
	return r
}

// algoRequest builds the conditional order of leg l. A zero quantity means
// closePosition (used by the target: it closes whatever is open). The
// protective stop has no price protection: in a cascade, when mark and last
// price part, price protection could keep it from triggering at all; it
// triggers on the (configured) mark price. The target keeps it.
func (m *Manager) algoRequest(t *trade, l *state.Leg) exchange.AlgoOrderRequest {
	r := exchange.AlgoOrderRequest{Symbol: t.in.Symbol, ClientAlgoID: l.ClientID, Side: l.Side, Type: l.Type,
		TriggerPrice: l.Price, Qty: l.Qty, WorkingType: m.cfg.StopWorkingType, PriceProtect: l.Name != state.LegStop}
	if l.Qty.IsZero() {
		r.ClosePosition = true
	} else {
		r.ReduceOnly = true
	}
	return r
}

// observeOrder takes the venue's view of a regular order into leg l.
func (m *Manager) observeOrder(t *trade, l *state.Leg, o exchange.Order) {
	if o.OrderID != 0 {
		l.ExchangeID = o.OrderID
	}
	t.status[l.ClientID] = string(o.Status)
	if final(l.State) && !o.Status.Final() {
		return // a late NEW after we saw the end: the end stands
	}
	switch o.Status {
	case exchange.StatusNew, exchange.StatusPartiallyFilled:
		l.State = state.LegOpen
	case exchange.StatusFilled:
		l.State = state.LegFilled
	case exchange.StatusRejected:
		l.State = state.LegRejected
	case exchange.StatusCanceled, exchange.StatusExpired:
		l.State = state.LegCanceled
	}
	if l.Name == state.LegEntry && o.ExecutedQty.GreaterThan(t.entryExec) {
		t.entryExec = o.ExecutedQty
	}
}

// observeAlgo takes the venue's view of a conditional order into leg l. A
// triggered order stays live until FINISHED: its fills are on their way.
func (m *Manager) observeAlgo(t *trade, l *state.Leg, g exchange.AlgoOrder) {
	if g.AlgoID != 0 {
		l.ExchangeID = g.AlgoID
	}
	t.status[l.ClientID] = string(g.Status)
	if final(l.State) && g.Status.Open() {
		return
	}
	switch g.Status {
	case exchange.AlgoNew, exchange.AlgoTriggering, exchange.AlgoTriggered:
		l.State = state.LegOpen
	case exchange.AlgoFinished:
		l.State = state.LegFilled
	case exchange.AlgoRejected:
		l.State = state.LegRejected
	case exchange.AlgoCanceled, exchange.AlgoExpired:
		l.State = state.LegCanceled
	}
}
