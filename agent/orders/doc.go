// Package orders turns risk plans into positions safely: write-ahead
// intents with deterministic client ids, exchange-side protective stops,
// management, and reconciliation with the venue on start and after gaps.
package orders
