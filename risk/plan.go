package risk

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Plan sizes a trade from what the trader can afford to lose, never from the
// profit target:
//
//	budget   = min(max_loss_usdt, max_loss_pct% of equity)
//	per unit = |entry-stop| + entry fee + taker exit fee at the stop
//	           + adverse funding over the horizon
//	qty      = budget / per unit, rounded down to the step
//
// then takes the lowest leverage whose margin fits and whose liquidation
// price leaves the stop within liq_buffer of the way from entry to
// liquidation. Prices are first rounded to the tick toward safety (see
// StopRoundDir). A plan that cannot be traded carries every reason found in
// Rejections; the error is only for input that is invalid on its face.
//
// Funding per unit is |rate| x max(entry, stop) per funding time, counted only
// when it is against the side; funding in the trade's favour is ignored.
// Slippage beyond the stop is not modelled: the liquidation buffer is what
// guards against a stop filled late.
func Plan(in PlanInput) (PlanResult, error) {
	cfg, err := normalize(&in)
	if err != nil {
		return PlanResult{}, err
	}
	p := PlanResult{Direction: in.Direction, MarginType: cfg.MarginType, Roundings: []Rounding{}, Notes: []string{}, Rejections: []Rejection{}}
	long := in.Direction == exchange.Long
	r := in.Rules

	entry := RoundPrice(r, in.Entry, EntryRoundDir(in.Direction))
	p.round("entry", in.Entry, entry, "to the tick on the passive side: never a worse entry than planned")
	stop := RoundPrice(r, in.Stop, StopRoundDir(in.Direction))
	p.round("stop", in.Stop, stop, "to the tick toward the entry: triggers no later than asked")
	p.Entry, p.Stop = entry, stop
	p.Budget = budget(cfg, in.Equity)
	if long && !stop.LessThan(entry) || !long && !stop.GreaterThan(entry) {
		want := "below"
		if !long {
			want = "above"
		}
		p.reject(ReasonStopWrongSide, "a %s stop must be %s the entry %s, got %s", lower(in.Direction), want, entry, stop)
		return p, nil
	}
	hasTarget := in.Target.IsPositive()
	var target decimal.Decimal
	if hasTarget {
		target = RoundPrice(r, in.Target, TargetRoundDir(in.Direction))
		p.round("target", in.Target, target, "to the tick toward the entry: reward never overstated")
		p.Target = &target
		if long && !target.GreaterThan(entry) || !long && !target.LessThan(entry) {
			want := "above"
			if !long {
				want = "below"
			}
			p.reject(ReasonTargetWrongSide, "a %s target must be %s the entry %s, got %s", lower(in.Direction), want, entry, target)
			hasTarget = false
		}
	}

	if !p.Budget.IsPositive() {
		p.reject(ReasonNoBudget, "the loss budget is %s USDT: set max_loss_usdt or max_loss_pct with a positive equity", p.Budget)
		return p, nil
	}

	// Per-unit loss at the stop.
	entryRate := in.TakerFee
	if in.EntryMaker {
		entryRate = in.MakerFee
	}
	entryFee := entry.Mul(entryRate)
	p.FundingTimes = FundingCount(in.Now, in.NextFunding, in.FundingInterval, in.Hold)
	funding := decimal.Zero
	if in.FundingRate.Mul(decimal.NewFromInt(in.Direction.Sign())).IsPositive() && p.FundingTimes > 0 {
		funding = in.FundingRate.Abs().Mul(decimal.Max(entry, stop)).Mul(decimal.NewFromInt(int64(p.FundingTimes)))
	}
	pu := LossBreakdown{Price: entry.Sub(stop).Abs(), Fees: entryFee.Add(stop.Mul(in.TakerFee)), Funding: funding}
	pu.Total = pu.Price.Add(pu.Fees).Add(pu.Funding)
	p.LossPerUnit = pu

	if hasTarget {
		checkReward(&p, cfg, pu, entry, target, entryFee, in.TakerFee)
	}

	// Quantity: budget / per-unit loss, down to the step; exact division
	// rounding can never push the loss over the budget.
	raw, _ := p.Budget.QuoRem(pu.Total, 16) // truncated: raw*per-unit <= budget
	qty := RoundQtyDown(r, raw)
	for qty.IsPositive() && qty.Mul(pu.Total).GreaterThan(p.Budget) && r.StepSize.IsPositive() {
		qty = qty.Sub(r.StepSize)
	}
	p.round("qty", raw.Round(8), qty, "down to the step: the loss stays within the budget")
	if r.MaxQty.IsPositive() && qty.GreaterThan(r.MaxQty) {
		p.round("qty", qty, r.MaxQty, "capped at the symbol's max qty")
		qty = r.MaxQty
	}
	p.Qty = qty
	p.Notional = qty.Mul(entry)
	p.WorstCaseLoss = LossBreakdown{Price: qty.Mul(pu.Price), Fees: qty.Mul(pu.Fees), Funding: qty.Mul(pu.Funding), Total: qty.Mul(pu.Total)}
	if hasTarget && p.ExpectedReward != nil {
		er := qty.Mul(*p.ExpectedReward)
		p.ExpectedReward = &er
	}

	small := false
	if !MeetsMinQty(r, qty) {
		small = true
		p.reject(ReasonQtyBelowMin, "a %s USDT budget over a %s USDT loss per unit buys %s, below the minimum quantity %s", p.Budget, pu.Total.Round(4), qty, r.MinQty)
	}
	if !MeetsMinNotional(r, qty, entry) {
		small = true
		p.reject(ReasonNotionalBelowMin, "notional %s USDT is below the minimum %s USDT; widen the budget or tighten the stop", p.Notional, r.MinNotional)
	}
	if small || !qty.IsPositive() {
		return p, nil
	}
	chooseLeverage(&p, in, cfg, entryFee.Mul(qty))
	return p, nil
}

