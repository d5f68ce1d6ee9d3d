package hessian_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// specUlp is LAPACK's Dlamch('P'), the relative spacing of float64 numbers
// near 1, used in LAPACK's test ratios.
const specUlp = 0x1p-52

// specThresh is the threshold on the test ratios of LAPACK's symmetric
// eigensolver tests (TESTING/sep.in and Dsyt21): a ratio below 30 passes.
const specThresh = 30

// specNorm1 returns the 1-norm (largest absolute column sum) of a.
func specNorm1(a mat.Matrix) float64 {
	return mat.Norm(a, 1)
}

// specRatios returns LAPACK's test ratios for the eigenpairs (vals, v) of a
// (Dsyt21 with the residual form of Dsyt22):
//
//	res  = ||A V - V Λ||₁ / (n ||A||₁ ulp),
//	orth = ||I - VᵀV||₁ / (n ulp).
func specRatios(a mat.Symmetric, vals []float64, v *mat.Dense) (res, orth float64) {
	n := a.SymmetricDim()
	var av mat.Dense
	av.Mul(a, v)
	vl := mat.DenseCopyOf(v)
	for j, l := range vals {
		for i := range n {
			vl.Set(i, j, vl.At(i, j)*l)
		}
	}
	av.Sub(&av, vl)
	anorm := max(specNorm1(a), math.SmallestNonzeroFloat64)
	res = specNorm1(&av) / (float64(n) * anorm * specUlp)
	var vtv mat.Dense
	vtv.Mul(v.T(), v)
	for i := range n {
		vtv.Set(i, i, vtv.At(i, i)-1)
	}
	orth = specNorm1(&vtv) / (float64(n) * specUlp)
	return res, orth
}

// specOrthogonal returns a random n×n orthogonal matrix: the Q factor of the
// QR factorisation of a matrix of standard normal entries, with the signs of
// R's diagonal moved into Q so that Q is Haar distributed (Mezzadri, Notices
// Amer. Math. Soc. 54(5), 2007).
func specOrthogonal(n int, rnd *rand.Rand) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := range n {
		if r.At(j, j) < 0 {
			for i := range n {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return &q
}

// specWithSpectrum returns Q diag(d) Qᵀ, symmetrised.
func specWithSpectrum(q *mat.Dense, d []float64) *mat.SymDense {
	n := len(d)
	qd := mat.DenseCopyOf(q)
	for j, v := range d {
		for i := range n {
			qd.Set(i, j, qd.At(i, j)*v)
		}
	}
	var p mat.Dense
	p.Mul(qd, q.T())
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, (p.At(i, j)+p.At(j, i))/2)
		}
	}
	return a
}

// specGOE returns a symmetric matrix with standard normal entries.
func specGOE(n int, rnd *rand.Rand) *mat.SymDense {
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, rnd.NormFloat64())
		}
	}
	return a
}

// specSpectra returns the test spectra of order n, each sorted ascending.
func specSpectra(n int, rnd *rand.Rand) map[string][]float64 {
	normal := make([]float64, n)
	graded := make([]float64, n)
	clustered := make([]float64, n)
	singular := make([]float64, n)
	for i := range n {
		normal[i] = rnd.NormFloat64()
		// Magnitudes 10^0 down to 10^-15, alternating in sign.
		k := 15 * float64(i) / float64(max(n-1, 1))
		graded[i] = math.Pow(10, -k)
		if i%2 == 1 {
			graded[i] = -graded[i]
		}
		// Three eigenvalues of high multiplicity and one simple one.
		switch {
		case i == 0:
			clustered[i] = 3
		case i%3 == 0:
			clustered[i] = -1
		case i%3 == 1:
			clustered[i] = 0.5
		default:
			clustered[i] = 2
		}
		// Rank n/2: exact zeros.
		if i < n/2 {
			singular[i] = rnd.NormFloat64()
		}
	}
	s := map[string][]float64{"normal": normal, "graded": graded, "clustered": clustered, "singular": singular}
	for _, d := range s {
		slices.Sort(d)
	}
	return s
}

