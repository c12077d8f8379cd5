package market

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

func TestSetPositionLiquidationPrice(t *testing.T) {
	// 10 TAO at 400 with 10x: wallet 400. Long LP = (400 - 4000)/(0.1 - 10)
	// = 363.6363..., short LP = (400 + 4000)/(0.1 + 10) = 435.6435...;
	// bankruptcy 360 and 440.
	tests := []struct {
		dir           int64
		lpLo, lpHi    string
		liqTick, bust int64
		wallet        string
	}{
		{1, "363.6363", "363.6364", 36363, 36000, "400"},
		{-1, "435.6435", "435.6436", 43565, 44000, "400"},
	}
	for _, tc := range tests {
		m := mustNew(t, testConfig(Calm, 1))
		isolate(m)
		tr := place(t, m, 0, tc.dir, 10000, 40000, 10)
		if !tr.wallet.Equal(d(tc.wallet)) {
			t.Errorf("dir %d: wallet %s, want %s", tc.dir, tr.wallet, tc.wallet)
		}
		if tr.lp.LessThan(d(tc.lpLo)) || tr.lp.GreaterThan(d(tc.lpHi)) {
			t.Errorf("dir %d: lp %s, want in [%s, %s]", tc.dir, tr.lp, tc.lpLo, tc.lpHi)
		}
		if tr.liq != tc.liqTick || tr.bust != tc.bust {
			t.Errorf("dir %d: liq tick %d bust %d, want %d %d", tc.dir, tr.liq, tr.bust, tc.liqTick, tc.bust)
		}
		if q := m.Quote().OpenInterest; !q.Equal(d("10")) {
			t.Errorf("dir %d: open interest %s, want 10", tc.dir, q)
		}
	}
}

func TestSetPriceLiquidatesAtTheLiquidationPrice(t *testing.T) {
	m := mustNew(t, testConfig(Calm, 1))
	isolate(m)
	place(t, m, 0, 1, 10000, 40000, 10) // long 10 at 400, LP 363.636...
	place(t, m, 1, -1, 5000, 40000, 10) // short 5 at 400, LP 435.643...
	// Long 2 at 390 with 20x: wallet 39, LP = (39 - 780)/(0.02 - 2) = 374.24...,
	// bankruptcy 370.50: a gap to 363.64 skips past both.
	place(t, m, 2, 1, 2000, 39000, 20)
	now := m.Now()

	m.SetPrice(d("363.64")) // above the first long's LP
	out := m.Step(now)
	if len(out.Liquidations) != 1 {
		t.Fatalf("at 363.64: liquidations %+v, want only the 2 TAO 20x long", out.Liquidations)
	}
	if g := out.Liquidations[0]; !g.Qty.Equal(d("2")) || !g.FilledQty.Equal(d("2")) || g.Status != exchange.StatusFilled ||
		g.Price.GreaterThan(g.AvgPrice) || g.AvgPrice.GreaterThan(d("363.64")) {
		t.Fatalf("gapped liquidation %+v: want 2 filled at market below 363.64, price <= avg", g)
	}
	m.SetPrice(d("363.63"))
	out = m.Step(now)
	if len(out.Liquidations) != 1 {
		t.Fatalf("at 363.63: %d liquidations, want 1", len(out.Liquidations))
	}
	l := out.Liquidations[0]
	if l.Side != exchange.Sell || !l.Qty.Equal(d("10")) || !l.Price.Equal(d("360")) || l.Status != exchange.StatusFilled ||
		!l.FilledQty.Equal(d("10")) || !l.TradeTime.Equal(now) || l.Symbol != "TAOUSDT" {
		t.Errorf("liquidation = %+v, want SELL 10 at bankruptcy 360, filled, at %s", l, now)
	}
	if l.AvgPrice.GreaterThan(d("363.63")) || l.AvgPrice.LessThan(d("360")) {
		t.Errorf("avg price %s outside [360, 363.63]", l.AvgPrice)
	}
	var sold decimal.Decimal
	for _, tr := range out.Trades {
		if !tr.BuyerMaker {
			t.Errorf("liquidation trade %+v is a taker buy", tr)
		}
		sold = sold.Add(tr.Qty)
	}
	if !sold.Equal(d("10")) {
		t.Errorf("liquidation printed %s TAO of trades, want 10", sold)
	}
	if oi := m.Quote().OpenInterest; !oi.Equal(d("5")) {
		t.Errorf("open interest after the long liquidations %s, want 5 (the short)", oi)
	}
	m.SetPrice(d("435.64"))
	if out := m.Step(now); len(out.Liquidations) != 0 {
		t.Fatalf("short liquidated at 435.64, below its LP 435.6435...")
	}
	m.SetPrice(d("435.65"))
	out = m.Step(now)
	if len(out.Liquidations) != 1 || out.Liquidations[0].Side != exchange.Buy || !out.Liquidations[0].Price.Equal(d("440")) {
		t.Fatalf("at 435.65: %+v, want one BUY at bankruptcy 440", out.Liquidations)
	}
	if oi := m.Quote().OpenInterest; !oi.IsZero() {
		t.Errorf("open interest %s, want 0", oi)
	}
}

