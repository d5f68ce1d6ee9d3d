package testfunc

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// asymmetricPoints are points with distinct, non-special coordinates, where
// an error that swaps x and y or drops a cross term cannot cancel.
var asymmetricPoints = [][]float64{
	{0.7, -1.3},
	{-1.9, 0.45},
	{1.23, 2.17},
	{-0.31, -0.83},
}

// eig2 returns the eigenvalues of the symmetric 2×2 matrix [[a, b], [b, d]]
// in ascending order.
func eig2(a, b, d float64) (lo, hi float64) {
	m := (a + d) / 2
	r := math.Hypot((a-d)/2, b)
	return m - r, m + r
}

func hessAt(f Function, x []float64) (a, b, d float64) {
	h := mat.NewSymDense(2, nil)
	f.Problem.Hess(h, x)
	return h.At(0, 0), h.At(0, 1), h.At(1, 1)
}

func TestCriticalPoints(t *testing.T) {
	t.Parallel()
	// The counts are those stated in each constructor's documentation; the
	// sources are cited in the package documentation.
	want := map[string]map[string]int{
		"himmelblau":            {Minimum: 4, Maximum: 1, Saddle: 4},
		"rosenbrock":            {Minimum: 1},
		"beale":                 {Minimum: 1, Saddle: 2},
		"six-hump-camel":        {Minimum: 6, Maximum: 2, Saddle: 7},
		"saddle-quadratic":      {Saddle: 1},
		"monkey-saddle":         {Degenerate: 1},
		"gradient-flat-quartic": {Minimum: 1},
	}
	for _, f := range All() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			if f.Dim != 2 || len(f.Domain) != f.Dim {
				t.Fatalf("Dim = %d, len(Domain) = %d, want 2", f.Dim, len(f.Domain))
			}
			counts := make(map[string]int)
			g := make([]float64, 2)
			for i, p := range f.Critical {
				counts[p.Kind]++
				for k, v := range p.X {
					if v < f.Domain[k][0] || v > f.Domain[k][1] {
						t.Errorf("point %d %v outside the domain %v", i, p.X, f.Domain)
					}
				}
				f.Problem.Grad(g, p.X)
				if norm := math.Hypot(g[0], g[1]); norm > 1e-12 {
					t.Errorf("point %d %v: ||grad|| = %g, want < 1e-12", i, p.X, norm)
				}
				if v := f.Problem.Func(p.X); math.Abs(v-p.F) > 1e-13*max(1, math.Abs(p.F)) {
					t.Errorf("point %d %v: f = %.17g, listed %.17g", i, p.X, v, p.F)
				}
				lo, hi := eig2(hessAt(f, p.X))
				// Every listed non-degenerate point has eigenvalues of size at
				// least 0.3 (Beale's minimum, 0.301); 1e-8 separates them from
				// the exact zeros of the monkey saddle.
				const tol = 1e-8
				var kind string
				switch {
				case lo < -tol && hi > tol:
					kind = Saddle
				case lo > tol:
					kind = Minimum
				case hi < -tol:
					kind = Maximum
				default:
					kind = Degenerate
				}
				if kind != p.Kind {
					t.Errorf("point %d %v: eigenvalues %g, %g make it a %s, listed %s", i, p.X, lo, hi, kind, p.Kind)
				}
				for j, q := range f.Critical[:i] {
					if math.Hypot(p.X[0]-q.X[0], p.X[1]-q.X[1]) < 1e-6 {
						t.Errorf("points %d and %d coincide at %v", j, i, p.X)
					}
				}
			}
			if fmt.Sprint(counts) != fmt.Sprint(want[f.Name]) {
				t.Errorf("kinds %v, want %v", counts, want[f.Name])
			}
		})
	}
}

func TestKnownValues(t *testing.T) {
	t.Parallel()
	sqrt2 := math.Sqrt2
	for _, tc := range []struct {
		name string
		f    Function
		x    []float64
		want float64
		tol  float64
	}{
		// Himmelblau's maximum, f = 181.617 to the 6 digits commonly quoted.
		{"himmelblau max", Himmelblau(), []float64{-0.270845, -0.923039}, 181.617, 5e-4},
		// Six-hump camel global minimum, f = -1.0316 (Dixon & Szegő 1978).
		{"camel min", SixHumpCamel(), []float64{0.0898, -0.7126}, -1.0316, 5e-5},
		// Frye et al. (2021): f(-3, 0) = 81/4 - 27 - 27 + 40 = 6.25.
		{"quartic min", GradientFlatQuartic(), []float64{-3, 0}, 6.25, 0},
		// Beale at (0, 1): 1.5^2 + 2.25^2 + 2.625^2 = 14.203125.
		{"beale saddle", Beale(), []float64{0, 1}, 14.203125, 0},
		// Rosenbrock at (-1, 2): 4 + 100 = 104.
		{"rosenbrock", Rosenbrock(), []float64{-1, 2}, 104, 0},
		// Gradient-flat quartic at (sqrt 2, 0): 1 - 6 + 9 sqrt 2 + 40.
		{"quartic flat", GradientFlatQuartic(), []float64{sqrt2, 0}, 35 + 9*sqrt2, 1e-13},
	} {
		if got := tc.f.Problem.Func(tc.x); math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: f(%v) = %.10g, want %.10g", tc.name, tc.x, got, tc.want)
		}
	}
}

