package paper

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// Config describes one paper account on one symbol.
type Config struct {
	// Symbol is the only symbol this account trades, e.g. TAOUSDT.
	Symbol string
	// Rules are the symbol's filters; Brackets default to risk.DefaultTAOBrackets when empty.
	Rules exchange.SymbolRules
	// Asset is the margin asset; default USDT.
	Asset string
	// InitialBalance is the wallet of a new account; ignored when a saved account is restored.
	InitialBalance decimal.Decimal
	// MakerFee and TakerFee are fee rates; zero means the defaults 0.0002 and 0.0005.
	MakerFee decimal.Decimal
	TakerFee decimal.Decimal
	// SlippageBps worsens every taker fill at the book by this many basis points.
	SlippageBps decimal.Decimal
	// Leverage is the initial leverage of a new account; default 20 (capped by Rules.MaxLeverage).
	Leverage int
	// MarginType of a new account; default isolated.
	MarginType exchange.MarginType
	// HistoryLimit is how many finished orders (and algo orders) stay queryable; default 100.
	HistoryLimit int
}

// Default fee rates (Binance USD-M VIP 0).
var (
	defaultMakerFee = decimal.RequireFromString("0.0002")
	defaultTakerFee = decimal.RequireFromString("0.0005")
)

func (c Config) withDefaults() (Config, error) {
	if c.Symbol == "" {
		return c, fmt.Errorf("paper config: symbol is empty")
	}
	if c.Rules.Symbol != "" && c.Rules.Symbol != c.Symbol {
		return c, fmt.Errorf("paper config: rules are for %s, not %s", c.Rules.Symbol, c.Symbol)
	}
	if !c.Rules.TickSize.IsPositive() || !c.Rules.StepSize.IsPositive() {
		return c, fmt.Errorf("paper config: %s rules need a positive tick and step size", c.Symbol)
	}
	if len(c.Rules.Brackets) == 0 {
		c.Rules.Brackets = risk.DefaultTAOBrackets()
	}
	if c.Asset == "" {
		c.Asset = "USDT"
	}
	if c.MakerFee.IsZero() {
		c.MakerFee = defaultMakerFee
	}
	if c.TakerFee.IsZero() {
		c.TakerFee = defaultTakerFee
	}
	if c.MakerFee.IsNegative() || c.TakerFee.IsNegative() || c.SlippageBps.IsNegative() {
		return c, fmt.Errorf("paper config: fees and slippage must not be negative")
	}
	if c.Leverage == 0 {
		c.Leverage = 20
	}
	if c.Rules.MaxLeverage > 0 && c.Leverage > c.Rules.MaxLeverage {
		c.Leverage = c.Rules.MaxLeverage
	}
	if c.Leverage < 1 {
		return c, fmt.Errorf("paper config: leverage %d must be >= 1", c.Leverage)
	}
	switch c.MarginType {
	case "":
		c.MarginType = exchange.Isolated
	case exchange.Isolated, exchange.Cross:
	default:
		return c, fmt.Errorf("paper config: margin type %q is not ISOLATED or CROSSED", c.MarginType)
	}
	if c.HistoryLimit <= 0 {
		c.HistoryLimit = 100
	}
	return c, nil
}

// KV is the small persistence the paper account needs; package state
// implements it (it is the same contract as risk.KV).
type KV = risk.KV

// MemKV is an in-memory KV for tests and throwaway runs.
type MemKV = risk.MemKV

// NewMemKV returns an empty in-memory KV.
func NewMemKV() *MemKV { return risk.NewMemKV() }
