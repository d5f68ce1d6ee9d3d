package hessian

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"
)

// This file computes the eigenvalues and eigenvectors of a symmetric
// tridiagonal matrix T by Cuppen's divide and conquer (Numer. Math. 36, 1981)
// in the form of LAPACK's Dstedc/Dlaed0-3 (Gu and Eisenstat, SIAM J. Matrix
// Anal. Appl. 16(1), 1995; Tisseur and Dongarra, SIAM J. Sci. Comput. 20(6),
// 1999). Tearing T at its middle off-diagonal β,
//
//	T = diag(T₁ - |β| e_m e_mᵀ, T₂ - |β| e_1 e_1ᵀ) + |β| u uᵀ,   u = e_m + sign(β) e_{m+1},
//
// the halves are solved recursively, T₁' = Q₁ D₁ Q₁ᵀ and T₂' = Q₂ D₂ Q₂ᵀ, and
//
//	T = Q (D + ρ z zᵀ) Qᵀ,   Q = diag(Q₁, Q₂),   z = Qᵀu/√2,   ρ = 2|β|.
//
// Entries of z below a tolerance and pairs of nearly equal d_j are deflated
// (their eigenpairs are known); the rest are the roots of the secular
// equation (tridiag_secular.go). The eigenvectors of D + ρ z zᵀ are built from
// the z that the computed roots make exact (Gu–Eisenstat), which keeps them
// orthogonal, and multiplied by Q with two level-3 products that skip the
// zero blocks of Q. Small subproblems are solved by the implicit QL/QR
// iteration.

// dcLeaf is the order up to which a subproblem is solved by implicit QL/QR
// (LAPACK's SMLSIZ).
const dcLeaf = 25

// dcParallel is the order from which the two halves of a subproblem are
// solved concurrently.
const dcParallel = 128

// tridiagEigen computes the eigenvalues and eigenvectors of the symmetric
// tridiagonal matrix with diagonal d (length n) and off-diagonal e (length at
// least n-1). On return d holds the eigenvalues in ascending order and the
// columns of the column-major n×n z (leading dimension ldz) the orthonormal
// eigenvectors; e is overwritten. ok is false if an iteration did not
// converge.
func tridiagEigen(d, e, z []float64, ldz, workers int) (ok bool) {
	n := len(d)
	for j := range n {
		clear(z[j*ldz : j*ldz+n])
	}
	// Scale T by a power of two near its largest entry, as Dstedc does, so
	// that the computation neither overflows nor underflows.
	var tmax float64
	for _, v := range d {
		tmax = max(tmax, math.Abs(v))
	}
	for _, v := range e[:n-1] {
		tmax = max(tmax, math.Abs(v))
	}
	if tmax == 0 || n == 1 {
		for j := range n {
			z[j+j*ldz] = 1
		}
		slices.Sort(d)
		return true
	}
	_, exp := math.Frexp(tmax)
	scale := math.Ldexp(1, -exp)
	for i := range d {
		d[i] *= scale
	}
	for i := range n - 1 {
		e[i] *= scale
	}
	// Split T where an off-diagonal entry is negligible,
	// |e_i| <= ε √|d_i| √|d_{i+1}|, and solve the blocks independently.
	ok = true
	for start := 0; start < n; {
		end := start
		for end < n-1 && math.Abs(e[end]) > eps53*math.Sqrt(math.Abs(d[end]))*math.Sqrt(math.Abs(d[end+1])) {
			end++
		}
		if !dcSolve(d[start:end+1], e[start:end], z[start+start*ldz:], ldz, workers) {
			ok = false
		}
		start = end + 1
	}
	for i := range d {
		d[i] /= scale
	}
	sortEigen(d, z, n, ldz)
	return ok
}

// sortEigen sorts the eigenvalues d ascending and permutes the first n rows of
// the columns of the column-major z (leading dimension ldz) with them.
func sortEigen(d, z []float64, n, ldz int) {
	if slices.IsSorted(d) {
		return
	}
	perm := make([]int, len(d))
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(i, j int) int { return cmp.Compare(d[i], d[j]) })
	vals := make([]float64, len(d))
	cols := make([]float64, n*len(d))
	for t, p := range perm {
		vals[t] = d[p]
		copy(cols[t*n:(t+1)*n], z[p*ldz:p*ldz+n])
	}
	copy(d, vals)
	for t := range d {
		copy(z[t*ldz:t*ldz+n], cols[t*n:(t+1)*n])
	}
}

// dcSolve computes the eigenvalues (ascending, in d) and eigenvectors (in the
// n×n block of z) of the unreduced tridiagonal matrix (d, e), n = len(d),
// whose block of z is zero on entry.
func dcSolve(d, e, z []float64, ldz, workers int) bool {
	n := len(d)
	if n <= dcLeaf {
		return steqrLeaf(d, e, z, ldz)
	}
	n1 := n / 2
	beta := e[n1-1]
	d[n1-1] -= math.Abs(beta)
	d[n1] -= math.Abs(beta)
	var ok1, ok2 bool
	if n >= dcParallel && workers > 1 {
		h := workers / 2
		var wg sync.WaitGroup
		wg.Go(func() { ok1 = dcSolve(d[:n1], e[:n1-1], z, ldz, h) })
		ok2 = dcSolve(d[n1:], e[n1:], z[n1+n1*ldz:], ldz, workers-h)
		wg.Wait()
	} else {
		ok1 = dcSolve(d[:n1], e[:n1-1], z, ldz, workers)
		ok2 = dcSolve(d[n1:], e[n1:], z[n1+n1*ldz:], ldz, workers)
	}
	ok3 := dcMerge(d, z, ldz, n1, beta, workers)
	return ok1 && ok2 && ok3
}

