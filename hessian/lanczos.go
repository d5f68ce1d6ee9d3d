package hessian

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// Which selects the end of the spectrum that Lanczos computes.
type Which int

const (
	// Largest selects the algebraically largest eigenvalues.
	Largest Which = iota
	// Smallest selects the algebraically smallest (most negative)
	// eigenvalues.
	Smallest
	// LargestMagnitude selects the eigenvalues of largest absolute value,
	// from either end.
	LargestMagnitude
)

// String returns the lower-case name of w.
func (w Which) String() string {
	switch w {
	case Largest:
		return "largest"
	case Smallest:
		return "smallest"
	case LargestMagnitude:
		return "largest magnitude"
	}
	return fmt.Sprintf("Which(%d)", int(w))
}

// DefaultLanczosTol is the relative residual tolerance of Lanczos when
// LanczosSettings.Tol is zero.
const DefaultLanczosTol = 1e-10

// LanczosSettings controls Lanczos. The zero value, or a nil pointer, means
// the defaults documented on each field.
type LanczosSettings struct {
	// Tol is the relative residual tolerance: a Ritz pair (θ, y) has
	// converged when ||A y - θ y|| <= Tol * ||A||, where ||A|| is estimated
	// by the largest |θ| of the projected matrix. An eigenvalue of A then
	// lies within Tol*||A|| of θ, and within (Tol*||A||)^2/gap when θ is
	// separated by gap from the rest of the spectrum. Zero means
	// DefaultLanczosTol.
	Tol float64

	// SubspaceSize is the largest number m of basis vectors kept, which
	// bounds the memory to (m+1)*n float64 values. When the basis is full,
	// Lanczos restarts from the best k + (m-k)/2 Ritz vectors. It must
	// exceed k unless it is at least the dimension. Zero means
	// max(2k, k+32), at most the dimension.
	SubspaceSize int

	// MaxIterations is the largest number of operator applications
	// (Hessian-vector products). It must be at least k. Zero means
	// max(1000, 20*SubspaceSize).
	MaxIterations int

	// Seed seeds the random start vector (standard normal entries from
	// rand.New(rand.NewPCG(Seed, 0))) and the random vectors that continue
	// the iteration after an invariant subspace has been found.
	Seed uint64

	// Start, if not nil, is the start vector instead of a random one; it
	// must have the dimension of the operator. Eigenvectors orthogonal to
	// Start are found only after the Krylov space of Start is exhausted.
	Start []float64

	// Vectors requests the Ritz vectors in LanczosResult.Vectors.
	Vectors bool
}

// LanczosResult holds the Ritz pairs computed by Lanczos, most wanted first:
// descending for Largest, ascending for Smallest, by descending absolute
// value (ties: the positive one first) for LargestMagnitude.
type LanczosResult struct {
	// Values are the k Ritz values θ_i.
	Values []float64
	// Vectors holds the unit Ritz vectors y_i as columns, n×k, when
	// LanczosSettings.Vectors is set, and is nil otherwise.
	Vectors *mat.Dense
	// Residuals are the residual norms ||A y_i - θ_i y_i||. They are read
	// off the projected matrix (|β_m e_m^T s_i| for the Ritz vector V s_i),
	// which equals the true residual up to rounding of order eps*||A||
	// because the basis is kept orthogonal to working precision.
	Residuals []float64
	// Converged reports for each pair whether Residuals[i] <= Tol*Norm.
	Converged []bool
	// Norm is the estimate of ||A||_2 used in the test: the largest |θ| of
	// the projected matrices seen, a lower bound on ||A||_2.
	Norm float64
	// Tol is the relative tolerance that was used.
	Tol float64
	// Iterations is the number of operator applications made.
	Iterations int
	// Restarts is the number of thick restarts.
	Restarts int
}

// AllConverged reports whether every Ritz pair of r has converged.
func (r LanczosResult) AllConverged() bool {
	return !slices.Contains(r.Converged, false)
}

