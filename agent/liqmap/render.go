package liqmap

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Render writes the map as a person reads it in a terminal: a header with
// the price, velocity, regime and round-number statistics, the cluster
// table, and a histogram of long and short liquidation notional by price
// (highest price on top, the current price marked). Output depends only on
// the map, now, price and opts.
func (m *Map) Render(now time.Time, price decimal.Decimal, w io.Writer, opts RenderOptions) error {
	if opts.Rows <= 0 {
		opts.Rows = 30
	}
	if opts.BarWidth <= 0 {
		opts.BarWidth = 40
	}
	if !opts.RangePct.IsPositive() {
		opts.RangePct = m.cfg.NearestRangePct
	}
	if !price.IsPositive() {
		price = m.refPrice()
	}
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }

	p("%s liquidation map at %s  price %s  bucket width %s\n",
		orDash(m.cfg.Symbol), now.UTC().Format(time.RFC3339), price.StringFixed(2), m.width.String())
	st := m.stats
	p("sample: %d forceOrder prints (1/s/symbol, largest only: a floor, not a census), %d OI points, %d trades\n",
		st.RealizedEvents, st.OIUpdates, st.Trades)

	v := m.Velocity(now)
	spike := ""
	if v.Spike {
		spike = "  SPIKE (cascade)"
	}
	p("velocity: %s %s/min  %s %s/min  ratio %s%s\n", v.ShortWindow, v.TotalShortPerMin.StringFixed(0),
		v.LongWindow, v.TotalLongPerMin.StringFixed(0), v.Ratio.StringFixed(2), spike)
	p("          realized %s/min, estimated %s/min over %s; longs %s/min, shorts %s/min\n",
		v.RealizedShortPerMin.StringFixed(0), v.EstimatedShortPerMin.StringFixed(0), v.ShortWindow,
		v.LongsLiquidatedShortPerMin.StringFixed(0), v.ShortsLiquidatedShortPerMin.StringFixed(0))

	r := m.Regime(now)
	if r.Kind == RegimeUnknown {
		p("regime: unknown (not enough OI and mark samples in %s)\n", m.cfg.RegimeWindow)
	} else {
		// The span is the samples' own, which can exceed the window when OI points are sparse.
		p("regime: %s (OI %s%%, price %s%% over %s of OI samples, window %s)\n", r.Kind, signed(r.OIChangePct),
			signed(r.PriceChangePct), shortDur(r.To.Sub(r.From)), m.cfg.RegimeWindow)
	}

	rn := m.RoundNumbers(now)
	if len(rn.Levels) > 0 {
		p("round numbers within %s%% (share of realized notional vs chance):", rn.DistancePct)
		for _, l := range rn.Levels {
			p("  x%s %s%% vs %s%%", l.Step.String(), l.Share.Mul(hundred).StringFixed(0), l.Coverage.Mul(hundred).StringFixed(0))
		}
		p("\n")
	}

	cs := m.Clusters(now)
	p("\nclusters (%d):\n", len(cs))
	if len(cs) > 0 {
		p("  %-10s %-10s %-10s %12s %12s %6s %8s %8s %6s %8s\n", "low", "high", "peak", "longs", "shorts", "real%", "age", "build", "round", "dist%")
		for _, c := range cs {
			build := "slow"
			if c.BuildFast {
				build = "fast"
			}
			round := "-"
			if c.Round.Tagged() {
				round = c.Round.Level.String()
			}
			p("  %-10s %-10s %-10s %12s %12s %6s %8s %8s %6s %8s\n", c.Low.StringFixed(2), c.High.StringFixed(2),
				c.PeakPrice.StringFixed(2), c.Long.StringFixed(0), c.Short.StringFixed(0),
				c.RealizedShare.Mul(hundred).StringFixed(0), shortDur(c.Age), build, round, signed(pctChange(price, c.PeakPrice)))
		}
	}
	if price.IsPositive() && m.width.IsPositive() {
		m.histogram(bw, now, price, cs, opts)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("liqmap render: %w", err)
	}
	return nil
}

