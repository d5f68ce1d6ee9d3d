package critical_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// mfQuadratic returns f(x) = ½ (x-c)ᵀ A (x-c) + 1 with A = Q diag(vals) Qᵀ
// for a random orthogonal Q and a random centre c, with Func, Grad and
// HessVec but no Hess: a problem with a known spectrum, vals, whose only
// critical point is c.
func mfQuadratic(vals []float64, seed uint64) (p hessian.Problem, c []float64) {
	rnd := rand.New(rand.NewPCG(seed, 1))
	n := len(vals)
	a := conjugate(randomOrthogonal(n, rnd), vals)
	c = make([]float64, n)
	for i := range c {
		c[i] = rnd.NormFloat64()
	}
	mul := func(dst, v []float64) {
		mat.NewVecDense(n, dst).MulVec(a, mat.NewVecDense(n, v))
	}
	p = hessian.Problem{
		Func: func(x []float64) float64 {
			d := make([]float64, n)
			floats.SubTo(d, x, c)
			ad := make([]float64, n)
			mul(ad, d)
			return 0.5*floats.Dot(d, ad) + 1
		},
		Grad: func(g, x []float64) {
			d := make([]float64, n)
			floats.SubTo(d, x, c)
			mul(g, d)
		},
		HessVec: func(hv, _, v []float64) { mul(hv, v) },
	}
	return p, c
}

// mfDiagProblem returns f(x) = ½ Σ d_i x_i², whose Hessian is diag(d), with
// HessVec only: a cheap problem of any dimension.
func mfDiagProblem(d []float64) hessian.Problem {
	return hessian.Problem{
		Func: func(x []float64) float64 {
			var f float64
			for i, v := range x {
				f += 0.5 * d[i] * v * v
			}
			return f
		},
		Grad: func(g, x []float64) {
			for i, v := range x {
				g[i] = d[i] * v
			}
		},
		HessVec: func(hv, _, v []float64) {
			for i, vi := range v {
				hv[i] = d[i] * vi
			}
		},
	}
}

// mfSpectrum returns neg, then n-len(neg)-len(pos) values evenly spaced in
// [lo, hi], then pos, in ascending order when its arguments are.
func mfSpectrum(neg []float64, n int, lo, hi float64, pos []float64) []float64 {
	m := n - len(neg) - len(pos)
	mid := make([]float64, m)
	floats.Span(mid, lo, hi)
	return append(append(append([]float64(nil), neg...), mid...), pos...)
}

