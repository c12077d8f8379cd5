// Package market is the simulator's synthetic TAOUSDT-like market: a seeded,
// deterministic price process with regimes, a population of leveraged
// traders whose liquidations cascade, a synthetic order book and funding.
//
// It is pure: no goroutines, no clock, no I/O. The simulator server
// (exchange/binancesim) drives it with Step(now) and turns its output into
// Binance streams and REST replies. It must not know about the protocol or
// the bot's own account.
package market
