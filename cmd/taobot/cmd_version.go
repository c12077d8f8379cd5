package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func runVersion(_ context.Context, c *cli, args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: taobot version\n\n"+
			"Prints the version, the source commit (\"+dirty\" when built from uncommitted\n"+
			"changes; \"unknown\" when built outside git) and the Go version.\n")
	}
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "taobot version: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	rev, dirty := "unknown", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision":
				rev = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = "+dirty"
			}
		}
	}
	if rev == "unknown" {
		dirty = ""
	}
	rev += dirty
	fmt.Fprintf(c.stdout, "taobot %s (commit %s, %s)\n", version, rev, runtime.Version())
	return exitOK
}

// usageCode maps a flag parse error to an exit code: --help is success.
func usageCode(err error) int {
	if err == flag.ErrHelp {
		return exitOK
	}
	return exitUsage
}