// TestAnalyzeMatrixFreeKnownSpectra analyses quadratics with prescribed
// Hessian spectra through Hessian-vector products only, at their critical
// point: the Kind, the extreme eigenvalues, the index estimate and the
// certified counts must match the spectrum.
func TestAnalyzeMatrixFreeKnownSpectra(t *testing.T) {
	t.Parallel()
	const n = 120
	// n/2 eigenvalues evenly in [-2, -1] and n/2 in [1, 2].
	half := append(mfSpectrum(nil, n/2, -2, -1, nil), mfSpectrum(nil, n/2, 1, 2, nil)...)
	for _, tc := range []struct {
		name  string
		vals  []float64
		kind  critical.Kind
		index int
	}{
		// Three isolated negative eigenvalues below a positive bulk.
		{"saddle", mfSpectrum([]float64{-3, -2, -1}, n, 0.5, 10, nil), critical.Saddle, 3},
		// Half the spectrum negative: index n/2, zero in a gap.
		{"saddle half", half, critical.Saddle, n / 2},
		{"minimum", mfSpectrum(nil, n, 1, 10, nil), critical.Minimum, 0},
		{"maximum", mfSpectrum(nil, n, -10, -1, nil), critical.Maximum, n},
		// Two zero eigenvalues below a positive bulk: the second-order
		// test is inconclusive.
		{"degenerate", mfSpectrum([]float64{0, 0}, n, 1, 10, nil), critical.Degenerate, 0},
	} {
		p, c := mfQuadratic(tc.vals, 3)
		a, err := critical.Analyze(p, c, &critical.AnalyzeSettings{MatrixFreeDim: -1})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		cl, sp, cert := a.Classification, a.Spectrum, a.Certificate
		if !a.Estimated() || a.Hessian != nil || cl.Eigenvalues != nil {
			t.Fatalf("%s: not a matrix-free analysis: %v", tc.name, a)
		}
		// The index is the rounded SLQ estimate, which agrees with the
		// true count within three standard errors plus the quadrature
		// bias bound; a Minimum or Maximum fixes it.
		tolIndex := 3*sp.Index.StdErr + sp.IndexBias
		if cl.Kind != tc.kind || math.Abs(float64(cl.Index-tc.index)) > tolIndex+0.5 {
			t.Errorf("%s: %v, want %v with index %d", tc.name, a, tc.kind, tc.index)
		}
		if d := math.Abs(sp.Index.Value - float64(tc.index)); d > tolIndex+1e-9 {
			t.Errorf("%s: index estimate %v ± %v (bias %v), want %d", tc.name, sp.Index.Value, sp.Index.StdErr, sp.IndexBias, tc.index)
		}
		if (tc.kind == critical.Minimum || tc.kind == critical.Maximum) && cl.Index != tc.index {
			t.Errorf("%s: index %d, want %d", tc.name, cl.Index, tc.index)
		}
		if !cert.Critical || !cert.HessianExact || math.Abs(a.F-1) > 1e-12 {
			t.Errorf("%s: certificate %+v, F = %v; want critical, exact, F = 1", tc.name, cert, a.F)
		}
		// The extremes: every Lanczos pair converges on these spectra and
		// agrees with the known eigenvalues (relative tolerance 1e-8, well
		// above DefaultLanczosTol = 1e-10 times ||A||).
		norm := max(math.Abs(tc.vals[0]), math.Abs(tc.vals[n-1]))
		for i := range sp.Smallest.Values {
			if want := tc.vals[i]; !sp.Smallest.Converged[i] || math.Abs(sp.Smallest.Values[i]-want) > 1e-8*norm {
				t.Errorf("%s: smallest %d = %v (converged %t), want %v", tc.name, i, sp.Smallest.Values[i], sp.Smallest.Converged[i], want)
			}
			if want := tc.vals[n-1-i]; !sp.Largest.Converged[i] || math.Abs(sp.Largest.Values[i]-want) > 1e-8*norm {
				t.Errorf("%s: largest %d = %v (converged %t), want %v", tc.name, i, sp.Largest.Values[i], sp.Largest.Converged[i], want)
			}
		}
		if math.Abs(cl.MinEigenvalue-tc.vals[0]) > 1e-8*norm || math.Abs(cl.MaxEigenvalue-tc.vals[n-1]) > 1e-8*norm {
			t.Errorf("%s: λ range [%v, %v], want [%v, %v]", tc.name, cl.MinEigenvalue, cl.MaxEigenvalue, tc.vals[0], tc.vals[n-1])
		}
		// What the Ritz values prove is true, and bounds the index.
		neg := hessian.CountInertia(tc.vals, cl.Tol).Neg
		pos := hessian.CountInertia(tc.vals, cl.Tol).Pos
		if sp.CertainNegative > neg || sp.CertainPositive > pos || cl.Index < sp.CertainNegative || cl.Index > n-sp.CertainPositive {
			t.Errorf("%s: certain %d negative, %d positive, index %d; true %d, %d", tc.name, sp.CertainNegative, sp.CertainPositive, cl.Index, neg, pos)
		}
		if cert.Uncertain != n-sp.CertainNegative-sp.CertainPositive {
			t.Errorf("%s: Uncertain = %d, want %d", tc.name, cert.Uncertain, n-sp.CertainNegative-sp.CertainPositive)
		}
		if want := sp.Smallest.Iterations + sp.Largest.Iterations + sp.SLQ.Iterations; sp.HessVecs != want {
			t.Errorf("%s: HessVecs = %d, want %d", tc.name, sp.HessVecs, want)
		}

		// The dense analysis of the same problem (n is below the default
		// threshold) agrees on the Kind and finds the true index.
		d, err := critical.Analyze(p, c, nil)
		if err != nil {
			t.Fatalf("%s dense: %v", tc.name, err)
		}
		if d.Estimated() || d.Classification.Kind != cl.Kind || d.Classification.Index != tc.index {
			t.Errorf("%s: dense %v, matrix-free %v", tc.name, d, a)
		}
	}
}

