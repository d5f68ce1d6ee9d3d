//go:build !amd64 || noasm || purego

package hessian

// hasFMA and hasAVX512 are false: there are no assembly kernels for this
// build.
const hasFMA, hasAVX512 = false, false

func gemmKernel512(k int, a, b, c []float64, ldc int, alpha float64) {
	panic("hessian: no assembly kernel")
}

func gemmKernelFMA(k int, a, b, c []float64, ldc int, alpha float64) {
	panic("hessian: no assembly kernel")
}

func dotAxpyFMA(alpha float64, a, x, y []float64) float64 {
	panic("hessian: no assembly kernel")
}

func gemvNFMA(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	panic("hessian: no assembly kernel")
}

func gemvTFMA(m, n int, alpha float64, a []float64, lda int, x, y []float64) {
	panic("hessian: no assembly kernel")
}

func symv4FMA(a []float64, lda int, x, y []float64, s *[8]float64) {
	panic("hessian: no assembly kernel")
}