// Lanczos computes k eigenpairs at one end of the spectrum of the symmetric
// operator op: the k largest, smallest or largest-magnitude eigenvalues as
// selected by which. A nil s means the default settings.
//
// It builds an orthonormal basis V_j of the Krylov space of a start vector v
// by the Lanczos recurrence
//
//	β_j v_{j+1} = A v_j - α_j v_j - β_{j-1} v_{j-1},   α_j = v_j^T A v_j,
//
// reorthogonalising every new vector against the whole basis (classical
// Gram-Schmidt, repeated when it cancels), so that
// A V_j = V_j T_j + β_j v_{j+1} e_j^T holds to working precision. The Ritz
// values θ and vectors V_j s of the small projected matrix T_j = S Θ S^T
// approximate eigenpairs of A, with residual ||A V_j s - θ V_j s|| =
// β_j |e_j^T s|. When the basis reaches SubspaceSize vectors, Lanczos keeps
// the wanted Ritz vectors and restarts from them (thick restart; Wu & Simon,
// SIAM J. Matrix Anal. Appl. 22, 2000); the projected matrix then has an
// arrow shape, diagonal plus a last row of couplings β_m e_m^T S.
//
// When β_j <= Tol*||A|| the basis spans an invariant subspace, whose Ritz
// pairs have all converged, but the rest of the space may hold more wanted
// eigenvalues: copies of repeated ones (a Krylov space holds one copy of
// each), or eigenvectors that a given Start misses. Lanczos then continues,
// from a random vector orthogonal to the basis if β_j is at the level of
// rounding, and stops at such a step only when the wanted Ritz values are
// those of the previous one, that is when the last continuation found no new
// wanted eigenvalue. This recovers the zero eigenvalues of a low-rank
// matrix; a repeated eigenvalue whose copies are not exhausted that way is
// found once only, as by every single-vector Krylov method.
//
// The iteration stops when the k wanted pairs have converged (see
// LanczosSettings.Tol), when the basis spans the whole space, or after
// MaxIterations operator applications; the result reports per pair whether it
// converged, and the error is nil in all three cases. Each iteration costs
// one operator application, O(n j) flops of reorthogonalisation and the
// O(j^3) eigendecomposition of the projected matrix, which is done at every
// iteration so that no product is wasted.
//
// Lanczos returns ErrZeroDim when op.Dim is zero and an error when the
// operator returns a non-finite value, when Start is zero or non-finite, or
// when the small eigenproblem fails. It panics if k is not in [1, op.Dim], if
// which is unknown, or if a setting is out of range. For a deterministic
// operator the result depends only on the settings: the same seed gives the
// same result.
func Lanczos(op Operator, k int, which Which, s *LanczosSettings) (LanczosResult, error) {
	if err := checkOperator(op); err != nil {
		return LanczosResult{}, err
	}
	n := op.Dim
	if k < 1 || k > n {
		panic(fmt.Sprintf("hessian: Lanczos needs 1 <= k <= %d, have k = %d", n, k))
	}
	if which != Largest && which != Smallest && which != LargestMagnitude {
		panic(fmt.Sprintf("hessian: unknown %v", which))
	}
	var set LanczosSettings
	if s != nil {
		set = *s
	}
	tol := set.Tol
	switch {
	case tol == 0:
		tol = DefaultLanczosTol
	case !(tol > 0) || math.IsInf(tol, 1):
		panic(fmt.Sprintf("hessian: invalid Lanczos tolerance %v", tol))
	}
	m := set.SubspaceSize
	switch {
	case m == 0:
		m = max(2*k, k+32)
	case m < 0, m <= k && m < n:
		panic(fmt.Sprintf("hessian: Lanczos subspace size %d must exceed k = %d", m, k))
	}
	m = min(m, n)
	maxIter := set.MaxIterations
	switch {
	case maxIter == 0:
		maxIter = max(1000, 20*m)
	case maxIter < k:
		panic(fmt.Sprintf("hessian: Lanczos MaxIterations %d below k = %d", maxIter, k))
	}
	if set.Start != nil && len(set.Start) != n {
		panic(fmt.Sprintf("hessian: Lanczos start vector has length %d, operator dimension %d", len(set.Start), n))
	}

	kr := newKrylov(op, m)
	rnd := rand.New(rand.NewPCG(set.Seed, 0))
	v0 := kr.row(0)
	if set.Start != nil {
		copy(v0, set.Start)
		if nrm := floats.Norm(v0, 2); nrm == 0 || math.IsNaN(nrm) || math.IsInf(nrm, 0) {
			return LanczosResult{}, fmt.Errorf("hessian: Lanczos start vector has norm %v", nrm)
		}
	} else {
		gaussian(v0, rnd)
	}
	floats.Scale(1/floats.Norm(v0, 2), v0)

	ld := m + 1
	h := make([]float64, ld*ld) // projected matrix, h[i*ld+j]
	eig := newSmallEig(m)
	var (
		j, iters, restarts int
		anorm              float64
	)
	// prev holds the wanted Ritz values at the last breakdown, nil before
	// the first one.
	var prev []float64
	for {
		alpha, beta, err := kr.expand(j, h, ld)
		if err != nil {
			return LanczosResult{}, err
		}
		iters++
		h[j*ld+j] = alpha
		anorm = max(anorm, math.Abs(alpha))
		j++
		full := j == n
		// The basis spans an invariant subspace, up to Tol, when β is
		// that small. At the level of rounding errors the next vector is
		// drawn at random; above it the iteration continues normally.
		invariant := beta <= tol*anorm
		switch {
		case full:
			beta = 0
		case beta <= unitRoundoff*anorm:
			beta = 0
			kr.randomOrthogonal(j, rnd)
		default:
			floats.ScaleTo(kr.row(j), 1/beta, kr.w)
		}
		h[(j-1)*ld+j] = beta
		h[j*ld+j-1] = beta
		done := full || iters >= maxIter
		if !done && j < k {
			continue
		}
		theta, y, err := eig.factorize(h, ld, j)
		if err != nil {
			return LanczosResult{}, err
		}
		anorm = max(anorm, math.Abs(theta[0]), math.Abs(theta[j-1]))
		order := wantedOrder(theta, which)
		switch {
		case done:
		case invariant:
			// Every Ritz pair of an invariant subspace has converged, but
			// the rest of the space may hold more wanted eigenvalues:
			// copies of repeated ones, or eigenvectors that a given Start
			// misses. Stop at such a step only when the vectors added
			// since the previous one changed no wanted eigenvalue.
			now := make([]float64, k)
			for c, i := range order[:k] {
				now[c] = theta[i]
			}
			done = prev != nil && floats.EqualApprox(prev, now, tol*anorm)
			prev = now
		default:
			done = true
			for _, i := range order[:k] {
				if beta*math.Abs(y[(j-1)*j+i]) > tol*anorm {
					done = false
					break
				}
			}
		}
		if done {
			res := LanczosResult{
				Values:     make([]float64, k),
				Residuals:  make([]float64, k),
				Converged:  make([]bool, k),
				Norm:       anorm,
				Tol:        tol,
				Iterations: iters,
				Restarts:   restarts,
			}
			for c, i := range order[:k] {
				res.Values[c] = theta[i]
				res.Residuals[c] = beta * math.Abs(y[(j-1)*j+i])
				res.Converged[c] = res.Residuals[c] <= tol*anorm
			}
			if set.Vectors {
				res.Vectors = mat.NewDense(n, k, nil)
				kr.combine(res.Vectors.RawMatrix(), y, j, order[:k])
			}
			return res, nil
		}
		if j == m {
			// Thick restart from the l most wanted Ritz vectors; the
			// residual direction v_{m+1} becomes v_{l+1}.
			l := min(m-1, k+(m-k)/2)
			kept := order[:l]
			kr.restart(y, j, kept)
			clear(h)
			for c, i := range kept {
				h[c*ld+c] = theta[i]
				s := beta * y[(j-1)*j+i]
				h[c*ld+l] = s
				h[l*ld+c] = s
			}
			j = l
			restarts++
		}
	}
}

