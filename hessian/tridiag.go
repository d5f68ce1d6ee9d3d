package hessian

import (
	"sync"

	"gonum.org/v1/gonum/lapack/gonum"
)

// This file reduces a symmetric matrix to tridiagonal form by Householder
// similarity transformations,
//
//	Qᵀ A Q = T,   Q = H_0 H_1 ... H_{n-2},   H_j = I - τ_j v_j v_jᵀ,
//
// blocked as in LAPACK's Dsytrd/Dlatrd (Dongarra, Hammarling and Sorensen,
// J. Comput. Appl. Math. 27, 1989): each panel of tridiagBlock columns is
// reduced with rank-2 corrections held in a matrix W, and the trailing matrix
// is then updated by A -= V Wᵀ + W Vᵀ as a level-3 product. Half of the work is
// the symmetric matrix-vector product A v of each step, which is limited by
// memory bandwidth; it reads the lower triangle once, in two halves of equal
// size on two goroutines. It also applies Q to a matrix with blocked
// Householder products in compact WY form (Schreiber and Van Loan, SIAM J. Sci.
// Stat. Comput. 10(1), 1989), like LAPACK's Dormtr.

const (
	// tridiagBlock is the panel width of the reduction.
	tridiagBlock = 32

	// symvSplit is the order from which the symmetric matrix-vector product
	// is computed in two halves.
	symvSplit = 256
)

// tridiagReduce reduces the symmetric matrix whose lower triangle is held in
// the column-major a (order and leading dimension n) to the tridiagonal matrix
// with diagonal d (length n) and off-diagonal e (length n-1). On return the
// reflector v_j is stored in a, v_j(j+1) = 1 implicitly and v_j(j+2:n) in
// a(j+2:n, j), with its scalar in tau[j] (length n-1); a(j+1, j) holds e[j].
func tridiagReduce(a []float64, n int, d, e, tau []float64, workers int) {
	if n == 1 {
		d[0] = a[0]
		return
	}
	nb := min(tridiagBlock, n-1)
	w := make([]float64, n*nb)
	// vw = [V W] and wv = [W V], (n-nb)×2nb, so that the rank-2nb update
	// is one product.
	vw := make([]float64, 2*(n-nb)*nb)
	wv := make([]float64, 2*(n-nb)*nb)
	s := newSymvScratch(n)
	i := 0
	for ; n-i > nb+1; i += nb {
		m := n - i
		tridiagPanel(a[i+i*n:], n, m, nb, e[i:], tau[i:], w, m, s, workers)
		// A(i+nb:n, i+nb:n) -= V Wᵀ + W Vᵀ on the lower triangle.
		mt := m - nb
		for c := range nb {
			v := a[i+nb+(i+c)*n : n+(i+c)*n]
			wc := w[nb+c*m : m+c*m]
			copy(vw[c*mt:(c+1)*mt], v)
			copy(vw[(nb+c)*mt:(nb+c+1)*mt], wc)
			copy(wv[c*mt:(c+1)*mt], wc)
			copy(wv[(nb+c)*mt:(nb+c+1)*mt], v)
		}
		gemmLower(false, true, mt, 2*nb, -1, vw, mt, wv, mt, 1, a[i+nb+(i+nb)*n:], n, workers)
		for j := i; j < i+nb; j++ {
			a[j+1+j*n] = e[j]
			d[j] = a[j+j*n]
		}
	}
	// Reduce the last m <= nb+1 rows and columns in one panel and update the
	// remaining 1×1 block.
	m := n - i
	tridiagPanel(a[i+i*n:], n, m, m-1, e[i:], tau[i:], w, m, s, workers)
	last := n - 1
	for c := range m - 1 {
		a[last+last*n] -= 2 * a[last+(i+c)*n] * w[m-1+c*m]
	}
	for j := i; j < n-1; j++ {
		a[j+1+j*n] = e[j]
		d[j] = a[j+j*n]
	}
	d[last] = a[last+last*n]
}

