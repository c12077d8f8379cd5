package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// Manager turns plans into protected positions on one symbol and keeps the
// store and the venue in agreement. All methods run on the agent's one
// goroutine; it is not safe for concurrent use.
type Manager struct {
	cfg   Config
	tr    exchange.Trader
	st    *state.Store
	clock exchange.Clock
	log   zerolog.Logger
	rules exchange.SymbolRules

	// trades are the intents not yet finished (pending or active), by intent id.
	trades map[string]*trade
	// order of trades by creation, for deterministic iteration.
	order []string

	loaded     bool // intents read from the store
	reconciled bool // no Submit until true
	needRecon  bool // something unexpected happened: reconcile on the next tick
	// reconFails and reconNext back off a reconciliation that keeps failing
	// (1s doubling to 30s), so a refused flatten is not re-sent every second.
	reconFails int
	reconNext  time.Time
	// actual maps the order id a triggered algo order became to the algo
	// order's client id, for venues that give that order its own client id.
	actual map[int64]string
	// unmatched holds TRADE updates of orders not (yet) known, by order id,
	// with when the first arrived (see expireUnmatched).
	unmatched   map[int64][]exchange.OrderUpdate
	unmatchedAt map[int64]time.Time
	// otherFees sums, per asset, commissions paid in an asset other than
	// USDT this session (not in the USDT PnL).
	otherFees map[string]decimal.Decimal
	// flattens are the client ids of orders that closed positions no trade accounts for.
	flattens  map[string]bool
	blind     bool // the user stream is in a gap
	lastRecon time.Time
	// firstRecon is the first successful reconciliation; lastCheck the last
	// periodic venue check; mismatchSince a mismatch waiting for confirmation.
	firstRecon, lastCheck, mismatchSince time.Time
	reconErr                             string
	closedCount                          int
	mark                                 decimal.Decimal
}

// trade is one intent with its position and what the manager tracks about
// it between events (not all of it durable: see doc.go).
type trade struct {
	in  state.Intent
	pos *state.PositionRecord // nil until the first entry fill
	// entryExec is the entry's executed quantity as last heard from any
	// source (ack, query, update); a stop covers it even before its TRADE
	// events have been applied to pos.
	entryExec decimal.Decimal
	// applied is, per client id, the cumulative executed quantity already
	// booked into pos (durable as OrderRecord.ExecutedQty).
	applied map[string]decimal.Decimal
	// others is, per order id, the cumulative executed quantity booked of
	// an order that reused a leg's client id after the leg's own order
	// ended (Binance refuses duplicates only among open orders).
	others map[int64]decimal.Decimal
	// estimated marks the client ids whose fills were caught up with an
	// estimated PnL (a late TRADE for them books its fee only).
	estimated map[string]bool
	// pnlUnknown: the position closed without its closing fills being
	// known; the risk limits are told a conservative -1R stop-out.
	pnlUnknown bool
	// closing: the position is flat but a leftover order could not be
	// cancelled yet; the trade is kept until every leg is final.
	closing bool
	// marginType is the plan's margin type ("" = Config.MarginType; not
	// durable: after a restart the configured one is used).
	marginType exchange.MarginType
	// status is the venue status last seen, per client id.
	status map[string]string
	// unknownSince is when a leg's outcome became unknown, per client id.
	unknownSince map[string]time.Time
	// exitReason names why we sent an exit order.
	exitReason string
	// lastCloser is the leg whose fill last reduced the position.
	lastCloser state.LegName
	// stopAbsent: the current stop was missing from the venue's open algo
	// orders and could not be queried. It may be gone, so protection places a
	// new version (an extra reduce-only stop is harmless; none is not).
	stopAbsent bool
	// lastFillAt is the venue time of the newest booked fill: a position
	// closes when its last fill happened, on the same clock it opened on.
	lastFillAt time.Time
	// unprotectedSince is when the position was first seen without a working stop.
	unprotectedSince time.Time
	alarmedAt        time.Time
	clusterMissSince time.Time
	// finishedAt is when a stop or target last reported FINISHED; if the
	// position is still booked open soon after, its fills went astray.
	finishedAt time.Time
}

func newTrade(in state.Intent) *trade {
	return &trade{in: in, applied: map[string]decimal.Decimal{}, others: map[int64]decimal.Decimal{}, estimated: map[string]bool{}, status: map[string]string{}, unknownSince: map[string]time.Time{}}
}

