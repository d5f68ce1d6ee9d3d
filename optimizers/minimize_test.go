package optimizers

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/mat"
)

// TestRosenbrockMinimum runs every method from the classical start
// (-1.2, 1) to the minimum (1, 1) of Rosenbrock's function and requires it
// within 1e-6. The settings are chosen per method; the comments give the
// measured iteration counts with GradientThreshold 1e-10.
func TestRosenbrockMinimum(t *testing.T) {
	t.Parallel()
	decay := StepDecay{Initial: 1e-2, Factor: 0.5, Every: 5000}
	cases := []struct {
		name  string
		m     Method
		iters int
		long  bool
	}{
		// η = 1e-3 is about the stability limit 2/λ_max ≈ 2/1002 at the
		// minimum; 2e-3 oscillates. 55134 iterations.
		{"SGD", &SGD{LearningRate: 1e-3}, 100000, true},
		{"Momentum", &Momentum{LearningRate: 1e-3, Momentum: 0.9}, 20000, false},                                // 5235
		{"Nesterov", &Nesterov{LearningRate: 1e-3, Momentum: 0.9}, 20000, false},                                // 5291
		{"Adagrad", &Adagrad{LearningRate: 0.5}, 100000, true},                                                  // 28319
		{"RMSprop", &RMSprop{Schedule: decay}, 200000, true},                                                    // 75002; constant η = 1e-3 oscillates at distance 7e-4
		{"Adam", &Adam{LearningRate: 1e-2}, 20000, false},                                                       // 6379
		{"Adam/StepDecay", &Adam{Schedule: decay}, 20000, false},                                                // 7229
		{"Adam/NoBiasCorrection", &Adam{NoBiasCorrection: true, Schedule: decay}, 20000, false},                 // 6807
		{"Newton", &Newton{}, 100, false},                                                                       // 7
		{"DampedNewton", &DampedNewton{}, 1000, false},                                                          // 35
		{"SaddleFreeNewton", &SaddleFreeNewton{}, 100, false},                                                   // 7
		{"SaddleFreeNewton/Dampings", &SaddleFreeNewton{Dampings: []float64{0, 1e-2, 1e-1, 1, 10}}, 100, false}, // 26
		// A one-dimensional Krylov subspace is steepest descent with step
		// 1/|gᵀHg/gᵀg|: 4206 iterations.
		{"SaddleFreeNewton/Krylov1", &SaddleFreeNewton{Krylov: 1, Dampings: []float64{0, 1e-2, 1e-1, 1, 10}}, 20000, false},
		{"SaddleFreeNewton/Krylov2", &SaddleFreeNewton{Krylov: 2}, 100, false},
	}
	p := testfunc.Rosenbrock().Problem
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.long && testing.Short() {
				t.Skip("more than 20000 iterations")
			}
			r, err := Minimize(p, []float64{-1.2, 1}, c.m, &Settings{MaxIterations: c.iters, GradientThreshold: 1e-10})
			if err != nil {
				t.Fatalf("error %v, status %v", err, r.Status)
			}
			if r.Status != GradientThreshold {
				t.Errorf("status %v after %d iterations, want GradientThreshold", r.Status, r.Iterations)
			}
			if d := math.Hypot(r.X[0]-1, r.X[1]-1); d > 1e-6 {
				t.Errorf("distance to (1, 1) %v after %d iterations", d, r.Iterations)
			}
			if r.GradNorm > 1e-10 || r.F > 1e-12 {
				t.Errorf("F = %v, GradNorm = %v", r.F, r.GradNorm)
			}
		})
	}
}

