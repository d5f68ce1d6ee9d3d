package hessian_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// testPoints are points with distinct coordinates of both signs.
var testPoints = [][]float64{
	{0.7, -1.3},
	{-1.9, 0.45},
	{1.23, 2.17},
	{-2.6, -0.35},
}

// TestFiniteDiffQuadratic: for f = x^T A x / 2 + b^T x both schemes are exact
// up to rounding, since the third derivatives vanish.
func TestFiniteDiffQuadratic(t *testing.T) {
	t.Parallel()
	a := mat.NewSymDense(4, []float64{
		4, -1, 2, 0,
		-1, 3, 0.5, 1,
		2, 0.5, -6, 2,
		0, 1, 2, 1,
	})
	b := []float64{1, -2, 3, 0.5}
	p := hessian.Problem{
		Func: func(x []float64) float64 {
			xv := mat.NewVecDense(4, x)
			return 0.5*mat.Inner(xv, a, xv) + mat.Dot(mat.NewVecDense(4, b), xv)
		},
		Grad: func(g, x []float64) {
			gv := mat.NewVecDense(4, g)
			gv.MulVec(a, mat.NewVecDense(4, x))
			gv.AddVec(gv, mat.NewVecDense(4, b))
		},
	}
	x := []float64{0.3, -1.7, 2.2, -0.4}
	for _, tc := range []struct {
		name string
		p    hessian.Problem
		tol  float64 // rounding: eps*|g|/h with h = 6e-6, and eps*|f|/h^2 with h = 1.2e-4
	}{
		{"gradient", p, 1e-9},
		{"function", hessian.Problem{Func: p.Func}, 1e-6},
	} {
		var h mat.SymDense
		e, err := hessian.FiniteDiffWithError(&h, tc.p, x, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d, _ := maxAbsDiff(&h, a); d > tc.tol {
			t.Errorf("%s: max error %g, want <= %g", tc.name, d, tc.tol)
		}
		if e.Estimate > tc.tol || e.Estimate != max(e.Asymmetry, e.Richardson, e.Rounding) {
			t.Errorf("%s: estimate %+v inconsistent or above %g", tc.name, e, tc.tol)
		}
	}
}

// TestFiniteDiffAgreesWithExact checks FiniteDiff against Exact at asymmetric
// points on every test function and on a 12-dimensional problem, with and
// without a gradient, to 1e-6 relative to the largest Hessian entry. With
// Richardson the error estimate must not fall below the actual error.
func TestFiniteDiffAgreesWithExact(t *testing.T) {
	t.Parallel()
	type problem struct {
		name   string
		p      hessian.Problem
		points [][]float64
	}
	var probs []problem
	for _, f := range testfunc.All() {
		probs = append(probs, problem{f.Name, f.Problem, testPoints})
	}
	ch := newChain(12, 7)
	probs = append(probs, problem{"chain12", ch.problem("fghv"), [][]float64{asymmetricPoint(12, 8), asymmetricPoint(12, 9)}})
	for _, pr := range probs {
		for _, x := range pr.points {
			var want mat.SymDense
			if err := hessian.Exact(&want, pr.p, x); err != nil {
				t.Fatal(err)
			}
			for _, grad := range []bool{true, false} {
				p := pr.p
				if !grad {
					p.Grad = nil
				}
				var got mat.SymDense
				e, err := hessian.FiniteDiffWithError(&got, p, x, &hessian.FDSettings{Richardson: true})
				if err != nil {
					t.Fatalf("%s at %v, grad %t: %v", pr.name, x, grad, err)
				}
				d, s := maxAbsDiff(&got, &want)
				if d > 1e-6*max(1, s) {
					t.Errorf("%s at %v, grad %t: max error %g, relative %g", pr.name, x, grad, d, d/max(1, s))
				}
				var diff mat.Dense
				diff.Sub(&got, &want)
				// The Frobenius norm bounds the spectral norm from above.
				if act := mat.Norm(&diff, 2); act > e.Estimate {
					t.Errorf("%s at %v, grad %t: error %g above the estimate %+v", pr.name, x, grad, act, e)
				}
			}
		}
	}
}

// TestFiniteDiffMatchesGonum compares the function-value path with gonum's
// fd.Hessian at a point with |x_i| <= 1, where the relative steps equal
// gonum's absolute step.
func TestFiniteDiffMatchesGonum(t *testing.T) {
	t.Parallel()
	ch := newChain(5, 11)
	x := []float64{0.31, -0.72, 0.55, -0.18, 0.93}
	const step = 1e-3
	var want, got mat.SymDense
	fd.Hessian(&want, ch.fn, x, &fd.Settings{Formula: fd.Central, Step: step})
	if err := hessian.FiniteDiff(&got, hessian.Problem{Func: ch.fn}, x, &hessian.FDSettings{Step: step}); err != nil {
		t.Fatal(err)
	}
	// The steps differ only by the rounding of x_i + h - x_i.
	if d, s := maxAbsDiff(&got, &want); d > 1e-9*s {
		t.Errorf("differs from fd.Hessian by %g (scale %g)", d, s)
	}
}

// TestFiniteDiffCentralBeatsForward justifies the default stencil: on
// Rosenbrock the forward stencil's O(h) error is far above the central one's.
func TestFiniteDiffCentralBeatsForward(t *testing.T) {
	t.Parallel()
	f := testfunc.Rosenbrock()
	x := []float64{-0.8, 1.4}
	var want mat.SymDense
	if err := hessian.Exact(&want, f.Problem, x); err != nil {
		t.Fatal(err)
	}
	errOf := func(formula fd.Formula) float64 {
		var h mat.SymDense
		if err := hessian.FiniteDiff(&h, hessian.Problem{Func: f.Problem.Func}, x, &hessian.FDSettings{Formula: formula}); err != nil {
			t.Fatal(err)
		}
		d, _ := maxAbsDiff(&h, &want)
		return d
	}
	central, forward := errOf(fd.Central), errOf(fd.Forward)
	if !(100*central < forward) {
		t.Errorf("central error %g, forward %g: want central at least 100 times smaller", central, forward)
	}
}

// TestFiniteDiffEvaluations counts the calls: 2n gradients, and 2n^2 + 1
// function values for fd.Central (two per diagonal entry at ±2h, four per
// off-diagonal entry, and f(x)); Richardson doubles all but f(x).
func TestFiniteDiffEvaluations(t *testing.T) {
	t.Parallel()
	const n = 6
	ch := newChain(n, 1)
	x := asymmetricPoint(n, 2)
	for _, tc := range []struct {
		grad, richardson bool
		want             int
	}{
		{true, false, 2 * n},
		{true, true, 4 * n},
		{false, false, 2*n*n + 1},
		{false, true, 4*n*n + 1},
	} {
		var calls atomic.Int64
		p := hessian.Problem{Func: func(x []float64) float64 { calls.Add(1); return ch.fn(x) }}
		if tc.grad {
			p.Grad = func(g, x []float64) { calls.Add(1); ch.grad(g, x) }
		}
		var h mat.SymDense
		e, err := hessian.FiniteDiffWithError(&h, p, x, &hessian.FDSettings{Richardson: tc.richardson})
		if err != nil {
			t.Fatal(err)
		}
		if int(calls.Load()) != tc.want || e.Evaluations != tc.want {
			t.Errorf("grad %t, Richardson %t: %d calls, Evaluations %d, want %d", tc.grad, tc.richardson, calls.Load(), e.Evaluations, tc.want)
		}
		if (e.Richardson > 0) != tc.richardson {
			t.Errorf("grad %t, Richardson %t: Richardson part %g", tc.grad, tc.richardson, e.Richardson)
		}
	}
}

// TestFiniteDiffWorkers checks that the result and the error estimate are
// bitwise the same for any number of workers.
func TestFiniteDiffWorkers(t *testing.T) {
	t.Parallel()
	const n = 9
	ch := newChain(n, 3)
	x := asymmetricPoint(n, 4)
	for _, which := range []string{"fg", "f"} {
		var ref mat.SymDense
		refErr, err := hessian.FiniteDiffWithError(&ref, ch.problem(which), x, &hessian.FDSettings{Workers: 1, Richardson: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3, 5, 16} {
			var h mat.SymDense
			e, err := hessian.FiniteDiffWithError(&h, ch.problem(which), x, &hessian.FDSettings{Workers: w, Richardson: true})
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(&h, &ref) || e != refErr {
				t.Errorf("problem %q: Workers %d differs from Workers 1", which, w)
			}
		}
	}
}

func TestFiniteDiffErrors(t *testing.T) {
	t.Parallel()
	good := testfunc.Himmelblau().Problem
	// nanGradAt returns a gradient that is NaN in component 1 when x[0] > 1.
	nanGrad := hessian.Problem{Grad: func(g, x []float64) {
		good.Grad(g, x)
		if x[0] > 1 {
			g[1] = math.NaN()
		}
	}}
	infFunc := hessian.Problem{Func: func(x []float64) float64 {
		if x[1] < 2 {
			return math.Inf(1)
		}
		return good.Func(x)
	}}
	nanAtX := hessian.Problem{Func: func(x []float64) float64 { return math.NaN() }}
	// The difference of ±1e308 overflows to +Inf.
	overflow := hessian.Problem{Grad: func(g, x []float64) {
		for i := range g {
			g[i] = math.Copysign(1e308, x[0]-1)
		}
	}}
	for _, tc := range []struct {
		name string
		p    hessian.Problem
		x    []float64
		want string
	}{
		{"NaN in x", good, []float64{1, math.NaN()}, "non-finite coordinate x[1]"},
		{"Inf in x", good, []float64{math.Inf(1), 1}, "non-finite coordinate x[0]"},
		{"NaN gradient", nanGrad, []float64{1, 2}, "non-finite gradient component g_1(x + h e_0)"},
		{"Inf function", infFunc, []float64{1, 2}, "non-finite function value"},
		{"NaN f(x)", nanAtX, []float64{1, 2}, "non-finite function value f(x) = NaN"},
		{"overflow", overflow, []float64{1, 2}, "non-finite finite-difference Hessian entry"},
		{"no derivatives", hessian.Problem{}, []float64{1, 2}, "neither Grad nor Func"},
	} {
		var h mat.SymDense
		err := hessian.FiniteDiff(&h, tc.p, tc.x, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "hessian: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one starting with \"hessian: \" containing %q", tc.name, err, tc.want)
		}
	}
	var h mat.SymDense
	if err := hessian.FiniteDiff(&h, good, []float64{}, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("zero-dimensional point: error %v, want ErrZeroDim", err)
	}
	x := []float64{1, 2}
	for _, tc := range []struct {
		name string
		dst  *mat.SymDense
		s    *hessian.FDSettings
	}{
		{"dst size", mat.NewSymDense(3, nil), nil},
		{"negative step", &mat.SymDense{}, &hessian.FDSettings{Step: -1e-3}},
		{"NaN step", &mat.SymDense{}, &hessian.FDSettings{Step: math.NaN()}},
		{"negative workers", &mat.SymDense{}, &hessian.FDSettings{Workers: -1}},
		{"second-derivative formula", &mat.SymDense{}, &hessian.FDSettings{Formula: fd.Central2nd}},
	} {
		wantPanic(t, tc.name, "hessian: ", func() { hessian.FiniteDiff(tc.dst, good, x, tc.s) })
	}
}

func TestGradient(t *testing.T) {
	t.Parallel()
	for _, f := range testfunc.All() {
		for _, x := range testPoints {
			want := make([]float64, 2)
			f.Problem.Grad(want, x)
			got := make([]float64, 2)
			if err := hessian.Gradient(got, f.Problem, x, nil); err != nil {
				t.Fatal(err)
			}
			if got[0] != want[0] || got[1] != want[1] {
				t.Errorf("%s at %v: Gradient %v, Grad %v", f.Name, x, got, want)
			}
			if err := hessian.Gradient(got, hessian.Problem{Func: f.Problem.Func}, x, nil); err != nil {
				t.Fatal(err)
			}
			// Central differences with h = cbrt(eps): error O(eps^(2/3)) relative.
			scale := 1 + math.Abs(f.Problem.Func(x)) + math.Hypot(want[0], want[1])
			if d := math.Hypot(got[0]-want[0], got[1]-want[1]); d > 1e-8*scale {
				t.Errorf("%s at %v: difference gradient %v, exact %v", f.Name, x, got, want)
			}
		}
	}
	g := make([]float64, 2)
	for _, tc := range []struct {
		name string
		p    hessian.Problem
		x    []float64
		want string
	}{
		{"NaN in x", testfunc.Himmelblau().Problem, []float64{math.NaN(), 0}, "x[0]"},
		{"Inf gradient", hessian.Problem{Grad: func(g, x []float64) { g[0], g[1] = 0, math.Inf(-1) }}, []float64{1, 2}, "gradient component g[1]"},
		{"NaN function", hessian.Problem{Func: func(x []float64) float64 { return math.NaN() }}, []float64{1, 2}, "function value f(x + h e_0)"},
		{"nothing", hessian.Problem{}, []float64{1, 2}, "neither Grad nor Func"},
	} {
		err := hessian.Gradient(g, tc.p, tc.x, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "hessian: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if err := hessian.Gradient(nil, testfunc.Himmelblau().Problem, nil, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("zero-dimensional point: error %v, want ErrZeroDim", err)
	}
	wantPanic(t, "length mismatch", "hessian: ", func() {
		hessian.Gradient(make([]float64, 3), testfunc.Himmelblau().Problem, []float64{1, 2}, nil)
	})
}

func BenchmarkFiniteDiff(b *testing.B) {
	for _, n := range []int{100, 500} {
		ch := newChain(n, 1)
		x := asymmetricPoint(n, 2)
		h := mat.NewSymDense(n, nil)
		for _, richardson := range []bool{false, true} {
			b.Run(fmt.Sprintf("grad/n=%d/richardson=%t", n, richardson), func(b *testing.B) {
				b.ReportAllocs()
				s := &hessian.FDSettings{Richardson: richardson}
				for b.Loop() {
					if err := hessian.FiniteDiff(h, ch.problem("g"), x, s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