// New returns a manager; call Reconcile before anything else.
func New(cfg Config, trader exchange.Trader, store *state.Store, clock exchange.Clock, log zerolog.Logger, rules exchange.SymbolRules) (*Manager, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	switch {
	case trader == nil:
		return nil, errors.New("orders: no trader")
	case store == nil:
		return nil, errors.New("orders: no state store")
	case clock == nil:
		return nil, errors.New("orders: no clock")
	case rules.Symbol != "" && rules.Symbol != cfg.Symbol:
		return nil, fmt.Errorf("orders: rules are for %s, not %s", rules.Symbol, cfg.Symbol)
	}
	return &Manager{
		cfg: cfg, tr: trader, st: store, clock: clock, rules: rules,
		log:    log.With().Str("component", "orders").Logger(),
		trades: map[string]*trade{}, actual: map[int64]string{}, flattens: map[string]bool{},
		unmatched: map[int64][]exchange.OrderUpdate{}, unmatchedAt: map[int64]time.Time{},
		otherFees: map[string]decimal.Decimal{},
	}, nil
}

// OpenPositions counts trades open or being opened, for the risk limits.
func (m *Manager) OpenPositions() int { return len(m.trades) }

// callCtx bounds one venue call.
func (m *Manager) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, m.cfg.CallTimeout)
}

func (m *Manager) addTrade(t *trade) {
	if _, ok := m.trades[t.in.ID]; !ok {
		m.order = append(m.order, t.in.ID)
	}
	m.trades[t.in.ID] = t
}

func (m *Manager) dropTrade(id string) {
	delete(m.trades, id)
	for i, x := range m.order {
		if x == id {
			m.order = append(m.order[:i:i], m.order[i+1:]...)
			break
		}
	}
}

// each visits the live trades in creation order; fn may drop the trade it visits.
func (m *Manager) each(fn func(t *trade)) {
	for _, id := range append([]string(nil), m.order...) {
		if t, ok := m.trades[id]; ok {
			fn(t)
		}
	}
}

// save writes the intent, the position (if any) and the given order records
// in one transaction.
func (m *Manager) save(t *trade, recs ...state.OrderRecord) error {
	t.in.UpdatedAt = m.clock.Now()
	err := m.st.Update(func(tx *state.Tx) error {
		if err := tx.Intents().Put(t.in); err != nil {
			return err
		}
		if t.pos != nil {
			if err := tx.Positions().Put(*t.pos); err != nil {
				return err
			}
		}
		for _, r := range recs {
			if err := tx.Orders().Put(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		m.log.Error().Err(err).Str("event", "state_write_failed").Str("intent", t.in.ID).Msg("persist intent")
		return fmt.Errorf("persist intent %s: %w", t.in.ID, err)
	}
	return nil
}

// record is the order record of leg l as the manager knows it now.
func (m *Manager) record(t *trade, l *state.Leg) state.OrderRecord {
	r := state.OrderRecord{
		ClientID: l.ClientID, ExchangeID: l.ExchangeID, IntentID: t.in.ID, Leg: l.Name, Kind: l.Kind,
		Symbol: t.in.Symbol, Side: l.Side, Type: l.Type, Status: t.status[l.ClientID], Qty: l.Qty,
		ExecutedQty: t.applied[l.ClientID], ReduceOnly: l.Name != state.LegEntry,
		CreatedAt: t.in.CreatedAt, UpdatedAt: m.clock.Now(),
	}
	if r.Status == "" {
		r.Status = string(l.State)
	}
	if l.Kind == state.KindAlgo {
		r.StopPrice = l.Price
	} else {
		r.Price = l.Price
	}
	return r
}

// exposure is the quantity a stop must cover: the booked position, or the
// entry's executed quantity heard of but not yet booked, whichever is larger.
func (t *trade) exposure() decimal.Decimal {
	open := decimal.Zero
	closed := decimal.Zero
	if t.pos != nil {
		open, closed = t.pos.Qty, t.pos.ClosedQty
	}
	if heard := t.entryExec.Sub(closed); heard.GreaterThan(open) {
		open = heard
	}
	if open.IsNegative() {
		return decimal.Zero
	}
	return open
}
