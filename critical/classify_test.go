package critical_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/mat"
)

var sqrtEps = math.Sqrt(0x1p-52)

func TestClassifyKnown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		h       *mat.SymDense
		tol     float64
		kind    critical.Kind
		index   int
		nullity int
		wantTol float64
	}{
		// 5x^2 - y^2: H = diag(10, -2), a saddle of index 1.
		{"saddle quadratic", diag(10, -2), 0, critical.Saddle, 1, 0, 10 * sqrtEps},
		// Monkey saddle x^3 - 3xy^2 at 0: zero Hessian, nullity 2.
		{"monkey saddle", diag(0, 0), 0, critical.Degenerate, 0, 2, 0},
		// Beale at (0, 1): [[0, 27.75], [27.75, 0]], eigenvalues ±27.75.
		{"beale saddle", mat.NewSymDense(2, []float64{0, 27.75, 27.75, 0}), 0, critical.Saddle, 1, 0, 27.75 * sqrtEps},
		{"minimum", diag(3, 1, 2), 0, critical.Minimum, 0, 0, 3 * sqrtEps},
		{"maximum", diag(-1, -4), 0, critical.Maximum, 2, 0, 4 * sqrtEps},
		{"semidefinite", diag(1, 0, 2), 0, critical.Degenerate, 0, 1, 2 * sqrtEps},
		{"saddle with a zero", diag(-1, 0, 1), 0, critical.Saddle, 1, 1, sqrtEps},
		// 1e-3 is within the explicit tolerance 1e-2.
		{"explicit tol", diag(1e-3, 1), 1e-2, critical.Degenerate, 0, 1, 1e-2},
		// An eigenvalue exactly at -tol counts as zero.
		{"boundary", diag(-0.5, 1), 0.5, critical.Degenerate, 0, 1, 0.5},
	} {
		c, err := critical.Classify(tc.h, tc.tol)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		n := tc.h.SymmetricDim()
		if c.Kind != tc.kind || c.Index != tc.index || c.Nullity != tc.nullity || c.Tol != tc.wantTol {
			t.Errorf("%s: %v index %d nullity %d tol %g, want %v index %d nullity %d tol %g",
				tc.name, c.Kind, c.Index, c.Nullity, c.Tol, tc.kind, tc.index, tc.nullity, tc.wantTol)
		}
		if c.IndexFraction != float64(tc.index)/float64(n) || len(c.Eigenvalues) != n ||
			c.MinEigenvalue != c.Eigenvalues[0] || c.MaxEigenvalue != c.Eigenvalues[n-1] ||
			!slices.IsSorted(c.Eigenvalues) {
			t.Errorf("%s: inconsistent fields %+v", tc.name, c)
		}
	}
}

func diag(d ...float64) *mat.SymDense {
	h := mat.NewSymDense(len(d), nil)
	for i, v := range d {
		h.SetSym(i, i, v)
	}
	return h
}

// TestClassifyTestFunctions classifies the exact Hessian at every listed
// critical point of the test functions: for Himmelblau 4 minima, 4 saddles
// and 1 maximum.
func TestClassifyTestFunctions(t *testing.T) {
	t.Parallel()
	for _, f := range testfunc.All() {
		counts := make(map[critical.Kind]int)
		for _, p := range f.Critical {
			var h mat.SymDense
			if err := hessian.Exact(&h, f.Problem, p.X); err != nil {
				t.Fatal(err)
			}
			c, err := critical.Classify(&h, 0)
			if err != nil {
				t.Fatal(err)
			}
			counts[c.Kind]++
			if c.Kind.String() != p.Kind {
				t.Errorf("%s at %v: %v, listed %s", f.Name, p.X, c.Kind, p.Kind)
			}
			if p.Kind == testfunc.Saddle && c.Index != 1 {
				t.Errorf("%s at %v: saddle of index %d, want 1 in two dimensions", f.Name, p.X, c.Index)
			}
		}
		if f.Name == "himmelblau" {
			want := map[critical.Kind]int{critical.Minimum: 4, critical.Saddle: 4, critical.Maximum: 1}
			if fmt.Sprint(counts) != fmt.Sprint(want) {
				t.Errorf("himmelblau: %v, want %v", counts, want)
			}
		}
	}
}

// randomOrthogonal returns the Q factor of the QR factorisation of an n×n
// matrix of standard normal entries.
func randomOrthogonal(n int, rnd *rand.Rand) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// conjugate returns Q diag(d) Q^T, symmetrised.
func conjugate(q *mat.Dense, d []float64) *mat.SymDense {
	n := len(d)
	var qd mat.Dense
	qd.Mul(q, mat.NewDiagDense(n, d))
	var h mat.Dense
	h.Mul(&qd, q.T())
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, 0.5*(h.At(i, j)+h.At(j, i)))
		}
	}
	return s
}

