package binance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/adshao/go-binance/v2/futures"
	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// DefaultFundingInterval applies to symbols fundingInfo does not list.
const DefaultFundingInterval = 8 * time.Hour

// SymbolRules reads the symbol's filters from exchangeInfo and its
// maintenance-margin tiers from leverageBracket (signed).
func (c *Client) SymbolRules(ctx context.Context, symbol string) (exchange.SymbolRules, error) {
	var info *futures.ExchangeInfo
	err := c.call(ctx, "exchange info", read, false, func(ctx context.Context, api *futures.Client) error {
		var err error
		info, err = api.NewExchangeInfoService().Do(ctx)
		return err
	})
	if err != nil {
		return exchange.SymbolRules{}, err
	}
	var sym *futures.Symbol
	for i := range info.Symbols {
		if info.Symbols[i].Symbol == symbol {
			sym = &info.Symbols[i]
			break
		}
	}
	if sym == nil {
		return exchange.SymbolRules{}, fmt.Errorf("symbol rules: %s not in exchangeInfo: %w", symbol, exchange.ErrNotFound)
	}
	rules, err := rulesFromSymbol(sym)
	if err != nil {
		return rules, fmt.Errorf("symbol rules %s: %w", symbol, err)
	}
	br, err := c.LeverageBrackets(ctx, symbol)
	if err != nil {
		return rules, err
	}
	rules.Brackets = br
	for _, b := range br {
		if b.InitialLeverage > rules.MaxLeverage {
			rules.MaxLeverage = b.InitialLeverage
		}
	}
	return rules, nil
}

// filter reads a filter field that Binance sends as a string. go-binance
// decodes filters into interface{}, so a float64 here means the format
// changed: it is a decode error, not silently rounded through a float.
func (p *parser) filter(f map[string]any, key string) string {
	switch v := f[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number: // the literal itself, lossless
		return v.String()
	default:
		if p.err == nil {
			p.err = fmt.Errorf("filter %v field %s: got %T %v, want a decimal string", f["filterType"], key, v, v)
		}
		return ""
	}
}

func rulesFromSymbol(s *futures.Symbol) (exchange.SymbolRules, error) {
	var p parser
	r := exchange.SymbolRules{Symbol: s.Symbol}
	for _, f := range s.Filters {
		switch f["filterType"] {
		case "PRICE_FILTER":
			r.TickSize = p.dec("tickSize", p.filter(f, "tickSize"))
			r.MinPrice = p.dec("minPrice", p.filter(f, "minPrice"))
			r.MaxPrice = p.dec("maxPrice", p.filter(f, "maxPrice"))
		case "LOT_SIZE":
			r.StepSize = p.dec("stepSize", p.filter(f, "stepSize"))
			r.MinQty = p.dec("minQty", p.filter(f, "minQty"))
			r.MaxQty = p.dec("maxQty", p.filter(f, "maxQty"))
		case "MARKET_LOT_SIZE":
			r.MarketStepSize = p.dec("market stepSize", p.filter(f, "stepSize"))
			r.MarketMinQty = p.dec("market minQty", p.filter(f, "minQty"))
			r.MarketMaxQty = p.dec("market maxQty", p.filter(f, "maxQty"))
		case "MIN_NOTIONAL":
			r.MinNotional = p.dec("notional", p.filter(f, "notional"))
		case "PERCENT_PRICE":
			r.MultiplierUp = p.dec("multiplierUp", p.filter(f, "multiplierUp"))
			r.MultiplierDown = p.dec("multiplierDown", p.filter(f, "multiplierDown"))
		}
	}
	if p.err == nil && !r.TickSize.IsPositive() {
		p.err = fmt.Errorf("no PRICE_FILTER tickSize")
	}
	if p.err == nil && !r.StepSize.IsPositive() {
		p.err = fmt.Errorf("no LOT_SIZE stepSize")
	}
	return r, p.err
}

// bracketJSON is one leverageBracket tier. Binance sends numbers; they are
// decoded as json.Number into decimals (go-binance's struct is float64).
type bracketJSON struct {
	Bracket          int         `json:"bracket"`
	InitialLeverage  int         `json:"initialLeverage"`
	NotionalCap      json.Number `json:"notionalCap"`
	NotionalFloor    json.Number `json:"notionalFloor"`
	MaintMarginRatio json.Number `json:"maintMarginRatio"`
	Cum              json.Number `json:"cum"`
}

