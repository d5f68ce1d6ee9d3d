package optimizers

import (
	"fmt"
	"math"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

var _ Method = (*SaddleFreeNewton)(nil)

// SaddleFreeNewton is the saddle-free Newton method of Dauphin et al. (2014,
// section 6): Newton's step with the Hessian replaced by its absolute value,
//
//	W_{k+1} = W_k - (|H| + λ I)⁻¹ ∇J(W_k),   |H| = Σᵢ |λᵢ| eᵢ eᵢᵀ,
//
// where λᵢ, eᵢ are the eigenpairs of H. Along directions of negative
// curvature the step goes downhill instead of towards the saddle: on
// 5x² - y² with λ = 0 it maps (x, y) to (0, 2y).
//
// With Krylov = 0 the Hessian is formed (from Hess or HessVec) and fully
// decomposed. With Krylov = k > 0 the method is the approximate saddle-free
// Newton of Dauphin et al.'s Algorithm 1: k steps of Lanczos iteration with
// full reorthogonalisation, started from the gradient and using only
// Hessian-vector products, give an orthonormal basis V of the Krylov
// subspace span{g, Hg, ..., H^{k-1}g} and the projection T = VᵀHV; the step
// is
//
//	W_{k+1} = W_k - V (|T| + λ I)⁻¹ Vᵀ ∇J(W_k),
//
// taken entirely inside that subspace. (Algorithm 1 may take several steps
// per basis; this implementation builds a fresh basis at every step.)
//
// The damping λ is Damping, or, when Dampings is not empty, the value of
// Dampings whose step gives the lowest loss J(W_{k+1}), each trial costing
// one function evaluation (Dauphin et al. choose λ by this kind of search).
// A system with condition number (max dᵢ)/(min dᵢ) above
// mat.ConditionTolerance, where dᵢ = |λᵢ| + λ, is singular: Step returns an
// error wrapping ErrSingular (with Dampings, such values are skipped and the
// error is returned only when every value is singular). A zero gradient
// gives a zero step.
//
// After Init, the only allocations of a step with a problem that provides
// Hess (dense form) or HessVec (Krylov form) are those of
// hessian.Eigenvectors, which allocates its own workspace and the
// eigenvalues it returns.
type SaddleFreeNewton struct {
	// Damping is the fixed damping λ >= 0, used when Dampings is empty.
	// Zero means no damping.
	Damping float64

	// Dampings, when not empty, are the candidate values of λ >= 0 tried at
	// every step, e.g. {0, 1e-3, 1e-2, 1e-1, 1, 10}. Ties go to the first.
	Dampings []float64

	// Krylov is the dimension k of the Lanczos subspace. Zero means the
	// exact dense method; a k larger than the dimension n is used as n. The
	// Krylov form needs HessVec and evaluates k Hessian-vector products a
	// step.
	Krylov int

	n     int
	m     int // number of basis vectors of the current step
	g     []float64
	p     []float64
	trial []float64
	c     []float64 // gradient coefficients in the eigenbasis
	a     []float64 // step coefficients in the eigenbasis
	vals  []float64 // eigenvalues of H or T

	hess mat.SymDense // dense form: the Hessian
	vecs mat.Dense    // eigenvectors of H (dense) or of T (Krylov)

	basis []float64 // Krylov: m×n Lanczos vectors, one per row
	w     []float64
	alpha []float64
	beta  []float64
	t     mat.SymDense
	sub   []float64 // Krylov: step in subspace coordinates
}

// Init implements Method.
func (m *SaddleFreeNewton) Init(n int) {
	checkInit(n)
	checkNonNeg(m.Damping, "Damping")
	for _, d := range m.Dampings {
		checkNonNeg(d, "Dampings value")
	}
	if m.Krylov < 0 {
		panic(fmt.Sprintf("optimizers: negative SaddleFreeNewton.Krylov %d", m.Krylov))
	}
	m.n = n
	m.g = make([]float64, n)
	m.p = make([]float64, n)
	m.trial = make([]float64, n)
	size := n
	if m.Krylov > 0 {
		size = min(m.Krylov, n)
		m.basis = make([]float64, size*n)
		m.w = make([]float64, n)
		m.alpha = make([]float64, size)
		m.beta = make([]float64, size)
		m.sub = make([]float64, size)
		m.t = *mat.NewSymDense(size, nil)
	} else {
		m.hess = *mat.NewSymDense(n, nil)
	}
	m.c = make([]float64, size)
	m.a = make([]float64, size)
	m.vecs = *mat.NewDense(size, size, nil)
}

// Step implements Method. StepInfo.Damping is the λ of the step taken.
func (m *SaddleFreeNewton) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	obj.Grad(m.g, x)
	if !allFinite(m.g) {
		return StepInfo{}, fmt.Errorf("%w: gradient", ErrNonFinite)
	}
	gnorm := floats.Norm(m.g, 2)
	if gnorm == 0 {
		copy(xNext, x)
		return StepInfo{Damping: m.Damping}, nil
	}
	var err error
	if m.Krylov > 0 {
		err = m.lanczos(obj, x, gnorm)
	} else {
		err = m.eigen(obj, x)
	}
	if err != nil {
		return StepInfo{}, err
	}

	if len(m.Dampings) == 0 {
		if !m.direction(m.p, m.Damping) {
			return StepInfo{}, fmt.Errorf("%w: |H| + %v I", ErrSingular, m.Damping)
		}
		floats.AddTo(xNext, x, m.p)
		return StepInfo{Damping: m.Damping}, nil
	}
	best, bestF := math.NaN(), math.Inf(1)
	found, singular := false, true
	for _, lambda := range m.Dampings {
		if !m.direction(m.p, lambda) {
			continue
		}
		singular = false
		floats.AddTo(m.trial, x, m.p)
		if f := obj.Func(m.trial); f < bestF {
			best, bestF, found = lambda, f, true
			copy(xNext, m.trial)
		}
	}
	switch {
	case singular:
		return StepInfo{}, fmt.Errorf("%w: |H| + λI for every λ in Dampings", ErrSingular)
	case !found:
		return StepInfo{}, fmt.Errorf("%w: loss at every trial damping", ErrNonFinite)
	}
	return StepInfo{Damping: best}, nil
}

