package logging

import (
	"io"
	"sort"
	"strconv"
	"strings"
)

// Redacted replaces every secret value in log output.
const Redacted = "[REDACTED]"

// Redactor is an io.Writer that replaces known secret values, raw and in
// their JSON/Go-quoted escaped forms, before the bytes reach the real writer.
// zerolog hands a writer one whole line per Write, so a value is never split
// across calls. It is safe for concurrent use.
type Redactor struct {
	out io.Writer
	r   *strings.Replacer // nil when there is nothing to redact
}

// NewRedactor wraps out; empty secrets are ignored.
func NewRedactor(out io.Writer, secrets ...string) *Redactor {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		q := strconv.Quote(s)
		for _, f := range []string{s, q[1 : len(q)-1]} {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	// longest first, so a secret containing another is replaced whole
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	rd := &Redactor{out: out}
	if len(forms) > 0 {
		pairs := make([]string, 0, 2*len(forms))
		for _, f := range forms {
			pairs = append(pairs, f, Redacted)
		}
		rd.r = strings.NewReplacer(pairs...)
	}
	return rd
}

// Write writes p with every secret replaced and reports len(p) on success.
func (rd *Redactor) Write(p []byte) (int, error) {
	if rd.r == nil {
		return rd.out.Write(p)
	}
	if _, err := io.WriteString(rd.out, rd.r.Replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
