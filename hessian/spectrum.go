package hessian

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Orders from which the spectrum functions leave gonum's mat.EigenSym for the
// solvers of this package, where BenchmarkCrossoverEigenvalues,
// BenchmarkCrossoverEigenvectors and BenchmarkCrossoverInertia find them
// faster on two cores.
const (
	eigenvaluesCrossover  = 48
	eigenvectorsCrossover = 16
	inertiaCrossover      = 8
)

// Inertia counts the eigenvalues of a symmetric matrix below -tol (Neg),
// within [-tol, tol] (Zero) and above tol (Pos).
type Inertia struct {
	Neg, Zero, Pos int
}

// Eigenvalues returns the eigenvalues of the symmetric matrix a in ascending
// order. It returns an error when a is empty, has a non-finite entry or the
// iteration fails to converge.
//
// Large matrices are reduced to tridiagonal form T = Qᵀ A Q by blocked
// Householder transformations, as LAPACK's Dsytrd does, and the eigenvalues
// of T are found by the root-free QR iteration of Dsterf (Golub and Van Loan,
// Matrix Computations, 4th ed., secs. 8.3.1 and 8.3.5). The computed
// eigenvalues are those of a matrix within about n ε ||A||₂ of a, ε = 2⁻⁵³.
// Small matrices use gonum's mat.EigenSym.
func Eigenvalues(a mat.Symmetric) ([]float64, error) {
	lo, n, amax, err := symLower(a)
	if err != nil {
		return nil, err
	}
	e := scaleExp(amax)
	if n < eigenvaluesCrossover {
		as, e := scaledSym(a, lo, n, e)
		var es mat.EigenSym
		if !es.Factorize(as, false) {
			return nil, errNoConvergence
		}
		vals := es.Values(nil)
		unscale(vals, e)
		return vals, nil
	}
	scaleLowerPow2(lo, n, e)
	vals, ok := symEigenvalues(lo, n, symeigWorkers())
	if !ok {
		return nil, errNoConvergence
	}
	unscale(vals, e)
	return vals, nil
}

// Eigenvectors returns the eigenvalues of the symmetric matrix a in ascending
// order and stores the orthonormal eigenvectors as the columns of vecs, column
// j belonging to eigenvalue j. An empty vecs is allocated; a vecs of another
// size panics. It returns an error when a is empty, has a non-finite entry or
// the iteration fails to converge.
//
// Large matrices are reduced to tridiagonal form T = Qᵀ A Q; the
// eigenvectors of T are found by Cuppen's divide and conquer with the
// Gu–Eisenstat construction of the eigenvectors of each rank-one update, as in
// LAPACK's Dstedc (Gu and Eisenstat, SIAM J. Matrix Anal. Appl. 16(1), 1995),
// and multiplied by Q in blocks of Householder reflectors. The residual
// ||A V - V diag(λ)|| and the loss of orthogonality ||VᵀV - I|| are of order
// n ε ||A|| and n ε, ε = 2⁻⁵³. Small matrices use gonum's mat.EigenSym.
func Eigenvectors(vecs *mat.Dense, a mat.Symmetric) ([]float64, error) {
	if n := a.SymmetricDim(); !vecs.IsEmpty() {
		if r, c := vecs.Dims(); r != n || c != n {
			panic(fmt.Sprintf("hessian: eigenvector matrix is %d×%d, want %d×%d", r, c, n, n))
		}
	}
	lo, n, amax, err := symLower(a)
	if err != nil {
		return nil, err
	}
	e := scaleExp(amax)
	if n < eigenvectorsCrossover {
		as, e := scaledSym(a, lo, n, e)
		var es mat.EigenSym
		if !es.Factorize(as, true) {
			return nil, errNoConvergence
		}
		es.VectorsTo(vecs)
		vals := es.Values(nil)
		unscale(vals, e)
		return vals, nil
	}
	scaleLowerPow2(lo, n, e)
	vals, v, ok := symEigenvectors(lo, n, symeigWorkers())
	if !ok {
		return nil, errNoConvergence
	}
	unscale(vals, e)
	if vecs.IsEmpty() {
		vecs.ReuseAs(n, n)
	}
	transposeTo(vecs, v, n)
	return vals, nil
}

