package hessian

import (
	"math"
	"runtime"
	"sync"
)

// This file holds the level-3 kernel of the symmetric eigensolver and of the
// LDLᵀ factorisation: a packed, cache-blocked matrix product on column-major
// storage in the style of Goto and van de Geijn (ACM TOMS 34(3), 2008), with
// a register-blocked micro-kernel: 16×12 in AVX-512 assembly or 8×6 in AVX2
// and FMA3 assembly on amd64 processors that have them, 8×6 in Go elsewhere.
//
// Every element of C is accumulated in the same order whatever the number of
// workers: the k dimension is always cut at multiples of gemmKC, and the tile
// grid is anchored at row and column zero. Results are therefore independent
// of GOMAXPROCS.

const (
	gemmKC = 256  // depth of a packed panel
	gemmMC = 192  // rows of a packed block of A (a multiple of every mr)
	gemmNC = 2040 // columns of a packed panel of B (a multiple of every nr)

	// gemmMaxTile is the largest mr*nr of the micro-kernels.
	gemmMaxTile = 16 * 12

	// gemmMinWork is the number of multiply-adds below which a product is not
	// split between goroutines.
	gemmMinWork = 1 << 18
)

// gemmKernel is a micro-kernel: fn adds alpha times the product of an mr×kc
// panel a, stored column after column, and a kc×nr panel b, stored row after
// row, to the mr×nr column-major tile c with leading dimension ldc.
type gemmKernel struct {
	mr, nr int
	fn     func(kc int, a, b, c []float64, ldc int, alpha float64)
}

// gemmKernels are the micro-kernels available on this processor, the fastest
// first; gemm uses the first.
var gemmKernels = availableKernels()

func availableKernels() []gemmKernel {
	var ks []gemmKernel
	if hasAVX512 {
		ks = append(ks, gemmKernel{16, 12, gemmKernel512})
	}
	if hasFMA {
		ks = append(ks, gemmKernel{8, 6, gemmKernelFMA})
	}
	return append(ks, gemmKernel{8, 6, func(kc int, a, b, c []float64, ldc int, alpha float64) {
		gemmKernelGo(8, 6, kc, a, b, c, ldc, alpha)
	}})
}

// gemmPool holds packing buffers of gemmMC*gemmKC + gemmKC*gemmNC elements.
var gemmPool = sync.Pool{New: func() any {
	s := make([]float64, gemmMC*gemmKC+gemmKC*gemmNC)
	return &s
}}

// gemmOp describes the column-major product
//
//	C = beta*C + alpha*op(A)*op(B)
//
// with op(A) m×k, op(B) k×n and C m×n; op(X) is X or Xᵀ. Element (i, j) of a
// column-major matrix X with leading dimension ldx is x[i+j*ldx]. When lower is
// set C is square and only its lower triangle, i >= j, is referenced.
type gemmOp struct {
	transA, transB bool
	m, n, k        int
	alpha          float64
	a              []float64
	lda            int
	b              []float64
	ldb            int
	beta           float64
	c              []float64
	ldc            int
	lower          bool
	kern           gemmKernel
}

// gemm computes C = beta*C + alpha*op(A)*op(B) for column-major matrices
// using up to workers goroutines.
func gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, workers int) {
	g := gemmOp{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, false, gemmKernels[0]}
	g.run(workers)
}

// gemmLower is gemm restricted to the lower triangle of the n×n matrix C,
// as the level-3 BLAS routines Dsyrk and Dsyr2k do.
func gemmLower(transA, transB bool, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, workers int) {
	g := gemmOp{transA, transB, n, n, k, alpha, a, lda, b, ldb, beta, c, ldc, true, gemmKernels[0]}
	g.run(workers)
}

// symeigWorkers is the number of goroutines a parallel kernel uses.
func symeigWorkers() int {
	return runtime.GOMAXPROCS(0)
}

func (g *gemmOp) run(workers int) {
	if g.m == 0 || g.n == 0 {
		return
	}
	g.scale()
	if g.alpha == 0 || g.k == 0 {
		return
	}
	work := float64(g.m) * float64(g.n) * float64(g.k)
	if g.lower {
		work /= 2
	}
	p := max(1, min(workers, int(work/gemmMinWork)))
	if p == 1 {
		g.serial(0, g.m, 0, g.n)
		return
	}
	var wg sync.WaitGroup
	for t := range p {
		i0, i1, j0, j1 := g.part(t, p)
		if i0 >= i1 || j0 >= j1 {
			continue
		}
		wg.Go(func() { g.serial(i0, i1, j0, j1) })
	}
	wg.Wait()
}

