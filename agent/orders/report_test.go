package orders

import (
	"testing"
	"time"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// Three closed trades +10, -15, +5 (cumulative 10, -5, 0: drawdown 15) and one open.
func TestReport(t *testing.T) {
	closed := func(id string, at time.Duration, net, fees, funding, r string) state.PositionRecord {
		return state.PositionRecord{ID: id, Symbol: sym, Direction: exchange.Long, EnteredQty: d("1"), EntryPrice: d("400"),
			ExitPrice: d("410"), Fees: d(fees), Funding: d(funding), RealizedPnL: d(net), RiskUSDT: d("10"), R: d(r),
			OpenedAt: t0, ClosedAt: t0.Add(at), ExitReason: "target"}
	}
	ps := []state.PositionRecord{
		closed("c", 3*time.Hour, "5", "0.3", "0", "0.5"),
		{ID: "o", Symbol: sym, Direction: exchange.Short, Qty: d("2"), EnteredQty: d("2"), EntryPrice: d("420"), OpenedAt: t0.Add(4 * time.Hour)},
		closed("a", time.Hour, "10", "0.4", "-0.1", "1"),
		closed("b", 2*time.Hour, "-15", "0.5", "0.2", "-1.5"),
	}
	trades, s := Report(ps)
	var ids []string
	for _, tr := range trades {
		ids = append(ids, tr.ID)
	}
	if got := ids; len(got) != 4 || got[0] != "a" || got[1] != "b" || got[2] != "c" || got[3] != "o" {
		t.Fatalf("order %v", got)
	}
	if !trades[3].Open || trades[3].ClosedAt != nil || trades[0].ClosedAt == nil {
		t.Errorf("open flags %+v", trades[3])
	}
	if s.Trades != 3 || s.Open != 1 || s.Wins != 2 || s.Losses != 1 {
		t.Errorf("counts %+v", s)
	}
	eq(t, "win rate", s.WinRate, d("66.67"))
	eq(t, "net", s.NetPnL, d("0"))
	eq(t, "fees", s.Fees, d("1.2"))
	eq(t, "funding", s.Funding, d("0.1"))
	eq(t, "gross", s.GrossPnL, d("1.1"))
	eq(t, "max drawdown", s.MaxDrawdown, d("15"))
	eq(t, "avg R", s.AvgR, d("0"))
	eq(t, "total R", s.TotalR, d("0"))
	eq(t, "best", s.Best, d("10"))
	eq(t, "worst", s.Worst, d("-15"))

	_, empty := Report(nil)
	if empty.Trades != 0 || !empty.WinRate.IsZero() || !empty.MaxDrawdown.IsZero() {
		t.Errorf("empty %+v", empty)
	}
}

// Drawdown counts from the starting zero: a first loss is a drawdown.
func TestReportDrawdownFromZero(t *testing.T) {
	mk := func(id string, h int, net string) state.PositionRecord {
		return state.PositionRecord{ID: id, RealizedPnL: d(net), OpenedAt: t0, ClosedAt: t0.Add(time.Duration(h) * time.Hour)}
	}
	_, s := Report([]state.PositionRecord{mk("1", 1, "-4"), mk("2", 2, "-3"), mk("3", 3, "20"), mk("4", 4, "-6")})
	eq(t, "max drawdown", s.MaxDrawdown, d("7"))
	eq(t, "win rate", s.WinRate, d("25"))
}
