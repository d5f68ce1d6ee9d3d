package critical

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

var allMethods = []FindMethod{NewtonMR, Newton, DampedNewton, GradientNorm}

// gridStarts returns the nx×ny grid of starting points over the box.
func gridStarts(box [][2]float64, nx, ny int) [][]float64 {
	var starts [][]float64
	for j := range ny {
		for i := range nx {
			starts = append(starts, []float64{
				gridValue(box[0][0], box[0][1], i, nx),
				gridValue(box[1][0], box[1][1], j, ny),
			})
		}
	}
	return starts
}

// TestFindHimmelblau checks that every method, from an 11×11 grid of starts
// on [-5, 5]^2, finds all nine critical points of Himmelblau's function and
// classifies them as listed: 4 minima, 1 maximum, 4 saddles.
func TestFindHimmelblau(t *testing.T) {
	t.Parallel()
	fn := testfunc.Himmelblau()
	starts := gridStarts(fn.Domain, 11, 11)
	for _, m := range allMethods {
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel()
			points, sum, err := FindMany(fn.Problem, starts, &ManySettings{Find: &FindSettings{Method: m}})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Converged != len(starts) || sum.Failed != 0 {
				t.Errorf("%d of %d starts converged", sum.Converged, len(starts))
			}
			if len(sum.Distinct) != 9 || sum.Minima != 4 || sum.Maxima != 1 || sum.Saddles != 4 || sum.Degenerate != 0 {
				t.Errorf("%d distinct points: %d minima, %d maxima, %d saddles, %d degenerate; want 9: 4, 1, 4, 0",
					len(sum.Distinct), sum.Minima, sum.Maxima, sum.Saddles, sum.Degenerate)
			}
			for _, want := range fn.Critical {
				var found []Cluster
				for _, c := range sum.Distinct {
					if samePoint(c.Point.X, want.X, c.Point.NewtonDistance, 0, DefaultDedupTol) {
						found = append(found, c)
					}
				}
				if len(found) != 1 {
					t.Errorf("critical point %v matched by %d clusters", want.X, len(found))
					continue
				}
				p := found[0].Point
				if p.Classification.Kind.String() != want.Kind {
					t.Errorf("at %v: %v, want %s", want.X, p.Classification.Kind, want.Kind)
				}
				// |f(x) - f(x*)| <= ||g|| ||x - x*|| to first order, and
				// ||x - x*|| is about NewtonDistance.
				if d := math.Abs(p.F - want.F); d > 2*p.GradNorm*p.NewtonDistance+1e-12*max(1, want.F) {
					t.Errorf("at %v: f = %v, want %v", want.X, p.F, want.F)
				}
			}
			for i, p := range points {
				if !p.Converged || p.Status != Converged || !p.Certificate.Critical || p.GradientFlat {
					t.Errorf("start %v: %v, converged %v, flat %v", starts[i], p.Status, p.Converged, p.GradientFlat)
				}
				// Nondegenerate critical points: the extrapolation to x*
				// keeps every eigenvalue's sign.
				for k, mu := range p.LimitEigenvalues {
					if l := p.Classification.Eigenvalues[k]; mu*l <= 0 || math.Abs(mu-l) > 1e-2*math.Abs(l) {
						t.Errorf("start %v: eigenvalue %v extrapolated to %v", starts[i], l, mu)
					}
				}
			}
		})
	}
}

