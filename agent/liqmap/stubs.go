package liqmap

import (
	"io"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// OnTrade feeds one aggTrade into the VWAP and taker-aggression window.
func (m *Map) OnTrade(t exchange.Trade) error { return nil }

// OnLiquidation adds one forceOrder print to the realized layer.
func (m *Map) OnLiquidation(l exchange.Liquidation) error { return nil }

// OnOpenInterest attributes OI changes to the estimated layer.
func (m *Map) OnOpenInterest(o exchange.OpenInterest) error { return nil }

// OnMarkPrice moves the band and consumes crossed estimated levels.
func (m *Map) OnMarkPrice(p exchange.MarkPrice) error { return nil }

// Clusters lists dense zones, lowest first.
func (m *Map) Clusters(now time.Time) []Cluster { return nil }

// Nearest finds the densest cluster above and below price.
func (m *Map) Nearest(now time.Time, price decimal.Decimal) Nearest { return Nearest{Price: price} }

// Velocity is the liquidation velocity at now.
func (m *Map) Velocity(now time.Time) Velocity { return Velocity{} }

// Regime is the OI/price regime at now.
func (m *Map) Regime(now time.Time) Regime { return Regime{Kind: RegimeUnknown} }

// RoundNumbers reports realized notional near round levels.
func (m *Map) RoundNumbers(now time.Time) RoundNumberStats { return RoundNumberStats{} }

// Snapshot serialises the map.
func (m *Map) Snapshot() ([]byte, error) { return nil, nil }

// Restore replaces the map's state with a snapshot.
func (m *Map) Restore(b []byte) error { return nil }

// Render writes a table and histogram of the map.
func (m *Map) Render(now time.Time, price decimal.Decimal, w io.Writer, opts RenderOptions) error {
	return nil
}
