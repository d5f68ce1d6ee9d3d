package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func testEnv(t *testing.T, workers int) *Env {
	t.Helper()
	env, err := NewEnv("test-experiment", Config{Preset: Quick, Seed: 7, Workers: workers, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestMapTaskOrderIndependentOfWorkers(t *testing.T) {
	t.Parallel()
	const n = 50
	task := func(_ context.Context, i int, rng *rand.Rand) ([]float64, error) {
		v := make([]float64, 1+i%3)
		for j := range v {
			v[j] = rng.Float64()
		}
		return v, nil
	}
	want, err := Map(context.Background(), testEnv(t, 1), "part", n, task)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range want {
		// Task i's values are the first draws of its own stream.
		rng := Stream(7, "test-experiment", "part", i)
		if v[0] != rng.Float64() {
			t.Fatalf("task %d did not use Stream(seed, experiment, part, %d)", i, i)
		}
	}
	for _, workers := range []int{2, 3, 8, 100} {
		got, err := Map(context.Background(), testEnv(t, workers), "part", n, task)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("workers=%d: results differ from workers=1", workers)
		}
	}
}

func TestMapZeroTasks(t *testing.T) {
	t.Parallel()
	got, err := Map(context.Background(), testEnv(t, 2), "none", 0, func(context.Context, int, *rand.Rand) (int, error) {
		t.Error("task called")
		return 0, nil
	})
	if err != nil || len(got) != 0 {
		t.Errorf("Map of no tasks = %v, %v; want empty, nil", got, err)
	}
}

func TestMapReturnsLowestIndexedError(t *testing.T) {
	t.Parallel()
	errBad := errors.New("bad task")
	for _, workers := range []int{1, 4} {
		_, err := Map(context.Background(), testEnv(t, workers), "part", 20, func(ctx context.Context, i int, _ *rand.Rand) (int, error) {
			if i == 5 || i == 6 {
				return 0, errBad
			}
			return i, nil
		})
		if !errors.Is(err, errBad) {
			t.Fatalf("workers=%d: err = %v, want %v", workers, err, errBad)
		}
		// With one worker, tasks run in order and stop at task 5.
		if workers == 1 && !strings.Contains(err.Error(), "task 5") {
			t.Errorf("workers=1: error %q does not name task 5", err)
		}
	}
}

func TestMapCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int64
	_, err := Map(ctx, testEnv(t, 2), "part", 1000, func(ctx context.Context, i int, _ *rand.Rand) (int, error) {
		// Both workers block in their first task; the second cancels.
		if started.Add(1) == 2 {
			cancel()
		}
		<-ctx.Done()
		return 0, ctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if s := started.Load(); s > 2 {
		t.Errorf("%d tasks started after cancellation with 2 workers", s)
	}
}

func TestStreamsDiffer(t *testing.T) {
	t.Parallel()
	first := func(seed uint64, exp, part string, i int) uint64 { return Stream(seed, exp, part, i).Uint64() }
	base := first(1, "e", "p", 0)
	if base != first(1, "e", "p", 0) {
		t.Fatal("Stream is not deterministic")
	}
	seen := map[uint64]string{base: "base"}
	for name, v := range map[string]uint64{
		"seed":       first(2, "e", "p", 0),
		"experiment": first(1, "f", "p", 0),
		"part":       first(1, "e", "q", 0),
		"index":      first(1, "e", "p", 1),
	} {
		if prev, dup := seen[v]; dup {
			t.Errorf("changing the %s gives the same stream as %s", name, prev)
		}
		seen[v] = name
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "a,b\n1,2\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the previous content and no temporary file,
	// even after writing part of its output.
	errFail := errors.New("disk on fire")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return errFail
	})
	if !errors.Is(err, errFail) {
		t.Errorf("err = %v, want %v", err, errFail)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "a,b\n1,2\n" {
		t.Errorf("content after failed write = %q", b)
	}
	assertOnlyFiles(t, dir, "out.csv")
}

func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("files in %s = %v, want %v", dir, got, want)
	}
}

func TestTableFormatting(t *testing.T) {
	t.Parallel()
	tab := NewTable("name", "int", "float", "missing", "flag")
	tab.Row("plain", 3, 0.1, nil, true)
	tab.Row("with, comma", int64(-4), 1e-20, nil, false)
	tab.Row(`quote"d`, uint64(5), math.NaN(), nil, false)
	tab.Row("inf", 0, math.Inf(-1), nil, false)
	tab.Row("third", 0, 1.0/3, nil, false)
	var buf bytes.Buffer
	if _, err := tab.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	// Shortest round-trip forms: strconv.FormatFloat(v, 'g', -1, 64).
	want := `name,int,float,missing,flag
plain,3,0.1,,true
"with, comma",-4,1e-20,,false
"quote""d",5,NaN,,false
inf,0,-Inf,,false
third,0,0.3333333333333333,,false
`
	if buf.String() != want {
		t.Errorf("table =\n%s\nwant\n%s", buf.String(), want)
	}
	if tab.Len() != 5 {
		t.Errorf("Len = %d, want 5", tab.Len())
	}
}

func TestRound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v      float64
		digits int
		want   float64
	}{
		{0.0022040757052949056, 10, 0.002204075705},
		{0.0022040757052946836, 10, 0.002204075705},
		{1.0012352645581706, 6, 1.00124},
		{-2.6e-300, 1, -3e-300},
		{math.Inf(1), 3, math.Inf(1)},
	} {
		if got := Round(tc.v, tc.digits); got != tc.want {
			t.Errorf("Round(%v, %d) = %v, want %v", tc.v, tc.digits, got, tc.want)
		}
	}
}

