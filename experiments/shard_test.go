package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/experiments/internal/harness"
)

// mergeShards runs shards 0, ..., n-1 of experiment name at the quick
// preset with seed 1 into out, one after the other, then merges; it
// repeats the round, as a Slurm job array with -resume would, until the
// merge finds every task. It removes the shard files, as the merge command
// does, and returns the experiment's output directory.
func mergeShards(t *testing.T, name, out string, n int) string {
	t.Helper()
	e, _ := registry.Lookup(name)
	for round := 1; round <= 10; round++ {
		for i := range n {
			cfg := harness.Config{Preset: harness.Quick, Seed: 1, Workers: 1, Out: out, Shard: harness.Shard{Index: i, Count: n}, Resume: true}
			if err := harness.Run(context.Background(), e, cfg); err != nil && !errors.Is(err, harness.ErrShardDone) {
				t.Fatalf("%s, round %d, shard %d/%d: %v", name, round, i, n, err)
			}
		}
		err := harness.Merge(context.Background(), e, harness.Config{Workers: 1, Out: out})
		if err == nil {
			if err := os.RemoveAll(harness.ShardDir(out, name)); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(out, name)
		}
		if !errors.Is(err, harness.ErrIncomplete) {
			t.Fatalf("%s, round %d: merge: %v", name, round, err)
		}
	}
	t.Fatalf("%s: the shards did not complete in 10 rounds", name)
	return ""
}

// TestShardedRunsMergeToUnsharded splits every registered experiment's
// quick preset into n = 1, 2, 3 and 7 shards, merges them and compares
// every output but meta.json with the unsharded run byte for byte. The
// short mode checks n = 3 on two experiments, one with independent parts
// and one whose second part starts from the first's results; the race
// detector skips it, as it does the workers test, since the harness tests
// run the sharded code under it.
func TestShardedRunsMergeToUnsharded(t *testing.T) {
	t.Parallel()
	if raceDetector {
		t.Skip("compares outputs; run without -race")
	}
	shards := []int{1, 2, 3, 7}
	exps := registry.All()
	if testing.Short() {
		shards = []int{3}
		exps = slices.DeleteFunc(exps, func(e harness.Experiment) bool {
			return e.Name != "random-matrices" && e.Name != "interpolation"
		})
	}
	for _, e := range exps {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ref := runQuick(t, e.Name, 1)
			files := outputFiles(t, ref)
			for _, n := range shards {
				dir := mergeShards(t, e.Name, t.TempDir(), n)
				if got := outputFiles(t, dir); !slices.Equal(got, files) {
					t.Fatalf("n = %d: merged files %v, unsharded %v", n, got, files)
				}
				for _, f := range files {
					if f == "meta.json" {
						continue
					}
					a, errA := os.ReadFile(filepath.Join(ref, f))
					b, errB := os.ReadFile(filepath.Join(dir, f))
					if errA != nil || errB != nil {
						t.Fatal(errA, errB)
					}
					if !bytes.Equal(a, b) {
						t.Errorf("n = %d: %s differs from the unsharded run", n, f)
					}
				}
			}
		})
	}
}

func TestCLIShardUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"shard out of range", []string{"run", "-shard", "2/2", "random-matrices"}, `invalid -shard "2/2"`},
		{"shard without count", []string{"run", "-shard", "1", "random-matrices"}, `invalid -shard "1"`},
		{"resume without shard", []string{"run", "-resume", "random-matrices"}, "-resume needs -shard"},
		{"keep outside merge", []string{"all", "-keep"}, "-keep applies to merge only"},
		{"merge with shard", []string{"merge", "-shard", "0/2"}, "merge takes no -shard or -resume"},
		{"merge of unknown", []string{"merge", "no-such-thing"}, `unknown experiment "no-such-thing"`},
	} {
		code, _, stderr := runCLI(context.Background(), tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: experiments %s: exit %d, stderr %q; want exit %d and %q",
				tc.name, strings.Join(tc.args, " "), code, stderr, exitUsage, tc.stderr)
		}
	}
}

// TestCLIShardAndMerge runs random-matrices as two shards from the command
// line: merge exits 3 naming the missing tasks until a second round of
// shard runs has stored them, then writes the results, and removes the
// shard files unless -keep is given.
func TestCLIShardAndMerge(t *testing.T) {
	t.Parallel()
	if raceDetector {
		t.Skip("eight runs of random-matrices; the harness tests run the sharded code under the race detector")
	}
	out := t.TempDir()
	shard := func(i string) {
		t.Helper()
		code, _, stderr := runCLI(context.Background(), "run", "-preset", "quick", "-workers", "1", "-out", out, "-shard", i, "-resume", "random-matrices")
		if code != exitOK {
			t.Fatalf("shard %s: exit %d, stderr %q", i, code, stderr)
		}
	}
	if code, _, stderr := runCLI(context.Background(), "merge", "-out", out); code != exitFailure || !strings.Contains(stderr, "no shard files") {
		t.Errorf("merge before any shard: exit %d, stderr %q", code, stderr)
	}
	shard("0/2")
	code, _, stderr := runCLI(context.Background(), "merge", "-out", out)
	if code != exitIncomplete || !strings.Contains(stderr, "tasks missing") {
		t.Errorf("merge after shard 0/2 only: exit %d, stderr %q; want %d and the missing tasks", code, stderr, exitIncomplete)
	}
	if code, _, stderr := runCLI(context.Background(), "run", "-preset", "quick", "-out", out, "-shard", "0/2", "random-matrices"); code != exitFailure || !strings.Contains(stderr, "-resume") {
		t.Errorf("shard 0/2 again without -resume: exit %d, stderr %q", code, stderr)
	}
	for round := 0; code == exitIncomplete && round < 3; round++ {
		shard("1/2")
		shard("0/2")
		code, _, stderr = runCLI(context.Background(), "merge", "-out", out, "-seed", "2", "random-matrices")
		if code != exitFailure || !strings.Contains(stderr, "seed 1, not 2") {
			t.Errorf("merge with another seed: exit %d, stderr %q", code, stderr)
		}
		code, _, stderr = runCLI(context.Background(), "merge", "-out", out, "-preset", "quick", "-keep")
	}
	if code != exitOK {
		t.Fatalf("merge: exit %d, stderr %q", code, stderr)
	}
	dir := filepath.Join(out, "random-matrices")
	if !slices.Contains(outputFiles(t, dir), "shards") {
		t.Error("merge -keep removed the shard files")
	}
	if code, _, stderr := runCLI(context.Background(), "merge", "-out", out); code != exitOK {
		t.Fatalf("merge again: exit %d, stderr %q", code, stderr)
	}
	files := outputFiles(t, dir)
	if slices.Contains(files, "shards") || !slices.Contains(files, "meta.json") || !slices.Contains(files, "pd_probability.csv") {
		t.Errorf("merged directory holds %v", files)
	}
}
