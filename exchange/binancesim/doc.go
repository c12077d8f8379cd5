// Package binancesim is a Binance USD-M futures server on loopback: the same
// REST paths, parameters and JSON, and the same WebSocket streams, so the real
// go-binance client (and taobot's adapter) talk to it unchanged once their
// base URLs point at it. It drives the synthetic TAOUSDT market of package
// market, runs a matching engine for the bot's own account and injects
// faults on demand. It is the test bed of the adapter and the agent, the
// engine of `taobot sim` and `taobot demo`.
//
// It must never reach the network beyond its own listener, never hold
// package-level mutable state (many simulators run in one test binary), and
// never sleep in its logic: time is the sim clock, moved by Advance (tests)
// or by the wall clock times Speed (the CLI).
//
// # Clocks
//
// Market events, order and account times, funding, listen-key expiry,
// connection lifetime and the REQUEST_WEIGHT minute all run on the sim clock.
// Signed requests are checked against the API clock, which is wall time plus
// the clock-skew fault, and GET /fapi/v1/time returns the API clock too:
// go-binance stamps requests with time.Now() minus the offset it measured
// from /time, so that is the only pairing that stays coherent when the sim
// clock is manual or sped up. A skew fault therefore produces -1021 until the
// client resyncs with /time, exactly as on the real exchange. Because the
// weight minute is sim time, a CLI run at high speed barely enforces it.
//
// # Faithful
//
//   - REST: ping, time, exchangeInfo (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE,
//     MIN_NOTIONAL, PERCENT_PRICE, MAX_NUM_(ALGO_)ORDERS), premiumIndex,
//     fundingRate, fundingInfo, openInterest, openInterestHist, depth, klines,
//     bookTicker; signed leverageBracket, leverage, marginType,
//     positionSide/dual, account v2/v3, balance v2/v3, positionRisk v2/v3,
//     order (POST/GET/DELETE by orderId or origClientOrderId), openOrder(s),
//     allOrders, allOpenOrders, userTrades, income, commissionRate,
//     accountConfig, symbolConfig, listenKey (POST/PUT/DELETE) and the Algo
//     Order API (POST/GET/DELETE algoOrder, openAlgoOrders, allAlgoOrders,
//     algoOpenOrders). Decimals are strings with Binance's precisions;
//     leverage brackets are JSON numbers as Binance sends them.
//   - Signing: HMAC-SHA256 over the query string (without signature)
//     concatenated with the body, X-MBX-APIKEY, timestamp against recvWindow
//     (default 5000, ahead by 1000 ms refused): -2014, -2015, -1022, -1021 and
//     -1102 with Binance's statuses. Errors are {"code","msg"}.
//   - X-MBX-USED-WEIGHT-1M on every reply; past the limit 429 with
//     Retry-After; a request before Retry-After has passed earns a 418 ban.
//   - Streams: raw /ws/<name> and combined /stream?streams=a/b with the
//     {"stream","data"} wrapper; aggTrade, markPrice (3 s), markPrice@1s,
//     forceOrder and !forceOrder@arr (only the largest liquidation of each
//     second is pushed: the snapshot rule), bookTicker, depth5/10/20; user
//     data at /ws/<listenKey> (or as a stream of a combined connection) with ORDER_TRADE_UPDATE, ACCOUNT_UPDATE (ORDER,
//     FUNDING_FEE), ACCOUNT_CONFIG_UPDATE (leverage), ALGO_UPDATE (NEW,
//     CANCELED, TRIGGERING, TRIGGERED, FINISHED, REJECTED when the triggered
//     order is refused, EXPIRED when the position is liquidated) and
//     listenKeyExpired. The server pings; SUBSCRIBE, UNSUBSCRIBE and
//     LIST_SUBSCRIPTIONS are answered.
//   - newOrderRespType: ACK (the default) answers with the order as accepted,
//     before it executes, as Binance does; RESULT answers after.
//   - Orders: LIMIT GTC/IOC/FOK/GTX (-5022 when a post-only would take),
//     MARKET through the model's book, conditional STOP_MARKET and
//     TAKE_PROFIT_MARKET only through the Algo Order API (-4120 on
//     /fapi/v1/order), reduceOnly/closePosition, MARK_PRICE or CONTRACT_PRICE
//     triggers (-2021 if it would trigger at once); filters and account
//     checks with Binance's codes (-1111, -4014, -4164, -4003/-4004/-4005,
//     -4016/-4024, -4131, -2019, -2022, -2027, -4116, -4061 in hedge mode).
//   - Account: one-way mode, isolated or cross margin, leverage up to the
//     first bracket, maker/taker fees, funding settled to the position at
//     each funding time, liquidation at risk.LiquidationPrice.
//
// # Simplified
//
//   - One symbol (TAOUSDT), one asset (USDT), one account. Hedge mode can be
//     switched on (so adapters can refuse it) but orders are then refused.
//   - Resting limits fill as maker, in full, at their price when a public
//     trade prints at or through them or the opposite best price reaches
//     them; no queue position. Marketable limits take only the book depth
//     within the limit. The bot's resting orders are not in the model's
//     book: its own taker fills (printed on the tape by the model, tagged as
//     the bot's at the source) never match them, where Binance's
//     self-trade prevention would expire them.
//   - Liquidation of the bot's position closes it at mark with an
//     "autoclose-" LIQUIDATION order and charges the remaining margin as the
//     clearance fee; no ADL, no partial liquidation.
//   - STOP, TAKE_PROFIT and TRAILING_STOP_MARKET algo orders are refused
//     (-1116); priceProtect is stored but not applied; no GTD.
//   - Weight per endpoint approximates Binance's table; X-MBX-ORDER-COUNT-1M
//     is reported on order placements but the ORDERS limits are not enforced.
//   - Listen keys live ListenKeyTTL of sim time; connections ConnLifetime of
//     sim time (the CLI scales both by its speed so they stay wall-clock-like).
//   - openInterestHist is backfilled with a flat day before Start.
//   - A user-data connection stays open after listenKeyExpired but receives
//     nothing more; /ws/<unknown key or stream> is refused with HTTP 400.
//   - The 10 incoming messages per second per connection limit is not enforced.
//   - A connection more than 4096 frames behind is dropped (the market never waits for a reader).
//   - A margin or liquidation error other than "cannot be liquidated" (say a
//     bracket table the risk code rejects) is kept (Sim.Err); signed requests
//     are then answered 500 -1000 rather than trading without liquidation.
//
// Faults (InjectFault, or repeating with Schedule / `taobot sim --fault`):
// drop connections now or every N sim seconds, stall a stream, delay
// replies, 5xx, 503 after the order was accepted, 429 then 418, clock skew,
// duplicated, reordered and malformed frames, listen key expiry.
package binancesim