// tridiagPanel reduces the first nb columns of the m×m symmetric matrix whose
// lower triangle is in the column-major a with leading dimension lda, as
// LAPACK's Dlatrd does for the lower triangle, and returns in the column-major
// w (m×nb, leading dimension ldw) the matrix W of the update A -= V Wᵀ + W Vᵀ.
func tridiagPanel(a []float64, lda, m, nb int, e, tau, w []float64, ldw int, s *symvScratch, workers int) {
	impl := gonum.Implementation{}
	xbuf := s.x[:nb]
	for i := range nb {
		col := a[i+i*lda : m+i*lda]
		if i > 0 {
			// A(i:m, i) -= A(i:m, 0:i) W(i, 0:i)ᵀ + W(i:m, 0:i) A(i, 0:i)ᵀ.
			x := xbuf[:i]
			for c := range x {
				x[c] = w[i+c*ldw]
			}
			gemvN(m-i, i, -1, a[i:], lda, x, col)
			for c := range x {
				x[c] = a[i+c*lda]
			}
			gemvN(m-i, i, -1, w[i:], ldw, x, col)
		}
		if i == m-1 {
			break
		}
		// The reflector H_i annihilates A(i+2:m, i).
		beta, t := impl.Dlarfg(m-i-1, col[1], col[min(2, len(col)-1):], 1)
		e[i], tau[i] = beta, t
		col[1] = 1
		v := col[1:]
		wi := w[i+1+i*ldw : m+i*ldw]
		// W(i+1:m, i) = τ (A(i+1:m, i+1:m) v - V W(i+1:m, 0:i)ᵀ v - W V(i+1:m, 0:i)ᵀ v).
		symvLower(m-i-1, a[i+1+(i+1)*lda:], lda, v, wi, s, workers)
		if i > 0 {
			tmp := w[i*ldw : i+i*ldw]
			clear(tmp)
			gemvT(m-i-1, i, 1, w[i+1:], ldw, v, tmp)
			gemvN(m-i-1, i, -1, a[i+1:], lda, tmp, wi)
			clear(tmp)
			gemvT(m-i-1, i, 1, a[i+1:], lda, v, tmp)
			gemvN(m-i-1, i, -1, w[i+1:], ldw, tmp, wi)
		}
		for k := range wi {
			wi[k] *= t
		}
		alpha := -0.5 * t * tridiagDot(wi, v)
		for k, vk := range v {
			wi[k] += alpha * vk
		}
	}
}