// TestMinimizeNewtonSaddle checks that Minimize runs pure Newton onto the
// saddle of 5x² - y² in one iteration and reports it as converged by the
// gradient: Newton finds critical points, not minima.
func TestMinimizeNewtonSaddle(t *testing.T) {
	t.Parallel()
	r, err := Minimize(testfunc.SaddleQuadratic().Problem, []float64{0.8, -0.6}, &Newton{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != GradientThreshold || r.Iterations != 1 || r.GradNorm > 1e-12 {
		t.Errorf("status %v, %d iterations, gradient norm %v; want GradientThreshold after 1", r.Status, r.Iterations, r.GradNorm)
	}
	want := Evaluations{FuncEvals: 2, GradEvals: 2, HessEvals: 1}
	if r.Evaluations != want {
		t.Errorf("evaluations %+v, want %+v (the step reuses the monitored gradient)", r.Evaluations, want)
	}
}

// TestMinimizeErrors checks that data-dependent failures end with an error
// and the right Status, and that Result.X is the last finite iterate.
func TestMinimizeErrors(t *testing.T) {
	t.Parallel()
	// nanBelow has f = (x-1)² + y² but a NaN gradient once x < 0.5.
	nanBelow := hessian.Problem{
		Func: func(x []float64) float64 { return (x[0]-1)*(x[0]-1) + x[1]*x[1] },
		Grad: func(g, x []float64) {
			g[0], g[1] = 2*(x[0]-1), 2*x[1]
			if x[0] < 0.5 {
				g[0] = math.NaN()
			}
		},
	}
	// infFunc has a finite gradient but f = +Inf beyond x = 2.
	infFunc := hessian.Problem{
		Func: func(x []float64) float64 {
			if x[0] > 2 {
				return math.Inf(1)
			}
			return -x[0]
		},
		Grad: func(g, x []float64) { g[0] = -1 },
	}
	cases := []struct {
		name   string
		p      hessian.Problem
		x0     []float64
		m      Method
		s      *Settings
		status Status
		target error
		iters  int // Iterations of the result; -1: not checked
	}{
		{"Newton/singular", quartic(), []float64{0, 1}, &Newton{}, nil, SingularSystem, ErrSingular, 0},
		{"SaddleFreeNewton/singular", quartic(), []float64{0, 1}, &SaddleFreeNewton{}, nil, SingularSystem, ErrSingular, 0},
		// On f = xy at (1, 0), g = (0, 1) and gᵀHg = 0: the one-dimensional
		// Krylov projection T = [0] is singular.
		{"SaddleFreeNewton/Krylov/singular", quadratic(2, []float64{0, 1, 1, 0}, []float64{0, 0}), []float64{1, 0}, &SaddleFreeNewton{Krylov: 1}, nil, SingularSystem, ErrSingular, 0},
		// The singular direction is skipped; damping 1 gives a step.
		{"SaddleFreeNewton/Dampings/ok", quartic(), []float64{0, 1}, &SaddleFreeNewton{Dampings: []float64{0, 1}}, &Settings{MaxIterations: 1}, IterationLimit, nil, 1},
		// x - 1 is multiplied by 1 - 2η = -1.2 a step: x = 1.3, 0.64, 1.432,
		// then 0.4816 has a NaN gradient, so two steps are kept.
		{"NaN gradient", nanBelow, []float64{1.3, 0.1}, &SGD{LearningRate: 1.1}, nil, NonFinite, ErrNonFinite, 2},
		// Gradient descent with η = 0.5 on 5x² - y² maps (x, y) to (-4x, 2y):
		// the loss grows past 1e12·max(1, |f₀|).
		{"SGD/diverges", testfunc.SaddleQuadratic().Problem, []float64{0.1, 0.1}, &SGD{LearningRate: 0.5}, nil, Diverged, ErrDiverged, -1},
		// η = 1 exceeds 2/λ_max = 0.55 on the non-separable quadratic.
		{"SGD/unstable", nonSeparable(), []float64{1, 1}, &SGD{LearningRate: 1}, nil, Diverged, ErrDiverged, -1},
		{"SGD/overflow", nonSeparable(), []float64{1, 1}, &SGD{LearningRate: 1}, &Settings{BlowUp: math.Inf(1)}, NonFinite, ErrNonFinite, -1},
		{"SaddleFreeNewton/unbounded", testfunc.SaddleQuadratic().Problem, []float64{0.3, 0.2}, &SaddleFreeNewton{}, nil, Diverged, ErrDiverged, -1},
		{"infinite loss", infFunc, []float64{0}, &SGD{LearningRate: 0.3}, nil, NonFinite, ErrNonFinite, 6},
		{"NaN start", nonSeparable(), []float64{math.NaN(), 1}, &SGD{}, nil, NonFinite, ErrNonFinite, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := Minimize(c.p, c.x0, c.m, c.s)
			if r.Status != c.status {
				t.Errorf("status %v, want %v (error %v)", r.Status, c.status, err)
			}
			if !errors.Is(err, c.target) || (c.target == nil) != (err == nil) {
				t.Errorf("error %v, want %v", err, c.target)
			}
			if !errors.Is(r.Err, err) || (r.Err == nil) != (err == nil) {
				t.Errorf("Result.Err %v, returned error %v", r.Err, err)
			}
			if c.iters >= 0 && r.Iterations != c.iters {
				t.Errorf("%d iterations, want %d", r.Iterations, c.iters)
			}
			if c.name == "NaN start" {
				return
			}
			if !allFinite(r.X) || math.IsNaN(r.F) || math.IsInf(r.F, 0) || math.IsNaN(r.GradNorm) || math.IsInf(r.GradNorm, 0) {
				t.Errorf("non-finite result X = %v, F = %v, GradNorm = %v", r.X, r.F, r.GradNorm)
			}
		})
	}
}

// TestMinimizeStatuses checks the ordinary ends of a minimisation.
func TestMinimizeStatuses(t *testing.T) {
	t.Parallel()
	p := testfunc.Rosenbrock().Problem
	x0 := []float64{-1.2, 1}

	r, err := Minimize(p, x0, &SGD{LearningRate: 1e-3}, &Settings{MaxIterations: 7})
	if err != nil || r.Status != IterationLimit || r.Iterations != 7 {
		t.Errorf("MaxIterations 7: status %v, %d iterations, error %v", r.Status, r.Iterations, err)
	}

	// Gradient descent spends one gradient per iteration, counting x0.
	r, err = Minimize(p, x0, &SGD{LearningRate: 1e-3}, &Settings{MaxEvaluations: 10})
	if err != nil || r.Status != EvaluationLimit || r.Evaluations.GradEvals != 10 || r.Iterations != 9 {
		t.Errorf("MaxEvaluations 10: status %v, %d iterations, evaluations %+v, error %v", r.Status, r.Iterations, r.Evaluations, err)
	}
	// A Hessian of this 2-D problem costs 2 gradients: x0 costs 1, then
	// Newton's iterations 3 each (the gradient is shared with monitoring).
	r, err = Minimize(p, x0, &Newton{}, &Settings{MaxEvaluations: 7})
	if err != nil || r.Status != EvaluationLimit || r.Iterations != 2 {
		t.Errorf("Newton MaxEvaluations 7: status %v, %d iterations, evaluations %+v, error %v", r.Status, r.Iterations, r.Evaluations, err)
	}

	// With η = 1e-10 the loss (24.2, gradient norm 232) drops by about
	// η‖g‖² = 5.4e-6 a step: 20 steps stay below the absolute 1e-3.
	fc := FunctionConverge{Absolute: 1e-3, Iterations: 20}
	r, err = Minimize(p, x0, &SGD{LearningRate: 1e-10}, &Settings{FunctionConverge: fc})
	if err != nil || r.Status != FunctionConvergence || r.Iterations != 20 {
		t.Errorf("FunctionConverge: status %v, %d iterations, error %v", r.Status, r.Iterations, err)
	}

	// The default gradient threshold is 1e-12; at the minimum it holds at
	// once.
	r, err = Minimize(p, []float64{1, 1}, &Adam{}, nil)
	if err != nil || r.Status != GradientThreshold || r.Iterations != 0 || r.F != 0 {
		t.Errorf("start at minimum: status %v, %d iterations, F %v, error %v", r.Status, r.Iterations, r.F, err)
	}

	// A negative threshold is never met.
	r, err = Minimize(p, []float64{1, 1}, &Newton{}, &Settings{GradientThreshold: -1, MaxIterations: 3})
	if err != nil || r.Status != IterationLimit || r.Iterations != 3 {
		t.Errorf("negative threshold: status %v, %d iterations, error %v", r.Status, r.Iterations, err)
	}

	r, err = Minimize(p, nil, &SGD{}, nil)
	if !errors.Is(err, hessian.ErrZeroDim) || r.Status != Failure {
		t.Errorf("empty x0: status %v, error %v", r.Status, err)
	}

	bad := errors.New("disk full")
	rec := RecorderFunc(func(it Iterate) error {
		if it.K == 3 {
			return bad
		}
		return nil
	})
	r, err = Minimize(p, x0, &SGD{LearningRate: 1e-3}, &Settings{Recorder: rec})
	if !errors.Is(err, bad) || r.Status != Failure || r.Iterations != 3 {
		t.Errorf("recorder error: status %v, %d iterations, error %v", r.Status, r.Iterations, err)
	}
}

// TestTrajectory checks what the Trajectory recorder keeps.
func TestTrajectory(t *testing.T) {
	t.Parallel()
	p := nonSeparable()
	x0 := []float64{2, -1.5}
	var tr Trajectory
	eta := StepDecay{Initial: 0.1, Factor: 0.5, Every: 2}
	r, err := Minimize(p, x0, &SGD{Schedule: eta}, &Settings{MaxIterations: 5, Recorder: &tr})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Iterates) != 6 {
		t.Fatalf("%d iterates recorded, want 6 (x0 and five steps)", len(tr.Iterates))
	}
	if !slices.Equal(tr.Iterates[0].X, x0) || tr.Iterates[0].F != p.Func(x0) || tr.Iterates[0].K != 0 {
		t.Errorf("first iterate %+v, want x0 = %v", tr.Iterates[0], x0)
	}
	if !slices.Equal(tr.Iterates[5].X, r.X) || tr.Iterates[5].F != r.F || tr.Iterates[5].GradNorm != r.GradNorm {
		t.Errorf("last iterate %+v, result %+v", tr.Iterates[5], r)
	}
	g := make([]float64, 2)
	for k, it := range tr.Iterates {
		if k > 0 {
			if want := eta.LearningRate(k - 1); it.LearningRate != want {
				t.Errorf("iterate %d: learning rate %v, want %v", k, it.LearningRate, want)
			}
			prev := tr.Iterates[k-1].X
			if want := math.Hypot(it.X[0]-prev[0], it.X[1]-prev[1]); !near(it.StepSize, want, 1e-15) {
				t.Errorf("iterate %d: step size %v, want %v", k, it.StepSize, want)
			}
		}
		p.Grad(g, it.X)
		if !it.Monitored || it.F != p.Func(it.X) || !near(it.GradNorm, math.Hypot(g[0], g[1]), 1e-15) {
			t.Errorf("iterate %d: F %v, GradNorm %v at %v", k, it.F, it.GradNorm, it.X)
		}
		if want := (Evaluations{FuncEvals: k + 1, GradEvals: k + 1}); it.Evaluations != want {
			t.Errorf("iterate %d: evaluations %+v, want %+v", k, it.Evaluations, want)
		}
	}
}

