package paper

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// stateVersion is the version of the saved account JSON.
const stateVersion = 1

// account is everything durable about the paper account; it is saved as
// JSON after every change.
type account struct {
	Version    int                 `json:"version"`
	Symbol     string              `json:"symbol"`
	Asset      string              `json:"asset"`
	Wallet     decimal.Decimal     `json:"wallet"` // wallet balance, isolated margin included
	Leverage   int                 `json:"leverage"`
	MarginType exchange.MarginType `json:"marginType"`
	// PosQty is signed: positive long, negative short.
	PosQty   decimal.Decimal `json:"posQty"`
	PosEntry decimal.Decimal `json:"posEntry"`
	// PosMargin is the isolated wallet of the position (isolated margin only).
	PosMargin   decimal.Decimal      `json:"posMargin"`
	Orders      []exchange.Order     `json:"orders"`
	Algos       []exchange.AlgoOrder `json:"algos"`
	History     []exchange.Order     `json:"history"`
	AlgoHistory []exchange.AlgoOrder `json:"algoHistory"`
	NextOrderID int64                `json:"nextOrderId"`
	NextAlgoID  int64                `json:"nextAlgoId"`
	NextTradeID int64                `json:"nextTradeId"`
	// Cumulative amounts since the account was created.
	RealizedPnL decimal.Decimal `json:"realizedPnl"` // gross of fees and funding
	Fees        decimal.Decimal `json:"fees"`
	Funding     decimal.Decimal `json:"funding"` // received minus paid
	// Funding schedule as last seen on the mark-price stream.
	FundingRate     decimal.Decimal `json:"fundingRate"`
	NextFundingTime time.Time       `json:"nextFundingTime"`
	FundedAt        time.Time       `json:"fundedAt"` // the last funding time charged
	UpdateTime      time.Time       `json:"updateTime"`
}

// marketData is the latest market data; not persisted (the stream refills it).
type marketData struct {
	bid, ask, bidQty, askQty decimal.Decimal
	last, mark               decimal.Decimal
}

// Trader is a simulated Binance USD-M account on one symbol. It implements
// exchange.Trader, is driven by Observe, and reports user-data events through
// Run (exchange.EventSource). Safe for concurrent use.
type Trader struct {
	cfg   Config
	kv    KV
	key   string
	clock exchange.Clock
	q     *queue

	mu   sync.Mutex
	acct account
	mkt  marketData
}

var (
	_ exchange.Trader      = (*Trader)(nil)
	_ exchange.EventSource = (*Trader)(nil)
)

// Key is the KV key the account of symbol is saved under.
func Key(symbol string) string { return "paper/account/" + symbol }

// New opens the paper account of cfg.Symbol: restored from kv when saved
// there before, otherwise a fresh one with cfg.InitialBalance.
func New(cfg Config, kv KV, clock exchange.Clock) (*Trader, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if kv == nil || clock == nil {
		return nil, fmt.Errorf("paper %s: kv and clock are required", cfg.Symbol)
	}
	t := &Trader{cfg: cfg, kv: kv, key: Key(cfg.Symbol), clock: clock, q: newQueue()}
	raw, ok, err := kv.KVGet(t.key)
	if err != nil {
		return nil, fmt.Errorf("paper %s: load account: %w", cfg.Symbol, err)
	}
	if ok {
		if err := json.Unmarshal(raw, &t.acct); err != nil {
			return nil, fmt.Errorf("paper %s: decode saved account: %w", cfg.Symbol, err)
		}
		if t.acct.Version != stateVersion {
			return nil, fmt.Errorf("paper %s: saved account has version %d, this build reads %d", cfg.Symbol, t.acct.Version, stateVersion)
		}
		if t.acct.Symbol != cfg.Symbol {
			return nil, fmt.Errorf("paper %s: saved account is for %s", cfg.Symbol, t.acct.Symbol)
		}
		return t, nil
	}
	if !cfg.InitialBalance.IsPositive() {
		return nil, fmt.Errorf("paper %s: initial balance must be > 0 for a new account, got %s", cfg.Symbol, cfg.InitialBalance)
	}
	t.acct = account{
		Version:     stateVersion,
		Symbol:      cfg.Symbol,
		Asset:       cfg.Asset,
		Wallet:      cfg.InitialBalance,
		Leverage:    cfg.Leverage,
		MarginType:  cfg.MarginType,
		NextOrderID: 1,
		NextAlgoID:  1,
		NextTradeID: 1,
		UpdateTime:  clock.Now(),
	}
	if err := t.save(); err != nil {
		return nil, err
	}
	return t, nil
}

// Run delivers the account's user-data events (OrderUpdate, AlgoUpdate,
// AccountUpdate) in order until ctx ends. Only one Run may be active.
func (t *Trader) Run(ctx context.Context, out chan<- exchange.Event) error {
	return t.q.run(ctx, out)
}

// Pending is the number of user-data events queued and not yet delivered by Run.
func (t *Trader) Pending() int { return t.q.Len() }

// Stats are the account's cumulative results.
type Stats struct {
	Wallet      decimal.Decimal
	RealizedPnL decimal.Decimal // gross of fees and funding
	Fees        decimal.Decimal
	Funding     decimal.Decimal // received minus paid
	NetPnL      decimal.Decimal // RealizedPnL - Fees + Funding
}