// eigen decomposes the Hessian at x and stores the gradient's coefficients
// in the eigenbasis in m.c.
func (m *SaddleFreeNewton) eigen(obj *Objective, x []float64) error {
	if err := obj.Hess(&m.hess, x); err != nil {
		return err
	}
	vals, err := hessian.Eigenvectors(&m.vecs, &m.hess)
	if err != nil {
		return fmt.Errorf("optimizers: saddle-free Newton: %w", err)
	}
	m.vals = vals
	m.m = m.n
	m.c = m.c[:m.n]
	gemv(blas.Trans, m.c, &m.vecs, m.g)
	return nil
}

// lanczos runs Lanczos iteration with full reorthogonalisation from the
// gradient (norm gnorm), stores the basis and the eigenpairs of T = VᵀHV,
// and the gradient's coefficients in T's eigenbasis in m.c.
func (m *SaddleFreeNewton) lanczos(obj *Objective, x []float64, gnorm float64) error {
	if !obj.HasHessVec() {
		panic("optimizers: SaddleFreeNewton with Krylov > 0 needs HessVec")
	}
	n, kmax := m.n, len(m.alpha)
	floats.ScaleTo(m.basis[:n], 1/gnorm, m.g)
	var anorm float64
	size := kmax
	for j := range kmax {
		q := m.basis[j*n : (j+1)*n]
		obj.HessVec(m.w, x, q)
		if !allFinite(m.w) {
			return fmt.Errorf("%w: Hessian-vector product", ErrNonFinite)
		}
		m.alpha[j] = floats.Dot(q, m.w)
		floats.AddScaled(m.w, -m.alpha[j], q)
		if j > 0 {
			floats.AddScaled(m.w, -m.beta[j-1], m.basis[(j-1)*n:j*n])
		}
		// Full reorthogonalisation, applied twice ("twice is enough",
		// Parlett 1998, section 6.9).
		for range 2 {
			for i := 0; i <= j; i++ {
				qi := m.basis[i*n : (i+1)*n]
				floats.AddScaled(m.w, -floats.Dot(qi, m.w), qi)
			}
		}
		m.beta[j] = floats.Norm(m.w, 2)
		anorm = math.Max(anorm, math.Abs(m.alpha[j])+m.beta[j])
		if j == kmax-1 {
			break
		}
		if m.beta[j] <= float64(n)*0x1p-52*anorm {
			// The Krylov subspace is invariant under H: T is exact.
			size = j + 1
			break
		}
		floats.ScaleTo(m.basis[(j+1)*n:(j+2)*n], 1/m.beta[j], m.w)
	}
	m.m = size
	m.t.Reset()
	m.t.ReuseAsSym(size)
	for j := range size {
		m.t.SetSym(j, j, m.alpha[j])
		if j+1 < size {
			m.t.SetSym(j, j+1, m.beta[j])
		}
	}
	if r, _ := m.vecs.Dims(); r != size {
		m.vecs.Reset()
	}
	vals, err := hessian.Eigenvectors(&m.vecs, &m.t)
	if err != nil {
		return fmt.Errorf("optimizers: saddle-free Newton: %w", err)
	}
	m.vals = vals
	// Vᵀg = ‖g‖ e₁, so its coefficients in T's eigenbasis are ‖g‖ U[0, i].
	m.c = m.c[:size]
	for i := range size {
		m.c[i] = gnorm * m.vecs.At(0, i)
	}
	return nil
}

// direction stores in p the step -B (|Λ| + λI)⁻¹ c for the current basis B
// and coefficients c. It returns false when |Λ| + λI is singular to working
// precision.
func (m *SaddleFreeNewton) direction(p []float64, lambda float64) bool {
	var dmin, dmax float64 = math.Inf(1), 0
	for _, v := range m.vals {
		d := math.Abs(v) + lambda
		dmin = math.Min(dmin, d)
		dmax = math.Max(dmax, d)
	}
	if !(dmax > 0) || dmax > dmin*mat.ConditionTolerance {
		return false
	}
	a := m.a[:m.m]
	for i, v := range m.vals {
		a[i] = -m.c[i] / (math.Abs(v) + lambda)
	}
	if m.Krylov == 0 {
		gemv(blas.NoTrans, p, &m.vecs, a)
		return true
	}
	// p = Vᵀ (U a), V holding the basis vectors as rows.
	sub := m.sub[:m.m]
	gemv(blas.NoTrans, sub, &m.vecs, a)
	for i := range p {
		p[i] = 0
	}
	for j, s := range sub {
		floats.AddScaled(p, s, m.basis[j*m.n:(j+1)*m.n])
	}
	return true
}

// gemv stores op(A) x in y, op(A) being A or Aᵀ as t says, with the BLAS
// call that mat.VecDense.MulVec makes for a *mat.Dense or its transpose
// (Dgemv with α = 1, β = 0), so the same bits without the vector headers.
func gemv(t blas.Transpose, y []float64, a *mat.Dense, x []float64) {
	blas64.Gemv(t, 1, a.RawMatrix(),
		blas64.Vector{N: len(x), Inc: 1, Data: x}, 0,
		blas64.Vector{N: len(y), Inc: 1, Data: y})
}
