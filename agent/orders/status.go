package orders

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/state"
)

// Status is the manager's JSON summary for the status API. It is a copy:
// safe to hand to another goroutine.
type Status struct {
	Reconciled     bool          `json:"reconciled"`
	Blind          bool          `json:"blind,omitempty"`
	LastReconcile  time.Time     `json:"lastReconcile"`
	ReconcileError string        `json:"reconcileError,omitempty"`
	ClosedSession  int           `json:"closedThisSession"`
	Trades         []TradeStatus `json:"trades"`
	// Unprotected lists the intents whose position has had no working stop
	// for longer than the alarm threshold.
	Unprotected []string `json:"unprotected,omitempty"`
	// OtherFees sums this session's commissions paid in assets other than
	// USDT (e.g. BNB), which the USDT PnL does not include.
	OtherFees map[string]decimal.Decimal `json:"otherFees,omitempty"`
}

// TradeStatus is one open or opening trade.
type TradeStatus struct {
	ID             string          `json:"id"`
	Direction      string          `json:"direction"`
	Status         string          `json:"status"`
	Qty            decimal.Decimal `json:"qty"`
	EntryPrice     decimal.Decimal `json:"entryPrice"`
	Stop           decimal.Decimal `json:"stop"`
	Target         decimal.Decimal `json:"target"`
	Fees           decimal.Decimal `json:"fees"`
	Funding        decimal.Decimal `json:"funding"`
	NetPnL         decimal.Decimal `json:"netPnl"`
	OpenedAt       time.Time       `json:"openedAt,omitempty"`
	Exiting        string          `json:"exiting,omitempty"`
	Protected      bool            `json:"protected"`
	Legs           []LegStatus     `json:"legs"`
	UnprotectedFor string          `json:"unprotectedFor,omitempty"`
}

// LegStatus is one order of a trade.
type LegStatus struct {
	ClientID string          `json:"clientId"`
	Leg      string          `json:"leg"`
	State    string          `json:"state"`
	Price    decimal.Decimal `json:"price"`
	Qty      decimal.Decimal `json:"qty"`
}

// Status summarises the manager for /status.
func (m *Manager) Status() any { return m.status(m.clock.Now()) }

func (m *Manager) status(now time.Time) Status {
	s := Status{Reconciled: m.reconciled, Blind: m.blind, LastReconcile: m.lastRecon, ReconcileError: m.reconErr,
		ClosedSession: m.closedCount, Trades: []TradeStatus{}}
	if len(m.otherFees) > 0 {
		s.OtherFees = map[string]decimal.Decimal{}
		for a, v := range m.otherFees {
			s.OtherFees[a] = v
		}
	}
	m.each(func(t *trade) {
		ts := TradeStatus{ID: t.in.ID, Direction: string(t.in.Direction), Status: string(t.in.Status), Qty: t.exposure(),
			Stop: t.stopLevel(), Target: t.in.Target, Exiting: t.exitReason, Protected: t.protected()}
		if t.pos != nil {
			ts.EntryPrice, ts.Fees, ts.Funding, ts.NetPnL, ts.OpenedAt = t.pos.EntryPrice, t.pos.Fees, t.pos.Funding, t.pos.RealizedPnL, t.pos.OpenedAt
		}
		for _, l := range t.in.Legs {
			if live(l.State) || l.State == state.LegFilled {
				ts.Legs = append(ts.Legs, LegStatus{ClientID: l.ClientID, Leg: string(l.Name), State: string(l.State), Price: l.Price, Qty: l.Qty})
			}
		}
		if !t.unprotectedSince.IsZero() {
			age := now.Sub(t.unprotectedSince)
			ts.UnprotectedFor = age.String()
			if age > m.cfg.MissingStopAlarm {
				s.Unprotected = append(s.Unprotected, t.in.ID)
			}
		}
		s.Trades = append(s.Trades, ts)
	})
	return s
}
