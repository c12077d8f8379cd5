// Package state owns taobot's one durable state file: a bbolt database that
// holds intents, order records, fills, positions, signals, liquidation-map
// snapshots and small key/values (risk counters, the paper account).
//
// What it guarantees:
//   - One writer per file. bbolt's flock is exclusive for a writer and shared
//     for ReadOnly opens, so a second Open (another process, or the same
//     one) fails within Options.Timeout with "another taobot is using
//     <path>" (ErrLocked) instead of hanging. Readers cannot open a file a
//     writer holds; inspect/export therefore need the bot stopped.
//   - One write transaction per logical change: Store.Update hands out a Tx
//     whose typed tables (Intents, Orders, Fills, Positions, Signals,
//     Snapshots, KV) all commit together or not at all. The Put*/KV*
//     methods on Store are single-record conveniences around it.
//   - A schema version in the meta bucket. A newer file is refused
//     (ErrNewerSchema); an older one is migrated forward by an ordered list
//     of steps in one write transaction (see builtinMigrations).
//   - Files it does not understand are refused with ErrNotStateFile and left
//     byte-for-byte untouched: text, random bytes, an empty or truncated
//     file, damaged pages, another program's bbolt file. A header check runs
//     before bbolt maps the file (bbolt trusts its pages and can crash the
//     process on a short file), then bbolt's own consistency check.
//
// Records are JSON with decimals as exact strings, except map snapshots,
// which are stored raw because they are large. Time-keyed tables (fills,
// signals, snapshots) use big-endian nanoseconds then the id as key, so
// they list and Range in time order; only the newest Options.KeepSnapshots
// snapshots are kept.
//
// It must not: recreate, truncate or "repair" an existing file; call
// time.Now (callers pass record times); know about exchanges, strategies or
// risk rules beyond the vocabulary types — it stores records, it does not
// interpret them.
package state
