package hessian_test

import (
	"fmt"
	"log"

	"github.com/critpoint/critpoint/hessian"
)

// mfDiag returns diag(d) as an Operator.
func mfDiag(d []float64) hessian.Operator {
	return hessian.Operator{Dim: len(d), Apply: func(dst, v []float64) {
		for i := range v {
			dst[i] = d[i] * v[i]
		}
	}}
}

func ExampleLanczos() {
	// The extremes of diag(-3, -1, 0.5, 2, 5, 8, 0, 1): the two most
	// negative eigenvalues, the two largest and the largest in magnitude.
	op := mfDiag([]float64{-3, -1, 0.5, 2, 5, 8, 0, 1})
	for _, which := range []hessian.Which{hessian.Smallest, hessian.Largest, hessian.LargestMagnitude} {
		res, err := hessian.Lanczos(op, 2, which, nil)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-17s %5.2f  converged %v\n", which, res.Values, res.AllConverged())
	}
	// Output:
	// smallest          [-3.00 -1.00]  converged true
	// largest           [ 8.00  5.00]  converged true
	// largest magnitude [ 8.00  5.00]  converged true
}

func ExampleOperatorAt() {
	// f(x, y) = 5x^2 - y^2 has a saddle at the origin with Hessian
	// diag(10, -2): its most negative curvature is -2, along the y axis.
	p := hessian.Problem{
		HessVec: func(hv, x, v []float64) {
			hv[0] = 10 * v[0]
			hv[1] = -2 * v[1]
		},
	}
	res, err := hessian.Lanczos(hessian.OperatorAt(p, []float64{0, 0}), 1, hessian.Smallest, &hessian.LanczosSettings{Vectors: true})
	if err != nil {
		log.Fatal(err)
	}
	y := res.Vectors.At(1, 0)
	fmt.Printf("λ_min = %.4f, |y component of its eigenvector| = %.4f\n", res.Values[0], max(y, -y))
	// Output:
	// λ_min = -2.0000, |y component of its eigenvector| = 1.0000
}

func ExampleHutchinson() {
	// For a diagonal matrix every Rademacher probe gives the trace exactly:
	// z^T D z = Σ z_i^2 d_i = Σ d_i.
	op := mfDiag([]float64{4, -1, 2.5, 0.5})
	est, err := hessian.Hutchinson(op, &hessian.TraceSettings{Probes: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("trace %.2f ± %.2f from %d products\n", est.Value, est.StdErr, est.Probes)
	// Output:
	// trace 6.00 ± 0.00 from 10 products
}

func ExampleSLQ() {
	// The index of diag(-2, -0.5, 0, 1, 3, 3): two eigenvalues below
	// -Tol. With Rademacher probes every probe of a diagonal matrix sees
	// the eigenvalue distribution exactly, so the estimate has no error.
	op := mfDiag([]float64{-2, -0.5, 0, 1, 3, 3})
	res, err := hessian.SLQ(op, &hessian.SLQSettings{Probes: 4, Tol: 1e-6})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("index %.2f ± %.2f of %d, fraction below 2: %.4f\n", res.Index.Value, res.Index.StdErr, res.Dim, res.CDF(2))
	// Output:
	// index 2.00 ± 0.00 of 6, fraction below 2: 0.6667
}
