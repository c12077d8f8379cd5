package config

import (
	"time"

	"github.com/shopspring/decimal"
)

// Mode selects how taobot trades.
type Mode string

// The modes. Paper is the default; live must be chosen explicitly.
const (
	ModeLive   Mode = "live"    // real orders with real money; needs API keys
	ModePaper  Mode = "paper"   // simulated fills against live public market data
	ModeDryRun Mode = "dry-run" // signals and plans are logged, no orders at all
)

// Exchange networks.
const (
	NetworkMainnet = "mainnet"
	NetworkTestnet = "testnet"
	NetworkCustom  = "custom"
)

// Base URLs of the Binance USD-M networks (no path: adapters append /fapi/..., /ws or /stream).
const (
	MainnetRESTURL = "https://fapi.binance.com"
	MainnetWSURL   = "wss://fstream.binance.com"
	TestnetRESTURL = "https://testnet.binancefuture.com"
	TestnetWSURL   = "wss://stream.binancefuture.com"
)

// Config is the whole configuration file.
type Config struct {
	Mode     Mode     `yaml:"mode"`
	Symbol   string   `yaml:"symbol"`
	Exchange Exchange `yaml:"exchange"`
	Keys     Keys     `yaml:"keys"`
	Risk     Risk     `yaml:"risk"`
	LiqMap   LiqMap   `yaml:"liqmap"`
	Strategy Strategy `yaml:"strategy"`
	Orders   Orders   `yaml:"orders"`
	Paper    Paper    `yaml:"paper"`
	State    State    `yaml:"state"`
	Log      Log      `yaml:"log"`
	HTTP     HTTP     `yaml:"http"`
}

// Exchange says which venue endpoints to use and how to treat the streams.
type Exchange struct {
	Network          string        `yaml:"network"`  // mainnet | testnet | custom
	RESTURL          string        `yaml:"rest_url"` // custom only, e.g. http://127.0.0.1:PORT
	WSURL            string        `yaml:"ws_url"`   // custom only, e.g. ws://127.0.0.1:PORT
	RecvWindow       time.Duration `yaml:"recv_window"`
	OIPollInterval   time.Duration `yaml:"oi_poll_interval"`
	StaleAfter       time.Duration `yaml:"stale_after"`
	ReconnectBackoff Backoff       `yaml:"reconnect_backoff"`
}

// Backoff bounds an exponential reconnect delay (with jitter).
type Backoff struct {
	Min time.Duration `yaml:"min"`
	Max time.Duration `yaml:"max"`
}

// Keys says where the API key file is. The secrets themselves never live in the YAML.
type Keys struct {
	KeyFile string `yaml:"key_file"`
}

// Risk holds the sizing rules and the limits that stop trading.
type Risk struct {
	MaxLossUSDT          decimal.Decimal   `yaml:"max_loss_usdt"`
	MaxLossPct           decimal.Decimal   `yaml:"max_loss_pct"` // percent of equity; 0 = use max_loss_usdt only
	MaxLeverage          int               `yaml:"max_leverage"`
	MarginType           string            `yaml:"margin_type"` // isolated | cross
	LiqBuffer            decimal.Decimal   `yaml:"liq_buffer"`  // stop at most this fraction of entry->liquidation
	MinRewardRisk        decimal.Decimal   `yaml:"min_reward_risk"`
	MaxFundingShare      decimal.Decimal   `yaml:"max_funding_share"`
	HoldHorizon          time.Duration     `yaml:"hold_horizon"`
	MakerFeeRate         decimal.Decimal   `yaml:"maker_fee_rate"`
	TakerFeeRate         decimal.Decimal   `yaml:"taker_fee_rate"`
	DailyLossLimitUSDT   decimal.Decimal   `yaml:"daily_loss_limit_usdt"`
	MaxOpenPositions     int               `yaml:"max_open_positions"`
	MaxPositionNotional  decimal.Decimal   `yaml:"max_position_notional_usdt"`
	CooldownAfterStop    time.Duration     `yaml:"cooldown_after_stop"`
	MaxConsecutiveLosses int               `yaml:"max_consecutive_losses"` // 0 = no brake
	NewsBlackouts        []Blackout        `yaml:"news_blackouts"`
	KillSwitchFile       string            `yaml:"kill_switch_file"` // "" = no file switch
	Brackets             []BracketOverride `yaml:"brackets"`         // empty = exchange table (live) or built-in TAOUSDT table
}

