package market

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

func TestDepthShape(t *testing.T) {
	m := mustNew(t, testConfig(Calm, 5))
	m.Step(t0.Add(30 * time.Second))
	bids, asks := m.Depth(20)
	bids2, asks2 := m.Depth(20)
	if len(bids) != 20 || len(asks) != 20 {
		t.Fatalf("depth %d/%d levels, want 20/20", len(bids), len(asks))
	}
	q := m.Quote()
	if !bids[0].Price.Equal(q.Bid) || !asks[0].Price.Equal(q.Ask) || !bids[0].Qty.Equal(q.BidQty) || !asks[0].Qty.Equal(q.AskQty) {
		t.Fatalf("depth top %v/%v disagrees with quote %s x %s / %s x %s", bids[0], asks[0], q.Bid, q.BidQty, q.Ask, q.AskQty)
	}
	if b, a := m.Depth(-1); b != nil || a != nil {
		t.Errorf("Depth(-1) = %v %v, want nothing", b, a)
	}
	gap := d("0.02") // 0.5 bp of 400, in ticks of 0.01
	if !asks[0].Price.Sub(bids[0].Price).Equal(gap) {
		t.Errorf("spread %s, want %s", asks[0].Price.Sub(bids[0].Price), gap)
	}
	for i := range 20 {
		if !bids[i].Qty.IsPositive() || !asks[i].Qty.IsPositive() {
			t.Errorf("level %d has no quantity: %v %v", i, bids[i], asks[i])
		}
		if !bids[i].Price.Equal(bids2[i].Price) || !bids[i].Qty.Equal(bids2[i].Qty) || !asks[i].Qty.Equal(asks2[i].Qty) {
			t.Errorf("level %d differs between two Depth calls", i)
		}
		if i > 0 && (!bids[i-1].Price.Sub(bids[i].Price).Equal(gap) || !asks[i].Price.Sub(asks[i-1].Price).Equal(gap)) {
			t.Errorf("level %d not one gap from the previous: %v %v", i, bids[i], asks[i])
		}
	}
}

// TestTakeLiquidityWalksTheBook checks an external taker order consumes
// exactly the levels Depth showed, prints them as trades in the next Step,
// and moves the price (half of the move permanently, through the fair price).
func TestTakeLiquidityWalksTheBook(t *testing.T) {
	for _, side := range []exchange.Side{exchange.Buy, exchange.Sell} {
		m := mustNew(t, testConfig(Calm, 9))
		m.Step(t0.Add(10 * time.Second))
		bids, asks := m.Depth(10)
		book := asks
		if side == exchange.Sell {
			book = bids
		}
		half := book[2].Qty.Div(d("2")).Div(d("0.001")).Floor().Mul(d("0.001"))
		qty := book[0].Qty.Add(book[1].Qty).Add(half)
		fairBefore, mid2Before := m.fair, m.bk.mid2()
		fills := m.TakeLiquidity(side, qty.Add(d("0.0004"))) // sub-step remainder is truncated
		want := []Fill{{Price: book[0].Price, Qty: book[0].Qty}, {Price: book[1].Price, Qty: book[1].Qty}, {Price: book[2].Price, Qty: half}}
		if len(fills) != len(want) {
			t.Fatalf("%s: fills %v, want %v", side, fills, want)
		}
		for i := range want {
			if !fills[i].Price.Equal(want[i].Price) || !fills[i].Qty.Equal(want[i].Qty) {
				t.Errorf("%s: fill %d = %v, want %v", side, i, fills[i], want[i])
			}
		}
		q := m.Quote()
		if !q.Last.Equal(book[2].Price) {
			t.Errorf("%s: last %s, want %s", side, q.Last, book[2].Price)
		}
		top, topQty := q.Ask, q.AskQty
		if side == exchange.Sell {
			top, topQty = q.Bid, q.BidQty
		}
		if !top.Equal(book[2].Price) || !topQty.Equal(book[2].Qty.Sub(half)) {
			t.Errorf("%s: touch now %s x %s, want %s x %s", side, top, topQty, book[2].Price, book[2].Qty.Sub(half))
		}
		// The mid moved two gaps (4 ticks, 0.04) toward the taker; the fair
		// price keeps half of that: 0.02.
		wantFair := fairBefore + 0.02*float64(side.Sign())
		if got := m.bk.mid2() - mid2Before; got != 8*side.Sign() || m.fair != wantFair {
			t.Errorf("%s: mid moved %d half-ticks, fair %v, want 8 and %v", side, got, m.fair, wantFair)
		}
		out := m.Step(m.Now())
		if len(out.Trades) != 3 {
			t.Fatalf("%s: %d trades printed, want 3", side, len(out.Trades))
		}
		var printed decimal.Decimal
		for i, tr := range out.Trades {
			printed = printed.Add(tr.Qty)
			if tr.TakerSide() != side || !tr.Price.Equal(want[i].Price) || tr.ID != fills[i].TradeID {
				t.Errorf("%s: trade %d = %+v", side, i, tr)
			}
		}
		if !printed.Equal(qty) {
			t.Errorf("%s: printed %s, want %s", side, printed, qty)
		}
	}
}

