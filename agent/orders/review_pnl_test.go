package orders

import (
	"testing"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/state"
)

// A commission paid in BNB is not added to the USDT fees; it is counted
// apart in Status.
func TestNonUSDTCommissionNotBooked(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.filter = func(ev exchange.Event) (exchange.Event, bool) {
		if e, ok := ev.(exchange.OrderUpdate); ok && e.ExecType == "TRADE" && e.Order.ClientID == "tb1-bn-e" {
			e.Commission, e.CommissionAsset = d("0.0012"), "BNB"
			return e, true
		}
		return ev, true
	}
	r.start()
	r.submit(sig("bn", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	p := r.position("tb1-bn")
	eq(t, "qty", p.Qty, d("2"))
	eq(t, "fees", p.Fees, d("0"))
	eq(t, "net pnl", p.RealizedPnL, d("0"))
	st := r.m.status(r.clock.Now())
	eq(t, "BNB fees", st.OtherFees["BNB"], d("0.0012"))
}

// A TRADE arriving after its quantity was caught up (estimated PnL) books
// its fee but not its realized PnL a second time.
func TestLateTradeAfterCatchUpNotDoubleCounted(t *testing.T) {
	r := restartRig(t)
	r.cfg.EntryType = exchange.Market
	r.start()
	r.submit(sig("lt", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
	tr := r.m.trades["tb1-lt"]
	before := tr.pos.RealizedPnL
	cid := tr.addLeg(state.Leg{Name: state.LegExit, Kind: state.KindRegular, Side: exchange.Sell, Type: exchange.Market, Qty: d("1")})
	l := tr.leg(cid)
	l.State = state.LegFilled
	// Caught up: 1 @ 410, estimated PnL (410 - 400.10) * 1 = 9.9.
	r.m.book(tr, l, fill{qty: d("1"), price: d("410"), at: r.clock.Now(), estimated: true}, d("1"))
	eq(t, "after catch-up", tr.pos.RealizedPnL.Sub(before), d("9.9"))
	// The late TRADE of the same fill: fee 0.205, realized 9.9.
	r.m.bookTrade(tr, l, exchange.OrderUpdate{EventMeta: r.meta(), ExecType: "TRADE",
		Order:       exchange.Order{Symbol: sym, ClientID: cid, OrderID: 99, ExecutedQty: d("1"), Status: exchange.StatusFilled},
		LastFillQty: d("1"), LastFillPrice: d("410"), Commission: d("0.205"), CommissionAsset: "USDT", RealizedPnL: d("9.9"), TradeID: 777})
	eq(t, "after late trade", tr.pos.RealizedPnL.Sub(before), d("9.695"))
	eq(t, "qty", tr.pos.Qty, d("1"))
}

// Positions closed without their closing fills are marked in the report.
func TestReportMarksUnknownPnL(t *testing.T) {
	ps := []state.PositionRecord{
		{ID: "a", Symbol: sym, Direction: exchange.Long, EnteredQty: d("1"), RealizedPnL: d("5"), ExitReason: "target", OpenedAt: t0, ClosedAt: t0.Add(1)},
		{ID: "b", Symbol: sym, Direction: exchange.Long, EnteredQty: d("1"), ExitReason: "closed_while_away", OpenedAt: t0, ClosedAt: t0.Add(2)},
	}
	trs, s := Report(ps)
	if len(trs) != 2 || trs[0].PnLUnknown || !trs[1].PnLUnknown || s.PnLUnknown != 1 {
		t.Fatalf("reports %+v summary unknown %d", trs, s.PnLUnknown)
	}
}
