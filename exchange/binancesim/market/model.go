package market

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// SubStep is the fixed simulated time of one internal step. Outputs depend
// only on the sub-step grid from Config.Start, never on how often Step is called.
const SubStep = 100 * time.Millisecond

// Microstructure constants.
const (
	recentreTau   = 1.5   // seconds for the book to follow the fair price
	basisTau      = 300.0 // seconds of the mark price's basis average (Binance: 5 min)
	noiseRate     = 4.0   // background taker trades per second
	noiseMin      = 0.05  // Pareto scale of a background trade, base units
	noiseAlpha    = 1.3
	noiseMax      = 30.0
	crowdPremium  = 0.002        // perp premium at a fully one-sided population
	trendDrift    = 0.005 / 3600 // background trend, relative per second
	trendSwitchPS = 1.0 / 1800   // background trend switch probability per second
)

// Model is one deterministic synthetic market. It is not safe for concurrent
// use: the simulator server owns it behind its own lock.
type Model struct {
	cfg          Config
	scr          script
	rng          *rand.Rand
	k            int64 // sub-steps done since Start
	now          time.Time
	tick, step   decimal.Decimal
	tickF, stepF float64
	tickExp      int32 // power of ten of the tick, or noPow10
	stepExp      int32
	dt, sqrtDt   float64
	kappa        float64 // book recentring fraction per sub-step
	basisK       float64 // basis average fraction per sub-step

	// Price process (float64, see doc.go) and its regime.
	fair      float64 // fair (index) price
	startF    float64
	eventBase float64 // fair price when the current event started
	phaseIdx  int
	phaseID   int64
	reg       regime
	trend     float64

	bk                book
	last, index, mark int64 // ticks
	basis             float64

	fund funding

	tr                             []trader
	longOI, shortOI                int64 // steps
	loMark, hiMark, loLast, hiLast int64
	minWake                        int64
	forceScan                      bool
	roundUnit                      int64 // ticks of one round-number unit (1 USDT near 400)

	tradeID int64
	fills   []fillTicks
	out     Output
	err     error
}

// New builds a market from cfg (zero fields take DefaultConfig's values).
func New(cfg Config) (*Model, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Model{
		cfg:   c,
		rng:   rand.New(rand.NewPCG(uint64(c.Seed), 0x6d61726b6574)),
		now:   c.Start,
		tick:  c.TickSize,
		step:  c.StepSize,
		tickF: c.TickSize.InexactFloat64(),
		stepF: c.StepSize.InexactFloat64(),
		dt:    SubStep.Seconds(),
	}
	m.tickExp, m.stepExp = pow10Exp(c.TickSize), pow10Exp(c.StepSize)
	m.scr, _ = scriptFor(c.Scenario) // withDefaults rejected unknown names
	m.sqrtDt = math.Sqrt(m.dt)
	m.kappa = 1 - math.Exp(-m.dt/recentreTau)
	m.basisK = m.dt / basisTau
	start := c.StartPrice.Div(c.TickSize).Round(0).IntPart()
	m.fair = float64(start) * m.tickF
	m.startF, m.eventBase = m.fair, m.fair
	m.last, m.index, m.mark = start, start, start
	m.roundUnit = max(1, int64(math.Round(math.Pow(10, math.Floor(math.Log10(m.fair))-2)/m.tickF)))
	m.bk = book{gap: max(1, int64(math.Round(m.fair*0.00005/m.tickF))), depth: 1, round: 5 * m.roundUnit}
	m.bk.base = max(1, int64(800/(m.fair*m.stepF)))
	m.bk.setBid(floorTo(start-m.bk.gap/2, m.bk.gap))
	m.reg, m.phaseID, m.phaseIdx = m.phaseAt(0)
	if err := m.fund.init(c); err != nil {
		return nil, err
	}
	// One liquidation price up front, so a bracket table the formula cannot
	// use is a New error rather than a silent gap later.
	if _, err := risk.LiquidationPrice(risk.LiqInput{Direction: exchange.Long, Qty: c.StepSize,
		Entry: c.StartPrice, Wallet: c.StepSize.Mul(c.StartPrice).Div(decimal.NewFromInt(10)), Brackets: c.Brackets}); err != nil {
		return nil, fmt.Errorf("market config: brackets: %w", err)
	}
	m.tr = make([]trader, c.Traders)
	m.seedTraders()
	if m.err != nil {
		return nil, m.err
	}
	m.bounds()
	return m, nil
}

