package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/landscape"
)

// TestIndexEnergyTheoryKnownAnswers checks the curve the experiment compares
// with: α at x = ε/ε_c = 0.99, 0.9, 0.75, 0.5, 0.25, 0, -0.5 takes the values
// listed in REFERENCES.md ("Index versus energy"), with ε_c = -2 for the
// field's covariance f(u) = exp(-u): F0 = 1, F1 = -1, F2 = 1.
func TestIndexEnergyTheoryKnownAnswers(t *testing.T) {
	t.Parallel()
	cov := landscape.NewRandomField(3, 16, 1).Covariance()
	if got := cov.CriticalEnergy(); got != -2 {
		t.Fatalf("ε_c = %v, want -2", got)
	}
	for _, c := range []struct{ x, alpha float64 }{
		{0.99, 0.000599}, {0.9, 0.018693}, {0.75, 0.072147}, {0.5, 0.195501},
		{0.25, 0.342519}, {0, 0.5}, {-0.5, 0.804499},
	} {
		eps := c.x * cov.CriticalEnergy()
		if got := cov.BrayDeanIndex(eps); math.Abs(got-c.alpha) > 5e-7 {
			t.Errorf("α(ε = %g) = %.7f, want %.6f", eps, got, c.alpha)
		}
	}
	// The spectrum centre (F1/F0) ε reaches the semicircle's radius
	// 2 sqrt(F2) exactly at ε_c, where the last eigenvalue turns positive.
	if mu, r := cov.HessianShift(cov.CriticalEnergy()), cov.SemicircleRadius(); mu != r {
		t.Errorf("centre at ε_c = %v, radius %v: want equal", mu, r)
	}
}

// TestIndexEnergySearchCertifies runs the experiment's search (gradient-norm
// minimisation, then pure Newton) from a point of a descent run on an N = 30
// field and checks the certified point against its own definition: the
// gradient below the threshold and the index equal to the number of
// negative eigenvalues of the exact Hessian. From this start the search
// converges; from others (after 25 or 40 descent steps) it ends at a
// gradient-flat point, as about half the searches of the experiment do.
func TestIndexEnergySearchCertifies(t *testing.T) {
	t.Parallel()
	f := landscape.NewRandomField(30, 2400, 7)
	p := f.Problem()
	x := make([]float64, 30)
	for i := range x {
		x[i] = 0.3 * float64(i%7-3) // an arbitrary start with unequal coordinates
	}
	g := make([]float64, 30)
	for range 5 {
		p.Grad(g, x)
		for i := range x {
			x[i] -= 0.05 * g[i]
		}
	}
	find, err := critical.Find(p, x, &critical.FindSettings{Method: critical.GradientNorm, MaxIterations: 300})
	if err != nil {
		t.Fatal(err)
	}
	if !find.Converged {
		t.Fatalf("gradient-norm search ended %v, ||g|| = %g", find.Status, find.GradNorm)
	}
	pol, err := critical.Find(p, find.X, &critical.FindSettings{Method: critical.Newton, MaxIterations: 20, GradTol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	r := ieResult{find: find, final: pol, polished: true}
	if !r.certified() {
		t.Fatalf("polished point not certified: %v, ||g|| = %g, nullity %d", pol.Status, pol.GradNorm, pol.Classification.Nullity)
	}
	p.Grad(g, pol.X)
	if gg := floats.Dot(g, g); !(gg < 1e-10) {
		t.Errorf("||g||² = %g at the certified point", gg)
	}
	a, err := critical.Analyze(p, pol.X, nil)
	if err != nil {
		t.Fatal(err)
	}
	neg := 0
	for _, l := range a.Classification.Eigenvalues {
		if l < 0 {
			neg++
		}
	}
	if neg != pol.Classification.Index {
		t.Errorf("index %d, but the exact Hessian has %d negative eigenvalues", pol.Classification.Index, neg)
	}
}

// TestIndexEnergyQuick runs the quick preset and checks the experiment's
// claims in its summary table.
func TestIndexEnergyQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "index-energy", 2) // shared with TestWorkersGiveIdenticalResults
	rows := readCSV(t, filepath.Join(dir, "summary.csv"))
	if len(rows) != len(indexEnergyPresets.Quick.Dims) {
		t.Fatalf("summary has %d rows, want %d", len(rows), len(indexEnergyPresets.Quick.Dims))
	}
	for _, r := range rows {
		n := numOrNaN(t, r["n"])
		// Enough certified, distinct critical points to measure a trend.
		if d := numOrNaN(t, r["distinct"]); !(d >= 10) {
			t.Errorf("N = %v: %v certified distinct critical points, want at least 10", n, d)
		}
		// Bray & Dean: the index rises monotonically with the energy.
		if rho := numOrNaN(t, r["spearman"]); !(rho > 0.8) {
			t.Errorf("N = %v: Spearman ρ(ε, α) = %.3f, want > 0.8", n, rho)
		}
		// The index is an integer, so α moves in steps of 1/N: the mean
		// deviation from the N → ∞ curve stays below one step.
		if mad := numOrNaN(t, r["mean_abs_dev"]); !(mad < 1/n) {
			t.Errorf("N = %v: mean |α - α_BD| = %.4f, want < 1/N = %.4f", n, mad, 1/n)
		}
		// The convention check: the spectrum centre moves as (F1/F0) ε =
		// -ε and the radius is 2 sqrt(F2) = 2. A factor 2 wrong in ε_c
		// would give a slope of -1/2 or -2, or a radius of 1 or 4.
		if s, want := numOrNaN(t, r["shift_slope"]), numOrNaN(t, r["shift_slope_theory"]); !(math.Abs(s-want) < 0.25) {
			t.Errorf("N = %v: spectrum centre slope %.3f, want %v ± 0.25", n, s, want)
		}
		if rad, want := numOrNaN(t, r["radius_mean"]), numOrNaN(t, r["radius_theory"]); !(math.Abs(rad/want-1) < 0.25) {
			t.Errorf("N = %v: spectrum radius %.3f, want %v within 25%%", n, rad, want)
		}
	}
	// Every certified point of the points table meets the threshold.
	for _, r := range readCSV(t, filepath.Join(dir, "points.csv")) {
		if r["certified"] == "true" && !(numOrNaN(t, r["grad_norm"])*numOrNaN(t, r["grad_norm"]) < numOrNaN(t, r["grad_tol"])) {
			t.Errorf("certified point with ||g|| = %s, threshold %s on ||g||²", r["grad_norm"], r["grad_tol"])
		}
	}
}