// steqrLeaf solves a small tridiagonal eigenproblem with gonum's Dsteqr,
// which works on row-major storage.
func steqrLeaf(d, e, z []float64, ldz int) bool {
	n := len(d)
	zr := make([]float64, n*n+max(1, 2*n-2))
	zr, work := zr[:n*n], zr[n*n:]
	ee := make([]float64, max(n-1, 1))
	copy(ee, e)
	if !(gonum.Implementation{}).Dsteqr(lapack.EVTridiag, n, d, ee, zr, n, work) {
		return false
	}
	// Row-major element (i, j) is component i of eigenvector j.
	for j := range n {
		for i := range n {
			z[i+j*ldz] = zr[i*n+j]
		}
	}
	return true
}

// Column types of Q in a merge, as in Dlaed2.
const (
	colTop   = iota // nonzero in the first n1 rows only
	colDense        // nonzero in both blocks after a deflating rotation
	colBot          // nonzero in the last n-n1 rows only
)

// dcMerge computes the eigendecomposition of diag(T₁', T₂') + |β| u uᵀ from
// those of T₁' (d[:n1], the first n1 columns of z) and T₂' (d[n1:], the last
// columns), leaving the eigenvalues ascending in d and the eigenvectors in
// the n×n block of z.
func dcMerge(d, z []float64, ldz, n1 int, beta float64, workers int) bool {
	n := len(d)
	rho := 2 * math.Abs(beta)
	// z = Qᵀu/√2: the last row of Q₁ and ±the first row of Q₂.
	zv := make([]float64, n)
	ctype := make([]int, n)
	sgn := math.Copysign(1/math.Sqrt2, beta)
	for j := range n1 {
		zv[j] = z[n1-1+j*ldz] / math.Sqrt2
		ctype[j] = colTop
	}
	for j := n1; j < n; j++ {
		zv[j] = sgn * z[n1+j*ldz]
		ctype[j] = colBot
	}
	// Merge the two ascending halves of d.
	order := make([]int, 0, n)
	for i, j := 0, n1; i < n1 || j < n; {
		if j == n || (i < n1 && d[i] <= d[j]) {
			order = append(order, i)
			i++
		} else {
			order = append(order, j)
			j++
		}
	}

	// Deflation (Dlaed2): tol = 8 ε max(max|d_j|, max|z_j|).
	var dmax, zmax float64
	for j := range n {
		dmax = max(dmax, math.Abs(d[j]))
		zmax = max(zmax, math.Abs(zv[j]))
	}
	tol := 8 * eps53 * max(dmax, zmax)
	var keep, defl []int
	if rho*zmax > tol {
		pj := -1
		for _, j := range order {
			if rho*math.Abs(zv[j]) <= tol {
				defl = append(defl, j)
				continue
			}
			if pj < 0 {
				pj = j
				continue
			}
			// A rotation in the plane (pj, j) that zeroes z_pj changes D
			// by |t c s|; when that is below tol, d_pj deflates.
			s, c := zv[pj], zv[j]
			tau := math.Hypot(c, s)
			t := d[j] - d[pj]
			c /= tau
			s = -s / tau
			if math.Abs(t*c*s) > tol {
				keep = append(keep, pj)
				pj = j
				continue
			}
			zv[j], zv[pj] = tau, 0
			if ctype[pj] != ctype[j] {
				ctype[j] = colDense
			}
			x := z[pj*ldz : pj*ldz+n]
			y := z[j*ldz : j*ldz+n]
			for r := range n {
				x[r], y[r] = c*x[r]+s*y[r], c*y[r]-s*x[r]
			}
			dp := d[pj]*c*c + d[j]*s*s
			d[j] = d[pj]*s*s + d[j]*c*c
			d[pj] = dp
			defl = append(defl, pj)
			pj = j
		}
		keep = append(keep, pj)
	} else {
		defl = order
	}

	k := len(keep)
	lam := make([]float64, k)
	var u []float64
	ok := true
	if k > 0 {
		dl := make([]float64, k)
		w := make([]float64, k)
		for t, j := range keep {
			dl[t], w[t] = d[j], zv[j]
		}
		u, ok = secularVectors(dl, w, rho, lam, workers)
	}

	// Q times the eigenvectors of D + ρ z zᵀ, in two products over the
	// nonzero blocks of the kept columns of Q.
	n2 := n - n1
	var top, bot []int // positions in keep
	for t, j := range keep {
		if ctype[j] != colBot {
			top = append(top, t)
		}
		if ctype[j] != colTop {
			bot = append(bot, t)
		}
	}
	r := make([]float64, n*k) // column-major n×k
	if k > 0 {
		dcProduct(z, ldz, 0, n1, keep, top, u, k, r, n, workers)
		dcProduct(z, ldz, n1, n2, keep, bot, u, k, r[n1:], n, workers)
	}

	// Assemble the eigenpairs in ascending order of the eigenvalues.
	type pair struct {
		val  float64
		kept bool
		idx  int // column of r if kept, of z otherwise
	}
	pairs := make([]pair, 0, n)
	for t := range k {
		pairs = append(pairs, pair{lam[t], true, t})
	}
	for _, j := range defl {
		pairs = append(pairs, pair{d[j], false, j})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(a.val, b.val) })
	dc := make([]float64, n*len(defl))
	slot := make(map[int]int, len(defl))
	for s, j := range defl {
		copy(dc[s*n:(s+1)*n], z[j*ldz:j*ldz+n])
		slot[j] = s
	}
	for c, p := range pairs {
		d[c] = p.val
		dst := z[c*ldz : c*ldz+n]
		if p.kept {
			copy(dst, r[p.idx*n:(p.idx+1)*n])
		} else {
			s := slot[p.idx]
			copy(dst, dc[s*n:(s+1)*n])
		}
	}
	return ok
}

