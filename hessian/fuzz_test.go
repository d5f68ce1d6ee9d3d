package hessian_test

import (
	"math"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// FuzzFiniteDiff approximates the Hessian of the polynomial
//
//	f(x) = a x0^2 x1 + b x1 x2 + c x2^4
//
// at fuzzed points. A non-finite point must give an error naming the
// coordinate; otherwise the result must not depend on the number of workers
// and must be within a scale-aware bound of the exact Hessian
// [[2a x1, 2a x0, 0], [2a x0, 0, b], [0, b, 12c x2^2]].
func FuzzFiniteDiff(f *testing.F) {
	f.Add(0.7, -1.3, 2.1, 1.0, 2.0, 3.0, false, false)
	f.Add(0.0, 0.0, 0.0, 1.0, -1.0, 0.5, true, false)
	f.Add(-250.0, 3e-7, 999.0, -4.0, 0.25, 1e-3, false, true)
	f.Add(1e3, -1e3, 1e3, 1e3, 1e3, 1e3, true, true)
	f.Add(math.NaN(), 1.0, 2.0, 1.0, 1.0, 1.0, false, false)
	f.Add(1.0, math.Inf(1), 2.0, 1.0, 1.0, 1.0, true, false)
	f.Fuzz(func(t *testing.T, x0, x1, x2, a, b, c float64, useFunc, richardson bool) {
		for _, v := range []float64{a, b, c} {
			if math.IsNaN(v) || math.Abs(v) > 1e3 {
				t.Skip("coefficient outside [-1e3, 1e3]")
			}
		}
		x := []float64{x0, x1, x2}
		p := hessian.Problem{
			Func: func(x []float64) float64 {
				return a*x[0]*x[0]*x[1] + b*x[1]*x[2] + c*x[2]*x[2]*x[2]*x[2]
			},
			Grad: func(g, x []float64) {
				g[0] = 2 * a * x[0] * x[1]
				g[1] = a*x[0]*x[0] + b*x[2]
				g[2] = b*x[1] + 4*c*x[2]*x[2]*x[2]
			},
		}
		if useFunc {
			p.Grad = nil
		}
		var one, three mat.SymDense
		e1, err1 := hessian.FiniteDiffWithError(&one, p, x, &hessian.FDSettings{Workers: 1, Richardson: richardson})
		e3, err3 := hessian.FiniteDiffWithError(&three, p, x, &hessian.FDSettings{Workers: 3, Richardson: richardson})
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				if err1 == nil || !strings.Contains(err1.Error(), "x[") {
					t.Fatalf("non-finite x[%d] = %v: error %v", i, v, err1)
				}
				return
			}
		}
		if (err1 == nil) != (err3 == nil) {
			t.Fatalf("errors differ between 1 and 3 workers: %v, %v", err1, err3)
		}
		if err1 != nil {
			if !strings.HasPrefix(err1.Error(), "hessian: non-finite") {
				t.Fatalf("unexpected error %v", err1)
			}
			return
		}
		if !mat.Equal(&one, &three) || e1 != e3 {
			t.Fatal("result differs between 1 and 3 workers")
		}
		if math.Max(math.Abs(x0), math.Max(math.Abs(x1), math.Abs(x2))) > 1e3 {
			return // the accuracy bound below is for moderate points
		}
		want := mat.NewSymDense(3, []float64{
			2 * a * x1, 2 * a * x0, 0,
			2 * a * x0, 0, b,
			0, b, 12 * c * x2 * x2,
		})
		// Rounding eps|g|/h and truncation h^2 |f'''| are both below
		// 1e-9 (|a| + |b| + |c|)(1 + max|x_i|)^3 for the gradient path with
		// h = 6e-6 max(|x_i|, 1); the function path, with h = 1.2e-4 and
		// rounding eps|f|/h^2, gets 1e-5.
		X := 1 + math.Max(math.Abs(x0), math.Max(math.Abs(x1), math.Abs(x2)))
		tol := 1e-8 * (math.Abs(a) + math.Abs(b) + math.Abs(c)) * X * X * X
		if useFunc {
			tol *= 1e3
		}
		if d, _ := maxAbsDiff(&one, want); d > tol {
			t.Fatalf("at %v with a, b, c = %g, %g, %g: error %g above %g", x, a, b, c, d, tol)
		}
	})
}
