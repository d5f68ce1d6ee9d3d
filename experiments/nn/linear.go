package nn

import (
	"fmt"
	"slices"
	"sync"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
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
	return a.prefix(w)[len(a.off)]
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

// prefix returns Q_0 = I, Q_{l+1} = W_l Q_l (layers 0-based), so that Q_l
// is n_l × n_0 and Q_L is the end-to-end map.
func (a *linArch) prefix(w []float64) []*mat.Dense {
	nl := len(a.off)
	q := make([]*mat.Dense, nl+1)
	q[0] = identity(a.sizes[0])
	for l := range nl {
		q[l+1] = new(mat.Dense)
		q[l+1].Mul(a.layer(w, l), q[l])
	}
	return q
}

// suffix returns P_{L−1} = I, P_l = P_{l+1} W_{l+1}, so that P_l is
// n_L × n_{l+1} and the end-to-end map is P_l W_l Q_l.
func (a *linArch) suffix(w []float64) []*mat.Dense {
	nl := len(a.off)
	p := make([]*mat.Dense, nl)
	p[nl-1] = identity(a.sizes[nl])
	for l := nl - 2; l >= 0; l-- {
		p[l] = new(mat.Dense)
		p[l].Mul(p[l+1], a.layer(w, l+1))
	}
	return p
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
func (n *LinearNet) Problem() hessian.Problem { return n.arch.problem(n.stats) }

// Batch returns the objective over the samples with the given indices,
// with c computed for len(idx) samples. It panics on an empty idx or an
// index out of range.
func (n *LinearNet) Batch(idx []int) hessian.Problem {
	in, out := n.arch.sizes[0], n.arch.sizes[len(n.arch.sizes)-1]
	return n.arch.problem(newLinStats(n.data.gather(idx, in, out), in, out))
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

func (a *linArch) problem(st *linStats) hessian.Problem {
	c := a.scale(st.n)
	return hessian.Problem{
		Func: func(w []float64) float64 {
			a.checkParams(w)
			// ‖R12 − R11 Wᵀ‖² + ‖R22‖².
			wp := a.prefix(w)[len(a.off)]
			var r mat.Dense
			r.Mul(st.r11, wp.T())
			r.Sub(st.r12, &r)
			f := mat.Norm(&r, 2)
			return c * (f*f + st.r22sq)
		},
		Grad: func(grad, w []float64) {
			a.checkParams(w)
			a.checkParams(grad)
			q, p := a.prefix(w), a.suffix(w)
			e := a.residual(q[len(a.off)], st)
			for l := range a.off {
				// ∂L/∂W_l = 2c P_lᵀ E Q_lᵀ with E = W Σxx − Σyx.
				var eq mat.Dense
				eq.Mul(e, q[l].T())
				dst := a.layer(grad, l)
				dst.Mul(p[l].T(), &eq)
				dst.Scale(2*c, dst)
			}
		},
		HessVec: func(hv, w, v []float64) {
			a.checkParams(w)
			a.checkParams(v)
			a.checkParams(hv)
			a.hessVec(hv, w, v, st, c)
		},
		Hess: func(h *mat.SymDense, w []float64) {
			a.checkParams(w)
			if h.IsEmpty() {
				h.ReuseAsSym(a.n)
			}
			if h.SymmetricDim() != a.n {
				panic(fmt.Sprintf("nn: Hessian destination is %d×%d, want %d×%d", h.SymmetricDim(), h.SymmetricDim(), a.n, a.n))
			}
			a.hessian(h, w, st, c)
		},
	}
}

// residual returns E = W Σxx − Σyx for the end-to-end map W.
func (a *linArch) residual(w *mat.Dense, st *linStats) *mat.Dense {
	var e mat.Dense
	e.Mul(w, st.sxx)
	e.Sub(&e, st.syx)
	return &e
}

// hessVec stores H v in hv: with the directional derivatives Q̇_l, Ṗ_l of
// the prefix and suffix products along v and Ė = Ẇ Σxx, Ẇ = Q̇_L,
//
//	(H v)_l = 2c (Ṗ_lᵀ E Q_lᵀ + P_lᵀ Ė Q_lᵀ + P_lᵀ E Q̇_lᵀ).
func (a *linArch) hessVec(hv, w, v []float64, st *linStats, c float64) {
	nl := len(a.off)
	q, p := a.prefix(w), a.suffix(w)
	qd := make([]*mat.Dense, nl+1)
	qd[0] = mat.NewDense(a.sizes[0], a.sizes[0], nil)
	for l := range nl {
		var t mat.Dense
		t.Mul(a.layer(v, l), q[l])
		qd[l+1] = new(mat.Dense)
		qd[l+1].Mul(a.layer(w, l), qd[l])
		qd[l+1].Add(qd[l+1], &t)
	}
	pd := make([]*mat.Dense, nl)
	pd[nl-1] = mat.NewDense(a.sizes[nl], a.sizes[nl], nil)
	for l := nl - 2; l >= 0; l-- {
		var t mat.Dense
		t.Mul(p[l+1], a.layer(v, l+1))
		pd[l] = new(mat.Dense)
		pd[l].Mul(pd[l+1], a.layer(w, l+1))
		pd[l].Add(pd[l], &t)
	}
	e := a.residual(q[nl], st)
	var ed mat.Dense
	ed.Mul(qd[nl], st.sxx)
	for l := range nl {
		var eq, edq, eqd, sum, t mat.Dense
		eq.Mul(e, q[l].T())
		edq.Mul(&ed, q[l].T())
		eqd.Mul(e, qd[l].T())
		sum.Mul(pd[l].T(), &eq)
		t.Add(&edq, &eqd)
		dst := a.layer(hv, l)
		dst.Mul(p[l].T(), &t)
		dst.Add(dst, &sum)
		dst.Scale(2*c, dst)
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
func (a *linArch) hessian(h *mat.SymDense, w []float64, st *linStats, c float64) {
	nl := len(a.off)
	q, p := a.prefix(w), a.suffix(w)
	e := a.residual(q[nl], st)
	for l := range nl {
		var qs mat.Dense
		qs.Mul(q[l], st.sxx)
		m := identity(a.sizes[l+1])
		for k := l; k < nl; k++ {
			var g1, g2, f mat.Dense
			g1.Mul(p[l].T(), p[k])
			g2.Mul(&qs, q[k].T())
			if k > l {
				var eq mat.Dense
				eq.Mul(e, q[l].T())
				f.Mul(p[k].T(), &eq)
			}
			il, jl := a.sizes[l+1], a.sizes[l]
			ak, bk := a.sizes[k+1], a.sizes[k]
			for i := range il {
				for j := range jl {
					r := a.off[l] + i*jl + j
					for ai := range ak {
						g1ia := g1.At(i, ai)
						for b := range bk {
							col := a.off[k] + ai*bk + b
							if col < r {
								continue
							}
							v := g1ia * g2.At(j, b)
							if k > l {
								v += m.At(b, i) * f.At(ai, j)
							}
							h.SetSym(r, col, 2*c*v)
						}
					}
				}
			}
			if k > l {
				var next mat.Dense
				next.Mul(a.layer(w, k), m)
				m = &next
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
