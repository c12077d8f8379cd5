package orders

import (
	"testing"

	"github.com/taobot/taobot/exchange"
)

// Funding is booked only when the update is provably our position's: our
// symbol among its positions, and only the USDT change.
func TestFundingOnlyOurs(t *testing.T) {
	ours := []exchange.Position{{Symbol: sym, Qty: d("2"), MarginType: exchange.Isolated}}
	other := []exchange.Position{{Symbol: "BTCUSDT", Qty: d("1"), MarginType: exchange.Isolated}}
	usdt := func(v string) exchange.Balance { return exchange.Balance{Asset: "USDT", BalanceChange: d(v)} }
	tests := []struct {
		name string
		ev   exchange.AccountUpdate
		want string
	}{
		{"cross: no positions listed", exchange.AccountUpdate{Reason: "FUNDING_FEE", Balances: []exchange.Balance{usdt("-12.5")}}, "0"},
		{"another symbol's isolated position", exchange.AccountUpdate{Reason: "FUNDING_FEE", Balances: []exchange.Balance{usdt("-3")}, Positions: other}, "0"},
		{"ours", exchange.AccountUpdate{Reason: "FUNDING_FEE", Balances: []exchange.Balance{usdt("-0.25")}, Positions: ours}, "-0.25"},
		{"ours, BNB change ignored", exchange.AccountUpdate{Reason: "FUNDING_FEE",
			Balances: []exchange.Balance{usdt("0.5"), {Asset: "BNB", BalanceChange: d("-1")}}, Positions: ours}, "0.5"},
		{"ours, but a deposit", exchange.AccountUpdate{Reason: "DEPOSIT", Balances: []exchange.Balance{usdt("100")}, Positions: ours}, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := restartRig(t)
			r.cfg.EntryType = exchange.Market
			r.start()
			r.submit(sig("f1", exchange.Long), plan(exchange.Long, "400", "390", "420", "2", "20"))
			before := r.position("tb1-f1").RealizedPnL
			r.m.OnEvent(r.ctx, tc.ev)
			p := r.position("tb1-f1")
			eq(t, "funding", p.Funding, d(tc.want))
			eq(t, "net pnl change", p.RealizedPnL.Sub(before), d(tc.want))
		})
	}
}
