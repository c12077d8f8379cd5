package risk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// LimitsKey is the KV key the limits' state lives under.
const LimitsKey = "risk/limits/v1"

// Blackout is a news window: no new entries from At-Before until At+After.
type Blackout struct {
	At     time.Time     `json:"at"`
	Before time.Duration `json:"before"`
	After  time.Duration `json:"after"`
	Label  string        `json:"label"`
}

// LimitsConfig holds the rules that stop new entries. A zero field is off.
type LimitsConfig struct {
	// DailyLossLimit is the largest net realized loss per UTC day, in USDT.
	DailyLossLimit decimal.Decimal
	// MaxOpenPositions caps positions open at once.
	MaxOpenPositions int
	// MaxPositionNotional caps one position's notional, in USDT.
	MaxPositionNotional decimal.Decimal
	// CooldownAfterStop blocks entries for this long after a stop-out.
	CooldownAfterStop time.Duration
	// MaxConsecutiveLosses engages the loss brake after that many losing
	// closes in a row.
	MaxConsecutiveLosses int
	// LossBrakePause is how long the brake holds; zero = until the next UTC day.
	LossBrakePause time.Duration
	// Blackouts are the news windows.
	Blackouts []Blackout
	// KillSwitchFile, when it exists, blocks new entries; if its content
	// contains the word "flatten", open positions are to be closed too.
	KillSwitchFile string
}

// BlockCode names why entries are blocked; stable for logs and JSON.
type BlockCode string

// Block reasons.
const (
	BlockKillSwitch        BlockCode = "kill_switch"
	BlockDailyLoss         BlockCode = "daily_loss_limit"
	BlockDailyLossHeadroom BlockCode = "daily_loss_headroom"
	BlockLossBrake         BlockCode = "consecutive_loss_brake"
	BlockCooldown          BlockCode = "cooldown_after_stop"
	BlockBlackout          BlockCode = "news_blackout"
	BlockOpenPositions     BlockCode = "max_open_positions"
	BlockNotional          BlockCode = "max_position_notional"
)

// Block is one reason new entries are refused.
type Block struct {
	Code    BlockCode `json:"code"`
	Message string    `json:"message"`
	// Until is when the block lifts by itself; zero when it needs an action
	// (release the kill switch, close a position, shrink the order).
	Until time.Time `json:"until"`
}

// Decision is the answer to "may a new entry be made now?".
type Decision struct {
	Allowed bool    `json:"allowed"`
	Flatten bool    `json:"flatten"` // the kill switch asks to close open positions
	Blocks  []Block `json:"blocks"`
}

// Err is nil when allowed, else an error naming every block.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	msgs := make([]string, len(d.Blocks))
	for i, b := range d.Blocks {
		msgs[i] = fmt.Sprintf("%s: %s", b.Code, b.Message)
	}
	return fmt.Errorf("entry blocked: %s", strings.Join(msgs, "; "))
}

// EntryCheck describes the entry being considered.
type EntryCheck struct {
	// OpenPositions is how many positions are open now, before this entry.
	OpenPositions int
	// Notional is the position's notional after the entry, in USDT.
	Notional decimal.Decimal
	// WorstLoss is the plan's worst-case loss; it must fit what is left of
	// the daily limit.
	WorstLoss decimal.Decimal
}

// limitsState is what survives a restart.
type limitsState struct {
	Day           string          `json:"day"` // UTC date of DayRealized
	DayRealized   decimal.Decimal `json:"day_realized"`
	ConsecLosses  int             `json:"consec_losses"`
	BrakeUntil    time.Time       `json:"brake_until"`
	CooldownUntil time.Time       `json:"cooldown_until"`
	KillEngaged   bool            `json:"kill_engaged"`
	KillFlatten   bool            `json:"kill_flatten"`
	KillReason    string          `json:"kill_reason"`
	KillAt        time.Time       `json:"kill_at"`
}

// Limits tracks realized results and answers whether new entries are
// allowed. Safe for concurrent use; every method takes now instead of
// reading a clock.
type Limits struct {
	cfg      LimitsConfig
	kv       KV
	readFile func(string) ([]byte, error)

	mu sync.Mutex
	st limitsState
}

