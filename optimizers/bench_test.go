package optimizers

import (
	"fmt"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// benchMethods are the methods benchmarked per step. The dense Newton-type
// methods build and factorise an n×n Hessian every step.
var benchMethods = []struct {
	name  string
	m     func() Method
	dense bool
}{
	{"SGD", func() Method { return &SGD{LearningRate: 1e-4} }, false},
	{"Momentum", func() Method { return &Momentum{LearningRate: 1e-4} }, false},
	{"Nesterov", func() Method { return &Nesterov{LearningRate: 1e-4} }, false},
	{"Adagrad", func() Method { return &Adagrad{} }, false},
	{"RMSprop", func() Method { return &RMSprop{} }, false},
	{"Adam", func() Method { return &Adam{} }, false},
	{"Newton", func() Method { return &Newton{} }, true},
	{"DampedNewton", func() Method { return &DampedNewton{} }, true},
	{"SaddleFreeNewton", func() Method { return &SaddleFreeNewton{} }, true},
	{"SaddleFreeNewton/Krylov10", func() Method { return &SaddleFreeNewton{Krylov: 10} }, false},
}

// benchStart is the chained-Rosenbrock starting point with coordinates
// alternating between -1.2 and 1.
func benchStart(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
		if i%2 == 0 {
			x[i] = -1.2
		}
	}
	return x
}

// BenchmarkStep measures one step of each method on the chained Rosenbrock
// function, whose gradient and Hessian-vector product cost O(n), so that the
// first-order numbers show the method's own overhead. The steps start
// alternately from two fixed points, so that no evaluation is answered from
// the Objective's memory; the method's state keeps evolving.
func BenchmarkStep(b *testing.B) {
	for _, bm := range benchMethods {
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s/n=%d", bm.name, n), func(b *testing.B) {
				p := chainedRosenbrock(n)
				m := bm.m()
				m.Init(n)
				obj := NewObjective(p, n)
				xs := [2][]float64{benchStart(n), benchStart(n)}
				xs[1][0] = -1.1
				next := make([]float64, n)
				b.ReportAllocs()
				for k := 0; b.Loop(); k++ {
					if _, err := m.Step(next, obj, xs[k%2], k); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestFirstOrderStepsDoNotAllocate checks that the steps of the first-order
// methods, and of the Objective they call, allocate nothing.
func TestFirstOrderStepsDoNotAllocate(t *testing.T) {
	n := 50
	p := chainedRosenbrock(n)
	for _, bm := range benchMethods {
		if bm.dense || bm.name == "SaddleFreeNewton/Krylov10" {
			continue
		}
		if allocs := stepAllocs(t, bm.m(), p, n); allocs != 0 {
			t.Errorf("%s: %v allocations per step", bm.name, allocs)
		}
	}
}

// TestNewtonStepsAllocations checks that after Init the steps of Newton and
// DampedNewton allocate nothing when the problem provides Hess (for n up to
// 100, where gonum's LU and Cholesky factorisations stay serial), and that
// those of SaddleFreeNewton allocate no more than hessian.Eigenvectors does
// on the matrix they decompose: the n×n Hessian in the dense form (n = 10
// takes gonum's EigenSym, n = 50 the divide-and-conquer path), the k×k
// tridiagonal projection T in the Krylov form. The saddle-free steps start
// from the same point every time, so that the reference decomposes the
// same matrix.
func TestNewtonStepsAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	dampings := []float64{0, 1e-3, 1e-1, 1}
	for _, tc := range []struct {
		name string
		n    int
		m    func() Method
	}{
		{"Newton", 10, func() Method { return &Newton{} }},
		{"Newton", 100, func() Method { return &Newton{} }},
		{"DampedNewton", 10, func() Method { return &DampedNewton{} }},
		{"DampedNewton", 100, func() Method { return &DampedNewton{} }},
	} {
		if allocs := stepAllocs(t, tc.m(), chainedRosenbrock(tc.n), tc.n); allocs != 0 {
			t.Errorf("%s, n = %d: %v allocations per step, want 0", tc.name, tc.n, allocs)
		}
	}

	for _, tc := range []struct {
		name string
		n    int
		m    *SaddleFreeNewton
	}{
		{"SaddleFreeNewton", 10, &SaddleFreeNewton{Dampings: dampings}},
		{"SaddleFreeNewton", 50, &SaddleFreeNewton{Dampings: dampings}},
		{"SaddleFreeNewton/Krylov10", 50, &SaddleFreeNewton{Dampings: dampings, Krylov: 10}},
	} {
		n := tc.n
		p := chainedRosenbrock(n)
		tc.m.Init(n)
		obj := NewObjective(p, n)
		x, next := benchStart(n), make([]float64, n)
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := tc.m.Step(next, obj, x, 0); err != nil {
				t.Fatal(err)
			}
		})

		// The matrix the step decomposes, and what decomposing it costs.
		var a mat.SymDense
		if tc.m.Krylov == 0 {
			if err := hessian.Exact(&a, p, x); err != nil {
				t.Fatal(err)
			}
		} else {
			a = *mat.NewSymDense(tc.m.m, nil)
			a.CopySym(&tc.m.t)
		}
		var vecs mat.Dense
		if _, err := hessian.Eigenvectors(&vecs, &a); err != nil {
			t.Fatal(err)
		}
		eig := testing.AllocsPerRun(20, func() {
			if _, err := hessian.Eigenvectors(&vecs, &a); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%s, n = %d: %v allocations per step, %v in hessian.Eigenvectors", tc.name, n, allocs, eig)
		if allocs > eig {
			t.Errorf("%s, n = %d: %v allocations per step, want at most the %v of hessian.Eigenvectors", tc.name, n, allocs, eig)
		}
	}
}

// stepAllocs returns the allocations per step of m on p in n dimensions,
// after Init, over 20 successive steps from benchStart.
func stepAllocs(t *testing.T, m Method, p hessian.Problem, n int) float64 {
	t.Helper()
	m.Init(n)
	obj := NewObjective(p, n)
	x, next := benchStart(n), make([]float64, n)
	k := 0
	return testing.AllocsPerRun(20, func() {
		if _, err := m.Step(next, obj, x, k); err != nil {
			t.Fatal(err)
		}
		x, next = next, x
		k++
	})
}
