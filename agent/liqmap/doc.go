// Package liqmap is the liquidation map of one symbol: a pure, deterministic
// model of where leveraged positions were force-closed and where they would
// be, updated from exchange events and queried by the strategy, the
// dashboard and the CLI.
//
// # What it owns
//
//   - The realized layer: forceOrder prints (OnLiquidation) as notional per
//     price bucket, split by the side of the position closed (a SELL print
//     closed a long, a BUY a short). Binance pushes at most one print per
//     symbol per second, the largest of that second, so the layer is a sample
//     biased toward big liquidations and its velocity is a floor on the true
//     rate. Stats, Cluster.RealizedEvents and Velocity count prints, never
//     positions, and say so.
//   - The estimated layer: a rise in open interest (OnOpenInterest) is new
//     positions opened around the VWAP of the VWAPWindow of aggTrades up to
//     the point's own time, split long/short by the taker-buy share of that
//     volume (aggTrade "m" true means the taker sold); a back-filled point
//     (start-up history) uses Value/OI and an even split instead. The
//     notional is spread over the configured leverage mix and
//     placed at each slice's liquidation price from Binance's formula with
//     maintenance-margin brackets (risk.LiquidationPrice, isolated, wallet =
//     notional/leverage, for a representative position of PositionNotional).
//     A fall removes the same fraction of the estimated notional,
//     proportionally or nearest the mark first. When the mark (OnMarkPrice)
//     reaches a level's bucket the level is consumed and recorded as an
//     estimated liquidation, kept apart from realized ones in Velocity.
//   - Decay of both layers with their own half-lives, round-number tags and
//     statistics, dense clusters, Nearest, liquidation velocity, the OI/price
//     regime, versioned snapshots and a text rendering (Render).
//
// # How
//
// Buckets have a fixed width (ticks, or basis points of the first price) and
// live in a dense slice kept within BandPct of the mark; buckets leaving the
// band are dropped or folded into its edge. Decay is lazy and shared: each
// layer stores values in epoch units and multiplies by one common factor on
// read, so an update touches one bucket (O(1) amortised, including the rare
// rebase) and a query pays one factor per layer. An event older than a
// layer's epoch (late, or back-filled) is stored already decayed by its age,
// so history replayed after live events weighs what it would have. Levels are consumed at
// bucket granularity: a long level is gone once the mark is in or below its
// bucket, so crossing is early by at most one bucket width.
//
// Money is decimal.Decimal throughout, including the decay factors (built
// from decimal square roots, time quantised to half-life/4096): no floats,
// so results are identical on every platform. Query results are rounded to 8
// decimal places.
//
// # What it must not do
//
// No I/O, no clock, no goroutines, no package-level mutable state: time comes
// from event times and the now arguments, so the same events give the same
// map, byte for byte (Snapshot). A Map is owned by one goroutine; queries do
// not change it but it is not safe for concurrent use.
package liqmap