// NewLimits loads the persisted state from kv (empty when absent).
func NewLimits(cfg LimitsConfig, kv KV) (*Limits, error) {
	if kv == nil {
		return nil, errors.New("limits: nil KV")
	}
	if cfg.DailyLossLimit.IsNegative() || cfg.MaxPositionNotional.IsNegative() || cfg.MaxOpenPositions < 0 ||
		cfg.MaxConsecutiveLosses < 0 || cfg.CooldownAfterStop < 0 || cfg.LossBrakePause < 0 {
		return nil, errors.New("limits: negative limit in config")
	}
	l := &Limits{cfg: cfg, kv: kv, readFile: os.ReadFile}
	b, ok, err := kv.KVGet(LimitsKey)
	if err != nil {
		return nil, fmt.Errorf("limits: load %s: %w", LimitsKey, err)
	}
	if ok {
		if err := json.Unmarshal(b, &l.st); err != nil {
			return nil, fmt.Errorf("limits: decode %s: %w", LimitsKey, err)
		}
	}
	return l, nil
}

func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// nextUTCDay is the next 00:00 UTC after t.
func nextUTCDay(t time.Time) time.Time {
	y, m, dd := t.UTC().Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, time.UTC)
}

// realizedToday is the day's net realized PnL as of now.
func (l *Limits) realizedToday(now time.Time) decimal.Decimal {
	if l.st.Day != utcDay(now) {
		return decimal.Zero
	}
	return l.st.DayRealized
}

// Check says whether a new entry may be made at now, with every reason it may not.
func (l *Limits) Check(now time.Time, e EntryCheck) Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	var bl []Block
	add := func(code BlockCode, until time.Time, format string, args ...any) {
		bl = append(bl, Block{Code: code, Message: fmt.Sprintf(format, args...), Until: until})
	}
	dec := Decision{}
	if l.st.KillEngaged {
		add(BlockKillSwitch, time.Time{}, "kill switch engaged at %s (%s); release it to trade", l.st.KillAt.UTC().Format(time.RFC3339), l.st.KillReason)
		dec.Flatten = dec.Flatten || l.st.KillFlatten
	}
	if f := l.cfg.KillSwitchFile; f != "" {
		b, err := l.readFile(f)
		switch {
		case err == nil:
			flat := strings.Contains(strings.ToLower(string(b)), "flatten")
			dec.Flatten = dec.Flatten || flat
			add(BlockKillSwitch, time.Time{}, "kill switch file %s exists (flatten: %t); remove it to trade", f, flat)
		case !errors.Is(err, fs.ErrNotExist):
			// Unreadable is not proof of absence: fail safe.
			add(BlockKillSwitch, time.Time{}, "kill switch file %s cannot be read, treated as engaged: %v", f, err)
		}
	}
	if lim := l.cfg.DailyLossLimit; lim.IsPositive() {
		loss := l.realizedToday(now).Neg()
		if loss.GreaterThanOrEqual(lim) {
			add(BlockDailyLoss, nextUTCDay(now), "realized loss today is %s USDT, at or over the daily limit %s; trading resumes at 00:00 UTC", loss, lim)
		} else if headroom := decimal.Min(lim, lim.Sub(loss)); e.WorstLoss.GreaterThan(headroom) {
			add(BlockDailyLossHeadroom, nextUTCDay(now), "this trade can lose %s USDT but only %s USDT of today's %s limit is left", e.WorstLoss, headroom, lim)
		}
	}
	if now.Before(l.st.BrakeUntil) {
		add(BlockLossBrake, l.st.BrakeUntil, "%d losing trades in a row; paused until %s", l.cfg.MaxConsecutiveLosses, l.st.BrakeUntil.UTC().Format(time.RFC3339))
	}
	if now.Before(l.st.CooldownUntil) {
		add(BlockCooldown, l.st.CooldownUntil, "cooling down after a stop-out until %s", l.st.CooldownUntil.UTC().Format(time.RFC3339))
	}
	for _, w := range l.cfg.Blackouts {
		start, end := w.At.Add(-w.Before), w.At.Add(w.After)
		if !now.Before(start) && now.Before(end) {
			add(BlockBlackout, end, "news blackout %q around %s, from %s until %s", w.Label, w.At.UTC().Format(time.RFC3339),
				start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
		}
	}
	if m := l.cfg.MaxOpenPositions; m > 0 && e.OpenPositions >= m {
		add(BlockOpenPositions, time.Time{}, "%d positions open, the maximum is %d", e.OpenPositions, m)
	}
	if m := l.cfg.MaxPositionNotional; m.IsPositive() && e.Notional.GreaterThan(m) {
		add(BlockNotional, time.Time{}, "position notional %s USDT is over the maximum %s", e.Notional, m)
	}
	dec.Blocks = bl
	dec.Allowed = len(bl) == 0
	return dec
}

