package orders

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// Config says how plans become orders and how positions are managed. The
// agent maps its YAML section `orders` onto it.
type Config struct {
	// Symbol is the one symbol this manager trades, e.g. TAOUSDT.
	Symbol string
	// Prefix starts every client id we create (1-8 of [A-Za-z0-9_-]); orders
	// at the venue without it are not ours.
	Prefix string
	// EntryType is exchange.Limit (GTC at the plan's entry) or exchange.Market.
	EntryType exchange.OrderType
	// LimitTimeout cancels an unfilled (remainder of a) limit entry; it is also
	// how old a never-sent limit entry may be and still be sent (a market
	// entry: 5s at most), and how long an entry with an unknown outcome is watched.
	LimitTimeout time.Duration
	// StopWorkingType triggers stops and targets; default MARK_PRICE.
	StopWorkingType exchange.WorkingType
	// MarginType set before the first order of a session; default isolated.
	MarginType exchange.MarginType
	// Breakeven moves the stop to the entry once the trade has run BreakevenR risk units.
	Breakeven  bool
	BreakevenR decimal.Decimal
	// Trailing trails the stop TrailDistancePct behind the mark once TrailActivationR is reached.
	Trailing         bool
	TrailActivationR decimal.Decimal
	TrailDistancePct decimal.Decimal
	// TimeStop closes a position at market after this long; 0 = never.
	TimeStop time.Duration
	// ExitOnClusterGone closes at market when no cluster is left near the
	// target on the map for ClusterGoneGrace.
	ExitOnClusterGone bool
	// ClusterTolerancePct is how near (percent of the target) a cluster must be
	// to count as the target's cluster; default 1.
	ClusterTolerancePct decimal.Decimal
	// ClusterGoneGrace is how long the cluster must stay gone; default 30s.
	ClusterGoneGrace time.Duration
	// AdoptUnknown adopts a position the store does not know (true) or flattens it (false).
	AdoptUnknown bool
	// AdoptStopPct is the protective stop distance, in percent of the mark, of an adopted position; default 3.
	AdoptStopPct decimal.Decimal
	// MissingStopAlarm is how long a position may lack a protective stop before
	// the "unprotected_position" error; default 5s.
	MissingStopAlarm time.Duration
	// CallTimeout bounds every call to the venue; default 10s.
	CallTimeout time.Duration
	// UnknownResend is how long a leg whose send had an unknown outcome must
	// stay not found at the venue before it is sent again (same client id); default 3s.
	UnknownResend time.Duration
	// VenueCheckInterval is how often the venue's position, stop and open
	// orders are compared with the books while a trade is booked (and for
	// two minutes after start); a mismatch seen twice reconciles. Default 30s.
	VenueCheckInterval time.Duration
	// VenueCheckIdleInterval is the same check's interval with no trade;
	// default 5m.
	VenueCheckIdleInterval time.Duration
	// UserStream is the StreamGap.Stream name whose end triggers a
	// reconciliation; default "user" (the Binance adapter's user stream).
	UserStream string
	// OnClose, when set, is told of every closed position (risk limits).
	OnClose func(now time.Time, pnl decimal.Decimal, stoppedOut bool)
}

var prefixRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,8}$`)

// withDefaults fills the optional fields and rejects impossible settings.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.Symbol == "" {
		errs = append(errs, errors.New("symbol is empty"))
	}
	if !prefixRE.MatchString(c.Prefix) {
		errs = append(errs, fmt.Errorf("prefix must be 1-8 of [A-Za-z0-9_-], got %q", c.Prefix))
	}
	// Accept the YAML spellings (limit, mark_price, isolated, cross) as well as the venue's.
	c.EntryType = exchange.OrderType(strings.ToUpper(string(c.EntryType)))
	c.StopWorkingType = exchange.WorkingType(strings.ToUpper(string(c.StopWorkingType)))
	switch strings.ToUpper(string(c.MarginType)) {
	case "":
	case "ISOLATED":
		c.MarginType = exchange.Isolated
	case "CROSS", "CROSSED":
		c.MarginType = exchange.Cross
	default:
		errs = append(errs, fmt.Errorf("margin type must be ISOLATED or CROSSED, got %q", c.MarginType))
	}
	switch c.EntryType {
	case "":
		c.EntryType = exchange.Limit
	case exchange.Limit, exchange.Market:
	default:
		errs = append(errs, fmt.Errorf("entry type must be LIMIT or MARKET, got %q", c.EntryType))
	}
	switch c.StopWorkingType {
	case "":
		c.StopWorkingType = exchange.MarkPriceTrigger
	case exchange.MarkPriceTrigger, exchange.ContractPriceTrigger:
	default:
		errs = append(errs, fmt.Errorf("stop working type must be MARK_PRICE or CONTRACT_PRICE, got %q", c.StopWorkingType))
	}
	if c.MarginType == "" {
		c.MarginType = exchange.Isolated
	}
	if c.LimitTimeout <= 0 {
		c.LimitTimeout = 2 * time.Minute
	}
	if c.Breakeven && !c.BreakevenR.IsPositive() {
		errs = append(errs, fmt.Errorf("breakeven trigger must be > 0 R, got %s", c.BreakevenR))
	}
	if c.Trailing && (!c.TrailActivationR.IsPositive() || !c.TrailDistancePct.IsPositive()) {
		errs = append(errs, fmt.Errorf("trailing needs activation R and distance > 0, got %s and %s", c.TrailActivationR, c.TrailDistancePct))
	}
	if !c.ClusterTolerancePct.IsPositive() {
		c.ClusterTolerancePct = decimal.NewFromInt(1)
	}
	if c.ClusterGoneGrace <= 0 {
		c.ClusterGoneGrace = 30 * time.Second
	}
	if !c.AdoptStopPct.IsPositive() {
		c.AdoptStopPct = decimal.NewFromInt(3)
	}
	if c.MissingStopAlarm <= 0 {
		c.MissingStopAlarm = 5 * time.Second
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 10 * time.Second
	}
	if c.UnknownResend <= 0 {
		c.UnknownResend = 3 * time.Second
	}
	if c.VenueCheckInterval <= 0 {
		c.VenueCheckInterval = 30 * time.Second
	}
	if c.VenueCheckIdleInterval <= 0 {
		c.VenueCheckIdleInterval = 5 * time.Minute
	}
	if c.UserStream == "" {
		c.UserStream = "user"
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("orders config: %w", errors.Join(errs...))
	}
	return c, nil
}
