package hessian

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"
)

// symLower returns the lower triangle of the symmetric matrix a as a new
// column-major n×n slice (element (i, j), i >= j, at i+j*n; the strict upper
// triangle is zero) and the largest magnitude of its entries. It returns an
// error when a is empty or has a non-finite entry.
func symLower(a mat.Symmetric) (lo []float64, n int, amax float64, err error) {
	n = a.SymmetricDim()
	if n == 0 {
		return nil, 0, 0, errEmpty
	}
	lo = make([]float64, n*n)
	if r, ok := a.(mat.RawSymmetricer); ok {
		if raw := r.RawSymmetric(); raw.Uplo == blas.Upper {
			// Row i of the row-major upper triangle is column i of the
			// column-major lower triangle.
			for i := range n {
				copy(lo[i+i*n:(i+1)*n], raw.Data[i*raw.Stride+i:i*raw.Stride+n])
			}
			amax, err = lowerMaxAbs(lo, n)
			return lo, n, amax, err
		}
	}
	for j := range n {
		for i := j; i < n; i++ {
			lo[i+j*n] = a.At(i, j)
		}
	}
	amax, err = lowerMaxAbs(lo, n)
	return lo, n, amax, err
}

// lowerMaxAbs returns the largest magnitude in the lower triangle of the
// column-major n×n lo, or an error naming the first non-finite entry.
func lowerMaxAbs(lo []float64, n int) (float64, error) {
	var amax float64
	for j := range n {
		for i, v := range lo[j+j*n : (j+1)*n] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("hessian: non-finite matrix entry (%d,%d) = %v", j, j+i, v)
			}
			amax = max(amax, math.Abs(v))
		}
	}
	return amax, nil
}

// symEigenvalues returns the eigenvalues, ascending, of the symmetric matrix
// whose lower triangle is in the column-major lo (order n), which it
// overwrites: Householder tridiagonalisation followed by the root-free QR
// iteration of Dsterf. ok is false if the iteration did not converge.
func symEigenvalues(lo []float64, n, workers int) (vals []float64, ok bool) {
	d := make([]float64, n)
	e := make([]float64, max(n-1, 1))
	tau := make([]float64, max(n-1, 1))
	tridiagReduce(lo, n, d, e, tau, workers)
	ok = gonum.Implementation{}.Dsterf(n, d, e)
	return d, ok
}

// symEigenvectors returns the eigenvalues, ascending, and the eigenvectors, as
// the columns of a column-major n×n matrix, of the symmetric matrix whose
// lower triangle is in the column-major lo (order n), which it overwrites:
// Householder tridiagonalisation, divide and conquer on the tridiagonal
// matrix, and the blocked back-transformation. ok is false if an iteration
// did not converge.
func symEigenvectors(lo []float64, n, workers int) (vals, vecs []float64, ok bool) {
	d := make([]float64, n)
	e := make([]float64, max(n-1, 1))
	tau := make([]float64, max(n-1, 1))
	tridiagReduce(lo, n, d, e, tau, workers)
	vecs = make([]float64, n*n)
	ok = tridiagEigen(d, e, vecs, n, workers)
	tridiagApplyQ(lo, n, tau, vecs, n, n, workers)
	return d, vecs, ok
}