// TestAnalyzeMatrixFreeFixture checks the fixture's gradient and
// Hessian-vector product against finite differences at a point whose
// coordinates differ.
func TestAnalyzeMatrixFreeFixture(t *testing.T) {
	t.Parallel()
	vals := mfSpectrum([]float64{-3}, 12, 0.5, 4, nil)
	p, c := mfQuadratic(vals, 5)
	x := make([]float64, len(c))
	for i := range x {
		x[i] = c[i] + 0.1*float64(i+1)
	}
	var fd mat.SymDense
	if err := hessian.FiniteDiff(&fd, hessian.Problem{Grad: p.Grad}, x, nil); err != nil {
		t.Fatal(err)
	}
	var ex mat.SymDense
	if err := hessian.Exact(&ex, hessian.Problem{HessVec: p.HessVec}, x); err != nil {
		t.Fatal(err)
	}
	// Central differences of a linear gradient are exact up to rounding.
	if !mat.EqualApprox(&fd, &ex, 1e-6) {
		t.Errorf("HessVec differs from differences of Grad")
	}
	g := make([]float64, len(x))
	p.Grad(g, x)
	gfd := make([]float64, len(x))
	if err := hessian.Gradient(gfd, hessian.Problem{Func: p.Func}, x, nil); err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(g, gfd, 1e-6) {
		t.Errorf("Grad = %v, differences of Func give %v", g, gfd)
	}
	got, err := hessian.Eigenvalues(&ex)
	if err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(got, vals, 1e-12) {
		t.Errorf("eigenvalues %v, want %v", got, vals)
	}
}

// TestAnalyzeMatrixFreePath checks when Analyze assembles the Hessian and
// when it does not.
func TestAnalyzeMatrixFreePath(t *testing.T) {
	t.Parallel()
	// Isolated extremes around a bulk in [0.5, 1]: Lanczos converges in a
	// few dozen products at any dimension.
	spec := func(n int) []float64 { return mfSpectrum([]float64{-5, -4, -3}, n, 0.5, 1, []float64{8, 9, 10}) }
	noHessVec := func(p hessian.Problem, d []float64) hessian.Problem {
		p.Hess = func(h *mat.SymDense, _ []float64) {
			for i, v := range d {
				h.SetSym(i, i, v)
			}
		}
		p.HessVec = nil
		return p
	}
	small := spec(40)
	for _, tc := range []struct {
		name string
		p    hessian.Problem
		n    int
		s    *critical.AnalyzeSettings
		want bool
	}{
		// Default threshold, DefaultMatrixFreeDim = 3000.
		{"default above", mfDiagProblem(spec(3001)), 3001, nil, true},
		{"default below", mfDiagProblem(small), 40, nil, false},
		{"threshold equal", mfDiagProblem(small), 40, &critical.AnalyzeSettings{MatrixFreeDim: 40}, false},
		{"threshold below", mfDiagProblem(small), 40, &critical.AnalyzeSettings{MatrixFreeDim: 39}, true},
		{"always", mfDiagProblem(small), 40, &critical.AnalyzeSettings{MatrixFreeDim: -1}, true},
		// Without HessVec, or with finite differences forced, the Hessian
		// is assembled whatever the dimension.
		{"no HessVec", noHessVec(mfDiagProblem(small), small), 40, &critical.AnalyzeSettings{MatrixFreeDim: -1}, false},
		{"ForceFD", mfDiagProblem(small), 40, &critical.AnalyzeSettings{MatrixFreeDim: -1, ForceFD: true}, false},
	} {
		x := make([]float64, tc.n)
		a, err := critical.Analyze(tc.p, x, tc.s)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if a.Estimated() != tc.want || (a.Hessian == nil) != tc.want {
			t.Errorf("%s: Estimated %t, Hessian %v; want matrix-free %t", tc.name, a.Estimated(), a.Hessian != nil, tc.want)
		}
		// Every path finds the saddle with index 3.
		if a.Classification.Kind != critical.Saddle || a.Classification.Index != 3 {
			t.Errorf("%s: %v, want a saddle of index 3", tc.name, a)
		}
	}
}