// normalize applies defaults and rejects input that is wrong on its face.
func normalize(in *PlanInput) (SizingConfig, error) {
	cfg := in.Config
	switch {
	case !in.Direction.Valid():
		return cfg, fmt.Errorf("plan: direction %q is not LONG or SHORT", in.Direction)
	case !in.Entry.IsPositive() || !in.Stop.IsPositive():
		return cfg, fmt.Errorf("plan: entry and stop must be > 0, got entry %s stop %s", in.Entry, in.Stop)
	case in.Target.IsNegative():
		return cfg, fmt.Errorf("plan: target must be >= 0 (0 = none), got %s", in.Target)
	case in.MakerFee.IsNegative() || in.TakerFee.IsNegative():
		return cfg, fmt.Errorf("plan: fee rates must be >= 0, got maker %s taker %s", in.MakerFee, in.TakerFee)
	case in.Equity.IsNegative() || in.Available.IsNegative():
		return cfg, fmt.Errorf("plan: equity and available must be >= 0, got %s and %s", in.Equity, in.Available)
	case in.Hold < 0:
		return cfg, fmt.Errorf("plan: hold horizon must be >= 0, got %s", in.Hold)
	case in.Hold > 0 && in.Now.IsZero():
		return cfg, errors.New("plan: now is required to count funding times over the hold horizon")
	case cfg.MaxLossUSDT.IsNegative() || cfg.MaxLossPct.IsNegative() || cfg.MaxLossPct.GreaterThan(hundred):
		return cfg, fmt.Errorf("plan: max_loss_usdt must be >= 0 and max_loss_pct in [0, 100], got %s and %s", cfg.MaxLossUSDT, cfg.MaxLossPct)
	case cfg.MaxLeverage < 0:
		return cfg, fmt.Errorf("plan: max_leverage must be >= 0, got %d", cfg.MaxLeverage)
	case cfg.LiqBuffer.IsNegative() || cfg.LiqBuffer.GreaterThan(one):
		return cfg, fmt.Errorf("plan: liq_buffer must be in (0, 1], got %s", cfg.LiqBuffer)
	case cfg.MinRewardRisk.IsNegative() || cfg.MaxFundingShare.IsNegative():
		return cfg, fmt.Errorf("plan: min_reward_risk and max_funding_share must be >= 0")
	}
	if cfg.MaxLeverage == 0 {
		cfg.MaxLeverage = DefaultMaxLeverage
	}
	if cfg.LiqBuffer.IsZero() {
		cfg.LiqBuffer = DefaultLiqBuffer
	}
	switch cfg.MarginType {
	case "":
		cfg.MarginType = exchange.Isolated
	case exchange.Isolated, exchange.Cross:
	default:
		return cfg, fmt.Errorf("plan: margin type %q is not ISOLATED or CROSSED", cfg.MarginType)
	}
	if len(in.Brackets) == 0 {
		in.Brackets = in.Rules.Brackets
	}
	if len(in.Brackets) == 0 {
		return cfg, errors.New("plan: no maintenance-margin brackets in the input or the symbol rules")
	}
	return cfg, nil
}

// budget is the smaller of the configured absolute and percent budgets.
func budget(cfg SizingConfig, equity decimal.Decimal) decimal.Decimal {
	abs, pct := cfg.MaxLossUSDT, cfg.MaxLossPct
	switch {
	case abs.IsPositive() && pct.IsPositive():
		return decimal.Min(abs, equity.Mul(pct).Div(hundred))
	case abs.IsPositive():
		return abs
	case pct.IsPositive():
		return equity.Mul(pct).Div(hundred)
	}
	return decimal.Zero
}