// Blackout is a news window: no new entries from At-Before to At+After.
type Blackout struct {
	At     time.Time     `yaml:"at"`
	Before time.Duration `yaml:"before"`
	After  time.Duration `yaml:"after"`
	Label  string        `yaml:"label"`
}

// BracketOverride is one maintenance-margin tier replacing the built-in table.
type BracketOverride struct {
	NotionalFloor    decimal.Decimal `yaml:"notional_floor"`
	NotionalCap      decimal.Decimal `yaml:"notional_cap"`
	MaintMarginRatio decimal.Decimal `yaml:"maint_margin_ratio"`
	Cum              decimal.Decimal `yaml:"cum"`
	MaxLeverage      int             `yaml:"max_leverage"`
}

// LiqMap tunes the liquidation map.
type LiqMap struct {
	BucketBps              decimal.Decimal         `yaml:"bucket_bps"`   // bucket width in basis points of price
	BucketTicks            int                     `yaml:"bucket_ticks"` // or in ticks; set one of the two
	HalfLife               time.Duration           `yaml:"half_life"`    // realized liquidations
	EstimatedHalfLife      time.Duration           `yaml:"estimated_half_life"`
	LeverageMix            map[int]decimal.Decimal `yaml:"leverage_mix"` // leverage -> weight (normalised)
	BandPct                decimal.Decimal         `yaml:"band_pct"`
	DensityMultiple        decimal.Decimal         `yaml:"density_multiple"`
	RoundNumberDistancePct decimal.Decimal         `yaml:"round_number_distance_pct"`
	OIRemoval              string                  `yaml:"oi_removal"` // proportional | nearest
	VWAPWindow             time.Duration           `yaml:"vwap_window"`
	Velocity               VelocityWindows         `yaml:"velocity"`
	RegimeWindow           time.Duration           `yaml:"regime_window"`
	SnapshotInterval       time.Duration           `yaml:"snapshot_interval"`
}

// VelocityWindows are the short and long windows of liquidation velocity.
type VelocityWindows struct {
	Short time.Duration `yaml:"short"`
	Long  time.Duration `yaml:"long"`
}

// Strategy holds the thresholds of the map strategy.
type Strategy struct {
	Breakout            Breakout        `yaml:"breakout"`
	Fade                Fade            `yaml:"fade"`
	SearchRangePct      decimal.Decimal `yaml:"search_range_pct"`
	MinClusterNotional  decimal.Decimal `yaml:"min_cluster_notional_usdt"`
	ApproachDistancePct decimal.Decimal `yaml:"approach_distance_pct"`
	MomentumWindow      time.Duration   `yaml:"momentum_window"`
	VolumeAvgWindow     time.Duration   `yaml:"volume_avg_window"`
	MaxStopDistancePct  decimal.Decimal `yaml:"max_stop_distance_pct"`
	StopOffsetPct       decimal.Decimal `yaml:"stop_offset_pct"`
	TargetOffsetPct     decimal.Decimal `yaml:"target_offset_pct"`
	ExtremeFundingRate  decimal.Decimal `yaml:"extreme_funding_rate"`
	RegimeFilter        bool            `yaml:"regime_filter"`
	BehaviourWindow     time.Duration   `yaml:"behaviour_window"`
	BehaviourMovePct    decimal.Decimal `yaml:"behaviour_move_pct"`
	HistoryMinSamples   int             `yaml:"history_min_samples"`
	HistoryMinRate      decimal.Decimal `yaml:"history_min_rate"`
	SignalCooldown      time.Duration   `yaml:"signal_cooldown"`
}

// Breakout trades with strong momentum through a cluster.
type Breakout struct {
	Enabled          bool            `yaml:"enabled"`
	MinMomentumPct   decimal.Decimal `yaml:"min_momentum_pct"`
	MinVolumeRatio   decimal.Decimal `yaml:"min_volume_ratio"`
	MinVelocityRatio decimal.Decimal `yaml:"min_velocity_ratio"`
}

