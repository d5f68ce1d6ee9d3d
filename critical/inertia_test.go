package critical_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"gonum.org/v1/gonum/mat"
)

// inertiaDiag returns diag(d) as a symmetric matrix.
func inertiaDiag(d ...float64) *mat.SymDense {
	a := mat.NewSymDense(len(d), nil)
	for i, v := range d {
		a.SetSym(i, i, v)
	}
	return a
}

// inertiaConjugate returns Q diag(d) Qᵀ for a random orthogonal Q (the Q
// factor of a Gaussian matrix), symmetrised.
func inertiaConjugate(d []float64, rnd *rand.Rand) *mat.SymDense {
	n := len(d)
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
	qd := mat.DenseCopyOf(&q)
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

func TestClassifyInertiaKnown(t *testing.T) {
	t.Parallel()
	// [0 B; Bᵀ 0] with B = 3m I + noise is nonsingular: eigenvalues ±σ_i(B),
	// a saddle of index m whose diagonal is zero.
	kkt := func(m int) *mat.SymDense {
		rnd := rand.New(rand.NewPCG(5, uint64(m)))
		a := mat.NewSymDense(2*m, nil)
		for i := range m {
			for j := range m {
				a.SetSym(i, m+j, rnd.NormFloat64())
			}
			a.SetSym(i, m+i, a.At(i, m+i)+3*float64(m))
		}
		return a
	}
	// The second difference matrix 2I - S - Sᵀ of order n has eigenvalues
	// 2 - 2 cos(kπ/(n+1)) in (0, 4): a minimum; its negative a maximum.
	lap := func(n int, sign float64) *mat.SymDense {
		a := mat.NewSymDense(n, nil)
		for i := range n {
			a.SetSym(i, i, 2*sign)
			if i+1 < n {
				a.SetSym(i, i+1, -sign)
			}
		}
		return a
	}
	for _, tc := range []struct {
		name    string
		h       *mat.SymDense
		tol     float64
		kind    critical.Kind
		index   int
		nullity int
	}{
		// 5x² - y²: H = diag(10, -2).
		{"5x^2-y^2", inertiaDiag(10, -2), 0, critical.Saddle, 1, 0},
		{"x^2+y^2", inertiaDiag(2, 2), 0, critical.Minimum, 0, 0},
		{"-x^2-2y^2", inertiaDiag(-2, -4), 0, critical.Maximum, 2, 0},
		// x² + y⁴: H = diag(2, 0) at the origin, second-order test
		// inconclusive.
		{"x^2+y^4", inertiaDiag(2, 0), 0, critical.Degenerate, 0, 1},
		// xy: H = [0 1; 1 0], eigenvalues ±1, a 2×2 pivot.
		{"xy", mat.NewSymDense(2, []float64{0, 1, 1, 0}), 0, critical.Saddle, 1, 0},
		{"xy tol 1.5", mat.NewSymDense(2, []float64{0, 1, 1, 0}), 1.5, critical.Degenerate, 0, 2},
		{"zero", mat.NewSymDense(3, nil), 0, critical.Degenerate, 0, 3},
		{"kkt 200", kkt(100), 0, critical.Saddle, 100, 0},
		{"laplacian 150", lap(150, 1), 0, critical.Minimum, 0, 0},
		{"-laplacian 150", lap(150, -1), 0, critical.Maximum, 150, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := critical.ClassifyInertia(tc.h, tc.tol)
			if err != nil {
				t.Fatal(err)
			}
			n := tc.h.SymmetricDim()
			if c.Kind != tc.kind || c.Index != tc.index || c.Nullity != tc.nullity {
				t.Errorf("got %v index %d nullity %d, want %v index %d nullity %d", c.Kind, c.Index, c.Nullity, tc.kind, tc.index, tc.nullity)
			}
			if c.IndexFraction != float64(tc.index)/float64(n) {
				t.Errorf("IndexFraction = %v, want %v", c.IndexFraction, float64(tc.index)/float64(n))
			}
			if c.Eigenvalues != nil || !math.IsNaN(c.MinEigenvalue) || !math.IsNaN(c.MaxEigenvalue) {
				t.Errorf("eigenvalue fields %v, %v, %v, want nil, NaN, NaN", c.Eigenvalues, c.MinEigenvalue, c.MaxEigenvalue)
			}
			if tc.tol > 0 && c.Tol != tc.tol {
				t.Errorf("Tol = %v, want %v", c.Tol, tc.tol)
			}
		})
	}
}

