package hessian

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGemm is the triple loop that gemm and gemmLower must reproduce.
func naiveGemm(transA, transB, lower bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for j := range n {
		for i := range m {
			if lower && i < j {
				continue
			}
			var s float64
			for p := range k {
				var av, bv float64
				if transA {
					av = a[p+i*lda]
				} else {
					av = a[i+p*lda]
				}
				if transB {
					bv = b[j+p*ldb]
				} else {
					bv = b[p+j*ldb]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i+j*ldc] = alpha * s
			} else {
				c[i+j*ldc] = beta*c[i+j*ldc] + alpha*s
			}
		}
	}
}

func kernRandSlice(rnd *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rnd.NormFloat64()
	}
	return s
}

func TestGemm(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 1))
	// The sizes cross the blocking of the packed product: k beyond gemmKC
	// = 256, m beyond gemmMC = 192 and n beyond gemmNC = 2040.
	sizes := [][3]int{{1, 1, 1}, {3, 5, 2}, {8, 6, 1}, {9, 7, 13}, {17, 31, 260}, {200, 13, 20}, {13, 40, 257}, {2, 2100, 3}}
	if !testing.Short() {
		sizes = append(sizes, [3]int{250, 250, 520}, [3]int{13, 200, 257})
	}
	for ki, kern := range gemmKernels {
		if ki > 0 && testing.Short() {
			// The kernels not in use are compared with the Go one by
			// TestGemmKernels; the blocking with them only in long mode.
			break
		}
		for _, sz := range sizes {
			for _, lower := range []bool{false, true} {
				m, n, k := sz[0], sz[1], sz[2]
				if lower {
					n = m
				}
				for _, tA := range []bool{false, true} {
					for _, tB := range []bool{false, true} {
						for _, workers := range []int{1, 3} {
							// op(A) is m×k and op(B) k×n, stored with
							// padded leading dimensions.
							lda, acols, ldb, bcols, ldc := m+3, k, k+1, n, m+2
							if tA {
								lda, acols = k+2, m
							}
							if tB {
								ldb, bcols = n+1, k
							}
							a := kernRandSlice(rnd, lda*acols)
							b := kernRandSlice(rnd, ldb*bcols)
							c := kernRandSlice(rnd, ldc*n)
							want := append([]float64(nil), c...)
							alpha, beta := 0.7, -1.3
							naiveGemm(tA, tB, lower, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
							g := gemmOp{tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, lower, kern}
							g.run(workers)
							name := fmt.Sprintf("kernel %d %dx%d: m=%d,n=%d,k=%d,tA=%v,tB=%v,lower=%v,workers=%d", ki, kern.mr, kern.nr, m, n, k, tA, tB, lower, workers)
							for idx := range c {
								// Each entry is a sum of k products of N(0,1)
								// numbers: rounding error ~ k eps sqrt(k).
								if math.Abs(c[idx]-want[idx]) > 1e-13*float64(k+1)*(1+math.Abs(want[idx])) {
									t.Fatalf("%s: c[%d] = %v, want %v", name, idx, c[idx], want[idx])
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestGemmKernels(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, kern := range gemmKernels {
		for _, kc := range []int{0, 1, 3, 4, 7, 256} {
			a := kernRandSlice(rnd, kern.mr*kc)
			b := kernRandSlice(rnd, kern.nr*kc)
			ldc := kern.mr + 3
			c := kernRandSlice(rnd, ldc*kern.nr)
			want := append([]float64(nil), c...)
			gemmKernelGo(kern.mr, kern.nr, kc, a, b, want, ldc, -0.5)
			kern.fn(kc, a, b, c, ldc, -0.5)
			for i := range c {
				if math.Abs(c[i]-want[i]) > 1e-13*float64(kc+1) {
					t.Errorf("%dx%d kc=%d: c[%d] = %v, want %v", kern.mr, kern.nr, kc, i, c[i], want[i])
				}
			}
		}
	}
	if !hasFMA {
		return
	}
	for _, n := range []int{0, 1, 3, 4, 5, 8, 9, 15, 16, 17, 100} {
		a := kernRandSlice(rnd, n)
		x := kernRandSlice(rnd, n)
		y := kernRandSlice(rnd, n)
		y2 := append([]float64(nil), y...)
		s := dotAxpyFMA(0.3, a, x, y)
		s2 := dotAxpyGo(0.3, a, x, y2)
		if math.Abs(s-s2) > 1e-14*float64(n+1) {
			t.Errorf("n=%d: dot %v, want %v", n, s, s2)
		}
		for i := range y {
			if math.Abs(y[i]-y2[i]) > 1e-15*(1+math.Abs(y2[i])) {
				t.Errorf("n=%d: y[%d] = %v, want %v", n, i, y[i], y2[i])
			}
		}
	}
}

func TestGemv(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 3))
	for _, m := range []int{0, 1, 3, 4, 7, 8, 9, 17, 100} {
		for _, n := range []int{0, 1, 3, 4, 5, 9} {
			lda := m + 2
			a := kernRandSlice(rnd, lda*n+1)
			for _, trans := range []bool{false, true} {
				xn, yn := n, m
				if trans {
					xn, yn = m, n
				}
				x := kernRandSlice(rnd, xn)
				y := kernRandSlice(rnd, yn)
				want := append([]float64(nil), y...)
				if trans {
					gemvTGo(m, n, -0.7, a, lda, x, want)
					gemvT(m, n, -0.7, a, lda, x, y)
				} else {
					gemvNGo(m, n, -0.7, a, lda, x, want)
					gemvN(m, n, -0.7, a, lda, x, y)
				}
				for i := range y {
					if math.Abs(y[i]-want[i]) > 1e-14*float64(m+n+1) {
						t.Errorf("m=%d n=%d trans=%v: y[%d] = %v, want %v", m, n, trans, i, y[i], want[i])
					}
				}
			}
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	for ki, kern := range gemmKernels {
		for _, n := range []int{256, 1000, 2000} {
			if ki == len(gemmKernels)-1 && n > 256 {
				break // the Go kernel is slow
			}
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("kernel=%d/n=%d/workers=%d", ki, n, w), func(b *testing.B) {
					rnd := rand.New(rand.NewPCG(1, 1))
					x := kernRandSlice(rnd, n*n)
					y := kernRandSlice(rnd, n*n)
					z := make([]float64, n*n)
					b.ReportAllocs()
					for b.Loop() {
						g := gemmOp{false, true, n, n, n, 1, x, n, y, n, 0, z, n, false, kern}
						g.run(w)
					}
					b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
				})
			}
		}
	}
}
