package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads, decodes, defaults and validates the config file at path.
// A missing file is an error (the default configs/taobot.yaml ships with
// the source). Any problems come back together as Problems.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes YAML config data strictly, applies defaults for every key
// left out and validates the result. file names the source in messages.
// On failure the error is Problems listing everything found.
func Parse(data []byte, file string) (*Config, error) {
	cfg, _, ps := parse(data, file)
	if len(ps) > 0 {
		return nil, ps
	}
	return cfg, nil
}

// LoadWithSecrets is Load followed by LoadSecrets, with the key problems
// (live mode without keys, an unsafe or missing key file) reported in the
// same Problems as the config's, so one run shows everything to fix. The
// keys are checked on what could be decoded even when the config has
// other problems. Secrets are returned only when there is no problem.
func LoadWithSecrets(path string, getenv func(string) string) (*Config, Secrets, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Secrets{}, fmt.Errorf("read config: %w", err)
	}
	cfg, w, ps := parse(data, path)
	if cfg == nil {
		return nil, Secrets{}, ps
	}
	secrets, err := LoadSecrets(cfg, getenv)
	if err != nil {
		p := Problem{File: path, Path: "keys", Msg: err.Error()}
		if rest, ok := strings.CutPrefix(p.Msg, "keys.key_file: "); ok {
			p.Path, p.Msg = "keys.key_file", rest
		} else if rest, ok := strings.CutPrefix(p.Msg, "mode live: "); ok {
			p.Path, p.Msg = "mode", "live, "+rest
		}
		p.Line = w.lineOf(p.Path)
		ps = append(ps, p)
		ps.sortByLine()
	}
	if len(ps) > 0 {
		return nil, Secrets{}, ps
	}
	return cfg, secrets, nil
}

// parse is Parse that also returns what it decoded: cfg is nil only when
// nothing could be decoded (a syntax error, or the file is not a mapping);
// otherwise it holds the file's values, defaults where a key was left out
// or reported, and ps lists every problem.
func parse(data []byte, file string) (*Config, *walker, Problems) {
	w := newWalker(file)
	var root, extra yaml.Node
	docs := yaml.NewDecoder(bytes.NewReader(data))
	if err := docs.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, w, Problems{yamlProblem(file, err)}
	}
	if err := docs.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, w, Problems{{File: file, Line: extra.Line, Path: "(file)", Msg: "more than one YAML document (a second ---); taobot reads exactly one"}}
	}
	if len(root.Content) > 0 {
		w.walk(root.Content[0], configType, "")
		if w.bad[root.Content[0]] {
			return nil, w, w.probs // the file is not a mapping: nothing more to check
		}
	}

	cfg := Default()
	// yaml.v3 merges a YAML map into a non-nil Go map; a mix in the file must replace the default.
	cfg.LiqMap.LeverageMix = nil
	if len(w.probs) > 0 {
		// Decode what is left without the reported keys, so validation can
		// still report the other problems in the same run.
		w.prune(&root)
		if root.Kind != 0 {
			if err := root.Decode(&cfg); err != nil {
				w.probs.sortByLine()
				return nil, w, w.probs
			}
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true) // backstop: the walk above should already have caught unknown keys
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return nil, w, Problems{yamlProblem(file, err)}
		}
	}
	if cfg.LiqMap.LeverageMix == nil {
		cfg.LiqMap.LeverageMix = DefaultLeverageMix()
	}
	ps := append(Problems(nil), w.probs...)
	if err := cfg.Validate(); err != nil {
		var vs Problems
		if !errors.As(err, &vs) {
			vs = Problems{{Path: "(file)", Msg: err.Error()}}
		}
		for _, p := range vs {
			if w.covers(p.Path) {
				continue
			}
			p.File = file
			p.Line = w.lineOf(p.Path)
			ps = append(ps, p)
		}
	}
	ps.sortByLine()
	return &cfg, w, ps
}

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// yamlProblem turns a yaml.v3 syntax or type error into a Problem with its line.
func yamlProblem(file string, err error) Problem {
	p := Problem{File: file, Path: "(file)", Msg: err.Error()}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Msg = m[2]
	}
	if strings.Contains(p.Msg, "cannot start any token") {
		p.Msg += " (a tab? YAML indents with spaces only)"
	}
	return p
}