// TestFindGradientFlatQuartic checks the example of Frye et al. (2021),
// f = x^4/4 - 3x^2 + 9x + 0.9y^4 + 5y^2 + 40, whose only critical point is
// the minimum (-3, 0) with f = 6.25, and whose gradient-flat points are
// (±sqrt 2, 0): ||g||^2 has a local maximum over x at -sqrt 2 and a local
// minimum, (9 - 4 sqrt 2)^2 = 11.1766, at sqrt 2. Starts on two horizontal
// lines: left of -sqrt 2 every method reaches (-3, 0) certified; right of it
// gradient-norm minimisation, a descent method on ||g||^2, ends at
// (sqrt 2, 0) flagged gradient-flat and not critical. Newton-MR ends there
// too or, when a backtracking trial along a huge step near sqrt 2 lands in
// the basin of (-3, 0), at (-3, 0); pure and damped Newton, which are not
// drawn to minima of ||g||^2, go to (-3, 0) (damped Newton may stall at
// sqrt 2). No run may certify a point other than (-3, 0).
func TestFindGradientFlatQuartic(t *testing.T) {
	t.Parallel()
	fn := testfunc.GradientFlatQuartic()
	minimum := []float64{-3, 0}
	flat := []float64{math.Sqrt2, 0}
	flatGG := math.Pow(9-4*math.Sqrt2, 2)
	for _, m := range allMethods {
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel()
			nFlat := 0
			for _, y := range []float64{0, 0.5} {
				for i := range 100 {
					x0 := []float64{-5 + 10*float64(i)/99, y}
					p, err := Find(fn.Problem, x0, &FindSettings{Method: m})
					if err != nil {
						t.Fatal(err)
					}
					left := x0[0] < -math.Sqrt2
					atMin := p.Converged && floats.Distance(p.X, minimum, 2) <= 2*p.NewtonDistance+1e-9
					atFlat := !p.Converged && math.Abs(p.X[0]-math.Sqrt2) < 1e-6
					switch {
					case p.Converged && !atMin:
						t.Errorf("start %v: certified %v, which is not the critical point", x0, p.X)
					case atMin:
						if p.Classification.Kind != Minimum || math.Abs(p.F-6.25) > 1e-9 {
							t.Errorf("start %v: %v with f = %v, want a minimum with f = 6.25", x0, p.Classification.Kind, p.F)
						}
					case left:
						t.Errorf("start %v left of -sqrt 2: %v at %v", x0, p.Status, p.X)
					case !atFlat:
						t.Errorf("start %v: %v at %v, neither (-3, 0) nor x = sqrt 2", x0, p.Status, p.X)
					}
					if atFlat && p.GradientFlat {
						nFlat++
						if p.Status != GradientFlat || p.Certificate.Critical || p.FlatRatio <= 0.9 {
							t.Errorf("start %v: flat point with status %v, critical %v, r = %v", x0, p.Status, p.Certificate.Critical, p.FlatRatio)
						}
					}
					switch m {
					case GradientNorm:
						if !left && (!atFlat || !p.GradientFlat || floats.Distance(p.X, flat, 2) > 1e-6 ||
							math.Abs(p.GradNorm*p.GradNorm-flatGG) > 1e-9) {
							t.Errorf("start %v: %v at %v, ||g||^2 = %v; want gradient-flat at (sqrt 2, 0), %v",
								x0, p.Status, p.X, p.GradNorm*p.GradNorm, flatGG)
						}
					case Newton:
						if !atMin {
							t.Errorf("start %v: pure Newton ends %v at %v", x0, p.Status, p.X)
						}
					}
				}
			}
			if m == NewtonMR && nFlat == 0 {
				t.Error("Newton-MR never stopped at the gradient-flat point")
			}
		})
	}
}

// TestFindSaddleQuadraticNewton checks that pure Newton lands on the saddle
// of f = 5x^2 - y^2 in one step from any start: H = diag(10, -2) is
// constant, so x - H^-1 g = 0.
func TestFindSaddleQuadraticNewton(t *testing.T) {
	t.Parallel()
	fn := testfunc.SaddleQuadratic()
	for _, x0 := range [][]float64{{0.3, -0.2}, {-0.9, 0.7}, {1e-3, 2e-3}, {40, -25}} {
		p, err := Find(fn.Problem, x0, &FindSettings{Method: Newton})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Converged || p.Iterations != 1 || floats.Norm(p.X, 2) > 1e-14*floats.Norm(x0, 2) {
			t.Errorf("start %v: %v after %d iterations at %v, want the origin after 1", x0, p.Status, p.Iterations, p.X)
		}
		c := p.Classification
		if c.Kind != Saddle || c.Index != 1 || c.Eigenvalues[0] != -2 || c.Eigenvalues[1] != 10 {
			t.Errorf("start %v: %v, index %d, eigenvalues %v; want saddle, 1, [-2 10]", x0, c.Kind, c.Index, c.Eigenvalues)
		}
	}
}