// TestKrylovFullSubspaceEqualsDense checks that saddle-free Newton in a
// Krylov subspace of full dimension takes the dense step, on an indefinite
// non-separable quadratic and on the chained Rosenbrock function, and that
// it uses only Hessian-vector products.
func TestKrylovFullSubspaceEqualsDense(t *testing.T) {
	t.Parallel()
	// Eigenvalues of this matrix: about -2.39, 1.59, 5.80 (indefinite).
	indefinite := quadratic(3, []float64{4, 1, -2, 1, 3, 0.5, -2, 0.5, -1}, []float64{1, 2, 3})
	cases := []struct {
		name string
		p    hessian.Problem
		x    []float64
	}{
		{"indefinite", indefinite, []float64{0.3, -0.8, 1.9}},
		{"chainedRosenbrock", chainedRosenbrock(6), []float64{-1.2, 1, 0.3, -0.5, 0.8, 1.1}},
	}
	for _, c := range cases {
		for _, damping := range []float64{0, 0.3} {
			n := len(c.x)
			dense := &SaddleFreeNewton{Damping: damping}
			dense.Init(n)
			want := step(t, dense, NewObjective(c.p, n), c.x, 0)

			hvOnly := hessian.Problem{Func: c.p.Func, Grad: c.p.Grad, HessVec: c.p.HessVec}
			krylov := &SaddleFreeNewton{Damping: damping, Krylov: n + 3}
			krylov.Init(n)
			obj := NewObjective(hvOnly, n)
			got := step(t, krylov, obj, c.x, 0)
			// Lanczos with full reorthogonalisation keeps the basis
			// orthonormal to rounding; the eigensolvers then agree to about
			// cond(|H| + λI)·ε.
			for i := range got {
				if !near(got[i], want[i], 1e-10) {
					t.Errorf("%s, damping %v: Krylov step %v, dense step %v", c.name, damping, got, want)
					break
				}
			}
			if ev := obj.Evaluations(); ev.HessEvals != 0 || ev.HessVecEvals != n || ev.GradEvals != 1 {
				t.Errorf("%s: evaluations %+v, want one gradient and %d Hessian-vector products", c.name, ev, n)
			}
		}
	}
}