// dcProduct stores in rows [0, m) of the column-major r (leading dimension
// ldr, k columns) the product of rows [r0, r0+m) of the kept columns of z
// selected by sel (positions in keep) and the rows sel of u (k×k).
func dcProduct(z []float64, ldz, r0, m int, keep, sel []int, u []float64, k int, r []float64, ldr, workers int) {
	ks := len(sel)
	if ks == 0 {
		for c := range k {
			clear(r[c*ldr : c*ldr+m])
		}
		return
	}
	g := make([]float64, m*ks)
	us := make([]float64, ks*k)
	for s, t := range sel {
		j := keep[t]
		copy(g[s*m:(s+1)*m], z[r0+j*ldz:r0+j*ldz+m])
	}
	for c := range k {
		src := u[c*k : (c+1)*k]
		dst := us[c*ks : (c+1)*ks]
		for s, t := range sel {
			dst[s] = src[t]
		}
	}
	gemm(false, false, m, k, ks, 1, g, m, us, ks, 0, r, ldr, workers)
}

// secularVectors computes the eigenvalues lam (ascending) and the
// eigenvectors, returned as the columns of a column-major k×k matrix, of
// diag(dl) + ρ w wᵀ, for strictly increasing dl and nonzero w. The roots are
// found independently, on up to workers goroutines.
func secularVectors(dl, w []float64, rho float64, lam []float64, workers int) (u []float64, ok bool) {
	k := len(dl)
	var sumz2 float64
	for _, v := range w {
		sumz2 += v * v
	}
	// Column i of delta holds dl_j - λ_i.
	delta := make([]float64, k*k)
	oks := make([]bool, k)
	dcParallelRange(k, k*k, workers, func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			lam[i], oks[i] = secularRoot(i, dl, w, rho, sumz2, delta[i*k:(i+1)*k])
		}
	})
	ok = !slices.Contains(oks, false)

	// Gu–Eisenstat: the weights for which the computed λ are exact,
	//
	//	ŵ_i² = ∏_j (λ_j - dl_i) / ∏_{j≠i} (dl_j - dl_i)   (up to the factor ρ),
	//
	// a negative product by interlacing.
	// The products run over the columns of delta, for contiguous access.
	wh := make([]float64, k)
	dcParallelRange(k, k*k, workers, func(i0, i1 int) {
		p := wh[i0:i1]
		for i := range p {
			p[i] = delta[i0+i+(i0+i)*k]
		}
		for j := range k {
			col := delta[j*k+i0 : j*k+i1]
			dj := dl[j]
			for i, v := range col {
				if i0+i != j {
					p[i] *= v / (dl[i0+i] - dj)
				}
			}
		}
		for i := range p {
			p[i] = math.Copysign(math.Sqrt(math.Abs(p[i])), w[i0+i])
		}
	})
	// Eigenvector i is (ŵ_j / (dl_j - λ_i))_j, normalised.
	dcParallelRange(k, k*k, workers, func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			col := delta[i*k : (i+1)*k]
			var s float64
			for j, v := range col {
				col[j] = wh[j] / v
				s += col[j] * col[j]
			}
			s = 1 / math.Sqrt(s)
			for j := range col {
				col[j] *= s
			}
		}
	})
	return delta, ok
}

// dcParallelRange calls f on consecutive ranges covering [0, n), on up to
// workers goroutines when the total work is large enough to pay for them.
// Each index is handled by exactly one call, so the results do not depend on
// workers.
func dcParallelRange(n, work, workers int, f func(i0, i1 int)) {
	p := max(1, min(workers, n, work/(1<<16)))
	if p == 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for t := range p {
		i0, i1 := n*t/p, n*(t+1)/p
		wg.Go(func() { f(i0, i1) })
	}
	wg.Wait()
}