// TestClassifyOrthogonalInvariance checks that Q diag(d) Q^T, for a random
// orthogonal Q, is classified by d alone: the index is the number of
// negative d_i and the nullity the number of exact zeros.
func TestClassifyOrthogonalInvariance(t *testing.T) {
	t.Parallel()
	sizes := []int{1, 2, 3, 10, 50, 200}
	if testing.Short() {
		sizes = sizes[:5]
	}
	rnd := rand.New(rand.NewPCG(2014, 1))
	for _, n := range sizes {
		q := randomOrthogonal(n, rnd)
		for _, spec := range []struct {
			name           string
			neg, zero, pos int
		}{
			{"positive", 0, 0, n},
			{"negative", n, 0, 0},
			{"mixed", n / 2, 0, n - n/2},
			{"mixed with zeros", n / 3, n / 3, n - 2*(n/3)},
			{"semidefinite", 0, (n + 1) / 2, n - (n+1)/2},
			{"zero", 0, n, 0},
		} {
			var kind critical.Kind
			switch {
			case spec.neg > 0 && spec.pos > 0:
				kind = critical.Saddle
			case spec.zero > 0:
				kind = critical.Degenerate
			case spec.neg > 0:
				kind = critical.Maximum
			default:
				kind = critical.Minimum
			}
			// Magnitudes in [0.01, 10], far outside the default tolerance
			// sqrt(eps)*10 and far above the rounding of Q diag(d) Q^T.
			d := make([]float64, 0, n)
			for range spec.neg {
				d = append(d, -0.01*math.Pow(1000, rnd.Float64()))
			}
			for range spec.zero {
				d = append(d, 0)
			}
			for range spec.pos {
				d = append(d, 0.01*math.Pow(1000, rnd.Float64()))
			}
			c, err := critical.Classify(conjugate(q, d), 0)
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != kind || c.Index != spec.neg || c.Nullity != spec.zero {
				t.Errorf("n=%d %s: %v index %d nullity %d, want %v index %d nullity %d",
					n, spec.name, c.Kind, c.Index, c.Nullity, kind, spec.neg, spec.zero)
			}
			slices.Sort(d)
			for i, v := range d {
				// Backward stability: eigenvalues within O(n eps ||H||).
				if math.Abs(c.Eigenvalues[i]-v) > 1e-12*float64(n) {
					t.Errorf("n=%d %s: eigenvalue %d = %g, want %g", n, spec.name, i, c.Eigenvalues[i], v)
					break
				}
			}
		}
	}
}

// TestClassifyScaleInvariant: the default tolerance is relative, so scaling
// the matrix by any c > 0 changes nothing but the eigenvalues.
func TestClassifyScaleInvariant(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(7, 1))
	q := randomOrthogonal(6, rnd)
	d := []float64{-3, -1e-3, 0, 0, 2e-4, 5}
	ref, err := critical.Classify(conjugate(q, d), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []float64{1e-150, 1e-8, 3, 1e150} {
		scaled := make([]float64, len(d))
		for i, v := range d {
			scaled[i] = c * v
		}
		got, err := critical.Classify(conjugate(q, scaled), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != ref.Kind || got.Index != ref.Index || got.Nullity != ref.Nullity {
			t.Errorf("scale %g: %v index %d nullity %d, unscaled %v index %d nullity %d",
				c, got.Kind, got.Index, got.Nullity, ref.Kind, ref.Index, ref.Nullity)
		}
	}
}

func TestClassifyEigenvalues(t *testing.T) {
	t.Parallel()
	c, err := critical.ClassifyEigenvalues([]float64{-2, 0, 1e-9, 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Default tol = sqrt(eps)*3 = 4.5e-8: 0 and 1e-9 count as zero.
	if c.Kind != critical.Saddle || c.Index != 1 || c.Nullity != 2 || c.Tol != 3*sqrtEps {
		t.Errorf("got %+v", c)
	}
	h := diag(-2, 0, 1e-9, 3)
	ch, err := critical.Classify(h, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Kind != c.Kind || ch.Index != c.Index || ch.Nullity != c.Nullity || ch.Tol != c.Tol {
		t.Errorf("Classify %+v differs from ClassifyEigenvalues %+v", ch, c)
	}
}

func TestClassifyErrors(t *testing.T) {
	t.Parallel()
	nan := diag(1, 2)
	nan.SetSym(0, 1, math.NaN())
	inf := diag(1, math.Inf(-1))
	for _, tc := range []struct {
		name string
		h    mat.Symmetric
		want string
	}{
		{"NaN entry", nan, "non-finite matrix entry (0,1) = NaN"},
		{"Inf entry", inf, "non-finite matrix entry (1,1) = -Inf"},
		{"empty", &mat.SymDense{}, "empty matrix"},
	} {
		_, err := critical.Classify(tc.h, 0)
		if err == nil || !strings.HasPrefix(err.Error(), "critical: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one starting with \"critical: \" containing %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		vals []float64
		want string
	}{
		{"NaN eigenvalue", []float64{1, math.NaN()}, "non-finite eigenvalue 1"},
		{"no eigenvalues", nil, "no eigenvalues"},
	} {
		_, err := critical.ClassifyEigenvalues(tc.vals, 0)
		if err == nil || !strings.HasPrefix(err.Error(), "critical: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"NaN tol", func() { critical.Classify(diag(1), math.NaN()) }},
		{"Inf tol", func() { critical.Classify(diag(1), math.Inf(1)) }},
		{"unsorted", func() { critical.ClassifyEigenvalues([]float64{2, 1}, 0) }},
	} {
		wantPanic(t, tc.name, tc.call)
	}
}

// wantPanic fails t unless call panics with a string starting "critical: ".
func wantPanic(t *testing.T, name string, call func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "critical: ") {
			t.Errorf("%s: recovered %#v, want a panic starting with \"critical: \"", name, r)
		}
	}()
	call()
}

func TestKindString(t *testing.T) {
	t.Parallel()
	var zero critical.Kind
	for _, tc := range []struct {
		k    critical.Kind
		want string
	}{
		{zero, "degenerate"},
		{critical.Minimum, "minimum"},
		{critical.Maximum, "maximum"},
		{critical.Saddle, "saddle"},
		{critical.Kind(7), "Kind(7)"},
	} {
		if got := tc.k.String(); got != tc.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tc.k), got, tc.want)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	for _, n := range []int{100, 500, 1000, 2000} {
		rnd := rand.New(rand.NewPCG(uint64(n), 1))
		h := mat.NewSymDense(n, nil)
		for i := range n {
			for j := i; j < n; j++ {
				h.SetSym(i, j, rnd.NormFloat64())
			}
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := critical.Classify(h, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
