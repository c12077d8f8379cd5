package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// checker collects problems in the form "path: what is wrong, got value (allowed: ...)".
type checker struct{ ps Problems }

func (c *checker) add(path, format string, args ...any) {
	c.ps = append(c.ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) oneOf(path, got string, allowed ...string) {
	for _, a := range allowed {
		if got == a {
			return
		}
	}
	c.add(path, "unknown value, got %q (allowed: %s)", got, strings.Join(allowed, ", "))
}

// decGT requires v > lo.
func (c *checker) decGT(path string, v decimal.Decimal, lo string) {
	if !v.GreaterThan(dec(lo)) {
		c.add(path, "must be > %s, got %s", lo, v)
	}
}

// decGE requires v >= lo.
func (c *checker) decGE(path string, v decimal.Decimal, lo string) {
	if v.LessThan(dec(lo)) {
		c.add(path, "must be >= %s, got %s", lo, v)
	}
}

// decIn requires lo < v <= hi (loOpen) or lo <= v <= hi.
func (c *checker) decIn(path string, v decimal.Decimal, lo, hi string, loOpen bool) {
	bad := v.GreaterThan(dec(hi)) || v.LessThan(dec(lo)) || (loOpen && v.Equal(dec(lo)))
	if !bad {
		return
	}
	op := ">="
	if loOpen {
		op = ">"
	}
	c.add(path, "out of range, got %s (allowed: %s %s and <= %s)", v, op, lo, hi)
}

func (c *checker) intIn(path string, v, lo, hi int) {
	if v < lo || v > hi {
		c.add(path, "out of range, got %d (allowed: %d to %d)", v, lo, hi)
	}
}

// durIn requires lo <= d <= hi (hi 0 = no upper bound).
func (c *checker) durIn(path string, d, lo, hi time.Duration) {
	switch {
	case d < lo && lo > 0 && d <= 0:
		c.add(path, "must be > 0, got %s (allowed: %s)", d, hintDuration)
	case d < lo:
		c.add(path, "too short, got %s (allowed: at least %s)", d, lo)
	case hi > 0 && d > hi:
		c.add(path, "too long, got %s (allowed: at most %s)", d, hi)
	}
}

var (
	symbolRE   = regexp.MustCompile(`^[A-Z0-9]{1,20}USDT$`)
	clientIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,8}$`)
)

// Validate checks every field and cross-field rule and returns all problems
// at once as Problems (nil when the config is usable). It does not look at
// the environment or the key file: see LoadSecrets for that.
func (cfg *Config) Validate() error {
	c := &checker{}
	c.oneOf("mode", string(cfg.Mode), string(ModeLive), string(ModePaper), string(ModeDryRun))
	if !symbolRE.MatchString(cfg.Symbol) {
		c.add("symbol", "must be an upper-case USD-M symbol, got %q (allowed: e.g. TAOUSDT)", cfg.Symbol)
	}
	cfg.Exchange.validate(c)
	cfg.Risk.validate(c, cfg)
	cfg.LiqMap.validate(c)
	cfg.Strategy.validate(c)
	cfg.Orders.validate(c)
	c.decGT("paper.starting_balance_usdt", cfg.Paper.StartingBalance, "0")
	c.decIn("paper.slippage_bps", cfg.Paper.SlippageBps, "0", "1000", false)
	if strings.TrimSpace(cfg.State.Path) == "" {
		c.add("state.path", "must name the state file, got \"\" (allowed: a file path like data/taobot.db)")
	}
	c.oneOf("log.level", cfg.Log.Level, "trace", "debug", "info", "warn", "error")
	c.oneOf("log.format", cfg.Log.Format, "auto", "json", "console")
	if cfg.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(cfg.HTTP.Listen); err != nil {
			c.add("http.listen", "not a host:port address, got %q (allowed: \"\" for off, or e.g. 127.0.0.1:8080)", cfg.HTTP.Listen)
		}
	}
	return c.ps.orNil()
}

func (e *Exchange) validate(c *checker) {
	c.oneOf("exchange.network", e.Network, NetworkMainnet, NetworkTestnet, NetworkCustom)
	if e.Network == NetworkCustom {
		checkURL(c, "exchange.rest_url", e.RESTURL, "http", "https")
		checkURL(c, "exchange.ws_url", e.WSURL, "ws", "wss")
	} else {
		if e.RESTURL != "" {
			c.add("exchange.rest_url", "only used with network: custom, got %q with network %q (allowed: remove it, or set network: custom)", e.RESTURL, e.Network)
		}
		if e.WSURL != "" {
			c.add("exchange.ws_url", "only used with network: custom, got %q with network %q (allowed: remove it, or set network: custom)", e.WSURL, e.Network)
		}
	}
	c.durIn("exchange.recv_window", e.RecvWindow, time.Millisecond, 60*time.Second)
	c.durIn("exchange.oi_poll_interval", e.OIPollInterval, time.Second, time.Hour)
	c.durIn("exchange.stale_after", e.StaleAfter, time.Second, 10*time.Minute)
	c.durIn("exchange.reconnect_backoff.min", e.ReconnectBackoff.Min, 10*time.Millisecond, time.Minute)
	c.durIn("exchange.reconnect_backoff.max", e.ReconnectBackoff.Max, time.Millisecond, time.Hour)
	if e.ReconnectBackoff.Max > 0 && e.ReconnectBackoff.Max < e.ReconnectBackoff.Min {
		c.add("exchange.reconnect_backoff.max", "must be >= reconnect_backoff.min (%s), got %s", e.ReconnectBackoff.Min, e.ReconnectBackoff.Max)
	}
}

func checkURL(c *checker, path, raw string, schemes ...string) {
	if raw == "" {
		c.add(path, "required when exchange.network is custom, got \"\" (allowed: %s://host:port)", schemes[0])
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		c.add(path, "not a URL, got %q (allowed: %s://host:port)", raw, schemes[0])
		return
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return
		}
	}
	c.add(path, "wrong scheme, got %q (allowed: %s)", u.Scheme, strings.Join(schemes, ", "))
}

func (r *Risk) validate(c *checker, cfg *Config) {
	c.decGT("risk.max_loss_usdt", r.MaxLossUSDT, "0")
	c.decIn("risk.max_loss_pct", r.MaxLossPct, "0", "100", false)
	c.intIn("risk.max_leverage", r.MaxLeverage, 1, 125)
	c.oneOf("risk.margin_type", r.MarginType, "isolated", "cross")
	if !r.LiqBuffer.GreaterThan(dec("0")) || !r.LiqBuffer.LessThan(dec("1")) {
		c.add("risk.liq_buffer", "out of range, got %s (allowed: > 0 and < 1; 0.5 = stop at most halfway to liquidation)", r.LiqBuffer)
	}
	c.decGE("risk.min_reward_risk", r.MinRewardRisk, "0")
	c.decIn("risk.max_funding_share", r.MaxFundingShare, "0", "1", false)
	c.durIn("risk.hold_horizon", r.HoldHorizon, time.Minute, 30*24*time.Hour)
	c.decIn("risk.maker_fee_rate", r.MakerFeeRate, "-0.001", "0.01", false)
	c.decIn("risk.taker_fee_rate", r.TakerFeeRate, "0", "0.01", false)
	c.decGE("risk.daily_loss_limit_usdt", r.DailyLossLimitUSDT, "0")
	if r.DailyLossLimitUSDT.IsPositive() && r.DailyLossLimitUSDT.LessThan(r.MaxLossUSDT) {
		c.add("risk.daily_loss_limit_usdt", "is below one trade's max loss (%s), got %s (allowed: 0 = off, or >= risk.max_loss_usdt)", r.MaxLossUSDT, r.DailyLossLimitUSDT)
	}
	c.intIn("risk.max_open_positions", r.MaxOpenPositions, 1, 10)
	c.decGT("risk.max_position_notional_usdt", r.MaxPositionNotional, "0")
	c.durIn("risk.cooldown_after_stop", r.CooldownAfterStop, 0, 7*24*time.Hour)
	c.intIn("risk.max_consecutive_losses", r.MaxConsecutiveLosses, 0, 100)
	for i, b := range r.NewsBlackouts {
		p := fmt.Sprintf("risk.news_blackouts[%d]", i)
		if b.At.IsZero() {
			c.add(p+".at", "required, got nothing (allowed: %s)", hintTime)
		}
		c.durIn(p+".before", b.Before, 0, 7*24*time.Hour)
		c.durIn(p+".after", b.After, 0, 7*24*time.Hour)
		if b.Before+b.After <= 0 {
			c.add(p, "window is empty, got before 0s and after 0s (allowed: before and/or after > 0)")
		}
	}
	r.validateBrackets(c, cfg)
}

func (r *Risk) validateBrackets(c *checker, cfg *Config) {
	if len(r.Brackets) == 0 {
		if cfg.Symbol != "TAOUSDT" && symbolRE.MatchString(cfg.Symbol) && cfg.Mode != ModeLive {
			c.add("risk.brackets", "required for %s in %s mode, got none (allowed: a list of tiers; the built-in table is for TAOUSDT only)", cfg.Symbol, cfg.Mode)
		}
		return
	}
	before := len(c.ps)
	prevCap := dec("0")
	for i, b := range r.Brackets {
		p := fmt.Sprintf("risk.brackets[%d]", i)
		if !b.NotionalFloor.Equal(prevCap) {
			c.add(p+".notional_floor", "must equal the previous tier's notional_cap (%s), got %s", prevCap, b.NotionalFloor)
		}
		if !b.NotionalCap.GreaterThan(b.NotionalFloor) {
			c.add(p+".notional_cap", "must be > notional_floor (%s), got %s", b.NotionalFloor, b.NotionalCap)
		}
		c.decIn(p+".maint_margin_ratio", b.MaintMarginRatio, "0", "1", true)
		c.decGE(p+".cum", b.Cum, "0")
		c.intIn(p+".max_leverage", b.MaxLeverage, 1, 125)
		prevCap = b.NotionalCap
	}
	if len(c.ps) == before {
		// the risk package's own rules (cum continuity, rising MMR), so check agrees with use
		if err := risk.ValidateBrackets(r.ExchangeBrackets()); err != nil {
			c.add("risk.brackets", "%s", strings.TrimPrefix(err.Error(), "brackets: "))
		}
	}
}

// ExchangeBrackets returns the brackets override as exchange tiers (nil when empty).
func (r *Risk) ExchangeBrackets() []exchange.Bracket {
	if len(r.Brackets) == 0 {
		return nil
	}
	out := make([]exchange.Bracket, len(r.Brackets))
	for i, b := range r.Brackets {
		out[i] = exchange.Bracket{
			Bracket:          i + 1,
			InitialLeverage:  b.MaxLeverage,
			NotionalFloor:    b.NotionalFloor,
			NotionalCap:      b.NotionalCap,
			MaintMarginRatio: b.MaintMarginRatio,
			Cum:              b.Cum,
		}
	}
	return out
}

func (m *LiqMap) validate(c *checker) {
	switch {
	case m.BucketTicks < 0:
		c.add("liqmap.bucket_ticks", "must be >= 0, got %d", m.BucketTicks)
	case m.BucketTicks > 0 && !m.BucketBps.IsZero():
		c.add("liqmap.bucket_ticks", "set either bucket_bps or bucket_ticks, got both (bucket_bps %s, bucket_ticks %d) (allowed: bucket_bps: 0 with bucket_ticks)", m.BucketBps, m.BucketTicks)
	case m.BucketTicks == 0:
		c.decIn("liqmap.bucket_bps", m.BucketBps, "0", "1000", true)
	}
	c.durIn("liqmap.half_life", m.HalfLife, time.Minute, 30*24*time.Hour)
	c.durIn("liqmap.estimated_half_life", m.EstimatedHalfLife, time.Minute, 30*24*time.Hour)
	if len(m.LeverageMix) == 0 {
		c.add("liqmap.leverage_mix", "must list at least one leverage, got none (allowed: e.g. {10: 0.5, 20: 0.5})")
	}
	total := decimal.Zero
	for lev, w := range m.LeverageMix {
		p := fmt.Sprintf("liqmap.leverage_mix.%d", lev)
		c.intIn(p, lev, 1, 125)
		c.decGE(p, w, "0")
		total = total.Add(w)
	}
	if len(m.LeverageMix) > 0 && !total.IsPositive() {
		c.add("liqmap.leverage_mix", "weights sum to %s (allowed: weights >= 0 with a positive sum; they are normalised)", total)
	}
	c.decIn("liqmap.band_pct", m.BandPct, "0", "100", true)
	c.decGT("liqmap.density_multiple", m.DensityMultiple, "1")
	c.decIn("liqmap.round_number_distance_pct", m.RoundNumberDistancePct, "0", "10", false)
	c.oneOf("liqmap.oi_removal", m.OIRemoval, "proportional", "nearest")
	c.durIn("liqmap.vwap_window", m.VWAPWindow, time.Second, 24*time.Hour)
	c.durIn("liqmap.velocity.short", m.Velocity.Short, time.Second, 24*time.Hour)
	c.durIn("liqmap.velocity.long", m.Velocity.Long, time.Second, 7*24*time.Hour)
	if m.Velocity.Long <= m.Velocity.Short {
		c.add("liqmap.velocity.long", "must be longer than velocity.short (%s), got %s", m.Velocity.Short, m.Velocity.Long)
	}
	c.durIn("liqmap.regime_window", m.RegimeWindow, time.Minute, 7*24*time.Hour)
	c.durIn("liqmap.snapshot_interval", m.SnapshotInterval, 10*time.Second, 24*time.Hour)
}

func (s *Strategy) validate(c *checker) {
	if s.Breakout.Enabled {
		c.decGE("strategy.breakout.min_momentum_pct", s.Breakout.MinMomentumPct, "0")
		c.decGE("strategy.breakout.min_volume_ratio", s.Breakout.MinVolumeRatio, "0")
		c.decGE("strategy.breakout.min_velocity_ratio", s.Breakout.MinVelocityRatio, "0")
	}
	if s.Fade.Enabled {
		c.decGT("strategy.fade.max_volume_ratio", s.Fade.MaxVolumeRatio, "0")
		c.decGT("strategy.fade.spike_velocity_ratio", s.Fade.SpikeVelocityRatio, "0")
		c.decGE("strategy.fade.fading_velocity_ratio", s.Fade.FadingVelocityRatio, "0")
		if s.Fade.FadingVelocityRatio.GreaterThanOrEqual(s.Fade.SpikeVelocityRatio) {
			c.add("strategy.fade.fading_velocity_ratio", "must be below spike_velocity_ratio (%s), got %s", s.Fade.SpikeVelocityRatio, s.Fade.FadingVelocityRatio)
		}
		c.durIn("strategy.fade.spike_memory", s.Fade.SpikeMemory, time.Minute, 24*time.Hour)
		c.decGE("strategy.fade.spike_min_notional_per_min_usdt", s.Fade.SpikeMinPerMin, "0")
	}
	c.decIn("strategy.search_range_pct", s.SearchRangePct, "0", "50", true)
	c.decGE("strategy.min_cluster_notional_usdt", s.MinClusterNotional, "0")
	c.decIn("strategy.approach_distance_pct", s.ApproachDistancePct, "0", "20", true)
	c.durIn("strategy.momentum_window", s.MomentumWindow, time.Second, 24*time.Hour)
	c.durIn("strategy.volume_avg_window", s.VolumeAvgWindow, time.Second, 7*24*time.Hour)
	c.decIn("strategy.max_stop_distance_pct", s.MaxStopDistancePct, "0", "50", true)
	c.decIn("strategy.stop_offset_pct", s.StopOffsetPct, "0", "10", false)
	c.decIn("strategy.target_offset_pct", s.TargetOffsetPct, "0", "10", false)
	c.decGT("strategy.extreme_funding_rate", s.ExtremeFundingRate, "0")
	c.durIn("strategy.behaviour_window", s.BehaviourWindow, time.Minute, 24*time.Hour)
	c.decIn("strategy.behaviour_move_pct", s.BehaviourMovePct, "0", "10", true)
	c.intIn("strategy.history_min_samples", s.HistoryMinSamples, 0, 1000)
	c.decIn("strategy.history_min_rate", s.HistoryMinRate, "0", "1", false)
	c.durIn("strategy.signal_cooldown", s.SignalCooldown, 0, 24*time.Hour)
}

func (o *Orders) validate(c *checker) {
	c.decIn("orders.adopt_stop_pct", o.AdoptStopPct, "0", "50", true)
	c.decIn("orders.cluster_tolerance_pct", o.ClusterTolerancePct, "0", "20", true)
	c.durIn("orders.cluster_gone_grace", o.ClusterGoneGrace, time.Second, time.Hour)
	c.durIn("orders.call_timeout", o.CallTimeout, time.Second, 2*time.Minute)
	c.durIn("orders.venue_check", o.VenueCheck, 5*time.Second, time.Hour)
	c.durIn("orders.venue_check_idle", o.VenueCheckIdle, 5*time.Second, 24*time.Hour)
	c.oneOf("orders.entry_type", o.EntryType, "limit", "market")
	if o.EntryType == "limit" {
		c.durIn("orders.limit_timeout", o.LimitTimeout, time.Second, 24*time.Hour)
	}
	c.oneOf("orders.stop_working_type", o.StopWorkingType, "MARK_PRICE", "CONTRACT_PRICE")
	// Checked even when disabled: a bad value must not wait to surface
	// until someone flips enabled on a running setup.
	c.decGT("orders.breakeven.trigger_r", o.Breakeven.TriggerR, "0")
	c.decGT("orders.trailing.activation_r", o.Trailing.ActivationR, "0")
	c.decIn("orders.trailing.distance_pct", o.Trailing.DistancePct, "0", "50", true)
	c.durIn("orders.time_stop", o.TimeStop, 0, 30*24*time.Hour)
	c.oneOf("orders.unknown_position", o.UnknownPosition, "adopt", "flatten")
	c.durIn("orders.missing_stop_alarm", o.MissingStopAlarm, time.Second, 5*time.Minute)
	if !clientIDRE.MatchString(o.ClientIDPrefix) {
		c.add("orders.client_id_prefix", "must be 1-8 letters, digits, _ or -, got %q (allowed: e.g. tb1)", o.ClientIDPrefix)
	}
}
