package hessian

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Problem describes a twice-differentiable function of a point x in R^n. It
// mirrors gonum's optimize.Problem: a nil field is simply unavailable.
//
// Exact, FiniteDiff and Gradient may call Func, Grad and HessVec from
// several goroutines at once, so the functions must be safe for concurrent
// use; none of them may modify x or v.
type Problem struct {
	// Func evaluates the objective at x.
	Func func(x []float64) float64

	// Grad stores the gradient at x in grad, which has the length of x.
	Grad func(grad, x []float64)

	// Hess stores the Hessian at x in hess, which is n×n.
	Hess func(hess *mat.SymDense, x []float64)

	// HessVec stores the exact Hessian-vector product H(x) v in hv.
	HessVec func(hv, x, v []float64)
}

// ErrZeroDim is returned for a problem at a point of dimension zero.
var ErrZeroDim = errors.New("hessian: zero-dimensional point")

// Optimize returns the gonum optimize.Problem that evaluates p, so that gonum's
// minimisers run on p. When p has HessVec but no Hess, the Hessian is assembled
// from Hessian-vector products.
func (p Problem) Optimize() optimize.Problem {
	q := optimize.Problem{Func: p.Func, Grad: p.Grad, Hess: p.Hess}
	if q.Hess == nil && p.HessVec != nil {
		q.Hess = func(hess *mat.SymDense, x []float64) {
			assembleHessVec(hess, p.HessVec, x)
		}
	}
	return q
}

// checkPoint returns an error when x is empty or has a non-finite coordinate.
func checkPoint(x []float64) error {
	if len(x) == 0 {
		return ErrZeroDim
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("hessian: non-finite coordinate x[%d] = %v", i, v)
		}
	}
	return nil
}

// checkFiniteSym returns an error naming the first non-finite entry of h.
func checkFiniteSym(h *mat.SymDense, what string) error {
	n := h.SymmetricDim()
	for i := range n {
		for j := i; j < n; j++ {
			if v := h.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("hessian: non-finite %s entry (%d,%d) = %v", what, i, j, v)
			}
		}
	}
	return nil
}

// prepareDst makes dst an n×n matrix: an empty dst is allocated, a dst of
// another size panics.
func prepareDst(dst *mat.SymDense, n int) {
	if dst.IsEmpty() {
		dst.ReuseAsSym(n)
		return
	}
	if dst.SymmetricDim() != n {
		panic(fmt.Sprintf("hessian: destination is %d×%d, point has length %d", dst.SymmetricDim(), dst.SymmetricDim(), n))
	}
}