// TestFindMonkeySaddle checks the linear convergence into the degenerate
// saddle of f = x^3 - 3xy^2: its gradient is homogeneous of degree 2, so
// H(x) x = 2 g(x) and a Newton step halves x. Newton, Newton-MR and damped
// Newton show the ratio 1/2 of successive ||x|| (damped Newton up to
// gamma/lambda); BFGS on ||g||^2 converges linearly at its own rate. All end
// at a converged point classified Degenerate: the eigenvalues +-6||x|| of
// the last iterate extrapolate to 0 at the critical point (LimitEigenvalues).
func TestFindMonkeySaddle(t *testing.T) {
	t.Parallel()
	fn := testfunc.MonkeySaddle()
	x0 := []float64{0.8, -0.3}
	for _, test := range []struct {
		method FindMethod
		ratio  float64 // 0: linear at an unknown rate in (0, 1)
		tol    float64
	}{
		{Newton, 0.5, 1e-12},
		{NewtonMR, 0.5, 1e-6},
		// gamma/lambda <= 1e-6 / (6 * 1e-3) at the last steps.
		{DampedNewton, 0.5, 1e-3},
		{GradientNorm, 0, 0},
	} {
		t.Run(test.method.String(), func(t *testing.T) {
			t.Parallel()
			final, err := Find(fn.Problem, x0, &FindSettings{Method: test.method})
			if err != nil {
				t.Fatal(err)
			}
			if !final.Converged || final.Classification.Kind != Degenerate || final.Classification.Nullity != 2 {
				t.Errorf("%v, %v with nullity %d; want converged, degenerate with nullity 2",
					final.Status, final.Classification.Kind, final.Classification.Nullity)
			}
			// H(x) = 6 [[x, -y], [-y, -x]] vanishes at x* = 0.
			if mu := final.LimitEigenvalues; len(mu) != 2 || math.Abs(mu[0]) > final.Certificate.ClassTol || math.Abs(mu[1]) > final.Certificate.ClassTol {
				t.Errorf("limit eigenvalues %v, want 0 within %v", mu, final.Certificate.ClassTol)
			}
			if final.Iterations < 6 {
				t.Fatalf("only %d iterations", final.Iterations)
			}
			// The k-th iterate is the result of a run limited to k steps.
			var ratios []float64
			prev := floats.Norm(x0, 2)
			for k := 1; k <= final.Iterations; k++ {
				p, err := Find(fn.Problem, x0, &FindSettings{Method: test.method, MaxIterations: k})
				if err != nil {
					t.Fatal(err)
				}
				norm := floats.Norm(p.X, 2)
				ratios = append(ratios, norm/prev)
				prev = norm
			}
			tail := ratios[len(ratios)/2:]
			for _, r := range tail {
				if test.ratio > 0 && math.Abs(r-test.ratio) > test.tol || !(r > 0 && r < 1) {
					t.Errorf("ratios of successive ||x||: %.6f", ratios)
					break
				}
			}
			if test.ratio == 0 && math.Abs(tail[len(tail)-1]-tail[len(tail)-2]) > 1e-2 {
				t.Errorf("ratios of successive ||x|| do not settle: %.6f", ratios)
			}
		})
	}
}

// linearProblem is f = 3x - 2y: the gradient (3, -2) never vanishes and the
// Hessian is zero.
var linearProblem = hessian.Problem{
	Func:    func(x []float64) float64 { return 3*x[0] - 2*x[1] },
	Grad:    func(g, _ []float64) { g[0], g[1] = 3, -2 },
	Hess:    func(h *mat.SymDense, _ []float64) { h.Zero() },
	HessVec: func(hv, _, _ []float64) { clear(hv) },
}

// cubicProblem is f = x^3/3 - x, critical at +-1, whose gradient is NaN
// for x > 2: a Newton step from 0.1, x - (x^2 - 1)/(2x) = 5.05, leaves the
// domain.
var cubicProblem = hessian.Problem{
	Func: func(x []float64) float64 { return x[0]*x[0]*x[0]/3 - x[0] },
	Grad: func(g, x []float64) {
		g[0] = x[0]*x[0] - 1
		if x[0] > 2 {
			g[0] = math.NaN()
		}
	},
	Hess: func(h *mat.SymDense, x []float64) { h.SetSym(0, 0, 2*x[0]) },
}

