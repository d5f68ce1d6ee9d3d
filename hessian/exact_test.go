package hessian_test

import (
	"errors"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/mat"
)

func TestExactKnown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		f    testfunc.Function
		x    []float64
		want []float64 // row-major 2×2
	}{
		// H = diag(10, -2) everywhere.
		{"saddle quadratic", testfunc.SaddleQuadratic(), []float64{0.4, -1.1}, []float64{10, 0, 0, -2}},
		// Rosenbrock at (1, 1): [[2 + 800, -400], [-400, 200]].
		{"rosenbrock min", testfunc.Rosenbrock(), []float64{1, 1}, []float64{802, -400, -400, 200}},
		// Monkey saddle [[6x, -6y], [-6y, -6x]] at (0.5, -0.25).
		{"monkey", testfunc.MonkeySaddle(), []float64{0.5, -0.25}, []float64{3, 1.5, 1.5, -3}},
	} {
		for _, which := range []string{"hess", "hessvec"} {
			p := tc.f.Problem
			if which == "hessvec" {
				p.Hess = nil
			}
			var h mat.SymDense
			if err := hessian.Exact(&h, p, tc.x); err != nil {
				t.Fatalf("%s %s: %v", tc.name, which, err)
			}
			if !mat.Equal(&h, mat.NewDense(2, 2, tc.want)) {
				t.Errorf("%s %s: H = %v, want %v", tc.name, which, mat.Formatted(&h), tc.want)
			}
		}
	}
}

// TestExactHessVecMatchesHess checks that the Hessian assembled from
// Hessian-vector products equals the one from Hess.
func TestExactHessVecMatchesHess(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 7, 40} {
		ch := newChain(n, uint64(n))
		x := asymmetricPoint(n, 3)
		var want, got mat.SymDense
		if err := hessian.Exact(&want, ch.problem("h"), x); err != nil {
			t.Fatal(err)
		}
		if err := hessian.Exact(&got, ch.problem("v"), x); err != nil {
			t.Fatal(err)
		}
		// Column j of the assembly is H e_j computed by a different
		// summation order than Hess, hence rounding-level differences.
		if d, s := maxAbsDiff(&got, &want); d > 1e-14*s {
			t.Errorf("n=%d: HessVec assembly differs from Hess by %g (scale %g)", n, d, s)
		}
	}
	for _, f := range testfunc.All() {
		x := []float64{0.83, -1.37}
		var want, got mat.SymDense
		p := f.Problem
		if err := hessian.Exact(&want, p, x); err != nil {
			t.Fatal(err)
		}
		p.Hess = nil
		if err := hessian.Exact(&got, p, x); err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(&got, &want) {
			t.Errorf("%s: HessVec assembly %v, Hess %v", f.Name, mat.Formatted(&got), mat.Formatted(&want))
		}
	}
}

// TestExactWorkerIndependent checks that the assembled Hessian is bitwise the
// same with one and with two threads. It changes GOMAXPROCS, so it does not
// run in parallel with other tests.
func TestExactWorkerIndependent(t *testing.T) {
	ch := newChain(33, 5)
	x := asymmetricPoint(33, 6)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var one, two mat.SymDense
	if err := hessian.Exact(&one, ch.problem("v"), x); err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	if err := hessian.Exact(&two, ch.problem("v"), x); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(&one, &two) {
		t.Error("Exact differs between GOMAXPROCS 1 and 2")
	}
}

func TestExactErrors(t *testing.T) {
	t.Parallel()
	nanHess := hessian.Problem{Hess: func(h *mat.SymDense, x []float64) {
		h.SetSym(0, 1, math.NaN())
	}}
	infHessVec := hessian.Problem{HessVec: func(hv, x, v []float64) {
		copy(hv, v)
		hv[1] = math.Inf(1)
	}}
	good := testfunc.Himmelblau().Problem
	for _, tc := range []struct {
		name string
		p    hessian.Problem
		x    []float64
		want string
	}{
		{"NaN in x", good, []float64{1, math.NaN()}, "x[1]"},
		{"Inf in x", good, []float64{math.Inf(-1), 1}, "x[0]"},
		{"NaN Hessian", nanHess, []float64{1, 2}, "non-finite Hessian entry (0,1)"},
		{"Inf HessVec", infHessVec, []float64{1, 2}, "non-finite Hessian entry"},
		{"no Hessian", hessian.Problem{Func: good.Func}, []float64{1, 2}, "neither Hess nor HessVec"},
	} {
		var h mat.SymDense
		err := hessian.Exact(&h, tc.p, tc.x)
		if err == nil || !strings.HasPrefix(err.Error(), "hessian: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one starting with \"hessian: \" naming %q", tc.name, err, tc.want)
		}
	}
	var h mat.SymDense
	if err := hessian.Exact(&h, good, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("zero-dimensional point: error %v, want ErrZeroDim", err)
	}
	wantPanic(t, "dst size", "hessian: ", func() {
		hessian.Exact(mat.NewSymDense(3, nil), good, []float64{1, 2})
	})
}

func BenchmarkExactHessVec(b *testing.B) {
	for _, n := range []int{100, 500} {
		ch := newChain(n, 1)
		x := asymmetricPoint(n, 2)
		p := ch.problem("v")
		h := mat.NewSymDense(n, nil)
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := hessian.Exact(h, p, x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
