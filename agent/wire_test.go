package agent

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

func TestConfigKnobsReachThePackages(t *testing.T) {
	cfg := config.Default()
	cfg.Strategy.RegimeFilter = false
	cfg.Strategy.SignalCooldown = 7 * time.Minute
	cfg.Strategy.HistoryMinSamples = 9
	cfg.Strategy.HistoryMinRate = d("0.45")
	cfg.Strategy.BehaviourMovePct = d("0.7")
	cfg.Strategy.Fade.SpikeMemory = 4 * time.Minute
	cfg.Strategy.Fade.SpikeMinPerMin = d("12345")
	cfg.Strategy.SearchRangePct = d("6")
	cfg.Strategy.MaxStopDistancePct = d("2.5")
	cfg.Risk.MinRewardRisk = d("2.2")
	cfg.Risk.MarginType = "cross"
	cfg.LiqMap.BucketTicks = 7
	cfg.LiqMap.HalfLife = 3 * time.Hour
	cfg.LiqMap.OIRemoval = "nearest"
	cfg.LiqMap.LeverageMix = map[int]decimal.Decimal{10: d("1")}

	sc := StrategyConfig(cfg)
	if sc.RegimeFilter || sc.SignalCooldown != 7*time.Minute || sc.HistoryMinSamples != 9 || !sc.HistoryMinRate.Equal(d("0.45")) ||
		!sc.BehaviourMovePct.Equal(d("0.7")) || sc.Fade.SpikeMemory != 4*time.Minute || !sc.Fade.SpikeMinPerMin.Equal(d("12345")) ||
		!sc.SearchRangePct.Equal(d("6")) || !sc.MaxStopDistancePct.Equal(d("2.5")) || !sc.MinRewardRisk.Equal(d("2.2")) {
		t.Errorf("strategy config %+v", sc)
	}
	if sz := SizingConfig(cfg); sz.MarginType != exchange.Cross || !sz.MinRewardRisk.Equal(d("2.2")) {
		t.Errorf("sizing config %+v", sz)
	}
	mc, err := MapConfig(cfg, exchange.SymbolRules{TickSize: d("0.01"), Brackets: risk.DefaultTAOBrackets()})
	if err != nil {
		t.Fatal(err)
	}
	if mc.BucketTicks != 7 || mc.BucketBps != 0 || mc.RealizedHalfLife != 3*time.Hour || mc.OIRemoval != liqmap.RemoveNearest ||
		len(mc.Leverage) != 1 || mc.Leverage[0].Leverage != 10 {
		t.Errorf("map config %+v", mc)
	}
	cfg.LiqMap.BucketTicks, cfg.LiqMap.BucketBps = 0, d("2.5")
	if _, err := MapConfig(cfg, exchange.SymbolRules{}); err == nil {
		t.Error("fractional bucket_bps accepted")
	}
	lc := LimitsConfig(cfg)
	if !lc.DailyLossLimit.Equal(cfg.Risk.DailyLossLimitUSDT) || lc.KillSwitchFile != cfg.Risk.KillSwitchFile || lc.MaxOpenPositions != cfg.Risk.MaxOpenPositions {
		t.Errorf("limits config %+v", lc)
	}
}