// TestFindFailures checks that failures during a run end it with Converged
// false, the reason in Status and a finite X.
func TestFindFailures(t *testing.T) {
	t.Parallel()
	quartic := testfunc.GradientFlatQuartic().Problem
	himmelblau := testfunc.Himmelblau().Problem
	for _, test := range []struct {
		name   string
		p      hessian.Problem
		x0     []float64
		s      FindSettings
		status FindStatus
		x      []float64 // X at the end, when known
	}{
		{name: "zero Hessian newton", p: linearProblem, x0: []float64{1, 2}, s: FindSettings{Method: Newton}, status: ZeroHessian, x: []float64{1, 2}},
		{name: "zero Hessian newton-mr", p: linearProblem, x0: []float64{1, 2}, s: FindSettings{Method: NewtonMR}, status: ZeroHessian, x: []float64{1, 2}},
		{name: "zero Hessian damped", p: linearProblem, x0: []float64{1, 2}, s: FindSettings{Method: DampedNewton}, status: ZeroHessian, x: []float64{1, 2}},
		{name: "zero Hessian gradient-norm", p: linearProblem, x0: []float64{1, 2}, s: FindSettings{Method: GradientNorm}, status: ZeroHessian, x: []float64{1, 2}},
		{name: "non-finite newton", p: cubicProblem, x0: []float64{0.1}, s: FindSettings{Method: Newton}, status: NonFinite, x: []float64{0.1}},
		// H(sqrt 2, 0) = diag(0, 10) while g = (9 - 4 sqrt 2, 0).
		{name: "singular newton", p: quartic, x0: []float64{math.Sqrt2, 0}, s: FindSettings{Method: Newton}, status: Singular, x: []float64{math.Sqrt2, 0}},
		{name: "iteration limit", p: himmelblau, x0: []float64{-4.5, 4.5}, s: FindSettings{MaxIterations: 1}, status: IterationLimit},
		{name: "iteration limit damped", p: himmelblau, x0: []float64{-4.5, 4.5}, s: FindSettings{Method: DampedNewton, MaxIterations: 1}, status: IterationLimit},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			p, err := Find(test.p, test.x0, &test.s)
			if err != nil {
				t.Fatal(err)
			}
			if p.Converged || p.Status != test.status || !allFinite(p.X) {
				t.Errorf("%v, converged %v at %v; want %v", p.Status, p.Converged, p.X, test.status)
			}
			if test.x != nil && !slices.Equal(p.X, test.x) {
				t.Errorf("X = %v, want %v", p.X, test.x)
			}
			if test.status == IterationLimit && p.Iterations != test.s.MaxIterations {
				t.Errorf("%d iterations, limit %d", p.Iterations, test.s.MaxIterations)
			}
		})
	}
}

// TestFindNonFiniteTrials checks that the line searches treat a non-finite
// gradient as a failed trial: Newton-MR from 0.1 on the cubic backs off
// from 5.05 to the domain and reaches the minimum at 1.
func TestFindNonFiniteTrials(t *testing.T) {
	t.Parallel()
	for _, m := range []FindMethod{NewtonMR, DampedNewton, GradientNorm} {
		p, err := Find(cubicProblem, []float64{0.1}, &FindSettings{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Converged || math.Abs(p.X[0]-1) > 1e-5 || p.Classification.Kind != Minimum {
			t.Errorf("%v: %v at %v (%v), want the minimum at 1", m, p.Status, p.X, p.Classification.Kind)
		}
	}
}

func TestFindErrors(t *testing.T) {
	t.Parallel()
	himmelblau := testfunc.Himmelblau().Problem
	noGrad := himmelblau
	noGrad.Grad = nil
	noHess := himmelblau
	noHess.Hess, noHess.HessVec = nil, nil
	for _, test := range []struct {
		name string
		p    hessian.Problem
		x0   []float64
	}{
		{"empty", himmelblau, nil},
		{"NaN start", himmelblau, []float64{math.NaN(), 1}},
		{"no Grad", noGrad, []float64{1, 1}},
		{"no Hessian", noHess, []float64{1, 1}},
		{"NaN gradient at start", cubicProblem, []float64{3}},
	} {
		if _, err := Find(test.p, test.x0, nil); err == nil {
			t.Errorf("%s: no error", test.name)
		}
	}
}

func TestFindPanics(t *testing.T) {
	t.Parallel()
	p := testfunc.Himmelblau().Problem
	for _, s := range []FindSettings{
		{Method: GradientNorm + 1},
		{MaxIterations: -1},
		{MaxBacktracks: -1},
		{GradTol: -1},
		{ClassTol: math.NaN()},
		{Rho: 0.5},
		{Shrink: 1},
		{Shrink: -0.5},
		{FlatRatio: -0.1},
		{Damping: []float64{1e-2, 0}},
		{Damping: []float64{math.Inf(1)}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("settings %+v: no panic", s)
				}
			}()
			_, _ = Find(p, []float64{1, 1}, &s)
		}()
	}
}

