package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/optimizers"
)

// raceRows returns the rows of a CSV of the quick run whose model and
// method match (an empty string matches every value).
func raceRows(rows []map[string]string, model, method string) []map[string]string {
	var out []map[string]string
	for _, r := range rows {
		if (model == "" || r["model"] == model) && (method == "" || r["method"] == method) {
			out = append(out, r)
		}
	}
	return out
}

// TestOptimizerRaceQuickClaims checks the quick preset's outputs against
// the claims of the experiment.
func TestOptimizerRaceQuickClaims(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "optimizer-race", 2)
	runs := readCSV(t, filepath.Join(dir, "runs.csv"))
	curves := readCSV(t, filepath.Join(dir, "curves.csv"))
	spectra := readCSV(t, filepath.Join(dir, "spectra.csv"))
	models := readCSV(t, filepath.Join(dir, "models.csv"))
	p := optimizerRacePresets.Quick

	// Every run of every method completes its budget and ends below the
	// loss it started from.
	if len(runs) == 0 {
		t.Fatal("no runs")
	}
	for _, r := range runs {
		name := r["model"] + " " + r["method"] + " seed " + r["seed"]
		if r["status"] != optimizers.IterationLimit.String() {
			t.Errorf("%s: status %s, want %s", name, r["status"], optimizers.IterationLimit)
		}
		var start float64
		found := false
		for _, c := range raceRows(curves, r["model"], r["method"]) {
			if c["seed"] == r["seed"] && c["iteration"] == "0" {
				start, found = num(t, c["loss"]), true
			}
		}
		if !found {
			t.Fatalf("%s: no loss at iteration 0", name)
		}
		if f := num(t, r["final_loss"]); !(f < start) {
			t.Errorf("%s: final loss %v, not below the starting loss %v", name, f, start)
		}
	}

	// The plateau case: on the autoencoder from small weights, saddle-free
	// Newton ends lower than damped Newton after the same number of
	// iterations, from every start, and reaches the threshold.
	const ae = "autoencoder"
	sfn := raceRows(runs, ae, "saddle-free-newton")
	dn := raceRows(runs, ae, "damped-newton")
	if len(sfn) != len(dn) || len(sfn) == 0 {
		t.Fatalf("%d saddle-free and %d damped Newton runs", len(sfn), len(dn))
	}
	for i := range sfn {
		if sfn[i]["iterations"] != dn[i]["iterations"] {
			t.Fatalf("seed %d: %s and %s iterations", i, sfn[i]["iterations"], dn[i]["iterations"])
		}
		s, d := num(t, sfn[i]["final_loss"]), num(t, dn[i]["final_loss"])
		if !(s < d) {
			t.Errorf("seed %d: saddle-free Newton ends at %v, damped Newton at %v after %s iterations", i, s, d, sfn[i]["iterations"])
		}
		if sfn[i]["iterations_to_threshold"] == "" {
			t.Errorf("seed %d: saddle-free Newton does not reach the threshold", i)
		}
	}

	// The start is a saddle: at iteration 0 the exact Hessian has an
	// eigenvalue below -tol on both models. On the autoencoder's plateau
	// (gradient descent's iterates whose loss is still within 1% of the
	// starting loss) it stays one.
	for _, s := range spectra {
		if s["iteration"] == "0" {
			if lo, tol := num(t, s["min_eigenvalue"]), num(t, s["tol"]); !(lo < -tol) || s["index"] == "0" {
				t.Errorf("%s %s: λ_min = %v at the start, index %s (tol %v): not a saddle", s["model"], s["method"], lo, s["index"], tol)
			}
		}
	}
	gd := raceRows(spectra, ae, "gd")
	plateau := 0
	for _, s := range gd {
		if num(t, s["loss"]) < 0.99*num(t, gd[0]["loss"]) {
			continue
		}
		plateau++
		if lo, tol := num(t, s["min_eigenvalue"]), num(t, s["tol"]); !(lo < -tol) {
			t.Errorf("gradient descent on the plateau at iteration %s: λ_min = %v, not below -tol = %v", s["iteration"], lo, -tol)
		}
	}
	if plateau < 2 {
		t.Errorf("gradient descent on the autoencoder has %d spectra on the plateau, want at least 2", plateau)
	}

	// The cost conversion: exact saddle-free Newton evaluates one gradient
	// and one Hessian (P gradients) an iteration, plus the gradient at the
	// start; full-batch gradient descent one gradient an iteration,
	// minibatch SGD batch/N of one.
	for _, mp := range p.Models {
		var params float64
		for _, m := range models {
			if m["model"] == mp.Name {
				params = num(t, m["parameters"])
			}
		}
		for _, tc := range []struct {
			method string
			cost   func(k float64) float64
		}{
			{"saddle-free-newton", func(k float64) float64 { return 1 + k*(params+1) }},
			{"gd", func(k float64) float64 { return k }},
			{"sgd-minibatch", func(k float64) float64 { return k * float64(mp.Batch) / float64(mp.Images) }},
			{"sgd-online", func(k float64) float64 { return k / float64(mp.Images) }},
		} {
			for _, c := range raceRows(curves, mp.Name, tc.method) {
				k := num(t, c["iteration"])
				if got, want := num(t, c["grad_evals"]), tc.cost(k); math.Abs(got-want) > 1e-9*want {
					t.Errorf("%s %s iteration %v: %v gradient evaluations, want %v", mp.Name, tc.method, k, got, want)
				}
			}
		}
	}
}