// Fade trades a reversal at a cluster approached weakly or after a fading spike.
type Fade struct {
	Enabled             bool            `yaml:"enabled"`
	MaxVolumeRatio      decimal.Decimal `yaml:"max_volume_ratio"`
	SpikeVelocityRatio  decimal.Decimal `yaml:"spike_velocity_ratio"`
	FadingVelocityRatio decimal.Decimal `yaml:"fading_velocity_ratio"`
	SpikeMemory         time.Duration   `yaml:"spike_memory"`
	SpikeMinPerMin      decimal.Decimal `yaml:"spike_min_notional_per_min_usdt"`
}

// Orders says how plans become orders and how positions are managed.
type Orders struct {
	EntryType           string          `yaml:"entry_type"` // limit | market
	LimitTimeout        time.Duration   `yaml:"limit_timeout"`
	StopWorkingType     string          `yaml:"stop_working_type"` // MARK_PRICE | CONTRACT_PRICE
	Breakeven           Breakeven       `yaml:"breakeven"`
	Trailing            Trailing        `yaml:"trailing"`
	TimeStop            time.Duration   `yaml:"time_stop"` // 0 = none
	ExitOnClusterGone   bool            `yaml:"exit_on_cluster_gone"`
	UnknownPosition     string          `yaml:"unknown_position"` // adopt | flatten
	MissingStopAlarm    time.Duration   `yaml:"missing_stop_alarm"`
	ClientIDPrefix      string          `yaml:"client_id_prefix"`
	AdoptStopPct        decimal.Decimal `yaml:"adopt_stop_pct"`
	ClusterTolerancePct decimal.Decimal `yaml:"cluster_tolerance_pct"`
	ClusterGoneGrace    time.Duration   `yaml:"cluster_gone_grace"`
	CallTimeout         time.Duration   `yaml:"call_timeout"`
	VenueCheck          time.Duration   `yaml:"venue_check"`
	VenueCheckIdle      time.Duration   `yaml:"venue_check_idle"`
}

// Breakeven moves the stop to entry once the trade has run TriggerR risk units.
type Breakeven struct {
	Enabled  bool            `yaml:"enabled"`
	TriggerR decimal.Decimal `yaml:"trigger_r"`
}

// Trailing trails the stop DistancePct behind price once ActivationR is reached.
type Trailing struct {
	Enabled     bool            `yaml:"enabled"`
	ActivationR decimal.Decimal `yaml:"activation_r"`
	DistancePct decimal.Decimal `yaml:"distance_pct"`
}

// Paper configures the simulated account.
type Paper struct {
	StartingBalance decimal.Decimal `yaml:"starting_balance_usdt"`
	SlippageBps     decimal.Decimal `yaml:"slippage_bps"`
}

