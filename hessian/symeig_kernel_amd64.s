//go:build amd64 && !noasm && !purego

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// One step of the 8×6 micro-kernel: A column in Y12, Y13 (rows 0-3, 4-7),
// six broadcast B entries, twelve fused multiply-adds into Y0-Y11.
#define GEMM_STEP(aoff, boff) \
	VMOVUPD      aoff(SI), Y12           \
	VMOVUPD      aoff+32(SI), Y13        \
	VBROADCASTSD boff(DI), Y14           \
	VFMADD231PD  Y14, Y12, Y0            \
	VFMADD231PD  Y14, Y13, Y1            \
	VBROADCASTSD boff+8(DI), Y15         \
	VFMADD231PD  Y15, Y12, Y2            \
	VFMADD231PD  Y15, Y13, Y3            \
	VBROADCASTSD boff+16(DI), Y14        \
	VFMADD231PD  Y14, Y12, Y4            \
	VFMADD231PD  Y14, Y13, Y5            \
	VBROADCASTSD boff+24(DI), Y15        \
	VFMADD231PD  Y15, Y12, Y6            \
	VFMADD231PD  Y15, Y13, Y7            \
	VBROADCASTSD boff+32(DI), Y14        \
	VFMADD231PD  Y14, Y12, Y8            \
	VFMADD231PD  Y14, Y13, Y9            \
	VBROADCASTSD boff+40(DI), Y15        \
	VFMADD231PD  Y15, Y12, Y10           \
	VFMADD231PD  Y15, Y13, Y11

// Adds alpha (in Y14) times the accumulators lo, hi to the column of C at DX
// and advances DX by the column stride R8.
#define GEMM_STORE(lo, hi) \
	VMOVUPD     (DX), Y12      \
	VMOVUPD     32(DX), Y13    \
	VFMADD231PD Y14, lo, Y12   \
	VFMADD231PD Y14, hi, Y13   \
	VMOVUPD     Y12, (DX)      \
	VMOVUPD     Y13, 32(DX)    \
	ADDQ        R8, DX

// func gemmKernelFMA(k int, a, b, c []float64, ldc int, alpha float64)
TEXT ·gemmKernelFMA(SB), NOSPLIT, $0-96
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), DI
	MOVQ c_base+56(FP), DX
	MOVQ ldc+80(FP), R8
	SHLQ $3, R8
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   gemm_tail

gemm_loop4:
	GEMM_STEP(0, 0)
	GEMM_STEP(64, 48)
	GEMM_STEP(128, 96)
	GEMM_STEP(192, 144)
	ADDQ $256, SI
	ADDQ $192, DI
	DECQ BX
	JNZ  gemm_loop4

gemm_tail:
	ANDQ $3, CX
	JZ   gemm_store

gemm_loop1:
	GEMM_STEP(0, 0)
	ADDQ $64, SI
	ADDQ $48, DI
	DECQ CX
	JNZ  gemm_loop1

gemm_store:
	VBROADCASTSD alpha+88(FP), Y14
	GEMM_STORE(Y0, Y1)
	GEMM_STORE(Y2, Y3)
	GEMM_STORE(Y4, Y5)
	GEMM_STORE(Y6, Y7)
	GEMM_STORE(Y8, Y9)
	GEMM_STORE(Y10, Y11)
	VZEROUPPER
	RET