func TestTakeLiquidityIgnoresDust(t *testing.T) {
	m := mustNew(t, testConfig(Calm, 1))
	if f := m.TakeLiquidity(exchange.Buy, d("0.0009")); f != nil {
		t.Fatalf("fills %v for less than one step", f)
	}
	if f := m.TakeLiquidity("HOLD", d("1")); f != nil {
		t.Fatalf("fills %v for an invalid side", f)
	}
}

func onGrid(v, unit decimal.Decimal) bool { return v.Mod(unit).IsZero() }

func TestEverythingOnTickAndStep(t *testing.T) {
	for _, c := range []struct{ tick, step string }{{"0.01", "0.001"}, {"0.05", "0.01"}, {"0.025", "0.1"}} {
		cfg := testConfig(LongCascade, 4)
		cfg.TickSize, cfg.StepSize = d(c.tick), d(c.step)
		cfg.EventAt = 30 * time.Second
		cfg.FundingInterval = time.Minute
		m := mustNew(t, cfg)
		tick, step := cfg.TickSize, cfg.StepSize
		var trades, liqs int
		for s := 1; s <= 150; s++ {
			out := m.Step(t0.Add(time.Duration(s) * time.Second))
			for _, tr := range out.Trades {
				trades++
				if !onGrid(tr.Price, tick) || !onGrid(tr.Qty, step) || !tr.Qty.IsPositive() {
					t.Fatalf("tick %s: trade off grid: %+v", tick, tr)
				}
			}
			for _, l := range out.Liquidations {
				liqs++
				if !onGrid(l.Price, tick) || !onGrid(l.AvgPrice, tick) || !onGrid(l.Qty, step) || !onGrid(l.FilledQty, step) {
					t.Fatalf("tick %s: liquidation off grid: %+v", tick, l)
				}
			}
			for _, f := range out.Fundings {
				if !onGrid(f.Mark, tick) {
					t.Fatalf("funding mark %s off tick %s", f.Mark, tick)
				}
			}
			q := m.Quote()
			for _, p := range []decimal.Decimal{q.Last, q.Mark, q.Index, q.Bid, q.Ask} {
				if !onGrid(p, tick) {
					t.Fatalf("tick %s: quote price %s off grid (%+v)", tick, p, q)
				}
			}
			for _, v := range []decimal.Decimal{q.BidQty, q.AskQty, q.OpenInterest} {
				if !onGrid(v, step) {
					t.Fatalf("step %s: quote qty %s off grid", step, v)
				}
			}
		}
		bids, asks := m.Depth(50)
		for _, l := range append(bids, asks...) {
			if !onGrid(l.Price, tick) || !onGrid(l.Qty, step) {
				t.Fatalf("depth level %v off grid", l)
			}
		}
		for _, f := range m.TakeLiquidity(exchange.Sell, d("123.4567")) {
			if !onGrid(f.Price, tick) || !onGrid(f.Qty, step) {
				t.Fatalf("fill %v off grid", f)
			}
		}
		if trades == 0 || liqs == 0 {
			t.Fatalf("tick %s: %d trades, %d liquidations: too quiet", tick, trades, liqs)
		}
	}
}