// part returns the rows [i0, i1) and columns [j0, j1) of C given to part t of
// p. Columns are cut at multiples of nr and rows at multiples of mr so that
// the tile grid does not depend on p.
func (g *gemmOp) part(t, p int) (i0, i1, j0, j1 int) {
	mr, nr := g.kern.mr, g.kern.nr
	switch {
	case g.lower:
		// Cut the triangle into p parts of equal area: the columns [0, j)
		// hold n*j - j*j/2 elements.
		n := float64(g.n)
		cut := func(t int) int {
			if t == p {
				return g.n
			}
			area := float64(t) / float64(p) * n * n / 2
			j := n - math.Sqrt(n*n-2*area)
			return min(g.n, int(j)/nr*nr)
		}
		return 0, g.m, cut(t), cut(t + 1)
	case g.n >= g.m:
		cut := func(t int) int {
			return min(g.n, (g.n*t/p)/nr*nr)
		}
		if t == p-1 {
			return 0, g.m, cut(t), g.n
		}
		return 0, g.m, cut(t), cut(t + 1)
	default:
		cut := func(t int) int {
			return min(g.m, (g.m*t/p)/mr*mr)
		}
		if t == p-1 {
			return cut(t), g.m, 0, g.n
		}
		return cut(t), cut(t + 1), 0, g.n
	}
}

// scale multiplies C by beta.
func (g *gemmOp) scale() {
	if g.beta == 1 {
		return
	}
	for j := range g.n {
		i0 := 0
		if g.lower {
			i0 = j
		}
		col := g.c[i0+j*g.ldc : g.m+j*g.ldc]
		if g.beta == 0 {
			clear(col)
			continue
		}
		for i := range col {
			col[i] *= g.beta
		}
	}
}

