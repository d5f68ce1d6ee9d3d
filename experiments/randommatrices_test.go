package main

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"

	"github.com/critpoint/critpoint/experiments/internal/stats"
	"github.com/critpoint/critpoint/hessian"
)

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("cell %q: %v", s, err)
	}
	return v
}

// TestRandomMatricesQuickClaims checks the quick preset's outputs against
// the theory it reproduces.
func TestRandomMatricesQuickClaims(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "random-matrices", 2)

	// Spectra of size 100-200: KS distance below 0.03. For a single matrix
	// the eigenvalues are rigid, so the distance is dominated by the O(1/N)
	// discreteness of the empirical CDF; at N = 100..200 it is about 0.01-0.02.
	for _, r := range readCSV(t, filepath.Join(dir, "spectra_ks.csv")) {
		name := r["ensemble"] + " " + r["n"] + " " + r["gamma"]
		if ks := num(t, r["ks"]); !(ks < 0.03) {
			t.Errorf("%s: KS distance %v, want < 0.03", name, ks)
		}
		// The first moment tr(M)/n has an exact mean and variance: for the
		// GOE mean 0 and variance 2/N² (diagonal N(0, 2/N)); for Wishart mean
		// 1 and variance 2/(nk) (a sum of nk squared N(0, 1/k) entries over
		// n). Pooling m matrices divides the variance by m.
		size, m := num(t, r["n"]), num(t, r["matrices"])
		sd := math.Sqrt2 / size / math.Sqrt(m)
		if r["ensemble"] == "wishart" {
			sd = math.Sqrt(2/(size*num(t, r["k"]))) / math.Sqrt(m)
		}
		if d := math.Abs(num(t, r["mean"]) - num(t, r["mean_theory"])); d > 4*sd {
			t.Errorf("%s: mean eigenvalue off by %v, more than 4 sd = %v", name, d, 4*sd)
		}
		if r["atom_theory"] != "" && num(t, r["zero_fraction"]) != num(t, r["atom_theory"]) {
			t.Errorf("%s: zero fraction %s, want exactly %s (n - k zero eigenvalues)", name, r["zero_fraction"], r["atom_theory"])
		}
	}

	pd := readCSV(t, filepath.Join(dir, "pd_probability.csv"))
	// N = 2: within the 99% binomial interval of the exact (2 - sqrt 2)/4.
	r := pd[1]
	exact := (2 - math.Sqrt2) / 4
	n := num(t, r["samples"])
	if p := num(t, r["p"]); math.Abs(p-exact) > stats.Z99*math.Sqrt(exact*(1-exact)/n) {
		t.Errorf("P(PD) at N = 2 = %v, outside the 99%% interval of %v with %v samples", p, exact, n)
	}
	// N = 1: 1/2 by symmetry, likewise.
	if p := num(t, pd[0]["p"]); math.Abs(p-0.5) > stats.Z99*math.Sqrt(0.25/num(t, pd[0]["samples"])) {
		t.Errorf("P(PD) at N = 1 = %v, want 1/2", p)
	}
	// Decreasing in N.
	for i := 1; i < len(pd); i++ {
		if num(t, pd[i]["p"]) >= num(t, pd[i-1]["p"]) {
			t.Errorf("P(PD) does not decrease from N = %d to %d", i, i+1)
		}
	}

	// The fit over every N: θ positive and within 20% of ln(3)/4 (the quick
	// run fits N = 1..5, where subleading terms still matter).
	fit := readCSV(t, filepath.Join(dir, "pd_fit.csv"))[0]
	if fit["n_min"] != "1" || fit["theta_fixed"] != "false" {
		t.Fatalf("first fit row %v is not the free fit over all N", fit)
	}
	if theta := num(t, fit["theta"]); math.Abs(theta-thetaDeanMajumdar) > 0.2*thetaDeanMajumdar {
		t.Errorf("fitted θ = %v, want within 20%% of %v", theta, thetaDeanMajumdar)
	}

	// Index fraction: mean 1/2 (the GOE is symmetric), spread shrinking in N.
	sum := readCSV(t, filepath.Join(dir, "index_fraction_summary.csv"))
	for i, r := range sum {
		if m := num(t, r["mean_fraction"]); math.Abs(m-0.5) > 0.01 {
			t.Errorf("N = %s: mean index fraction %v, want 1/2", r["n"], m)
		}
		if i > 0 && num(t, r["sd_fraction"]) >= num(t, sum[i-1]["sd_fraction"]) {
			t.Errorf("index fraction spread does not shrink from N = %s to %s", sum[i-1]["n"], r["n"])
		}
	}
}