// Example_indexEnergyTheory prints the Bray & Dean index fraction of the
// random fields of the experiment at a few energies per dimension.
func Example_indexEnergyTheory() {
	cov := landscape.NewRandomField(3, 16, 1).Covariance()
	for _, eps := range []float64{-2, -1, 0, 1, 2} {
		fmt.Printf("ε = %2g: α = %.4f\n", eps, cov.BrayDeanIndex(eps))
	}
	// Output:
	// ε = -2: α = 0.0000
	// ε = -1: α = 0.1955
	// ε =  0: α = 0.5000
	// ε =  1: α = 0.8045
	// ε =  2: α = 1.0000
}

// BenchmarkIndexEnergySearch measures one search of the experiment at the
// default settings: gradient-norm minimisation to ||g||² < 1e-4 from a
// perturbed iterate of a descent run, then pure Newton to 1e-10, each
// ending in critical.Analyze with its distance estimate. The searches of one
// iteration start from eight points of one field; s/search is the time per
// search (on one core with -cpu 1). N = 300 takes about 200 s per
// iteration: run it with -benchtime 1x.
func BenchmarkIndexEnergySearch(b *testing.B) {
	for _, n := range []int{20, 100, 150, 300} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			f := landscape.NewRandomField(n, 80*n, 7)
			pr := f.Problem()
			rng := rand.New(rand.NewPCG(uint64(n), 3))
			var starts [][]float64
			g := make([]float64, n)
			for r := range 8 {
				x := make([]float64, n)
				for j := range x {
					x[j] = rng.NormFloat64()
				}
				for range 10 * r {
					pr.Grad(g, x)
					floats.AddScaled(x, -0.05, g)
				}
				for j := range x {
					x[j] += 0.05 * rng.NormFloat64()
				}
				starts = append(starts, x)
			}
			findSet := &critical.FindSettings{Method: critical.GradientNorm, MaxIterations: 500, GradTol: 1e-4}
			polishSet := &critical.FindSettings{Method: critical.Newton, MaxIterations: 20, GradTol: 1e-10}
			for b.Loop() {
				for _, x := range starts {
					pt, err := critical.Find(pr, x, findSet)
					if err != nil {
						b.Fatal(err)
					}
					if pt.Converged {
						if _, err := critical.Find(pr, pt.X, polishSet); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N*len(starts)), "s/search")
		})
	}
}
