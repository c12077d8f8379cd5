package agent

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/risk"
	"github.com/taobot/taobot/state"
)

// onSignal sizes a signal, records it with its plan or rejection, and hands
// accepted plans to the order manager (never in dry-run).
func (a *Agent) onSignal(ctx context.Context, sig strategy.Signal) {
	a.counts.Signals++
	plan, err := a.plan(ctx, sig)
	rec := state.SignalRecord{
		ID: sig.ID, Time: sig.Time, Symbol: sig.Symbol, Direction: sig.Direction, Entry: sig.Entry, Stop: sig.Stop,
		Target: sig.Target, Features: sig.Features, Reason: sig.Reason, Mode: string(a.cfg.Mode),
		Cluster: fmt.Sprintf("%s %s-%s peak %s (%s USDT, %s)", sig.Rule, sig.Cluster.Low, sig.Cluster.High,
			sig.Cluster.Peak, sig.Cluster.Total.StringFixed(0), sig.Cluster.Dominant),
	}
	if rec.Features == nil {
		rec.Features = map[string]string{}
	}
	rec.Features["rule"] = string(sig.Rule)
	accepted := err == nil && plan.Accepted()
	var rejection []string
	switch {
	case err != nil:
		rejection = []string{err.Error()}
	case !plan.Accepted():
		for _, r := range plan.Rejections {
			rejection = append(rejection, fmt.Sprintf("%s: %s", r.Code, r.Message))
		}
	}
	if err == nil {
		if rec.Plan, err = json.Marshal(plan); err != nil {
			rejection, accepted = append(rejection, "encode plan: "+err.Error()), false
		}
	}
	if !accepted {
		rec.Rejection, _ = json.Marshal(rejection) // a []string always encodes
		a.counts.Rejected++
	} else {
		a.counts.Accepted++
	}
	persisted := true
	if err := a.d.Store.PutSignal(rec); err != nil {
		persisted = false
		a.log.Error().Err(err).Str("event", "state_write_failed").Str("signal_id", sig.ID).
			Msg("persist signal failed: it will not be traded")
	}
	a.lastSignal = &rec
	a.lastSig = &sig
	ev := a.log.Info().Str("event", "signal").Str("signal_id", sig.ID).Str("mode", string(a.cfg.Mode)).
		Str("direction", string(sig.Direction)).Str("rule", string(sig.Rule)).Str("entry", sig.Entry.String()).
		Str("stop", sig.Stop.String()).Str("target", sig.Target.String()).Str("cluster_peak", sig.Cluster.Peak.String()).
		Interface("features", sig.Features).Bool("accepted", accepted)
	if accepted {
		ev = ev.Str("qty", plan.Qty.String()).Int("leverage", plan.Leverage).Str("worst_loss", plan.WorstCaseLoss.Total.String())
		if plan.RMultiple != nil {
			ev = ev.Str("r_multiple", plan.RMultiple.String())
		}
	} else {
		ev = ev.Strs("rejections", rejection)
	}
	ev.Msg(sig.Reason)
	if !accepted || !persisted || a.d.Orders == nil || a.cfg.Mode == config.ModeDryRun {
		return
	}
	if err := a.d.Orders.Submit(ctx, sig, plan); err != nil {
		a.log.Error().Err(err).Str("event", "submit_failed").Str("signal_id", sig.ID).Msg("order manager refused the plan")
	}
}

func (a *Agent) plan(ctx context.Context, sig strategy.Signal) (risk.PlanResult, error) {
	equity, available := a.cfg.Paper.StartingBalance, a.cfg.Paper.StartingBalance
	if a.d.Account != nil {
		bals, err := a.d.Account.Balances(ctx)
		if err != nil {
			return risk.PlanResult{}, fmt.Errorf("read balance for sizing: %w", err)
		}
		equity, available = decimal.Zero, decimal.Zero
		for _, b := range bals {
			if b.Asset == "USDT" {
				equity, available = b.Wallet.Add(b.CrossUnrealized), b.Available
			}
		}
	}
	in := risk.PlanInput{
		Direction: sig.Direction, Entry: sig.Entry, Stop: sig.Stop, Target: sig.Target,
		Equity: equity, Available: available, Rules: a.rules, Brackets: a.rules.Brackets,
		MakerFee: a.cfg.Risk.MakerFeeRate, TakerFee: a.cfg.Risk.TakerFeeRate,
		EntryMaker:  a.cfg.Orders.EntryType == "limit",
		FundingRate: a.mark.FundingRate, FundingInterval: a.d.FundingInterval, NextFunding: a.mark.NextFundingTime,
		Now: sig.Time, Hold: a.cfg.Risk.HoldHorizon, Config: SizingConfig(a.cfg),
	}
	plan, err := risk.Plan(in)
	if err != nil {
		return plan, fmt.Errorf("size signal %s: %w", sig.ID, err)
	}
	// A tight stop sizes a big position. Rather than refuse it, risk less:
	// shrink the loss budget in proportion so the position fits max_position_notional.
	if maxN := a.cfg.Risk.MaxPositionNotional; plan.Accepted() && maxN.IsPositive() && plan.Notional.GreaterThan(maxN) {
		full := plan.Budget
		in.Config.MaxLossUSDT = full.Mul(maxN).Div(plan.Notional).RoundDown(8)
		in.Config.MaxLossPct = decimal.Zero
		if plan, err = risk.Plan(in); err != nil {
			return plan, fmt.Errorf("size signal %s within max_position_notional: %w", sig.ID, err)
		}
		plan.Notes = append(plan.Notes, fmt.Sprintf("loss budget cut from %s to %s USDT so the position fits max_position_notional %s",
			full.StringFixed(2), in.Config.MaxLossUSDT.StringFixed(2), maxN))
	}
	if plan.Accepted() {
		dec := a.limits.Check(sig.Time, risk.EntryCheck{OpenPositions: a.openPositions(), Notional: plan.Notional, WorstLoss: plan.WorstCaseLoss.Total})
		for _, b := range dec.Blocks {
			plan.Rejections = append(plan.Rejections, risk.Rejection{Code: risk.ReasonCode(b.Code), Message: b.Message})
		}
	}
	return plan, nil
}