func TestEigenvaluesKnown(t *testing.T) {
	t.Parallel()
	laplacian := func(n int) (*mat.SymDense, []float64) {
		a := mat.NewSymDense(n, nil)
		want := make([]float64, n)
		for i := range n {
			a.SetSym(i, i, 2)
			if i+1 < n {
				a.SetSym(i, i+1, -1)
			}
			// The second difference matrix has eigenvalues
			// 2 - 2 cos(kπ/(n+1)), k = 1..n.
			want[i] = 2 - 2*math.Cos(float64(i+1)*math.Pi/float64(n+1))
		}
		return a, want
	}
	onesMinusI := func(n int) (*mat.SymDense, []float64) {
		// J - I has the eigenvalue n-1 once and -1 with multiplicity n-1.
		a := mat.NewSymDense(n, nil)
		want := make([]float64, n)
		for i := range n {
			for j := i + 1; j < n; j++ {
				a.SetSym(i, j, 1)
			}
			want[i] = -1
		}
		want[n-1] = float64(n - 1)
		return a, want
	}
	lap3, lap3Want := laplacian(3)
	lap150, lap150Want := laplacian(150)
	// The same matrix as a band matrix, which has no raw symmetric storage.
	lapBand := mat.NewSymBandDense(150, 1, nil)
	for i := range 150 {
		lapBand.SetSymBand(i, i, 2)
		if i+1 < 150 {
			lapBand.SetSymBand(i, i+1, -1)
		}
	}
	ones5, ones5Want := onesMinusI(5)
	ones200, ones200Want := onesMinusI(200)
	for _, tc := range []struct {
		name string
		a    mat.Symmetric
		want []float64
	}{
		{"1x1", mat.NewSymDense(1, []float64{-3}), []float64{-3}},
		{"laplacian150 band", lapBand, lap150Want},
		{"swap", mat.NewSymDense(2, []float64{0, 1, 1, 0}), []float64{-1, 1}},
		{"zero", mat.NewSymDense(70, nil), make([]float64, 70)},
		{"laplacian3", lap3, lap3Want},
		{"laplacian150", lap150, lap150Want},
		{"ones5", ones5, ones5Want},
		{"ones200", ones200, ones200Want},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := len(tc.want)
			tol := specThresh * float64(n) * specUlp * max(specNorm1(tc.a), 1)
			got, err := hessian.Eigenvalues(tc.a)
			if err != nil {
				t.Fatal(err)
			}
			if !floats.EqualApprox(got, tc.want, tol) {
				t.Errorf("Eigenvalues = %v, want %v", got, tc.want)
			}
			var v mat.Dense
			got, err = hessian.Eigenvectors(&v, tc.a)
			if err != nil {
				t.Fatal(err)
			}
			if !floats.EqualApprox(got, tc.want, tol) {
				t.Errorf("Eigenvectors values = %v, want %v", got, tc.want)
			}
			res, orth := specRatios(tc.a, got, &v)
			if res > specThresh || orth > specThresh {
				t.Errorf("residual ratio %.3g, orthogonality ratio %.3g, want < %d", res, orth, specThresh)
			}
		})
	}
}

func TestInertiaKnown(t *testing.T) {
	t.Parallel()
	// [0 B; Bᵀ 0] with B square and nonsingular has eigenvalues ±σ_i(B): its
	// zero diagonal forces 2×2 pivots in the LDLᵀ factorisation.
	kkt := func(m int) *mat.SymDense {
		rnd := rand.New(rand.NewPCG(7, uint64(m)))
		a := mat.NewSymDense(2*m, nil)
		for i := range m {
			for j := range m {
				a.SetSym(i, m+j, rnd.NormFloat64())
			}
			// Diagonal dominance keeps B nonsingular.
			a.SetSym(i, m+i, a.At(i, m+i)+3*float64(m))
		}
		return a
	}
	swaps := func(m int) *mat.SymDense {
		a := mat.NewSymDense(2*m, nil)
		for i := range m {
			a.SetSym(2*i, 2*i+1, float64(i+1))
		}
		return a
	}
	lap := func(n int) *mat.SymDense {
		a := mat.NewSymDense(n, nil)
		for i := range n {
			a.SetSym(i, i, 2)
			if i+1 < n {
				a.SetSym(i, i+1, -1)
			}
		}
		return a
	}
	ones := func(n int) *mat.SymDense {
		a := mat.NewSymDense(n, nil)
		for i := range n {
			for j := i + 1; j < n; j++ {
				a.SetSym(i, j, 1)
			}
		}
		return a
	}
	// Eigenvalues of the second difference matrix of order 150 above 1:
	// 2 - 2 cos(kπ/151) > 1 for k > 151/3, k = 51..150.
	for _, tc := range []struct {
		name string
		a    *mat.SymDense
		tol  float64
		want hessian.Inertia
	}{
		{"1x1 positive", mat.NewSymDense(1, []float64{2}), 0, hessian.Inertia{Pos: 1}},
		{"1x1 within tol", mat.NewSymDense(1, []float64{-2}), 2, hessian.Inertia{Zero: 1}},
		{"swap", mat.NewSymDense(2, []float64{0, 1, 1, 0}), 0, hessian.Inertia{Neg: 1, Pos: 1}},
		{"swap tol 0.5", mat.NewSymDense(2, []float64{0, 1, 1, 0}), 0.5, hessian.Inertia{Neg: 1, Pos: 1}},
		{"swap tol 1.5", mat.NewSymDense(2, []float64{0, 1, 1, 0}), 1.5, hessian.Inertia{Zero: 2}},
		{"3x3 singular", mat.NewSymDense(3, []float64{1, 1, 0, 1, 1, 0, 0, 0, -1}), 1e-12, hessian.Inertia{Neg: 1, Zero: 1, Pos: 1}},
		{"zero 100", mat.NewSymDense(100, nil), 0, hessian.Inertia{Zero: 100}},
		// Eigenvalues ±1, ..., ±100 of the 2×2 blocks [0 k; k 0].
		{"swaps 200", swaps(100), 0, hessian.Inertia{Neg: 100, Pos: 100}},
		{"swaps 200 tol 50", swaps(100), 50, hessian.Inertia{Neg: 50, Zero: 100, Pos: 50}},
		{"kkt 200", kkt(100), 0, hessian.Inertia{Neg: 100, Pos: 100}},
		{"kkt 200 tol", kkt(100), 1e-8, hessian.Inertia{Neg: 100, Pos: 100}},
		{"laplacian 150 tol 1", lap(150), 1, hessian.Inertia{Zero: 50, Pos: 100}},
		{"ones 300", ones(300), 0, hessian.Inertia{Neg: 299, Pos: 1}},
		{"ones 300 tol 1", ones(300), 1, hessian.Inertia{Zero: 299, Pos: 1}},
		{"ones 300 tol 299.5", ones(300), 299.5, hessian.Inertia{Zero: 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := hessian.InertiaOf(tc.a, tc.tol)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("InertiaOf(tol=%v) = %+v, want %+v", tc.tol, got, tc.want)
			}
		})
	}
}