func TestTablePanics(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func(){
		"arity":     func() { NewTable("a", "b").Row(1) },
		"type":      func() { NewTable("a").Row(float32(1)) },
		"no column": func() { NewTable() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestPresets(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"quick", "default", "full"} {
		p, err := ParsePreset(s)
		if err != nil || string(p) != s {
			t.Errorf("ParsePreset(%q) = %q, %v", s, p, err)
		}
	}
	if _, err := ParsePreset("huge"); err == nil {
		t.Error("ParsePreset(huge): no error")
	}
	ps := Presets[int]{Quick: 1, Default: 2, Full: 3}
	for preset, want := range map[Preset]int{Quick: 1, Default: 2, Full: 3} {
		env := &Env{Preset: preset}
		if got := Params(env, ps); got != want || env.params != want {
			t.Errorf("Params at %s = %d (recorded %v), want %d", preset, got, env.params, want)
		}
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	var r Registry
	run := func(context.Context, *Env) error { return nil }
	r.Add(Experiment{Name: "zeta", Summary: "z", Run: run})
	r.Add(Experiment{Name: "alpha-2", Summary: "a", Run: run})
	var names []string
	for _, e := range r.All() {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"alpha-2", "zeta"}) {
		t.Errorf("All = %v, want sorted [alpha-2 zeta]", names)
	}
	if _, ok := r.Lookup("zeta"); !ok {
		t.Error("Lookup(zeta) failed")
	}
	if _, ok := r.Lookup("beta"); ok {
		t.Error("Lookup(beta) found an experiment")
	}
	for name, e := range map[string]Experiment{
		"duplicate":  {Name: "zeta", Run: run},
		"upper case": {Name: "Zeta", Run: run},
		"space":      {Name: "a b", Run: run},
		"hyphens":    {Name: "a--b", Run: run},
		"empty":      {Name: "", Run: run},
		"no run":     {Name: "norun"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Add did not panic", name)
				}
			}()
			r.Add(e)
		}()
	}
}

