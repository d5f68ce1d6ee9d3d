package hessian_test

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
)

func TestSLQDiagonalExact(t *testing.T) {
	t.Parallel()
	// For a diagonal D and a Rademacher probe v = z/sqrt(n), v_i^2 = 1/n:
	// every probe's spectral measure is the eigenvalue distribution itself.
	// Its Krylov space has the dimension 5 of the distinct eigenvalues, so
	// Lanczos stops after 5 steps with an exact quadrature: nodes are the
	// distinct eigenvalues, weights their multiplicities / n.
	d := []float64{-3, 2, -1, 0.5, 2, 7}
	op := hessian.Operator{Dim: len(d), Apply: func(dst, v []float64) {
		for i := range v {
			dst[i] = d[i] * v[i]
		}
	}}
	res, err := hessian.SLQ(op, &hessian.SLQSettings{Probes: 3, Tol: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	nodes := []float64{-3, -1, 0.5, 2, 7}
	weights := []float64{1.0 / 6, 1.0 / 6, 1.0 / 6, 2.0 / 6, 1.0 / 6}
	for p := range res.Nodes {
		if !floats.EqualApprox(res.Nodes[p], nodes, 1e-13) || !floats.EqualApprox(res.Weights[p], weights, 1e-13) {
			t.Errorf("probe %d: nodes %v weights %v, want %v %v", p, res.Nodes[p], res.Weights[p], nodes, weights)
		}
	}
	if math.Abs(res.Index.Value-2) > 1e-12 || res.Index.StdErr > 1e-12 || res.IndexBias != 0 {
		t.Errorf("index %+v bias %v, want exactly 2", res.Index, res.IndexBias)
	}
	if math.Abs(res.Trace.Value-floats.Sum(d)) > 1e-12 || res.Trace.StdErr > 1e-12 {
		t.Errorf("trace %+v, want %v", res.Trace, floats.Sum(d))
	}
	if res.Iterations != 15 {
		t.Errorf("Iterations = %d, want 3 probes × 5 steps", res.Iterations)
	}
	// Between and beyond the nodes, not at them: a node is an eigenvalue
	// only up to rounding.
	for _, x := range []float64{-4, -2.5, 0, 1, 2.5, 8} {
		want := float64(mfCountAtMost(d, x)) / 6
		if got := res.CDF(x); math.Abs(got-want) > 1e-13 {
			t.Errorf("CDF(%v) = %v, want %v", x, got, want)
		}
	}
}

func mfCountAtMost(d []float64, x float64) int {
	c := 0
	for _, v := range d {
		if v <= x {
			c++
		}
	}
	return c
}

// mfSLQCheck holds what the SLQ tests measured on one matrix.
type mfSLQCheck struct {
	ks, bound float64
}

// mfCheckSLQ checks the SLQ distribution of res against the
// eigenvalue distribution F(x) = #{λ_i <= x}/n of m at every node and
// eigenvalue x and just below it. The error has two parts:
//
//   - quadrature: by the Chebyshev-Markov-Stieltjes inequalities a probe's
//     quadrature CDF lies within the weight of a node next to x of the
//     probe's own spectral measure; averaged over probes this is B(x);
//   - probes: a Rademacher unit probe's measure of (-∞, x] is z^T P z / n for
//     the spectral projector P of rank nF, with variance
//     2(nF - Σ P_ii^2)/n^2 <= 2F(1-F)/n <= 1/(2n); the mean of P probes has
//     a standard deviation at most 1/sqrt(2nP). Five of them bound its
//     deviation at all points of the test.
//
// So |F_SLQ(x) - F(x)| <= B(x) + 5/sqrt(2nP) at every x, and the KS distance
// is at most the largest right-hand side.
func mfCheckSLQ(t *testing.T, res hessian.SLQResult, m mfMatrix) mfSLQCheck {
	t.Helper()
	n := len(m.eigs)
	probes := len(res.Nodes)
	noise := 5 / math.Sqrt(2*float64(n)*float64(probes))
	pts := slices.Clone(m.eigs)
	for _, nodes := range res.Nodes {
		pts = append(pts, nodes...)
	}
	slices.Sort(pts)
	pts = slices.Compact(pts)

	// Sweep x upwards, keeping per probe the number of nodes <= x and
	// their total weight, and the number of eigenvalues <= x.
	next := make([]int, probes)
	cum := make([]float64, probes)
	count := 0
	var c mfSLQCheck
	for k, x0 := range pts {
		for _, x := range []float64{math.Nextafter(x0, math.Inf(-1)), x0} {
			for count < n && m.eigs[count] <= x {
				count++
			}
			var got, bracket float64
			for p, nodes := range res.Nodes {
				for next[p] < len(nodes) && nodes[next[p]] <= x {
					cum[p] += res.Weights[p][next[p]]
					next[p]++
				}
				got += cum[p]
				var wl, wr float64
				if next[p] > 0 {
					wl = res.Weights[p][next[p]-1]
				}
				if next[p] < len(nodes) {
					wr = res.Weights[p][next[p]]
				}
				bracket += max(wl, wr)
			}
			got /= float64(probes)
			if k%100 == 0 && math.Abs(got-res.CDF(x)) > 1e-12 {
				t.Errorf("CDF(%v) = %v, sum of the weights of the nodes <= x %v", x, res.CDF(x), got)
			}
			f := float64(count) / float64(n)
			b := bracket/float64(probes) + noise
			c.ks = max(c.ks, math.Abs(got-f))
			c.bound = max(c.bound, b)
			if math.Abs(got-f) > b {
				t.Errorf("CDF(%v) = %v, true %v, beyond the bound %v", x, got, f, b)
				return c
			}
		}
	}
	return c
}

func TestSLQKnownSpectra(t *testing.T) {
	t.Parallel()
	const (
		probes = 20
		steps  = 90
	)
	for _, n := range mfSizes() {
		for _, tc := range []struct {
			name string
			eigs func(int) []float64
			// ks is the KS distance asked of a spectrum with a density:
			// with 90 steps the interior Gauss weights are about
			// 1/90 ~ 0.011 and the probe noise 5/sqrt(2nP) is 0.046 at
			// n = 300 and 0.018 at n = 2000 (see mfCheckSLQ).
			// Zero means that only the pointwise bound is checked: the
			// atom at 0 of the low-rank spectrum carries a weight near 1
			// on a node within rounding of 0, so the KS distance, taken
			// just below 0, measures the sign of a rounding error.
			ks float64
		}{
			{"extremes", mfExtremes, 0.06},
			{"indefinite", mfIndefinite, 0.06},
			{"clustered", mfClustered, 0.08},
			{"lowrank", mfLowRank, 0},
		} {
			t.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(t *testing.T) {
				t.Parallel()
				m := newMFMatrix(tc.name, tc.eigs(n))
				// Tol 0.1 lies in a gap of the clustered and low-rank
				// spectra; for the others it is a plain threshold.
				const tol = 0.1
				res, err := hessian.SLQ(m.op(), &hessian.SLQSettings{Probes: probes, Steps: steps, Seed: 5, Tol: tol})
				if err != nil {
					t.Fatal(err)
				}
				c := mfCheckSLQ(t, res, m)
				t.Logf("KS %.4f (pointwise bound up to %.4f); index %.1f ± %.1f (bias bound %.1f), true %d; trace %.2f ± %.2f, true %.2f",
					c.ks, c.bound, res.Index.Value, res.Index.StdErr, res.IndexBias, m.count(-tol), res.Trace.Value, res.Trace.StdErr, m.trace())
				if tc.ks > 0 && c.ks > tc.ks {
					t.Errorf("KS distance %v above %v", c.ks, tc.ks)
				}
				mfCheckIndex(t, res, m.count(-tol))
				if d := math.Abs(res.Trace.Value - m.trace()); d > 3*res.Trace.StdErr {
					t.Errorf("trace %v ± %v, true %v", res.Trace.Value, res.Trace.StdErr, m.trace())
				}
				if math.Abs(res.IndexFraction.Value*float64(n)-res.Index.Value) > 1e-9*float64(n) {
					t.Errorf("Index %v is not n × IndexFraction %v", res.Index.Value, res.IndexFraction.Value)
				}
				mfCheckDensity(t, res)
			})
		}
	}
}

// mfCheckDensity checks that the smoothed density is non-negative and
// integrates to 1 over its grid, which extends 3σ beyond the extreme nodes:
// the Gaussian tails beyond carry at most 2 × 0.00135 of the mass.
func mfCheckDensity(t *testing.T, res hessian.SLQResult) {
	t.Helper()
	var integral float64
	for i := 1; i < len(res.Grid); i++ {
		integral += 0.5 * (res.Density[i] + res.Density[i-1]) * (res.Grid[i] - res.Grid[i-1])
	}
	if integral < 1-2*0.00135-1e-3 || integral > 1+1e-3 {
		t.Errorf("density integrates to %v over the grid", integral)
	}
	if slices.Min(res.Density) < 0 {
		t.Error("negative density")
	}
}

// mfCheckIndex checks the SLQ index against the true count: within three
// standard errors (the probe noise) plus IndexBias, the deterministic bound on
// the quadrature error. The bias does not shrink with more probes: in a
// continuous part of the spectrum every probe has nearly the same nodes, so
// the quadrature error of the step at -Tol is systematic and, for large n,
// can exceed the standard error (n = 1000, uniform bulk: an error of 14 with
// a bound of 20 and a standard error of 4.5).
func mfCheckIndex(t *testing.T, res hessian.SLQResult, count int) {
	t.Helper()
	mfCheckCount(t, res.Index, res.IndexBias, count)
	if c, b := res.CountBelow(-res.Tol); c != res.Index || b != res.IndexBias {
		t.Errorf("Index %+v (bias %v) differs from CountBelow(-Tol) %+v (bias %v)", res.Index, res.IndexBias, c, b)
	}
}

func mfCheckCount(t *testing.T, est hessian.Estimate, bias float64, count int) {
	t.Helper()
	if d := math.Abs(est.Value - float64(count)); d > 3*est.StdErr+bias {
		t.Errorf("count %v ± %v (bias bound %v), true count %d", est.Value, est.StdErr, bias, count)
	}
}

func TestSLQIndexSemicircle(t *testing.T) {
	t.Parallel()
	// The number of eigenvalues of the shifted semicircle below several
	// thresholds inside its support, where the quadrature bias counts (see
	// mfCheckIndex).
	n := 300
	if !testing.Short() {
		n = 2000
	}
	m := newMFMatrix("indefinite", mfIndefinite(n))
	res, err := hessian.SLQ(m.op(), &hessian.SLQSettings{Probes: 20, Steps: 90, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{-1e-6, -0.3, -1, 0.5, 2} {
		c, bias := res.CountBelow(x)
		t.Logf("below %v: %.1f ± %.1f (bias bound %.1f), true %v", x, c.Value, c.StdErr, bias, m.count(x))
		mfCheckCount(t, c, bias, m.count(x))
		if bias <= 0 || bias > 0.05*float64(n) {
			t.Errorf("below %v: bias bound %v not in (0, 0.05 n]", x, bias)
		}
	}
	// The default Tol, sqrt(eps) ||A||_F, from the SLQ estimate of
	// ||A||_F^2 = tr A^2; here ||A||_F = sqrt(n (1 + 0.5^2)) for the
	// semicircle of variance 1 shifted by 0.5.
	wantTol := math.Sqrt(0x1p-52) * math.Sqrt(float64(n)*1.25)
	if math.Abs(res.Tol-wantTol) > 0.1*wantTol {
		t.Errorf("default Tol %v, want about %v", res.Tol, wantTol)
	}
	mfCheckIndex(t, res, m.count(-res.Tol))
}

func TestSLQMatchesHutchinson(t *testing.T) {
	t.Parallel()
	// Probe p of SLQ and of Hutchinson is the same Rademacher vector for
	// the same seed, and Gauss quadrature is exact for f(x) = x, so the
	// trace estimates agree to rounding.
	m := newMFMatrix("indefinite", mfIndefinite(150))
	res, err := hessian.SLQ(m.op(), &hessian.SLQSettings{Probes: 8, Steps: 30, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	h, err := hessian.Hutchinson(m.op(), &hessian.TraceSettings{Probes: 8, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Trace.Value-h.Value) > 1e-10*150*m.norm() || math.Abs(res.Trace.StdErr-h.StdErr) > 1e-8*h.StdErr {
		t.Errorf("SLQ trace %+v, Hutchinson %+v", res.Trace, h)
	}
}

func TestSLQDeterministic(t *testing.T) {
	t.Parallel()
	m := newMFMatrix("clustered", mfClustered(120))
	var prev hessian.SLQResult
	for i, tc := range []hessian.SLQSettings{
		{Probes: 5, Steps: 25, Seed: 8, Workers: 1},
		{Probes: 5, Steps: 25, Seed: 8, Workers: 3},
		{Probes: 5, Steps: 25, Seed: 8},
	} {
		res, err := hessian.SLQ(m.op(), &tc)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && !reflect.DeepEqual(res, prev) {
			t.Errorf("settings %+v give another result than Workers = 1", tc)
		}
		prev = res
	}
}

func TestSLQGaussianProbes(t *testing.T) {
	t.Parallel()
	// Normalised Gaussian probes are uniform on the sphere, so E[v v^T] = I/n
	// as for Rademacher probes: the estimates are unbiased too.
	m := newMFMatrix("indefinite", mfIndefinite(300))
	res, err := hessian.SLQ(m.op(), &hessian.SLQSettings{Probes: 20, Steps: 60, Seed: 2, Gaussian: true, Tol: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(res.Trace.Value - m.trace()); d > 3*res.Trace.StdErr {
		t.Errorf("trace %v ± %v, true %v", res.Trace.Value, res.Trace.StdErr, m.trace())
	}
	mfCheckIndex(t, res, m.count(-0.2))
	// The variance of v^T P v for v uniform on the sphere is
	// 2F(1-F)/(n+2), below the Rademacher bound of mfCheckSLQ.
	mfCheckSLQ(t, res, m)
}

func BenchmarkSLQ(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		op := mfDiagPlusLowRank(n)
		b.Run(fmt.Sprintf("n=%d/probes=4/steps=90", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := hessian.SLQ(op, &hessian.SLQSettings{Probes: 4, Steps: 90}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
