package hessian_test

import (
	"fmt"

	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/mat"
)

func ExampleExact() {
	// Himmelblau's function at its minimum (3, 2): the Hessian is
	// [[12x^2 + 4y - 42, 4x + 4y], [4x + 4y, 4x + 12y^2 - 26]].
	p := testfunc.Himmelblau().Problem
	var h mat.SymDense
	if err := hessian.Exact(&h, p, []float64{3, 2}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v\n", mat.Formatted(&h))

	// Without Hess, the same matrix is assembled from Hessian-vector products.
	p.Hess = nil
	var hv mat.SymDense
	if err := hessian.Exact(&hv, p, []float64{3, 2}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("equal:", mat.Equal(&h, &hv))
	// Output:
	// ⎡74  20⎤
	// ⎣20  34⎦
	// equal: true
}

func ExampleFiniteDiff() {
	// Rosenbrock's function at (1, 1), where the exact Hessian is
	// [[802, -400], [-400, 200]]: central differences of the gradient.
	p := testfunc.Rosenbrock().Problem
	var h mat.SymDense
	if err := hessian.FiniteDiff(&h, p, []float64{1, 1}, nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6g\n", mat.Formatted(&h))

	// Without a gradient: the function-value stencil fd.Central.
	p.Grad = nil
	if err := hessian.FiniteDiff(&h, p, []float64{1, 1}, nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6g\n", mat.Formatted(&h))
	// Output:
	// ⎡ 802  -400⎤
	// ⎣-400   200⎦
	// ⎡ 802  -400⎤
	// ⎣-400   200⎦
}

func ExampleFiniteDiffWithError() {
	// The error estimate bounds how far each eigenvalue may have moved
	// (Weyl's inequality). Richardson adds a pass with doubled steps.
	p := testfunc.Beale().Problem
	var h mat.SymDense
	e, err := hessian.FiniteDiffWithError(&h, p, []float64{3, 0.5}, &hessian.FDSettings{Richardson: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("gradient calls:", e.Evaluations)
	fmt.Println("estimate below 1e-6:", e.Estimate < 1e-6)
	fmt.Println("estimate is the largest part:", e.Estimate == max(e.Asymmetry, e.Richardson, e.Rounding))
	// Output:
	// gradient calls: 8
	// estimate below 1e-6: true
	// estimate is the largest part: true
}

func ExampleGradient() {
	// Central differences of Func when the problem has no Grad.
	p := hessian.Problem{Func: testfunc.Himmelblau().Problem.Func}
	g := make([]float64, 2)
	if err := hessian.Gradient(g, p, []float64{1, 1}, nil); err != nil {
		fmt.Println(err)
		return
	}
	// Exact: (4x(x^2 + y - 11) + 2(x + y^2 - 7), 2(x^2 + y - 11) + 4y(x + y^2 - 7)) = (-46, -38).
	fmt.Printf("%.6f %.6f\n", g[0], g[1])
	// Output:
	// -46.000000 -38.000000
}