// TestAnalyzeMatrixFreeUnconverged limits Lanczos to too few products for
// the extremes of a spread spectrum to converge: a saddle is still certain
// from the Ritz values, but a minimum cannot be claimed.
func TestAnalyzeMatrixFreeUnconverged(t *testing.T) {
	t.Parallel()
	const n = 400
	few := &critical.MatrixFreeSettings{
		Extremes: 1,
		Lanczos:  &hessian.LanczosSettings{SubspaceSize: 6, MaxIterations: 6},
		SLQ:      &hessian.SLQSettings{Probes: 2, Steps: 4},
	}
	// Evenly spaced eigenvalues: the gaps at the ends are 1/n of the
	// spread, so six products do not resolve the extremes.
	for _, tc := range []struct {
		name string
		vals []float64
		want critical.Kind
	}{
		{"saddle", mfSpectrum(nil, n, -1, 10, nil), critical.Saddle},
		{"minimum", mfSpectrum(nil, n, 1, 10, nil), critical.Degenerate},
		{"maximum", mfSpectrum(nil, n, -10, -1, nil), critical.Degenerate},
	} {
		a, err := critical.Analyze(mfDiagProblem(tc.vals), make([]float64, n), &critical.AnalyzeSettings{MatrixFreeDim: -1, MatrixFree: few})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		sp := a.Spectrum
		if sp.Smallest.Converged[0] || sp.Largest.Converged[0] {
			t.Fatalf("%s: extremes converged in %d products; the test needs them not to", tc.name, sp.Smallest.Iterations)
		}
		if a.Classification.Kind != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, a, tc.want)
		}
		// Ritz values lie inside the spectrum (Cauchy interlacing).
		if a.Classification.MinEigenvalue < tc.vals[0] || a.Classification.MaxEigenvalue > tc.vals[n-1] {
			t.Errorf("%s: Ritz range [%v, %v] outside the spectrum [%v, %v]", tc.name,
				a.Classification.MinEigenvalue, a.Classification.MaxEigenvalue, tc.vals[0], tc.vals[n-1])
		}
	}
}

