package critical

import (
	"errors"
	"fmt"
	"math"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// Kind is the type of a critical point given by the second-order test.
type Kind int

const (
	// Degenerate: the second-order test is inconclusive, because an
	// eigenvalue is within the tolerance of zero and the others share a sign.
	Degenerate Kind = iota
	// Minimum: every eigenvalue is above tol.
	Minimum
	// Maximum: every eigenvalue is below -tol.
	Maximum
	// Saddle: at least one eigenvalue above tol and one below -tol.
	Saddle
)

// String returns the lower-case name of k.
func (k Kind) String() string {
	switch k {
	case Degenerate:
		return "degenerate"
	case Minimum:
		return "minimum"
	case Maximum:
		return "maximum"
	case Saddle:
		return "saddle"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Classification is the second-order classification of a symmetric matrix.
type Classification struct {
	Kind        Kind
	Index       int       // eigenvalues < -Tol
	Nullity     int       // |eigenvalue| <= Tol
	Eigenvalues []float64 // ascending
	// IndexFraction is Index/n.
	IndexFraction float64
	// MinEigenvalue and MaxEigenvalue are the extreme eigenvalues.
	MinEigenvalue, MaxEigenvalue float64
	// Tol is the tolerance that was used.
	Tol float64
}

// DefaultRelTol is the relative tolerance used by Classify when tol <= 0:
// tol = DefaultRelTol * ||H||_F, the square root of machine epsilon.
var DefaultRelTol = math.Sqrt(0x1p-52)

// Classify classifies the symmetric matrix h: eigenvalues below -tol count as
// negative, those within [-tol, tol] as zero. A tol <= 0 means
// DefaultRelTol times the Frobenius norm of h.
func Classify(h mat.Symmetric, tol float64) (Classification, error) {
	n := h.SymmetricDim()
	if n == 0 {
		return Classification{}, errors.New("critical: empty matrix")
	}
	if tol <= 0 {
		tol = DefaultRelTol * mat.Norm(h, 2)
	}
	vals, err := hessian.Eigenvalues(h)
	if err != nil {
		return Classification{}, err
	}
	in := hessian.CountInertia(vals, tol)
	c := Classification{
		Index:         in.Neg,
		Nullity:       in.Zero,
		Eigenvalues:   vals,
		IndexFraction: float64(in.Neg) / float64(n),
		MinEigenvalue: vals[0],
		MaxEigenvalue: vals[n-1],
		Tol:           tol,
	}
	c.Kind = kindOf(in)
	return c, nil
}

func kindOf(in hessian.Inertia) Kind {
	switch {
	case in.Neg > 0 && in.Pos > 0:
		return Saddle
	case in.Zero > 0:
		return Degenerate
	case in.Neg > 0:
		return Maximum
	default:
		return Minimum
	}
}
