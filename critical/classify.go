package critical

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// Kind is the type of a critical point given by the second-order test on the
// signs of the Hessian's eigenvalues.
//
// The zero value is Degenerate, the answer that claims nothing: a Kind left
// unset, or a classification that could not be completed, never passes for a
// minimum or a saddle.
type Kind int

const (
	// Degenerate: the second-order test is inconclusive. An eigenvalue is
	// within the tolerance of zero and the others do not include both signs,
	// so higher derivatives decide (the monkey saddle x^3 - 3xy^2 at the
	// origin is a saddle with a zero Hessian).
	Degenerate Kind = iota
	// Minimum: every eigenvalue is above tol (a strict local minimum).
	Minimum
	// Maximum: every eigenvalue is below -tol (a strict local maximum).
	Maximum
	// Saddle: at least one eigenvalue above tol and one below -tol. This is
	// certain whatever the eigenvalues within tol of zero are.
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

// Classification is the second-order classification of a symmetric n×n
// matrix H with eigenvalues λ_1 <= ... <= λ_n for a tolerance Tol.
type Classification struct {
	// Kind is the result of the second-order test.
	Kind Kind
	// Index is the number of eigenvalues below -Tol.
	Index int
	// Nullity is the number of eigenvalues with |λ| <= Tol. When it is
	// positive the true index of the point lies in [Index, Index+Nullity].
	Nullity int
	// Eigenvalues are the eigenvalues in ascending order.
	Eigenvalues []float64
	// IndexFraction is Index/n, the α of Bray & Dean (2007) and Dauphin et
	// al. (2014).
	IndexFraction float64
	// MinEigenvalue and MaxEigenvalue are λ_1 and λ_n.
	MinEigenvalue, MaxEigenvalue float64
	// Tol is the tolerance that was used.
	Tol float64
}

// DefaultRelTol is the relative tolerance used by Classify and
// ClassifyEigenvalues when tol <= 0:
//
//	tol = DefaultRelTol * ||H||_2 = DefaultRelTol * max(|λ_1|, |λ_n|),
//
// with DefaultRelTol = sqrt(eps) ≈ 1.49e-8. By Weyl's inequality an error E
// in H moves each eigenvalue by at most ||E||_2, so the tolerance is relative
// to the spectral norm. A backward-stable eigensolver contributes
// ||E||_2 = O(n eps ||H||_2), below the default for any practical n; the
// default is larger because Hessians of losses are rarely accurate to more
// than half the digits (sums over data, finite differences). Being relative,
// the test does not change when H is scaled by any c > 0. The Frobenius
// norm, an earlier choice, grows as sqrt(n) for a spread spectrum and would
// make the test depend on the dimension.
var DefaultRelTol = math.Sqrt(0x1p-52)

// Classify classifies the symmetric matrix h by the signs of its eigenvalues:
// those below -tol count as negative, those within [-tol, tol] as zero and
// those above tol as positive. A tol <= 0 means DefaultRelTol times the
// spectral norm of h.
//
// Classify panics if tol is NaN or infinite. It returns an error when h is
// empty or has a non-finite entry (naming it), or when the eigensolver fails.
func Classify(h mat.Symmetric, tol float64) (Classification, error) {
	checkTol(tol)
	n := h.SymmetricDim()
	if n == 0 {
		return Classification{}, errors.New("critical: empty matrix")
	}
	var amax float64
	for i := range n {
		for j := i; j < n; j++ {
			v := h.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Classification{}, fmt.Errorf("critical: non-finite matrix entry (%d,%d) = %v", i, j, v)
			}
			amax = max(amax, math.Abs(v))
		}
	}
	vals, err := scaledEigenvalues(h, amax)
	if err != nil {
		return Classification{}, fmt.Errorf("critical: %w", err)
	}
	return ClassifyEigenvalues(vals, tol)
}

// scaledEigenvalues returns the ascending eigenvalues of h, whose largest
// entry in magnitude is amax. When amax is far from 1 the eigenvalues are
// computed for h scaled by a power of two, which is exact, so that the
// eigensolver's own scaling is not needed: gonum v0.17.0's EigenSym panics
// in Dsterf for matrices whose norm is below about 1e-146.
func scaledEigenvalues(h mat.Symmetric, amax float64) ([]float64, error) {
	const lo, hi = 0x1p-100, 0x1p100
	if amax == 0 || (amax >= lo && amax <= hi) {
		return hessian.Eigenvalues(h)
	}
	_, e := math.Frexp(amax)
	n := h.SymmetricDim()
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, math.Ldexp(h.At(i, j), -e))
		}
	}
	vals, err := hessian.Eigenvalues(s)
	for i, v := range vals {
		vals[i] = math.Ldexp(v, e)
	}
	return vals, err
}

// ClassifyEigenvalues is Classify for a matrix whose eigenvalues vals, in
// ascending order, are already known. The returned Classification holds vals
// itself, not a copy. A tol <= 0 means DefaultRelTol*max(|vals[0]|,
// |vals[n-1]|).
//
// It panics if tol is NaN or infinite or vals is not sorted, and returns an
// error when vals is empty or has a non-finite element.
func ClassifyEigenvalues(vals []float64, tol float64) (Classification, error) {
	checkTol(tol)
	n := len(vals)
	if n == 0 {
		return Classification{}, errors.New("critical: no eigenvalues")
	}
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Classification{}, fmt.Errorf("critical: non-finite eigenvalue %d = %v", i, v)
		}
	}
	if !slices.IsSorted(vals) {
		panic("critical: eigenvalues not in ascending order")
	}
	if tol <= 0 {
		tol = defaultTol(vals)
	}
	in := hessian.CountInertia(vals, tol)
	return Classification{
		Kind:          kindOf(in),
		Index:         in.Neg,
		Nullity:       in.Zero,
		Eigenvalues:   vals,
		IndexFraction: float64(in.Neg) / float64(n),
		MinEigenvalue: vals[0],
		MaxEigenvalue: vals[n-1],
		Tol:           tol,
	}, nil
}

// defaultTol returns DefaultRelTol times the spectral norm of a symmetric
// matrix with the ascending eigenvalues vals.
func defaultTol(vals []float64) float64 {
	return DefaultRelTol * max(math.Abs(vals[0]), math.Abs(vals[len(vals)-1]))
}

func checkTol(tol float64) {
	if math.IsNaN(tol) || math.IsInf(tol, 0) {
		panic(fmt.Sprintf("critical: tolerance %v is not finite", tol))
	}
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