// TestFindFirstSteps compares the first step of each method with a scalar
// re-implementation of its update on f = 5x^2 - y^2 (g = (10x, -2y),
// H = diag(10, -2)).
func TestFindFirstSteps(t *testing.T) {
	t.Parallel()
	fn := testfunc.SaddleQuadratic()
	x, y := 0.3, -0.2
	gx, gy := 10*x, -2*y
	gg := gx*gx + gy*gy

	// Damped Newton: p_gamma = -(g_x/(10+gamma), g_y/(-2+gamma)), and the
	// step with the least ||g(x+p)||^2 = (10 x gamma/(10+gamma))^2 +
	// (2 y gamma/(gamma-2))^2 is that of the smallest gamma, 1e-6.
	const gamma = 1e-6
	damped := []float64{x - gx/(10+gamma), y - gy/(-2+gamma)}

	// Gradient-norm minimisation: d = -H g = (-100x, -4y) and Polyak's
	// initial step min(1, psi/||d||^2), psi = ||g||^2/2, then backtracking
	// by 1/2 until ||g(x+a d)||^2 <= ||g||^2 - 2 rho a ||d||^2.
	dx, dy := -10*gx, 2*gy
	dd := dx*dx + dy*dy
	alpha := min(1, 0.5*gg/dd)
	for {
		tx, ty := x+alpha*dx, y+alpha*dy
		if t := 100*tx*tx + 4*ty*ty; t < gg && t <= gg-2*1e-4*alpha*dd {
			break
		}
		alpha /= 2
	}
	gradNorm := []float64{x + alpha*dx, y + alpha*dy}

	for _, test := range []struct {
		method FindMethod
		s      FindSettings
		want   []float64
	}{
		{method: Newton, want: []float64{0, 0}},
		// With an exact inner solve Newton-MR takes the Newton step, alpha = 1.
		{method: NewtonMR, s: FindSettings{MINRES: &MINRESSettings{Tol: 1e-15}}, want: []float64{0, 0}},
		{method: DampedNewton, want: damped},
		{method: GradientNorm, want: gradNorm},
	} {
		test.s.Method = test.method
		test.s.MaxIterations = 1
		p, err := Find(fn.Problem, []float64{x, y}, &test.s)
		if err != nil {
			t.Fatal(err)
		}
		if p.Iterations != 1 || !floats.EqualApprox(p.X, test.want, 1e-15) {
			t.Errorf("%v: x_1 = %v after %d iterations, want %v", test.method, p.X, p.Iterations, test.want)
		}
	}
}

// TestGradPsi checks grad psi = H g, psi = ||g||^2 / 2, of gradient-norm
// minimisation against central differences of psi at points with distinct
// coordinates, with Hess only and with HessVec only.
func TestGradPsi(t *testing.T) {
	t.Parallel()
	fn := testfunc.Himmelblau()
	hessOnly := fn.Problem
	hessOnly.HessVec = nil
	vecOnly := fn.Problem
	vecOnly.Hess = nil
	psi := func(x []float64) float64 {
		g := make([]float64, 2)
		fn.Problem.Grad(g, x)
		return floats.Dot(g, g) / 2
	}
	for _, p := range []hessian.Problem{hessOnly, vecOnly} {
		for _, x := range [][]float64{{1.3, -0.7}, {-2.2, 0.4}, {3.1, 2.6}} {
			f := &finder{set: (*FindSettings)(nil).resolve(), c: newCounted(p), n: 2, x: slices.Clone(x), g: make([]float64, 2)}
			p.Grad(f.g, f.x)
			got, ok := newBFGS(f).gradPsi()
			if !ok {
				t.Fatal("non-finite H g")
			}
			const h = 1e-5
			for i := range 2 {
				xp, xm := slices.Clone(x), slices.Clone(x)
				xp[i] += h
				xm[i] -= h
				// Central differences are exact to O(h^2 psi''').
				want := (psi(xp) - psi(xm)) / (2 * h)
				if math.Abs(got[i]-want) > 1e-6*max(1, math.Abs(want)) {
					t.Errorf("x = %v: d psi/dx_%d = %v, finite difference %v", x, i, got[i], want)
				}
			}
		}
	}
}

