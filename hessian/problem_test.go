package hessian_test

import (
	"math"
	"testing"

	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/optimize"
)

// TestOptimizeNewton runs gonum's Newton method on Rosenbrock's function
// through Problem.Optimize, from the classic start (-1.2, 1) (Rosenbrock
// 1960), with the Hessian from Hess and assembled from HessVec.
func TestOptimizeNewton(t *testing.T) {
	t.Parallel()
	for _, which := range []string{"hess", "hessvec"} {
		p := testfunc.Rosenbrock().Problem
		if which == "hessvec" {
			p.Hess = nil
		}
		res, err := optimize.Minimize(p.Optimize(), []float64{-1.2, 1}, nil, &optimize.Newton{})
		if err != nil {
			t.Fatalf("%s: %v", which, err)
		}
		// The minimum is (1, 1) with f = 0; gonum stops at ||g||_inf < 1e-6,
		// where the distance to it is below ||H^-1|| 1e-6 ≈ 2.5e-6.
		if d := math.Hypot(res.X[0]-1, res.X[1]-1); d > 1e-5 || res.F > 1e-10 {
			t.Errorf("%s: reached %v with f = %g, want (1, 1) with f = 0", which, res.X, res.F)
		}
		if res.Status != optimize.GradientThreshold {
			t.Errorf("%s: status %v, want GradientThreshold", which, res.Status)
		}
	}
}
