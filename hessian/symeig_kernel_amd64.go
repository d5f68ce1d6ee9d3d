//go:build amd64 && !noasm && !purego

package hessian

// hasFMA reports whether the processor and the operating system support the
// AVX2 and FMA3 instructions used by the assembly kernels, and hasAVX512
// whether they also support the AVX-512 foundation instructions.
var hasFMA, hasAVX512 = detectFMA(), detectAVX512()

func detectAVX512() bool {
	if !detectFMA() {
		return false
	}
	// The operating system must save the opmask and ZMM registers (XCR0
	// bits 5, 6, 7) besides XMM and YMM.
	if eax, _ := xgetbv(); eax&0xe6 != 0xe6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	return ebx7&avx512f != 0
}

func detectFMA() bool {
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	// The operating system must save the XMM and YMM registers (XCR0 bits 1, 2).
	if eax, _ := xgetbv(); eax&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

// cpuid executes the CPUID instruction for leaf eax and sub-leaf ecx.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv returns the extended control register XCR0.
func xgetbv() (eax, edx uint32)

// gemmKernelFMA is gemmKernelGo (see there) with AVX2 and FMA3 instructions.
//
//go:noescape
func gemmKernelFMA(k int, a, b, c []float64, ldc int, alpha float64)

// gemmKernel512 is gemmKernelGo (see there) for 16×12 tiles with AVX-512
// instructions.
//
//go:noescape
func gemmKernel512(k int, a, b, c []float64, ldc int, alpha float64)

// dotAxpyFMA is dotAxpyGo (see there) with AVX2 and FMA3 instructions.
//
//go:noescape
func dotAxpyFMA(alpha float64, a, x, y []float64) float64

// gemvNFMA is gemvNGo (see there) with AVX2 and FMA3 instructions.
//
//go:noescape
func gemvNFMA(m, n int, alpha float64, a []float64, lda int, x, y []float64)

// gemvTFMA is gemvTGo (see there) with AVX2 and FMA3 instructions.
//
//go:noescape
func gemvTFMA(m, n int, alpha float64, a []float64, lda int, x, y []float64)

// symv4FMA is symv4Go (see there) with AVX2 and FMA3 instructions.
//
//go:noescape
func symv4FMA(a []float64, lda int, x, y []float64, s *[8]float64)