// TestClassifyInertiaAgrees checks that ClassifyInertia and Classify give the
// same classification, with explicit and default tolerances, on matrices
// with random, degenerate and definite spectra on both sides of the orders
// where hessian.InertiaOf switches to LDLᵀ.
func TestClassifyInertiaAgrees(t *testing.T) {
	t.Parallel()
	sizes := []int{1, 2, 5, 30, 100}
	if !testing.Short() {
		sizes = append(sizes, 200, 600)
	}
	for _, n := range sizes {
		rnd := rand.New(rand.NewPCG(9, uint64(n)))
		spectra := map[string][]float64{}
		normal := make([]float64, n)
		positive := make([]float64, n)
		degenerate := make([]float64, n)
		for i := range n {
			normal[i] = rnd.NormFloat64()
			positive[i] = 0.1 + rnd.Float64()
			// Half the spectrum negative, the rest zero: degenerate
			// unless n = 1.
			if i < n/2 {
				degenerate[i] = -0.1 - rnd.Float64()
			}
		}
		spectra["normal"] = normal
		spectra["positive"] = positive
		spectra["negative"] = slices.Clone(positive)
		for i := range spectra["negative"] {
			spectra["negative"][i] *= -1
		}
		spectra["degenerate"] = degenerate
		for _, name := range []string{"normal", "positive", "negative", "degenerate"} {
			d := spectra[name]
			h := inertiaConjugate(d, rnd)
			for _, tol := range []float64{0, 0.05, 0.5} {
				// Rounding may put an eigenvalue within n ε ||h|| of ±tol
				// on either side; none of these spectra comes within 1e-9.
				near := false
				for _, v := range d {
					near = near || (tol > 0 && math.Abs(math.Abs(v)-tol) < 1e-9)
				}
				if near {
					continue
				}
				want, err := critical.Classify(h, tol)
				if err != nil {
					t.Fatal(err)
				}
				got, err := critical.ClassifyInertia(h, tol)
				if err != nil {
					t.Fatal(err)
				}
				label := fmt.Sprintf("n=%d %s tol=%v", n, name, tol)
				// The default tolerances agree to n ε ||h||₂ (with room
				// for the estimate's rounding).
				if math.Abs(got.Tol-want.Tol) > 4*float64(n)*0x1p-52*max(want.Tol, math.Abs(want.MinEigenvalue), math.Abs(want.MaxEigenvalue)) {
					t.Errorf("%s: Tol = %v, want %v", label, got.Tol, want.Tol)
				}
				// The zeros of the degenerate spectrum are at rounding
				// level, far inside the default tolerance.
				if got.Kind != want.Kind || got.Index != want.Index || got.Nullity != want.Nullity || got.IndexFraction != want.IndexFraction {
					t.Errorf("%s: ClassifyInertia %v index %d nullity %d, Classify %v index %d nullity %d",
						label, got.Kind, got.Index, got.Nullity, want.Kind, want.Index, want.Nullity)
				}
			}
		}
	}
}

func TestClassifyInertiaErrors(t *testing.T) {
	t.Parallel()
	if _, err := critical.ClassifyInertia(&mat.SymDense{}, 0); err == nil {
		t.Error("empty matrix: no error")
	}
	for _, n := range []int{3, 100} {
		h := mat.NewSymDense(n, nil)
		h.SetSym(0, 2, math.NaN())
		for _, tol := range []float64{0, 1} {
			if _, err := critical.ClassifyInertia(h, tol); err == nil {
				t.Errorf("n=%d tol=%v: NaN entry, no error", n, tol)
			}
		}
	}
	wantPanic(t, "infinite tol", func() { critical.ClassifyInertia(inertiaDiag(1), math.Inf(1)) })
	wantPanic(t, "NaN tol", func() { critical.ClassifyInertia(inertiaDiag(1), math.NaN()) })
}

func ExampleClassifyInertia() {
	// The Hessian of f(x, y, z) = x² - yz at the origin: eigenvalues 2, 1, -1.
	h := mat.NewSymDense(3, []float64{
		2, 0, 0,
		0, 0, -1,
		0, -1, 0,
	})
	c, err := critical.ClassifyInertia(h, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v of index %d, nullity %d\n", c.Kind, c.Index, c.Nullity)
	// Output:
	// saddle of index 1, nullity 0
}
