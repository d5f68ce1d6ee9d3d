package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Version is the toolkit version recorded in every meta.json.
const Version = "0.1.0"

// Preset selects the size of an experiment's run.
type Preset string

const (
	// Quick takes seconds and runs inside go test -short.
	Quick Preset = "quick"
	// Default is the size of the committed results: the whole suite of
	// experiments at Default fits in 15 minutes on 2 cores.
	Default Preset = "default"
	// Full is the publication-size run; each experiment documents its time.
	Full Preset = "full"
)

// ParsePreset returns the preset named s, or an error for an unknown name.
func ParsePreset(s string) (Preset, error) {
	switch p := Preset(s); p {
	case Quick, Default, Full:
		return p, nil
	}
	return "", fmt.Errorf("harness: unknown preset %q (want quick, default or full)", s)
}

// Presets holds an experiment's parameters for each preset. P is usually a
// struct with json tags, since the chosen value is recorded in meta.json.
type Presets[P any] struct {
	Quick, Default, Full P
}

// Params returns the parameters of ps for env's preset and records them for
// meta.json. An experiment calls it once, at the start of its Run.
func Params[P any](env *Env, ps Presets[P]) P {
	var p P
	switch env.Preset {
	case Quick:
		p = ps.Quick
	case Default:
		p = ps.Default
	case Full:
		p = ps.Full
	default:
		panic(fmt.Sprintf("harness: unknown preset %q", env.Preset))
	}
	env.params = p
	return p
}

// Experiment is one reproducible experiment of the command.
type Experiment struct {
	// Name identifies the experiment on the command line and names its
	// results directory: lower-case words joined by hyphens.
	Name string

	// Summary is one line for the list command.
	Summary string

	// Run does the work and writes the outputs through env. It returns an
	// error for failures and ctx.Err() when interrupted.
	Run func(ctx context.Context, env *Env) error
}

// Registry is a set of experiments by name.
type Registry struct {
	byName map[string]Experiment
}

// Add adds e to r. It panics if e has an invalid name, no Run function, or
// a name already in r.
func (r *Registry) Add(e Experiment) {
	if !validName(e.Name) {
		panic(fmt.Sprintf("harness: invalid experiment name %q", e.Name))
	}
	if e.Run == nil {
		panic(fmt.Sprintf("harness: experiment %q has no Run function", e.Name))
	}
	if _, dup := r.byName[e.Name]; dup {
		panic(fmt.Sprintf("harness: experiment %q registered twice", e.Name))
	}
	if r.byName == nil {
		r.byName = make(map[string]Experiment)
	}
	r.byName[e.Name] = e
}

// Lookup returns the experiment called name.
func (r *Registry) Lookup(name string) (Experiment, bool) {
	e, ok := r.byName[name]
	return e, ok
}

// All returns every experiment of r sorted by name.
func (r *Registry) All() []Experiment {
	all := make([]Experiment, 0, len(r.byName))
	for _, e := range r.byName {
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b Experiment) int { return strings.Compare(a.Name, b.Name) })
	return all
}

// validName reports whether s is lower-case letters and digits in words
// joined by single hyphens.
func validName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
