package main

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/critpoint/critpoint/experiments/internal/harness"
)

func TestInterpMaxRise(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		f        []float64
		rise     float64
		from, to int
	}{
		{name: "decreasing", f: []float64{5, 4, 3, 1}, rise: 0},
		{name: "constant", f: []float64{2, 2, 2}, rise: 0},
		{name: "one bump", f: []float64{5, 3, 4, 1}, rise: 1, from: 1, to: 2},
		// The rise is measured from the lowest earlier value, not the
		// previous one: 2 → 4.5 across a smaller dip and bump.
		{name: "largest over a gap", f: []float64{5, 2, 3, 2.5, 4.5, 0}, rise: 2.5, from: 1, to: 4},
		{name: "increasing", f: []float64{0, 1, 3}, rise: 3, from: 0, to: 2},
	} {
		rise, from, to := interpMaxRise(c.f)
		if rise != c.rise || (c.rise > 0 && (from != c.from || to != c.to)) {
			t.Errorf("%s: rise %g from %d to %d, want %g from %d to %d", c.name, rise, from, to, c.rise, c.from, c.to)
		}
	}
}

// TestInterpolationQuick runs the quick preset and checks its claims in its
// tables.
func TestInterpolationQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "interpolation", 2)
	seen := map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(dir, "summary.csv")) {
		name := r["case"] + " " + r["split"]
		seen[name] = true
		// The ends of the line are the initial and the trained parameters
		// exactly: (1 − 0)θ0 + 0·θ1 = θ0 and 0·θ0 + 1·θ1 = θ1.
		if a, b := numOrNaN(t, r["loss_line_0"]), numOrNaN(t, r["loss_init"]); a != b {
			t.Errorf("%s: loss at a = 0 is %v, initial loss %v", name, a, b)
		}
		if a, b := numOrNaN(t, r["loss_line_1"]), numOrNaN(t, r["loss_final"]); a != b {
			t.Errorf("%s: loss at a = 1 is %v, trained loss %v", name, a, b)
		}
		if r["split"] != "train" {
			continue
		}
		// Training lowered the loss.
		if !(numOrNaN(t, r["loss_final"]) < 0.1*numOrNaN(t, r["loss_init"])) {
			t.Errorf("%s: trained loss %s not below a tenth of the initial %s", name, r["loss_final"], r["loss_init"])
		}
		// Goodfellow et al.: for small networks the training loss falls
		// along the line without a barrier. The deep linear nets are held
		// to their measured monotonicity (no rise at all on the grid of
		// the committed runs) within 1e-3 of the drop J(0) − J(1).
		if r["case"] == "linear-small" || r["case"] == "linear-orthogonal-4" {
			if rel := numOrNaN(t, r["max_rise_relative"]); !(rel <= 1e-3) {
				t.Errorf("%s: training loss rises by %s (%.3g of the drop) along the line", name, r["max_rise"], rel)
			}
		}
	}
	for _, want := range []string{"mlp-teacher train", "mlp-teacher test", "linear-small train", "linear-orthogonal-4 train"} {
		if !seen[want] {
			t.Errorf("summary.csv has no row %q", want)
		}
	}

	// Near the origin, where the small start lies, the one-hidden-layer
	// net is at the saddle of index 32 of 128 (deep-linear's
	// TestSaxeOriginHessian): at the loose tolerance exactly those
	// directions are negative.
	for _, r := range readCSV(t, filepath.Join(dir, "hessian.csv")) {
		if r["case"] == "linear-small" && r["alpha"] == "0" {
			if got := numOrNaN(t, r["index_loose"]); got != 32 {
				t.Errorf("linear-small at a = 0: loose index %v, want 32", got)
			}
			if got := numOrNaN(t, r["min_eigenvalue"]); math.Abs(got+3) > 0.01 {
				t.Errorf("linear-small at a = 0: minimum eigenvalue %v, want about -3", got)
			}
		}
	}
}

// TestInterpolationMNIST trains the MLP case on a small MNIST subset, the
// data of the default preset, which the quick preset replaces.
func TestInterpolationMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST")
	}
	t.Parallel()
	env, err := harness.NewEnv("interpolation", harness.Config{Preset: harness.Quick, Seed: 1, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	p := interpolationPresets.Default
	p.TrainSamples, p.TestSamples, p.Steps = 200, 100, 200
	c, err := interpMLPCase(env, p)
	if err != nil {
		t.Fatal(err)
	}
	if c.name != "mlp-mnist" || len(c.x0) != 1120 {
		t.Fatalf("case %s with %d parameters, want mlp-mnist with 100·10+10+10·10+10 = 1120", c.name, len(c.x0))
	}
	w, err := c.fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A softmax over 10 classes starts near ln 10 ≈ 2.3; 200 Adam steps on
	// 200 images fit them well below that.
	f0, f1 := c.train.Func(c.x0), c.train.Func(w)
	if !(f1 < 0.5*f0) || math.IsNaN(f1) {
		t.Errorf("training loss %g after training from %g", f1, f0)
	}
	tr, _ := c.errorRate(w)
	if e := tr.(float64); !(e < 0.2) {
		t.Errorf("training error %g after training", e)
	}
}