// TestKrylovSubspaceStep checks the Krylov step in a subspace smaller than
// the problem: it lies in span{g, Hg} and satisfies the projected equation
// Vᵀ(|T| + λI)Vs = -Vᵀg, verified here through the 2×2 projection built
// independently by Gram-Schmidt.
func TestKrylovSubspaceStep(t *testing.T) {
	t.Parallel()
	n := 8
	p := chainedRosenbrock(n)
	x := []float64{-1.2, 1, 0.3, -0.5, 0.8, 1.1, 0.1, -0.7}
	m := &SaddleFreeNewton{Krylov: 2, Damping: 0.1}
	m.Init(n)
	got := step(t, m, NewObjective(p, n), x, 0)

	g := make([]float64, n)
	p.Grad(g, x)
	hg := make([]float64, n)
	p.HessVec(hg, x, g)
	q1 := mat.NewVecDense(n, slices.Clone(g))
	q1.ScaleVec(1/mat.Norm(q1, 2), q1)
	q2 := mat.NewVecDense(n, slices.Clone(hg))
	q2.AddScaledVec(q2, -mat.Dot(q1, q2), q1)
	q2.ScaleVec(1/mat.Norm(q2, 2), q2)
	v := mat.NewDense(n, 2, nil)
	v.SetCol(0, q1.RawVector().Data)
	v.SetCol(1, q2.RawVector().Data)
	var h mat.SymDense
	if err := hessian.Exact(&h, p, x); err != nil {
		t.Fatal(err)
	}
	var hv, tm mat.Dense
	hv.Mul(&h, v)
	tm.Mul(v.T(), &hv)
	tsym := mat.NewSymDense(2, []float64{tm.At(0, 0), tm.At(0, 1), tm.At(0, 1), tm.At(1, 1)})
	var u mat.Dense
	vals, err := hessian.Eigenvectors(&u, tsym)
	if err != nil {
		t.Fatal(err)
	}
	// abs = U (|Θ| + λI) Uᵀ
	abs := mat.NewDense(2, 2, nil)
	for i, th := range vals {
		for r := range 2 {
			for c := range 2 {
				abs.Set(r, c, abs.At(r, c)+(math.Abs(th)+0.1)*u.At(r, i)*u.At(c, i))
			}
		}
	}
	var vtg, s mat.VecDense
	vtg.MulVec(v.T(), mat.NewVecDense(n, g))
	if err := s.SolveVec(abs, &vtg); err != nil {
		t.Fatal(err)
	}
	var want mat.VecDense
	want.MulVec(v, &s)
	for i := range n {
		if !near(got[i], x[i]-want.AtVec(i), 1e-10) {
			t.Fatalf("Krylov step gives %v, projected equation %v", got, want.RawVector().Data)
		}
	}
}

