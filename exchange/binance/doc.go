// Package binance is taobot's adapter to Binance USD-M futures and the only
// package that imports go-binance. It turns Binance into the exchange
// vocabulary: market data and user data as exchange.Event values on a
// channel (MarketStream, UserStream, both exchange.EventSource), and a live
// exchange.Trader (Client) for orders, conditional orders and the account.
// It must not hold trading logic, state beyond what reconnection needs, or
// any package-level mutable state.
//
// # No go-binance globals
//
// go-binance keeps WebSocket base URLs and the testnet switch in package
// variables (futures.BaseWsMainUrl, futures.UseTestnet, ...). Tests that run
// several simulators at once would race on them, and a process could not
// talk to two deployments. So this package never reads or writes them:
//   - REST: every call builds its own futures.Client (NewClient is a plain
//     struct literal) with BaseURL, HTTPClient and TimeOffset set from this
//     Client's own configuration. Nothing shared is mutated, so the server
//     time offset can be updated atomically while calls are in flight.
//   - WebSockets: go-binance's Ws*Serve functions are not used. Connections
//     are dialled with gorilla/websocket to URLs computed per instance from
//     Options (Endpoints: mainnet, testnet or custom), and payloads are
//     decoded with go-binance's exported event structs where they exist, or
//     our own (ALGO_UPDATE, listenKeyExpired with a string E).
//
// # Known exchange limits and how they are handled
//
//   - forceOrder pushes at most one liquidation per symbol per second (the
//     largest in the interval). Liquidation events are a sample biased to
//     large ones, a lower bound and never a full record; consumers are told so
//     by exchange.Liquidation's doc.
//   - A connection lives at most 24 h. MarketStream and UserStream replace
//     theirs after Options.MaxConnAge (default 23 h 30 m, on the injected
//     clock). The swap is break-before-make, so it is reported honestly as a
//     short StreamGap (reason "planned reconnect ...") that closes with the
//     first message on the new connection.
//   - The server pings every 3 min and drops clients that do not answer
//     within 10 min: gorilla's default ping handler answers each ping with a
//     pong while the read loop runs.
//   - At most 10 incoming messages per second per connection: we send none
//     (streams are chosen in the URL), so the limit cannot be hit.
//   - Silence: a market connection with no data message for
//     Options.StaleAfter (default 10 s; markPrice@1s keeps a healthy one busy)
//     is treated as dead. The user connection is legitimately quiet for hours,
//     so there pings count as life too and the limit is Options.UserStaleAfter
//     (default 10 min, Binance's own cut-off for silent clients). Any disconnect or stall emits exchange.StreamGap twice,
//     once at detection (End zero) and once when data resumes (End set), then
//     reconnects: the first retry after a healthy connection is
//     immediate; failed dials and connections that die before any data back
//     off exponentially between BackoffMin and BackoffMax, scaled by a jitter
//     factor in [0.5, 1) (Options.Jitter, injectable), waiting on the clock.
//   - Duplicates: trades, liquidations and fills seen twice (within the last
//     4096) are dropped; a book ticker or mark price older than the last one
//     passed on is dropped. Undecodable frames are logged and skipped.
//   - Listen keys expire after 60 min: UserStream extends its key every
//     Options.ListenKeyKeepalive (30 min), and on listenKeyExpired or any
//     keepalive or connection error it creates a new key and reconnects.
//     After any reconnect it fetches open orders, open algo orders, positions
//     and balances, emits what changed while it was blind (ExecType "RESYNC"
//     order updates, found by QueryOrder when an order left the open list;
//     AlgoUpdates; one AccountUpdate with Reason "RESYNC" for changed
//     positions and wallet balances, e.g. a funding fee paid meanwhile), and
//     only then closes the gap. The first connection only records this
//     baseline: the order manager reconciles on start itself.
//   - Open interest has no stream: it is polled every Options.OIPollInterval
//     (default 5 s, weight 1) and emitted only when it changes. On start the
//     last day of 5-minute openInterestHist is replayed as events with
//     Backfill true (that endpoint keeps only the last month).
//   - Funding interval: from fundingInfo; a symbol not listed there uses 8 h.
//   - Clock skew: signed requests carry timestamp = wall time - offset. The
//     offset is measured at the first signed call and again after
//     Options.TimeSyncInterval (default 5 min). A -1021 answer triggers one
//     resync and one retry. Signing uses the wall clock, not Options.Clock,
//     because go-binance stamps its own requests with time.Now: one base for
//     both keeps the shared offset right. Every timer and wait uses the
//     injected exchange.Clock.
//   - Request weight (2400/min per IP): a RoundTripper on the HTTP client
//     reads X-MBX-USED-WEIGHT-1M; above 90 % of the limit requests wait for the
//     next minute. A 429 pauses all requests for Retry-After (30 s if absent)
//     and the call fails with ErrRateLimited; a 418 ban makes every request
//     fail at once with ErrRateLimited (RetryAfter = what is left of the ban),
//     without sending, until the ban ends (Retry-After, or 2 min). Nothing is retried into a 429 or 418.
//   - Outcome of mutations: a timeout, a transport error after the request was
//     written, or any 5xx (Binance's 503 "Unknown error" means execution status
//     unknown) on an order request is ErrUnknownOutcome. PlaceOrder and
//     PlaceAlgoOrder send exactly once and never resend; the caller resolves
//     the outcome with QueryOrder / QueryAlgoOrder by client id.
//   - Conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET) must use the Algo
//     Order API since 2025-12-09 (-4120 otherwise). go-binance v2.8.7 lacks
//     it; algo.go adds the four signed calls with the same signing, offset,
//     limiter and error classes, and is meant to be deleted once go-binance
//     covers them.
//   - Hedge (dual-side) position mode is refused: CheckPositionMode returns
//     ErrHedgeMode and never changes the mode; hedge legs in streams are ignored.
//   - Margin type: SetMarginType defaults to isolated and treats -4046 ("no
//     need to change margin type") as success.
//   - leverageBracket numbers are decoded as json.Number into decimals (the
//     go-binance struct uses float64), so no money passes through a float.
package binance