func TestRunWritesOutputsAndMeta(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	type params struct {
		Draws int `json:"draws"`
	}
	e := Experiment{Name: "demo", Summary: "demo", Run: func(ctx context.Context, env *Env) error {
		p := Params(env, Presets[params]{Quick: params{3}, Default: params{30}, Full: params{300}})
		vals, err := Map(ctx, env, "draws", p.Draws, func(_ context.Context, i int, rng *rand.Rand) (float64, error) {
			return rng.NormFloat64(), nil
		})
		if err != nil {
			return err
		}
		tab := NewTable("i", "value")
		for i, v := range vals {
			tab.Row(i, v)
		}
		if err := env.WriteCSV("values.csv", tab); err != nil {
			return err
		}
		pl := plot.New()
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: vals[0]}, {X: 1, Y: vals[1]}})
		if err != nil {
			return err
		}
		pl.Add(l)
		return env.WritePlot("line", 8*vg.Centimeter, 6*vg.Centimeter, pl)
	}}
	var log bytes.Buffer
	if err := Run(context.Background(), e, Config{Preset: Quick, Seed: 3, Out: out, Progress: NewProgress(&log, false)}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "demo")
	assertOnlyFiles(t, dir, "values.csv", "line.png", "line.svg", "line.pdf", "meta.json")
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Meta
		Params params `json:"params"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Experiment != "demo" || m.Preset != Quick || m.Seed != 3 || m.Params.Draws != 3 ||
		m.ToolkitVersion != Version || !strings.HasPrefix(m.GoVersion, "go") || m.WallSeconds < 0 ||
		!slices.Equal(m.Files, []string{"line.pdf", "line.png", "line.svg", "values.csv"}) {
		t.Errorf("meta.json = %s", b)
	}
	if !strings.Contains(log.String(), "demo/draws: 3/3 tasks") {
		t.Errorf("progress output %q lacks the final count", log.String())
	}
}

func TestRunFailureWritesNoMeta(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	errFail := errors.New("no luck")
	err := Run(context.Background(), Experiment{Name: "fails", Run: func(context.Context, *Env) error { return errFail }}, Config{Out: out})
	if !errors.Is(err, errFail) {
		t.Errorf("err = %v, want %v", err, errFail)
	}
	assertOnlyFiles(t, filepath.Join(out, "fails"))
}

func TestFiguresAreReproducible(t *testing.T) {
	t.Parallel()
	render := func() map[string][]byte {
		env := testEnv(t, 1)
		pl := plot.New()
		pl.Title.Text = "title"
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: 3}, {X: 2, Y: 2}})
		if err != nil {
			t.Fatal(err)
		}
		pl.Add(l)
		if err := env.WritePlots("grid", 12*vg.Centimeter, 6*vg.Centimeter, [][]*plot.Plot{{pl, nil}}); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, ext := range figureFormats {
			b, err := os.ReadFile(env.Path("grid." + ext))
			if err != nil {
				t.Fatal(err)
			}
			files[ext] = b
		}
		return files
	}
	a, b := render(), render()
	for _, ext := range figureFormats {
		if len(a[ext]) == 0 || !bytes.Equal(a[ext], b[ext]) {
			t.Errorf("%s figure differs between identical renderings", ext)
		}
	}
}

func TestProgressPlainLines(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := NewProgress(&buf, false)
	c := p.Start("exp/part", 3)
	c.Add(1)
	c.Add(2)
	c.Done()
	p.Logf("note %d", 1)
	out := buf.String()
	if !strings.Contains(out, "exp/part: 3/3 tasks") || !strings.HasSuffix(out, "note 1\n") {
		t.Errorf("output %q", out)
	}
	if strings.Contains(out, "\r") {
		t.Error("plain output contains carriage returns")
	}
	var nilP *Progress
	nilP.Start("x", 1).Add(1) // no-op, no panic
	nilP.Logf("x")
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := NewProgress(&buf, true).Start("exp/part", 4)
	c.Add(2)
	c.Add(2)
	c.Done()
	out := buf.String()
	if !strings.Contains(out, "\rexp/part [") || !strings.Contains(out, "4/4 tasks") || !strings.HasSuffix(out, "\n") {
		t.Errorf("bar output %q", out)
	}
}
