package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a config: the field path (e.g.
// "risk.max_loss_usdt"), what is wrong, and where in the file when known.
type Problem struct {
	File string // the config file, "" when validating a Config built in code
	Line int    // 1-based line in File, 0 when unknown
	Path string // dotted field path; list items as name[i]
	Msg  string // what is wrong, the value found and what is allowed
}

// Error renders the problem as "file:line: path: message".
func (p Problem) Error() string {
	loc := ""
	switch {
	case p.File != "" && p.Line > 0:
		loc = fmt.Sprintf("%s:%d: ", p.File, p.Line)
	case p.Line > 0:
		loc = fmt.Sprintf("line %d: ", p.Line)
	case p.File != "":
		loc = p.File + ": "
	}
	return loc + p.Path + ": " + p.Msg
}

// Problems is every problem found in one config; it is the error returned by
// Parse, Load and Validate so a user can fix everything in one pass.
type Problems []Problem

// Error lists every problem, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// sortByLine orders problems by file position, unknown positions last, path as tie-break.
func (ps Problems) sortByLine() {
	sort.SliceStable(ps, func(i, j int) bool {
		li, lj := ps[i].Line, ps[j].Line
		if li == 0 {
			li = 1 << 30
		}
		if lj == 0 {
			lj = 1 << 30
		}
		if li != lj {
			return li < lj
		}
		return ps[i].Path < ps[j].Path
	})
}

// orNil returns nil for an empty list, so callers can test err != nil.
func (ps Problems) orNil() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
