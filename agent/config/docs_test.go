package config

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	docSectionRE = regexp.MustCompile("^## `([a-z]+)`$")
	// | `key` | `default` | ... or | `a` / `.b` | `1` / `2` | ...
	docRowRE = regexp.MustCompile("^\\| (`[^|]*`) \\| (`[^|]*`) \\|")
)

// docDefaults reads docs/config.md's tables into full key path -> default text.
func docDefaults(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	section, inTables := "", false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			section, inTables = "", false
			if m := docSectionRE.FindStringSubmatch(line); m != nil {
				section, inTables = m[1]+".", true
			} else if line == "## Top level" || strings.HasPrefix(line, "## `paper`, ") {
				inTables = true // keys carry their full path
			}
			continue
		}
		m := docRowRE.FindStringSubmatch(line)
		if m == nil || !inTables {
			continue
		}
		keys, defs := splitCells(m[1]), splitCells(m[2])
		if len(keys) != len(defs) {
			t.Fatalf("docs/config.md row %q: %d keys but %d defaults", line, len(keys), len(defs))
		}
		parent := ""
		if i := strings.LastIndex(keys[0], "."); i >= 0 {
			parent = keys[0][:i]
		}
		for i, k := range keys {
			if strings.HasPrefix(k, ".") { // `breakeven.enabled` / `.trigger_r`
				k = parent + k
			}
			out[section+k] = defs[i]
		}
	}
	return out
}

// splitCells turns "`a` / `b`" into [a b].
func splitCells(cell string) []string {
	parts := strings.Split(cell, " / ")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), "`")
	}
	return parts
}

// configLeaves lists every settable key path of t.
func configLeaves(t reflect.Type, path string, out *[]string) {
	if t.Kind() != reflect.Struct || t == decimalType || t == timeType || t == durationType {
		*out = append(*out, path)
		return
	}
	for i := 0; i < t.NumField(); i++ {
		configLeaves(t.Field(i).Type, join(path, strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]), out)
	}
}

// The reference in docs/config.md documents every key with the default
// Default() really has, so the doc cannot drift from the code.
func TestDocsMatchDefaults(t *testing.T) {
	docs := docDefaults(t)
	var leaves []string
	configLeaves(configType, "", &leaves)
	for _, l := range leaves {
		if _, ok := docs[l]; !ok {
			t.Errorf("docs/config.md does not document %s", l)
		}
	}
	if len(docs) != len(leaves) {
		var extra []string
		for k := range docs {
			if !slices.Contains(leaves, k) {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		t.Errorf("docs/config.md documents %d keys, the config has %d; unknown to the config: %v", len(docs), len(leaves), extra)
	}

	// Build a YAML file from the documented defaults and compare it with Default().
	root := map[string]any{}
	for k, v := range docs {
		parts := strings.Split(k, ".")
		m := root
		for _, p := range parts[:len(parts)-1] {
			if _, ok := m[p]; !ok {
				m[p] = map[string]any{}
			}
			m = m[p].(map[string]any)
		}
		var val any
		if err := yaml.Unmarshal([]byte(v), &val); err != nil {
			t.Fatalf("docs/config.md default of %s is not YAML: %q: %v", k, v, err)
		}
		m[parts[len(parts)-1]] = val
	}
	y, err := yaml.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(y, "docs/config.md defaults")
	if err != nil {
		t.Fatalf("the documented defaults do not parse:\n%v", err)
	}
	def := Default()
	def.Risk.NewsBlackouts, def.Risk.Brackets = []Blackout{}, []BracketOverride{} // documented as []
	want, _ := json.Marshal(def)
	got, _ := json.Marshal(cfg)
	if string(got) != string(want) {
		t.Errorf("docs/config.md defaults differ from Default():\n got %s\nwant %s", got, want)
	}
}