// Stats returns the cumulative realized PnL, fees and funding.
func (t *Trader) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := &t.acct
	return Stats{
		Wallet:      a.Wallet,
		RealizedPnL: a.RealizedPnL,
		Fees:        a.Fees,
		Funding:     a.Funding,
		NetPnL:      a.RealizedPnL.Sub(a.Fees).Add(a.Funding),
	}
}

// save writes the account; callers hold mu.
func (t *Trader) save() error {
	raw, err := json.Marshal(&t.acct)
	if err != nil {
		return fmt.Errorf("paper %s: encode account: %w", t.cfg.Symbol, err)
	}
	if err := t.kv.KVPut(t.key, raw); err != nil {
		return fmt.Errorf("paper %s: save account: %w", t.cfg.Symbol, err)
	}
	return nil
}

// Observe feeds one market event (BookTicker, Trade, MarkPrice; others are
// ignored). It fills resting limits, triggers algo orders, charges funding
// and liquidates, queueing the resulting user-data events.
func (t *Trader) Observe(ev exchange.Event) error {
	if ev == nil || ev.Meta().Symbol != t.cfg.Symbol {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := ev.Meta().ExchangeTime
	if now.IsZero() {
		now = t.clock.Now()
	}
	var out []exchange.Event
	changed := false
	switch e := ev.(type) {
	case exchange.BookTicker:
		if !e.BidPrice.IsPositive() || !e.AskPrice.IsPositive() {
			return nil // an empty side would price fills at zero
		}
		t.mkt.bid, t.mkt.ask, t.mkt.bidQty, t.mkt.askQty = e.BidPrice, e.AskPrice, e.BidQty, e.AskQty
		changed = t.chargeFunding(now, decimal.Zero, &out)
	case exchange.Trade:
		if !e.Price.IsPositive() {
			return nil
		}
		changed = t.chargeFunding(now, decimal.Zero, &out)
		t.mkt.last = e.Price
		if t.fillRestingOnTrade(e, now, &out) {
			changed = true
		}
		if t.triggerAlgos(exchange.ContractPriceTrigger, e.Price, now, &out) {
			changed = true
		}
	case exchange.MarkPrice:
		if !e.Mark.IsPositive() {
			return nil // a zero mark would trigger every sell stop
		}
		changed = t.chargeFunding(now, e.Mark, &out)
		t.mkt.mark = e.Mark
		if t.triggerAlgos(exchange.MarkPriceTrigger, e.Mark, now, &out) {
			changed = true
		}
		if t.liquidateIfDue(now, &out) {
			changed = true
		}
		if !e.NextFundingTime.IsZero() {
			// The estimated rate moves on nearly every update: it is saved with
			// the next change, and a new funding time is saved at once.
			if !e.NextFundingTime.Equal(t.acct.NextFundingTime) {
				changed = true
			}
			t.acct.FundingRate = e.FundingRate
			t.acct.NextFundingTime = e.NextFundingTime
		}
	default:
		return nil
	}
	if !changed {
		return nil
	}
	t.acct.UpdateTime = now
	if err := t.save(); err != nil {
		t.q.push(out...)
		return fmt.Errorf("observe %T: %w", ev, err)
	}
	t.q.push(out...)
	return nil
}

// meta stamps an emitted event.
func (t *Trader) meta(now time.Time) exchange.EventMeta {
	return exchange.EventMeta{Symbol: t.cfg.Symbol, ExchangeTime: now, ReceiveTime: now}
}

// reject builds a venue refusal with a Binance code.
func reject(code int, msg string) error {
	return &exchange.APIError{Code: code, Msg: msg, HTTPStatus: 400, Class: exchange.ErrRejected}
}

// notFound builds an unknown-order error.
func notFound(msg string) error {
	return &exchange.APIError{Code: exchange.CodeNoSuchOrder, Msg: msg, HTTPStatus: 400, Class: exchange.ErrNotFound}
}

// Binance codes used here that exchange does not name.
const (
	codeBadSymbol          = -1121 // Invalid symbol.
	codeLotSize            = -1013 // Filter failure: LOT_SIZE (quantity below minQty / above maxQty)
	codeBadLeverage        = -4028 // Leverage is not valid
	codeMarginTypeOpenPos  = -4048 // Margin type cannot be changed if there exists position.
	codeMarginTypeOpenOrds = -4047 // Margin type cannot be changed if there exists open orders.
	codeNoMarketPrice      = exchange.CodeUnknown
)

// ready is what every call checks first: a live context and our symbol.
func (t *Trader) ready(ctx context.Context, symbol string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return t.checkSymbol(symbol)
}

// newest returns the last element of s that match accepts.
func newest[T any](s []T, match func(T) bool) (T, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if match(s[i]) {
			return s[i], true
		}
	}
	var zero T
	return zero, false
}

func (t *Trader) checkSymbol(symbol string) error {
	if symbol != t.cfg.Symbol {
		return reject(codeBadSymbol, fmt.Sprintf("Invalid symbol %q: this paper account trades %s.", symbol, t.cfg.Symbol))
	}
	return nil
}