// TestFindConcurrent runs Find from several goroutines on one problem, for
// the race detector, and checks that the results agree with a serial run.
func TestFindConcurrent(t *testing.T) {
	t.Parallel()
	fn := testfunc.SixHumpCamel()
	starts := gridStarts(fn.Domain, 4, 3)
	want := make([]Point, len(starts))
	for i, x := range starts {
		var err error
		if want[i], err = Find(fn.Problem, x, nil); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]Point, len(starts))
	var wg sync.WaitGroup
	for i, x := range starts {
		wg.Go(func() { got[i], _ = Find(fn.Problem, x, nil) })
	}
	wg.Wait()
	for i := range starts {
		if !slices.Equal(got[i].X, want[i].X) || got[i].Status != want[i].Status {
			t.Errorf("start %v: concurrent %v at %v, serial %v at %v", starts[i], got[i].Status, got[i].X, want[i].Status, want[i].X)
		}
	}
}

func TestFindDoesNotModifyStart(t *testing.T) {
	t.Parallel()
	x0 := []float64{2, 1}
	p, err := Find(testfunc.Himmelblau().Problem, x0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x0[0] != 2 || x0[1] != 1 {
		t.Errorf("start changed to %v", x0)
	}
	p.X[0] = 7
	if x0[0] != 2 {
		t.Error("X aliases the start")
	}
}

func TestFindStatusString(t *testing.T) {
	t.Parallel()
	for s := NotTerminated; s <= ZeroHessian; s++ {
		if str := s.String(); str == "" || str[0] == 'F' {
			t.Errorf("FindStatus(%d).String() = %q", int(s), str)
		}
	}
	if str := (ZeroHessian + 1).String(); str != "FindStatus(8)" {
		t.Errorf("unknown status: %q", str)
	}
	for _, m := range allMethods {
		if str := m.String(); str == "" || str[0] == 'F' {
			t.Errorf("FindMethod(%d).String() = %q", int(m), str)
		}
	}
}

func ExampleFind() {
	fn := testfunc.Himmelblau()
	p, err := Find(fn.Problem, []float64{2, 1}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v at (%.6f, %.6f), f = %.6f: %v, ||g||^2 < %.0e\n",
		p.Status, p.X[0], p.X[1], p.F, p.Classification.Kind, p.Certificate.GradTol)

	// Gradient-norm minimisation from the right of -sqrt 2 stops at the
	// gradient-flat point (sqrt 2, 0) of Frye et al.'s quartic, where g is
	// nonzero but lies in the kernel of H.
	fn = testfunc.GradientFlatQuartic()
	p, err = Find(fn.Problem, []float64{2.5, 1}, &FindSettings{Method: GradientNorm})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v at x = %.6f, |y| < 1e-6: %v, ||g||^2 = %.4f, r = %.2f, converged: %v\n",
		p.Status, p.X[0], math.Abs(p.X[1]) < 1e-6, p.GradNorm*p.GradNorm, p.FlatRatio, p.Converged)

	// Output:
	// converged at (3.000000, 2.000000), f = 0.000000: minimum, ||g||^2 < 1e-10
	// gradient-flat at x = 1.414214, |y| < 1e-6: true, ||g||^2 = 11.1766, r = 1.00, converged: false
}

