package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"
)

var (
	configType   = reflect.TypeOf(Config{})
	durationType = reflect.TypeOf(time.Duration(0))
	decimalType  = reflect.TypeOf(decimal.Decimal{})
	timeType     = reflect.TypeOf(time.Time{})
)

// Hints for what a value of each type must look like.
const (
	hintDuration = "a duration like 500ms, 10s, 5m, 2h"
	hintDecimal  = "a decimal number like 0.0005"
	hintTime     = "an RFC3339 time like 2026-03-01T14:30:00Z"
)

// walker checks the YAML node tree against the Config type before decoding:
// unknown keys, secret-looking keys and badly typed values, all collected
// with their field paths and lines, and the line of every path for later
// validation messages.
type walker struct {
	file  string
	probs Problems
	lines map[string]int
	bad   map[*yaml.Node]bool // nodes a problem was reported on; prune drops them
}

func newWalker(file string) *walker {
	return &walker{file: file, lines: map[string]int{}, bad: map[*yaml.Node]bool{}}
}

func (w *walker) add(n *yaml.Node, path, format string, args ...any) {
	w.bad[n] = true
	w.probs = append(w.probs, Problem{File: w.file, Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// prune removes from the tree under n every key/value pair whose key or value
// was reported, so the rest can still be decoded and validated and a user
// sees every problem in one pass (the dropped keys keep their defaults). A
// reported list item becomes an empty mapping, keeping the other items'
// indices; its validation problems are then covered by the walker's.
func (w *walker) prune(n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			w.prune(c)
		}
	case yaml.MappingNode:
		kept := make([]*yaml.Node, 0, len(n.Content))
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if w.bad[k] || w.bad[v] {
				continue
			}
			w.prune(v)
			kept = append(kept, k, v)
		}
		n.Content = kept
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if w.bad[item] {
				n.Content[i] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: item.Line}
				continue
			}
			w.prune(item)
		}
	}
}

// covers reports whether a walker problem already explains a validation
// problem at path: the same field, a field inside a reported one, or a
// section holding a reported (and so dropped) field, whose check would
// only echo the drop (an empty window, weights summing to 0).
func (w *walker) covers(path string) bool {
	for _, p := range w.probs {
		if within(path, p.Path) || within(p.Path, path) {
			return true
		}
	}
	return false
}

// within reports whether path is base or a field or item inside it.
func within(path, base string) bool {
	return path == base || strings.HasPrefix(path, base+".") || strings.HasPrefix(path, base+"[")
}

// lineOf returns the line of path or of its nearest recorded parent.
func (w *walker) lineOf(path string) int {
	for path != "" {
		if l, ok := w.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if path != "" {
		w.lines[path] = n.Line
	}
	if n.Tag == "!!null" {
		return // an empty value keeps the default, as if the key were absent
	}
	switch {
	case t == durationType:
		if w.scalar(n, path, hintDuration) {
			if _, err := time.ParseDuration(n.Value); err != nil {
				w.add(n, path, "not a duration, got %q (allowed: %s)", n.Value, hintDuration)
			}
		}
	case t == decimalType:
		if w.scalar(n, path, hintDecimal) {
			if _, err := decimal.NewFromString(n.Value); err != nil {
				w.add(n, path, "not a decimal number, got %q (allowed: %s)", n.Value, hintDecimal)
			}
		}
	case t == timeType:
		if w.scalar(n, path, hintTime) {
			if _, err := time.Parse(time.RFC3339, n.Value); err != nil {
				w.add(n, path, "not an RFC3339 time, got %q (allowed: %s)", n.Value, hintTime)
			}
		}
	case t.Kind() == reflect.Struct:
		w.walkStruct(n, t, path)
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.add(n, path, "must be a mapping of key: value lines, got %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			if isSecretKey(k.Value) {
				w.secret(k, p)
				continue
			}
			w.walk(k, t.Key(), p)
			w.walk(v, t.Elem(), p)
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.add(n, path, "must be a list (lines starting with \"- \"), got %s", kindName(n))
			return
		}
		for i, item := range n.Content {
			w.walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case t.Kind() == reflect.Int:
		if w.scalar(n, path, "a whole number") {
			if _, err := strconv.Atoi(n.Value); err != nil {
				w.add(n, path, "not a whole number, got %q", n.Value)
			}
		}
	case t.Kind() == reflect.Bool:
		if w.scalar(n, path, "true or false") {
			var b bool
			if err := n.Decode(&b); err != nil {
				w.add(n, path, "not true or false, got %q (allowed: true, false)", n.Value)
			}
		}
	case t.Kind() == reflect.String:
		w.scalar(n, path, "a text value")
	}
}

// scalar reports a mapping or list where a single value belongs.
func (w *walker) scalar(n *yaml.Node, path, want string) bool {
	if n.Kind == yaml.ScalarNode {
		return true
	}
	w.add(n, path, "must be a single value, got %s (allowed: %s)", kindName(n), want)
	return false
}

func (w *walker) walkStruct(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		what := "the file"
		if path != "" {
			what = "this section"
		}
		w.add(n, orFile(path), "%s must be a mapping of key: value lines, got %s", what, kindName(n))
		return
	}
	fields := map[string]reflect.StructField{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		fields[name] = f
		names = append(names, name)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		switch f, ok := fields[k.Value]; {
		case seen[k.Value]:
			w.add(k, p, "key appears twice in the same section")
		case ok:
			seen[k.Value] = true
			w.walk(v, f.Type, p)
		case isSecretKey(k.Value):
			w.secret(k, p)
		default:
			w.add(k, p, "unknown key%s", suggest(k.Value, names))
		}
	}
}

// secret reports a secret-looking key without ever echoing its value.
func (w *walker) secret(k *yaml.Node, path string) {
	w.add(k, path, "secrets must not be in the config file; set %s and %s in the environment, "+
		"or put them in the file named by keys.key_file (mode 0600)", EnvAPIKey, EnvAPISecret)
}

func orFile(path string) string {
	if path == "" {
		return "(file)"
	}
	return path
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

// isSecretKey reports whether a YAML key looks like it holds an API secret.
// key_file (a path) is the one key-ish name that is allowed.
func isSecretKey(key string) bool {
	k := strings.NewReplacer("_", "", "-", "", ".", "", " ", "").Replace(strings.ToLower(key))
	switch k {
	case "keyfile":
		return false
	case "key", "apikey", "apisecret", "secret", "secretkey", "privatekey", "password", "passphrase",
		"token", "apitoken", "accesskey", "hmackey":
		return true
	}
	return strings.Contains(k, "secret") || strings.Contains(k, "password") || strings.HasSuffix(k, "apikey")
}

// suggest names the closest allowed key, or lists them all when none is close.
func suggest(got string, allowed []string) string {
	best, bestD := "", 4
	for _, a := range allowed {
		if d := editDistance(got, a); d < bestD {
			best, bestD = a, d
		}
	}
	if best != "" {
		return fmt.Sprintf(", did you mean %q?", best)
	}
	s := append([]string(nil), allowed...)
	sort.Strings(s)
	return " (allowed: " + strings.Join(s, ", ") + ")"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