// TestSpectraProperties checks Eigenvalues, Eigenvectors and InertiaOf on
// matrices Q diag(d) Qᵀ with known spectra d and on GOE matrices, on both
// sides of the orders where the solvers switch from gonum's.
func TestSpectraProperties(t *testing.T) {
	t.Parallel()
	sizes := []int{1, 2, 3, 10, 20, 47, 100, 200}
	if !testing.Short() {
		sizes = append(sizes, 500, 1000, 2000)
	}
	for _, n := range sizes {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(11, uint64(n)))
			q := specOrthogonal(n, rnd)
			spectra := specSpectra(n, rnd)
			names := slices.Sorted(func(yield func(string) bool) {
				for k := range spectra {
					if !yield(k) {
						return
					}
				}
			})
			for _, name := range names {
				if n >= 1000 && name != "clustered" {
					// At the largest orders only the spectrum with the most
					// deflation and the GOE matrix.
					continue
				}
				d := spectra[name]
				a := specWithSpectrum(q, d)
				specCheck(t, name, a, d)
			}
			specCheck(t, "goe", specGOE(n, rnd), nil)
		})
	}
}

// specCheck checks the spectrum functions on a, whose eigenvalues are d when
// d is not nil.
func specCheck(t *testing.T, name string, a *mat.SymDense, d []float64) {
	t.Helper()
	n := a.SymmetricDim()
	anorm := specNorm1(a)
	// Eigenvalues of backward-stable solvers agree to within a multiple of
	// n ulp ||A||: LAPACK's threshold on that ratio.
	eigTol := specThresh * float64(n) * specUlp * anorm
	var v mat.Dense
	vecVals, err := hessian.Eigenvectors(&v, a)
	if err != nil {
		t.Fatalf("%s: Eigenvectors: %v", name, err)
	}
	vals, err := hessian.Eigenvalues(a)
	if err != nil {
		t.Fatalf("%s: Eigenvalues: %v", name, err)
	}
	if !slices.IsSorted(vals) || !slices.IsSorted(vecVals) {
		t.Errorf("%s: eigenvalues not ascending", name)
	}
	if !floats.EqualApprox(vals, vecVals, eigTol) {
		t.Errorf("%s: Eigenvalues and Eigenvectors differ by %.3g > %.3g", name, specMaxDiff(vals, vecVals), eigTol)
	}
	if d != nil && !floats.EqualApprox(vals, d, eigTol) {
		t.Errorf("%s: eigenvalues differ from the spectrum by %.3g > %.3g", name, specMaxDiff(vals, d), eigTol)
	}
	if n <= 500 {
		var es mat.EigenSym
		if !es.Factorize(a, false) {
			t.Fatalf("%s: gonum EigenSym failed", name)
		}
		if ref := es.Values(nil); !floats.EqualApprox(vals, ref, eigTol) {
			t.Errorf("%s: eigenvalues differ from gonum's by %.3g > %.3g", name, specMaxDiff(vals, ref), eigTol)
		}
	}
	res, orth := specRatios(a, vecVals, &v)
	if res > specThresh || orth > specThresh {
		t.Errorf("%s: residual ratio %.3g, orthogonality ratio %.3g, want < %d", name, res, orth, specThresh)
	}

	// The inertia must equal the sign counts of the eigenvalues for every
	// tolerance that no eigenvalue is near: by backward stability, closer
	// than 1000 n ulp ||A|| (LAPACK's threshold 30 with room for element
	// growth in the pivoting) the count may go either way.
	ref := d
	if ref == nil {
		ref = vals
	}
	scale := max(math.Abs(ref[0]), math.Abs(ref[n-1]))
	if scale == 0 {
		scale = 1
	}
	margin := 1000 * float64(n) * specUlp * anorm
	checked := 0
	for _, rel := range []float64{0, 1e-10, math.Sqrt(specUlp), 1e-3, 0.25} {
		tol := rel * scale
		near := false
		for _, l := range ref {
			near = near || math.Abs(math.Abs(l)-tol) <= margin
		}
		if near {
			continue
		}
		checked++
		want := hessian.CountInertia(ref, tol)
		got, err := hessian.InertiaOf(a, tol)
		if err != nil {
			t.Fatalf("%s: InertiaOf: %v", name, err)
		}
		if got != want {
			t.Errorf("%s: InertiaOf(tol=%.3g) = %+v, want %+v", name, tol, got, want)
		}
	}
	if checked < 2 {
		t.Errorf("%s: only %d tolerances away from the spectrum", name, checked)
	}
}