// seedTraders opens part of the population before Start, entries near the
// start price and often on round numbers, so open interest and liquidation
// clusters exist from the first sub-step.
func (m *Model) seedTraders() {
	for i := range m.tr {
		tr := &m.tr[i]
		if m.rng.Float64() >= 0.6 {
			tr.wake = m.wait(meanFlatWait / m.reg.activity)
			continue
		}
		entry := m.last + int64(float64(m.last)*0.015*(2*m.rng.Float64()-1))
		if m.rng.Float64() < 0.6 {
			g := m.drawGrid()
			entry = floorTo(m.last+g/2, g) + g*int64(m.rng.IntN(3)-1)
		}
		dir := int64(-1)
		if m.rng.Float64() < m.reg.longBias {
			dir = 1
		}
		qty, lev := m.sizeFor(entry, m.reg.highLev)
		if qty <= 0 || entry <= 0 {
			tr.wake = m.wait(meanFlatWait)
			continue
		}
		m.keep(m.setPosition(tr, dir, qty, entry, lev))
		if (dir > 0 && m.mark <= tr.liq) || (dir < 0 && m.mark >= tr.liq) {
			// Would have been liquidated before Start: not part of the book.
			m.dropOI(tr)
			*tr = trader{state: flat, wake: m.wait(meanFlatWait)}
		}
	}
}

// keep records the first internal error (see Err).
func (m *Model) keep(err error) {
	if err != nil && m.err == nil {
		m.err = err
	}
}

// Err reports the first internal inconsistency (a liquidation price the risk
// formula refused); nil in normal operation.
func (m *Model) Err() error { return m.err }

// px converts ticks to a price; qtyDec converts steps to a quantity.
func (m *Model) px(t int64) decimal.Decimal     { return gridDec(t, m.tick, m.tickExp) }
func (m *Model) qtyDec(s int64) decimal.Decimal { return gridDec(s, m.step, m.stepExp) }

// gridDec is n × unit; exp is unit's power of ten when unit is one (a cheap
// exact path for 0.01, 0.001, ...), else noPow10.
func gridDec(n int64, unit decimal.Decimal, exp int32) decimal.Decimal {
	if exp != noPow10 {
		return decimal.New(n, exp)
	}
	return decimal.NewFromInt(n).Mul(unit)
}

const noPow10 = math.MaxInt32

// pow10Exp returns e when d == 10^e, else noPow10.
func pow10Exp(d decimal.Decimal) int32 {
	for e := int32(-18); e <= 18; e++ {
		if d.Equal(decimal.New(1, e)) {
			return e
		}
	}
	return noPow10
}

// Config is the effective configuration, defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// Now is the simulated time of the last sub-step done.
func (m *Model) Now() time.Time { return m.now }

// Step advances simulated time to now (whole sub-steps on the grid from
// Start) and returns what happened since the previous Step, in time order,
// including events caused by SetPrice and TakeLiquidity in between.
func (m *Model) Step(now time.Time) Output {
	for {
		next := m.cfg.Start.Add(time.Duration(m.k+1) * SubStep)
		if next.After(now) {
			break
		}
		m.k++
		m.now = next
		m.subStep()
	}
	out := m.out
	m.out = Output{}
	return out
}

// phaseAt is the scenario's regime at sub-step k.
func (m *Model) phaseAt(k int64) (regime, int64, int) {
	return phaseAt(m.scr, m.cfg.EventAt, m.cfg.EventEvery, time.Duration(k)*SubStep)
}

// subStep advances the market by one SubStep.
func (m *Model) subStep() {
	r, id, idx := m.phaseAt(m.k)
	if id != m.phaseID {
		if idx == 0 {
			m.eventBase = m.fair
		}
		m.phaseID, m.phaseIdx = id, idx
	}
	m.reg = r
	m.bk.depth = r.depth
	m.moveFair()
	m.index = max(1, int64(math.Round(m.fair/m.tickF)))
	m.recentre()
	m.noise()
	m.updateMark()
	if m.k%10 == 0 { // Binance samples the premium index every second
		m.fund.sample(m.bk.bid, m.bk.ask(), m.index)
	}
	if !m.now.Before(m.fund.next) {
		f := m.fund.settle(m.px(m.mark))
		m.out.Fundings = append(m.out.Fundings, f)
		m.settleTraders(f.Rate, f.Mark)
		m.forceScan = true
	}
	if m.forceScan || m.due() {
		m.forceScan = false
		m.scan()
	}
}

