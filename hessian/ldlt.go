package hessian

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
)

// This file holds a blocked LDLᵀ factorisation with Bunch–Kaufman pivoting,
//
//	P A Pᵀ = L D Lᵀ,
//
// with L unit lower triangular and D block diagonal with 1×1 and 2×2 blocks
// (Bunch and Kaufman, Math. Comp. 31(137), 1977; the blocked form is LAPACK's
// Dsytrf/Dlasyf, Anderson et al., LAPACK Users' Guide, 3rd ed., 1999). By
// Sylvester's law of inertia A and D have the same numbers of negative, zero
// and positive eigenvalues, and those of D are read off its blocks. Only the
// factorisation needed for the inertia is computed: the row interchanges of
// earlier panels are not applied to L.

const (
	// ldltBlock is the panel width of the blocked factorisation.
	ldltBlock = 48

	// ldltMinBlocked is the order below which the factorisation is not
	// blocked.
	ldltMinBlocked = 2 * ldltBlock
)

// bunchKaufmanAlpha is (1+√17)/8, the pivoting threshold that minimises the
// bound on element growth (Bunch and Kaufman 1977).
var bunchKaufmanAlpha = (1 + math.Sqrt(17)) / 8

// ldltInertia factorises the n×n symmetric matrix whose lower triangle is held
// in the column-major a with leading dimension n, overwriting a, and returns
// the inertia of D: the numbers of negative, zero and positive eigenvalues of
// its blocks. The trailing updates use up to workers goroutines. ok is false if
// a pivot is not finite.
func ldltInertia(a []float64, n, workers int) (in Inertia, ok bool) {
	nb := ldltBlock
	if n < ldltMinBlocked {
		nb = n
	}
	w := make([]float64, n*nb+nb)
	w, xbuf := w[:n*nb], w[n*nb:]
	for k0 := 0; k0 < n; {
		kb, pin, ok := ldltPanel(a, n, k0, nb, w, xbuf)
		if !ok {
			return Inertia{}, false
		}
		in.Neg += pin.Neg
		in.Zero += pin.Zero
		in.Pos += pin.Pos
		k := k0 + kb
		if k < n {
			// A22 -= L21 W21ᵀ on the lower triangle, where W21 = L21 D.
			gemmLower(false, true, n-k, kb, -1, a[k+k0*n:], n, w[k:], n, 1, a[k+k*n:], n, workers)
		}
		k0 = k
	}
	return in, true
}

// ldltPanel factorises the columns k0, k0+1, ... of the column-major a (order
// and leading dimension n) with Bunch–Kaufman pivoting, in the manner of
// LAPACK's Dlasyf for the lower triangle. When more than nb columns remain it
// factorises nb-1 or nb of them, applying the updates of earlier panel columns
// to each column as it is reached, and leaves in w (n×nb, column-major) the
// matrix W = L D that the caller uses to update the trailing submatrix;
// otherwise it factorises all remaining columns. xbuf is scratch of length nb.
// It returns the number kb of
// columns factorised and the inertia of their pivot blocks.
func ldltPanel(a []float64, n, k0, nb int, w, xbuf []float64) (kb int, in Inertia, ok bool) {
	alpha := bunchKaufmanAlpha
	nrest := n - k0
	kl := 0
	for kl < nrest {
		if nrest > nb && kl >= nb-1 {
			break
		}
		k := k0 + kl
		// W(k:n, kl) is column k updated by the panel columns k0..k-1.
		wk := w[kl*n : kl*n+n]
		copy(wk[k:], a[k+k*n:n+k*n])
		ldltGemv(a, w, n, k0, kl, k, k, wk, xbuf)

		kstep := 1
		absakk := math.Abs(wk[k])
		imax, colmax := k, 0.0
		for i := k + 1; i < n; i++ {
			if v := math.Abs(wk[i]); v > colmax {
				imax, colmax = i, v
			}
		}
		kp := k
		switch {
		case max(absakk, colmax) == 0:
			// Column k is zero: a zero pivot with a zero column of L.
		case absakk >= alpha*colmax:
			// No interchange: a 1×1 pivot.
		default:
			// W(k:n, kl+1) is column imax updated by the panel.
			wn := w[(kl+1)*n : (kl+1)*n+n]
			for i := k; i < imax; i++ {
				wn[i] = a[imax+i*n]
			}
			copy(wn[imax:], a[imax+imax*n:n+imax*n])
			ldltGemv(a, w, n, k0, kl, imax, k, wn, xbuf)
			rowmax := 0.0
			for i := k; i < n; i++ {
				if i != imax {
					rowmax = max(rowmax, math.Abs(wn[i]))
				}
			}
			switch {
			case absakk >= alpha*colmax*(colmax/rowmax):
				// No interchange: a 1×1 pivot.
			case math.Abs(wn[imax]) >= alpha*rowmax:
				// Interchange rows and columns k and imax: a 1×1 pivot.
				kp = imax
				copy(wk[k:], wn[k:])
			default:
				// Interchange rows and columns k+1 and imax: a 2×2 pivot.
				kp = imax
				kstep = 2
			}
		}

		kk := k + kstep - 1
		if kp != kk {
			// Interchange rows and columns kp and kk of the trailing
			// submatrix; column kk itself is in W.
			a[kp+kp*n] = a[kk+kk*n]
			for i := kk + 1; i < kp; i++ {
				a[kp+i*n] = a[i+kk*n]
			}
			if kp < n-1 {
				blas64.Implementation().Dswap(n-kp-1, a[kp+1+kk*n:], 1, a[kp+1+kp*n:], 1)
			}
			// Interchange rows kk and kp of the panel columns of L and W.
			for c := k0; c < kk; c++ {
				a[kk+c*n], a[kp+c*n] = a[kp+c*n], a[kk+c*n]
			}
			for c := 0; c <= kk-k0; c++ {
				w[kk+c*n], w[kp+c*n] = w[kp+c*n], w[kk+c*n]
			}
		}

		if kstep == 1 {
			// Column k of L is W(k+1:n, kl) / D(k).
			d := wk[k]
			copy(a[k+k*n:n+k*n], wk[k:])
			if d != 0 {
				r := 1 / d
				for i := k + 1; i < n; i++ {
					a[i+k*n] *= r
				}
			}
			switch {
			case math.IsNaN(d) || math.IsInf(d, 0):
				return 0, Inertia{}, false
			case d < 0:
				in.Neg++
			case d > 0:
				in.Pos++
			default:
				in.Zero++
			}
		} else {
			// Columns k and k+1 of L are [W(:, kl) W(:, kl+1)] D⁻¹, with
			// D = [d11 d21; d21 d22] and the inverse computed as in Dlasyf.
			wn := w[(kl+1)*n : (kl+1)*n+n]
			d11, d21, d22 := wk[k], wk[k+1], wn[k+1]
			if k < n-2 {
				e11 := d22 / d21
				e22 := d11 / d21
				t := 1 / (e11*e22 - 1)
				s := t / d21
				for j := k + 2; j < n; j++ {
					a[j+k*n] = s * (e11*wk[j] - wn[j])
					a[j+(k+1)*n] = s * (e22*wn[j] - wk[j])
				}
			}
			a[k+k*n] = d11
			a[k+1+k*n] = d21
			a[k+1+(k+1)*n] = d22
			neg, zero, pos, finite := inertia2x2(d11, d21, d22)
			if !finite {
				return 0, Inertia{}, false
			}
			in.Neg += neg
			in.Zero += zero
			in.Pos += pos
		}
		kl += kstep
	}
	return kl, in, true
}

