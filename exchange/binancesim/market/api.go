package market

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// Scenario names a scripted market regime sequence.
type Scenario string

// The named scenarios; Describe gives each one's line for help texts.
const (
	// Calm is a quiet random walk with a slow on/off trend, deep book, balanced positioning.
	Calm Scenario = "calm"
	// LongCascade builds a crowded high-leverage long side, then drops ~7% in
	// 6 minutes (at EventAt; again every EventEvery if set) through the longs' liquidations.
	LongCascade Scenario = "long-cascade"
	// ShortSqueeze mirrors LongCascade: crowded shorts, then a ~7% rally in 6 minutes squeezing them.
	ShortSqueeze Scenario = "short-squeeze"
	// Chop is a volatile mean-reverting range with a thinner book and high-leverage traders, no event.
	Chop Scenario = "chop"
	// NewsSpike is calm until a 5-second ~7% shock down on a very thin book, then a partial retrace.
	NewsSpike Scenario = "news-spike"
)

// Describe is the scenario's one-line description for help texts; "" for an unknown name.
func Describe(s Scenario) string {
	switch s {
	case Calm:
		return "quiet random walk, slow on/off trend, deep book, balanced positioning"
	case LongCascade:
		return "crowded high-leverage longs, then a ~7% drop in 6 min through their liquidations"
	case ShortSqueeze:
		return "crowded high-leverage shorts, then a ~7% rally in 6 min squeezing them"
	case Chop:
		return "volatile mean-reverting range, thinner book, high-leverage traders, no event"
	case NewsSpike:
		return "calm, then a 5-second ~7% shock down on a very thin book and a partial retrace"
	}
	return ""
}

// Scenarios lists every scenario New accepts, in a stable order.
func Scenarios() []Scenario {
	return []Scenario{Calm, LongCascade, ShortSqueeze, Chop, NewsSpike}
}

// Config describes one synthetic market. Zero fields take DefaultConfig's values.
type Config struct {
	// Seed drives every random choice; the same Config gives the same market.
	Seed int64
	// Scenario selects the regime script; empty means calm.
	Scenario Scenario
	// Symbol is stamped on every event, e.g. "TAOUSDT".
	Symbol string
	// Start is the simulated time of the first state; sub-steps are on a grid from it.
	Start time.Time
	// StartPrice is the initial last, mark and index price.
	StartPrice decimal.Decimal
	// TickSize is the price grid every price is on.
	TickSize decimal.Decimal
	// StepSize is the quantity grid every quantity is on.
	StepSize decimal.Decimal
	// FundingInterval is the time between funding settlements, on a grid from
	// midnight UTC; it must divide 24h (Binance uses 1h, 2h, 4h, 8h).
	FundingInterval time.Duration
	// Traders is the number of simulated leveraged traders; zero means the default 400.
	Traders int
	// Brackets are the maintenance-margin tiers used for the traders' liquidation prices.
	Brackets []exchange.Bracket
	// EventAt is when a scenario's main event (drop, rally, shock) starts, after Start.
	EventAt time.Duration
	// EventEvery repeats the scenario's event with this period; zero means once.
	EventEvery time.Duration
	// FundingCap bounds the funding rate to ±FundingCap; zero derives it from the
	// first bracket as 0.75 × (initial margin rate − maintenance margin rate).
	FundingCap decimal.Decimal
}

// DefaultConfig is a TAOUSDT-like market at 400 USDT in the calm scenario.
func DefaultConfig() Config {
	return Config{
		Seed:            1,
		Scenario:        Calm,
		Symbol:          "TAOUSDT",
		Start:           time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		StartPrice:      decimal.NewFromInt(400),
		TickSize:        decimal.RequireFromString("0.01"),
		StepSize:        decimal.RequireFromString("0.001"),
		FundingInterval: 8 * time.Hour,
		Traders:         400,
		Brackets:        risk.DefaultTAOBrackets(),
		EventAt:         10 * time.Minute,
		EventEvery:      4 * time.Hour,
	}
}

