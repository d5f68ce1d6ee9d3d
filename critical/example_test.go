package critical_test

import (
	"fmt"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/mat"
)

func ExampleClassify() {
	// The Hessian of 5x^2 - y^2, diag(10, -2): a saddle of index 1.
	h := mat.NewSymDense(2, []float64{10, 0, 0, -2})
	c, err := critical.Classify(h, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Kind, c.Index, c.Nullity, c.Eigenvalues)

	// The monkey saddle x^3 - 3xy^2 has a zero Hessian at the origin: the
	// second-order test cannot tell, and says so.
	c, err = critical.Classify(mat.NewSymDense(2, nil), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Kind, c.Index, c.Nullity)
	// Output:
	// saddle 1 0 [-2 10]
	// degenerate 0 2
}

func ExampleAnalyze() {
	// Himmelblau's function has four minima with f = 0, such as (3, 2).
	f := testfunc.Himmelblau()
	a, err := critical.Analyze(f.Problem, []float64{3, 2}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a)

	// Without Hess and HessVec the Hessian comes from differences of the
	// gradient, and its error estimate enters the tolerance.
	p := hessian.Problem{Func: f.Problem.Func, Grad: f.Problem.Grad}
	a, err = critical.Analyze(p, []float64{3, 2}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a)

	// A point that is not critical is reported as such.
	a, err = critical.Analyze(f.Problem, []float64{3, 2.001}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a)
	// Output:
	// minimum (index 0/2, nullity 0), ||g|| = 0 (critical, ||g||^2 < 1e-10), signs certain
	// minimum (index 0/2, nullity 0), ||g|| = 0 (critical, ||g||^2 < 1e-10), signs certain, finite-difference Hessian
	// minimum (index 0/2, nullity 0), ||g|| = 0.039 (not critical, ||g||^2 = 0.0016 >= 1e-10), signs certain
}
