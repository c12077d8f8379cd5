// Package exchange is taobot's vocabulary for talking to a futures venue:
// sides, order types and statuses, market and account events, order
// requests and acknowledgements, positions, symbol rules and error classes.
//
// Every price, quantity, rate and amount is a decimal.Decimal. Events carry
// the exchange's time and the time taobot received them. Nothing here knows
// about go-binance: adapters (exchange/binance, exchange/paper,
// exchange/binancesim) convert at the edge. This package must not import any
// other package of ours.
package exchange