func TestAnalyzeMatrixFreeString(t *testing.T) {
	t.Parallel()
	vals := mfSpectrum([]float64{-2}, 30, 1, 3, nil)
	p, c := mfQuadratic(vals, 7)
	a, err := critical.Analyze(p, c, &critical.AnalyzeSettings{MatrixFreeDim: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := a.String()
	if !a.Certificate.SignsCertain {
		t.Errorf("signs not certain: %v", a)
	}
	// n = 30 is below the 90 SLQ steps, so every probe's Krylov space is
	// exhausted and its nodes are the eigenvalues: all 30 signs are proven.
	for _, want := range []string{"saddle (estimated index ", "of 30", "λ in [-2, 3]", "(critical,", "1 negative and 29 positive certain", "matrix-free"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, want it to contain %q", s, want)
		}
	}
}

func TestAnalyzeMatrixFreeErrors(t *testing.T) {
	t.Parallel()
	p := mfDiagProblem([]float64{1, -1, 2})
	p.HessVec = func(hv, _, v []float64) {
		for i := range hv {
			hv[i] = math.NaN()
		}
	}
	_, err := critical.Analyze(p, []float64{1, 2, 3}, &critical.AnalyzeSettings{MatrixFreeDim: -1})
	if err == nil || !strings.HasPrefix(err.Error(), "critical: ") {
		t.Errorf("NaN Hessian-vector product: error %v, want one starting critical: ", err)
	}
	wantPanicPrefix(t, "negative extremes", func() {
		critical.Analyze(mfDiagProblem([]float64{1, 2}), []float64{0, 0}, &critical.AnalyzeSettings{
			MatrixFreeDim: -1, MatrixFree: &critical.MatrixFreeSettings{Extremes: -1},
		})
	})
}

func ExampleAnalyze_matrixFree() {
	// f(x) = ½ Σ d_i x_i² in 4000 dimensions, given only through
	// Hessian-vector products: diag(d) has 50 eigenvalues evenly in
	// [-2, -1], the rest evenly in [1, 3]. Above 3000 dimensions Analyze
	// estimates the spectrum instead of assembling the Hessian.
	const n, neg = 4000, 50
	d := make([]float64, n)
	floats.Span(d[:neg], -2, -1)
	floats.Span(d[neg:], 1, 3)
	p := hessian.Problem{
		Grad: func(g, x []float64) {
			for i, v := range x {
				g[i] = d[i] * v
			}
		},
		HessVec: func(hv, _, v []float64) {
			for i, vi := range v {
				hv[i] = d[i] * vi
			}
		},
	}
	a, err := critical.Analyze(p, make([]float64, n), nil)
	if err != nil {
		log.Fatal(err)
	}
	sp := a.Spectrum
	fmt.Printf("%v, λ_min %.4f, λ_max %.4f\n", a.Classification.Kind, sp.Smallest.Values[0], sp.Largest.Values[0])
	fmt.Printf("index within 3 standard errors of %d: %t\n", neg, math.Abs(sp.Index.Value-neg) <= 3*sp.Index.StdErr+sp.IndexBias)
	// Output:
	// saddle, λ_min -2.0000, λ_max 3.0000
	// index within 3 standard errors of 50: true
}

// TestSpectrumEstimateCountBelow compares the eigenvalue counts of the SLQ
// quadrature with the exact counts of a known spectrum: a continuum, where
// the step value of hessian.SLQResult.CountBelow is biased, and a gap,
// where both are nearly exact.
func TestSpectrumEstimateCountBelow(t *testing.T) {
	t.Parallel()
	const n = 300
	gap := mfSpectrum([]float64{-3, -2, -1}, n, 0.5, 1, nil)
	for _, tc := range []struct {
		name string
		vals []float64
		xs   []float64
	}{
		{"continuum", mfSpectrum(nil, n, -1, 2, nil), []float64{-0.63, -0.01, 0.01, 0.7, 1.51}},
		{"gap", gap, []float64{-2.5, -0.5, 0, 0.25}},
	} {
		p, c := mfQuadratic(tc.vals, 11)
		a, err := critical.Analyze(p, c, &critical.AnalyzeSettings{
			MatrixFreeDim: -1,
			MatrixFree:    &critical.MatrixFreeSettings{SLQ: &hessian.SLQSettings{Probes: 20, Steps: 30, Seed: 2}},
		})
		if err != nil {
			t.Fatal(err)
		}
		sp := a.Spectrum
		for _, x := range tc.xs {
			want := float64(countBelow(tc.vals, x))
			got, bias := sp.CountBelow(x)
			// The smoothed count is within 3 standard errors of the truth
			// (20 probes), and the truth within its quadrature bracket.
			if d := math.Abs(got.Value - want); d > 3*got.StdErr || d > bias+3*got.StdErr {
				step, _ := sp.SLQ.CountBelow(x)
				t.Errorf("%s: count below %v = %.2f ± %.2f (bias %.2f), want %v (step value %.2f)", tc.name, x, got.Value, got.StdErr, bias, want, step.Value)
			}
		}
		// Below every node nothing, above every node everything.
		if got, _ := sp.CountBelow(-10); got.Value > 1e-9 {
			t.Errorf("%s: count below -10 = %v, want 0", tc.name, got.Value)
		}
		if got, _ := sp.CountBelow(10); math.Abs(got.Value-n) > 1e-9*n {
			t.Errorf("%s: count below 10 = %v, want %d", tc.name, got.Value, n)
		}
	}
}

// countBelow returns #{v < x}.
func countBelow(vals []float64, x float64) int {
	var c int
	for _, v := range vals {
		if v < x {
			c++
		}
	}
	return c
}
