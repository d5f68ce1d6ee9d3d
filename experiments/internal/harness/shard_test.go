package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// toyResult is a task result with unexported fields, as the experiments'
// are.
type toyResult struct {
	draw float64
	path []float64
	err  error
}

// toyCalls counts the completed calls of each task of the toy experiment.
type toyCalls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *toyCalls) add(part string, i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[string]int)
	}
	c.n[part+"/"+strconv.Itoa(i)]++
}

func (c *toyCalls) get(part string, i int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[part+"/"+strconv.Itoa(i)]
}

// toy sizes: the first part has toyFirst tasks, the second depends on the
// first, and the third calls Map again with the second's part name.
const (
	toyFirst  = 11
	toySecond = 5
	toyThird  = 3
)

// toyExperiment has three Map stages, the second built from the results
// of the first. block, when not nil, is called by every task of the first
// part before it computes.
func toyExperiment(calls *toyCalls, block func(ctx context.Context, i int) error) Experiment {
	return Experiment{Name: "toy", Summary: "three dependent stages", Run: func(ctx context.Context, env *Env) error {
		Params(env, Presets[int]{Quick: 1, Default: 2, Full: 3})
		first, err := Map(ctx, env, "first", toyFirst, func(ctx context.Context, i int, rng *rand.Rand) (toyResult, error) {
			if block != nil {
				if err := block(ctx, i); err != nil {
					return toyResult{}, err
				}
			}
			r := toyResult{draw: rng.NormFloat64(), path: make([]float64, i%4)}
			for j := range r.path {
				r.path[j] = rng.ExpFloat64()
			}
			if i%3 == 0 {
				r.err = fmt.Errorf("toy: task %d stopped early", i)
			}
			calls.add("first", i)
			return r, nil
		})
		if err != nil {
			return err
		}
		second, err := Map(ctx, env, "second", toySecond, func(ctx context.Context, i int, rng *rand.Rand) (float64, error) {
			calls.add("second", i)
			return first[i].draw*rng.Float64() + first[i+toySecond].draw, nil
		})
		if err != nil {
			return err
		}
		third, err := Map(ctx, env, "second", toyThird, func(ctx context.Context, i int, rng *rand.Rand) ([]int, error) {
			calls.add("second#1", i)
			return []int{i, rng.IntN(1000)}, nil
		})
		if err != nil {
			return err
		}
		t := NewTable("part", "task", "value", "note")
		for i, r := range first {
			note := ""
			if r.err != nil {
				note = r.err.Error()
			}
			t.Row("first", i, r.draw, note)
			for _, p := range r.path {
				t.Row("path", i, p, nil)
			}
		}
		for i, v := range second {
			t.Row("second", i, v, nil)
		}
		for i, v := range third {
			t.Row("third", i, float64(v[1]), nil)
		}
		return env.WriteCSV("toy.csv", t)
	}}
}

func toyConfig(out string, shard Shard) Config {
	return Config{Preset: Quick, Seed: 7, Workers: 2, Out: out, Shard: shard, Resume: true}
}

// runShardRounds runs shards 0, ..., n-1 of e in turn, then tries to
// merge, until the merge succeeds; it returns the number of rounds.
func runShardRounds(t *testing.T, e Experiment, out string, n int) int {
	t.Helper()
	for round := 1; round <= 10; round++ {
		for i := range n {
			err := Run(context.Background(), e, toyConfig(out, Shard{i, n}))
			if err != nil && !errors.Is(err, ErrShardDone) {
				t.Fatalf("round %d, shard %d/%d: %v", round, i, n, err)
			}
		}
		err := Merge(context.Background(), e, Config{Workers: 2, Out: out})
		if err == nil {
			return round
		}
		if !errors.Is(err, ErrIncomplete) {
			t.Fatalf("round %d: merge: %v", round, err)
		}
	}
	t.Fatal("the shards did not complete in 10 rounds")
	return 0
}

