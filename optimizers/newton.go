package optimizers

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

var (
	_ Method = (*Newton)(nil)
	_ Method = (*DampedNewton)(nil)
)

// Newton is the pure Newton method of the lecture,
//
//	W_{k+1} = W_k - H(W_k)⁻¹ ∇J(W_k),
//
// with no line search and no modification of the Hessian. It jumps to the
// critical point of the local quadratic model whatever its index, so it is
// attracted to saddle points as much as to minima (Dauphin et al. 2014,
// section 4): on 5x² - y² it lands on the saddle (0, 0) in one step.
//
// The system is solved by LU factorisation with partial pivoting. Step
// returns an error wrapping ErrSingular when H is singular to working
// precision, and one wrapping ErrNonFinite when H has a non-finite entry.
// The problem must provide Hess or HessVec.
//
// After Init, a step with a problem that provides Hess allocates nothing
// for n <= 128; for larger n gonum's blocked LU factorisation (Dgetrf)
// hands trailing updates to gonum's parallel Dgemm, which starts
// goroutines. A Hessian assembled from HessVec allocates in hessian.Exact.
type Newton struct {
	n     int
	g     []float64
	p     []float64
	hess  mat.SymDense
	lu    mat.Dense // the LU factors of the Hessian, as Dgetrf leaves them
	ipiv  []int
	work  []float64
	iwork []int
}

// Init implements Method.
func (m *Newton) Init(n int) {
	checkInit(n)
	m.n = n
	m.g = make([]float64, n)
	m.p = make([]float64, n)
	m.hess = *mat.NewSymDense(n, nil)
	m.lu = *mat.NewDense(n, n, nil)
	m.ipiv = make([]int, n)
	m.work = make([]float64, 4*n)
	m.iwork = make([]int, n)
}

// Step implements Method.
func (m *Newton) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	obj.Grad(m.g, x)
	if err := obj.Hess(&m.hess, x); err != nil {
		return StepInfo{}, err
	}
	if err := m.solve(); err != nil {
		return StepInfo{}, fmt.Errorf("%w (%v)", ErrSingular, err)
	}
	for i, pi := range m.p {
		xNext[i] = x[i] - pi
	}
	return StepInfo{}, nil
}

// solve stores H⁻¹g in m.p, H being m.hess and g m.g. It makes the LAPACK
// calls of mat.LU's Factorize and SolveVecTo, in their order and with their
// arguments (Dlange, Dgetrf, Dgecon in mat.CondNorm, Dgetrs), so m.p is
// theirs bit for bit, but on the storage of Init: mat.LU takes workspace
// from pools and allocates when it returns it. Like SolveVecTo, solve
// returns a mat.Condition error when H is exactly singular (without the
// condition estimate that SolveVecTo would then ignore) or its estimated
// condition number exceeds mat.ConditionTolerance.
func (m *Newton) solve() error {
	m.lu.Copy(&m.hess)
	lu := m.lu.RawMatrix()
	anorm := lapack64.Lange(mat.CondNorm, lu, m.work)
	if !lapack64.Getrf(lu, m.ipiv) {
		return mat.Condition(math.Inf(1))
	}
	cond := 1 / lapack64.Gecon(mat.CondNorm, lu, anorm, m.work, m.iwork)
	copy(m.p, m.g)
	lapack64.Getrs(blas.NoTrans, lu, blas64.General{Rows: m.n, Cols: 1, Stride: 1, Data: m.p}, m.ipiv)
	if cond > mat.ConditionTolerance {
		return mat.Condition(cond)
	}
	return nil
}

// minDamping is the floor of DampedNewton's damping, which keeps it from
// underflowing to zero, where multiplication could never grow it again.
const minDamping = 1e-12

