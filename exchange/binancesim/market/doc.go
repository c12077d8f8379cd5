// Package market is the simulator's synthetic TAOUSDT-like perpetual market:
// a seeded, deterministic price process with scripted regimes, a population
// of leveraged traders whose liquidations cascade, a synthetic order book,
// Binance's mark price and Binance's funding.
//
// It is pure: no goroutines, no clock, no I/O, no global state. The
// simulator server (exchange/binancesim) drives it with Step(now) and turns
// its output into Binance streams and REST replies. It must not know about
// the protocol, the forceOrder snapshot rule (the server applies it) or the
// bot's own account (the server's matching engine calls TakeLiquidity).
//
// # Time and determinism
//
// The model advances in fixed sub-steps of SubStep (100 ms) on a grid from
// Config.Start. Step(now) runs every whole sub-step up to now, so the output
// depends only on the Config and on when SetPrice and TakeLiquidity are
// called, never on how often Step is called (tested). Events are stamped
// with their sub-step's time; SetPrice and TakeLiquidity act at the time of
// the last sub-step done and their events come out of the next Step. All
// randomness comes from one math/rand/v2 PCG source seeded from Config.Seed,
// consumed in a fixed order; nothing iterates a map.
//
// One sub-step: the scenario's regime for this time; the fair price moves;
// the index is the fair price on the tick; market makers re-centre the book
// toward fair plus a crowding premium; background takers print trades; the
// mark price updates; once a second the premium index is sampled; at a
// funding time funding settles into every open position; then every trader
// whose trigger was crossed (or whose wake-up time came) acts, in index order.
//
// # Numbers
//
// Prices are integer ticks and quantities integer steps inside, so every
// price and quantity at the API is exactly on the grid. The account math of
// the traders (isolated margin, liquidation and bankruptcy prices, funding
// payments) and the funding rate are decimal. The fair price, the mark
// price's median and the book's depth profile use float64: they are random
// walk and smoothing arithmetic, not money, and each result is rounded to a
// tick at once. Explicit float64 conversions stop multiply-add fusion, so
// the sequence is reproducible for a given Go version and architecture;
// byte-identical output across architectures is likely but not promised
// (math.Exp, Log and Pow have assembly variants on some).
//
// # The market
//
// Fair price: geometric steps with the regime's drift and volatility, plus
// mean reversion toward an anchor (the start price, or the event's start
// price for a retrace), plus a slow background trend that switches on and
// off in calm phases. Takers that move the book move the fair price by half
// of their impact (the rest decays as makers re-quote): a liquidation's
// price damage partly sticks, which is what lets one liquidation reach the
// next trader's liquidation price.
//
// Book: a function, not a list of orders. Levels sit one gap apart (0.5 bp
// of the start price, rounded to ticks; the spread is one gap), each holding
// a base quantity (about 800 USDT) that grows 4% per level away from the
// touch, varies by a hash of the price, is three times larger on round
// numbers and scales with the regime's depth (thin in shocks). A taker
// order walks the levels and prints one aggTrade-like trade per level.
// Depth shows exactly what a taker would walk (tested).
//
// Traders: Config.Traders isolated, one-way positions. About 60% hold a
// position at Start, entered near the start price. A flat trader wakes after
// an exponential wait and opens long with the regime's bias; size is Pareto
// (scale 1,500 USDT, index 1.4, capped at 1.5M); leverage is drawn from a
// mix weighted toward 10x (2x to 75x; crowded phases lean higher), capped by
// the bracket's initial leverage; 55% of entries rest as limits at a round
// number (a multiple of 5, 10 or 25 at TAO's ~400, scaled by the price's
// order of magnitude), the rest are market orders. Half place a stop and 60%
// a target, also on round numbers. Margin is notional / leverage; the
// liquidation price is risk.LiquidationPrice with Config.Brackets. A
// position is liquidated when the mark price reaches it; stops, targets and
// limit entries trigger on the last price; positions also close after an
// exponential holding time. Open interest is the sum of the traders'
// open positions in base units.
//
// Forced orders: a market order for the whole position, limited at the
// bankruptcy price as Binance's IOC liquidation order is. If the book has
// already gapped past it (a SetPrice shock), the rest is closed at market at
// once (standing in for the insurance fund) and the event's Price is the
// worst fill, so Price is never on the wrong side of AvgPrice. Each forced
// order is reported, whatever the stream would show.
//
// Mark price: the median of index × (1 + funding rate × time to funding /
// interval), index + a 5-minute average of the basis, and last (Binance's
// definition). Funding: the premium index is sampled every second from the
// touch against the index and averaged with Binance's linear time weights;
// F = P + clamp(I − P, −0.05%, +0.05%) with I = 0.01% per 8 h scaled to the
// interval, then capped at ±Config.FundingCap (default 0.75 × (initial −
// maintenance margin rate) of the first bracket: 0.25% for TAO), rounded to
// 8 places and settled on the grid from midnight UTC. A positive rate moves
// margin from longs to shorts and their liquidation prices follow.
//
// # Scenarios
//
//   - calm: low volatility (2.5%/day), balanced traders, few liquidations.
//   - long-cascade: crowded longs (82% of new positions, higher leverage,
//     positive funding) until Config.EventAt, then a 6-minute drop of about
//     7% into a thin book that runs through the long liquidation clusters,
//     a relief phase, and the build-up again; repeats every EventEvery.
//   - short-squeeze: the mirror image: crowded shorts, then a rally.
//   - chop: range-bound, mean-reverting to the start price (15-minute time
//     scale) with higher volatility and leverage: liquidations on both sides.
//   - news-spike: calm until EventAt, then a 7% drop in 5 seconds into a
//     very thin book, then a retrace to half of it over about 20 minutes.
//
// # Simplifications (honest list)
//
//   - The index is the fair value: there are no spot venues; the perp's
//     premium comes only from the crowding of the population and from impact.
//   - Only the simulated traders hold open interest; their counterparties
//     (makers, background takers) are implicit. Background trades and the
//     bot's TakeLiquidity do not change open interest.
//   - Traders are isolated-margin only, never add margin, are liquidated in
//     full (Binance liquidates large positions in parts), and there is no
//     auto-deleveraging or insurance-fund accounting.
//   - Funding uses the touch instead of Binance's impact bid/ask prices.
//   - All trades of one sub-step share its timestamp; background trade
//     sizes, book depth and the behaviour constants are calibrated by eye to
//     look like TAOUSDT at a few million USDT of open interest, not fitted.
//   - news-spike always shocks downward.
package market
