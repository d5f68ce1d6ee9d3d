package hessian

import (
	"math"
	"runtime"
	"sync"
)

// This file holds the level-3 kernel of the symmetric eigensolver and of the
// LDLᵀ factorisation: a packed, cache-blocked matrix product on column-major
// storage in the style of Goto and van de Geijn (ACM TOMS 34(3), 2008), with
// an 8×6 register-blocked micro-kernel. On amd64 processors with AVX2 and FMA3
// the micro-kernel is written in assembly; elsewhere a Go version is used.
//
// Every element of C is accumulated in the same order whatever the number of
// workers: the k dimension is always cut at multiples of gemmKC, and the tile
// grid is anchored at row and column zero. Results are therefore independent
// of GOMAXPROCS.

const (
	gemmMR = 8    // rows of the micro-kernel's tile
	gemmNR = 6    // columns of the micro-kernel's tile
	gemmKC = 256  // depth of a packed panel
	gemmMC = 192  // rows of a packed block of A (a multiple of gemmMR)
	gemmNC = 2046 // columns of a packed panel of B (a multiple of gemmNR)

	// gemmMinWork is the number of multiply-adds below which a product is not
	// split between goroutines.
	gemmMinWork = 1 << 18
)

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
}

// gemm computes C = beta*C + alpha*op(A)*op(B) for column-major matrices
// using up to workers goroutines.
func gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, workers int) {
	g := gemmOp{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, false}
	g.run(workers)
}

// gemmLower is gemm restricted to the lower triangle of the n×n matrix C,
// as the level-3 BLAS routines Dsyrk and Dsyr2k do.
func gemmLower(transA, transB bool, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, workers int) {
	g := gemmOp{transA, transB, n, n, k, alpha, a, lda, b, ldb, beta, c, ldc, true}
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
// p. Columns are cut at multiples of gemmNR and rows at multiples of gemmMR
// so that the tile grid does not depend on p.
func (g *gemmOp) part(t, p int) (i0, i1, j0, j1 int) {
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
			return min(g.n, int(j)/gemmNR*gemmNR)
		}
		return 0, g.m, cut(t), cut(t + 1)
	case g.n >= g.m:
		cut := func(t int) int {
			return min(g.n, (g.n*t/p)/gemmNR*gemmNR)
		}
		if t == p-1 {
			return 0, g.m, cut(t), g.n
		}
		return 0, g.m, cut(t), cut(t + 1)
	default:
		cut := func(t int) int {
			return min(g.m, (g.m*t/p)/gemmMR*gemmMR)
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
			is = max(i0, jc/gemmMR*gemmMR)
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

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into dst as row panels of gemmMR
// rows, each stored column after column, padded with zeros.
func (g *gemmOp) packA(dst []float64, ic, mc, pc, kc int) {
	a, lda := g.a, g.lda
	for ir := 0; ir < mc; ir += gemmMR {
		mr := min(gemmMR, mc-ir)
		d := dst[ir*kc : ir*kc+gemmMR*kc]
		if !g.transA {
			for p := range kc {
				src := a[ic+ir+(pc+p)*lda:]
				dp := d[p*gemmMR : p*gemmMR+gemmMR]
				copy(dp, src[:mr])
				clear(dp[mr:])
			}
			continue
		}
		if mr < gemmMR {
			clear(d)
		}
		for i := range mr {
			src := a[pc+(ic+ir+i)*lda : pc+(ic+ir+i)*lda+kc]
			for p, v := range src {
				d[p*gemmMR+i] = v
			}
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into dst as column panels of gemmNR
// columns, each stored row after row, padded with zeros.
func (g *gemmOp) packB(dst []float64, pc, kc, jc, nc int) {
	b, ldb := g.b, g.ldb
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		d := dst[jr*kc : jr*kc+gemmNR*kc]
		if g.transB {
			for p := range kc {
				src := b[jc+jr+(pc+p)*ldb:]
				dp := d[p*gemmNR : p*gemmNR+gemmNR]
				copy(dp, src[:nr])
				clear(dp[nr:])
			}
			continue
		}
		if nr < gemmNR {
			clear(d)
		}
		for j := range nr {
			src := b[pc+(jc+jr+j)*ldb : pc+(jc+jr+j)*ldb+kc]
			for p, v := range src {
				d[p*gemmNR+j] = v
			}
		}
	}
}

// macro multiplies the packed block of A by the packed panel of B into C.
func (g *gemmOp) macro(pa, pb []float64, ic, mc, jc, nc, kc int) {
	var tmp [gemmMR * gemmNR]float64
	c, ldc := g.c, g.ldc
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		j := jc + jr
		bp := pb[jr*kc : jr*kc+gemmNR*kc]
		for ir := 0; ir < mc; ir += gemmMR {
			mr := min(gemmMR, mc-ir)
			i := ic + ir
			if g.lower && i+mr-1 < j {
				continue // the tile is above the diagonal
			}
			ap := pa[ir*kc : ir*kc+gemmMR*kc]
			if mr == gemmMR && nr == gemmNR && (!g.lower || i >= j+gemmNR-1) {
				microKernel(kc, ap, bp, c[i+j*ldc:], ldc, g.alpha)
				continue
			}
			// An edge tile or one that crosses the diagonal goes through tmp,
			// with the same arithmetic as a full tile.
			for jj := range nr {
				copy(tmp[jj*gemmMR:jj*gemmMR+mr], c[i+(j+jj)*ldc:i+(j+jj)*ldc+mr])
			}
			microKernel(kc, ap, bp, tmp[:], gemmMR, g.alpha)
			for jj := range nr {
				lo := 0
				if g.lower {
					lo = max(0, j+jj-i)
				}
				if lo < mr {
					copy(c[i+lo+(j+jj)*ldc:i+(j+jj)*ldc+mr], tmp[jj*gemmMR+lo:jj*gemmMR+mr])
				}
			}
		}
	}
}

// microKernel adds alpha times the product of an 8×kc packed panel a and a
// kc×6 packed panel b to the 8×6 column-major tile c with leading dimension
// ldc.
func microKernel(kc int, a, b, c []float64, ldc int, alpha float64) {
	_ = a[gemmMR*kc-1]
	_ = b[gemmNR*kc-1]
	_ = c[(gemmNR-1)*ldc+gemmMR-1]
	if hasFMA {
		gemmKernelFMA(kc, a, b, c, ldc, alpha)
		return
	}
	gemmKernelGo(kc, a, b, c, ldc, alpha)
}

// gemmKernelGo is
//
//	for j := range 6 {
//		for i := range 8 {
//			c[i+j*ldc] += alpha * Σ_p a[8*p+i] * b[6*p+j]
//		}
//	}
func gemmKernelGo(kc int, a, b, c []float64, ldc int, alpha float64) {
	for j := range gemmNR {
		for i0 := 0; i0 < gemmMR; i0 += 4 {
			var s0, s1, s2, s3 float64
			for p := range kc {
				bv := b[p*gemmNR+j]
				ap := a[p*gemmMR+i0 : p*gemmMR+i0+4 : p*gemmMR+i0+4]
				s0 += ap[0] * bv
				s1 += ap[1] * bv
				s2 += ap[2] * bv
				s3 += ap[3] * bv
			}
			cc := c[i0+j*ldc : i0+j*ldc+4 : i0+j*ldc+4]
			cc[0] += alpha * s0
			cc[1] += alpha * s1
			cc[2] += alpha * s2
			cc[3] += alpha * s3
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
