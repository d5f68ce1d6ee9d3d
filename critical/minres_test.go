package critical

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// randomOrthogonal returns an n×n orthogonal matrix, the Q factor of a
// Gaussian matrix.
func randomOrthogonal(n int, rnd *rand.Rand) *mat.Dense {
	a := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			a.Set(i, j, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// symWithEigenvalues returns Q diag(vals) Q^T and Q for a random orthogonal Q.
func symWithEigenvalues(vals []float64, rnd *rand.Rand) (*mat.SymDense, *mat.Dense) {
	n := len(vals)
	q := randomOrthogonal(n, rnd)
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			var s float64
			for k := range n {
				s += q.At(i, k) * vals[k] * q.At(j, k)
			}
			a.SetSym(i, j, s)
		}
	}
	return a, q
}

// pinvSolve returns A^+ b for A = Q diag(vals) Q^T, treating eigenvalues with
// |lambda| <= cut as zero, and the projection of b onto the null space.
func pinvSolve(q *mat.Dense, vals, b []float64, cut float64) (x, bNull []float64) {
	n := len(vals)
	x = make([]float64, n)
	bNull = make([]float64, n)
	for k := range n {
		var c float64
		for i := range n {
			c += q.At(i, k) * b[i]
		}
		for i := range n {
			if math.Abs(vals[k]) > cut {
				x[i] += q.At(i, k) * c / vals[k]
			} else {
				bNull[i] += q.At(i, k) * c
			}
		}
	}
	return x, bNull
}

// symMulVec returns the product function of a.
func symMulVec(a *mat.SymDense) func(av, v []float64) {
	return func(av, v []float64) {
		mat.NewVecDense(len(av), av).MulVec(a, mat.NewVecDense(len(v), v))
	}
}

func randomVector(n int, rnd *rand.Rand) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

func relDist(a, b []float64) float64 {
	d := make([]float64, len(a))
	floats.SubTo(d, a, b)
	return floats.Norm(d, 2) / max(floats.Norm(b, 2), 1e-300)
}

// TestMINRESKnownAnswers compares MINRES with the dense (pseudo-)inverse
// solution for systems with prescribed spectra.
func TestMINRESKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name string
		vals []float64 // eigenvalues of A
		// compatible makes b = A z, so that b lies in the range of A.
		compatible bool
		status     MINRESStatus
		tol        float64 // on the relative error of x against A^+ b
		// lostOrth marks a spectrum on which the Lanczos vectors lose
		// orthogonality, so that ANorm overestimates ||A||_F.
		lostOrth bool
	}{
		{name: "spd", vals: []float64{1, 2, 3, 5, 8, 13, 21, 34}, status: MINRESResidual, tol: 1e-9},
		{name: "indefinite", vals: []float64{-7, -3, -1, 0.5, 2, 4, 9, 11}, status: MINRESResidual, tol: 1e-9},
		{name: "negative definite", vals: []float64{-9, -4, -2.5, -1, -0.25}, status: MINRESResidual, tol: 1e-9},
		// cond = 1e7: the forward error is at most about Tol * cond = 1e-3;
		// the observed one is far smaller.
		{name: "ill-conditioned spd", vals: []float64{1e-4, 1e-2, 1, 10, 1e3}, status: MINRESResidual, tol: 1e-5, lostOrth: true},
		{name: "singular compatible", vals: []float64{-4, -1, 0, 0, 2, 3, 6}, compatible: true, status: MINRESResidual, tol: 1e-9},
		{name: "singular incompatible", vals: []float64{-4, -1, 0, 0, 2, 3, 6}, status: MINRESLeastSquares, tol: 1e-9},
		{name: "rank one incompatible", vals: []float64{0, 0, 0, 5}, status: MINRESLeastSquares, tol: 1e-9},
		// The null-space component that MINRES removes is (sum 1/lambda)
		// P_N b, about 97 P_N b here, dominated by the eigenvalue 0.01.
		{name: "incompatible small eigenvalue", vals: []float64{-4, -1, 0, 0, 2, 3, 6, 0.01, -0.3, 8, 9, 10}, status: MINRESLeastSquares, tol: 1e-9},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(1, 7))
			n := len(test.vals)
			a, q := symWithEigenvalues(test.vals, rnd)
			b := randomVector(n, rnd)
			if test.compatible {
				z := b
				b = make([]float64, n)
				symMulVec(a)(b, z)
			}
			want, bNull := pinvSolve(q, test.vals, b, 0)
			x := make([]float64, n)
			res, err := MINRES(x, symMulVec(a), b, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != test.status {
				t.Errorf("status = %v, want %v", res.Status, test.status)
			}
			// x is the minimum-length (least-squares) solution A^+ b.
			if d := relDist(x, want); d > test.tol {
				t.Errorf("x differs from A^+ b by %v (relative)", d)
			}
			// The recurrence estimate of the residual norm is the true one,
			// ||P_N b|| at a least-squares solution.
			r := make([]float64, n)
			symMulVec(a)(r, x)
			floats.SubTo(r, b, r)
			trueRes := floats.Norm(r, 2)
			// Scale of the backward-error test.
			scale := mat.Norm(a, 2)*floats.Norm(x, 2) + floats.Norm(b, 2)
			if math.Abs(trueRes-res.ResidualNorm) > 1e-9*scale {
				t.Errorf("ResidualNorm = %v, true residual %v", res.ResidualNorm, trueRes)
			}
			if math.Abs(trueRes-floats.Norm(bNull, 2)) > 1e-9*scale {
				t.Errorf("residual %v, want ||P_N b|| = %v", trueRes, floats.Norm(bNull, 2))
			}
			if math.Abs(res.XNorm-floats.Norm(x, 2)) > 1e-12*floats.Norm(x, 2) {
				t.Errorf("XNorm = %v, ||x|| = %v", res.XNorm, floats.Norm(x, 2))
			}
			// With distinct nonzero eigenvalues, all found by termination,
			// ||T_k||_F = ||A||_F.
			if fro := mat.Norm(a, 2); !test.lostOrth && math.Abs(res.ANorm-fro) > 1e-8*fro {
				t.Errorf("ANorm = %v, ||A||_F = %v", res.ANorm, fro)
			}
		})
	}
}

