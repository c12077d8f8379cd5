package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// exitRejected is `taobot size`'s exit code for a plan risk refuses: the
// command worked, the trade must not be taken.
const exitRejected = 4

// sizeDecimal is a flag.Value holding a decimal and whether it was given.
type sizeDecimal struct {
	v   decimal.Decimal
	set bool
}

func (f *sizeDecimal) String() string { return f.v.String() }

func (f *sizeDecimal) Set(s string) error {
	v, err := decimal.NewFromString(strings.ReplaceAll(s, "_", ""))
	if err != nil {
		return fmt.Errorf("not a decimal number: %q", s)
	}
	f.v, f.set = v, true
	return nil
}

// sizeDec registers a decimal flag with a default.
func sizeDec(fs *flag.FlagSet, name, def, usage string) *sizeDecimal {
	f := &sizeDecimal{v: decimal.RequireFromString(def)}
	fs.Var(f, name, usage)
	return f
}

// sizeParseSide maps long/short (or buy/sell) to a position direction.
func sizeParseSide(s string) (exchange.PositionDirection, error) {
	switch strings.ToLower(s) {
	case "long", "buy":
		return exchange.Long, nil
	case "short", "sell":
		return exchange.Short, nil
	}
	return "", fmt.Errorf("--side must be long or short, got %q", s)
}

// sizeParseTime parses an optional RFC 3339 time flag.
func sizeParseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s must be RFC 3339 (2026-11-24T08:00:00Z): %w", name, err)
	}
	return t, nil
}

func runSize(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("size", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: taobot size --side long|short --entry P --stop P [--target P] --max-loss USDT [--equity USDT] [flags]\n\n"+
			"Sizes a trade from the loss you accept (price move to the stop + fees + adverse funding)\n"+
			"and prints the plan, or every reason risk rejects it. Exit 0: plan; 4: rejected; 2: bad flags.\n\n")
		fs.PrintDefaults()
	}
	side := fs.String("side", "", "long or short (required)")
	entry := sizeDec(fs, "entry", "0", "entry price (required)")
	stop := sizeDec(fs, "stop", "0", "protective stop price (required)")
	target := sizeDec(fs, "target", "0", "take-profit price (optional; enables reward/risk checks)")
	maxLoss := sizeDec(fs, "max-loss", "0", "loss budget in USDT")
	maxLossPct := sizeDec(fs, "max-loss-pct", "0", "loss budget in percent of --equity (1 = 1%); the smaller budget wins")
	equity := sizeDec(fs, "equity", "0", "account equity in USDT; without it margin is not checked")
	available := sizeDec(fs, "available", "0", "balance free for margin (default: --equity)")
	crossWallet := sizeDec(fs, "cross-wallet", "0", "cross-margin WB: wallet - other positions' maintenance + their PnL (default: --equity)")
	margin := fs.String("margin", "isolated", "isolated or cross")
	makerFee := sizeDec(fs, "maker-fee", "0.0002", "maker fee rate")
	takerFee := sizeDec(fs, "taker-fee", "0.0005", "taker fee rate (the stop and target exits pay it)")
	entryMaker := fs.Bool("entry-maker", false, "the entry rests as a maker limit (default: taker)")
	fundingRate := sizeDec(fs, "funding-rate", "0", "current funding rate per interval (positive: longs pay)")
	fundingInterval := fs.Duration("funding-interval", risk.DefaultFundingInterval, "funding interval (4h for some symbols)")
	nextFunding := fs.String("next-funding", "", "next funding time, RFC 3339 (default: the interval's UTC grid)")
	hold := fs.Duration("hold", 0, "expected holding horizon, e.g. 24h")
	nowFlag := fs.String("now", "", "pretend the trade opens at this RFC 3339 time (default: now)")
	maxLev := fs.Int("max-leverage", risk.DefaultMaxLeverage, "leverage cap")
	liqBuffer := sizeDec(fs, "liq-buffer", risk.DefaultLiqBuffer.String(), "the stop may use at most this share of the way from entry to liquidation")
	minRR := sizeDec(fs, "min-rr", "1.5", "minimum reward/risk after fees and funding (0 = off; needs --target)")
	maxFundingShare := sizeDec(fs, "max-funding-share", "0.25", "largest share of expected profit funding may eat (0 = off)")
	tick := sizeDec(fs, "tick", risk.DefaultTAOTickSize.String(), "price tick size (TAOUSDT default)")
	step := sizeDec(fs, "step", risk.DefaultTAOStepSize.String(), "quantity step size")
	minQty := sizeDec(fs, "min-qty", risk.DefaultTAOMinQty.String(), "minimum quantity")
	minNotional := sizeDec(fs, "min-notional", risk.DefaultTAOMinNotional.String(), "minimum notional in USDT")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(c.stderr, "taobot size: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return bad("unexpected arguments %q", fs.Args())
	}
	dir, err := sizeParseSide(*side)
	if err != nil {
		return bad("%v", err)
	}
	if !entry.set || !stop.set {
		return bad("--entry and --stop are required")
	}
	if !maxLoss.set && !maxLossPct.set {
		return bad("give --max-loss (USDT) or --max-loss-pct with --equity")
	}
	if maxLossPct.set && !equity.set {
		return bad("--max-loss-pct needs --equity")
	}
	if maxLoss.set && !maxLoss.v.IsPositive() {
		return bad("--max-loss must be > 0 USDT (the most this trade may lose), got %s", maxLoss.v)
	}
	if maxLossPct.set && (!maxLossPct.v.IsPositive() || maxLossPct.v.GreaterThan(decimal.NewFromInt(100))) {
		return bad("--max-loss-pct must be > 0 and <= 100 (percent of --equity), got %s", maxLossPct.v)
	}
	var mt exchange.MarginType
	switch strings.ToLower(*margin) {
	case "isolated":
		mt = exchange.Isolated
	case "cross", "crossed":
		mt = exchange.Cross
	default:
		return bad("--margin must be isolated or cross, got %q", *margin)
	}
	if mt == exchange.Cross && !equity.set && !crossWallet.set {
		return bad("--margin cross needs --equity or --cross-wallet: a cross liquidation price depends on the wallet balance")
	}
	now, err := sizeParseTime("now", *nowFlag)
	if err != nil {
		return bad("%v", err)
	}
	if now.IsZero() {
		now = time.Now().UTC() // the CLI edge is the one place that reads the clock
	}
	next, err := sizeParseTime("next-funding", *nextFunding)
	if err != nil {
		return bad("%v", err)
	}
	rules := risk.DefaultTAORules()
	rules.TickSize, rules.StepSize, rules.MinQty, rules.MinNotional = tick.v, step.v, minQty.v, minNotional.v
	avail := available.v
	if !available.set {
		avail = equity.v
	}
	in := risk.PlanInput{
		Direction: dir, Entry: entry.v, Stop: stop.v, Target: target.v,
		Equity: equity.v, Available: avail, SkipMarginCheck: !equity.set && !available.set,
		CrossWallet: crossWallet.v, Rules: rules,
		MakerFee: makerFee.v, TakerFee: takerFee.v, EntryMaker: *entryMaker,
		FundingRate: fundingRate.v, FundingInterval: *fundingInterval, NextFunding: next,
		Now: now, Hold: *hold,
		Config: risk.SizingConfig{
			MaxLossUSDT: maxLoss.v, MaxLossPct: maxLossPct.v, MaxLeverage: *maxLev, LiqBuffer: liqBuffer.v,
			MinRewardRisk: minRR.v, MaxFundingShare: maxFundingShare.v, MarginType: mt,
		},
	}
	p, err := risk.Plan(in)
	if err != nil {
		return bad("%v", err)
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p); err != nil {
			fmt.Fprintf(c.stderr, "taobot size: %v\n", err)
			return exitRuntime
		}
	} else {
		printPlan(c.stdout, p, in)
	}
	if !p.Accepted() {
		return exitRejected
	}
	return exitOK
}