func TestKnownHessians(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		f       Function
		x       []float64
		a, b, d float64
	}{
		// Closed forms stated in the constructors' documentation.
		{"saddle quadratic", SaddleQuadratic(), []float64{0.3, -0.7}, 10, 0, -2},
		{"rosenbrock min", Rosenbrock(), []float64{1, 1}, 802, -400, 200},
		{"beale saddle", Beale(), []float64{0, 1}, 0, 27.75, 0},
		{"monkey origin", MonkeySaddle(), []float64{0, 0}, 0, 0, 0},
		{"monkey", MonkeySaddle(), []float64{0.5, -0.25}, 3, 1.5, -3},
	} {
		a, b, d := hessAt(tc.f, tc.x)
		if a != tc.a || b != tc.b || d != tc.d {
			t.Errorf("%s: H(%v) = [[%g %g] [%g %g]], want [[%g %g] [%g %g]]", tc.name, tc.x, a, b, b, d, tc.a, tc.b, tc.b, tc.d)
		}
	}
}

func TestGradientFlat(t *testing.T) {
	t.Parallel()
	f := GradientFlatQuartic()
	if len(f.GradientFlat) != 2 {
		t.Fatalf("%d gradient-flat points, want 2", len(f.GradientFlat))
	}
	g := make([]float64, 2)
	hg := make([]float64, 2)
	for _, x := range f.GradientFlat {
		f.Problem.Grad(g, x)
		f.Problem.HessVec(hg, x, g)
		gn := math.Hypot(g[0], g[1])
		if gn < 1 {
			t.Errorf("at %v: ||grad|| = %g, want a non-critical point", x, gn)
		}
		// 3x^2 - 6 at x = ±sqrt 2 is zero up to rounding of sqrt 2.
		if r := math.Hypot(hg[0], hg[1]) / gn; r > 1e-14 {
			t.Errorf("at %v: ||H g||/||g|| = %g, want the gradient in the kernel", x, r)
		}
	}
	// Frye et al. (2021): ||grad f||^2 = 11.1766 at (sqrt 2, 0).
	f.Problem.Grad(g, []float64{math.Sqrt2, 0})
	if gg := g[0]*g[0] + g[1]*g[1]; math.Abs(gg-11.1766) > 5e-5 {
		t.Errorf("||grad||^2 at (sqrt 2, 0) = %.6f, want 11.1766", gg)
	}
}

// TestDerivatives checks every gradient, Hessian and Hessian-vector product
// against central finite differences at asymmetric points.
func TestDerivatives(t *testing.T) {
	t.Parallel()
	const h = 1e-5 // central differences: error O(h^2) plus rounding O(eps/h)
	for _, f := range All() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			p := f.Problem
			g := make([]float64, 2)
			gp := make([]float64, 2)
			gm := make([]float64, 2)
			hv := make([]float64, 2)
			for _, x := range asymmetricPoints {
				p.Grad(g, x)
				a, b, d := hessAt(f, x)
				hess := [2][2]float64{{a, b}, {b, d}}
				scale := 1 + math.Abs(p.Func(x)) + math.Hypot(g[0], g[1]) + math.Abs(a) + math.Abs(b) + math.Abs(d)
				for i := range 2 {
					xp := []float64{x[0], x[1]}
					xm := []float64{x[0], x[1]}
					xp[i] += h
					xm[i] -= h
					fd := (p.Func(xp) - p.Func(xm)) / (2 * h)
					if math.Abs(fd-g[i]) > 1e-6*scale {
						t.Errorf("at %v: grad[%d] = %.12g, central difference %.12g", x, i, g[i], fd)
					}
					p.Grad(gp, xp)
					p.Grad(gm, xm)
					for j := range 2 {
						fd := (gp[j] - gm[j]) / (2 * h)
						if math.Abs(fd-hess[j][i]) > 1e-6*scale {
							t.Errorf("at %v: H[%d][%d] = %.12g, central difference %.12g", x, j, i, hess[j][i], fd)
						}
					}
				}
				v := []float64{0.6, -1.7}
				p.HessVec(hv, x, v)
				for i := range 2 {
					want := hess[i][0]*v[0] + hess[i][1]*v[1]
					if math.Abs(hv[i]-want) > 1e-14*scale {
						t.Errorf("at %v: (Hv)[%d] = %.17g, H times v = %.17g", x, i, hv[i], want)
					}
				}
			}
		})
	}
}

func TestLengthPanics(t *testing.T) {
	t.Parallel()
	p := Himmelblau().Problem
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"Func", func() { p.Func([]float64{1}) }},
		{"Grad x", func() { p.Grad(make([]float64, 2), []float64{1, 2, 3}) }},
		{"Grad grad", func() { p.Grad(make([]float64, 1), []float64{1, 2}) }},
		{"Hess", func() { p.Hess(mat.NewSymDense(3, nil), []float64{1, 2}) }},
		{"HessVec v", func() { p.HessVec(make([]float64, 2), []float64{1, 2}, []float64{1}) }},
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || len(s) < 10 || s[:10] != "testfunc: " {
					t.Errorf("%s: recovered %v, want a panic starting with \"testfunc: \"", tc.name, r)
				}
			}()
			tc.call()
		}()
	}
}