// TestMINRESRandomSingular checks, on random spectra with a null space of
// random dimension, that MINRES returns A^+ b for compatible and
// incompatible right-hand sides.
func TestMINRESRandomSingular(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		rnd := rand.New(rand.NewPCG(seed, 13))
		n := 5 + rnd.IntN(20)
		vals := make([]float64, n)
		nullity := 1 + rnd.IntN(n/2)
		for i := nullity; i < n; i++ {
			// Nonzero eigenvalues of either sign with |lambda| in [0.1, 10].
			vals[i] = math.Pow(10, 2*rnd.Float64()-1)
			if rnd.IntN(2) == 0 {
				vals[i] = -vals[i]
			}
		}
		a, q := symWithEigenvalues(vals, rnd)
		b := randomVector(n, rnd)
		want, _ := pinvSolve(q, vals, b, 0)
		x := make([]float64, n)
		res, err := MINRES(x, symMulVec(a), b, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The forward error is at most about ARTol cond(A) = 1e-8 * 100.
		if d := relDist(x, want); res.Status != MINRESLeastSquares || d > 1e-6 {
			t.Errorf("seed %d, n = %d, nullity %d: %v, relative error %v", seed, n, nullity, res.Status, d)
		}
	}
}

// TestMINRESFiniteTermination checks that MINRES, which terminates in n steps
// in exact arithmetic, reaches a tiny residual within n steps for small n,
// and within d steps when A has only d distinct eigenvalues.
func TestMINRESFiniteTermination(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name string
		vals []float64
		// steps is the number of distinct eigenvalues.
		steps int
	}{
		{name: "n=2", vals: []float64{-1, 3}, steps: 2},
		{name: "n=3", vals: []float64{-2, 1, 5}, steps: 3},
		{name: "n=5", vals: []float64{-3, -1, 1, 2, 4}, steps: 5},
		{name: "n=6 two distinct", vals: []float64{-2, -2, -2, 5, 5, 5}, steps: 2},
		{name: "identity", vals: []float64{1, 1, 1, 1}, steps: 1},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(2, 11))
			n := len(test.vals)
			a, q := symWithEigenvalues(test.vals, rnd)
			b := randomVector(n, rnd)
			want, _ := pinvSolve(q, test.vals, b, 0)
			x := make([]float64, n)
			res, err := MINRES(x, symMulVec(a), b, &MINRESSettings{MaxIterations: test.steps})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != MINRESResidual || res.Iterations > test.steps {
				t.Errorf("status %v after %d iterations, want %v within %d", res.Status, res.Iterations, MINRESResidual, test.steps)
			}
			if d := relDist(x, want); d > 1e-12 {
				t.Errorf("relative error %v", d)
			}
		})
	}
}