// moveFair advances the fair price one sub-step: drift, diffusion and mean
// reversion. Explicit float64 conversions stop the compiler fusing
// multiply-adds, which would differ between architectures.
func (m *Model) moveFair() {
	r := m.reg
	drift := r.drift
	if r.trend {
		if m.k%10 == 0 && m.rng.Float64() < trendSwitchPS {
			m.trend = float64(m.rng.IntN(3) - 1)
		}
		drift += float64(m.trend * trendDrift)
	}
	rel := float64(drift*m.dt) + float64(r.vol*m.sqrtDt)*m.rng.NormFloat64()
	if r.revert > 0 {
		base := m.startF
		if m.phaseIdx >= 0 {
			base = m.eventBase
		}
		rel += float64(r.revert*m.dt) * (float64(base*r.anchor) - m.fair) / m.fair
	}
	m.fair = math.Max(m.startF*0.01, float64(m.fair*(1+rel)))
}

// perpTarget2 is twice the mid price (ticks) the book is pulled toward: the
// fair price plus a premium from the crowding of the population.
func (m *Model) perpTarget2() float64 {
	prem := 0.0
	if tot := m.longOI + m.shortOI; tot > 0 {
		prem = crowdPremium * float64(m.longOI-m.shortOI) / float64(tot)
	}
	return 2 * float64(m.fair*(1+prem)) / m.tickF
}

// recentre moves the book toward the perp's fair mid, as market makers
// requote after an impact, and refills the touch.
func (m *Model) recentre() {
	g := m.bk.gap
	want := floorTo((int64(math.Round(m.perpTarget2()))-g)/2, g)
	diff := want - m.bk.bid
	if diff == 0 {
		m.bk.replenish()
		return
	}
	mv := int64(math.Round(float64(diff)*m.kappa/float64(g))) * g
	if mv == 0 {
		mv = g
		if diff < 0 {
			mv = -g
		}
	}
	m.bk.setBid(max(g, m.bk.bid+mv))
}

// noise prints background taker trades (other participants), leaning toward
// the side that pulls the book to its fair mid.
func (m *Model) noise() {
	lambda := noiseRate * m.dt
	if m.reg.depth < 0.5 {
		lambda *= 3
	}
	// Poisson count by inversion.
	n, p, u := 0, math.Exp(-lambda), m.rng.Float64()
	for cdf := p; u > cdf && n < 20; cdf += p {
		n++
		p *= lambda / float64(n)
	}
	for range n {
		lean := 0.15 * (m.perpTarget2() - float64(m.bk.mid2())) / float64(2*m.bk.gap)
		side := int64(-1)
		if m.rng.Float64() < 0.5+math.Max(-0.3, math.Min(0.3, lean)) {
			side = 1
		}
		size := math.Min(noiseMax, noiseMin/math.Pow(1-m.rng.Float64(), 1/noiseAlpha))
		m.take(side, max(1, int64(size/m.stepF)), 0, 0)
	}
}

// updateMark is Binance's mark price: the median of index × (1 + rate ×
// time to funding / interval), index + the averaged basis, and last.
func (m *Model) updateMark() {
	mid := float64(m.bk.mid2()) / 2
	m.basis += float64(m.basisK * (mid - float64(m.index) - m.basis))
	ttf := float64(m.fund.next.Sub(m.now)) / float64(m.cfg.FundingInterval)
	p1 := float64(m.index) * (1 + float64(m.fund.estF*ttf))
	p2 := float64(m.index) + m.basis
	p3 := float64(m.last)
	med := math.Max(math.Min(p1, p2), math.Min(math.Max(p1, p2), p3))
	m.mark = max(1, int64(math.Round(med)))
}

// take executes a taker order of qty steps on side sign through the book,
// prints its trades, and moves the fair price by alpha of the book's move.
// It returns the filled quantity and its notional in tick·steps.
func (m *Model) take(sign, qty, limit int64, alpha float64) (filled, notional int64) {
	before := m.bk.mid2()
	m.fills, _ = m.bk.walk(m.fills[:0], sign, qty, limit)
	for _, f := range m.fills {
		m.tradeID++
		m.out.Trades = append(m.out.Trades, exchange.Trade{
			EventMeta:  exchange.EventMeta{Symbol: m.cfg.Symbol, ExchangeTime: m.now},
			ID:         m.tradeID,
			Price:      m.px(f.price),
			Qty:        m.qtyDec(f.qty),
			BuyerMaker: sign < 0,
			TradeTime:  m.now,
		})
		notional += f.price * f.qty
		filled += f.qty
	}
	if filled == 0 {
		return 0, 0
	}
	m.last = m.fills[len(m.fills)-1].price
	if alpha > 0 {
		m.fair = math.Max(m.startF*0.01, m.fair+float64(alpha*float64(m.bk.mid2()-before)/2)*m.tickF)
	}
	return filled, notional
}

// avgTicks is notional / qty rounded to the nearest tick.
func avgTicks(notional, qty int64) int64 { return (notional + qty/2) / qty }
