// Package risk is pure decimal math and rules that decide whether a signal
// becomes an order and how big: Binance's liquidation price with
// maintenance-margin brackets, sizing from the maximum acceptable loss
// (price loss + fees + funding), exchange-filter rounding, and stateful
// limits (daily loss, exposure, cooldown, kill switch).
//
// It must not do I/O of its own beyond what the limits persist through a
// small store interface, and it never reads a clock: callers pass now.
package risk
