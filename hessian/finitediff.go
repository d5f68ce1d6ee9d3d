package hessian

import (
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// FDSettings controls FiniteDiff. The zero value, or a nil pointer, means the
// defaults documented on each field.
type FDSettings struct {
	// Step is the relative step: coordinate i is perturbed by
	// Step*max(|x_i|, 1). Zero means the cube root of machine epsilon for
	// gradient differences, and the formula's own default for function values.
	Step float64

	// Formula is the function-value stencil used when the problem has no
	// gradient. The zero value means fd.Central.
	Formula fd.Formula
}

// FiniteDiff stores a finite-difference approximation of the Hessian of p at
// x in dst, symmetrised. With p.Grad it takes central differences of the
// gradient (2n gradient calls); otherwise it uses function-value stencils of
// gonum's diff/fd.
func FiniteDiff(dst *mat.SymDense, p Problem, x []float64, s *FDSettings) error {
	_, err := FiniteDiffError(dst, p, x, s)
	return err
}

// FiniteDiffError is FiniteDiff that also returns an estimate of the spectral
// norm of the approximation's error.
func FiniteDiffError(dst *mat.SymDense, p Problem, x []float64, s *FDSettings) (float64, error) {
	panic("hessian: FiniteDiffError not yet implemented")
}
