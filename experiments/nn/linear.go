package nn

import (
	"fmt"
	"slices"
	"sync"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// Norm is the normalisation c of the loss of a deep linear network,
//
//	L(W_1, ..., W_L) = c Σ_μ ‖y_μ − W_L ⋯ W_1 x_μ‖²,
//
// over N samples with n_L outputs.
type Norm int

const (
	// HalfMean is c = 1/(2N), the convention of MSE for an MLP.
	HalfMean Norm = iota
	// HalfSum is c = 1/2, Saxe, McClelland & Ganguli's (2013) time scale.
	// Their loss is Σ_μ ‖y_μ − W_32 W_21 x_μ‖² and their learning rule
	// ΔW_21 = λ Σ_μ W_32ᵀ(y_μ x_μᵀ − W_32 W_21 x_μ x_μᵀ) is gradient descent
	// with rate λ on half of it. With this norm, gradient descent with
	// learning rate η on L is the Euler step of
	//	τ dW_21/dt = W_32ᵀ(Σ31 − W_32 W_21 Σ11),  τ dW_32/dt = (Σ31 − W_32 W_21 Σ11) W_21ᵀ,
	// with τ = 1/η and the input-input and input-output correlations
	// Σ11 = Σ_μ x_μ x_μᵀ, Σ31 = Σ_μ y_μ x_μᵀ (and the same for any depth).
	// NewSaxeTask draws orthonormal inputs, so that Σ11 = I.
	HalfSum
	// EntryMean is c = 1/(N n_L), the mean over the entries of the
	// residual, as in Frye et al.'s (2019) deep linear autoencoder.
	EntryMean
)

// String returns the lower-case name of n.
func (n Norm) String() string {
	switch n {
	case HalfMean:
		return "half-mean"
	case HalfSum:
		return "half-sum"
	case EntryMean:
		return "entry-mean"
	}
	return fmt.Sprintf("Norm(%d)", int(n))
}

// DeepLinear describes a deep linear network x ↦ W_L ⋯ W_1 x with the
// squared loss of its Norm and no biases. Its parameters are laid out as
// an MLP's with NoBias: W_1, ..., W_L in order, each n_l × n_{l−1},
// row-major.
type DeepLinear struct {
	// Sizes are the widths n_0 (inputs), n_1, ..., n_L (outputs). There
	// must be at least two, all positive.
	Sizes []int

	// Norm is the normalisation of the loss. The zero value is HalfMean.
	Norm Norm
}

// linArch is a validated DeepLinear with its parameter offsets.
type linArch struct {
	sizes []int
	off   []int
	n     int
	norm  Norm
}

func (d DeepLinear) compile() linArch {
	if len(d.Sizes) < 2 {
		panic(fmt.Sprintf("nn: deep linear network needs at least two sizes, got %d", len(d.Sizes)))
	}
	for _, s := range d.Sizes {
		if s <= 0 {
			panic(fmt.Sprintf("nn: non-positive layer size in %v", d.Sizes))
		}
	}
	if d.Norm < HalfMean || d.Norm > EntryMean {
		panic(fmt.Sprintf("nn: unknown norm %d", int(d.Norm)))
	}
	a := linArch{sizes: slices.Clone(d.Sizes), off: make([]int, len(d.Sizes)-1), norm: d.Norm}
	for l := range a.off {
		a.off[l] = a.n
		a.n += a.sizes[l] * a.sizes[l+1]
	}
	return a
}

// NumParams returns Σ_l n_l n_{l−1}.
func (d DeepLinear) NumParams() int { return d.compile().n }

// Init fills dst with weights drawn by the scheme s at the given scale, as
// MLP.Init does, and returns it.
func (d DeepLinear) Init(dst []float64, s Scheme, scale float64, seed uint64) []float64 {
	a := d.compile()
	noBias := make([]int, len(a.off))
	for i := range noBias {
		noBias[i] = -1
	}
	return initLayers(dst, a.sizes, a.off, noBias, a.n, s, scale, seed)
}

// Layer returns a view into w of W_l, l = 1, ..., L.
func (d DeepLinear) Layer(w []float64, l int) *mat.Dense {
	a := d.compile()
	a.checkParams(w)
	if l < 1 || l > len(a.off) {
		panic(fmt.Sprintf("nn: layer %d out of range [1, %d]", l, len(a.off)))
	}
	return a.layer(w, l-1)
}

// Product returns the end-to-end map W_L ⋯ W_1 (n_L × n_0).
func (d DeepLinear) Product(w []float64) *mat.Dense {
	a := d.compile()
	a.checkParams(w)
	ws := a.newWork()
	a.prefix(ws, w)
	return mat.NewDense(a.sizes[len(a.off)], a.sizes[0], ws.q[len(a.off)])
}

func (a *linArch) checkParams(w []float64) {
	if len(w) != a.n {
		panic(fmt.Sprintf("nn: parameter vector has length %d, want %d", len(w), a.n))
	}
}

// layer returns W of layer l (0-based) as a view into w.
func (a *linArch) layer(w []float64, l int) *mat.Dense {
	in, out := a.sizes[l], a.sizes[l+1]
	return mat.NewDense(out, in, w[a.off[l]:a.off[l]+out*in])
}

// weights returns the n_{l+1} × n_l entries of W_l (layer l 0-based) in w,
// row-major.
func (a *linArch) weights(w []float64, l int) []float64 {
	return w[a.off[l] : a.off[l]+a.sizes[l]*a.sizes[l+1]]
}

// linWork holds the buffers of one evaluation of a deep linear network,
// each a row-major matrix whose stride is its number of columns. A
// LinearNet's pool holds them, so that Func, Grad and HessVec allocate
// nothing in steady state.
type linWork struct {
	q, qd [][]float64 // Q_l and Q̇_l (n_l × n_0), Q_0 = I and Q̇_0 = 0
	p, pd [][]float64 // P_l and Ṗ_l (n_L × n_{l+1}), P_{L−1} = I and Ṗ_{L−1} = 0
	e, ed []float64   // E and Ė (n_L × n_0)

	// s is scratch for the products of one layer: each buffer holds the
	// largest of n_0 n_L and, over the layers l, n_L n_l, n_{l+1} n_l,
	// n_{l+1} n_0 and n_L n_{l+1}.
	s [5][]float64

	// The buffers of the Hessian, grown on its first call (see buf).
	qs, heq, g1, g2, f, m, mNext []float64
}

// newWork returns the buffers of an evaluation of a, with Q_0, P_{L−1}
// set to the identity and Q̇_0, Ṗ_{L−1} to zero.
func (a *linArch) newWork() *linWork {
	nl := len(a.off)
	n0, nL := a.sizes[0], a.sizes[nl]
	ws := &linWork{
		q: make([][]float64, nl+1), qd: make([][]float64, nl+1),
		p: make([][]float64, nl), pd: make([][]float64, nl),
		e: make([]float64, nL*n0), ed: make([]float64, nL*n0),
	}
	ws.q[0] = identity(n0).RawMatrix().Data
	ws.qd[0] = make([]float64, n0*n0)
	for l := 1; l <= nl; l++ {
		ws.q[l] = make([]float64, a.sizes[l]*n0)
		ws.qd[l] = make([]float64, a.sizes[l]*n0)
	}
	ws.p[nl-1] = identity(nL).RawMatrix().Data
	ws.pd[nl-1] = make([]float64, nL*nL)
	for l := range nl - 1 {
		ws.p[l] = make([]float64, nL*a.sizes[l+1])
		ws.pd[l] = make([]float64, nL*a.sizes[l+1])
	}
	scratch := n0 * nL
	for l := range nl {
		in, out := a.sizes[l], a.sizes[l+1]
		scratch = max(scratch, nL*in, out*in, out*n0, nL*out)
	}
	for i := range ws.s {
		ws.s[i] = make([]float64, scratch)
	}
	return ws
}

// mul stores in c the m×n product op(A) op(B) with inner dimension k of
// row-major matrices: the Dgemm call of mat.Dense.Mul on the same operands,
// through gemmSeq, so with the same bits and without allocating.
func mul(tA, tB blas.Transpose, m, n, k int, a, b, c []float64) {
	gemmSeq(tA, tB, m, n, k, 1, a, b, 0, c)
}

// addTo stores dst + s in dst elementwise, as mat.Dense.Add(dst, s).
func addTo(dst, s []float64) {
	for i, v := range dst {
		dst[i] = v + s[i]
	}
}

// scaleBy stores f·dst in dst, as mat.Dense.Scale(f, dst).
func scaleBy(f float64, dst []float64) {
	for i, v := range dst {
		dst[i] = v * f
	}
}

// prefix stores in ws.q the products Q_0 = I, Q_{l+1} = W_l Q_l (layers
// 0-based), so that Q_l is n_l × n_0 and Q_L is the end-to-end map.
func (a *linArch) prefix(ws *linWork, w []float64) {
	n0 := a.sizes[0]
	for l := range a.off {
		mul(blas.NoTrans, blas.NoTrans, a.sizes[l+1], n0, a.sizes[l], a.weights(w, l), ws.q[l], ws.q[l+1])
	}
}

// suffix stores in ws.p the products P_{L−1} = I, P_l = P_{l+1} W_{l+1},
// so that P_l is n_L × n_{l+1} and the end-to-end map is P_l W_l Q_l.
func (a *linArch) suffix(ws *linWork, w []float64) {
	nl := len(a.off)
	nL := a.sizes[nl]
	for l := nl - 2; l >= 0; l-- {
		mul(blas.NoTrans, blas.NoTrans, nL, a.sizes[l+1], a.sizes[l+2], ws.p[l+1], a.weights(w, l+1), ws.p[l])
	}
}

func identity(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}

// linStats are the sufficient statistics of a data set for a deep linear
// network: Σxx = Σ_μ x_μ x_μᵀ, Σyx = Σ_μ y_μ x_μᵀ, and the R factor of the
// QR factorisation of [X Y], [[R11 R12] [0 R22]], which gives the loss
// without cancellation: Σ_μ ‖y_μ − W x_μ‖² = ‖R12 − R11 Wᵀ‖² + ‖R22‖².
type linStats struct {
	n        int
	sxx, syx *mat.Dense
	r11, r12 *mat.Dense
	r22sq    float64
}

func newLinStats(s samples, in, out int) *linStats {
	st := &linStats{n: s.n, sxx: mat.NewDense(in, in, nil), syx: mat.NewDense(out, in, nil)}
	gemm(blas.Trans, blas.NoTrans, in, in, s.n, 1, s.x, s.x, 0, st.sxx.RawMatrix().Data)
	gemm(blas.Trans, blas.NoTrans, out, in, s.n, 1, s.y, s.x, 0, st.syx.RawMatrix().Data)

	// QR of [X Y], padded with zero rows to at least in+out rows.
	k := in + out
	rows := max(s.n, k)
	z := blas64.General{Rows: rows, Cols: k, Stride: k, Data: make([]float64, rows*k)}
	for mu := range s.n {
		copy(z.Data[mu*k:mu*k+in], s.x[mu*in:(mu+1)*in])
		copy(z.Data[mu*k+in:(mu+1)*k], s.y[mu*out:(mu+1)*out])
	}
	tau := make([]float64, k)
	work := []float64{0}
	lapack64.Geqrf(z, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(z, tau, work, len(work))
	st.r11 = mat.NewDense(in, in, nil)
	st.r12 = mat.NewDense(in, out, nil)
	for i := range k {
		for j := i; j < k; j++ {
			v := z.Data[i*k+j]
			switch {
			case i < in && j < in:
				st.r11.Set(i, j, v)
			case i < in:
				st.r12.Set(i, j-in, v)
			default:
				st.r22sq += v * v
			}
		}
	}
	return st
}

// LinearNet is a deep linear network bound to a data set: the objective
//
//	L(w) = c Σ_μ ‖y_μ − W_L ⋯ W_1 x_μ‖²
//
// with c given by the Norm. It depends on the data only through Σxx,
// Σyx and a QR factor (see Norm), so every evaluation costs a few products
// of n_l-sized matrices whatever N is. Its Problem has the exact gradient,
// Hessian-vector product and Hessian. A LinearNet is safe for concurrent
// use.
type LinearNet struct {
	arch        linArch
	data        samples
	stats       *linStats
	autoencoder bool
	pool        sync.Pool // of *linWork, shared by Problem and every Batch

	eigOnce sync.Once
	eigVals []float64
	eigVecs *mat.Dense
}

// NewLinearNet returns the deep linear network d on the inputs in the rows
// of x (N × n_0) with the targets in the rows of y (N × n_L). It panics on
// an invalid architecture, mismatched shapes or an empty data set.
func NewLinearNet(d DeepLinear, x, y *mat.Dense) *LinearNet {
	a := d.compile()
	n, in := x.Dims()
	ny, out := y.Dims()
	if in != a.sizes[0] || ny != n || out != a.sizes[len(a.sizes)-1] {
		panic(fmt.Sprintf("nn: data %d×%d and %d×%d do not fit sizes %v", n, in, ny, out, a.sizes))
	}
	if n == 0 {
		panic("nn: empty data set")
	}
	s := samples{x: rowMajor(x), y: rowMajor(y), n: n}
	return &LinearNet{arch: a, data: s, stats: newLinStats(s, in, out)}
}

// NewLinearAutoencoder returns the deep linear autoencoder d on the rows
// of x: the LinearNet with targets y = x. The first and last sizes of d
// must be equal.
func NewLinearAutoencoder(d DeepLinear, x *mat.Dense) *LinearNet {
	n := NewLinearNet(d, x, x)
	n.autoencoder = true
	return n
}

// NumParams returns the number of parameters.
func (n *LinearNet) NumParams() int { return n.arch.n }

// Len returns the number of samples N.
func (n *LinearNet) Len() int { return n.data.n }

// Problem returns the objective over the whole data set.
func (n *LinearNet) Problem() hessian.Problem { return n.problem(n.stats) }

// Batch returns the objective over the samples with the given indices,
// with c computed for len(idx) samples. It panics on an empty idx or an
// index out of range.
func (n *LinearNet) Batch(idx []int) hessian.Problem {
	in, out := n.arch.sizes[0], n.arch.sizes[len(n.arch.sizes)-1]
	return n.problem(newLinStats(n.data.gather(idx, in, out), in, out))
}

// scale returns c for n samples.
func (a *linArch) scale(n int) float64 {
	switch a.norm {
	case HalfSum:
		return 0.5
	case EntryMean:
		return 1 / float64(n*a.sizes[len(a.sizes)-1])
	default:
		return 0.5 / float64(n)
	}
}

func (n *LinearNet) work() *linWork {
	if ws, ok := n.pool.Get().(*linWork); ok {
		return ws
	}
	return n.arch.newWork()
}

func (n *LinearNet) problem(st *linStats) hessian.Problem {
	a := &n.arch
	c := a.scale(st.n)
	nl := len(a.off)
	n0, nL := a.sizes[0], a.sizes[nl]
	return hessian.Problem{
		Func: func(w []float64) float64 {
			a.checkParams(w)
			ws := n.work()
			defer n.pool.Put(ws)
			a.prefix(ws, w)
			// ‖R12 − R11 Wᵀ‖² + ‖R22‖².
			r := ws.s[0][:n0*nL]
			mul(blas.NoTrans, blas.Trans, n0, nL, n0, st.r11.RawMatrix().Data, ws.q[nl], r)
			for i, v := range st.r12.RawMatrix().Data {
				r[i] = v - r[i]
			}
			f := lapack64.Lange(lapack.Frobenius, blas64.General{Rows: n0, Cols: nL, Stride: nL, Data: r}, nil)
			return c * (f*f + st.r22sq)
		},
		Grad: func(grad, w []float64) {
			a.checkParams(w)
			a.checkParams(grad)
			ws := n.work()
			defer n.pool.Put(ws)
			a.prefix(ws, w)
			a.suffix(ws, w)
			a.residual(ws, st)
			for l := range nl {
				// ∂L/∂W_l = 2c P_lᵀ E Q_lᵀ with E = W Σxx − Σyx.
				in, out := a.sizes[l], a.sizes[l+1]
				eq := ws.s[0][:nL*in]
				mul(blas.NoTrans, blas.Trans, nL, in, n0, ws.e, ws.q[l], eq)
				dst := a.weights(grad, l)
				mul(blas.Trans, blas.NoTrans, out, in, nL, ws.p[l], eq, dst)
				scaleBy(2*c, dst)
			}
		},
		HessVec: func(hv, w, v []float64) {
			a.checkParams(w)
			a.checkParams(v)
			a.checkParams(hv)
			ws := n.work()
			defer n.pool.Put(ws)
			a.hessVec(hv, ws, w, v, st, c)
		},
		Hess: func(h *mat.SymDense, w []float64) {
			a.checkParams(w)
			hessianDst(h, a.n)
			ws := n.work()
			defer n.pool.Put(ws)
			a.hessian(h, ws, w, st, c)
		},
	}
}

// residual stores E = W Σxx − Σyx in ws.e for the end-to-end map W = Q_L
// in ws.q.
func (a *linArch) residual(ws *linWork, st *linStats) {
	nl := len(a.off)
	n0, nL := a.sizes[0], a.sizes[nl]
	mul(blas.NoTrans, blas.NoTrans, nL, n0, n0, ws.q[nl], st.sxx.RawMatrix().Data, ws.e)
	for i, v := range st.syx.RawMatrix().Data {
		ws.e[i] -= v
	}
}

// hessVec stores H v in hv: with the directional derivatives Q̇_l, Ṗ_l of
// the prefix and suffix products along v and Ė = Ẇ Σxx, Ẇ = Q̇_L,
//
//	(H v)_l = 2c (Ṗ_lᵀ E Q_lᵀ + P_lᵀ Ė Q_lᵀ + P_lᵀ E Q̇_lᵀ).
func (a *linArch) hessVec(hv []float64, ws *linWork, w, v []float64, st *linStats, c float64) {
	nl := len(a.off)
	n0, nL := a.sizes[0], a.sizes[nl]
	a.prefix(ws, w)
	a.suffix(ws, w)
	for l := range nl {
		// Q̇_{l+1} = W_l Q̇_l + V_l Q_l.
		in, out := a.sizes[l], a.sizes[l+1]
		t := ws.s[0][:out*n0]
		mul(blas.NoTrans, blas.NoTrans, out, n0, in, a.weights(v, l), ws.q[l], t)
		mul(blas.NoTrans, blas.NoTrans, out, n0, in, a.weights(w, l), ws.qd[l], ws.qd[l+1])
		addTo(ws.qd[l+1], t)
	}
	for l := nl - 2; l >= 0; l-- {
		// Ṗ_l = Ṗ_{l+1} W_{l+1} + P_{l+1} V_{l+1}.
		in, out := a.sizes[l+1], a.sizes[l+2]
		t := ws.s[0][:nL*in]
		mul(blas.NoTrans, blas.NoTrans, nL, in, out, ws.p[l+1], a.weights(v, l+1), t)
		mul(blas.NoTrans, blas.NoTrans, nL, in, out, ws.pd[l+1], a.weights(w, l+1), ws.pd[l])
		addTo(ws.pd[l], t)
	}
	a.residual(ws, st)
	mul(blas.NoTrans, blas.NoTrans, nL, n0, n0, ws.qd[nl], st.sxx.RawMatrix().Data, ws.ed)
	for l := range nl {
		in, out := a.sizes[l], a.sizes[l+1]
		eq, edq, eqd, t := ws.s[0][:nL*in], ws.s[1][:nL*in], ws.s[2][:nL*in], ws.s[3][:nL*in]
		sum := ws.s[4][:out*in]
		mul(blas.NoTrans, blas.Trans, nL, in, n0, ws.e, ws.q[l], eq)
		mul(blas.NoTrans, blas.Trans, nL, in, n0, ws.ed, ws.q[l], edq)
		mul(blas.NoTrans, blas.Trans, nL, in, n0, ws.e, ws.qd[l], eqd)
		mul(blas.Trans, blas.NoTrans, out, in, nL, ws.pd[l], eq, sum)
		for i, x := range edq {
			t[i] = x + eqd[i]
		}
		dst := a.weights(hv, l)
		mul(blas.Trans, blas.NoTrans, out, in, nL, ws.p[l], t, dst)
		addTo(dst, sum)
		scaleBy(2*c, dst)
	}
}

// hessian stores the exact Hessian in h. With W = P_l W_l Q_l, the block
// of layers l ≤ m is
//
//	∂²L/∂W_l[i,j]∂W_m[a,b] = 2c (P_lᵀP_m)[i,a] (Q_l Σxx Q_mᵀ)[j,b]
//	                         + 2c [l < m] M_ml[b,i] (P_mᵀ E Q_lᵀ)[a,j],
//
// the Gauss–Newton term plus the second-order term with
// M_ml = W_{m−1} ⋯ W_{l+1} (the identity for m = l+1).
func (a *linArch) hessian(h *mat.SymDense, ws *linWork, w []float64, st *linStats, c float64) {
	nl := len(a.off)
	n0, nL := a.sizes[0], a.sizes[nl]
	a.prefix(ws, w)
	a.suffix(ws, w)
	a.residual(ws, st)
	for l := range nl {
		il, jl := a.sizes[l+1], a.sizes[l]
		qs := buf(&ws.qs, jl*n0) // Q_l Σxx
		mul(blas.NoTrans, blas.NoTrans, jl, n0, n0, ws.q[l], st.sxx.RawMatrix().Data, qs)
		eq := buf(&ws.heq, nL*jl) // E Q_lᵀ
		mul(blas.NoTrans, blas.Trans, nL, jl, n0, ws.e, ws.q[l], eq)
		m := buf(&ws.m, il*il) // M_kl, n_k × n_{l+1}
		clear(m)
		for i := range il {
			m[i*il+i] = 1
		}
		for k := l; k < nl; k++ {
			ak, bk := a.sizes[k+1], a.sizes[k]
			g1 := buf(&ws.g1, il*ak) // P_lᵀ P_k
			mul(blas.Trans, blas.NoTrans, il, ak, nL, ws.p[l], ws.p[k], g1)
			g2 := buf(&ws.g2, jl*bk) // Q_l Σxx Q_kᵀ
			mul(blas.NoTrans, blas.Trans, jl, bk, n0, qs, ws.q[k], g2)
			var f []float64 // P_kᵀ E Q_lᵀ
			if k > l {
				f = buf(&ws.f, ak*jl)
				mul(blas.Trans, blas.NoTrans, ak, jl, nL, ws.p[k], eq, f)
			}
			for i := range il {
				for j := range jl {
					r := a.off[l] + i*jl + j
					for ai := range ak {
						g1ia := g1[i*ak+ai]
						for b := range bk {
							col := a.off[k] + ai*bk + b
							if col < r {
								continue
							}
							v := g1ia * g2[j*bk+b]
							if k > l {
								v += m[b*il+i] * f[ai*jl+j]
							}
							h.SetSym(r, col, 2*c*v)
						}
					}
				}
			}
			if k > l {
				next := buf(&ws.mNext, ak*il)
				mul(blas.NoTrans, blas.NoTrans, ak, il, bk, a.weights(w, k), m, next)
				m = next
				ws.m, ws.mNext = ws.mNext, ws.m
			}
		}
	}
}

// DataEigen returns the eigenvalues of the second-moment matrix
// (1/N) Σ_μ x_μ x_μᵀ of the inputs (the covariance for centred data) in
// descending order, and the matching orthonormal eigenvectors as the
// columns of a new matrix. It returns an error when the eigensolver fails.
func (n *LinearNet) DataEigen() ([]float64, *mat.Dense, error) {
	n.eigOnce.Do(func() {
		var es mat.EigenSym
		k := n.arch.sizes[0]
		cov := mat.NewSymDense(k, nil)
		for i := range k {
			for j := i; j < k; j++ {
				cov.SetSym(i, j, n.stats.sxx.At(i, j)/float64(n.data.n))
			}
		}
		if !es.Factorize(cov, true) {
			return
		}
		vals := es.Values(nil)
		var vecs mat.Dense
		es.VectorsTo(&vecs)
		n.eigVals = make([]float64, k)
		n.eigVecs = mat.NewDense(k, k, nil)
		for c := range k {
			n.eigVals[c] = vals[k-1-c]
			for r := range k {
				n.eigVecs.Set(r, c, vecs.At(r, k-1-c))
			}
		}
	})
	if n.eigVals == nil {
		return nil, nil, fmt.Errorf("nn: eigendecomposition of the input second moments did not converge")
	}
	return slices.Clone(n.eigVals), mat.DenseCopyOf(n.eigVecs), nil
}

// CriticalPoint returns an analytic critical point of a two-layer linear
// autoencoder (sizes k, p, k) and its loss. With u_i the eigenvectors of
// the input second moments in the order of DataEigen (largest eigenvalue
// λ_0 first) and S = subset (distinct indices, at most p of them),
//
//	W_1 = [u_{S_1} ⋯ u_{S_|S|} 0 ⋯ 0]ᵀ (p × k),  W_2 = W_1ᵀ,
//
// so that W_2 W_1 projects onto span{u_i : i ∈ S}: the critical points of
// Baldi & Hornik (1989), with loss c·N·(Σ_i λ_i − Σ_{i∈S} λ_i). Each is a
// manifold: (C W_1, W_2 C⁻¹) is critical with the same loss for every
// invertible C. For k = 16, p = 4 there are Σ_{i≤4} C(16,i) = 2517 subsets
// (Frye et al. 2019); CriticalSubsets lists them.
//
// CriticalPoint panics when n is not a two-layer autoencoder or the subset
// is invalid, and returns an error when the eigendecomposition fails.
func (n *LinearNet) CriticalPoint(subset []int) (w []float64, loss float64, err error) {
	sz := n.arch.sizes
	if !n.autoencoder || len(sz) != 3 {
		panic("nn: CriticalPoint needs a two-layer linear autoencoder")
	}
	k, p := sz[0], sz[1]
	if len(subset) > p {
		panic(fmt.Sprintf("nn: subset of %d eigenvectors for %d hidden units", len(subset), p))
	}
	seen := make(map[int]bool, len(subset))
	for _, i := range subset {
		if i < 0 || i >= k || seen[i] {
			panic(fmt.Sprintf("nn: invalid eigenvector subset %v", subset))
		}
		seen[i] = true
	}
	vals, vecs, err := n.DataEigen()
	if err != nil {
		return nil, 0, err
	}
	w = make([]float64, n.arch.n)
	w1 := n.arch.layer(w, 0)
	w2 := n.arch.layer(w, 1)
	var total, kept float64
	for _, v := range vals {
		total += v
	}
	for r, i := range subset {
		kept += vals[i]
		for j := range k {
			w1.Set(r, j, vecs.At(j, i))
			w2.Set(j, r, vecs.At(j, i))
		}
	}
	c := n.arch.scale(n.data.n)
	return w, c * float64(n.data.n) * (total - kept), nil
}

// CriticalSubsets returns every subset of {0, ..., k−1} with at most p
// elements, by size and then in lexicographic order: the classes of
// critical points of a k-p-k linear autoencoder (see CriticalPoint).
func CriticalSubsets(k, p int) [][]int {
	if k < 0 || p < 0 {
		panic(fmt.Sprintf("nn: negative subset sizes %d, %d", k, p))
	}
	out := [][]int{{}}
	var rec func(cur []int, start, size int)
	rec = func(cur []int, start, size int) {
		if len(cur) == size {
			out = append(out, slices.Clone(cur))
			return
		}
		for i := start; i < k; i++ {
			rec(append(cur, i), i+1, size)
		}
	}
	for size := 1; size <= min(p, k); size++ {
		rec(nil, 0, size)
	}
	return out
}
