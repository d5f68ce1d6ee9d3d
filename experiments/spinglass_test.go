package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/landscape"
	"github.com/critpoint/critpoint/hessian"
)

// TestSpinGlassBandKnownAnswers checks the band edges against REFERENCES.md
// ("Spherical spin glass"): p = 3, E₀ = 1.656998 and E∞ = 1.632993; p = 4,
// E₀ = 1.794085 and E∞ = 1.732051.
func TestSpinGlassBandKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p      int
		lo, hi float64
	}{
		{3, -1.656998, -1.632993},
		{4, -1.794085, -1.732051},
	} {
		lo, hi := sgBand(c.p)
		if math.Abs(lo-c.lo) > 5e-7 || math.Abs(hi-c.hi) > 5e-7 {
			t.Errorf("p = %d: band [%.7f, %.7f], want [%.6f, %.6f]", c.p, lo, hi, c.lo, c.hi)
		}
	}
}

// TestSpinGlassDescentTwoSpin checks the descent and its certificate where
// the answer is known: the spherical 2-spin glass H(σ) = σᵀAσ has the
// eigenvectors of A as its only critical points on the sphere, with H/N =
// λ(A), and its only local minimum is the ground state, λ_min(A) = λ_min(∇²H)/2.
// Descent from almost every start ends there, certified, with index 0.
func TestSpinGlassDescentTwoSpin(t *testing.T) {
	t.Parallel()
	const n = 30
	sg := landscape.NewSpinGlass(n, 2, 11)
	var h mat.SymDense
	if err := hessian.Exact(&h, sg.Euclidean(), make([]float64, n)); err != nil {
		t.Fatal(err)
	}
	eigs, err := hessian.Eigenvalues(&h)
	if err != nil {
		t.Fatal(err)
	}
	want := eigs[0] / 2
	p := spinGlassPresets.Quick
	rng := rand.New(rand.NewPCG(3, 4))
	for run := range 3 {
		// η = StepFactor/(4 sqrt(2)): the Hessian at the ground state has
		// eigenvalues 2(λ_i - λ_min) <= 2·(2 sqrt 2) at large N.
		r, err := sgDescend(context.Background(), sg, sg.RandomPoint(nil, rng), p.StepFactor/(4*math.Sqrt2), p)
		if err != nil {
			t.Fatal(err)
		}
		if !r.certified {
			t.Fatalf("run %d: end point not certified (polish %v)", run, r.polishStatus)
		}
		if math.Abs(r.energy-want) > 1e-12 {
			t.Errorf("run %d: H/N = %.15f, want λ_min(A) = %.15f", run, r.energy, want)
		}
		c := r.analysis.Classification
		if c.Kind != critical.Minimum || c.Index != 0 || len(c.Eigenvalues) != n-1 {
			t.Errorf("run %d: %v with index %d and %d eigenvalues, want a minimum on the %d-dimensional tangent space", run, c.Kind, c.Index, len(c.Eigenvalues), n-1)
		}
		// The Riemannian Hessian at the ground state has eigenvalues
		// 2(λ_i(A) - λ_min(A)), i >= 2 (Absil, Mahony & Sepulchre 2008, §5.5).
		for i, l := range c.Eigenvalues {
			if w := eigs[i+1] - eigs[0]; math.Abs(l-w) > 1e-9 {
				t.Errorf("run %d: tangent eigenvalue %d = %.12f, want %.12f", run, i, l, w)
				break
			}
		}
	}
}

// TestSpinGlassQuick runs the quick preset and checks the experiment's
// claims in its summary tables.
func TestSpinGlassQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "spin-glass", 2) // shared with TestWorkersGiveIdenticalResults

	// Every descent ends at a certified local minimum (index 0 on the
	// tangent space). The energies per spin lie within O(N^-1/2) of the
	// band [-E₀, -E∞]: N^-1/2 is the standard deviation of H/N at any fixed
	// point of the sphere, the natural scale of finite-N fluctuations. The
	// allowance is 3 N^-1/2 above the band (the gap of the mean is about
	// 0.8 N^-1/2) and N^-1/2 below it (a few glasses at N = 50 have
	// minima 0.1 below -E₀).
	for _, r := range readCSV(t, filepath.Join(dir, "spin_glass_runs.csv")) {
		if r["certified"] != "true" || r["kind"] != "minimum" || r["index"] != "0" {
			t.Errorf("p = %s, N = %s, glass %s, run %s: certified %s, %s of index %s; want a certified minimum",
				r["p"], r["n"], r["glass"], r["run"], r["certified"], r["kind"], r["index"])
			continue
		}
		p, n, en := int(numOrNaN(t, r["p"])), numOrNaN(t, r["n"]), numOrNaN(t, r["energy"])
		lo, hi := sgBand(p)
		if s := 1 / math.Sqrt(n); !(en > lo-s && en < hi+3*s) {
			t.Errorf("p = %d, N = %v: H/N = %.4f outside [-E₀ - N^-1/2, -E∞ + 3 N^-1/2] = [%.4f, %.4f]", p, n, en, lo-s, hi+3*s)
		}
	}

	// As N grows, the mean end point approaches the band and the spread
	// of the energies shrinks (Choromanska et al. 2015). Compared between
	// the smallest and the largest N of each p: at quick size the gaps of
	// neighbouring sizes differ by about one standard error.
	sum := readCSV(t, filepath.Join(dir, "spin_glass_summary.csv"))
	first := map[string]map[string]string{}
	last := map[string]map[string]string{}
	for _, r := range sum {
		if first[r["p"]] == nil {
			first[r["p"]] = r
		}
		last[r["p"]] = r
	}
	for p, a := range first {
		b := last[p]
		if a["n"] == b["n"] {
			continue
		}
		if ga, gb := numOrNaN(t, a["gap_mean"]), numOrNaN(t, b["gap_mean"]); !(gb < ga) {
			t.Errorf("p = %s: mean gap above -E∞ %.4f at N = %s, %.4f at N = %s: not shrinking", p, ga, a["n"], gb, b["n"])
		}
		if sa, sb := numOrNaN(t, a["std"]), numOrNaN(t, b["std"]); !(sb < sa) {
			t.Errorf("p = %s: std of H/N %.4f at N = %s, %.4f at N = %s: not shrinking", p, sa, a["n"], sb, b["n"])
		}
	}

	// The network side, loosely at quick size (4 runs per width): the test
	// losses of the widest networks spread less than those of the narrowest.
	nets := readCSV(t, filepath.Join(dir, "network_summary.csv"))
	if sa, sb := numOrNaN(t, nets[0]["test_loss_std"]), numOrNaN(t, nets[len(nets)-1]["test_loss_std"]); !(sb < sa) {
		t.Errorf("test-loss std %.4f with %s hidden units, %.4f with %s: not shrinking", sa, nets[0]["hidden"], sb, nets[len(nets)-1]["hidden"])
	}
}

// Example_sgBand prints the band of energies per spin where the local
// minima of the spherical 3- and 4-spin glasses concentrate as N → ∞.
func Example_sgBand() {
	for _, p := range []int{3, 4} {
		lo, hi := sgBand(p)
		fmt.Printf("p = %d: [%.6f, %.6f]\n", p, lo, hi)
	}
	// Output:
	// p = 3: [-1.656998, -1.632993]
	// p = 4: [-1.794085, -1.732051]
}
