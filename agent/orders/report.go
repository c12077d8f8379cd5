package orders

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/state"
)

// TradeReport is one position as the trades report shows it.
type TradeReport struct {
	ID         string          `json:"id"`
	Symbol     string          `json:"symbol"`
	Direction  string          `json:"direction"`
	OpenedAt   time.Time       `json:"openedAt"`
	ClosedAt   *time.Time      `json:"closedAt"` // null while open
	Qty        decimal.Decimal `json:"qty"`
	Entry      decimal.Decimal `json:"entry"`
	Exit       decimal.Decimal `json:"exit"`
	Fees       decimal.Decimal `json:"fees"`
	Funding    decimal.Decimal `json:"funding"` // received minus paid
	NetPnL     decimal.Decimal `json:"netPnl"`  // realized, net of fees and funding
	RiskUSDT   decimal.Decimal `json:"riskUsdt"`
	R          decimal.Decimal `json:"r"`
	ExitReason string          `json:"exitReason,omitempty"`
	Open       bool            `json:"open"`
	// PnLUnknown marks a position closed without its closing fills being
	// known (closed while away, direction mismatch): its PnL is incomplete.
	PnLUnknown bool `json:"pnlUnknown,omitempty"`
}

// pnlUnknownReasons are the exit reasons of positions whose closing fills
// were not known when they were closed.
var pnlUnknownReasons = map[string]bool{"closed_while_away": true, "direction_mismatch": true}

// Summary totals the closed trades.
type Summary struct {
	Trades  int             `json:"trades"` // closed
	Open    int             `json:"open"`
	Wins    int             `json:"wins"`
	Losses  int             `json:"losses"`
	WinRate decimal.Decimal `json:"winRatePct"` // wins / closed trades, percent
	NetPnL  decimal.Decimal `json:"netPnl"`
	Fees    decimal.Decimal `json:"fees"`
	Funding decimal.Decimal `json:"funding"`
	// GrossPnL is before fees and funding: NetPnL + Fees - Funding.
	GrossPnL decimal.Decimal `json:"grossPnl"`
	AvgR     decimal.Decimal `json:"avgR"`
	TotalR   decimal.Decimal `json:"totalR"`
	// MaxDrawdown is the largest fall of cumulative net PnL from a previous
	// peak (starting at 0), over closed trades in closing order.
	MaxDrawdown decimal.Decimal `json:"maxDrawdown"`
	Best        decimal.Decimal `json:"best"`
	Worst       decimal.Decimal `json:"worst"`
	// PnLUnknown counts the closed trades whose PnL is incomplete.
	PnLUnknown int `json:"pnlUnknown,omitempty"`
}

// Report turns position records into trade lines (closed first in closing
// order, then open ones by opening time) and the summary of the closed ones.
func Report(ps []state.PositionRecord) ([]TradeReport, Summary) {
	ps = append([]state.PositionRecord(nil), ps...)
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Open() != b.Open() {
			return !a.Open()
		}
		if !a.Open() && !a.ClosedAt.Equal(b.ClosedAt) {
			return a.ClosedAt.Before(b.ClosedAt)
		}
		if !a.OpenedAt.Equal(b.OpenedAt) {
			return a.OpenedAt.Before(b.OpenedAt)
		}
		return a.ID < b.ID
	})
	var out []TradeReport
	var s Summary
	cum, peak := decimal.Zero, decimal.Zero
	rCount := 0
	for _, p := range ps {
		qty := p.EnteredQty
		if !qty.IsPositive() {
			qty = p.Qty.Add(p.ClosedQty)
		}
		tr := TradeReport{ID: p.ID, Symbol: p.Symbol, Direction: string(p.Direction), OpenedAt: p.OpenedAt, Qty: qty,
			Entry: p.EntryPrice, Exit: p.ExitPrice, Fees: p.Fees, Funding: p.Funding, NetPnL: p.RealizedPnL,
			RiskUSDT: p.RiskUSDT, R: p.R, ExitReason: p.ExitReason, Open: p.Open(), PnLUnknown: pnlUnknownReasons[p.ExitReason]}
		if !p.Open() {
			at := p.ClosedAt
			tr.ClosedAt = &at
		}
		out = append(out, tr)
		if p.Open() {
			s.Open++
			continue
		}
		s.Trades++
		if tr.PnLUnknown {
			s.PnLUnknown++
		}
		switch {
		case p.RealizedPnL.IsPositive():
			s.Wins++
		case p.RealizedPnL.IsNegative():
			s.Losses++
		}
		if s.Trades == 1 || p.RealizedPnL.GreaterThan(s.Best) {
			s.Best = p.RealizedPnL
		}
		if s.Trades == 1 || p.RealizedPnL.LessThan(s.Worst) {
			s.Worst = p.RealizedPnL
		}
		s.NetPnL = s.NetPnL.Add(p.RealizedPnL)
		s.Fees = s.Fees.Add(p.Fees)
		s.Funding = s.Funding.Add(p.Funding)
		if p.RiskUSDT.IsPositive() {
			s.TotalR = s.TotalR.Add(p.R)
			rCount++
		}
		cum = cum.Add(p.RealizedPnL)
		peak = decimal.Max(peak, cum)
		s.MaxDrawdown = decimal.Max(s.MaxDrawdown, peak.Sub(cum))
	}
	if s.Trades > 0 {
		s.WinRate = decimal.NewFromInt(int64(s.Wins*100)).DivRound(decimal.NewFromInt(int64(s.Trades)), 2)
	}
	if rCount > 0 {
		s.AvgR = s.TotalR.DivRound(decimal.NewFromInt(int64(rCount)), 4)
	}
	s.GrossPnL = s.NetPnL.Add(s.Fees).Sub(s.Funding)
	return out, s
}
