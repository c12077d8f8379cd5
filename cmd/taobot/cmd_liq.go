package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/risk"
)

// liqOutput is `taobot liq --json`; field names are stable.
type liqOutput struct {
	Direction        exchange.PositionDirection `json:"direction"`
	Entry            decimal.Decimal            `json:"entry"`
	Qty              decimal.Decimal            `json:"qty"`
	Wallet           decimal.Decimal            `json:"wallet"`
	Liquidatable     bool                       `json:"liquidatable"`
	LiquidationPrice *decimal.Decimal           `json:"liquidation_price"` // to the tick, toward the entry
	Exact            *decimal.Decimal           `json:"liquidation_price_exact"`
	Bracket          int                        `json:"bracket"`
	MMR              decimal.Decimal            `json:"mmr"`
	Cum              decimal.Decimal            `json:"cum"`
}

func runLiq(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("liq", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: taobot liq --side long|short --entry P --qty Q --wallet USDT [--mmr R --cum C] [--json]\n\n"+
			"Prints Binance's one-way-mode liquidation price. --wallet is the isolated margin, or in cross the\n"+
			"wallet minus other positions' maintenance margin plus their unrealized PnL. Without --mmr the\n"+
			"built-in TAOUSDT bracket table is used, switching tiers as Binance does.\n\n")
		fs.PrintDefaults()
	}
	side := fs.String("side", "", "long or short (required)")
	entry := sizeDec(fs, "entry", "0", "average entry price (required)")
	qty := sizeDec(fs, "qty", "0", "position size in TAO (required)")
	wallet := sizeDec(fs, "wallet", "0", "wallet balance WB in USDT (required)")
	mmr := sizeDec(fs, "mmr", "0", "maintenance margin ratio for a single fixed bracket (e.g. 0.01)")
	cum := sizeDec(fs, "cum", "0", "maintenance amount for --mmr")
	tick := sizeDec(fs, "tick", risk.DefaultTAOTickSize.String(), "tick size the price is shown at")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(c.stderr, "taobot liq: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return bad("unexpected arguments %q", fs.Args())
	}
	dir, err := sizeParseSide(*side)
	if err != nil {
		return bad("%v", err)
	}
	if !entry.set || !qty.set || !wallet.set {
		return bad("--entry, --qty and --wallet are required")
	}
	if !qty.v.IsPositive() {
		// A signed positionAmt pasted from the exchange must not flip the side silently.
		return bad("--qty must be > 0 (the size in TAO; --side gives the direction), got %s", qty.v)
	}
	if cum.set && !mmr.set {
		return bad("--cum needs --mmr")
	}
	brackets := risk.DefaultTAOBrackets()
	if mmr.set {
		brackets = []exchange.Bracket{{Bracket: 1, NotionalFloor: decimal.Zero,
			NotionalCap: decimal.New(1, 18), MaintMarginRatio: mmr.v, Cum: cum.v}}
	}
	out := liqOutput{Direction: dir, Entry: entry.v, Qty: qty.v, Wallet: wallet.v}
	lp, b, err := risk.LiquidationBracket(risk.LiqInput{Direction: dir, Qty: out.Qty, Entry: entry.v, Wallet: wallet.v, Brackets: brackets})
	switch {
	case errors.Is(err, risk.ErrNoLiquidation):
	case err != nil:
		return bad("%v", err)
	default:
		shown := risk.RoundPrice(exchange.SymbolRules{TickSize: tick.v}, lp, risk.StopRoundDir(dir))
		exact := lp.Round(8)
		out.Liquidatable, out.LiquidationPrice, out.Exact = true, &shown, &exact
		out.Bracket, out.MMR, out.Cum = b.Bracket, b.MaintMarginRatio, b.Cum
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(c.stderr, "taobot liq: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	fmt.Fprintf(c.stdout, "%s %s @ %s, wallet %s USDT (notional %s USDT)\n", dir, out.Qty, out.Entry, out.Wallet, out.Qty.Mul(out.Entry))
	if !out.Liquidatable {
		fmt.Fprintln(c.stdout, "liquidation price: none: the wallet covers any move")
		return exitOK
	}
	dist := out.LiquidationPrice.Sub(out.Entry).Div(out.Entry).Mul(decimal.NewFromInt(100))
	fmt.Fprintf(c.stdout, "liquidation price: %s (%s%% from entry; bracket %d, MMR %s%%, cum %s)\n",
		*out.LiquidationPrice, dist.StringFixed(2), out.Bracket, out.MMR.Mul(decimal.NewFromInt(100)), out.Cum)
	if !out.LiquidationPrice.Equal(*out.Exact) {
		fmt.Fprintf(c.stdout, "  exact %s, shown rounded to the tick on the safe side (%s for a %s)\n", out.Exact, risk.StopRoundDir(dir), strings.ToLower(string(dir)))
	}
	if dir == exchange.Long && !lp.LessThan(out.Entry) || dir == exchange.Short && !lp.GreaterThan(out.Entry) {
		fmt.Fprintln(c.stdout, "  the wallet does not cover the maintenance margin: this position would be liquidated at once")
	}
	return exitOK
}