func TestShardedRunMergesToUnsharded(t *testing.T) {
	t.Parallel()
	ref := t.TempDir()
	if err := Run(context.Background(), toyExperiment(&toyCalls{}, nil), toyConfig(ref, Shard{})); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(ref, "toy", "toy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, 7, 20} {
		out := t.TempDir()
		calls := &toyCalls{}
		rounds := runShardRounds(t, toyExperiment(calls, nil), out, n)
		// The stages depend on each other, so each round advances one
		// stage at least; the last shard of a round goes on when the
		// stage is complete.
		if rounds > 3 {
			t.Errorf("n = %d: %d rounds for 3 stages", n, rounds)
		}
		got, err := os.ReadFile(filepath.Join(out, "toy", "toy.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("n = %d: merged toy.csv differs from the unsharded one:\n%s\nwant\n%s", n, got, want)
		}
		for _, p := range []struct {
			name  string
			tasks int
		}{{"first", toyFirst}, {"second", toySecond}, {"second#1", toyThird}} {
			for i := range p.tasks {
				if c := calls.get(p.name, i); c != 1 {
					t.Errorf("n = %d: task %d of %s computed %d times", n, i, p.name, c)
				}
			}
		}
		var m Meta
		b, err := os.ReadFile(filepath.Join(out, "toy", "meta.json"))
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil || !m.Merged || m.Preset != Quick || m.Seed != 7 || !slices.Equal(m.Files, []string{"toy.csv"}) {
			t.Errorf("n = %d: meta.json %+v (%v)", n, m, err)
		}
		assertOnlyFiles(t, filepath.Join(out, "toy"), "meta.json", "shards", "toy.csv")
	}
}

func TestShardRunWritesOnlyShardFiles(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	err := Run(context.Background(), toyExperiment(&toyCalls{}, nil), toyConfig(out, Shard{1, 3}))
	if !errors.Is(err, ErrShardDone) || !strings.Contains(err.Error(), "toy part first: 7 of 11 tasks are left to other shards") {
		t.Fatalf("shard 1/3 returned %v; want ErrShardDone naming the part", err)
	}
	assertOnlyFiles(t, filepath.Join(out, "toy"), "shards")
	assertOnlyFiles(t, ShardDir(out, "toy"), "first.0", "run.json")
	assertOnlyFiles(t, filepath.Join(ShardDir(out, "toy"), "first.0"), "1-of-3.log")

	// A merge now names the missing tasks and writes nothing.
	err = Merge(context.Background(), toyExperiment(&toyCalls{}, nil), Config{Out: out})
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "first: 7 of 11 tasks missing: 0, 2-3, 5-6, 8-9") {
		t.Errorf("merge returned %v; want the missing tasks", err)
	}
	assertOnlyFiles(t, filepath.Join(out, "toy"), "shards")
}

