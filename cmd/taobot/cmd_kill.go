package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runKill engages or releases the kill switch file a running bot checks
// every second: new entries stop at once; with --flatten, positions close.
func runKill(_ context.Context, c *cli, args []string) int {
	fset := flag.NewFlagSet("kill", flag.ContinueOnError)
	fset.SetOutput(c.stderr)
	path := configFlag(fset)
	file := fset.String("file", "", "kill switch `FILE` (default: risk.kill_switch_file from the config)")
	flatten := fset.Bool("flatten", false, "also close every open position (at market)")
	reason := fset.String("reason", "", "why, written into the file for whoever reads it next")
	release := fset.Bool("release", false, "remove the kill switch: new entries are allowed again")
	status := fset.Bool("status", false, "only say whether the kill switch is engaged")
	fset.Usage = func() {
		fmt.Fprintf(fset.Output(), "Usage: taobot kill [-c FILE | --file F] [--flatten] [--reason TEXT] | --release | --status\n\n"+
			"Engages the kill switch: the bot (running or not) stops opening positions; with --flatten it also\n"+
			"closes what is open. It is a file, so `touch` and `rm` work too; this command writes it safely.\n\nFlags:\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return usageCode(err)
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot kill: unexpected argument %q\n", fset.Arg(0))
		return exitUsage
	}
	if *release && (*flatten || *status || *reason != "") {
		fmt.Fprintln(c.stderr, "taobot kill: --release takes no --flatten, --status or --reason")
		return exitUsage
	}
	target := *file
	if target == "" {
		cfg, code := loadConfigNoKeys(c, *path)
		if code != exitOK {
			return code
		}
		target = cfg.Risk.KillSwitchFile
		if target == "" {
			fmt.Fprintf(c.stderr, "taobot kill: %s sets no risk.kill_switch_file; set one (the default is data/taobot.kill) or pass --file\n", *path)
			return exitConfig
		}
	}
	switch {
	case *status:
		b, err := os.ReadFile(target)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(c.stdout, "kill switch released (%s does not exist)\n", target)
		case err != nil:
			fmt.Fprintf(c.stderr, "taobot kill: %v (the bot treats an unreadable kill file as engaged)\n", err)
			return exitRuntime
		default:
			fmt.Fprintf(c.stdout, "kill switch ENGAGED (%s, flatten: %t):\n%s", target, strings.Contains(strings.ToLower(string(b)), "flatten"), b)
		}
		return exitOK
	case *release:
		if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(c.stderr, "taobot kill: %v\n", err)
			return exitRuntime
		}
		fmt.Fprintf(c.stdout, "kill switch released: removed %s; new entries are allowed again\n", target)
		return exitOK
	}
	body := fmt.Sprintf("engaged %s by taobot kill\n", c.clock().Format(time.RFC3339))
	if *reason != "" {
		body += "reason: " + *reason + "\n"
	}
	if *flatten {
		body += "flatten\n"
	}
	if err := writeFileAtomic(target, []byte(body)); err != nil {
		fmt.Fprintf(c.stderr, "taobot kill: %v\n", err)
		return exitRuntime
	}
	what := "no new entries"
	if *flatten {
		what += "; open positions will be closed at market"
	}
	fmt.Fprintf(c.stdout, "kill switch ENGAGED: %s (%s). Release with: taobot kill --release\n", what, target)
	return exitOK
}

// writeFileAtomic writes via a temporary file and rename, so the bot never
// reads half a file (a partial "flatten" must not be missed).
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".taobot-kill-*")
	if err != nil {
		return fmt.Errorf("write kill switch: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write kill switch: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write kill switch: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write kill switch: %w", err)
	}
	return nil
}
