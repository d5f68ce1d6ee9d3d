package hessian

import (
	"errors"
	"runtime"

	"gonum.org/v1/gonum/mat"
)

// Exact stores the exact Hessian of p at x in dst. It uses p.Hess when set;
// otherwise it assembles the matrix column by column from p.HessVec applied to
// the unit vectors, in parallel, and symmetrises it as (H + H^T)/2. Each column
// is computed on its own, so the result does not depend on the number of
// workers.
//
// An empty dst is allocated; a dst of the wrong size panics. Exact returns an
// error when x is empty or non-finite, when p has neither Hess nor HessVec, and
// when the Hessian has a non-finite entry.
func Exact(dst *mat.SymDense, p Problem, x []float64) error {
	if err := checkPoint(x); err != nil {
		return err
	}
	n := len(x)
	prepareDst(dst, n)
	switch {
	case p.Hess != nil:
		p.Hess(dst, x)
	case p.HessVec != nil:
		assembleHessVec(dst, p.HessVec, x)
	default:
		return errors.New("hessian: problem has neither Hess nor HessVec")
	}
	return checkFiniteSym(dst, "Hessian")
}

// assembleHessVec fills dst (n×n, or empty) with (H + H^T)/2 where column j of
// H is hessVec(x, e_j).
func assembleHessVec(dst *mat.SymDense, hessVec func(hv, x, v []float64), x []float64) {
	n := len(x)
	prepareDst(dst, n)
	cols := make([]float64, n*n) // column j at cols[j*n:(j+1)*n]
	forEachIndex(n, runtime.GOMAXPROCS(0), func() func(j int) {
		v := make([]float64, n)
		return func(j int) {
			v[j] = 1
			hessVec(cols[j*n:(j+1)*n], x, v)
			v[j] = 0
		}
	})
	for i := range n {
		for j := i; j < n; j++ {
			dst.SetSym(i, j, 0.5*(cols[j*n+i]+cols[i*n+j]))
		}
	}
}
