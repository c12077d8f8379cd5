// Package orders turns risk plans into positions safely: write-ahead
// intents with deterministic client ids, exchange-side protective stops,
// management, and reconciliation with the venue on start and after gaps.
// It owns the intents, order records, fills and position records in the
// state store; the agent loop calls it from its one goroutine.
//
// # Lifecycle
//
//  1. Submit writes an Intent (status pending, entry leg pending) to the
//     store before anything is sent; before every entry send (also one
//     sent after a restart) the margin type and the intent's leverage are
//     set ("no need to change" is success); then it sends the entry: LIMIT GTC at the plan's entry, or MARKET.
//  2. On the first fill heard of (the ack, an ORDER_TRADE_UPDATE, or a
//     query), a reduce-only STOP_MARKET algo order (workingType MARK_PRICE by
//     default) is placed for the filled quantity, then a TAKE_PROFIT_MARKET.
//     Each further partial fill places a new stop version for the whole
//     position ("-s2", "-s3", ...) and only then cancels the old one, so the
//     position is never without a stop; a stop that is too large is harmless
//     (reduce-only). The target is sent with closePosition=true so it never
//     needs amending as the position grows.
//  3. Every second OnTick cancels a limit entry older than LimitTimeout (a
//     partial fill keeps its fill and its stop), moves the stop to break-even
//     or trails it when configured (new version first, old cancelled after),
//     closes at market on the time stop or when the target's cluster has left
//     the map for ClusterGoneGrace, resolves legs whose outcome is unknown,
//     and repairs a missing stop. A position without an acknowledged stop
//     for more than MissingStopAlarm is logged at ERROR as
//     "unprotected_position" and listed in Status().Unprotected.
//  4. Fills (TRADE updates) are booked into the PositionRecord with their
//     commission (USDT only; another asset, e.g. BNB, is logged and summed
//     in Status().OtherFees, not converted) and realized PnL (a late TRADE
//     for a quantity already caught up with an estimate adds only its fee); the USDT change of a FUNDING_FEE update
//     is booked as funding only when the update lists our symbol among its
//     positions (Binance does for an isolated position; for a cross one it
//     lists none and the fee could be any symbol's: logged as
//     "funding_unattributed", not booked). When the position is flat and the entry can fill no more, the
//     leftover orders are cancelled, the record is closed with its exit
//     reason, net PnL (realized − fees + funding) and R (net / planned
//     worst-case loss), and Config.OnClose tells the risk limits
//     (stoppedOut = the stop leg closed it; when the closing fills are
//     unknown, as after closed_while_away, a -1R stop-out is reported). A leftover order that cannot
//     be cancelled keeps the trade (closing) until it is final, retried
//     every tick: a stale reduce-only stop or target must not close the
//     next trade. A leg whose send had an unknown outcome is not taken as
//     "never placed" by a cancel while it may still land (LimitTimeout).
//
// One trade at a time: Binance one-way mode nets every order on the symbol
// into one position, so Submit refuses while a trade is open or opening.
//
// # Client ids
//
// "<prefix>-<signal id>-<leg><version>": leg e (entry), s (stop), t
// (target), x (market exit); version 1 is implicit, replacements count up
// (tb1-mk3x9lL-s, tb1-mk3x9lL-s2). Adopted positions are "<prefix>-a<ms36>",
// foreign-position flattens "<prefix>-f<ms36>-x". Algo orders use the same
// ids as clientAlgoId; the order a triggered algo order becomes is matched
// by that client id or by the ALGO_UPDATE's actualOrderId. A TRADE of our
// symbol no order of ours accounts for is held for 5s waiting for the
// ALGO_UPDATE that names its order, then reconciled. Every id fits Binance's ^[\.A-Z\:/a-z0-9_-]{1,36}$: Submit checks
// the id of version 999, and no leg gets a later version (a stop that has
// used them all stays where it is).
// Orders at the venue without "<prefix>-" are someone else's and are never
// touched.
//
// # Crash guarantees
//
// A leg is written as pending before it is sent and updated after the
// answer, so after a crash at any point Reconcile finds it:
//   - intent written, nothing sent (leg pending): the entry is queried by
//     client id; not found and younger than LimitTimeout (a market entry:
//     5s), it is sent (same id), else dropped; a leg recorded as unknown is watched, not sent;
//   - sent, no ack recorded: the venue's open orders (or a query) have it;
//     it is adopted, never sent again;
//   - filled, no stop: the fill is caught up from the order's executed
//     quantity (fees unknown, logged as estimated) and a stop placed at once;
//   - a stop written but not placed is queried and sent under the same id;
//   - orders that vanished (filled or cancelled while away) are queried and
//     their fills booked; a position the venue closed while away is closed.
//
// An unknown outcome (ErrUnknownOutcome, a timeout) is never resent blindly:
// the leg is queried by client id. A stop or target the venue does not have
// after UnknownResend is sent again under the same client id (a duplicate
// of an open order is refused, -4116, and is then queried and taken as the
// existing order, for any leg). An ENTRY is never sent again after an unknown outcome, also not
// after a restart: Binance refuses duplicate client ids only among open
// orders, so a late-executing market entry plus a resend would double the
// position. It is watched for LimitTimeout, then given up; a fill that
// appears later is unexpected and reconciled. Fills are booked per
// (client id, order id): a second order under one client id adds its own
// fills and triggers a reconciliation. A rejected stop flattens the
// position. A position the store does not know is adopted (record + stop
// at AdoptStopPct from the mark) or flattened, as configured; our orders
// that no live leg accounts for are cancelled. Reconcile fails, and Submit
// refuses, when the venue cannot be read, or a position or order of ours
// that nothing accounts for could not be flattened, adopted or cancelled; it
// runs again when a user-stream gap ends and on each tick until it succeeds.
// Right before every entry Submit reads the venue once more and refuses
// (ErrVenueNotClear, and reconciles) unless the symbol's position is flat
// and no order of ours is open.
//
// A failing reconcile stops trading, not protection: it goes on past a
// failed query to the other legs and repairs a missing stop, and while it
// keeps failing every tick still repairs stops and raises the
// unprotected-position alarm.
//
// Periodic venue check: every VenueCheckInterval (30s) while a trade is
// booked or in the first two minutes after start, and every
// VenueCheckIdleInterval (5m) otherwise, OnTick compares the venue's
// position, the booked stop and our open orders with the books; a mismatch
// seen twice, a few seconds apart (events may be in flight), reconciles.
// Reconcile is safe to call again at any time: it only brings the books to
// the venue's state and repairs what is missing.
//
// What is not durable: per-leg "unknown since" times, trailing/alarm
// timers and the cluster-gone grace start restart from zero after a crash.
//
// This package must not import package agent (the agent imports it), call
// time.Now (the injected clock is the only time), or talk to a venue other
// than through exchange.Trader.
package orders
