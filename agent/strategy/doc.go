// Package strategy plays the liquidation map: it watches price approach a
// dense cluster, judges the momentum and volume entering it, reads the
// OI/price regime and funding, and emits signals with entry, stop, target
// and a one-sentence reason.
//
// It is pure and deterministic: no I/O, no clock. The agent feeds it trades
// (Tape), the map's query results and "now", and persists what it returns
// (signals, cluster visits). Sizing is not its business: every signal goes
// through the risk package, which may still reject it.
package strategy