// LeverageBrackets reads the symbol's maintenance-margin tiers.
func (c *Client) LeverageBrackets(ctx context.Context, symbol string) ([]exchange.Bracket, error) {
	p := url.Values{}
	p.Set("symbol", symbol)
	var raw json.RawMessage
	err := c.call(ctx, "leverage brackets "+symbol, read, true, func(ctx context.Context, _ *futures.Client) error {
		return c.signedRequest(ctx, http.MethodGet, "/fapi/v1/leverageBracket", p, &raw)
	})
	if err != nil {
		return nil, err
	}
	return decodeBrackets(raw, symbol)
}

// decodeBrackets accepts the documented list form and the single-object
// form Binance uses when a symbol is given.
func decodeBrackets(raw []byte, symbol string) ([]exchange.Bracket, error) {
	type entry struct {
		Symbol   string        `json:"symbol"`
		Brackets []bracketJSON `json:"brackets"`
	}
	var list []entry
	if err := json.Unmarshal(raw, &list); err != nil {
		var one entry
		if err2 := json.Unmarshal(raw, &one); err2 != nil {
			return nil, fmt.Errorf("leverage brackets: decode: %w", err)
		}
		list = []entry{one}
	}
	for _, e := range list {
		if e.Symbol != symbol && e.Symbol != "" {
			continue
		}
		out := make([]exchange.Bracket, 0, len(e.Brackets))
		var p parser
		for _, b := range e.Brackets {
			out = append(out, exchange.Bracket{
				Bracket: b.Bracket, InitialLeverage: b.InitialLeverage,
				NotionalFloor:    p.dec("notionalFloor", b.NotionalFloor.String()),
				NotionalCap:      p.dec("notionalCap", b.NotionalCap.String()),
				MaintMarginRatio: p.dec("maintMarginRatio", b.MaintMarginRatio.String()),
				Cum:              p.dec("cum", b.Cum.String()),
			})
		}
		if p.err != nil {
			return nil, fmt.Errorf("leverage brackets %s: %w", symbol, p.err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("leverage brackets: %s missing: %w", symbol, exchange.ErrNotFound)
}

// FundingInterval returns the symbol's funding interval from fundingInfo;
// symbols not listed there use DefaultFundingInterval (8 h).
func (c *Client) FundingInterval(ctx context.Context, symbol string) (time.Duration, error) {
	var res []*futures.FundingRateInfo
	err := c.call(ctx, "funding info", read, false, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewFundingRateInfoService().Do(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, r := range res {
		if r.Symbol == symbol && r.FundingIntervalHours > 0 {
			return time.Duration(r.FundingIntervalHours) * time.Hour, nil
		}
	}
	return DefaultFundingInterval, nil
}

// OpenInterest reads the symbol's current open interest.
func (c *Client) OpenInterest(ctx context.Context, symbol string) (decimal.Decimal, time.Time, error) {
	var res *futures.OpenInterest
	err := c.call(ctx, "open interest", read, false, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewGetOpenInterestService().Symbol(symbol).Do(ctx)
		return err
	})
	if err != nil {
		return decimal.Zero, time.Time{}, err
	}
	var p parser
	oi := p.dec("openInterest", res.OpenInterest)
	return oi, msTime(res.Time), p.err
}

// OpenInterestHist reads up to limit 5-minute open-interest points, oldest first.
func (c *Client) OpenInterestHist(ctx context.Context, symbol string, limit int) ([]exchange.OpenInterest, error) {
	var res []*futures.OpenInterestStatistic
	err := c.call(ctx, "open interest history", read, false, func(ctx context.Context, api *futures.Client) error {
		var err error
		res, err = api.NewOpenInterestStatisticsService().Symbol(symbol).Period("5m").Limit(limit).Do(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]exchange.OpenInterest, 0, len(res))
	now := c.opts.Clock.Now()
	for _, r := range res {
		var p parser
		ev := exchange.OpenInterest{
			EventMeta:    exchange.EventMeta{Symbol: symbol, ExchangeTime: msTime(r.Timestamp), ReceiveTime: now},
			OpenInterest: p.dec("sumOpenInterest", r.SumOpenInterest),
			Value:        p.dec("sumOpenInterestValue", r.SumOpenInterestValue),
			Backfill:     true,
		}
		if p.err != nil {
			return nil, fmt.Errorf("open interest history: %w", p.err)
		}
		out = append(out, ev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ExchangeTime.Before(out[j].ExchangeTime) })
	return out, nil
}
