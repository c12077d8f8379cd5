package binancesim

import (
	"time"

	"github.com/shopspring/decimal"
)

// publisher keeps the market streams' sequence numbers and the forceOrder
// snapshot windows. Guarded by Sim.mu.
type publisher struct {
	aggID, tradeID, updateID int64
	lastMark1s, lastMark3s   time.Time
	// liq holds the largest liquidation of each one-second window not yet pushed.
	liq []liqWindow
}

type liqWindow struct {
	start time.Time
	best  mLiquidation
}

func newPublisher(start time.Time) publisher {
	return publisher{aggID: 1_000_000, tradeID: 5_000_000, updateID: 7_000_000, lastMark1s: start.Truncate(time.Second), lastMark3s: start.Truncate(3 * time.Second)}
}

// offerLiquidation applies the snapshot rule: per symbol and second, only the
// largest liquidation (by notional) is pushed.
func (p *publisher) offerLiquidation(l mLiquidation) {
	w := l.Time.Truncate(time.Second)
	for i := range p.liq {
		if p.liq[i].start.Equal(w) {
			if notional(l).GreaterThan(notional(p.liq[i].best)) {
				p.liq[i].best = l
			}
			return
		}
	}
	p.liq = append(p.liq, liqWindow{start: w, best: l})
}

func notional(l mLiquidation) decimal.Decimal { return l.Qty.Mul(l.AvgPrice) }

// stepLocked runs one model step at s.now and publishes everything it produced.
func (s *Sim) stepLocked() {
	out := s.model.Step(s.now)
	public := out.Trades[:0:0] // trades the bot's resting orders may match: not its own
	for _, t := range out.Trades {
		s.hist.addTrade(t)
		s.publishAggTradeLocked(t)
		if !t.Own {
			public = append(public, t)
		}
	}
	for _, l := range out.Liquidations {
		s.pub.offerLiquidation(l)
	}
	for _, f := range out.Fundings {
		s.hist.addFunding(f)
		s.settleFundingLocked(f)
	}
	s.afterMarketMoveLocked(public)
	s.flushLiquidationsLocked()
	s.publishQuoteLocked(false)
	s.hist.sampleOI(s.now, s.model.Quote())
	s.stepFaultsLocked()
}

// afterMarketMoveLocked runs the bot's account against a new market state.
func (s *Sim) afterMarketMoveLocked(trades []mTrade) {
	s.matchRestingLocked(trades)
	s.checkAlgosLocked()
	s.checkLiquidationLocked()
}

// flushLiquidationsLocked pushes each finished one-second window's largest liquidation.
func (s *Sim) flushLiquidationsLocked() {
	keep := s.pub.liq[:0]
	for _, w := range s.pub.liq {
		if s.now.Before(w.start.Add(time.Second)) {
			keep = append(keep, w)
			continue
		}
		s.publishForceOrderLocked(w.best)
	}
	s.pub.liq = keep
}

type wsAggTrade struct {
	E     int64  `json:"E"`
	A     int64  `json:"a"`
	S     string `json:"s"`
	P     string `json:"p"`
	Q     string `json:"q"`
	NQ    string `json:"nq"`
	F     int64  `json:"f"`
	L     int64  `json:"l"`
	T     int64  `json:"T"`
	Maker bool   `json:"m"`
}

func (s *Sim) publishAggTradeLocked(t mTrade) {
	p := &s.pub
	p.aggID++
	first := p.tradeID + 1
	p.tradeID += 1 + int64(t.Qty.IntPart()%3)
	if !s.hub.wantsLocked("taousdt@aggTrade") {
		return
	}
	ms := t.Time.UnixMilli()
	s.hub.publishLocked("taousdt@aggTrade", marshalEvent("aggTrade", wsAggTrade{
		E: ms, A: p.aggID, S: Symbol, P: fmtPrice(t.Price), Q: fmtQty(t.Qty), NQ: fmtQty(t.Qty), F: first, L: p.tradeID, T: ms, Maker: t.BuyerMaker,
	}))
}

type wsForceOrder struct {
	E int64        `json:"E"`
	O wsForceInner `json:"o"`
}

type wsForceInner struct {
	S  string `json:"s"`
	Sd string `json:"S"`
	O  string `json:"o"`
	F  string `json:"f"`
	Q  string `json:"q"`
	P  string `json:"p"`
	AP string `json:"ap"`
	X  string `json:"X"`
	L  string `json:"l"`
	Z  string `json:"z"`
	T  int64  `json:"T"`
}

