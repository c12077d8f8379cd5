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
	var root, extra yaml.Node
	docs := yaml.NewDecoder(bytes.NewReader(data))
	if err := docs.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, Problems{yamlProblem(file, err)}
	}
	if err := docs.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, Problems{{File: file, Line: extra.Line, Path: "(file)", Msg: "more than one YAML document (a second ---); taobot reads exactly one"}}
	}
	w := newWalker(file)
	if len(root.Content) > 0 {
		w.walk(root.Content[0], configType, "")
		if w.bad[root.Content[0]] {
			return nil, w.probs // the file is not a mapping: nothing more to check
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
				return nil, w.probs
			}
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true) // backstop: the walk above should already have caught unknown keys
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return nil, Problems{yamlProblem(file, err)}
		}
	}
	if cfg.LiqMap.LeverageMix == nil {
		cfg.LiqMap.LeverageMix = DefaultLeverageMix()
	}
	ps := w.probs
	if err := cfg.Validate(); err != nil {
		var vs Problems
		if !errors.As(err, &vs) {
			return nil, err
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
	if len(ps) > 0 {
		ps.sortByLine()
		return nil, ps
	}
	return &cfg, nil
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