// State says where the bbolt file lives.
type State struct {
	Path string `yaml:"path"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // trace | debug | info | warn | error
	Format string `yaml:"format"` // auto | json | console
}

// HTTP configures the status API.
type HTTP struct {
	Listen string `yaml:"listen"` // host:port; "" = off
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Default returns the configuration used for every key the file leaves out.
// It is complete and valid: Default().Validate() returns nil.
func Default() Config {
	return Config{
		Mode:   ModePaper,
		Symbol: "TAOUSDT",
		Exchange: Exchange{
			Network:          NetworkMainnet,
			RecvWindow:       5 * time.Second,
			OIPollInterval:   5 * time.Second,
			StaleAfter:       10 * time.Second,
			ReconnectBackoff: Backoff{Min: time.Second, Max: time.Minute},
		},
		Risk: Risk{
			MaxLossUSDT:          dec("10"),
			MaxLossPct:           dec("1"),
			MaxLeverage:          10,
			MarginType:           "isolated",
			LiqBuffer:            dec("0.5"),
			MinRewardRisk:        dec("1.5"),
			MaxFundingShare:      dec("0.25"),
			HoldHorizon:          8 * time.Hour,
			MakerFeeRate:         dec("0.0002"),
			TakerFeeRate:         dec("0.0005"),
			DailyLossLimitUSDT:   dec("30"),
			MaxOpenPositions:     1,
			MaxPositionNotional:  dec("2000"),
			CooldownAfterStop:    30 * time.Minute,
			MaxConsecutiveLosses: 3,
			KillSwitchFile:       "data/taobot.kill",
		},
		LiqMap: LiqMap{
			BucketBps:              dec("10"),
			HalfLife:               6 * time.Hour,
			EstimatedHalfLife:      24 * time.Hour,
			BandPct:                dec("15"),
			DensityMultiple:        dec("3"),
			LeverageMix:            DefaultLeverageMix(),
			RoundNumberDistancePct: dec("2"),
			OIRemoval:              "proportional",
			VWAPWindow:             15 * time.Minute,
			Velocity:               VelocityWindows{Short: time.Minute, Long: 15 * time.Minute},
			RegimeWindow:           time.Hour,
			SnapshotInterval:       5 * time.Minute,
		},
		Strategy: Strategy{
			Breakout: Breakout{Enabled: true, MinMomentumPct: dec("0.5"), MinVolumeRatio: dec("1.5"), MinVelocityRatio: dec("2")},
			Fade: Fade{Enabled: true, MaxVolumeRatio: dec("0.8"), SpikeVelocityRatio: dec("3"), FadingVelocityRatio: dec("1"),
				SpikeMemory: 10 * time.Minute, SpikeMinPerMin: dec("20000")},

			SearchRangePct:      dec("10"),
			MinClusterNotional:  dec("50000"),
			ApproachDistancePct: dec("1"),
			MomentumWindow:      5 * time.Minute,
			VolumeAvgWindow:     time.Hour,
			MaxStopDistancePct:  dec("3"),
			StopOffsetPct:       dec("0.2"),
			TargetOffsetPct:     dec("0.2"),
			ExtremeFundingRate:  dec("0.0005"),
			RegimeFilter:        true,
			BehaviourWindow:     30 * time.Minute,
			BehaviourMovePct:    dec("0.3"),
			HistoryMinSamples:   5,
			HistoryMinRate:      dec("0.3"),
			SignalCooldown:      30 * time.Minute,
		},
		Orders: Orders{
			EntryType:           "limit",
			LimitTimeout:        2 * time.Minute,
			StopWorkingType:     "MARK_PRICE",
			Breakeven:           Breakeven{Enabled: false, TriggerR: dec("1")},
			Trailing:            Trailing{Enabled: false, ActivationR: dec("1.5"), DistancePct: dec("1")},
			TimeStop:            12 * time.Hour,
			ExitOnClusterGone:   true,
			UnknownPosition:     "adopt",
			MissingStopAlarm:    5 * time.Second,
			ClientIDPrefix:      "tb1",
			AdoptStopPct:        dec("3"),
			ClusterTolerancePct: dec("1"),
			ClusterGoneGrace:    30 * time.Second,
			CallTimeout:         10 * time.Second,
			VenueCheck:          30 * time.Second,
			VenueCheckIdle:      5 * time.Minute,
		},
		Paper: Paper{StartingBalance: dec("1000"), SlippageBps: dec("2")},
		State: State{Path: "data/taobot.db"},
		Log:   Log{Level: "info", Format: "auto"},
	}
}

// DefaultLeverageMix is the assumed spread of open interest over leverage,
// weighted toward 10x, used when liqmap.leverage_mix is absent.
func DefaultLeverageMix() map[int]decimal.Decimal {
	return map[int]decimal.Decimal{
		5: dec("0.15"), 10: dec("0.35"), 20: dec("0.20"), 25: dec("0.10"), 50: dec("0.12"), 100: dec("0.08"),
	}
}

// Endpoints returns the REST and WebSocket base URLs for the chosen network.
func (e Exchange) Endpoints() (rest, ws string) {
	switch e.Network {
	case NetworkTestnet:
		return TestnetRESTURL, TestnetWSURL
	case NetworkCustom:
		return e.RESTURL, e.WSURL
	default:
		return MainnetRESTURL, MainnetWSURL
	}
}