// TestMINRESKrylovMinimiser checks an intermediate iterate: x_k minimises
// ||b - A x|| over K_k(A, b), computed densely from an orthonormal Krylov
// basis.
func TestMINRESKrylovMinimiser(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(3, 5))
	vals := []float64{-5, -2, -1, 1, 3, 4, 7, 10}
	n := len(vals)
	a, _ := symWithEigenvalues(vals, rnd)
	b := randomVector(n, rnd)
	for k := 1; k <= 4; k++ {
		// Krylov matrix [b, Ab, ..., A^(k-1) b], orthonormalised by QR.
		kr := mat.NewDense(n, k, nil)
		col := append([]float64(nil), b...)
		for j := range k {
			kr.SetCol(j, col)
			next := make([]float64, n)
			symMulVec(a)(next, col)
			col = next
		}
		var qr mat.QR
		qr.Factorize(kr)
		var basis mat.Dense
		qr.QTo(&basis)
		v := basis.Slice(0, n, 0, k)
		var av mat.Dense
		av.Mul(a, v)
		var y mat.VecDense
		if err := y.SolveVec(&av, mat.NewVecDense(n, b)); err != nil {
			t.Fatal(err)
		}
		var want mat.VecDense
		want.MulVec(v, &y)

		x := make([]float64, n)
		res, err := MINRES(x, symMulVec(a), b, &MINRESSettings{MaxIterations: k})
		if err != nil {
			t.Fatal(err)
		}
		if res.Iterations != k || res.Status != MINRESIterationLimit {
			t.Fatalf("k=%d: %v after %d iterations", k, res.Status, res.Iterations)
		}
		if d := relDist(x, want.RawVector().Data); d > 1e-10 {
			t.Errorf("k=%d: iterate differs from the Krylov minimiser by %v (relative)", k, d)
		}
		// Minimum-residual property: b^T A x = ||A x||^2.
		ax := make([]float64, n)
		symMulVec(a)(ax, x)
		if lhs, rhs := floats.Dot(b, ax), floats.Dot(ax, ax); math.Abs(lhs-rhs) > 1e-10*rhs {
			t.Errorf("k=%d: b^T A x = %v, ||A x||^2 = %v", k, lhs, rhs)
		}
	}
}

func TestMINRESSpecialRightHandSides(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(4, 1))
	vals := []float64{-2, 0, 1, 3}
	a, q := symWithEigenvalues(vals, rnd)
	// ||A||_F = sqrt(4 + 1 + 9).
	hint := &MINRESSettings{ANorm: math.Sqrt(14)}
	for _, test := range []struct {
		name   string
		b      []float64
		want   []float64
		status MINRESStatus
		iters  int
	}{
		{name: "zero", b: make([]float64, 4), want: make([]float64, 4), status: MINRESResidual, iters: 0},
		// b = q_0, eigenvalue -2: x = b / -2 after one step.
		{name: "eigenvector", b: mat.Col(nil, 0, q), want: floats.ScaleTo(make([]float64, 4), -0.5, mat.Col(nil, 0, q)), status: MINRESResidual, iters: 1},
		// b in the null space: x = 0 is the minimum-length least-squares
		// solution, detected at the first step thanks to the norm estimate.
		{name: "null vector", b: mat.Col(nil, 1, q), want: make([]float64, 4), status: MINRESLeastSquares, iters: 1},
	} {
		x := []float64{9, 9, 9, 9}
		res, err := MINRES(x, symMulVec(a), test.b, hint)
		if err != nil {
			t.Fatalf("%s: %v", test.name, err)
		}
		if res.Status != test.status || res.Iterations != test.iters {
			t.Errorf("%s: %v after %d iterations, want %v after %d", test.name, res.Status, res.Iterations, test.status, test.iters)
		}
		if !floats.EqualApprox(x, test.want, 1e-14) {
			t.Errorf("%s: x = %v, want %v", test.name, x, test.want)
		}
	}
}

