package risk

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Sizing defaults, used when the config leaves a field zero.
const (
	DefaultMaxLeverage = 10
)

// DefaultLiqBuffer is the largest share of the entry-to-liquidation distance
// the stop may use when the config leaves liq_buffer zero.
var DefaultLiqBuffer = decimal.RequireFromString("0.5")

var hundred = decimal.NewFromInt(100)

// SizingConfig is the sizing part of the risk config.
type SizingConfig struct {
	// MaxLossUSDT is the absolute loss budget per trade; zero = not set.
	MaxLossUSDT decimal.Decimal `json:"max_loss_usdt"`
	// MaxLossPct is the loss budget in percent of equity (1 = 1%); zero = not set.
	MaxLossPct decimal.Decimal `json:"max_loss_pct"`
	// MaxLeverage caps leverage; zero = DefaultMaxLeverage.
	MaxLeverage int `json:"max_leverage"`
	// LiqBuffer is the largest fraction of entry->liquidation the stop may
	// use, in (0, 1]; zero = DefaultLiqBuffer.
	LiqBuffer decimal.Decimal `json:"liq_buffer"`
	// MinRewardRisk is the lowest accepted R after fees and funding; zero = off.
	MinRewardRisk decimal.Decimal `json:"min_reward_risk"`
	// MaxFundingShare is the largest share of the expected profit (after
	// fees) that funding may eat; zero = off.
	MaxFundingShare decimal.Decimal `json:"max_funding_share"`
	// MarginType is isolated or cross; empty = isolated.
	MarginType exchange.MarginType `json:"margin_type"`
}

// PlanInput is everything Plan needs; it reads nothing else.
type PlanInput struct {
	Direction exchange.PositionDirection
	// Entry and Stop are required; Target is optional (zero = none).
	Entry, Stop, Target decimal.Decimal
	// Equity is the account equity the percent budget is taken from.
	Equity decimal.Decimal
	// Available is the balance free for initial margin and the entry fee.
	Available decimal.Decimal
	// SkipMarginCheck is for the calculator without a balance: margin is not
	// checked and the lowest leverage, 1, is taken.
	SkipMarginCheck bool
	// CrossWallet is WB for a cross-margin liquidation price (see
	// CrossWalletBalance); zero = Equity.
	CrossWallet decimal.Decimal
	// Rules are the symbol's filters.
	Rules exchange.SymbolRules
	// Brackets are the maintenance tiers; empty = Rules.Brackets.
	Brackets []exchange.Bracket
	// MakerFee and TakerFee are fee rates (0.0002 = 0.02%).
	MakerFee, TakerFee decimal.Decimal
	// EntryMaker says the entry pays the maker fee (a resting limit);
	// otherwise taker. Exits (stop and target) always pay taker.
	EntryMaker bool
	// FundingRate is the current rate per interval; positive: longs pay.
	FundingRate decimal.Decimal
	// FundingInterval is the symbol's interval; zero = DefaultFundingInterval.
	FundingInterval time.Duration
	// NextFunding is the next funding time; zero = the epoch grid.
	NextFunding time.Time
	// Now is when the position would open; Hold is the expected horizon.
	Now  time.Time
	Hold time.Duration
	// Config is the sizing config.
	Config SizingConfig
}

// ReasonCode names why a plan was rejected; stable for logs and JSON.
type ReasonCode string

// Rejection reasons.
const (
	ReasonStopWrongSide    ReasonCode = "stop_wrong_side"
	ReasonTargetWrongSide  ReasonCode = "target_wrong_side"
	ReasonNoBudget         ReasonCode = "no_loss_budget"
	ReasonQtyBelowMin      ReasonCode = "qty_below_min"
	ReasonNotionalBelowMin ReasonCode = "notional_below_min"
	ReasonMarginShort      ReasonCode = "margin_insufficient"
	ReasonRewardRisk       ReasonCode = "reward_risk_below_min"
	ReasonFundingShare     ReasonCode = "funding_share_too_high"
	ReasonLiqBuffer        ReasonCode = "liquidation_too_close"
)

// Rejection is one reason a plan cannot be traded, with a sentence for people.
type Rejection struct {
	Code    ReasonCode `json:"code"`
	Message string     `json:"message"`
}

// Rounding records one value moved to an exchange grid.
type Rounding struct {
	What string          `json:"what"`
	From decimal.Decimal `json:"from"`
	To   decimal.Decimal `json:"to"`
	Why  string          `json:"why"`
}

// LossBreakdown is a loss split into its parts.
type LossBreakdown struct {
	Price   decimal.Decimal `json:"price"`
	Fees    decimal.Decimal `json:"fees"`
	Funding decimal.Decimal `json:"funding"`
	Total   decimal.Decimal `json:"total"`
}

// PlanResult is a sized order plan, or the reasons there is none. Fields are
// filled as far as the computation got; Rejections empty means tradeable.
type PlanResult struct {
	Direction  exchange.PositionDirection `json:"direction"`
	MarginType exchange.MarginType        `json:"margin_type"`
	Entry      decimal.Decimal            `json:"entry"`
	Stop       decimal.Decimal            `json:"stop"`
	Target     *decimal.Decimal           `json:"target"`
	Budget     decimal.Decimal            `json:"budget"`
	Qty        decimal.Decimal            `json:"qty"`
	Notional   decimal.Decimal            `json:"notional"`
	Leverage   int                        `json:"leverage"`
	Margin     decimal.Decimal            `json:"margin"`
	// LiquidationPrice is rounded to the tick toward the entry; null when the
	// position cannot be liquidated or was not computed.
	LiquidationPrice *decimal.Decimal `json:"liquidation_price"`
	FundingTimes     int              `json:"funding_times"`
	LossPerUnit      LossBreakdown    `json:"loss_per_unit"`
	WorstCaseLoss    LossBreakdown    `json:"worst_case_loss"`
	// ExpectedReward is the profit at the target after fees and adverse
	// funding; null without a target. RMultiple is that over the worst loss.
	ExpectedReward *decimal.Decimal `json:"expected_reward"`
	RMultiple      *decimal.Decimal `json:"r_multiple"`
	Roundings      []Rounding       `json:"roundings"`
	Notes          []string         `json:"notes"`
	Rejections     []Rejection      `json:"rejections"`
}

// Accepted reports whether the plan can be traded.
func (p PlanResult) Accepted() bool { return len(p.Rejections) == 0 }

// Err is nil for an accepted plan, else an error listing every reason.
func (p PlanResult) Err() error {
	if p.Accepted() {
		return nil
	}
	errs := make([]error, len(p.Rejections))
	for i, r := range p.Rejections {
		errs[i] = fmt.Errorf("%s: %s", r.Code, r.Message)
	}
	return fmt.Errorf("plan rejected: %w", errors.Join(errs...))
}

// Has reports whether the plan was rejected for code.
func (p PlanResult) Has(code ReasonCode) bool {
	for _, r := range p.Rejections {
		if r.Code == code {
			return true
		}
	}
	return false
}

func (p *PlanResult) reject(code ReasonCode, format string, args ...any) {
	p.Rejections = append(p.Rejections, Rejection{Code: code, Message: fmt.Sprintf(format, args...)})
}

func (p *PlanResult) round(what string, from, to decimal.Decimal, why string) {
	if !from.Equal(to) {
		p.Roundings = append(p.Roundings, Rounding{What: what, From: from, To: to, Why: why})
	}
}
