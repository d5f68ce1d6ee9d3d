package optimizers

import (
	"math"
	"testing"

	"github.com/critpoint/critpoint/internal/testfunc"
)

// eps is the float64 machine epsilon.
const eps = 0x1p-52

// step takes one step of a freshly initialised m from x on p.
func step(t *testing.T, m Method, obj *Objective, x []float64, k int) []float64 {
	t.Helper()
	next := make([]float64, len(x))
	if _, err := m.Step(next, obj, x, k); err != nil {
		t.Fatalf("step from %v: %v", x, err)
	}
	return next
}

// TestSaddleQuadraticMaps checks the exact maps of one step on
// f = 5x² - y², H = diag(10, -2) (REFERENCES.md, "Exact behaviour usable as
// unit tests"): pure Newton lands on the saddle (0, 0), saddle-free Newton
// without damping maps (x, y) to (0, 2y), and gradient descent maps x to
// (1 - 10η)x and y to (1 + 2η)y.
func TestSaddleQuadraticMaps(t *testing.T) {
	t.Parallel()
	p := testfunc.SaddleQuadratic().Problem
	starts := [][]float64{{1, 1}, {-0.3, 2.7}, {1e3, -1e-3}, {-4e-5, 7e4}, {0.25, 0}}
	// Each coordinate goes through a product and a quotient by the same
	// curvature, so the results are exact up to a few roundings of the
	// start's magnitude.
	const tol = 4 * eps
	for _, x := range starts {
		scale := math.Max(math.Abs(x[0]), math.Abs(x[1]))
		obj := NewObjective(p, 2)

		newton := &Newton{}
		newton.Init(2)
		got := step(t, newton, obj, x, 0)
		if math.Abs(got[0]) > tol*scale || math.Abs(got[1]) > tol*scale {
			t.Errorf("Newton from %v: %v, want (0, 0)", x, got)
		}

		for _, m := range []*SaddleFreeNewton{{}, {Krylov: 2}} {
			m.Init(2)
			got = step(t, m, obj, x, 0)
			if math.Abs(got[0]) > tol*scale || math.Abs(got[1]-2*x[1]) > tol*scale {
				t.Errorf("SaddleFreeNewton{Krylov: %d} from %v: %v, want (0, %v)", m.Krylov, x, got, 2*x[1])
			}
		}

		for _, eta := range []float64{0.01, 0.05, 0.3} {
			gd := &SGD{LearningRate: eta}
			gd.Init(2)
			got = step(t, gd, obj, x, 0)
			wx, wy := (1-10*eta)*x[0], (1+2*eta)*x[1]
			if !near(got[0], wx, tol*math.Max(1, scale)) || !near(got[1], wy, tol*math.Max(1, scale)) {
				t.Errorf("SGD{LearningRate: %v} from %v: %v, want (%v, %v)", eta, x, got, wx, wy)
			}
		}
	}
}

// TestNewtonHalvesMonkeySaddle checks that pure Newton halves the point on
// the monkey saddle x³ - 3xy²: its gradient is homogeneous of degree 2, so
// H(θ)θ = 2∇f(θ) and the Newton step is θ/2 (REFERENCES.md).
func TestNewtonHalvesMonkeySaddle(t *testing.T) {
	t.Parallel()
	p := testfunc.MonkeySaddle().Problem
	for _, x0 := range [][]float64{{0.7, -0.4}, {-0.2, 0.9}, {1, 0}} {
		m := &Newton{}
		m.Init(2)
		obj := NewObjective(p, 2)
		x := x0
		for k := range 10 {
			next := step(t, m, obj, x, k)
			for i := range 2 {
				// The halving is exact up to the roundings of the 2×2 solve.
				if !near(next[i], x[i]/2, 8*eps*math.Hypot(x[0], x[1])) {
					t.Errorf("from %v, step %d: %v, want %v/2", x0, k, next, x)
					break
				}
			}
			x = next
		}
	}
}

// escapeSteps returns the number of steps m takes from x0 to leave the ball
// of radius r around the origin, or -1 after maxSteps.
func escapeSteps(p testfunc.Function, m Method, x0 []float64, r float64, maxSteps int) int {
	m.Init(p.Dim)
	obj := NewObjective(p.Problem, p.Dim)
	x, next := append([]float64(nil), x0...), make([]float64, p.Dim)
	for k := range maxSteps {
		if _, err := m.Step(next, obj, x, k); err != nil {
			return -1
		}
		x, next = next, x
		if math.Hypot(x[0], x[1]) > r {
			return k + 1
		}
	}
	return -1
}

// TestMomentumEscapesSaddleFaster starts all three first-order methods with
// the same learning rate next to the saddle of 5x² - y² and counts the steps
// to leave the unit ball. Along y, gradient descent grows by 1 + 2η = 1.02 a
// step; momentum's velocity compounds the growth to about 1.107 a step and
// Nesterov's to about 1.114 (the larger roots of r² - (1 + α + 2η)r + α = 0
// and r² - (1 + 2η)(1 + α)r + α(1 + 2η) = 0).
func TestMomentumEscapesSaddleFaster(t *testing.T) {
	t.Parallel()
	f := testfunc.SaddleQuadratic()
	x0 := []float64{0.1, 1e-4}
	const eta, alpha = 0.01, 0.9
	gd := escapeSteps(f, &SGD{LearningRate: eta}, x0, 1, 10000)
	mom := escapeSteps(f, &Momentum{LearningRate: eta, Momentum: alpha}, x0, 1, 10000)
	nag := escapeSteps(f, &Nesterov{LearningRate: eta, Momentum: alpha}, x0, 1, 10000)
	// Measured: gradient descent 466 steps (ln 1e4 / ln 1.02 = 465.1),
	// momentum 95, Nesterov 90.
	if gd < 0 || mom < 0 || nag < 0 {
		t.Fatalf("no escape within 10000 steps: GD %d, momentum %d, Nesterov %d", gd, mom, nag)
	}
	if !(mom < gd && nag < gd) {
		t.Errorf("steps to escape: GD %d, momentum %d, Nesterov %d; want momentum and Nesterov faster than GD", gd, mom, nag)
	}
	if nag > mom {
		t.Errorf("steps to escape: Nesterov %d > momentum %d", nag, mom)
	}
}