// unitRoundoff is the unit roundoff of float64, 2^-53.
const unitRoundoff = 0x1p-53

// wantedOrder returns the indices of the ascending values theta, most wanted
// first.
func wantedOrder(theta []float64, which Which) []int {
	j := len(theta)
	order := make([]int, j)
	for i := range order {
		order[i] = i
	}
	switch which {
	case Largest:
		slices.Reverse(order)
	case LargestMagnitude:
		slices.SortStableFunc(order, func(a, b int) int {
			if c := cmp.Compare(math.Abs(theta[b]), math.Abs(theta[a])); c != 0 {
				return c
			}
			return cmp.Compare(theta[b], theta[a])
		})
	}
	return order
}

// krylov holds an orthonormal Krylov basis of up to m+1 vectors of the
// operator's dimension, stored as the rows of v.
type krylov struct {
	op   Operator
	n    int
	v    []float64 // row i at v[i*n:(i+1)*n]
	w    []float64 // A v_j orthogonalised, the next basis direction
	c    []float64
	tmp  []float64
	tmpk []float64 // scratch for restarts, grown on demand
}

func newKrylov(op Operator, m int) *krylov {
	n := op.Dim
	return &krylov{
		op:  op,
		n:   n,
		v:   make([]float64, (m+1)*n),
		w:   make([]float64, n),
		c:   make([]float64, m+1),
		tmp: make([]float64, m+1),
	}
}