// ldltGemv subtracts from y(k:n) the updates of the panel columns k0..k0+kl-1
// to column (or row) r of the matrix:
//
//	y(k:n) -= A(k:n, k0:k0+kl) W(r, 0:kl)ᵀ
//
// xbuf is scratch of length at least kl.
func ldltGemv(a, w []float64, n, k0, kl, r, k int, y, xbuf []float64) {
	if kl == 0 {
		return
	}
	x := xbuf[:kl]
	for c := range x {
		x[c] = w[r+c*n]
	}
	gemvN(n-k, kl, -1, a[k+k0*n:], n, x, y[k:n])
}

// inertia2x2 returns the numbers of negative, zero and positive eigenvalues of
// the symmetric matrix [d11 d21; d21 d22], from the signs of its determinant
// and trace, and whether its entries are finite.
func inertia2x2(d11, d21, d22 float64) (neg, zero, pos int, finite bool) {
	for _, v := range [3]float64{d11, d21, d22} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, 0, false
		}
	}
	// Scale by the largest magnitude so the determinant cannot overflow.
	s := max(math.Abs(d11), math.Abs(d21), math.Abs(d22))
	if s == 0 {
		return 0, 2, 0, true
	}
	d11, d21, d22 = d11/s, d21/s, d22/s
	det := d11*d22 - d21*d21
	tr := d11 + d22
	switch {
	case det < 0:
		return 1, 0, 1, true
	case det > 0 && tr < 0:
		return 2, 0, 0, true
	case det > 0:
		return 0, 0, 2, true
	case tr < 0:
		return 1, 1, 0, true
	case tr > 0:
		return 0, 1, 1, true
	}
	return 0, 2, 0, true
}

// ldltInertiaShifted returns the inertia of the symmetric matrix whose lower
// triangle is in the column-major a (order n) for the tolerance tol: Neg is the
// number of negative pivots of A + tol I, Pos the number of positive pivots of
// A - tol I, and Zero the rest. The two factorisations run concurrently, one
// in a and one in a copy of its lower triangle; a is overwritten. ok is false
// if a pivot is not finite.
func ldltInertiaShifted(a []float64, n int, tol float64, workers int) (Inertia, bool) {
	if tol == 0 {
		return ldltInertia(a, n, workers)
	}
	b := make([]float64, len(a))
	for j := range n {
		copy(b[j+j*n:(j+1)*n], a[j+j*n:(j+1)*n])
		a[j+j*n] -= tol
		b[j+j*n] += tol
	}
	var (
		wg            sync.WaitGroup
		plus, minus   Inertia
		okPlus, okMin bool
		half          = max(1, workers/2)
	)
	wg.Go(func() {
		plus, okPlus = ldltInertia(b, n, half)
	})
	minus, okMin = ldltInertia(a, n, max(1, workers-half))
	wg.Wait()
	if !okPlus || !okMin {
		return Inertia{}, false
	}
	in := Inertia{Neg: plus.Neg, Pos: minus.Pos}
	in.Zero = n - in.Neg - in.Pos
	return in, true
}
