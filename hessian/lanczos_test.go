package hessian_test

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// mfSizes are the dimensions of the dense test matrices: small ones always,
// up to n = 2000 without -short.
func mfSizes() []int {
	if testing.Short() {
		return []int{300}
	}
	return []int{300, 1000, 2000}
}

// mfWanted returns the k eigenvalues of the ascending eigs that Lanczos should
// find, most mfWanted first.
func mfWanted(eigs []float64, k int, which hessian.Which) []float64 {
	e := slices.Clone(eigs)
	switch which {
	case hessian.Largest:
		slices.Reverse(e)
	case hessian.LargestMagnitude:
		slices.SortStableFunc(e, func(a, b float64) int {
			if c := cmp.Compare(math.Abs(b), math.Abs(a)); c != 0 {
				return c
			}
			return cmp.Compare(b, a)
		})
	}
	return e[:k]
}

func TestLanczosKnownSpectra(t *testing.T) {
	t.Parallel()
	// relTol is the agreement asked of every extreme eigenvalue: relative to
	// |λ|, or to ||A|| for λ = 0.
	const relTol = 1e-8
	for _, n := range mfSizes() {
		for _, tc := range []struct {
			name  string
			eigs  func(int) []float64
			which hessian.Which
			k     int
		}{
			{"extremes", mfExtremes, hessian.Largest, 10},
			{"extremes", mfExtremes, hessian.Smallest, 10},
			// k = 6: the 7th and 8th largest magnitudes are ±1, a tie.
			{"extremes", mfExtremes, hessian.LargestMagnitude, 6},
			{"indefinite", mfIndefinite, hessian.Largest, 10},
			{"indefinite", mfIndefinite, hessian.Smallest, 10},
			{"indefinite", mfIndefinite, hessian.LargestMagnitude, 10},
			{"lowrank", mfLowRank, hessian.Largest, 10},
			// Eight negative eigenvalues, then zeros of multiplicity n-20:
			// found only after the Krylov space of the start is exhausted.
			{"lowrank", mfLowRank, hessian.Smallest, 12},
			{"lowrank", mfLowRank, hessian.LargestMagnitude, 10},
			{"clustered", mfClustered, hessian.Largest, 10},
			{"clustered", mfClustered, hessian.Smallest, 10},
			{"clustered", mfClustered, hessian.LargestMagnitude, 10},
		} {
			name := fmt.Sprintf("%s/n=%d/%v/k=%d", tc.name, n, tc.which, tc.k)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				m := newMFMatrix(tc.name, tc.eigs(n))
				op := m.op()
				res, err := hessian.Lanczos(op, tc.k, tc.which, &hessian.LanczosSettings{Seed: 1, Vectors: true})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("iterations %d, restarts %d", res.Iterations, res.Restarts)
				want := mfWanted(m.eigs, tc.k, tc.which)
				anorm := m.norm()
				for i, w := range want {
					scale := math.Abs(w)
					if w == 0 {
						scale = anorm
					}
					if math.Abs(res.Values[i]-w) > relTol*scale {
						t.Errorf("value %d = %.15g, want %.15g", i, res.Values[i], w)
					}
				}
				if !res.AllConverged() {
					t.Errorf("not all converged: %v, residuals %v", res.Converged, res.Residuals)
				}
				mfCheckLanczos(t, op, res, anorm)
			})
		}
	}
}

// mfCheckLanczos checks that the Ritz vectors of res are
// orthonormal, that the reported residuals are the true ones, and that the
// flags follow from the residuals.
func mfCheckLanczos(t *testing.T, op hessian.Operator, res hessian.LanczosResult, anorm float64) {
	t.Helper()
	k := len(res.Values)
	if res.Norm > anorm*(1+1e-12) {
		t.Errorf("Norm estimate %v exceeds ||A|| = %v", res.Norm, anorm)
	}
	if res.Vectors != nil {
		var g mat.Dense
		g.Mul(res.Vectors.T(), res.Vectors)
		for i := range k {
			for j := range k {
				want := 0.0
				if i == j {
					want = 1
				}
				// Orthogonality is kept to working precision by the
				// twice-applied Gram-Schmidt: O(sqrt(n) eps).
				if math.Abs(g.At(i, j)-want) > 1e-12 {
					t.Errorf("Ritz vectors: (Y^T Y)[%d,%d] = %v, want %v", i, j, g.At(i, j), want)
				}
			}
		}
		for i := range k {
			y := mat.Col(nil, i, res.Vectors)
			ay := make([]float64, len(y))
			op.Apply(ay, y)
			floats.AddScaled(ay, -res.Values[i], y)
			r := floats.Norm(ay, 2)
			// The Lanczos relation holds up to rounding of order
			// eps ||A|| per step; 1e-11 ||A|| leaves room for a few
			// hundred steps.
			if math.Abs(r-res.Residuals[i]) > 1e-11*anorm {
				t.Errorf("pair %d: true residual %.3g, reported %.3g", i, r, res.Residuals[i])
			}
		}
	}
	for i := range k {
		if got := res.Residuals[i] <= res.Tol*res.Norm; got != res.Converged[i] {
			t.Errorf("pair %d: residual %.3g, tol*norm %.3g, Converged %v", i, res.Residuals[i], res.Tol*res.Norm, res.Converged[i])
		}
	}
}