func (kr *krylov) row(i int) []float64 { return kr.v[i*kr.n : (i+1)*kr.n] }

// basis returns rows [0, rows) of the basis as a rows×n matrix.
func (kr *krylov) basis(rows int) blas64.General {
	return blas64.General{Rows: rows, Cols: kr.n, Stride: kr.n, Data: kr.v[:rows*kr.n]}
}

// expand stores in kr.w the next basis direction from v_j and returns
// α = v_j^T A v_j and β = ||kr.w||. The known couplings h[i*ld+j], i < j, of
// the projected matrix (β_{j-1}, or the arrow after a thick restart) are
// subtracted first, as in the Lanczos recurrence
//
//	w = A v_j - Σ_{i<j} h_ij v_i - α v_j,
//
// and w is then reorthogonalised against v_0..v_j, which removes the
// rounding errors that would otherwise make the basis lose orthogonality
// (Paige 1976).
func (kr *krylov) expand(j int, h []float64, ld int) (alpha, beta float64, err error) {
	w := kr.w
	vj := kr.row(j)
	if err := applyChecked(kr.op, w, vj); err != nil {
		return 0, 0, err
	}
	for i := range j {
		if c := h[i*ld+j]; c != 0 {
			floats.AddScaled(w, -c, kr.row(i))
		}
	}
	alpha = floats.Dot(vj, w)
	floats.AddScaled(w, -alpha, vj)
	corr, beta := kr.orthogonalise(j + 1)
	return alpha + corr, beta, nil
}

// orthogonalise removes from kr.w its components along rows [0, rows) of the
// basis by classical Gram-Schmidt, and returns the component removed along
// the last row and the norm of what remains. A second pass follows when the
// first removed more than a fraction 1 - 1/sqrt(2) of the norm, which keeps
// the basis orthogonal to working precision (Daniel, Gragg, Kaufman &
// Stewart, Math. Comp. 30, 1976: twice is enough).
func (kr *krylov) orthogonalise(rows int) (last, norm float64) {
	vb := kr.basis(rows)
	w := blas64.Vector{N: kr.n, Inc: 1, Data: kr.w}
	c := blas64.Vector{N: rows, Inc: 1, Data: kr.c[:rows]}
	norm = floats.Norm(kr.w, 2)
	for range 2 {
		before := norm
		blas64.Gemv(blas.NoTrans, 1, vb, w, 0, c)
		blas64.Gemv(blas.Trans, -1, vb, c, 1, w)
		last += c.Data[rows-1]
		norm = floats.Norm(kr.w, 2)
		if norm >= before/math.Sqrt2 {
			break
		}
	}
	return last, norm
}