// DampedNewton is Newton's method with Levenberg-Marquardt damping, the rule
// Martens (2010, section 4.1) uses for Hessian-free optimisation. Each step
// solves
//
//	(H + λ I) p = -∇J(W)
//
// by Cholesky factorisation and tries W + p. The step is accepted when it
// lowers the loss, J(W + p) < J(W), and λ then shrinks, λ ← Decrease·λ;
// otherwise, or when H + λI is not positive definite to working precision,
// the iterate stays at W and λ grows, λ ← Increase·λ. λ never falls below
// 1e-12. Large λ turns the step into gradient descent with rate 1/λ; small λ
// into pure Newton near a minimum.
//
// A rejected step still counts as an iteration; the Hessian at W is kept and
// reused by the next step if it evaluates the same objective (not a new
// batch). The problem must provide Func, and Hess or
// HessVec.
//
// After Init, a step with a problem that provides Hess allocates nothing
// for n <= 320; for larger n gonum's blocked Cholesky factorisation
// (Dpotrf) hands updates to gonum's parallel Dgemm, which starts
// goroutines. A Hessian assembled from HessVec allocates in hessian.Exact.
type DampedNewton struct {
	// Damping is the initial damping λ₀ > 0. Zero means 1.
	Damping float64

	// Increase is the factor > 1 that grows λ after a rejected step. Zero
	// means 3/2 (Martens 2010).
	Increase float64

	// Decrease is the factor in (0, 1) that shrinks λ after an accepted
	// step. Zero means 2/3 (Martens 2010).
	Decrease float64

	n      int
	lambda float64
	g      []float64
	p      []float64
	trial  []float64
	hx     []float64  // point of the stored Hessian
	hobj   *Objective // objective of the stored Hessian
	hgen   uint64     // and its generation
	hok    bool
	hess   mat.SymDense
	a      mat.SymDense // H + λI, overwritten by its Cholesky factor
	work   []float64
	iwork  []int
}

// Init implements Method. It resets λ to Damping.
func (m *DampedNewton) Init(n int) {
	checkInit(n)
	checkNonNeg(m.Damping, "Damping")
	if inc := orDefault(m.Increase, 1.5); !(inc > 1) {
		panic(fmt.Sprintf("optimizers: DampedNewton.Increase = %v, want > 1", inc))
	}
	if dec := orDefault(m.Decrease, 2.0/3); !(dec > 0 && dec < 1) {
		panic(fmt.Sprintf("optimizers: DampedNewton.Decrease = %v, want in (0, 1)", dec))
	}
	m.n = n
	m.lambda = orDefault(m.Damping, 1)
	m.g = make([]float64, n)
	m.p = make([]float64, n)
	m.trial = make([]float64, n)
	m.hx = make([]float64, n)
	m.hok = false
	m.hess = *mat.NewSymDense(n, nil)
	m.a = *mat.NewSymDense(n, nil)
	m.work = make([]float64, 3*n)
	m.iwork = make([]int, n)
}

// Step implements Method. StepInfo.Damping is the λ used by this step.
func (m *DampedNewton) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	lambda := m.lambda
	info := StepInfo{Damping: lambda}
	obj.Grad(m.g, x)
	if !m.hok || m.hobj != obj || m.hgen != obj.gen || !slices.Equal(m.hx, x) {
		m.hok = false
		if err := obj.Hess(&m.hess, x); err != nil {
			return info, err
		}
		copy(m.hx, x)
		m.hobj, m.hgen, m.hok = obj, obj.gen, true
	}
	m.a.CopySym(&m.hess)
	for i := range m.n {
		m.a.SetSym(i, i, m.hess.At(i, i)+lambda)
	}
	if m.solve() {
		for i, pi := range m.p {
			m.trial[i] = x[i] - pi
		}
		f := obj.Func(x)
		if ft := obj.Func(m.trial); ft < f {
			copy(xNext, m.trial)
			m.lambda = math.Max(lambda*orDefault(m.Decrease, 2.0/3), minDamping)
			return info, nil
		}
	}
	copy(xNext, x)
	m.lambda = lambda * orDefault(m.Increase, 1.5)
	return info, nil
}

// solve factorises A = m.a = H + λI in place and stores A⁻¹g in m.p, g
// being m.g. It makes the LAPACK calls of mat.Cholesky's Factorize and
// SolveVecTo, in their order and with their arguments (Dlansy, Dpotrf,
// Dpocon in mat.CondNorm, Dpotrs), so m.p is theirs bit for bit, but on
// the storage of Init: mat.Cholesky takes workspace from pools and
// allocates when it returns it. It returns false, where Factorize or
// SolveVecTo fail, when A is not positive definite or its estimated
// condition number exceeds mat.ConditionTolerance; it then skips the solve,
// whose result the step would discard.
func (m *DampedNewton) solve() bool {
	a := m.a.RawSymmetric()
	anorm := lapack64.Lansy(mat.CondNorm, a, m.work)
	u, ok := lapack64.Potrf(a)
	if !ok {
		return false
	}
	if cond := 1 / lapack64.Pocon(a, anorm, m.work, m.iwork); cond > mat.ConditionTolerance {
		return false
	}
	copy(m.p, m.g)
	lapack64.Potrs(u, blas64.General{Rows: m.n, Cols: 1, Stride: 1, Data: m.p})
	return true
}
