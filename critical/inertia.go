package critical

import (
	"errors"
	"fmt"
	"math"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// ClassifyInertia is Classify without the eigenvalues: it gives the same
// Kind, Index, Nullity, IndexFraction and Tol from the inertia of h, found by
// hessian.InertiaOf from LDLᵀ factorisations of h + tol I and h - tol I, which
// for large matrices costs a fraction of the eigenvalues. The Classification
// has no Eigenvalues, and its MinEigenvalue and MaxEigenvalue are NaN.
//
// A tol <= 0 means DefaultRelTol times the spectral norm of h, as for
// Classify; the norm is estimated by Lanczos (hessian.SpectralNorm) to the
// relative accuracy
//
//	δ = n ε / DefaultRelTol,   ε = 2⁻⁵²,
//
// so that the default tolerance is within n ε ||h||₂ of Classify's. That is
// the size of the backward error of the factorisations themselves: an
// eigenvalue within about n ε ||h||₂ of ±tol may be counted on either side of
// it, by either function, and otherwise ClassifyInertia and Classify agree.
//
// ClassifyInertia panics if tol is NaN or infinite. It returns an error when
// h is empty or has a non-finite entry, or when a solver fails.
func ClassifyInertia(h mat.Symmetric, tol float64) (Classification, error) {
	checkTol(tol)
	n := h.SymmetricDim()
	if n == 0 {
		return Classification{}, errors.New("critical: empty matrix")
	}
	if tol <= 0 {
		norm, err := hessian.SpectralNorm(h, min(0.1, float64(n)*0x1p-52/DefaultRelTol))
		if err != nil {
			return Classification{}, fmt.Errorf("critical: %w", err)
		}
		tol = DefaultRelTol * norm
	}
	in, err := hessian.InertiaOf(h, tol)
	if err != nil {
		return Classification{}, fmt.Errorf("critical: %w", err)
	}
	return Classification{
		Kind:          kindOf(in),
		Index:         in.Neg,
		Nullity:       in.Zero,
		IndexFraction: float64(in.Neg) / float64(n),
		MinEigenvalue: math.NaN(),
		MaxEigenvalue: math.NaN(),
		Tol:           tol,
	}, nil
}