// serial accumulates alpha*op(A)*op(B) into the rows [i0, i1) and columns
// [j0, j1) of C on the calling goroutine.
func (g *gemmOp) serial(i0, i1, j0, j1 int) {
	bufp := gemmPool.Get().(*[]float64)
	defer gemmPool.Put(bufp)
	buf := *bufp
	pa := buf[:gemmMC*gemmKC]
	pb := buf[gemmMC*gemmKC:]
	for jc := j0; jc < j1; jc += gemmNC {
		nc := min(gemmNC, j1-jc)
		is := i0
		if g.lower {
			// Rows above the first column of the panel are not referenced.
			is = max(i0, jc/g.kern.mr*g.kern.mr)
		}
		for pc := 0; pc < g.k; pc += gemmKC {
			kc := min(gemmKC, g.k-pc)
			g.packB(pb, pc, kc, jc, nc)
			for ic := is; ic < i1; ic += gemmMC {
				mc := min(gemmMC, i1-ic)
				g.packA(pa, ic, mc, pc, kc)
				g.macro(pa, pb, ic, mc, jc, nc, kc)
			}
		}
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into dst as row panels of mr rows,
// each stored column after column, padded with zeros.
func (g *gemmOp) packA(dst []float64, ic, mc, pc, kc int) {
	a, lda, pm := g.a, g.lda, g.kern.mr
	for ir := 0; ir < mc; ir += pm {
		mr := min(pm, mc-ir)
		d := dst[ir*kc : ir*kc+pm*kc]
		if !g.transA {
			for p := range kc {
				src := a[ic+ir+(pc+p)*lda:]
				dp := d[p*pm : p*pm+pm]
				copy(dp, src[:mr])
				clear(dp[mr:])
			}
			continue
		}
		if mr < pm {
			clear(d)
		}
		for i := range mr {
			src := a[pc+(ic+ir+i)*lda : pc+(ic+ir+i)*lda+kc]
			for p, v := range src {
				d[p*pm+i] = v
			}
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into dst as column panels of nr
// columns, each stored row after row, padded with zeros.
func (g *gemmOp) packB(dst []float64, pc, kc, jc, nc int) {
	b, ldb, pn := g.b, g.ldb, g.kern.nr
	for jr := 0; jr < nc; jr += pn {
		nr := min(pn, nc-jr)
		d := dst[jr*kc : jr*kc+pn*kc]
		if g.transB {
			for p := range kc {
				src := b[jc+jr+(pc+p)*ldb:]
				dp := d[p*pn : p*pn+pn]
				copy(dp, src[:nr])
				clear(dp[nr:])
			}
			continue
		}
		if nr < pn {
			clear(d)
		}
		for j := range nr {
			src := b[pc+(jc+jr+j)*ldb : pc+(jc+jr+j)*ldb+kc]
			for p, v := range src {
				d[p*pn+j] = v
			}
		}
	}
}

// macro multiplies the packed block of A by the packed panel of B into C.
func (g *gemmOp) macro(pa, pb []float64, ic, mc, jc, nc, kc int) {
	var tmp [gemmMaxTile]float64
	c, ldc := g.c, g.ldc
	pm, pn, kernel := g.kern.mr, g.kern.nr, g.kern.fn
	for jr := 0; jr < nc; jr += pn {
		nr := min(pn, nc-jr)
		j := jc + jr
		bp := pb[jr*kc : jr*kc+pn*kc]
		for ir := 0; ir < mc; ir += pm {
			mr := min(pm, mc-ir)
			i := ic + ir
			if g.lower && i+mr-1 < j {
				continue // the tile is above the diagonal
			}
			ap := pa[ir*kc : ir*kc+pm*kc]
			if mr == pm && nr == pn && (!g.lower || i >= j+pn-1) {
				ct := c[i+j*ldc : i+(j+pn-1)*ldc+pm]
				kernel(kc, ap, bp, ct, ldc, g.alpha)
				continue
			}
			// An edge tile or one that crosses the diagonal goes through tmp,
			// with the same arithmetic as a full tile.
			for jj := range nr {
				copy(tmp[jj*pm:jj*pm+mr], c[i+(j+jj)*ldc:i+(j+jj)*ldc+mr])
			}
			kernel(kc, ap, bp, tmp[:pm*pn], pm, g.alpha)
			for jj := range nr {
				lo := 0
				if g.lower {
					lo = max(0, j+jj-i)
				}
				if lo < mr {
					copy(c[i+lo+(j+jj)*ldc:i+(j+jj)*ldc+mr], tmp[jj*pm+lo:jj*pm+mr])
				}
			}
		}
	}
}

// gemmKernelGo is the micro-kernel for mr×nr tiles, mr a multiple of 4 and
// nr a multiple of 2:
//
//	for j := range nr {
//		for i := range mr {
//			c[i+j*ldc] += alpha * Σ_p a[mr*p+i] * b[nr*p+j]
//		}
//	}
//
// It accumulates 4×2 blocks of the tile in registers.
func gemmKernelGo(mr, nr, kc int, a, b, c []float64, ldc int, alpha float64) {
	a = a[:mr*kc]
	b = b[:nr*kc]
	for j0 := 0; j0 < nr; j0 += 2 {
		for i0 := 0; i0 < mr; i0 += 4 {
			var c00, c10, c20, c30, c01, c11, c21, c31 float64
			for p := range kc {
				ap := a[p*mr+i0 : p*mr+i0+4 : p*mr+i0+4]
				bp := b[p*nr+j0 : p*nr+j0+2 : p*nr+j0+2]
				a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
				b0, b1 := bp[0], bp[1]
				c00 += a0 * b0
				c10 += a1 * b0
				c20 += a2 * b0
				c30 += a3 * b0
				c01 += a0 * b1
				c11 += a1 * b1
				c21 += a2 * b1
				c31 += a3 * b1
			}
			cc := c[i0+j0*ldc : i0+j0*ldc+4 : i0+j0*ldc+4]
			cc[0] += alpha * c00
			cc[1] += alpha * c10
			cc[2] += alpha * c20
			cc[3] += alpha * c30
			cc = c[i0+(j0+1)*ldc : i0+(j0+1)*ldc+4 : i0+(j0+1)*ldc+4]
			cc[0] += alpha * c01
			cc[1] += alpha * c11
			cc[2] += alpha * c21
			cc[3] += alpha * c31
		}
	}
}

// dotAxpy adds alpha*a to y and returns the dot product of a and x, in one
// pass over a. a, x and y have the same length.
func dotAxpy(alpha float64, a, x, y []float64) float64 {
	x = x[:len(a)]
	y = y[:len(a)]
	if hasFMA {
		return dotAxpyFMA(alpha, a, x, y)
	}
	return dotAxpyGo(alpha, a, x, y)
}

// dotAxpyGo is
//
//	for i, v := range a {
//		y[i] += alpha * v
//		s += v * x[i]
//	}
func dotAxpyGo(alpha float64, a, x, y []float64) float64 {
	x = x[:len(a)]
	y = y[:len(a)]
	var s float64
	for i, v := range a {
		y[i] += alpha * v
		s += v * x[i]
	}
	return s
}

// gemvN computes y += alpha*A*x for the column-major m×n matrix A with leading
// dimension lda.
func gemvN(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	if m == 0 || n == 0 {
		return
	}
	_ = a[(n-1)*lda+m-1]
	_ = x[n-1]
	_ = y[m-1]
	if hasFMA {
		gemvNFMA(m, n, alpha, a, lda, x, y)
		return
	}
	gemvNGo(m, n, alpha, a, lda, x, y)
}

// gemvNGo is
//
//	for j := range n {
//		for i := range m {
//			y[i] += alpha * x[j] * a[i+j*lda]
//		}
//	}
func gemvNGo(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	y = y[:m]
	for j := range n {
		s := alpha * x[j]
		col := a[j*lda : j*lda+m]
		for i, v := range col {
			y[i] += s * v
		}
	}
}

// gemvT computes y += alpha*Aᵀ*x for the column-major m×n matrix A with
// leading dimension lda.
func gemvT(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	if n == 0 {
		return
	}
	if m == 0 {
		return
	}
	_ = a[(n-1)*lda+m-1]
	_ = x[m-1]
	_ = y[n-1]
	if hasFMA {
		gemvTFMA(m, n, alpha, a, lda, x, y)
		return
	}
	gemvTGo(m, n, alpha, a, lda, x, y)
}

// gemvTGo is
//
//	for j := range n {
//		y[j] += alpha * Σ_i a[i+j*lda] * x[i]
//	}
func gemvTGo(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	x = x[:m]
	for j := range n {
		var s float64
		for i, v := range a[j*lda : j*lda+m] {
			s += v * x[i]
		}
		y[j] += alpha * s
	}
}

// symv4 applies four adjacent columns of a symmetric matrix's lower
// triangle below their diagonal block: with m = len(x) rows, a[i+c*lda] the
// entry in row i of column c, and s[0:4] the entries of the vector belonging
// to the four columns, it adds Σ_c s[c] a[i+c*lda] to y[i] and stores the dot
// products Σ_i a[i+c*lda] x[i] in s[4+c].
func symv4(a []float64, lda int, x, y []float64, s *[8]float64) {
	m := len(x)
	if m == 0 {
		s[4], s[5], s[6], s[7] = 0, 0, 0, 0
		return
	}
	_ = a[3*lda+m-1]
	_ = y[m-1]
	if hasFMA {
		symv4FMA(a, lda, x, y, s)
		return
	}
	symv4Go(a, lda, x, y, s)
}

// symv4Go is
//
//	for i := range x {
//		y[i] += s[0]*a[i] + s[1]*a[i+lda] + s[2]*a[i+2*lda] + s[3]*a[i+3*lda]
//		s[4+c] += a[i+c*lda] * x[i] for c = 0..3, starting from zero
//	}
func symv4Go(a []float64, lda int, x, y []float64, s *[8]float64) {
	m := len(x)
	y = y[:m]
	a0 := a[:m]
	a1 := a[lda : lda+m]
	a2 := a[2*lda : 2*lda+m]
	a3 := a[3*lda : 3*lda+m]
	var d0, d1, d2, d3 float64
	for i, xi := range x {
		y[i] += s[0]*a0[i] + s[1]*a1[i] + s[2]*a2[i] + s[3]*a3[i]
		d0 += a0[i] * xi
		d1 += a1[i] * xi
		d2 += a2[i] * xi
		d3 += a3[i] * xi
	}
	s[4], s[5], s[6], s[7] = d0, d1, d2, d3
}
