package binancesim

import (
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Precisions Binance publishes for TAOUSDT; replies format decimals with them.
const (
	pricePrecision = 2
	qtyPrecision   = 3
	assetPrecision = 8
)

// defaultRules are TAOUSDT's filters as Binance lists them, unless overridden.
func defaultRules(o Options) exchange.SymbolRules {
	if o.Rules != nil {
		r := *o.Rules
		r.Symbol = Symbol
		r.Brackets = o.Brackets
		return r
	}
	d := decimal.RequireFromString
	return exchange.SymbolRules{
		Symbol:         Symbol,
		TickSize:       d("0.01"),
		MinPrice:       d("0.01"),
		MaxPrice:       d("100000"),
		StepSize:       d("0.001"),
		MinQty:         d("0.001"),
		MaxQty:         d("10000"),
		MarketStepSize: d("0.001"),
		MarketMinQty:   d("0.001"),
		MarketMaxQty:   d("2000"),
		MinNotional:    d("5"),
		MultiplierUp:   d("1.0500"),
		MultiplierDown: d("0.9500"),
		MaxLeverage:    o.Brackets[0].InitialLeverage,
		Brackets:       o.Brackets,
	}
}

func fmtPrice(d decimal.Decimal) string { return d.StringFixed(pricePrecision) }
func fmtQty(d decimal.Decimal) string   { return d.StringFixed(qtyPrecision) }
func fmtAmt(d decimal.Decimal) string   { return d.StringFixed(assetPrecision) }

// fmtAvg formats average fill prices, which Binance sends with 5 decimals.
func fmtAvg(d decimal.Decimal) string { return d.StringFixed(5) }

// fmtRate formats rates and mark/index prices with Binance's 8 decimals.
func fmtRate(d decimal.Decimal) string { return d.StringFixed(8) }

// isMultiple reports whether (v - base) is a whole number of step.
func isMultiple(v, base, step decimal.Decimal) bool {
	if !step.IsPositive() {
		return true
	}
	return v.Sub(base).Mod(step).IsZero()
}