// TestObjectiveCounts checks the counting and the reuse of the last value.
func TestObjectiveCounts(t *testing.T) {
	t.Parallel()
	p := testfunc.Rosenbrock().Problem
	obj := NewObjective(p, 2)
	x, y := []float64{0.5, 0.2}, []float64{0.5, 0.3}
	g := make([]float64, 2)
	obj.Func(x)
	obj.Func(x)
	obj.Grad(g, x)
	obj.Grad(g, x)
	obj.Grad(g, y)
	obj.Grad(g, x)
	var h mat.SymDense
	if err := obj.Hess(&h, x); err != nil {
		t.Fatal(err)
	}
	obj.HessVec(g, x, y)
	want := Evaluations{FuncEvals: 1, GradEvals: 3, HessEvals: 1, HessVecEvals: 1}
	if got := obj.Evaluations(); got != want {
		t.Errorf("evaluations %+v, want %+v", got, want)
	}
	hvOnly := NewObjective(hessian.Problem{HessVec: p.HessVec}, 2)
	if err := hvOnly.Hess(&h, x); err != nil {
		t.Fatal(err)
	}
	if got := hvOnly.Evaluations(); got != (Evaluations{HessVecEvals: 2}) {
		t.Errorf("Hessian from HessVec counted as %+v, want 2 products", got)
	}
}

