// Package agent wires taobot together. One goroutine (Run) owns all trading
// state: it consumes exchange events, updates the liquidation map, evaluates
// the strategy, asks risk for a plan and hands accepted plans to the order
// manager. Adapters feed it over channels; everything that needs "now" asks
// the injected clock, so replay and tests run on event time and live runs on
// wall time through the same code.
//
// It must not talk to go-binance or bbolt directly: those live behind
// exchange.EventSource / exchange.Trader and state.Store.
package agent