// randomOrthogonal stores in row j a random unit vector orthogonal to rows
// [0, j); j is less than the dimension.
func (kr *krylov) randomOrthogonal(j int, rnd *rand.Rand) {
	for {
		gaussian(kr.w, rnd)
		before := floats.Norm(kr.w, 2)
		// A random vector keeps about sqrt((n-j)/n) of its norm; a tiny
		// remainder would be rounding noise, so draw again.
		if _, after := kr.orthogonalise(j); after > 1e-8*before {
			floats.ScaleTo(kr.row(j), 1/after, kr.w)
			return
		}
	}
}

// combine stores in dst (n×len(cols)) the Ritz vectors V_j y[:, cols], where
// y is the j×j row-major eigenvector matrix of the projected matrix.
func (kr *krylov) combine(dst blas64.General, y []float64, j int, cols []int) {
	sel := blas64.General{Rows: j, Cols: len(cols), Stride: len(cols), Data: make([]float64, j*len(cols))}
	for r := range j {
		for c, i := range cols {
			sel.Data[r*len(cols)+c] = y[r*j+i]
		}
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, kr.basis(j), sel, 0, dst)
}

// restart replaces the basis v_0..v_{j-1}, v_j by the Ritz vectors
// V_j y[:, kept] followed by v_j.
func (kr *krylov) restart(y []float64, j int, kept []int) {
	l := len(kept)
	if cap(kr.tmpk) < l*kr.n {
		kr.tmpk = make([]float64, l*kr.n)
	}
	// Ritz vectors as rows: (V_j^T Y_l)^T = Y_l^T V_j, an l×n matrix.
	out := blas64.General{Rows: l, Cols: kr.n, Stride: kr.n, Data: kr.tmpk[:l*kr.n]}
	sel := blas64.General{Rows: j, Cols: l, Stride: l, Data: make([]float64, j*l)}
	for r := range j {
		for c, i := range kept {
			sel.Data[r*l+c] = y[r*j+i]
		}
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, sel, kr.basis(j), 0, out)
	copy(kr.row(l), kr.row(j))
	copy(kr.v[:l*kr.n], out.Data)
}

// smallEig diagonalises the small projected matrices of Lanczos and SLQ.
type smallEig struct {
	a, w, work []float64
}

func newSmallEig(m int) *smallEig {
	e := &smallEig{a: make([]float64, m*m), w: make([]float64, m)}
	query := []float64{0}
	lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: m, Stride: max(1, m), Data: e.a, Uplo: blas.Upper}, e.w, query, -1)
	e.work = make([]float64, max(int(query[0]), 3*m-1, 1))
	return e
}

// factorize returns the ascending eigenvalues and the row-major j×j
// eigenvector matrix (column i for eigenvalue i) of the leading j×j block of
// the symmetric matrix h with row stride ld. The results are overwritten by
// the next call.
func (e *smallEig) factorize(h []float64, ld, j int) (theta, y []float64, err error) {
	a := e.a[:j*j]
	for r := range j {
		copy(a[r*j:(r+1)*j], h[r*ld:r*ld+j])
	}
	if !lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: j, Stride: j, Data: a, Uplo: blas.Upper}, e.w[:j], e.work, len(e.work)) {
		return nil, nil, errors.New("hessian: eigensolver of the projected matrix did not converge")
	}
	return e.w[:j], a, nil
}