// TestDampedNewtonRejects checks the Levenberg-Marquardt rule at a point
// where H + λI is indefinite: the step is rejected, the iterate stays and λ
// grows by 3/2 until H + λI is positive definite.
func TestDampedNewtonRejects(t *testing.T) {
	t.Parallel()
	// At (0, 1) Rosenbrock's Hessian is [[-398, 0], [0, 200]].
	p := testfunc.Rosenbrock().Problem
	m := &DampedNewton{Damping: 100}
	m.Init(2)
	obj := NewObjective(p, 2)
	x := []float64{0, 1}
	lambda := 100.0
	for k := 0; ; k++ {
		next := make([]float64, 2)
		info, err := m.Step(next, obj, x, k)
		if err != nil {
			t.Fatal(err)
		}
		if info.Damping != lambda {
			t.Fatalf("step %d: damping %v, want %v", k, info.Damping, lambda)
		}
		if lambda <= 398 {
			if !slices.Equal(next, x) {
				t.Fatalf("step %d with λ = %v accepted: %v", k, lambda, next)
			}
			lambda *= 1.5
			continue
		}
		if slices.Equal(next, x) || p.Func(next) >= p.Func(x) {
			t.Fatalf("step %d with λ = %v: %v does not lower the loss", k, lambda, next)
		}
		break
	}
	// The Hessian at x was evaluated once and reused.
	if ev := obj.Evaluations(); ev.HessEvals != 1 {
		t.Errorf("%d Hessian evaluations, want 1", ev.HessEvals)
	}

	// A new batch at the same point needs its own Hessian: both steps below
	// are rejected (λ = 100, then 150).
	m.Init(2)
	obj = NewObjective(p, 2)
	next := make([]float64, 2)
	for range 2 {
		if _, err := m.Step(next, obj, x, 0); err != nil {
			t.Fatal(err)
		}
		obj.reset(p)
	}
	if ev := obj.Evaluations(); ev.HessEvals != 2 {
		t.Errorf("%d Hessian evaluations for two batches, want 2", ev.HessEvals)
	}
}

// TestStatusString checks the names of the statuses.
func TestStatusString(t *testing.T) {
	t.Parallel()
	want := []string{"NotTerminated", "GradientThreshold", "FunctionConvergence", "IterationLimit",
		"EvaluationLimit", "Diverged", "NonFinite", "SingularSystem", "Failure", "Status(9)"}
	for s, w := range want {
		if got := Status(s).String(); got != w {
			t.Errorf("Status(%d).String() = %q, want %q", s, got, w)
		}
	}
}