func TestMINRESZeroMatrix(t *testing.T) {
	t.Parallel()
	x := make([]float64, 3)
	res, err := MINRES(x, func(av, _ []float64) { clear(av) }, []float64{1, 2, 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != MINRESLeastSquares || floats.Norm(x, 2) != 0 {
		t.Errorf("A = 0: status %v, x = %v; want least squares, x = 0", res.Status, x)
	}
}

func TestMINRESNonFinite(t *testing.T) {
	t.Parallel()
	x := make([]float64, 2)
	if _, err := MINRES(x, func(av, v []float64) { copy(av, v) }, []float64{1, math.NaN()}, nil); err == nil {
		t.Error("no error for a NaN right-hand side")
	}
	calls := 0
	_, err := MINRES(x, func(av, v []float64) {
		calls++
		av[0], av[1] = 2*v[0]+v[1], v[0]+math.Inf(calls-2)
	}, []float64{1, 2}, nil)
	if err == nil {
		t.Error("no error for an infinite product")
	}
	if !allFinite(x) {
		t.Errorf("x = %v is not the last finite iterate", x)
	}
}

func TestMINRESPanics(t *testing.T) {
	t.Parallel()
	id := func(av, v []float64) { copy(av, v) }
	for _, test := range []struct {
		name string
		f    func()
	}{
		{"length", func() { _, _ = MINRES(make([]float64, 2), id, []float64{1, 2, 3}, nil) }},
		{"tol", func() { _, _ = MINRES(make([]float64, 1), id, []float64{1}, &MINRESSettings{Tol: -1}) }},
		{"artol", func() { _, _ = MINRES(make([]float64, 1), id, []float64{1}, &MINRESSettings{ARTol: -1}) }},
		{"norm", func() { _, _ = MINRES(make([]float64, 1), id, []float64{1}, &MINRESSettings{ANorm: -1}) }},
		{"iterations", func() { _, _ = MINRES(make([]float64, 1), id, []float64{1}, &MINRESSettings{MaxIterations: -1}) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", test.name)
				}
			}()
			test.f()
		}()
	}
}

func ExampleMINRES() {
	// A singular indefinite system: A = diag(2, -1, 0), b = (2, 3, 0) lies in
	// the range of A, so MINRES returns the minimum-length solution.
	a := []float64{2, -1, 0}
	mulVec := func(av, v []float64) {
		for i := range v {
			av[i] = a[i] * v[i]
		}
	}
	x := make([]float64, 3)
	res, err := MINRES(x, mulVec, []float64{2, 3, 0}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x = %.6f, %v after %d iterations\n", x, res.Status, res.Iterations)

	// With b = (2, 3, 1) there is no solution: MINRES returns the
	// minimum-length least-squares solution, with residual ||b - A x|| = 1.
	res, err = MINRES(x, mulVec, []float64{2, 3, 1}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x = %.6f, %v, residual %.6f\n", x, res.Status, res.ResidualNorm)

	// Output:
	// x = [1.000000 -3.000000 0.000000], residual small after 2 iterations
	// x = [1.000000 -3.000000 0.000000], least-squares residual small, residual 1.000000
}

func BenchmarkMINRES(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rnd := rand.New(rand.NewPCG(5, uint64(n)))
			vals := make([]float64, n)
			for i := range vals {
				vals[i] = rnd.Float64()*20 - 10
			}
			a, _ := symWithEigenvalues(vals, rnd)
			rhs := randomVector(n, rnd)
			x := make([]float64, n)
			mv := symMulVec(a)
			b.ReportAllocs()
			b.ResetTimer()
			var res MINRESResult
			for b.Loop() {
				var err error
				if res, err = MINRES(x, mv, rhs, nil); err != nil {
					b.Fatal(err)
				}
			}
			// The time is mostly the dense products with A, one per
			// iteration.
			b.ReportMetric(float64(res.Iterations), "products/op")
		})
	}
}
