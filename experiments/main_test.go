package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/critpoint/critpoint/experiments/internal/harness"
)

// runCLI runs the command line args and returns the exit status, standard
// output and standard error (which includes progress).
func runCLI(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr, harness.NewProgress(&stderr, false))
	return code, stdout.String(), stderr.String()
}

func TestCLIUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of standard output
		stderr string // substring of standard error
	}{
		{"list", []string{"list"}, exitOK, "random-matrices", ""},
		{"help flag", []string{"-h"}, exitOK, "", "Usage:"},
		{"help after command", []string{"run", "-h"}, exitOK, "", "-preset"},
		{"no command", nil, exitUsage, "", "Usage:"},
		{"unknown command", []string{"walk"}, exitUsage, "", `unknown command "walk"`},
		{"unknown experiment", []string{"run", "-preset", "quick", "no-such-thing"}, exitUsage, "", `unknown experiment "no-such-thing"`},
		{"bad flag", []string{"run", "-speed", "9", "random-matrices"}, exitUsage, "", "flag provided but not defined: -speed"},
		{"bad flag value", []string{"all", "-seed", "minus-one"}, exitUsage, "", "invalid value"},
		{"unknown preset", []string{"run", "-preset", "huge", "random-matrices"}, exitUsage, "", `unknown preset "huge"`},
		{"negative workers", []string{"all", "-workers", "-1"}, exitUsage, "", "negative -workers"},
		{"run without names", []string{"run", "-preset", "quick"}, exitUsage, "", "at least one experiment"},
		{"list with names", []string{"list", "saddles"}, exitUsage, "", "list takes no names"},
	} {
		code, stdout, stderr := runCLI(context.Background(), tc.args...)
		if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: experiments %s: exit %d, stdout %q, stderr %q; want exit %d, stdout containing %q, stderr containing %q",
				tc.name, strings.Join(tc.args, " "), code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
		}
	}
}

func TestListNamesEveryExperiment(t *testing.T) {
	t.Parallel()
	_, stdout, _ := runCLI(context.Background(), "list")
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	all := registry.All()
	if len(lines) != len(all) {
		t.Fatalf("list printed %d lines for %d experiments:\n%s", len(lines), len(all), stdout)
	}
	for i, e := range all {
		if e.Summary == "" || strings.Contains(e.Summary, "\n") {
			t.Errorf("%s: summary %q is not one line", e.Name, e.Summary)
		}
		if f := strings.Fields(lines[i]); len(f) < 2 || f[0] != e.Name {
			t.Errorf("list line %d = %q, want %s and its summary", i, lines[i], e.Name)
		}
	}
}

// quickRuns caches one quick run per (experiment, workers), shared by the
// tests that inspect quick outputs.
var quickRuns sync.Map // key string -> *quickRun

type quickRun struct {
	once sync.Once
	dir  string // the experiment's output directory
	err  error
}

// runQuick runs experiment name at the quick preset with seed 1 and the
// given workers into a temporary directory (once per test binary) and
// returns its output directory.
func runQuick(t *testing.T, name string, workers int) string {
	t.Helper()
	v, _ := quickRuns.LoadOrStore(name+"/"+string(rune('0'+workers)), &quickRun{})
	q := v.(*quickRun)
	q.once.Do(func() {
		out, err := os.MkdirTemp("", "experiments-test-")
		if err != nil {
			q.err = err
			return
		}
		e, _ := registry.Lookup(name)
		q.dir = filepath.Join(out, name)
		q.err = harness.Run(context.Background(), e, harness.Config{Preset: harness.Quick, Seed: 1, Workers: workers, Out: out})
	})
	if q.err != nil {
		t.Fatalf("%s (quick, -workers %d): %v", name, workers, q.err)
	}
	return q.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	quickRuns.Range(func(_, v any) bool {
		if q := v.(*quickRun); q.dir != "" {
			os.RemoveAll(filepath.Dir(q.dir))
		}
		return true
	})
	os.Exit(code)
}

// TestWorkersGiveIdenticalResults runs every registered experiment's quick
// preset with one and with two workers: every file but meta.json (which
// holds the wall time) must be byte-identical. Under the race detector,
// which slows figure rendering tenfold, it is skipped: the quick claims tests
// still run the concurrent path there, and the plain test run checks the
// identity.
func TestWorkersGiveIdenticalResults(t *testing.T) {
	t.Parallel()
	if raceDetector {
		t.Skip("compares outputs; run without -race")
	}
	for _, e := range registry.All() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			one, two := runQuick(t, e.Name, 1), runQuick(t, e.Name, 2)
			files := outputFiles(t, one)
			if !slices.Equal(files, outputFiles(t, two)) {
				t.Fatalf("file lists differ: %v and %v", files, outputFiles(t, two))
			}
			if !slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, ".csv") }) {
				t.Errorf("no CSV file among %v", files)
			}
			for _, f := range files {
				if f == "meta.json" {
					continue
				}
				a, errA := os.ReadFile(filepath.Join(one, f))
				b, errB := os.ReadFile(filepath.Join(two, f))
				if errA != nil || errB != nil {
					t.Fatal(errA, errB)
				}
				if !bytes.Equal(a, b) {
					t.Errorf("%s differs between -workers 1 and -workers 2", f)
				}
			}
		})
	}
}

// outputFiles lists dir, failing on temporary files left behind.
func outputFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
		names = append(names, e.Name())
	}
	return names
}

// cancelOnWrite cancels a context at the first write: given to the progress
// reporter, it interrupts a run when its first part completes.
type cancelOnWrite struct {
	cancel context.CancelFunc
	buf    bytes.Buffer
	mu     sync.Mutex
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel()
	return c.buf.Write(p)
}

func TestInterruptedRunLeavesNoPartialFiles(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOnWrite{cancel: cancel}
	var stderr bytes.Buffer
	code := run(ctx, []string{"run", "-preset", "quick", "-out", out, "random-matrices"}, io.Discard, &stderr, harness.NewProgress(w, false))
	if code != exitInterrupted || !strings.Contains(stderr.String(), "experiments: random-matrices: interrupted") {
		t.Errorf("exit %d, stderr %q; want %d and the interruption reported", code, stderr.String(), exitInterrupted)
	}
	dir := filepath.Join(out, "random-matrices")
	files := outputFiles(t, dir)
	if slices.Contains(files, "meta.json") {
		t.Error("an interrupted run wrote meta.json")
	}
	// Whatever was written is complete: each CSV ends with a newline.
	for _, f := range files {
		if strings.HasSuffix(f, ".csv") {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil || len(b) == 0 || b[len(b)-1] != '\n' {
				t.Errorf("%s is incomplete", f)
			}
		}
	}
}

func TestFailureExitsOne(t *testing.T) {
	t.Parallel()
	// An output root that is a file cannot hold result directories.
	root := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(root, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(context.Background(), "run", "-preset", "quick", "-out", root, "random-matrices")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if code != exitFailure || !strings.HasPrefix(last, "experiments: random-matrices: ") {
		t.Errorf("exit %d, stderr %q; want %d and one line naming the experiment", code, stderr, exitFailure)
	}
}
