// Package paper is a simulated Binance USD-M account on one symbol: a
// *Trader that implements exchange.Trader, fills against the live market
// event stream, and reports the user-data events a real account would get.
//
// The agent's goroutine feeds market data with Observe (BookTicker, Trade,
// MarkPrice) and reads OrderUpdate, AlgoUpdate and AccountUpdate events from
// Run, an exchange.EventSource backed by an unbounded FIFO so that neither
// placing orders nor observing ever blocks on the reader. The account
// (wallet, position, open and recent orders, id counters, funding schedule)
// is saved as versioned JSON through KV after every change, under
// Key(symbol), so a restart resumes the same paper account. No keys, no network.
//
// What is simulated, and how it differs from the venue:
//   - MARKET orders fill in full at the touch (buy at ask, sell at bid) worsened
//     by SlippageBps and rounded to the tick against us, as taker. Depth is not
//     modelled for market orders. Min notional of a market order uses the mark.
//   - A LIMIT that crosses the book on arrival fills at once as taker at the
//     touch (with slippage, never beyond its price) for at most the displayed
//     touch quantity; GTC rests the remainder, IOC expires it, FOK fills all or
//     expires; GTX that would take is rejected with -5022.
//   - Resting limits fill only when a later trade goes strictly through their
//     price (a trade at the price does not fill: there is no queue position),
//     at the limit price as maker, up to the trade's quantity, shared in time
//     priority, so fills can be partial (PARTIALLY_FILLED). Book ticker moves
//     alone never fill a resting order.
//   - Algo STOP_MARKET / TAKE_PROFIT_MARKET trigger on the mark (MARK_PRICE) or
//     the last trade (CONTRACT_PRICE, the default) and then execute as a market
//     order at the book, emitting ALGO_UPDATE TRIGGERED, ORDER_TRADE_UPDATE NEW
//     and TRADE (client id = the clientAlgoId), then ALGO_UPDATE FINISHED. A
//     trigger already reached at placement is rejected (-2021). Reduce-only and
//     closePosition are checked at trigger time: the quantity is clipped to the
//     position, and with nothing to reduce the algo order ends REJECTED. Algo
//     orders are not cancelled when the position closes (the caller cancels).
//   - Reduce-only regular orders that would open, grow or flip the position are
//     rejected (-2022); resting ones expire once they cannot reduce anything.
//   - Filters: tick (-4014), step (-1111), min/max qty (-1013), min notional
//     (-4164, reduce-only exempt); duplicate open client id (-4116);
//     insufficient margin (-2019). Unknown client ids are ErrNotFound; the last
//     HistoryLimit finished orders stay queryable.
//   - One-way mode only, one symbol per Trader, isolated (default) or cross.
//     Isolated margin = filled notional / leverage, released pro rata on
//     reduction. Fees and funding are paid from the wallet and never change
//     the isolated margin (Binance may take them from the isolated wallet).
//     Available = wallet − position margin − open-order margin (+ unrealized PnL
//     in cross). Leverage changes keep existing margin.
//   - Funding is charged once per funding time announced by the mark-price
//     stream, when an event or call at or after that time arrives, at the rate
//     announced before it and the mark at (or last before) it; only when a
//     position is open then. Payment = qty × mark × rate, longs pay a positive
//     rate. Emitted as ACCOUNT_UPDATE reason FUNDING_FEE (balance change = the
//     payment; ORDER updates carry a zero balance change, as Binance's "bc"
//     excludes PnL and commission; like Binance, it lists the position for
//     isolated margin and no position for cross). After a restart across a funding time the
//     first event settles it at the saved rate and the first mark seen.
//   - Liquidation: when the mark reaches risk.LiquidationPrice (wallet = the
//     isolated margin, or the whole wallet in cross) the entire position is closed
//     at once (no partial liquidation, no ADL) at that price, the margin the
//     formula used is lost entirely (the rest of the maintenance margin goes to
//     the insurance fund, as on Binance), open orders are CANCELED and open
//     algo orders EXPIRED (cancelled by the system), and an ORDER_TRADE_UPDATE with client id autoclose-<ms>, type
//     LIQUIDATION, exec type CALCULATED reports it with RealizedPnL = −margin.
//   - Order and trade RealizedPnL are gross, as Binance reports them; Stats
//     gives the net (realized − fees + funding).
//
// This package must not talk to the network, read API keys, or know about
// go-binance; it imports only exchange and risk of ours.
package paper