// histogram draws rows of long (L) and short (S) notional around price.
func (m *Map) histogram(w io.Writer, now time.Time, price decimal.Decimal, cs []Cluster, opts RenderOptions) {
	rows := opts.Rows
	span := price.Mul(opts.RangePct).Div(hundred)
	lo, hi := price.Sub(span), price.Add(span)
	rowH := hi.Sub(lo).Div(decimal.NewFromInt(int64(rows)))
	longs := make([]decimal.Decimal, rows)
	shorts := make([]decimal.Decimal, rows)
	nowNs := now.UnixNano()
	fr, fe := m.real.readFactor(nowNs), m.est.readFactor(nowNs)
	for k := 0; k < m.grid.n; k++ {
		b := &m.grid.buf[m.grid.off+k]
		if b.empty() {
			continue
		}
		mid := m.bucketMid(m.grid.lo + int64(k))
		if mid.LessThan(lo) || mid.GreaterThanOrEqual(hi) {
			continue
		}
		row := int(mid.Sub(lo).Div(rowH).IntPart())
		row = min(max(row, 0), rows-1)
		longs[row] = longs[row].Add(b.rLong.Mul(fr)).Add(b.eLong.Mul(fe))
		shorts[row] = shorts[row].Add(b.rShort.Mul(fr)).Add(b.eShort.Mul(fe))
	}
	peak := decimal.Zero
	for i := range rows {
		peak = decimal.Max(peak, longs[i], shorts[i])
	}
	fmt.Fprintf(w, "\nhistogram ±%s%% (L = longs liquidated there, S = shorts; C = cluster peak, R = round level):\n", opts.RangePct)
	fmt.Fprintf(w, "  %-19s %12s %12s\n", "price", "longs", "shorts")
	priceRow := int(price.Sub(lo).Div(rowH).IntPart())
	bar := func(v decimal.Decimal, c string) string {
		if !peak.IsPositive() || !v.IsPositive() {
			return ""
		}
		n := int(v.Mul(decimal.NewFromInt(int64(opts.BarWidth))).DivRound(peak, 0).IntPart())
		return strings.Repeat(c, max(n, 1))
	}
	for i := rows - 1; i >= 0; i-- {
		rlo := lo.Add(rowH.Mul(decimal.NewFromInt(int64(i))))
		rhi := rlo.Add(rowH)
		marks := ""
		for _, c := range cs {
			if c.PeakPrice.GreaterThanOrEqual(rlo) && c.PeakPrice.LessThan(rhi) {
				marks = "C"
				break
			}
		}
		if t := m.roundTag(rlo.Add(rhi).Div(decimal.NewFromInt(2))); t.Tagged() && t.Level.GreaterThanOrEqual(rlo) && t.Level.LessThan(rhi) {
			marks += "R" + t.Level.String()
		}
		if i == priceRow {
			marks += " <== price " + price.StringFixed(2)
		}
		fmt.Fprintf(w, "  %9s-%-9s %12s %12s |%s%s %s\n", rlo.StringFixed(2), rhi.StringFixed(2),
			longs[i].StringFixed(0), shorts[i].StringFixed(0), bar(longs[i], "L"), bar(shorts[i], "S"), marks)
	}
}

func signed(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + d.StringFixed(2)
	}
	return d.StringFixed(2)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// shortDur prints a duration in its largest unit (45s, 12m, 3.5h, 2.0d), in integer arithmetic.
func shortDur(d time.Duration) string {
	tenths := func(unit time.Duration) string {
		n := int64(d / (unit / 10))
		return fmt.Sprintf("%d.%d", n/10, n%10)
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return tenths(time.Hour) + "h"
	}
	return tenths(24*time.Hour) + "d"
}
