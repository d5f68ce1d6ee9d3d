package hessian

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Inertia counts the eigenvalues of a symmetric matrix below -tol (Neg),
// within [-tol, tol] (Zero) and above tol (Pos).
type Inertia struct {
	Neg, Zero, Pos int
}

// Eigenvalues returns the eigenvalues of the symmetric matrix a in ascending
// order. It returns an error when a has a non-finite entry or the iteration
// fails to converge.
func Eigenvalues(a mat.Symmetric) ([]float64, error) {
	if err := checkSymmetric(a); err != nil {
		return nil, err
	}
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		return nil, errors.New("hessian: symmetric eigensolver did not converge")
	}
	return es.Values(nil), nil
}

// Eigenvectors returns the eigenvalues of the symmetric matrix a in ascending
// order and stores the orthonormal eigenvectors as the columns of vecs, column
// j belonging to eigenvalue j. An empty vecs is allocated; a vecs of another
// size panics.
func Eigenvectors(vecs *mat.Dense, a mat.Symmetric) ([]float64, error) {
	if err := checkSymmetric(a); err != nil {
		return nil, err
	}
	var es mat.EigenSym
	if !es.Factorize(a, true) {
		return nil, errors.New("hessian: symmetric eigensolver did not converge")
	}
	es.VectorsTo(vecs)
	return es.Values(nil), nil
}

// InertiaOf returns the inertia of the symmetric matrix a for the tolerance
// tol >= 0: the counts of eigenvalues below -tol, within [-tol, tol] and above
// tol. It panics if tol is negative.
func InertiaOf(a mat.Symmetric, tol float64) (Inertia, error) {
	if tol < 0 || math.IsNaN(tol) {
		panic(fmt.Sprintf("hessian: negative or NaN tolerance %v", tol))
	}
	vals, err := Eigenvalues(a)
	if err != nil {
		return Inertia{}, err
	}
	return CountInertia(vals, tol), nil
}

// CountInertia returns the inertia of the eigenvalues vals for the tolerance tol.
func CountInertia(vals []float64, tol float64) Inertia {
	var in Inertia
	for _, v := range vals {
		switch {
		case v < -tol:
			in.Neg++
		case v > tol:
			in.Pos++
		default:
			in.Zero++
		}
	}
	return in
}

// checkSymmetric returns an error when a is empty or has a non-finite entry.
func checkSymmetric(a mat.Symmetric) error {
	n := a.SymmetricDim()
	if n == 0 {
		return errors.New("hessian: empty matrix")
	}
	for i := range n {
		for j := i; j < n; j++ {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("hessian: non-finite matrix entry (%d,%d) = %v", i, j, v)
			}
		}
	}
	return nil
}
