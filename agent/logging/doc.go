// Package logging builds taobot's zerolog logger: JSON lines by default,
// human console output on a terminal or on request, the level from config or
// flag, millisecond UTC timestamps from an injectable clock, and a final
// writer that redacts every known secret value from every line.
//
// It must not keep a package-level logger or change zerolog's globals: the
// logger is built once in cmd/taobot and passed down.
package logging
