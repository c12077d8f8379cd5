package strategy

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/exchange"
)

// Outcome is how price resolved at a cluster it reached.
type Outcome string

// Outcomes of a cluster visit.
const (
	Bounce      Outcome = "bounce"      // turned back out of the side it came from
	BreakOut    Outcome = "break"       // went through and out of the far side
	Consolidate Outcome = "consolidate" // still inside or around it when the window ended
)

// Visit is one time price reached a cluster, classified after the behaviour window.
type Visit struct {
	Low       decimal.Decimal            `json:"low"`
	High      decimal.Decimal            `json:"high"`
	Peak      decimal.Decimal            `json:"peak"`
	Dominant  exchange.PositionDirection `json:"dominant"`
	FromBelow bool                       `json:"fromBelow"`
	Start     time.Time                  `json:"start"`
	End       time.Time                  `json:"end"`
	Outcome   Outcome                    `json:"outcome"`
	// Volume is the base volume traded while the visit was watched.
	Volume decimal.Decimal `json:"volume"`
	// Round is true when the cluster sat at a round-number level.
	Round bool `json:"round"`
}

// Kind names the cluster type the strategy weights its rules by.
func (v Visit) Kind() ClusterKind { return ClusterKind{Dominant: v.Dominant, FromBelow: v.FromBelow} }

// ClusterKind is a cluster's dominant side and the side price reached it from.
type ClusterKind struct {
	Dominant  exchange.PositionDirection
	FromBelow bool
}

func (k ClusterKind) String() string {
	from := "above"
	if k.FromBelow {
		from = "below"
	}
	return fmt.Sprintf("%s-liquidation clusters reached from %s", lower(k.Dominant), from)
}

// Tally counts outcomes of one cluster kind.
type Tally struct {
	Bounce, Break, Consolidate int
}

// Total is the number of classified visits.
func (t Tally) Total() int { return t.Bounce + t.Break + t.Consolidate }

// Behaviour remembers how price behaved at each cluster it reached.
type Behaviour struct {
	window  time.Duration
	movePct decimal.Decimal
	keep    int
	active  *Visit
	last    decimal.Decimal
	history []Visit
}

// NewBehaviour watches visits for window; moves beyond movePct of an edge classify them.
func NewBehaviour(window time.Duration, movePct decimal.Decimal, keep int) *Behaviour {
	if keep <= 0 {
		keep = 500
	}
	return &Behaviour{window: window, movePct: movePct, keep: keep}
}

// Restore replaces the history (from the state store), keeping the newest.
func (b *Behaviour) Restore(h []Visit) {
	if len(h) > b.keep {
		h = h[len(h)-b.keep:]
	}
	b.history = append([]Visit(nil), h...)
}

// History returns the classified visits, oldest first.
func (b *Behaviour) History() []Visit { return append([]Visit(nil), b.history...) }

// Active is the visit being watched, if any.
func (b *Behaviour) Active() *Visit {
	if b.active == nil {
		return nil
	}
	v := *b.active
	return &v
}

// Tally counts the outcomes of visits of one kind.
func (b *Behaviour) Tally(k ClusterKind) Tally { return TallyVisits(b.history, k) }

// TallyVisits counts the outcomes of the visits of one kind in h.
func TallyVisits(h []Visit, k ClusterKind) Tally {
	var t Tally
	for _, v := range h {
		if v.Kind() != k {
			continue
		}
		switch v.Outcome {
		case Bounce:
			t.Bounce++
		case BreakOut:
			t.Break++
		default:
			t.Consolidate++
		}
	}
	return t
}

// Observe advances the watcher with the price and the volume traded since
// the previous call. It returns a visit when one is classified.
func (b *Behaviour) Observe(now time.Time, price, volume decimal.Decimal, clusters []liqmap.Cluster) *Visit {
	prev := b.last
	b.last = price
	if b.active != nil {
		v := b.active
		v.Volume = v.Volume.Add(volume)
		move := decimal.NewFromInt(1).Add(b.movePct.Div(decimal.NewFromInt(100)))
		down := decimal.NewFromInt(1).Sub(b.movePct.Div(decimal.NewFromInt(100)))
		above := price.GreaterThan(v.High.Mul(move))
		below := price.LessThan(v.Low.Mul(down))
		switch {
		case (v.FromBelow && above) || (!v.FromBelow && below):
			v.Outcome = BreakOut
		case now.Sub(v.Start) >= b.window && ((v.FromBelow && below) || (!v.FromBelow && above)):
			v.Outcome = Bounce
		case now.Sub(v.Start) >= b.window:
			// Turned back but not decisively, or still inside: consolidation.
			if (v.FromBelow && price.LessThan(v.Low)) || (!v.FromBelow && price.GreaterThan(v.High)) {
				v.Outcome = Bounce
			} else {
				v.Outcome = Consolidate
			}
		default:
			return nil
		}
		v.End = now
		done := *v
		b.active = nil
		b.history = append(b.history, done)
		if len(b.history) > b.keep {
			b.history = b.history[len(b.history)-b.keep:]
		}
		return &done
	}
	if prev.IsZero() {
		return nil
	}
	// A visit starts only when price enters a cluster from outside it: sitting
	// inside, or a one-tick wobble there, is not a new test of the level.
	for i := range clusters {
		c := &clusters[i]
		inside := !price.LessThan(c.Low) && !price.GreaterThan(c.High)
		wasOutside := prev.LessThan(c.Low) || prev.GreaterThan(c.High)
		if !inside || !wasOutside {
			continue
		}
		b.active = &Visit{
			Low: c.Low, High: c.High, Peak: c.PeakPrice, Dominant: c.Fuel(),
			FromBelow: prev.LessThan(c.Low), Start: now, Volume: volume, Round: c.Round.Tagged(),
		}
		break
	}
	return nil
}

// lower spells a side or direction for sentences.
func lower[T ~string](s T) string { return strings.ToLower(string(s)) }