func TestSemicircleCDF(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ x, want float64 }{
		{-3, 0}, {-2, 0}, {0, 0.5}, {2, 1}, {5, 1},
		// F(1) = 1/2 + sqrt(3)/(4π) + 1/6.
		{1, 0.5 + math.Sqrt(3)/(4*math.Pi) + 1.0/6},
	} {
		if got := semicircleCDF(tc.x); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("F(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	// The CDF integrates the density; moments m2 = 1, m4 = 2 (s = 1).
	for _, x := range []float64{-1.7, -0.3, 0.9, 1.99} {
		got := quad.Fixed(semicircleDensity, -2, x, 200, nil, 0)
		if math.Abs(got-semicircleCDF(x)) > 1e-5 {
			t.Errorf("∫ρ to %v = %v, F = %v", x, got, semicircleCDF(x))
		}
	}
	m2 := quad.Fixed(func(x float64) float64 { return x * x * semicircleDensity(x) }, -2, 2, 200, nil, 0)
	m4 := quad.Fixed(func(x float64) float64 { return x * x * x * x * semicircleDensity(x) }, -2, 2, 200, nil, 0)
	if math.Abs(m2-1) > 1e-5 || math.Abs(m4-2) > 1e-5 {
		t.Errorf("moments m2 = %v, m4 = %v; want 1, 2", m2, m4)
	}
}

func TestMarchenkoPastur(t *testing.T) {
	t.Parallel()
	// γ = 1 in closed form: with x = u², ρ(x)dx = sqrt(4 - u²)/π du, so
	// F(x) = (u sqrt(4 - u²)/2 + 2 arcsin(u/2))/π, u = sqrt x.
	for _, x := range []float64{0.01, 0.5, 1, 2.5, 3.99} {
		u := math.Sqrt(x)
		want := (u*math.Sqrt(4-u*u)/2 + 2*math.Asin(u/2)) / math.Pi
		if got := (marchenkoPastur{gamma: 1}).cdf(x); math.Abs(got-want) > 1e-13 {
			t.Errorf("γ = 1: F(%v) = %v, want %v", x, got, want)
		}
	}
	for _, gamma := range []float64{0.25, 0.5, 1, 2, 4} {
		mp := marchenkoPastur{gamma: gamma}
		lo, hi := mp.edges()
		// Total mass 1, atom 1 - 1/γ for γ > 1.
		if got := mp.cdf(hi); math.Abs(got-1) > 1e-12 {
			t.Errorf("γ = %v: F(λ₊) = %v, want 1", gamma, got)
		}
		if gamma > 1 && math.Abs(mp.cdf(lo)-(1-1/gamma)) > 1e-15 {
			t.Errorf("γ = %v: F(λ₋) = %v, want the atom %v", gamma, mp.cdf(lo), 1-1/gamma)
		}
		if mp.cdfLeft(0) != 0 {
			t.Errorf("γ = %v: F(0-) = %v, want 0", gamma, mp.cdfLeft(0))
		}
		// Moments of the whole law: E λ = 1, E λ² = 1 + γ, from the
		// continuous part (the atom sits at 0).
		m1 := quad.Fixed(func(x float64) float64 { return x * mp.density(x) }, lo, hi, 400, nil, 0)
		m2 := quad.Fixed(func(x float64) float64 { return x * x * mp.density(x) }, lo, hi, 400, nil, 0)
		if math.Abs(m1-1) > 1e-4 || math.Abs(m2-(1+gamma)) > 1e-4 {
			t.Errorf("γ = %v: moments %v, %v; want 1, %v", gamma, m1, m2, 1+gamma)
		}
		// The quadrature CDF agrees with a direct integral of the density
		// (not at γ = 1, where the density diverges like x^(-1/2) at 0).
		if gamma != 1 {
			x := lo + 0.37*(hi-lo)
			direct := quad.Fixed(mp.density, lo, x, 2000, nil, 0)
			if math.Abs(direct-mp.continuousCDF(x)) > 1e-6 {
				t.Errorf("γ = %v: ∫ρ to %v = %v, continuousCDF = %v", gamma, x, direct, mp.continuousCDF(x))
			}
		}
	}
}

// TestIsPositiveDefinite compares the early-stopping Cholesky test with the
// inertia of a matrix redrawn from an identical stream. When the test stops
// at row i, the redrawn matrix shares its leading (i+1)×(i+1) block, which is
// not positive definite, so neither is the whole matrix.
func TestIsPositiveDefinite(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 6; n++ {
		var hits int
		l := make([]float64, n*n)
		for trial := range 1000 {
			got := isPositiveDefinite(n, rand.New(rand.NewPCG(uint64(n), uint64(trial))), l)
			// Redraw in the same order: row i, entries j < i, then the
			// diagonal.
			rng := rand.New(rand.NewPCG(uint64(n), uint64(trial)))
			a := mat.NewSymDense(n, nil)
			for i := range n {
				for j := range i {
					a.SetSym(i, j, rng.NormFloat64())
				}
				a.SetSym(i, i, math.Sqrt2*rng.NormFloat64())
			}
			in, err := hessian.InertiaOf(a, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := in.Pos == n; got != want {
				t.Errorf("n = %d, trial %d: isPositiveDefinite = %v, inertia %+v", n, trial, got, in)
			}
			if got {
				hits++
			}
		}
		// At least one positive definite draw where P(PD) * 1000 >= 20
		// (P = 0.025 at n = 3).
		if n <= 3 && hits == 0 {
			t.Errorf("n = %d: no positive definite draw in 1000", n)
		}
	}
}

// BenchmarkIsPositiveDefinite measures one Monte Carlo draw, the cost that
// sets the sample counts of the presets.
func BenchmarkIsPositiveDefinite(b *testing.B) {
	for _, n := range []int{2, 7} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			l := make([]float64, n*n)
			for b.Loop() {
				isPositiveDefinite(n, rng, l)
			}
		})
	}
}