func TestPopulationMatchesRiskAndOpenInterest(t *testing.T) {
	cfg := testConfig(LongCascade, 3)
	cfg.FundingInterval = time.Minute // funding moves wallets, LPs must follow
	m := mustNew(t, cfg)
	var sawLiq bool
	for i := 1; i <= 40; i++ {
		out := m.Step(t0.Add(time.Duration(i) * 10 * time.Second))
		sawLiq = sawLiq || len(out.Liquidations) > 0
		var long, short int64
		for j := range m.tr {
			tr := &m.tr[j]
			if tr.state != open {
				continue
			}
			if tr.dir > 0 {
				long += tr.qty
			} else {
				short += tr.qty
			}
			dirn := exchange.Long
			if tr.dir < 0 {
				dirn = exchange.Short
			}
			lp, err := risk.LiquidationPrice(risk.LiqInput{Direction: dirn, Qty: m.qtyDec(tr.qty), Entry: m.px(tr.entry),
				Wallet: tr.wallet, Brackets: cfg.Brackets})
			if err != nil || !lp.Equal(tr.lp) {
				t.Fatalf("trader %d: lp %s, risk says %s (%v)", j, tr.lp, lp, err)
			}
			// The trigger tick is the last (long) or first (short) mark at or beyond LP.
			if lo, hi := m.px(tr.liq), m.px(tr.liq+tr.dir); lo.Sub(lp).Mul(decimal.NewFromInt(tr.dir)).IsPositive() ||
				!hi.Sub(lp).Mul(decimal.NewFromInt(tr.dir)).IsPositive() {
				t.Fatalf("trader %d: trigger tick %s is not the tick next to lp %s", j, lo, lp)
			}
		}
		if long != m.longOI || short != m.shortOI {
			t.Fatalf("step %d: traders hold %d/%d steps, model says %d/%d", i, long, short, m.longOI, m.shortOI)
		}
		if got, want := m.Quote().OpenInterest, m.qtyDec(long+short); !got.Equal(want) {
			t.Fatalf("step %d: open interest %s, positions sum to %s", i, got, want)
		}
	}
	if !sawLiq {
		t.Fatal("no liquidation in the cascade window: test proves little")
	}
}

func TestFundingMovesTraderWallet(t *testing.T) {
	m := mustNew(t, testConfig(Calm, 1))
	isolate(m)
	tr := place(t, m, 0, 1, 10000, 40000, 10)
	// Long pays 10 × 400 × 0.001 = 4: wallet 396, LP = (396 - 4000)/(0.1 - 10) = 364.0404...
	m.settleTraders(d("0.001"), d("400"))
	if !tr.wallet.Equal(d("396")) {
		t.Fatalf("wallet %s, want 396", tr.wallet)
	}
	if tr.lp.LessThan(d("364.0404")) || tr.lp.GreaterThan(d("364.0405")) || tr.liq != 36404 {
		t.Fatalf("lp %s tick %d, want 364.0404... and 36404", tr.lp, tr.liq)
	}
	sh := place(t, m, 1, -1, 10000, 40000, 10)
	m.settleTraders(d("0.001"), d("400")) // the short receives 4
	if !sh.wallet.Equal(d("404")) {
		t.Fatalf("short wallet %s, want 404", sh.wallet)
	}
}
