package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/taobot/taobot/agent/config"
	"github.com/taobot/taobot/state"
)

// runState handles `taobot state inspect|export`.
func runState(ctx context.Context, c *cli, args []string) int {
	if len(args) == 0 {
		stateUsage(c.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		stateUsage(c.stdout)
		return exitOK
	case "inspect":
		return runStateInspect(ctx, c, args[1:])
	case "export":
		return runStateExport(ctx, c, args[1:])
	}
	fmt.Fprintf(c.stderr, "taobot state: unknown subcommand %q\n\n", args[0])
	stateUsage(c.stderr)
	return exitUsage
}

func stateUsage(w io.Writer) {
	fmt.Fprint(w, "Usage: taobot state inspect|export [--db FILE | -c FILE]\n\n"+
		"  inspect   print the schema version, file size and record counts per bucket\n"+
		"  export    write every record as one JSON document (--out FILE, default stdout)\n\n"+
		"The file is opened read-only. A running taobot holds it exclusively, so stop it first.\n"+
		"Run 'taobot state inspect --help' for the flags.\n")
}

// stateFlags are the flags both subcommands share.
type stateFlags struct {
	db      *string
	cfg     *string
	timeout *time.Duration
}

func newStateFlags(fs *flag.FlagSet) stateFlags {
	return stateFlags{
		db:      fs.String("db", "", "state `FILE` (default: the config's state.path)"),
		cfg:     configFlag(fs),
		timeout: fs.Duration("timeout", state.DefaultLockTimeout, "how long to wait for a running taobot to release the file"),
	}
}

// dbPath is --db, else the state path of the config (-c, or the default
// config when it exists), else the built-in default.
func (f stateFlags) dbPath(fs *flag.FlagSet, c *cli) (string, int) {
	if *f.db != "" {
		return *f.db, exitOK
	}
	explicit := false
	fs.Visit(func(fl *flag.Flag) { explicit = explicit || fl.Name == "c" || fl.Name == "config" })
	if _, err := os.Stat(*f.cfg); !explicit && errors.Is(err, os.ErrNotExist) {
		return config.Default().State.Path, exitOK
	}
	cfg, err := config.Load(*f.cfg)
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot state: config %s: %v\n(use --db FILE to name the state file directly)\n", *f.cfg, err)
		return "", exitConfig
	}
	return cfg.State.Path, exitOK
}

// open opens the state file read-only, explaining the usual failures.
func (f stateFlags) open(c *cli, cmd, path string) (*state.Store, int) {
	s, err := state.OpenWithOptions(path, state.Options{ReadOnly: true, Timeout: *f.timeout})
	switch {
	case err == nil:
		return s, exitOK
	case errors.Is(err, state.ErrLocked):
		fmt.Fprintf(c.stderr, "taobot state %s: %v\n(a running taobot holds its state file exclusively; stop it first, or ask its status API)\n", cmd, err)
	case errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(c.stderr, "taobot state %s: %v\n(taobot run creates it; name another file with --db FILE or a config with -c FILE)\n", cmd, err)
	default:
		fmt.Fprintf(c.stderr, "taobot state %s: %v\n", cmd, err)
	}
	return nil, exitRuntime
}

// parseStateFlags registers the shared flags and parses args; when done is
// true the command must return code (help, or bad usage).
func parseStateFlags(c *cli, fs *flag.FlagSet, usage string, args []string) (f stateFlags, code int, done bool) {
	fs.SetOutput(c.stderr)
	f = newStateFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage+"\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, usageCode(err), true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return f, exitUsage, true
	}
	return f, exitOK, false
}

// inspectReport is what `state inspect --json` prints.
type inspectReport struct {
	File          string         `json:"file"`
	SizeBytes     int64          `json:"sizeBytes"`
	SchemaVersion int            `json:"schemaVersion"`
	BinarySchema  int            `json:"binarySchema"`
	Counts        map[string]int `json:"counts"`
	// Newest is the time of the newest fill, signal and snapshot, when any.
	Newest map[string]time.Time `json:"newest"`
}

func runStateInspect(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("state inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	f, code, done := parseStateFlags(c, fs, "Usage: taobot state inspect [--db FILE | -c FILE] [--json]\n\n"+
		"Prints the state file's schema version, size and the number of records in each bucket.", args)
	if done {
		return code
	}
	path, code := f.dbPath(fs, c)
	if code != exitOK {
		return code
	}
	s, code := f.open(c, "inspect", path)
	if code != exitOK {
		return code
	}
	defer s.Close()
	counts, err := s.Stats()
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot state inspect: %v\n", err)
		return exitRuntime
	}
	newest, err := s.Newest()
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot state inspect: %v\n", err)
		return exitRuntime
	}
	fi, err := os.Stat(path)
	if err != nil {
		fmt.Fprintf(c.stderr, "taobot state inspect: %v\n", err)
		return exitRuntime
	}
	r := inspectReport{File: path, SizeBytes: fi.Size(), SchemaVersion: s.SchemaVersion(), BinarySchema: state.SchemaVersion(),
		Counts: counts, Newest: newest}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(c.stderr, "taobot state inspect: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	fmt.Fprintf(c.stdout, "state file  %s\nsize        %d bytes\nschema      %d", r.File, r.SizeBytes, r.SchemaVersion)
	if r.SchemaVersion < r.BinarySchema {
		fmt.Fprintf(c.stdout, " (older; taobot run will migrate it to %d)", r.BinarySchema)
	}
	fmt.Fprintln(c.stdout)
	for _, b := range state.DataBuckets() {
		fmt.Fprintf(c.stdout, "%-11s %d", b, counts[b])
		if t, ok := newest[b]; ok {
			fmt.Fprintf(c.stdout, "  (newest %s)", t.UTC().Format(time.RFC3339))
		}
		fmt.Fprintln(c.stdout)
	}
	return exitOK
}

func runStateExport(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("state export", flag.ContinueOnError)
	out := fs.String("out", "-", "write the JSON to `FILE` (mode 0600) instead of stdout")
	f, code, done := parseStateFlags(c, fs, "Usage: taobot state export [--db FILE | -c FILE] [--out FILE]\n\n"+
		"Writes every record of the state file as one JSON document. Decimals are exact strings,\n"+
		"map snapshots and non-JSON key/values are base64.", args)
	if done {
		return code
	}
	path, code := f.dbPath(fs, c)
	if code != exitOK {
		return code
	}
	s, code := f.open(c, "export", path)
	if code != exitOK {
		return code
	}
	defer s.Close()
	if *out == "-" || *out == "" {
		if err := s.Export(c.stdout); err != nil {
			fmt.Fprintf(c.stderr, "taobot state export: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	if sameFile(path, *out) {
		fmt.Fprintf(c.stderr, "taobot state export: --out %s is the state file itself; choose another file\n", *out)
		return exitUsage
	}
	if err := exportToFile(s, *out); err != nil {
		fmt.Fprintf(c.stderr, "taobot state export: %v\n", err)
		return exitRuntime
	}
	fmt.Fprintf(c.stderr, "exported %s to %s\n", path, *out)
	return exitOK
}

// exportToFile writes through a temporary file (CreateTemp makes it 0600)
// and renames it, so a failed export never leaves a half-written document
// under the target name.
func exportToFile(s *state.Store, out string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp*")
	if err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := s.Export(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

// sameFile reports whether a and b name one existing file, so an export can
// never replace the state file it reads.
func sameFile(a, b string) bool {
	ai, errA := os.Stat(a)
	bi, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ai, bi)
}
