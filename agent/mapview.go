package agent

import (
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/liqmap"
	"github.com/taobot/taobot/agent/strategy"
	"github.com/taobot/taobot/exchange"
)

// MapView is the map as `taobot map --json` prints it, from a running bot's
// status API or from a state file's snapshot: one schema for both.
type MapView struct {
	Time         time.Time               `json:"time"`
	Mark         decimal.Decimal         `json:"mark"`
	Nearest      liqmap.Nearest          `json:"nearest"`
	Velocity     liqmap.Velocity         `json:"velocity"`
	Regime       liqmap.Regime           `json:"regime"`
	Clusters     []liqmap.Cluster        `json:"clusters"`
	RoundNumbers liqmap.RoundNumberStats `json:"roundNumbers"`
	Behaviour    []strategy.Visit        `json:"behaviour"`
}

// NewMapView queries m at time at for price.
func NewMapView(m *liqmap.Map, at time.Time, price decimal.Decimal, visits []strategy.Visit) MapView {
	if visits == nil {
		visits = []strategy.Visit{}
	}
	return MapView{Time: at, Mark: price, Nearest: m.Nearest(at, price), Velocity: m.Velocity(at), Regime: m.Regime(at),
		Clusters: m.Clusters(at), RoundNumbers: m.RoundNumbers(at), Behaviour: visits}
}

// RenderMap writes the map table and histogram, then how price behaved at clusters.
func RenderMap(w io.Writer, m *liqmap.Map, at time.Time, price decimal.Decimal, visits []strategy.Visit) error {
	if !price.IsPositive() {
		_, err := fmt.Fprintln(w, "no map yet: waiting for the first mark price")
		return err
	}
	if err := m.Render(at, price, w, liqmap.RenderOptions{}); err != nil {
		return err
	}
	RenderBehaviour(w, visits)
	return nil
}

// RenderBehaviour summarises how price resolved at each kind of cluster.
func RenderBehaviour(w io.Writer, visits []strategy.Visit) {
	fmt.Fprintf(w, "\ncluster behaviour (%d classified visits):\n", len(visits))
	if len(visits) == 0 {
		fmt.Fprintln(w, "  none yet: a visit is classified one behaviour window after price enters a cluster")
		return
	}
	for _, fuel := range []exchange.PositionDirection{exchange.Short, exchange.Long} {
		for _, below := range []bool{true, false} {
			k := strategy.ClusterKind{Dominant: fuel, FromBelow: below}
			t := strategy.TallyVisits(visits, k)
			if t.Total() == 0 {
				continue
			}
			fmt.Fprintf(w, "  %-48s break %d  bounce %d  consolidate %d\n", k.String()+":", t.Break, t.Bounce, t.Consolidate)
		}
	}
	last := visits[len(visits)-1]
	from := "above"
	if last.FromBelow {
		from = "below"
	}
	fmt.Fprintf(w, "  last: %s at %s (%s-%s) from %s, %s traded there\n", last.Outcome, last.Peak, last.Low, last.High, from, last.Volume.StringFixed(3))
}