// tridiagDot returns the dot product of x and y, which have the same length.
func tridiagDot(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// symvScratch holds the buffers of symvLower and tridiagPanel.
type symvScratch struct {
	y2 []float64 // partial product of the second half
	x  []float64 // a row of a panel
}

func newSymvScratch(n int) *symvScratch {
	return &symvScratch{y2: make([]float64, n), x: make([]float64, tridiagBlock+1)}
}

// symvLower stores in y the product A x of the n×n symmetric matrix whose
// lower triangle is in the column-major a (leading dimension lda). Each column
// j of the triangle is read once, adding x_j A(j+1:n, j) to y(j+1:n) and its
// dot product with x(j+1:n) to y_j. From order symvSplit on, the columns are
// cut into two sets of equal area whose partial products are summed, on two
// goroutines when workers > 1; the arithmetic does not depend on workers.
func symvLower(n int, a []float64, lda int, x, y []float64, s *symvScratch, workers int) {
	cols := func(j0, j1 int, y []float64) {
		clear(y[j0:])
		j := j0
		var s [8]float64
		for ; j+4 <= j1; j += 4 {
			// The 4×4 diagonal block, then the rows below it.
			for c := range 4 {
				y[j+c] += a[j+c+(j+c)*lda] * x[j+c]
				for r := c + 1; r < 4; r++ {
					v := a[j+r+(j+c)*lda]
					y[j+r] += v * x[j+c]
					y[j+c] += v * x[j+r]
				}
			}
			s[0], s[1], s[2], s[3] = x[j], x[j+1], x[j+2], x[j+3]
			symv4(a[j+4+j*lda:], lda, x[j+4:n], y[j+4:n], &s)
			for c := range 4 {
				y[j+c] += s[4+c]
			}
		}
		for ; j < j1; j++ {
			col := a[j+j*lda : n+j*lda]
			y[j] += col[0]*x[j] + dotAxpy(x[j], col[1:], x[j+1:n], y[j+1:n])
		}
	}
	y = y[:n]
	if n < symvSplit {
		cols(0, n, y)
		return
	}
	// Columns [0, c) hold half of the triangle's n(n+1)/2 entries.
	c := n - int(float64(n)/1.4142135623730951)
	y2 := s.y2[:n]
	if workers > 1 {
		var wg sync.WaitGroup
		wg.Go(func() { cols(c, n, y2) })
		cols(0, c, y)
		wg.Wait()
	} else {
		cols(0, c, y)
		cols(c, n, y2)
	}
	for i := c; i < n; i++ {
		y[i] += y2[i]
	}
}

// applyQBlock is the number of reflectors applied together by tridiagApplyQ.
const applyQBlock = 128

// tridiagApplyQ overwrites the column-major n×nc matrix c (leading dimension
// ldc) with Q c, where Q = H_0 H_1 ... H_{n-2} is held in a and tau as
// tridiagReduce leaves it. Blocks of reflectors are applied from the last to
// the first in the compact WY form H_j ... H_{j+b-1} = I - V T Vᵀ with T upper
// triangular, as in LAPACK's Dlarft and Dlarfb:
//
//	C -= V (T (Vᵀ C)).
func tridiagApplyQ(a []float64, n int, tau []float64, c []float64, ldc, nc, workers int) {
	nq := n - 1
	if nq <= 0 || nc == 0 {
		return
	}
	nb := min(applyQBlock, nq)
	v := make([]float64, (n-1)*nb)
	t := make([]float64, nb*nb)
	w := make([]float64, nb*nc)
	w2 := make([]float64, nb*nc)
	for j0 := (nq - 1) / nb * nb; j0 >= 0; j0 -= nb {
		jb := min(nb, nq-j0)
		m := n - j0 - 1 // the block acts on rows j0+1..n-1
		// V is m×jb, unit lower trapezoidal: column q is reflector j0+q.
		for q := range jb {
			col := v[q*m : (q+1)*m]
			clear(col[:q])
			col[q] = 1
			copy(col[q+1:], a[j0+q+2+(j0+q)*n:n+(j0+q)*n])
		}
		// T(0:q, q) = -τ_q T(0:q, 0:q) V(:, 0:q)ᵀ v_q, T(q, q) = τ_q.
		clear(t[:jb*jb])
		for q := range jb {
			tq := tau[j0+q]
			t[q+q*jb] = tq
			if q == 0 || tq == 0 {
				continue
			}
			col := t[q*jb : q*jb+q]
			gemvT(m-q, q, -tq, v[q:], m, v[q*m+q:(q+1)*m], col)
			// col = T(0:q, 0:q) col, T upper triangular.
			for r := range q {
				s := 0.0
				for p := r; p < q; p++ {
					s += t[r+p*jb] * col[p]
				}
				col[r] = s
			}
		}
		csub := c[j0+1:]
		gemm(true, false, jb, nc, m, 1, v, m, csub, ldc, 0, w, jb, workers)
		gemm(false, false, jb, nc, jb, 1, t, jb, w, jb, 0, w2, jb, workers)
		gemm(false, false, m, nc, jb, -1, v, m, w2, jb, 1, csub, ldc, workers)
		if j0 == 0 {
			break
		}
	}
}