func TestRaceGrid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		k, points int
		log       bool
		want      []int
	}{
		{k: 4, points: 10, want: []int{0, 1, 2, 3, 4}},
		// 3 log-spaced points 1, 10, 100 and 3 equally spaced 0, 50, 100.
		{k: 100, points: 6, want: []int{0, 1, 10, 50, 100}},
		// 1, 100^(1/3) = 4.64, 100^(2/3) = 21.5, 100.
		{k: 100, points: 5, log: true, want: []int{0, 1, 5, 22, 100}},
		{k: 2, points: 5, log: true, want: []int{0, 1, 2}},
		{k: 100, points: 2, log: true, want: []int{0, 100}},
	} {
		got := raceGrid(tc.k, tc.points)
		if tc.log {
			got = raceLogGrid(tc.k, tc.points)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("grid(%d, %d, log %v) = %v, want %v", tc.k, tc.points, tc.log, got, tc.want)
		}
	}
}

// TestRaceCounter checks the cost convention on a small network: a
// gradient or Hessian-vector product over b of N samples costs b/N, a
// Hessian P·b/N; function values are free.
func TestRaceCounter(t *testing.T) {
	t.Parallel()
	x := mat.NewDense(4, 3, []float64{1, 2, 0.5, -1, 0.3, 2, 0.7, -0.2, 1.1, 0, 1, -1})
	arch := nn.MLP{Sizes: []int{3, 2, 3}}
	net := nn.NewNet(arch, x, x)
	w := arch.Init(nil, nn.GlorotNormal, 1, 7)
	n := float64(len(w))
	c := &raceCounter{data: net}
	g, hv := make([]float64, len(w)), make([]float64, len(w))
	var h mat.SymDense
	b := c.Batch([]int{0, 2, 3})
	b.Func(w)
	if got := c.gradEvals(); got != 0 {
		t.Errorf("after Func: %v gradient evaluations, want 0", got)
	}
	b.Grad(g, w)
	b.HessVec(hv, w, g)
	full := c.full()
	full.Hess(&h, w)
	// 3/4 + 3/4 + P.
	if got, want := c.gradEvals(), 1.5+n; got != want {
		t.Errorf("%v gradient evaluations, want %v", got, want)
	}
	// The wrapped functions compute what the problem does.
	want := make([]float64, len(w))
	net.Batch([]int{0, 2, 3}).Grad(want, w)
	if !floats.Equal(g, want) {
		t.Errorf("counted gradient %v, want %v", g, want)
	}
}

func TestRaceMethodsAndStyles(t *testing.T) {
	t.Parallel()
	p := optimizerRacePresets.Default
	for _, method := range raceMethods {
		m := raceNewMethod(method, 0.1, 10, p)
		m.Init(3)
		raceStyle(method) // panics for a method without a style
		if _, ok := raceRates[method]; ok == raceSecondOrder(method) {
			t.Errorf("%s: has a learning-rate grid %v, second order %v", method, ok, raceSecondOrder(method))
		}
	}
	if s := raceStyle("sgd-online-annealed"); s.Dashes == nil || s.Color == raceStyle("sgd-online").Color {
		t.Errorf("annealed online SGD is not told apart: %+v", s)
	}
	if got := fmt.Sprint(raceSampling("gd-annealed"), raceSampling("sgd-online"), raceSampling("adam"), raceSampling("damped-newton")); got != "fullonlineminibatchfull" {
		t.Errorf("samplings %q", got)
	}
}