// RecordClose books a closed trade's net realized PnL (after fees and
// funding) at now; stoppedOut starts the cooldown.
func (l *Limits) RecordClose(now time.Time, pnl decimal.Decimal, stoppedOut bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch day := utcDay(now); {
	case day == l.st.Day:
		l.st.DayRealized = l.st.DayRealized.Add(pnl)
	case day > l.st.Day: // YYYY-MM-DD compares in time order
		l.st.Day, l.st.DayRealized = day, pnl
	default:
		// A close stamped on a day already past (a late event just after
		// midnight) belongs to that day's total, which no longer limits
		// anything; it must not reset today's.
	}
	if pnl.IsNegative() {
		l.st.ConsecLosses++
		if m := l.cfg.MaxConsecutiveLosses; m > 0 && l.st.ConsecLosses >= m {
			until := nextUTCDay(now)
			if l.cfg.LossBrakePause > 0 {
				until = now.Add(l.cfg.LossBrakePause)
			}
			l.st.BrakeUntil, l.st.ConsecLosses = until, 0
		}
	} else {
		l.st.ConsecLosses = 0
	}
	if stoppedOut && l.cfg.CooldownAfterStop > 0 {
		if until := now.Add(l.cfg.CooldownAfterStop); until.After(l.st.CooldownUntil) {
			l.st.CooldownUntil = until
		}
	}
	return l.save("record close")
}

// Engage turns the programmatic kill switch on; flatten asks the caller to
// close open positions as well.
func (l *Limits) Engage(now time.Time, flatten bool, reason string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.st.KillEngaged, l.st.KillFlatten, l.st.KillReason, l.st.KillAt = true, flatten, reason, now
	return l.save("engage kill switch")
}

// Release turns the programmatic kill switch off. A kill switch file, if
// present, still blocks until it is removed.
func (l *Limits) Release(now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.st.KillEngaged, l.st.KillFlatten, l.st.KillReason, l.st.KillAt = false, false, "", now
	return l.save("release kill switch")
}

// LimitsStatus is a read-only view of the limits' state for status pages.
type LimitsStatus struct {
	RealizedToday     decimal.Decimal `json:"realized_today"`
	ConsecutiveLosses int             `json:"consecutive_losses"`
	BrakeUntil        time.Time       `json:"brake_until"`
	CooldownUntil     time.Time       `json:"cooldown_until"`
	KillEngaged       bool            `json:"kill_engaged"`
	KillFlatten       bool            `json:"kill_flatten"`
	KillReason        string          `json:"kill_reason"`
}

// Status reports the state as of now (a new UTC day shows zero realized).
func (l *Limits) Status(now time.Time) LimitsStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LimitsStatus{
		RealizedToday: l.realizedToday(now), ConsecutiveLosses: l.st.ConsecLosses,
		BrakeUntil: l.st.BrakeUntil, CooldownUntil: l.st.CooldownUntil,
		KillEngaged: l.st.KillEngaged, KillFlatten: l.st.KillFlatten, KillReason: l.st.KillReason,
	}
}

// save persists the state; callers hold mu. The in-memory state stays
// applied on failure: the running process keeps obeying it.
func (l *Limits) save(what string) error {
	b, err := json.Marshal(l.st)
	if err != nil {
		return fmt.Errorf("limits: %s: encode: %w", what, err)
	}
	if err := l.kv.KVPut(LimitsKey, b); err != nil {
		return fmt.Errorf("limits: %s: persist: %w", what, err)
	}
	return nil
}