// InertiaOf returns the inertia of the symmetric matrix a for the tolerance
// tol >= 0: the counts of eigenvalues below -tol, within [-tol, tol] and above
// tol. It panics if tol is negative or NaN, and returns an error when a is
// empty or has a non-finite entry.
//
// Large matrices are not diagonalised. InertiaOf factorises the shifted
// matrices A + tol I and A - tol I as P (A ∓ tol I) Pᵀ = L D Lᵀ by the blocked
// Bunch–Kaufman algorithm (Math. Comp. 31(137), 1977; LAPACK's Dsytrf),
// concurrently, and counts by Sylvester's law of inertia
//
//	Neg  = #{λ < -tol} = number of negative eigenvalues of the blocks of D for A + tol I,
//	Pos  = #{λ >  tol} = number of positive eigenvalues of the blocks of D for A - tol I,
//	Zero = n - Neg - Pos.
//
// Each factorisation costs n³/3 flops against about 4n³/3 for the
// eigenvalues. The factorisation is backward stable: the counts are exact for
// a matrix within about c n ε ||A||₂ of a (ε = 2⁻⁵³, c a small constant for
// the element growth of the pivoting), so an eigenvalue within that distance
// of ±tol may be counted on either side of it, and a tol below n ε ||A|| does
// not separate eigenvalues from zero. The eigenvalue path for small matrices
// has the same caveat with c ≈ 1. With tol = 0 a single factorisation counts
// the pivots that are exactly zero as Zero.
func InertiaOf(a mat.Symmetric, tol float64) (Inertia, error) {
	if tol < 0 || math.IsNaN(tol) {
		panic(fmt.Sprintf("hessian: negative or NaN tolerance %v", tol))
	}
	n := a.SymmetricDim()
	if n < inertiaCrossover {
		vals, err := Eigenvalues(a)
		if err != nil {
			return Inertia{}, err
		}
		return CountInertia(vals, tol), nil
	}
	lo, n, amax, err := symLower(a)
	if err != nil {
		return Inertia{}, err
	}
	// Every eigenvalue is at most ||A||_∞ <= n max|a_ij| in magnitude.
	if tol >= float64(n)*amax {
		return Inertia{Zero: n}, nil
	}
	// Scale by a power of two so that the largest entry is in [1, 2).
	e := scaleExp(amax)
	scaleLowerPow2(lo, n, e)
	in, ok := ldltInertiaShifted(lo, n, math.Ldexp(tol, e), symeigWorkers())
	if !ok {
		// A pivot overflowed: take the slower, unconditionally stable path.
		vals, err := Eigenvalues(a)
		if err != nil {
			return Inertia{}, err
		}
		return CountInertia(vals, tol), nil
	}
	return in, nil
}