func TestLanczosDiagonalFullSpace(t *testing.T) {
	t.Parallel()
	// k = n: the basis spans the whole space and the Ritz values are the
	// eigenvalues, in the mfWanted order.
	d := []float64{-3, 7, 0.5, 2, -1, 5}
	op := hessian.Operator{Dim: len(d), Apply: func(dst, v []float64) {
		for i := range v {
			dst[i] = d[i] * v[i]
		}
	}}
	for _, tc := range []struct {
		which hessian.Which
		want  []float64
	}{
		{hessian.Largest, []float64{7, 5, 2, 0.5, -1, -3}},
		{hessian.Smallest, []float64{-3, -1, 0.5, 2, 5, 7}},
		{hessian.LargestMagnitude, []float64{7, 5, -3, 2, -1, 0.5}},
	} {
		res, err := hessian.Lanczos(op, len(d), tc.which, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !floats.EqualApprox(res.Values, tc.want, 1e-13) {
			t.Errorf("%v: values %v, want %v", tc.which, res.Values, tc.want)
		}
		if !res.AllConverged() || res.Iterations != len(d) {
			t.Errorf("%v: converged %v after %d iterations, want all after %d", tc.which, res.Converged, res.Iterations, len(d))
		}
	}
}

func TestLanczosStartVector(t *testing.T) {
	t.Parallel()
	// diag(1, ..., 10) from e_1: the Krylov space of e_1 is span{e_1}, which
	// breaks down at once with Ritz value 1. Lanczos must not stop there but
	// continue from a random vector and find 10.
	const n = 10
	op := hessian.Operator{Dim: n, Apply: func(dst, v []float64) {
		for i := range v {
			dst[i] = float64(i+1) * v[i]
		}
	}}
	start := make([]float64, n)
	start[0] = 1
	res, err := hessian.Lanczos(op, 1, hessian.Largest, &hessian.LanczosSettings{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Values[0]-10) > 1e-10 || !res.Converged[0] {
		t.Errorf("largest from e_1: %v (converged %v), want 10", res.Values[0], res.Converged[0])
	}
}

func TestLanczosRestarts(t *testing.T) {
	t.Parallel()
	// A subspace of k+4 vectors forces many thick restarts; the extremes
	// must still converge to the same accuracy.
	m := newMFMatrix("indefinite", mfIndefinite(300))
	op := m.op()
	for _, which := range []hessian.Which{hessian.Largest, hessian.Smallest} {
		const k = 5
		res, err := hessian.Lanczos(op, k, which, &hessian.LanczosSettings{SubspaceSize: k + 4, Seed: 3, Vectors: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Restarts == 0 {
			t.Errorf("%v: no restart with a subspace of %d", which, k+4)
		}
		want := mfWanted(m.eigs, k, which)
		for i, w := range want {
			if math.Abs(res.Values[i]-w) > 1e-8*math.Abs(w) {
				t.Errorf("%v: value %d = %.15g, want %.15g", which, i, res.Values[i], w)
			}
		}
		if !res.AllConverged() {
			t.Errorf("%v: not converged after %d iterations", which, res.Iterations)
		}
		mfCheckLanczos(t, op, res, m.norm())
	}
}

func TestLanczosIterationLimit(t *testing.T) {
	t.Parallel()
	// Ten products cannot resolve the twelve eigenvalues 8 + 0.001 i: the
	// result reports which pairs have not converged and no error.
	m := newMFMatrix("clustered", mfClustered(300))
	op := m.op()
	res, err := hessian.Lanczos(op, 5, hessian.Largest, &hessian.LanczosSettings{MaxIterations: 10, Vectors: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations != 10 {
		t.Errorf("Iterations = %d, want 10", res.Iterations)
	}
	if res.AllConverged() {
		t.Errorf("all converged after 10 products: residuals %v", res.Residuals)
	}
	mfCheckLanczos(t, op, res, m.norm())
}

func TestLanczosDeterministic(t *testing.T) {
	t.Parallel()
	m := newMFMatrix("extremes", mfExtremes(200))
	s := &hessian.LanczosSettings{Seed: 42, Vectors: true}
	a, err := hessian.Lanczos(m.op(), 4, hessian.LargestMagnitude, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hessian.Lanczos(m.op(), 4, hessian.LargestMagnitude, s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with the same seed differ")
	}
}

func TestLanczosOrthogonalInvariance(t *testing.T) {
	t.Parallel()
	// The eigenvalues of Q D Q^T do not depend on Q: Lanczos on the
	// diagonal operator and on the rotated one agree.
	d := mfIndefinite(300)
	diag := hessian.Operator{Dim: len(d), Apply: func(dst, v []float64) {
		for i := range v {
			dst[i] = d[i] * v[i]
		}
	}}
	rot := newMFMatrix("indefinite", d).op()
	a, err := hessian.Lanczos(diag, 6, hessian.Smallest, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hessian.Lanczos(rot, 6, hessian.Smallest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(a.Values, b.Values, 1e-9) {
		t.Errorf("diagonal %v, rotated %v", a.Values, b.Values)
	}
}

func BenchmarkLanczos(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		op := mfDiagPlusLowRank(n)
		b.Run(fmt.Sprintf("n=%d/k=10", n), func(b *testing.B) {
			b.ReportAllocs()
			var iters int
			for b.Loop() {
				res, err := hessian.Lanczos(op, 10, hessian.LargestMagnitude, nil)
				if err != nil {
					b.Fatal(err)
				}
				iters = res.Iterations
			}
			b.ReportMetric(float64(iters), "HVPs/op")
		})
	}
}
