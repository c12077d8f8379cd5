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
	if err := fs.Parse(args); err != nil {
		return usageCode(err)
	}
	rev := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
	}
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