func specMaxDiff(x, y []float64) float64 {
	var m float64
	for i := range x {
		m = max(m, math.Abs(x[i]-y[i]))
	}
	return m
}

// TestSpectraScaling checks that the spectrum of c A is c times that of A
// for scale factors that would overflow or underflow products of entries.
func TestSpectraScaling(t *testing.T) {
	t.Parallel()
	for _, n := range []int{5, 100} {
		rnd := rand.New(rand.NewPCG(13, uint64(n)))
		a := specGOE(n, rnd)
		want, err := hessian.Eigenvalues(a)
		if err != nil {
			t.Fatal(err)
		}
		inWant, err := hessian.InertiaOf(a, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []float64{0x1p-1040, 0x1p-600, 0x1p+600, 0x1p+1000} {
			ca := mat.NewSymDense(n, nil)
			ca.ScaleSym(c, a)
			got, err := hessian.Eigenvalues(ca)
			if err != nil {
				t.Fatalf("n=%d c=%g: %v", n, c, err)
			}
			for i := range got {
				got[i] /= c
			}
			// Entries of order one scaled by 2^-1040 are subnormal with
			// about 1074-1040 = 34 significant bits, so that case is
			// compared to 2^-30 relative.
			tol := specThresh * float64(n) * specUlp * specNorm1(a)
			if c < 0x1p-1022 {
				tol = 0x1p-30 * specNorm1(a)
			}
			if !floats.EqualApprox(got, want, tol) {
				t.Errorf("n=%d c=%g: eigenvalues/c differ by %.3g", n, c, specMaxDiff(got, want))
			}
			var v mat.Dense
			got, err = hessian.Eigenvectors(&v, ca)
			if err != nil {
				t.Fatalf("n=%d c=%g: %v", n, c, err)
			}
			res, orth := specRatios(ca, got, &v)
			if c >= 0x1p-1022 && (res > specThresh || orth > specThresh) {
				t.Errorf("n=%d c=%g: residual ratio %.3g, orthogonality ratio %.3g", n, c, res, orth)
			}
			if c >= 0x1p-1022 {
				in, err := hessian.InertiaOf(ca, 0.5*c)
				if err != nil {
					t.Fatal(err)
				}
				if in != inWant {
					t.Errorf("n=%d c=%g: InertiaOf = %+v, want %+v", n, c, in, inWant)
				}
			}
		}
	}
}

func TestSpectraErrors(t *testing.T) {
	t.Parallel()
	for _, n := range []int{3, 150} {
		a := mat.NewSymDense(n, nil)
		a.SetSym(1, 2, math.NaN())
		if _, err := hessian.Eigenvalues(a); err == nil || !strings.Contains(err.Error(), "(1,2)") {
			t.Errorf("n=%d: Eigenvalues error %v, want one naming entry (1,2)", n, err)
		}
		if _, err := hessian.Eigenvectors(&mat.Dense{}, a); err == nil {
			t.Errorf("n=%d: Eigenvectors of a NaN matrix returned no error", n)
		}
		a.SetSym(1, 2, math.Inf(-1))
		if _, err := hessian.InertiaOf(a, 0); err == nil {
			t.Errorf("n=%d: InertiaOf of an infinite matrix returned no error", n)
		}
	}
	if _, err := hessian.Eigenvalues(&mat.SymDense{}); err == nil {
		t.Error("Eigenvalues of an empty matrix returned no error")
	}
	if _, err := hessian.InertiaOf(&mat.SymDense{}, 0); err == nil {
		t.Error("InertiaOf of an empty matrix returned no error")
	}
	specPanics(t, "negative tolerance", func() { hessian.InertiaOf(mat.NewSymDense(2, nil), -1) })
	specPanics(t, "NaN tolerance", func() { hessian.InertiaOf(mat.NewSymDense(200, nil), math.NaN()) })
	for _, n := range []int{3, 150} {
		specPanics(t, "wrong vecs size", func() { hessian.Eigenvectors(mat.NewDense(n, n+1, nil), mat.NewSymDense(n, nil)) })
	}
}

func specPanics(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", name)
			return
		}
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "hessian: ") {
			t.Errorf("%s: panic %v, want a message starting \"hessian: \"", name, r)
		}
	}()
	f()
}

