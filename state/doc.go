// Package state owns taobot's one durable state file: a bbolt database that
// holds intents, order records, fills, positions, signals, liquidation-map
// snapshots and small key/values (risk counters, the paper account).
//
// It guarantees: one writer per file (a second Open fails fast with
// ErrLocked instead of hanging), one write transaction per logical change
// (Store.Update), a schema version with ordered migrations, and refusal of
// files it does not understand (ErrNotStateFile, newer schema).
//
// It must not: recreate, truncate or "repair" an existing file; call
// time.Now (callers pass record times); know about exchanges, strategies or
// risk rules — it stores records, it does not interpret them.
package state
