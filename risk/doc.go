// Package risk is pure decimal math and rules that decide whether a signal
// becomes an order and how big.
//
// It owns:
//   - LiquidationPrice / LiquidationBracket: Binance's one-way-mode formula
//     with maintenance-margin brackets (isolated WB, or cross WB from
//     CrossWalletBalance), DefaultTAOBrackets and ValidateBrackets;
//   - filter rounding: RoundQtyDown (always down to the step) and RoundPrice
//     with the "toward safety" directions StopRoundDir, TargetRoundDir and
//     EntryRoundDir (stops and targets toward the entry, entries to the
//     passive side), MeetsMinQty and MeetsMinNotional;
//   - Plan: sizing from the maximum acceptable loss (price + fees + adverse
//     funding, FundingCount), the lowest leverage whose margin fits and whose
//     liquidation price leaves a buffer beyond the stop, and typed rejection
//     reasons a person can read; never sizing from a profit target;
//   - Limits: daily realized loss, exposure, cooldown after a stop-out,
//     consecutive-loss brake, news blackouts and the kill switch, persisted
//     through the small KV interface (package state implements it; MemKV is
//     the in-memory one).
//
// It must not place orders, log, or read a clock: every function that needs
// the time takes now. Its only I/O is the KV the limits persist through and
// reading the kill switch file, whose mere existence blocks new entries.
package risk