func TestSpectralNorm(t *testing.T) {
	t.Parallel()
	lap := mat.NewSymDense(150, nil)
	for i := range 150 {
		lap.SetSym(i, i, 2)
		if i+1 < 150 {
			lap.SetSym(i, i+1, -1)
		}
	}
	ones := mat.NewSymDense(300, nil)
	for i := range 300 {
		for j := i + 1; j < 300; j++ {
			ones.SetSym(i, j, 1)
		}
	}
	goe := specGOE(200, rand.New(rand.NewPCG(17, 1)))
	goeVals, err := hessian.Eigenvalues(goe)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    *mat.SymDense
		want float64
	}{
		{"diag", mat.NewSymDense(2, []float64{-5, 0, 0, 3}), 5},
		{"zero", mat.NewSymDense(100, nil), 0},
		// 2 - 2 cos(150π/151), the largest eigenvalue of the second
		// difference matrix.
		{"laplacian150", lap, 2 - 2*math.Cos(150*math.Pi/151)},
		// J - I: eigenvalues 299 and -1.
		{"ones300", ones, 299},
		{"goe200", goe, max(-goeVals[0], goeVals[199])},
	} {
		for _, rtol := range []float64{1e-3, 1e-8} {
			got, err := hessian.SpectralNorm(tc.a, rtol)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			// The bound rtol ||A||, plus rounding in the reference.
			if math.Abs(got-tc.want) > rtol*tc.want+1e-12*tc.want {
				t.Errorf("%s rtol=%v: SpectralNorm = %v, want %v", tc.name, rtol, got, tc.want)
			}
		}
	}
	nan := mat.NewSymDense(100, nil)
	nan.SetSym(3, 4, math.NaN())
	if _, err := hessian.SpectralNorm(nan, 1e-3); err == nil {
		t.Error("SpectralNorm of a NaN matrix returned no error")
	}
	specPanics(t, "rtol 0", func() { hessian.SpectralNorm(lap, 0) })
	specPanics(t, "rtol 1", func() { hessian.SpectralNorm(lap, 1) })
}

func ExampleInertiaOf() {
	// A saddle-point (KKT) matrix [H Aᵀ; A 0] with H positive definite and A
	// of full row rank has as many negative eigenvalues as A has rows.
	k := mat.NewSymDense(3, []float64{
		2, 0, 1,
		0, 1, 1,
		1, 1, 0,
	})
	in, err := hessian.InertiaOf(k, 1e-12)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", in)
	// Output:
	// {Neg:1 Zero:0 Pos:2}
}

func ExampleEigenvectors() {
	a := mat.NewSymDense(2, []float64{
		2, 1,
		1, 2,
	})
	var v mat.Dense
	vals, err := hessian.Eigenvectors(&v, a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", vals)
	// Eigenvectors are defined up to sign: print |v|.
	fmt.Printf("%.4f\n", mat.Formatted(absDense(&v)))
	// Output:
	// [1.0000 3.0000]
	// ⎡0.7071  0.7071⎤
	// ⎣0.7071  0.7071⎦
}

func absDense(a *mat.Dense) *mat.Dense {
	var b mat.Dense
	b.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, a)
	return &b
}