// withDefaults fills zero fields from DefaultConfig and validates the result.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Scenario == "" {
		c.Scenario = d.Scenario
	}
	if c.Symbol == "" {
		c.Symbol = d.Symbol
	}
	if c.Start.IsZero() {
		c.Start = d.Start
	}
	if c.StartPrice.IsZero() {
		c.StartPrice = d.StartPrice
	}
	if c.TickSize.IsZero() {
		c.TickSize = d.TickSize
	}
	if c.StepSize.IsZero() {
		c.StepSize = d.StepSize
	}
	if c.FundingInterval == 0 {
		c.FundingInterval = d.FundingInterval
	}
	if c.Traders == 0 {
		c.Traders = d.Traders
	}
	if len(c.Brackets) == 0 {
		c.Brackets = d.Brackets
	}
	if c.EventAt == 0 {
		c.EventAt = d.EventAt
	}
	var errs []string
	if !slices.Contains(Scenarios(), c.Scenario) {
		errs = append(errs, fmt.Sprintf("scenario: must be one of %v, got %q", Scenarios(), c.Scenario))
	}
	if !c.TickSize.IsPositive() {
		errs = append(errs, fmt.Sprintf("tick size: must be > 0, got %s", c.TickSize))
	}
	if !c.StepSize.IsPositive() {
		errs = append(errs, fmt.Sprintf("step size: must be > 0, got %s", c.StepSize))
	}
	if !c.StartPrice.IsPositive() {
		errs = append(errs, fmt.Sprintf("start price: must be > 0, got %s", c.StartPrice))
	} else if c.TickSize.IsPositive() && c.StartPrice.Div(c.TickSize).LessThan(decimal.NewFromInt(100)) {
		errs = append(errs, fmt.Sprintf("start price: must be at least 100 ticks, got %s with tick %s", c.StartPrice, c.TickSize))
	}
	if c.FundingInterval < time.Minute || (24*time.Hour)%c.FundingInterval != 0 {
		errs = append(errs, fmt.Sprintf("funding interval: must be >= 1m and divide 24h, got %s", c.FundingInterval))
	}
	if c.Traders < 0 || c.Traders > 100000 {
		errs = append(errs, fmt.Sprintf("traders: must be 0..100000, got %d", c.Traders))
	}
	if c.EventAt < 0 || c.EventEvery < 0 {
		errs = append(errs, fmt.Sprintf("event times: must be >= 0, got at %s every %s", c.EventAt, c.EventEvery))
	}
	if c.FundingCap.IsNegative() {
		errs = append(errs, fmt.Sprintf("funding cap: must be >= 0, got %s", c.FundingCap))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("market config: %v", errs)
	}
	return c, nil
}

// Output is what happened during one Step, each slice in time order.
type Output struct {
	// Trades are aggTrade-like public trades, including the fills of liquidations.
	Trades []exchange.Trade
	// Liquidations are every forced order; the server applies the 1-per-second snapshot rule.
	Liquidations []exchange.Liquidation
	// Fundings are the funding settlements that happened.
	Fundings []Funding
}

// Funding is one funding settlement.
type Funding struct {
	// Time is the scheduled funding time (on the interval grid from midnight UTC).
	Time time.Time
	// Rate is the settled rate; positive means longs pay shorts.
	Rate decimal.Decimal
	// Mark is the mark price payments are computed at.
	Mark decimal.Decimal
}

// Quote is the market's current state as streams and REST report it.
type Quote struct {
	// Time is the simulated time of the last sub-step.
	Time time.Time
	// Last is the price of the last trade.
	Last decimal.Decimal
	// Mark is Binance's mark price (median of funding-adjusted index, index
	// plus averaged basis, and last); liquidations trigger on it.
	Mark decimal.Decimal
	// Index is the fair (spot index) price.
	Index decimal.Decimal
	// Bid and Ask are the best prices; BidQty and AskQty what rests there.
	Bid, Ask, BidQty, AskQty decimal.Decimal
	// OpenInterest is the sum of the simulated traders' open positions, in base units.
	OpenInterest decimal.Decimal
	// FundingRate is the estimated rate of the next settlement.
	FundingRate decimal.Decimal
	// InterestRate is the fixed interest component per funding interval (0.01% per 8h, scaled).
	InterestRate decimal.Decimal
	// NextFundingTime is when the next settlement happens.
	NextFundingTime time.Time
}

// Level is one price level of the order book.
type Level struct {
	// Price is the level's price; Qty the base quantity resting there.
	Price, Qty decimal.Decimal
}

// Fill is one piece of an external taker order's execution.
type Fill struct {
	// Price is where this piece filled; Qty how much.
	Price, Qty decimal.Decimal
	// TradeID is the ID of the public trade (Output.Trades) that prints this
	// fill, so the server can tell the bot's own prints from the traders'.
	TradeID int64
}