func (s *Sim) publishForceOrderLocked(l mLiquidation) {
	msg := marshalEvent("forceOrder", wsForceOrder{E: s.now.UnixMilli(), O: wsForceInner{
		S: Symbol, Sd: string(l.Side), O: "LIMIT", F: "IOC", Q: fmtQty(l.Qty), P: fmtPrice(l.Price), AP: fmtPrice(l.AvgPrice),
		X: "FILLED", L: fmtQty(l.Qty), Z: fmtQty(l.Qty), T: l.Time.UnixMilli(),
	}})
	s.hub.publishLocked("taousdt@forceOrder", msg)
	s.hub.publishLocked("!forceOrder@arr", msg)
}

type wsMarkPrice struct {
	E  int64  `json:"E"`
	S  string `json:"s"`
	P  string `json:"p"`
	AP string `json:"ap"`
	I  string `json:"i"`
	EP string `json:"P"`
	R  string `json:"r"`
	T  int64  `json:"T"`
}

type wsBookTicker struct {
	U  int64  `json:"u"`
	S  string `json:"s"`
	B  string `json:"b"`
	BQ string `json:"B"`
	A  string `json:"a"`
	AQ string `json:"A"`
	T  int64  `json:"T"`
	E  int64  `json:"E"`
}

type wsDepth struct {
	E  int64       `json:"E"`
	T  int64       `json:"T"`
	S  string      `json:"s"`
	U  int64       `json:"U"`
	Uu int64       `json:"u"`
	PU int64       `json:"pu"`
	B  [][2]string `json:"b"`
	A  [][2]string `json:"a"`
}

// publishQuoteLocked pushes mark price on its 1s and 3s boundaries (or now
// when force), the book ticker and the partial depth streams.
func (s *Sim) publishQuoteLocked(force bool) {
	q := s.model.Quote()
	ms := s.now.UnixMilli()
	mark := func() []byte {
		return marshalEvent("markPriceUpdate", wsMarkPrice{
			E: ms, S: Symbol, P: fmtRate(q.Mark), AP: fmtRate(q.Mark), I: fmtRate(q.Index), EP: fmtRate(q.Index),
			R: fmtRate(q.FundingRate), T: q.NextFunding.UnixMilli(),
		})
	}
	if sec := s.now.Truncate(time.Second); force || sec.After(s.pub.lastMark1s) {
		s.pub.lastMark1s = sec
		if s.hub.wantsLocked("taousdt@markPrice@1s") {
			s.hub.publishLocked("taousdt@markPrice@1s", mark())
		}
	}
	if sec := s.now.Truncate(3 * time.Second); force || sec.After(s.pub.lastMark3s) {
		s.pub.lastMark3s = sec
		if s.hub.wantsLocked("taousdt@markPrice") {
			s.hub.publishLocked("taousdt@markPrice", mark())
		}
	}
	prev := s.pub.updateID
	s.pub.updateID++
	if s.hub.wantsLocked("taousdt@bookTicker") {
		s.hub.publishLocked("taousdt@bookTicker", marshalEvent("bookTicker", wsBookTicker{
			U: s.pub.updateID, S: Symbol, B: fmtPrice(q.Bid), BQ: fmtQty(q.BidQty), A: fmtPrice(q.Ask), AQ: fmtQty(q.AskQty), T: ms, E: ms,
		}))
	}
	for _, n := range []int{5, 10, 20} {
		name := "taousdt@depth" + itoa(n)
		if !s.hub.wantsLocked(name) {
			continue
		}
		bids, asks := s.model.Depth(n)
		s.hub.publishLocked(name, marshalEvent("depthUpdate", wsDepth{
			E: ms, T: ms, S: Symbol, U: prev + 1, Uu: s.pub.updateID, PU: prev, B: levels(bids), A: levels(asks),
		}))
	}
}

func levels(ls []level) [][2]string {
	out := make([][2]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, [2]string{fmtPrice(l.Price), fmtQty(l.Qty)})
	}
	return out
}

func itoa(n int) string { return decimal.NewFromInt(int64(n)).String() }

// wantsLocked reports whether any connection subscribes to stream.
func (h *hub) wantsLocked(stream string) bool {
	for c := range h.conns {
		if _, ok := c.subs[stream]; ok {
			return true
		}
	}
	return false
}
