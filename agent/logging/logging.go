package logging

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// Formats accepted by Options.Format.
const (
	FormatAuto    = "auto"    // console on a terminal, JSON otherwise
	FormatJSON    = "json"    // one JSON object per line
	FormatConsole = "console" // human-readable lines
)

// TimeFormat is the timestamp layout of every line (UTC, milliseconds).
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Options configure New.
type Options struct {
	Level   string           // trace | debug | info | warn | error; "" = info
	Format  string           // auto | json | console; "" = auto
	Out     io.Writer        // where lines go; nil = os.Stdout
	Secrets []string         // values that must never appear in a line
	Now     func() time.Time // clock for timestamps; nil = time.Now
}

// New returns a logger writing to opts.Out through a secret redactor.
func New(opts Options) (zerolog.Logger, error) {
	lvl, err := ParseLevel(opts.Level)
	if err != nil {
		return zerolog.Nop(), err
	}
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	var w io.Writer = NewRedactor(out, opts.Secrets...)
	switch opts.Format {
	case FormatJSON:
	case FormatConsole, FormatAuto, "":
		if opts.Format == FormatConsole || IsTerminal(out) {
			w = zerolog.ConsoleWriter{Out: w, TimeFormat: TimeFormat, NoColor: !IsTerminal(out)}
		}
	default:
		return zerolog.Nop(), fmt.Errorf("log format %q: allowed: auto, json, console", opts.Format)
	}
	return zerolog.New(w).Level(lvl).Hook(timeHook{now: now}), nil
}

// ParseLevel maps a level name to a zerolog level ("" = info).
func ParseLevel(s string) (zerolog.Level, error) {
	switch s {
	case "trace":
		return zerolog.TraceLevel, nil
	case "debug":
		return zerolog.DebugLevel, nil
	case "info", "":
		return zerolog.InfoLevel, nil
	case "warn":
		return zerolog.WarnLevel, nil
	case "error":
		return zerolog.ErrorLevel, nil
	}
	return zerolog.NoLevel, fmt.Errorf("log level %q: allowed: trace, debug, info, warn, error", s)
}

// IsTerminal reports whether w is a character device such as a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// timeHook stamps each line from an injected clock, so zerolog's global
// TimestampFunc and TimeFieldFormat stay untouched.
type timeHook struct{ now func() time.Time }

// Run adds the timestamp field to e.
func (h timeHook) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	e.Str(zerolog.TimestampFieldName, h.now().UTC().Format(TimeFormat))
}