func TestShardRunRefusesMismatchedFiles(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	e := toyExperiment(&toyCalls{}, nil)
	if err := Run(context.Background(), e, toyConfig(out, Shard{0, 2})); !errors.Is(err, ErrShardDone) {
		t.Fatal(err)
	}
	again := toyConfig(out, Shard{0, 2})
	again.Resume = false
	if err := Run(context.Background(), e, again); err == nil || !strings.Contains(err.Error(), "-resume") {
		t.Errorf("a second run of shard 0/2 without resume returned %v; want a refusal naming -resume", err)
	}
	other := toyConfig(out, Shard{1, 2})
	other.Seed = 8
	if err := Run(context.Background(), e, other); err == nil || !strings.Contains(err.Error(), "seed 7") {
		t.Errorf("a shard of another seed returned %v; want a refusal", err)
	}
	// A changed task count or result type is another version of the
	// experiment: its results must not be mixed in.
	changed := Experiment{Name: "toy", Summary: "changed", Run: func(ctx context.Context, env *Env) error {
		_, err := Map(ctx, env, "first", toyFirst+1, func(context.Context, int, *rand.Rand) (toyResult, error) { return toyResult{}, nil })
		return err
	}}
	if err := Run(context.Background(), changed, toyConfig(out, Shard{1, 2})); err == nil || !strings.Contains(err.Error(), "another version") {
		t.Errorf("a changed part returned %v; want a refusal", err)
	}
	if err := Merge(context.Background(), e, Config{Out: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no shard files") {
		t.Errorf("merging an empty directory returned %v", err)
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/1", Shard{0, 1}, true},
		{"3/4", Shard{3, 4}, true},
		{"99/100", Shard{99, 100}, true},
		{"4/4", Shard{}, false},
		{"-1/4", Shard{}, false},
		{"0/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
		{"", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("Shard%v.String() = %q", got, got.String())
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("NewEnv accepted shard 2/2")
		}
	}()
	NewEnv("toy", Config{Out: t.TempDir(), Shard: Shard{2, 2}})
}

// The helper process runs shard 0/1 of the toy experiment with one worker
// until task killAt of the first part, which blocks until the test kills
// the process.
const (
	helperEnv = "HARNESS_TEST_KILLED_SHARD_OUT"
	killAt    = 6
)

func TestHelperKilledShard(t *testing.T) {
	out := os.Getenv(helperEnv)
	if out == "" {
		t.Skip("helper process of TestResumeAfterKill")
	}
	block := func(ctx context.Context, i int) error {
		if i == killAt {
			// The timer also keeps the runtime from reporting a deadlock.
			select {
			case <-ctx.Done():
			case <-time.After(time.Minute):
			}
			return errors.New("not killed")
		}
		return nil
	}
	cfg := toyConfig(out, Shard{0, 1})
	cfg.Workers = 1
	err := Run(context.Background(), toyExperiment(&toyCalls{}, block), cfg)
	t.Fatalf("the helper shard returned %v before it was killed", err)
}

// TestResumeAfterKill kills a shard process with SIGKILL in the middle of
// a part, tears its last record as a kill during a write would, and checks
// that a run with resume computes exactly the tasks whose results were
// lost, and that the merge equals the unsharded run.
func TestResumeAfterKill(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a process of the test binary")
	}
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilledShard$")
	cmd.Env = append(os.Environ(), helperEnv+"="+out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	log := filepath.Join(ShardDir(out, "toy"), "first.0", "0-of-1.log")
	var lg *logContent
	for {
		var err error
		if lg, err = readLog(log); err != nil {
			t.Fatal(err)
		}
		if len(lg.records) == killAt {
			break
		}
		select {
		case <-exited:
			t.Fatalf("the helper shard exited before the kill:\n%s", stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited

	// Tear the last record: keep all but its final checksum byte.
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log, b[:len(b)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	lost := lg.records[killAt-1].task

	calls := &toyCalls{}
	if err := Run(context.Background(), toyExperiment(calls, nil), toyConfig(out, Shard{0, 1})); err != nil {
		t.Fatalf("resumed shard: %v", err)
	}
	for i := range toyFirst {
		want := 1
		if i < killAt && i != lost {
			want = 0 // stored before the kill
		}
		if c := calls.get("first", i); c != want {
			t.Errorf("task %d of the first part computed %d times after the kill, want %d", i, c, want)
		}
	}
	if err := Merge(context.Background(), toyExperiment(calls, nil), Config{Out: out}); err != nil {
		t.Fatal(err)
	}
	ref := t.TempDir()
	if err := Run(context.Background(), toyExperiment(&toyCalls{}, nil), toyConfig(ref, Shard{})); err != nil {
		t.Fatal(err)
	}
	got, err1 := os.ReadFile(filepath.Join(out, "toy", "toy.csv"))
	want, err2 := os.ReadFile(filepath.Join(ref, "toy", "toy.csv"))
	if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
		t.Errorf("the resumed and merged toy.csv differs from the unsharded one (%v, %v)", err1, err2)
	}
}

func TestParseLogTornRecords(t *testing.T) {
	t.Parallel()
	header := appendRecord([]byte(logMagic), append([]byte{3}, "float64"...))
	full := appendRecord(appendRecord(header, []byte{0, 5, 1}), []byte{2, 9, 2})
	for cut := 0; cut <= len(full); cut++ {
		lg, err := parseLog("log", full[:cut])
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		wantRecords := 0
		switch {
		case cut == len(full):
			wantRecords = 2
		case cut >= len(full)-8:
			wantRecords = 1
		}
		if len(lg.records) != wantRecords || lg.valid > int64(cut) {
			t.Errorf("cut at %d of %d: %d records, valid prefix %d", cut, len(full), len(lg.records), lg.valid)
		}
	}
	// A flipped bit fails the checksum: the records from there on are
	// dropped.
	bad := slices.Clone(full)
	bad[len(header)+2] ^= 1
	if lg, err := parseLog("log", bad); err != nil || len(lg.records) != 0 || lg.valid != int64(len(header)) {
		t.Errorf("corrupt first record: %d records, valid %d, %v", len(lg.records), lg.valid, err)
	}
	if _, err := parseLog("log", []byte("not a log at all, but long enough")); err == nil {
		t.Error("parsed a file that is not a shard log")
	}
}

// FuzzParseLog checks that parseLog never panics and never claims more
// than it read.
func FuzzParseLog(f *testing.F) {
	header := appendRecord([]byte(logMagic), append([]byte{3}, "float64"...))
	f.Add(appendRecord(header, []byte{0, 5, 1}))
	f.Add([]byte(logMagic[:5]))
	f.Fuzz(func(t *testing.T, b []byte) {
		lg, err := parseLog("fuzz", b)
		if err == nil && lg.valid > int64(len(b)) {
			t.Fatalf("valid prefix %d of %d bytes", lg.valid, len(b))
		}
	})
}
