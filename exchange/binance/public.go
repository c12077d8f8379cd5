package binance

import (
	"context"
	"fmt"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/taobot/taobot/exchange"
)

// ExchangeRules reads only the symbol's public filters from exchangeInfo:
// no API key needed, so paper and dry-run use it. Brackets are left empty
// for the caller to fill (built-in table or config override); live mode uses
// SymbolRules, which adds the account's signed leverageBracket table.
func (c *Client) ExchangeRules(ctx context.Context, symbol string) (exchange.SymbolRules, error) {
	var info *futures.ExchangeInfo
	err := c.call(ctx, "exchange info", read, false, func(ctx context.Context, api *futures.Client) error {
		var err error
		info, err = api.NewExchangeInfoService().Do(ctx)
		return err
	})
	if err != nil {
		return exchange.SymbolRules{}, err
	}
	for i := range info.Symbols {
		if info.Symbols[i].Symbol == symbol {
			rules, err := rulesFromSymbol(&info.Symbols[i])
			if err != nil {
				return rules, fmt.Errorf("symbol rules %s: %w", symbol, err)
			}
			return rules, nil
		}
	}
	return exchange.SymbolRules{}, fmt.Errorf("symbol rules: %s not in exchangeInfo: %w", symbol, exchange.ErrNotFound)
}