// func dotAxpyFMA(alpha float64, a, x, y []float64) float64
TEXT ·dotAxpyFMA(SB), NOSPLIT, $0-88
	VBROADCASTSD alpha+0(FP), Y15
	MOVQ a_base+8(FP), SI
	MOVQ a_len+16(FP), CX
	MOVQ x_base+32(FP), R9
	MOVQ y_base+56(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	XORQ AX, AX
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   dot_tail4

dot_loop8:
	VMOVUPD     (SI)(AX*8), Y2
	VMOVUPD     32(SI)(AX*8), Y3
	VMOVUPD     (DI)(AX*8), Y4
	VMOVUPD     32(DI)(AX*8), Y5
	VFMADD231PD Y15, Y2, Y4
	VFMADD231PD Y15, Y3, Y5
	VMOVUPD     Y4, (DI)(AX*8)
	VMOVUPD     Y5, 32(DI)(AX*8)
	VFMADD231PD (R9)(AX*8), Y2, Y0
	VFMADD231PD 32(R9)(AX*8), Y3, Y1
	ADDQ        $8, AX
	DECQ        BX
	JNZ         dot_loop8

dot_tail4:
	TESTQ $4, CX
	JZ    dot_tail1
	VMOVUPD     (SI)(AX*8), Y2
	VMOVUPD     (DI)(AX*8), Y4
	VFMADD231PD Y15, Y2, Y4
	VMOVUPD     Y4, (DI)(AX*8)
	VFMADD231PD (R9)(AX*8), Y2, Y0
	ADDQ        $4, AX

dot_tail1:
	VADDPD       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VHADDPD      X0, X0, X0
	ANDQ         $3, CX
	JZ           dot_done

dot_loop1:
	VMOVSD      (SI)(AX*8), X2
	VMOVSD      (DI)(AX*8), X4
	VFMADD231SD X15, X2, X4
	VMOVSD      X4, (DI)(AX*8)
	VFMADD231SD (R9)(AX*8), X2, X0
	INCQ        AX
	DECQ        CX
	JNZ         dot_loop1

dot_done:
	VMOVSD X0, ret+80(FP)
	VZEROUPPER
	RET

// func gemvNFMA(m, n int, alpha float64, a []float64, lda int, x, y []float64)
TEXT ·gemvNFMA(SB), NOSPLIT, $0-104
	MOVQ         m+0(FP), CX
	MOVQ         n+8(FP), BX
	VBROADCASTSD alpha+16(FP), Y11
	MOVQ         a_base+24(FP), SI
	MOVQ         lda+48(FP), R8
	SHLQ         $3, R8
	MOVQ         x_base+56(FP), R9
	MOVQ         y_base+80(FP), DI

gemvn_col4:
	CMPQ         BX, $4
	JL           gemvn_col1
	VBROADCASTSD (R9), Y12
	VBROADCASTSD 8(R9), Y13
	VBROADCASTSD 16(R9), Y14
	VBROADCASTSD 24(R9), Y15
	VMULPD       Y11, Y12, Y12
	VMULPD       Y11, Y13, Y13
	VMULPD       Y11, Y14, Y14
	VMULPD       Y11, Y15, Y15
	LEAQ         (SI)(R8*1), R10
	LEAQ         (SI)(R8*2), R11
	LEAQ         (R10)(R8*2), R12
	XORQ         AX, AX
	MOVQ         CX, DX
	SHRQ         $3, DX
	JZ           gemvn_col4_rem4

gemvn_col4_loop8:
	VMOVUPD     (DI)(AX*8), Y0
	VMOVUPD     32(DI)(AX*8), Y1
	VMULPD      (R11)(AX*8), Y14, Y2
	VMULPD      32(R11)(AX*8), Y14, Y3
	VFMADD231PD (SI)(AX*8), Y12, Y0
	VFMADD231PD 32(SI)(AX*8), Y12, Y1
	VFMADD231PD (R12)(AX*8), Y15, Y2
	VFMADD231PD 32(R12)(AX*8), Y15, Y3
	VFMADD231PD (R10)(AX*8), Y13, Y0
	VFMADD231PD 32(R10)(AX*8), Y13, Y1
	VADDPD      Y2, Y0, Y0
	VADDPD      Y3, Y1, Y1
	VMOVUPD     Y0, (DI)(AX*8)
	VMOVUPD     Y1, 32(DI)(AX*8)
	ADDQ        $8, AX
	DECQ        DX
	JNZ         gemvn_col4_loop8

gemvn_col4_rem4:
	MOVQ CX, DX
	ANDQ $7, DX
	JZ   gemvn_col4_next

gemvn_col4_loop1:
	VMOVSD      (DI)(AX*8), X0
	VMULSD      (R11)(AX*8), X14, X2
	VFMADD231SD (SI)(AX*8), X12, X0
	VFMADD231SD (R12)(AX*8), X15, X2
	VFMADD231SD (R10)(AX*8), X13, X0
	VADDSD      X2, X0, X0
	VMOVSD      X0, (DI)(AX*8)
	INCQ        AX
	DECQ        DX
	JNZ         gemvn_col4_loop1

gemvn_col4_next:
	LEAQ (SI)(R8*4), SI
	ADDQ $32, R9
	SUBQ $4, BX
	JMP  gemvn_col4

gemvn_col1:
	TESTQ        BX, BX
	JZ           gemvn_done
	VBROADCASTSD (R9), Y12
	VMULPD       Y11, Y12, Y12
	XORQ         AX, AX
	MOVQ         CX, DX
	SHRQ         $2, DX
	JZ           gemvn_col1_rem

gemvn_col1_loop4:
	VMOVUPD     (DI)(AX*8), Y0
	VFMADD231PD (SI)(AX*8), Y12, Y0
	VMOVUPD     Y0, (DI)(AX*8)
	ADDQ        $4, AX
	DECQ        DX
	JNZ         gemvn_col1_loop4

gemvn_col1_rem:
	MOVQ CX, DX
	ANDQ $3, DX
	JZ   gemvn_col1_next

gemvn_col1_loop1:
	VMOVSD      (DI)(AX*8), X0
	VFMADD231SD (SI)(AX*8), X12, X0
	VMOVSD      X0, (DI)(AX*8)
	INCQ        AX
	DECQ        DX
	JNZ         gemvn_col1_loop1

gemvn_col1_next:
	ADDQ R8, SI
	ADDQ $8, R9
	DECQ BX
	JMP  gemvn_col1

gemvn_done:
	VZEROUPPER
	RET

// Horizontal sum of the four lanes of Y register r into the low lane of X
// register x (clobbers X10).
#define HSUM(r, x) \
	VEXTRACTF128 $1, r, X10 \
	VADDPD       X10, x, x  \
	VHADDPD      x, x, x

// func gemvTFMA(m, n int, alpha float64, a []float64, lda int, x, y []float64)
TEXT ·gemvTFMA(SB), NOSPLIT, $0-104
	MOVQ m+0(FP), CX
	MOVQ n+8(FP), BX
	MOVQ a_base+24(FP), SI
	MOVQ lda+48(FP), R8
	SHLQ $3, R8
	MOVQ x_base+56(FP), R9
	MOVQ y_base+80(FP), DI

gemvt_col4:
	CMPQ   BX, $4
	JL     gemvt_col1
	LEAQ   (SI)(R8*1), R10
	LEAQ   (SI)(R8*2), R11
	LEAQ   (R10)(R8*2), R12
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   CX, DX
	SHRQ   $2, DX
	JZ     gemvt_col4_sum

gemvt_col4_loop4:
	VMOVUPD     (R9)(AX*8), Y8
	VFMADD231PD (SI)(AX*8), Y8, Y0
	VFMADD231PD (R10)(AX*8), Y8, Y1
	VFMADD231PD (R11)(AX*8), Y8, Y2
	VFMADD231PD (R12)(AX*8), Y8, Y3
	ADDQ        $4, AX
	DECQ        DX
	JNZ         gemvt_col4_loop4

gemvt_col4_sum:
	HSUM(Y0, X0)
	HSUM(Y1, X1)
	HSUM(Y2, X2)
	HSUM(Y3, X3)
	MOVQ CX, DX
	ANDQ $3, DX
	JZ   gemvt_col4_store

gemvt_col4_loop1:
	VMOVSD      (R9)(AX*8), X8
	VFMADD231SD (SI)(AX*8), X8, X0
	VFMADD231SD (R10)(AX*8), X8, X1
	VFMADD231SD (R11)(AX*8), X8, X2
	VFMADD231SD (R12)(AX*8), X8, X3
	INCQ        AX
	DECQ        DX
	JNZ         gemvt_col4_loop1

gemvt_col4_store:
	VMOVSD      alpha+16(FP), X9
	VMOVSD      (DI), X8
	VFMADD231SD X9, X0, X8
	VMOVSD      X8, (DI)
	VMOVSD      8(DI), X8
	VFMADD231SD X9, X1, X8
	VMOVSD      X8, 8(DI)
	VMOVSD      16(DI), X8
	VFMADD231SD X9, X2, X8
	VMOVSD      X8, 16(DI)
	VMOVSD      24(DI), X8
	VFMADD231SD X9, X3, X8
	VMOVSD      X8, 24(DI)
	LEAQ        (SI)(R8*4), SI
	ADDQ        $32, DI
	SUBQ        $4, BX
	JMP         gemvt_col4

gemvt_col1:
	TESTQ  BX, BX
	JZ     gemvt_done
	VXORPD Y0, Y0, Y0
	XORQ   AX, AX
	MOVQ   CX, DX
	SHRQ   $2, DX
	JZ     gemvt_col1_sum

gemvt_col1_loop4:
	VMOVUPD     (R9)(AX*8), Y8
	VFMADD231PD (SI)(AX*8), Y8, Y0
	ADDQ        $4, AX
	DECQ        DX
	JNZ         gemvt_col1_loop4

gemvt_col1_sum:
	HSUM(Y0, X0)
	MOVQ CX, DX
	ANDQ $3, DX
	JZ   gemvt_col1_store

gemvt_col1_loop1:
	VMOVSD      (R9)(AX*8), X8
	VFMADD231SD (SI)(AX*8), X8, X0
	INCQ        AX
	DECQ        DX
	JNZ         gemvt_col1_loop1

gemvt_col1_store:
	VMOVSD      alpha+16(FP), X9
	VMOVSD      (DI), X8
	VFMADD231SD X9, X0, X8
	VMOVSD      X8, (DI)
	ADDQ        R8, SI
	ADDQ        $8, DI
	DECQ        BX
	JMP         gemvt_col1

gemvt_done:
	VZEROUPPER
	RET

// One step of the 16×12 AVX-512 micro-kernel: A column in Z28, Z29 (rows
// 0-7, 8-15), twelve broadcast B entries, 24 fused multiply-adds into Z0-Z23.
#define GEMM16_PAIR(boff, c0, c1, c2, c3) \
	VBROADCASTSD boff(DI), Z30    \
	VBROADCASTSD boff+8(DI), Z31  \
	VFMADD231PD  Z30, Z28, c0     \
	VFMADD231PD  Z30, Z29, c1     \
	VFMADD231PD  Z31, Z28, c2     \
	VFMADD231PD  Z31, Z29, c3

#define GEMM16_STEP(aoff, boff) \
	VMOVUPD aoff(SI), Z28                      \
	VMOVUPD aoff+64(SI), Z29                   \
	GEMM16_PAIR(boff, Z0, Z1, Z2, Z3)          \
	GEMM16_PAIR(boff+16, Z4, Z5, Z6, Z7)       \
	GEMM16_PAIR(boff+32, Z8, Z9, Z10, Z11)     \
	GEMM16_PAIR(boff+48, Z12, Z13, Z14, Z15)   \
	GEMM16_PAIR(boff+64, Z16, Z17, Z18, Z19)   \
	GEMM16_PAIR(boff+80, Z20, Z21, Z22, Z23)

// Adds alpha (in Z30) times the accumulators lo, hi to the column of C at DX
// and advances DX by the column stride R8.
#define GEMM16_STORE(lo, hi) \
	VMOVUPD     (DX), Z28    \
	VMOVUPD     64(DX), Z29  \
	VFMADD231PD Z30, lo, Z28 \
	VFMADD231PD Z30, hi, Z29 \
	VMOVUPD     Z28, (DX)    \
	VMOVUPD     Z29, 64(DX)  \
	ADDQ        R8, DX

// func gemmKernel512(k int, a, b, c []float64, ldc int, alpha float64)
TEXT ·gemmKernel512(SB), NOSPLIT, $0-96
	MOVQ   k+0(FP), CX
	MOVQ   a_base+8(FP), SI
	MOVQ   b_base+32(FP), DI
	MOVQ   c_base+56(FP), DX
	MOVQ   ldc+80(FP), R8
	SHLQ   $3, R8
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	MOVQ   CX, BX
	SHRQ   $1, BX
	JZ     gemm16_tail

gemm16_loop2:
	GEMM16_STEP(0, 0)
	GEMM16_STEP(128, 96)
	ADDQ $256, SI
	ADDQ $192, DI
	DECQ BX
	JNZ  gemm16_loop2

gemm16_tail:
	ANDQ $1, CX
	JZ   gemm16_store
	GEMM16_STEP(0, 0)

gemm16_store:
	VBROADCASTSD alpha+88(FP), Z30
	GEMM16_STORE(Z0, Z1)
	GEMM16_STORE(Z2, Z3)
	GEMM16_STORE(Z4, Z5)
	GEMM16_STORE(Z6, Z7)
	GEMM16_STORE(Z8, Z9)
	GEMM16_STORE(Z10, Z11)
	GEMM16_STORE(Z12, Z13)
	GEMM16_STORE(Z14, Z15)
	GEMM16_STORE(Z16, Z17)
	GEMM16_STORE(Z18, Z19)
	GEMM16_STORE(Z20, Z21)
	GEMM16_STORE(Z22, Z23)
	VZEROUPPER
	RET

// func symv4FMA(a []float64, lda int, x, y []float64, s *[8]float64)
TEXT ·symv4FMA(SB), NOSPLIT, $0-88
	MOVQ         a_base+0(FP), SI
	MOVQ         lda+24(FP), R8
	SHLQ         $3, R8
	LEAQ         (SI)(R8*1), R10
	LEAQ         (SI)(R8*2), R11
	LEAQ         (R10)(R8*2), R12
	MOVQ         x_base+32(FP), R9
	MOVQ         x_len+40(FP), CX
	MOVQ         y_base+56(FP), DI
	MOVQ         s+80(FP), DX
	VBROADCASTSD (DX), Y12
	VBROADCASTSD 8(DX), Y13
	VBROADCASTSD 16(DX), Y14
	VBROADCASTSD 24(DX), Y15
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	VXORPD       Y2, Y2, Y2
	VXORPD       Y3, Y3, Y3
	XORQ         AX, AX
	MOVQ         CX, BX
	SHRQ         $2, BX
	JZ           symv4_tail

symv4_loop:
	VMOVUPD     (R9)(AX*8), Y8
	VMOVUPD     (DI)(AX*8), Y9
	VMOVUPD     (SI)(AX*8), Y4
	VMOVUPD     (R10)(AX*8), Y5
	VMOVUPD     (R11)(AX*8), Y6
	VMOVUPD     (R12)(AX*8), Y7
	VMULPD      Y14, Y6, Y10
	VFMADD231PD Y12, Y4, Y9
	VFMADD231PD Y15, Y7, Y10
	VFMADD231PD Y13, Y5, Y9
	VFMADD231PD Y8, Y4, Y0
	VFMADD231PD Y8, Y5, Y1
	VFMADD231PD Y8, Y6, Y2
	VFMADD231PD Y8, Y7, Y3
	VADDPD      Y10, Y9, Y9
	VMOVUPD     Y9, (DI)(AX*8)
	ADDQ        $4, AX
	DECQ        BX
	JNZ         symv4_loop

symv4_tail:
	HSUM(Y0, X0)
	HSUM(Y1, X1)
	HSUM(Y2, X2)
	HSUM(Y3, X3)
	ANDQ $3, CX
	JZ   symv4_done

symv4_loop1:
	VMOVSD      (R9)(AX*8), X8
	VMOVSD      (DI)(AX*8), X9
	VMOVSD      (SI)(AX*8), X4
	VMOVSD      (R10)(AX*8), X5
	VMOVSD      (R11)(AX*8), X6
	VMOVSD      (R12)(AX*8), X7
	VMULSD      X14, X6, X10
	VFMADD231SD X12, X4, X9
	VFMADD231SD X15, X7, X10
	VFMADD231SD X13, X5, X9
	VFMADD231SD X8, X4, X0
	VFMADD231SD X8, X5, X1
	VFMADD231SD X8, X6, X2
	VFMADD231SD X8, X7, X3
	VADDSD      X10, X9, X9
	VMOVSD      X9, (DI)(AX*8)
	INCQ        AX
	DECQ        CX
	JNZ         symv4_loop1

symv4_done:
	VMOVSD X0, 32(DX)
	VMOVSD X1, 40(DX)
	VMOVSD X2, 48(DX)
	VMOVSD X3, 56(DX)
	VZEROUPPER
	RET