// printPlan writes the plan for a person at a terminal.
func printPlan(w io.Writer, p risk.PlanResult, in risk.PlanInput) {
	var b strings.Builder
	pf := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	if p.Accepted() {
		pf("%s %s plan (%s margin)\n", p.Direction, in.Rules.Symbol, strings.ToLower(string(p.MarginType)))
	} else {
		pf("REJECTED: no %s trade\n", strings.ToLower(string(p.Direction)))
	}
	pf("  entry            %s\n", p.Entry)
	pf("  stop             %s\n", p.Stop)
	if p.Target != nil {
		pf("  target           %s\n", *p.Target)
	}
	pf("  loss budget      %s USDT\n", p.Budget)
	if !p.Qty.IsZero() {
		pf("  quantity         %s  (notional %s USDT)\n", p.Qty, p.Notional)
	}
	if p.Leverage > 0 {
		pf("  leverage         %dx  (margin %s USDT)\n", p.Leverage, p.Margin.Round(4))
		if p.LiquidationPrice != nil {
			pf("  liquidation      %s\n", *p.LiquidationPrice)
		} else {
			pf("  liquidation      none: the margin covers any move\n")
		}
	}
	if u := p.LossPerUnit; !u.Total.IsZero() {
		pf("  loss per unit    %s USDT = price %s + fees %s + funding %s\n", u.Total.Round(6), u.Price, u.Fees.Round(6), u.Funding.Round(6))
		if p.Qty.IsPositive() {
			l := p.WorstCaseLoss
			pf("  worst-case loss  %s USDT = price %s + fees %s + funding %s\n", l.Total.Round(4), l.Price.Round(4), l.Fees.Round(4), l.Funding.Round(4))
		}
		if in.Hold > 0 {
			pf("  funding          %d funding time(s) within %s at rate %s (charged only when against the side)\n", p.FundingTimes, in.Hold, in.FundingRate)
		} else {
			pf("  funding          not counted (no --hold)\n")
		}
	}
	if p.RMultiple != nil {
		if p.Qty.IsPositive() && p.ExpectedReward != nil {
			pf("  expected reward  %s USDT at the target after fees and funding (R %s)\n", p.ExpectedReward.Round(4), *p.RMultiple)
		} else {
			pf("  reward/risk      R %s after fees and funding\n", *p.RMultiple)
		}
	}
	for _, r := range p.Roundings {
		pf("  rounded %-8s %s -> %s: %s\n", r.What, r.From, r.To, r.Why)
	}
	for _, n := range p.Notes {
		pf("  note: %s\n", n)
	}
	for _, r := range p.Rejections {
		pf("  reason [%s]: %s\n", r.Code, r.Message)
	}
	io.WriteString(w, b.String())
}
