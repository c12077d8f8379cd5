package orders

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/agent/liqmap"
)

// MarketView is what order management may look at each tick.
type MarketView struct {
	Now     time.Time
	Mark    decimal.Decimal
	Nearest liqmap.Nearest
	Stale   bool
}