// SpectralNorm returns an estimate ν of the spectral norm of the symmetric
// matrix a, ||a||₂ = max_i |λ_i|, for a relative tolerance 0 < rtol < 1. It
// panics if rtol is outside (0, 1) and returns an error when a is empty or has
// a non-finite entry.
//
// Small matrices get ν = max(|λ_1|, |λ_n|) from Eigenvalues. Larger ones get
// the largest-magnitude Ritz value of Lanczos on a, a lower bound on ||a||₂,
// stopped when its residual is at most rtol ν, so that |ν - ||a||₂| <=
// rtol ||a||₂ (and, far more often, the square of that over the gap to the
// next eigenvalue); if it does not converge, ν is computed from the
// eigenvalues. A start vector orthogonal to every eigenvector of the
// eigenvalue of largest magnitude would make Lanczos miss it; the start
// vector is random, seeded, so the result is deterministic.
func SpectralNorm(a mat.Symmetric, rtol float64) (float64, error) {
	if !(rtol > 0 && rtol < 1) {
		panic(fmt.Sprintf("hessian: relative tolerance %v outside (0, 1)", rtol))
	}
	lo, n, amax, err := symLower(a)
	if err != nil {
		return 0, err
	}
	if amax == 0 {
		return 0, nil
	}
	fromEigenvalues := func() (float64, error) {
		vals, err := Eigenvalues(a)
		if err != nil {
			return 0, err
		}
		return max(math.Abs(vals[0]), math.Abs(vals[n-1])), nil
	}
	if n < eigenvaluesCrossover {
		return fromEigenvalues()
	}
	e := scaleExp(amax)
	scaleLowerPow2(lo, n, e)
	workers := symeigWorkers()
	op := Operator{Dim: n, Apply: func(dst, v []float64) {
		symvLower(n, lo, n, v, dst, newSymvScratch(n), workers)
	}}
	res, err := Lanczos(op, 1, LargestMagnitude, &LanczosSettings{Tol: rtol, Seed: 1})
	if err != nil || !res.Converged[0] {
		return fromEigenvalues()
	}
	return math.Ldexp(math.Abs(res.Values[0]), -e), nil
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

// errEmpty is returned for a matrix of order zero.
var errEmpty = errors.New("hessian: empty matrix")

// errNoConvergence is returned when an eigenvalue iteration fails.
var errNoConvergence = errors.New("hessian: symmetric eigensolver did not converge")

// scaleExp returns the exponent e for which 2^e amax is in [1, 2), the
// scaling applied before the eigenvalue iterations so that squares and
// products of entries neither overflow nor underflow. It returns 0 for
// amax = 0.
func scaleExp(amax float64) int {
	if amax == 0 {
		return 0
	}
	_, exp := math.Frexp(amax)
	return 1 - exp
}

// scaledSym returns 2^e a, built from its lower triangle lo (column-major
// n×n), and e when a's entries are far enough from 1 for gonum's solver to
// scale them itself, which gonum v0.17.0's Dsterf fails to do for norms below
// about 2^-405; otherwise it returns a and 0.
func scaledSym(a mat.Symmetric, lo []float64, n, e int) (mat.Symmetric, int) {
	if e > -300 && e < 300 {
		return a, 0
	}
	scaleLowerPow2(lo, n, e)
	s := mat.NewSymDense(n, nil)
	for j := range n {
		for i := j; i < n; i++ {
			s.SetSym(j, i, lo[i+j*n])
		}
	}
	return s, e
}

// scaleLowerPow2 multiplies the lower triangle of the column-major n×n lo by
// 2^e, in two steps when 2^e itself is not representable.
func scaleLowerPow2(lo []float64, n, e int) {
	steps := [2]int{e, 0}
	if e < -1000 || e > 1000 {
		steps = [2]int{e / 2, e - e/2}
	}
	for _, f := range steps {
		if f == 0 {
			continue
		}
		s := math.Ldexp(1, f)
		for j := range n {
			col := lo[j+j*n : (j+1)*n]
			for i := range col {
				col[i] *= s
			}
		}
	}
}

// unscale multiplies vals by 2^-e, undoing scaleLower.
func unscale(vals []float64, e int) {
	if e == 0 {
		return
	}
	for i := range vals {
		vals[i] = math.Ldexp(vals[i], -e)
	}
}

// transposeTo stores the column-major n×n v in the n×n dst, element (i, j) of
// dst being v[i+j*n], in cache-sized tiles.
func transposeTo(dst *mat.Dense, v []float64, n int) {
	raw := dst.RawMatrix()
	const tile = 32
	for i0 := 0; i0 < n; i0 += tile {
		for j0 := 0; j0 < n; j0 += tile {
			for i := i0; i < min(i0+tile, n); i++ {
				row := raw.Data[i*raw.Stride : i*raw.Stride+n]
				for j := j0; j < min(j0+tile, n); j++ {
					row[j] = v[i+j*n]
				}
			}
		}
	}
}
