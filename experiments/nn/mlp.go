package nn

import (
	"fmt"
	"math"
	"sync"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Loss is the per-sample loss ℓ(a, y) of a network output a = f(x; w) for
// the target y.
type Loss int

const (
	// MSE is the squared error with a half, ℓ = ½‖a − y‖², so that the
	// mean loss over N samples is (1/(2N)) Σ_μ ‖a_μ − y_μ‖².
	MSE Loss = iota
	// CrossEntropy is the softmax cross-entropy
	//	ℓ = −Σ_k y_k log softmax(a)_k,  softmax(a)_k = e^{a_k} / Σ_j e^{a_j},
	// for one-hot targets y (any non-negative y is accepted: the loss is
	// then s·logsumexp(a) − yᵀa with s = Σ_k y_k).
	CrossEntropy
)

// String returns the lower-case name of l.
func (l Loss) String() string {
	switch l {
	case MSE:
		return "mse"
	case CrossEntropy:
		return "cross-entropy"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

// MLP describes a multilayer perceptron
//
//	a_0 = x,  z_l = W_l a_{l−1} + b_l,  a_l = φ_l(z_l),  l = 1, ..., L,
//
// whose output a_L enters the per-sample loss ℓ(a_L, y). Its parameters are
// one flat vector w laid out layer after layer: for l = 1, ..., L, the
// matrix W_l (n_l × n_{l−1}, row-major) followed by the bias b_l (n_l
// entries, absent when NoBias is set). This is the order of PyTorch's
// nn.Linear weight then bias.
type MLP struct {
	// Sizes are the widths n_0 (inputs), n_1, ..., n_L (outputs). There
	// must be at least two, all positive.
	Sizes []int

	// Activations are φ_1, ..., φ_L, one per layer. Nil means Tanh on every
	// hidden layer and Linear on the output layer.
	Activations []Activation

	// Loss is the per-sample loss. The zero value is MSE.
	Loss Loss

	// NoBias removes the biases b_l. The zero value keeps them.
	NoBias bool

	// L2 is λ ≥ 0 of the penalty (λ/2)‖w‖², taken over every parameter,
	// biases included. Zero means no penalty.
	L2 float64
}

// NumParams returns the length of the parameter vector of m,
// Σ_l n_l (n_{l−1} + 1), or Σ_l n_l n_{l−1} without biases.
func (m MLP) NumParams() int {
	return m.compile().n
}

// Layer returns views into w of the weight matrix W_l (n_l × n_{l−1}) and
// the bias b_l (nil without biases) of layer l = 1, ..., L. Changing the
// views changes w.
func (m MLP) Layer(w []float64, l int) (W *mat.Dense, b []float64) {
	a := m.compile()
	a.checkParams(w)
	if l < 1 || l > len(a.act) {
		panic(fmt.Sprintf("nn: layer %d out of range [1, %d]", l, len(a.act)))
	}
	in, out := a.sizes[l-1], a.sizes[l]
	W = mat.NewDense(out, in, w[a.wOff[l-1]:a.wOff[l-1]+out*in])
	if a.bias {
		b = w[a.bOff[l-1] : a.bOff[l-1]+out]
	}
	return W, b
}

// Predict stores in dst the outputs a_L of the network with parameters w for
// the inputs in the rows of x (for CrossEntropy these are the logits, before
// the softmax). An empty dst is allocated; a dst of the wrong size panics.
func (m MLP) Predict(dst *mat.Dense, w []float64, x *mat.Dense) {
	a := m.compile()
	a.checkParams(w)
	s := a.samplesOf(x, nil)
	ws := new(mlpWork)
	a.forward(gemm, ws, w, s, 0)
	out := a.sizes[len(a.sizes)-1]
	if dst.IsEmpty() {
		dst.ReuseAs(s.n, out)
	}
	if r, c := dst.Dims(); r != s.n || c != out {
		panic(fmt.Sprintf("nn: destination is %d×%d, want %d×%d", r, c, s.n, out))
	}
	y := ws.a[len(a.act)-1]
	for i := range s.n {
		for k := range out {
			dst.Set(i, k, y[i*out+k])
		}
	}
}

// Accuracy returns the fraction of the rows of x whose largest output
// (the arg max of a_L, ties to the lowest index) is the class in labels.
func (m MLP) Accuracy(w []float64, x *mat.Dense, labels []int) float64 {
	var out mat.Dense
	m.Predict(&out, w, x)
	n, k := out.Dims()
	if len(labels) != n {
		panic(fmt.Sprintf("nn: %d labels for %d samples", len(labels), n))
	}
	correct := 0
	for i := range n {
		best := 0
		for j := 1; j < k; j++ {
			if out.At(i, j) > out.At(i, best) {
				best = j
			}
		}
		if best == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(n)
}

// ClassificationError returns 1 − Accuracy(w, x, labels).
func (m MLP) ClassificationError(w []float64, x *mat.Dense, labels []int) float64 {
	return 1 - m.Accuracy(w, x, labels)
}

// arch is a validated MLP with the offsets of its parameters. Layers are
// numbered from 0 here: layer l maps sizes[l] inputs to sizes[l+1] outputs.
type arch struct {
	sizes []int
	act   []Activation
	loss  Loss
	bias  bool
	l2    float64
	wOff  []int // offset of W of layer l
	bOff  []int // offset of b of layer l; -1 without biases
	n     int   // number of parameters

	// chunkFloats overrides hessChunkFloats when positive (for tests).
	chunkFloats int
}

// compile validates m and computes its parameter offsets. It panics on an
// invalid architecture.
func (m MLP) compile() arch {
	if len(m.Sizes) < 2 {
		panic(fmt.Sprintf("nn: MLP needs at least two sizes, got %d", len(m.Sizes)))
	}
	for _, s := range m.Sizes {
		if s <= 0 {
			panic(fmt.Sprintf("nn: non-positive layer size in %v", m.Sizes))
		}
	}
	nl := len(m.Sizes) - 1
	act := make([]Activation, nl)
	switch {
	case m.Activations == nil:
		for l := range nl - 1 {
			act[l] = Tanh
		}
		act[nl-1] = Linear
	case len(m.Activations) != nl:
		panic(fmt.Sprintf("nn: %d activations for %d layers", len(m.Activations), nl))
	default:
		for l, f := range m.Activations {
			if !f.valid() {
				panic(fmt.Sprintf("nn: unknown activation %d", int(f)))
			}
			act[l] = f
		}
	}
	if m.Loss != MSE && m.Loss != CrossEntropy {
		panic(fmt.Sprintf("nn: unknown loss %d", int(m.Loss)))
	}
	if m.L2 < 0 || math.IsNaN(m.L2) || math.IsInf(m.L2, 0) {
		panic(fmt.Sprintf("nn: invalid L2 penalty %v", m.L2))
	}
	a := arch{
		sizes: append([]int(nil), m.Sizes...),
		act:   act,
		loss:  m.Loss,
		bias:  !m.NoBias,
		l2:    m.L2,
		wOff:  make([]int, nl),
		bOff:  make([]int, nl),
	}
	off := 0
	for l := range nl {
		a.wOff[l] = off
		off += a.sizes[l] * a.sizes[l+1]
		a.bOff[l] = -1
		if a.bias {
			a.bOff[l] = off
			off += a.sizes[l+1]
		}
	}
	a.n = off
	return a
}

func (a *arch) checkParams(w []float64) {
	if len(w) != a.n {
		panic(fmt.Sprintf("nn: parameter vector has length %d, want %d", len(w), a.n))
	}
}

// samples are the rows of a data set: x is n×sizes[0] and y n×sizes[L],
// both row-major. y may be nil when only outputs are needed.
type samples struct {
	x, y []float64
	n    int
}

// samplesOf returns the rows of x and y as samples, sharing their storage
// when it is contiguous. It panics when the shapes do not fit a.
func (a *arch) samplesOf(x, y *mat.Dense) samples {
	n, c := x.Dims()
	if c != a.sizes[0] {
		panic(fmt.Sprintf("nn: inputs have %d columns, the network %d inputs", c, a.sizes[0]))
	}
	s := samples{x: rowMajor(x), n: n}
	if y != nil {
		ny, cy := y.Dims()
		out := a.sizes[len(a.sizes)-1]
		if ny != n || cy != out {
			panic(fmt.Sprintf("nn: targets are %d×%d, want %d×%d", ny, cy, n, out))
		}
		s.y = rowMajor(y)
	}
	return s
}

// rowMajor returns the elements of m in row-major order, sharing the
// storage of m when its rows are contiguous.
func rowMajor(m *mat.Dense) []float64 {
	raw := m.RawMatrix()
	if raw.Stride == raw.Cols {
		return raw.Data[:raw.Rows*raw.Cols]
	}
	d := make([]float64, 0, raw.Rows*raw.Cols)
	for i := range raw.Rows {
		d = append(d, raw.Data[i*raw.Stride:i*raw.Stride+raw.Cols]...)
	}
	return d
}

// gather returns the samples of s with the given indices, in that order.
func (s samples) gather(idx []int, in, out int) samples {
	if len(idx) == 0 {
		panic("nn: empty batch")
	}
	g := samples{x: make([]float64, len(idx)*in), y: make([]float64, len(idx)*out), n: len(idx)}
	for r, i := range idx {
		if i < 0 || i >= s.n {
			panic(fmt.Sprintf("nn: sample index %d out of range [0, %d)", i, s.n))
		}
		copy(g.x[r*in:(r+1)*in], s.x[i*in:(i+1)*in])
		copy(g.y[r*out:(r+1)*out], s.y[i*out:(i+1)*out])
	}
	return g
}

// mlpWork holds the per-layer, per-sample buffers of one evaluation. Each
// slice is n×width, row-major, for the n samples being evaluated.
type mlpWork struct {
	z, a, d1, d2     [][]float64 // pre-activations, activations, φ', φ″
	delta, e         [][]float64 // δ_l = ∂ℓ/∂z_l, e_l = W_{l+1}ᵀ δ_{l+1}
	rz, ra, rdelta   [][]float64 // R-operator images of z, a, δ
	g, rg, prob, sum []float64   // ∂ℓ/∂a_L, its R image, softmax, Σ_k y_k
}

// buf returns (*p)[:n], reallocating *p when it is too short.
func buf(p *[]float64, n int) []float64 {
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
	return *p
}

// layerBuf returns the buffer of layer l in *ps, n long.
func layerBuf(ps *[][]float64, nl, l, n int) []float64 {
	if len(*ps) < nl {
		*ps = make([][]float64, nl)
	}
	return buf(&(*ps)[l], n)
}

// gemm computes C = alpha op(A) op(B) + beta C for row-major A, B and C
// with leading dimensions equal to their column counts; C is m×n and the
// inner dimension is k.
func gemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	lda, ldb := k, n
	if tA == blas.Trans {
		lda = m
	}
	if tB == blas.Trans {
		ldb = k
	}
	blas64.Implementation().Dgemm(tA, tB, m, n, k, alpha, a, max(lda, 1), b, max(ldb, 1), beta, c, max(n, 1))
}

// gemmFunc is the signature of gemm and gemmSeq.
type gemmFunc func(tA, tB blas.Transpose, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64)

// gemmBlockSize and gemmMinParBlocks are blockSize and minParBlock of
// gonum's native Dgemm (blas/gonum/gonum.go, v0.17.0): a product whose C
// spans at least gemmMinParBlocks tiles of gemmBlockSize×gemmBlockSize is
// computed there tile by tile on new goroutines, which allocates.
const (
	gemmBlockSize    = 64
	gemmMinParBlocks = 4
)

// gemmParFlops is the size m·n·k from which gemmSeq hands a product to the
// parallel gemm after all: there the few allocations of gonum's goroutines
// are negligible beside the work, and one call on a large batch keeps every
// core busy. Both paths give the same bits, so the switch does not change
// any result.
const gemmParFlops = 1 << 24

// gemmSeq computes what gemm computes, with the same operations in the same
// order, on the calling goroutine and without allocating. Where gonum's
// Dgemm would go parallel, gemmSeq scales C by beta as Dgemm does and then
// visits the same gemmBlockSize tiles of C, accumulating each over the same
// gemmBlockSize-long slices of the inner dimension; every tile product is
// a Dgemm call with beta = 1 small enough to stay serial. Each element of C
// thus receives the same floating-point operations as under gemm, so the
// results are bit-for-bit identical; only the tiles no longer run
// concurrently. The network passes use it so that Func, Grad and HessVec
// allocate nothing in steady state; products of gemmParFlops or more still
// run in parallel.
func gemmSeq(tA, tB blas.Transpose, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	blocks := func(d int) int { return (d + gemmBlockSize - 1) / gemmBlockSize }
	if m == 0 || n == 0 || k == 0 || alpha == 0 || blocks(m)*blocks(n) < gemmMinParBlocks || m*n*k >= gemmParFlops {
		gemm(tA, tB, m, n, k, alpha, a, b, beta, c)
		return
	}
	aT, bT := tA == blas.Trans, tB == blas.Trans
	lda, ldb, ldc := k, n, n
	if aT {
		lda = m
	}
	if bT {
		ldb = k
	}
	switch beta {
	case 1:
	case 0:
		clear(c[:m*n])
	default:
		for i := range c[:m*n] {
			c[i] *= beta
		}
	}
	impl := blas64.Implementation()
	for i := 0; i < m; i += gemmBlockSize {
		li := min(gemmBlockSize, m-i)
		for j := 0; j < n; j += gemmBlockSize {
			lj := min(gemmBlockSize, n-j)
			cSub := c[i*ldc+j:]
			for p := 0; p < k; p += gemmBlockSize {
				lp := min(gemmBlockSize, k-p)
				var aSub, bSub []float64
				if aT {
					aSub = a[p*lda+i:]
				} else {
					aSub = a[i*lda+p:]
				}
				if bT {
					bSub = b[j*ldb+p:]
				} else {
					bSub = b[p*ldb+j:]
				}
				impl.Dgemm(tA, tB, li, lj, lp, alpha, aSub, lda, bSub, ldb, 1, cSub, ldc)
			}
		}
	}
}

// input returns the input of layer l: the samples for l = 0, otherwise the
// activations of layer l−1.
func (a *arch) input(ws *mlpWork, s samples, l int) []float64 {
	if l == 0 {
		return s.x
	}
	return ws.a[l-1]
}

// forward computes z_l and a_l of every layer for the samples s at w, and
// φ' when order ≥ 1 and φ″ when order ≥ 2, with the products done by mul.
func (a *arch) forward(mul gemmFunc, ws *mlpWork, w []float64, s samples, order int) {
	nl := len(a.act)
	for l := range nl {
		in, out := a.sizes[l], a.sizes[l+1]
		z := layerBuf(&ws.z, nl, l, s.n*out)
		mul(blas.NoTrans, blas.Trans, s.n, out, in, 1, a.input(ws, s, l), w[a.wOff[l]:a.wOff[l]+out*in], 0, z)
		if a.bias {
			addRows(z, w[a.bOff[l]:a.bOff[l]+out])
		}
		var d1, d2 []float64
		if order >= 1 {
			d1 = layerBuf(&ws.d1, nl, l, s.n*out)
		}
		if order >= 2 {
			d2 = layerBuf(&ws.d2, nl, l, s.n*out)
		}
		a.act[l].apply(layerBuf(&ws.a, nl, l, s.n*out), d1, d2, z)
	}
}

// addRows adds the row vector b to every row of the row-major matrix z.
func addRows(z, b []float64) {
	for i := 0; i < len(z); i += len(b) {
		row := z[i : i+len(b)]
		for k, v := range b {
			row[k] += v
		}
	}
}

// colSums stores in dst (length k) alpha times the column sums of the
// row-major matrix m with k columns.
func colSums(dst []float64, alpha float64, m []float64) {
	k := len(dst)
	clear(dst)
	for i := 0; i < len(m); i += k {
		for j, v := range m[i : i+k] {
			dst[j] += v
		}
	}
	for j := range dst {
		dst[j] *= alpha
	}
}

// lossSum returns Σ_μ ℓ(a_L^μ, y_μ) after forward. When grad is true it also
// stores g = ∂ℓ/∂a_L in ws.g and, for CrossEntropy, the softmax and the
// target sums in ws.prob and ws.sum.
func (a *arch) lossSum(ws *mlpWork, s samples, grad bool) float64 {
	nl := len(a.act)
	out := a.sizes[nl]
	y := ws.a[nl-1]
	var g []float64
	if grad {
		g = buf(&ws.g, s.n*out)
	}
	var total float64
	switch a.loss {
	case MSE:
		for i := range s.n * out {
			r := y[i] - s.y[i]
			total += r * r
			if grad {
				g[i] = r
			}
		}
		return total / 2
	default:
		var prob, sum []float64
		if grad {
			prob = buf(&ws.prob, s.n*out)
			sum = buf(&ws.sum, s.n)
		}
		for mu := range s.n {
			o := y[mu*out : (mu+1)*out]
			t := s.y[mu*out : (mu+1)*out]
			m := math.Inf(-1)
			for _, v := range o {
				m = max(m, v)
			}
			var se float64
			for _, v := range o {
				se += math.Exp(v - m)
			}
			lse := m + math.Log(se)
			var st, yo float64
			for k, v := range t {
				st += v
				yo += v * o[k]
			}
			total += st*lse - yo
			if grad {
				p := prob[mu*out : (mu+1)*out]
				for k, v := range o {
					p[k] = math.Exp(v - lse)
					g[mu*out+k] = st*p[k] - t[k]
				}
				sum[mu] = st
			}
		}
		return total
	}
}

// backward computes δ_l of every layer, and e_l = W_{l+1}ᵀ δ_{l+1} for the
// hidden layers, after forward (order ≥ 1) and lossSum with grad, with the
// products done by mul.
func (a *arch) backward(mul gemmFunc, ws *mlpWork, w []float64, s samples) {
	nl := len(a.act)
	last := nl - 1
	d := layerBuf(&ws.delta, nl, last, s.n*a.sizes[nl])
	for i, v := range ws.g {
		d[i] = v * ws.d1[last][i]
	}
	for l := last - 1; l >= 0; l-- {
		in, out := a.sizes[l+1], a.sizes[l+2] // W_{l+1} is out×in
		e := layerBuf(&ws.e, nl, l, s.n*in)
		mul(blas.NoTrans, blas.NoTrans, s.n, in, out, 1, ws.delta[l+1], w[a.wOff[l+1]:a.wOff[l+1]+out*in], 0, e)
		d := layerBuf(&ws.delta, nl, l, s.n*in)
		for i, v := range e {
			d[i] = v * ws.d1[l][i]
		}
	}
}

// gradient stores in dst the gradient of the mean loss after backward.
func (a *arch) gradient(dst []float64, ws *mlpWork, w []float64, s samples) {
	inv := 1 / float64(s.n)
	for l := range a.act {
		in, out := a.sizes[l], a.sizes[l+1]
		gemmSeq(blas.Trans, blas.NoTrans, out, in, s.n, inv, ws.delta[l], a.input(ws, s, l), 0, dst[a.wOff[l]:a.wOff[l]+out*in])
		if a.bias {
			colSums(dst[a.bOff[l]:a.bOff[l]+out], inv, ws.delta[l])
		}
	}
	if a.l2 != 0 {
		for i, v := range w {
			dst[i] += a.l2 * v
		}
	}
}

// hessVec stores H(w)v in dst by the R-operator of Pearlmutter (1994): one
// forward and one backward pass of the directional derivatives
// R{·} = d/dt (·)(w + tv) at t = 0 alongside the ordinary ones.
func (a *arch) hessVec(dst []float64, ws *mlpWork, w, v []float64, s samples) {
	nl := len(a.act)
	last := nl - 1
	a.forward(gemmSeq, ws, w, s, 2)
	a.lossSum(ws, s, true)
	a.backward(gemmSeq, ws, w, s)

	// Forward: R{z_l} = W_l R{a_{l−1}} + V_l a_{l−1} + v_b, R{a_l} = φ'_l R{z_l}.
	for l := range nl {
		in, out := a.sizes[l], a.sizes[l+1]
		rz := layerBuf(&ws.rz, nl, l, s.n*out)
		gemmSeq(blas.NoTrans, blas.Trans, s.n, out, in, 1, a.input(ws, s, l), v[a.wOff[l]:a.wOff[l]+out*in], 0, rz)
		if l > 0 {
			gemmSeq(blas.NoTrans, blas.Trans, s.n, out, in, 1, ws.ra[l-1], w[a.wOff[l]:a.wOff[l]+out*in], 1, rz)
		}
		if a.bias {
			addRows(rz, v[a.bOff[l]:a.bOff[l]+out])
		}
		ra := layerBuf(&ws.ra, nl, l, s.n*out)
		for i, r := range rz {
			ra[i] = ws.d1[l][i] * r
		}
	}

	// Loss: R{g} = ∇²ℓ R{a_L}.
	out := a.sizes[nl]
	rg := buf(&ws.rg, s.n*out)
	ra := ws.ra[last]
	switch a.loss {
	case MSE:
		copy(rg, ra)
	default:
		for mu := range s.n {
			p := ws.prob[mu*out : (mu+1)*out]
			r := ra[mu*out : (mu+1)*out]
			var pr float64
			for k, pk := range p {
				pr += pk * r[k]
			}
			st := ws.sum[mu]
			for k, pk := range p {
				rg[mu*out+k] = st * pk * (r[k] - pr)
			}
		}
	}

	// Backward: R{δ_L} = φ″_L R{z_L} g + φ'_L R{g};
	// R{δ_l} = φ″_l R{z_l} e_l + φ'_l (W_{l+1}ᵀ R{δ_{l+1}} + V_{l+1}ᵀ δ_{l+1}).
	rd := layerBuf(&ws.rdelta, nl, last, s.n*out)
	for i := range rd {
		rd[i] = ws.d2[last][i]*ws.rz[last][i]*ws.g[i] + ws.d1[last][i]*rg[i]
	}
	for l := last - 1; l >= 0; l-- {
		in, out := a.sizes[l+1], a.sizes[l+2]
		rd := layerBuf(&ws.rdelta, nl, l, s.n*in)
		gemmSeq(blas.NoTrans, blas.NoTrans, s.n, in, out, 1, ws.rdelta[l+1], w[a.wOff[l+1]:a.wOff[l+1]+out*in], 0, rd)
		gemmSeq(blas.NoTrans, blas.NoTrans, s.n, in, out, 1, ws.delta[l+1], v[a.wOff[l+1]:a.wOff[l+1]+out*in], 1, rd)
		for i, r := range rd {
			rd[i] = ws.d2[l][i]*ws.rz[l][i]*ws.e[l][i] + ws.d1[l][i]*r
		}
	}

	// Parameters: R{∂W_l} = (R{δ_l}ᵀ a_{l−1} + δ_lᵀ R{a_{l−1}})/N.
	inv := 1 / float64(s.n)
	for l := range nl {
		in, out := a.sizes[l], a.sizes[l+1]
		d := dst[a.wOff[l] : a.wOff[l]+out*in]
		gemmSeq(blas.Trans, blas.NoTrans, out, in, s.n, inv, ws.rdelta[l], a.input(ws, s, l), 0, d)
		if l > 0 {
			gemmSeq(blas.Trans, blas.NoTrans, out, in, s.n, inv, ws.delta[l], ws.ra[l-1], 1, d)
		}
		if a.bias {
			colSums(dst[a.bOff[l]:a.bOff[l]+out], inv, ws.rdelta[l])
		}
	}
	if a.l2 != 0 {
		for i, vi := range v {
			dst[i] += a.l2 * vi
		}
	}
}

// penalty returns (λ/2)‖w‖².
func (a *arch) penalty(w []float64) float64 {
	if a.l2 == 0 {
		return 0
	}
	var ss float64
	for _, v := range w {
		ss += v * v
	}
	return a.l2 / 2 * ss
}

// Net is an MLP bound to a training set of N samples: the objective
//
//	L(w) = (1/N) Σ_μ ℓ(f(x_μ; w), y_μ) + (λ/2)‖w‖²
//
// with f the network, ℓ its Loss and λ its L2. Its Problem has the exact
// gradient (backpropagation), Hessian-vector product (Pearlmutter's
// R-operator) and Hessian (assembled in blocks from matrix products; see
// Hessian). A Net is safe for concurrent use.
type Net struct {
	arch arch
	data samples
	pool sync.Pool // of *mlpWork
}

// NewNet returns the MLP m trained on the inputs in the rows of x
// (N × n_0) with the targets in the rows of y (N × n_L: one-hot rows for
// CrossEntropy). The Net keeps x and y when their rows are contiguous: they
// must not change while it is used. NewNet panics on an invalid
// architecture, mismatched shapes or an empty data set.
func NewNet(m MLP, x, y *mat.Dense) *Net {
	a := m.compile()
	s := a.samplesOf(x, y)
	if s.n == 0 {
		panic("nn: empty data set")
	}
	return &Net{arch: a, data: s}
}

// NumParams returns the number of parameters.
func (n *Net) NumParams() int { return n.arch.n }

// Len returns the number of samples N.
func (n *Net) Len() int { return n.data.n }

// Problem returns the objective L over the whole training set.
func (n *Net) Problem() hessian.Problem { return n.problem(n.data) }

// Batch returns the objective over the samples with the given indices:
// the mean loss over them plus the L2 penalty. Repeated indices count
// repeatedly. Batch panics on an empty idx or an index out of range.
func (n *Net) Batch(idx []int) hessian.Problem {
	return n.problem(n.data.gather(idx, n.arch.sizes[0], n.arch.sizes[len(n.arch.sizes)-1]))
}

func (n *Net) work() *mlpWork {
	if ws, ok := n.pool.Get().(*mlpWork); ok {
		return ws
	}
	return new(mlpWork)
}

func (n *Net) problem(s samples) hessian.Problem {
	a := &n.arch
	return hessian.Problem{
		Func: func(w []float64) float64 {
			a.checkParams(w)
			ws := n.work()
			defer n.pool.Put(ws)
			a.forward(gemmSeq, ws, w, s, 0)
			return a.lossSum(ws, s, false)/float64(s.n) + a.penalty(w)
		},
		Grad: func(grad, w []float64) {
			a.checkParams(w)
			a.checkParams(grad)
			ws := n.work()
			defer n.pool.Put(ws)
			a.forward(gemmSeq, ws, w, s, 1)
			a.lossSum(ws, s, true)
			a.backward(gemmSeq, ws, w, s)
			a.gradient(grad, ws, w, s)
		},
		HessVec: func(hv, w, v []float64) {
			a.checkParams(w)
			a.checkParams(v)
			a.checkParams(hv)
			ws := n.work()
			defer n.pool.Put(ws)
			a.hessVec(hv, ws, w, v, s)
		},
		Hess: func(h *mat.SymDense, w []float64) {
			a.checkParams(w)
			hessianDst(h, a.n)
			ws := n.work()
			defer n.pool.Put(ws)
			a.hessian(h, ws, w, s)
		},
	}
}

// hessianDst sizes an empty h to n×n and panics when h has another size: the
// destination check of the networks' Hess.
func hessianDst(h *mat.SymDense, n int) {
	if h.IsEmpty() {
		h.ReuseAsSym(n)
	}
	if h.SymmetricDim() != n {
		panic(fmt.Sprintf("nn: Hessian destination is %d×%d, want %d×%d", h.SymmetricDim(), h.SymmetricDim(), n, n))
	}
}