// checkReward fills the per-unit reward and R and rejects a poor trade.
// The reward pays the entry fee and a taker exit at the target (a
// TAKE_PROFIT_MARKET), and the same adverse funding as the loss.
func checkReward(p *PlanResult, cfg SizingConfig, pu LossBreakdown, entry, target, entryFee, taker decimal.Decimal) {
	gross := target.Sub(entry).Abs()
	afterFees := gross.Sub(entryFee).Sub(target.Mul(taker))
	net := afterFees.Sub(pu.Funding)
	rm := net.Div(pu.Total).Round(4)
	p.ExpectedReward, p.RMultiple = &net, &rm // per unit until Plan scales it by qty
	if cfg.MinRewardRisk.IsPositive() && rm.LessThan(cfg.MinRewardRisk) {
		p.reject(ReasonRewardRisk, "reward/risk is %s after fees and funding (%s USDT net per unit at the target vs %s at the stop), below the minimum %s",
			rm, net.Round(4), pu.Total.Round(4), cfg.MinRewardRisk)
	}
	if cfg.MaxFundingShare.IsPositive() && pu.Funding.IsPositive() {
		if !afterFees.IsPositive() {
			p.reject(ReasonFundingShare, "funding of %s USDT per unit is charged but the target earns nothing after fees", pu.Funding.Round(4))
			return
		}
		share := pu.Funding.Div(afterFees)
		if share.GreaterThan(cfg.MaxFundingShare) {
			p.reject(ReasonFundingShare, "funding over the horizon (%d times, %s USDT per unit) eats %s%% of the expected profit, above the maximum %s%%",
				p.FundingTimes, pu.Funding.Round(4), share.Mul(hundred).StringFixed(1), cfg.MaxFundingShare.Mul(hundred))
		}
	}
}

// chooseLeverage takes the lowest leverage whose margin fits the available
// balance (initial margin plus the entry fee), then checks that the
// liquidation price lies beyond the stop with the buffer. A higher leverage
// only moves an isolated liquidation price closer (and leaves a cross one
// where it is), so when the lowest fitting leverage fails the buffer, none passes.
func chooseLeverage(p *PlanResult, in PlanInput, cfg SizingConfig, feeTotal decimal.Decimal) {
	maxLev := cfg.MaxLeverage
	if in.Rules.MaxLeverage > 0 && in.Rules.MaxLeverage < maxLev {
		maxLev = in.Rules.MaxLeverage
	}
	if b, err := BracketFor(in.Brackets, p.Notional); err == nil && b.InitialLeverage > 0 && b.InitialLeverage < maxLev {
		maxLev = b.InitialLeverage
	}
	lev := 1
	if in.SkipMarginCheck {
		p.Notes = append(p.Notes, "no balance given: margin not checked, leverage 1")
	} else {
		free := in.Available.Sub(feeTotal)
		if !free.IsPositive() {
			p.reject(ReasonMarginShort, "available balance %s USDT does not even cover the entry fee %s USDT", in.Available, feeTotal.Round(4))
			return
		}
		q, rem := p.Notional.QuoRem(free, 0) // exact ceil, so margin never exceeds free
		if rem.IsPositive() {
			q = q.Add(one)
		}
		l := q.IntPart()
		if l < 1 {
			l = 1
		}
		if l > int64(maxLev) {
			need := p.Notional.Div(decimal.NewFromInt(int64(maxLev))).Add(feeTotal)
			p.reject(ReasonMarginShort, "notional %s USDT needs %s USDT margin and fee at the %dx cap, only %s USDT is available",
				p.Notional, need.Round(2), maxLev, in.Available)
			return
		}
		lev = int(l)
	}
	p.Leverage = lev
	p.Margin = p.Notional.Div(decimal.NewFromInt(int64(lev)))
	wb := p.Margin
	if cfg.MarginType == exchange.Cross {
		wb = in.CrossWallet
		if wb.IsZero() {
			wb = in.Equity
		}
		if !wb.IsPositive() {
			// WB <= 0 puts the liquidation price at or past the entry.
			p.reject(ReasonMarginShort, "cross margin with a wallet balance of %s USDT (after other positions): the position would be liquidated at once", wb)
			return
		}
	}
	lp, _, err := LiquidationBracket(LiqInput{Direction: in.Direction, Qty: p.Qty, Entry: p.Entry, Wallet: wb, Brackets: in.Brackets})
	if errors.Is(err, ErrNoLiquidation) {
		return
	}
	if err != nil {
		// Inputs were validated; a failure here is a broken bracket table.
		p.reject(ReasonLiqBuffer, "liquidation price cannot be computed: %v", err)
		return
	}
	shown := RoundPrice(in.Rules, lp, StopRoundDir(in.Direction)) // toward the entry, like a stop
	p.LiquidationPrice = &shown
	stopDist := p.Entry.Sub(p.Stop).Abs()
	liqDist := p.Entry.Sub(lp)
	if in.Direction == exchange.Short {
		liqDist = liqDist.Neg()
	}
	if !liqDist.IsPositive() || stopDist.GreaterThan(cfg.LiqBuffer.Mul(liqDist)) {
		maxStop := p.Entry.Sub(cfg.LiqBuffer.Mul(liqDist).Mul(decimal.NewFromInt(in.Direction.Sign())))
		p.reject(ReasonLiqBuffer, "at the lowest leverage that fits (%dx, %s margin) liquidation is at %s; the stop %s must lie within %s%% of the way there (no further than %s), and no higher leverage moves it further",
			lev, lower(cfg.MarginType), shown, p.Stop, cfg.LiqBuffer.Mul(hundred), maxStop.Round(2))
	}
}

func lower[T ~string](s T) string { return strings.ToLower(string(s)) }