func BenchmarkFind(b *testing.B) {
	fn := testfunc.Himmelblau()
	for _, m := range allMethods {
		b.Run(m.String(), func(b *testing.B) {
			s := &FindSettings{Method: m}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Find(fn.Problem, []float64{-1.5, 0.3}, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// diagQuadratic returns f = sum_i d_i x_i^2 / 2 + c x_0 with only
// Hessian-vector products, H = diag(d).
func diagQuadratic(d []float64, c float64) hessian.Problem {
	return hessian.Problem{
		Func: func(x []float64) float64 {
			f := c * x[0]
			for i, v := range x {
				f += d[i] * v * v / 2
			}
			return f
		},
		Grad: func(g, x []float64) {
			for i, v := range x {
				g[i] = d[i] * v
			}
			g[0] += c
		},
		HessVec: func(hv, _, v []float64) {
			for i, vi := range v {
				hv[i] = d[i] * vi
			}
		},
	}
}

// TestFindMatrixFree checks Find above DefaultMatrixFreeDim, where Analyze
// does not assemble the Hessian: on a diagonal quadratic with eigenvalues
// ±(1 + i/n) Newton-MR reaches the saddle at the origin, and with d_0 = 0
// and c = 1 (g_0 = 1 everywhere, in the kernel of H) it stops at a
// gradient-flat point, x_i = 0 for i > 0, with r = 1. The first dimension
// above the threshold keeps the test to a few seconds.
func TestFindMatrixFree(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("matrix-free analysis of a 3001-dimensional problem")
	}
	n := DefaultMatrixFreeDim + 1
	d := make([]float64, n)
	x0 := make([]float64, n)
	for i := range n {
		d[i] = 1 + float64(i)/float64(n)
		if i%3 == 0 {
			d[i] = -d[i]
		}
		x0[i] = math.Sin(float64(i + 1))
	}
	p, err := Find(diagQuadratic(d, 0), x0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Converged || p.Spectrum == nil || p.Classification.Kind != Saddle || p.FlatRatio > 1e-6 {
		t.Errorf("%v, spectrum %v, %v, r = %v; want converged, matrix-free, saddle, r = 0",
			p.Status, p.Spectrum != nil, p.Classification.Kind, p.FlatRatio)
	}

	d[0] = 0
	p, err = Find(diagQuadratic(d, 1), x0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Newton-MR's least-squares test resolves the range part of g only
	// down to about ARTol ||H||_F ||g|| = 1e-7 * 77 * 1, so x_1: ends near
	// 1e-6 rather than at 0, and r = ||g_0|| / (||H||_F ||p|| + ||g||) a
	// little below 1.
	if p.Converged || p.Status != GradientFlat || !p.GradientFlat || math.Abs(p.FlatRatio-1) > 1e-4 ||
		floats.Norm(p.X[1:], 2) > 1e-5 {
		t.Errorf("%v, flat %v, r = %v, ||x_1:|| = %v; want gradient-flat, r = 1, x_1: = 0",
			p.Status, p.GradientFlat, p.FlatRatio, floats.Norm(p.X[1:], 2))
	}
}

// TestFindGradientFlatNearby checks the flag at iterates that stop at
// different distances from the gradient-flat point (sqrt 2, 0) of Frye et
// al.'s quartic: gradient-norm minimisation from starts between 1e-9 and
// 0.3 to its right ends within about 1e-7 of it, where the vanishing
// eigenvalue 3x^2 - 6 may still exceed the classification tolerance; the
// flatness ratio must flag every one of them.
func TestFindGradientFlatNearby(t *testing.T) {
	t.Parallel()
	fn := testfunc.GradientFlatQuartic()
	for i := range 60 {
		d := 1e-9 * math.Pow(3e8, float64(i)/59)
		for _, y := range []float64{0, 1e-3, -0.2} {
			x0 := []float64{math.Sqrt2 + d, y}
			p, err := Find(fn.Problem, x0, &FindSettings{Method: GradientNorm})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(p.X[0]-math.Sqrt2) > 1e-4 || !p.GradientFlat || p.Status != GradientFlat || p.FlatRatio <= 0.9 {
				t.Errorf("start %v: %v at %v (%.3g from sqrt 2), r = %v, eigenvalues %v",
					x0, p.Status, p.X, p.X[0]-math.Sqrt2, p.FlatRatio, p.Classification.Eigenvalues)
			}
		}
	}
}
