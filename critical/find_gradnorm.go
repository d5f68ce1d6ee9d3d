package critical

import (
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// bfgs minimises psi(x) = ||g(x)||^2 / 2 by BFGS with an inverse-Hessian
// approximation B (Nocedal & Wright 2006, algorithm 6.1):
//
//	d = -B grad psi,  grad psi = H g,
//	x <- x + alpha d  (backtracking on psi),
//	s = x_new - x, y = grad psi_new - grad psi, rho = 1 / y^T s,
//	B <- (I - rho s y^T) B (I - rho y s^T) + rho s s^T,
//
// with B = (y^T s / y^T y) I before the first update (their equation 6.20).
// The update is skipped when y^T s is not positive, which keeps B positive
// definite without a Wolfe line search; when the line search fails with the
// BFGS direction, B is reset to I and the steepest-descent direction tried.
// Along steepest descent (B = I) the line search starts from Polyak's step
// for the optimal value psi* = 0 (Polyak, Introduction to Optimization,
// 1987, section 5.3),
//
//	alpha_0 = min(1, psi / ||grad psi||^2),
//
// where the linear model of psi reaches zero, instead of alpha = 1, whose
// step has the wrong scale whenever ||H|| is far from 1 and jumps across
// basins of psi.
type bfgs struct {
	f *finder
	// b is the inverse-Hessian approximation; nil means I (no update yet).
	b *mat.SymDense
	// grad is grad psi = H g at f.x; nil until first computed.
	grad []float64
}

func newBFGS(f *finder) *bfgs { return &bfgs{f: f} }

// gradPsi returns H(x) g at the current iterate.
func (m *bfgs) gradPsi() ([]float64, bool) {
	f := m.f
	mul, err := f.hessVecAt(f.x)
	if err != nil {
		return nil, false
	}
	hg := make([]float64, f.n)
	mul(hg, f.g)
	return hg, allFinite(hg)
}

func (m *bfgs) step() FindStatus {
	f := m.f
	if m.grad == nil {
		hg, ok := m.gradPsi()
		if !ok {
			return NonFinite
		}
		m.grad = hg
	}
	if floats.Norm(m.grad, 2) == 0 {
		// psi is stationary: g lies in the kernel of H.
		return Stalled
	}
	x0 := slices.Clone(f.x)
	d := make([]float64, f.n)
	for {
		slope := m.direction(d)
		alpha0 := 1.0
		if m.b == nil {
			// Polyak's step for psi* = 0 along steepest descent.
			alpha0 = min(1, 0.5*f.gg/-slope)
		}
		st := f.backtrack(d, slope, 2, alpha0)
		if st == NotTerminated {
			break
		}
		if m.b == nil {
			return st
		}
		m.b = nil
	}
	hg, ok := m.gradPsi()
	if !ok {
		return NonFinite
	}
	s := make([]float64, f.n)
	floats.SubTo(s, f.x, x0)
	y := make([]float64, f.n)
	floats.SubTo(y, hg, m.grad)
	m.grad = hg
	m.update(s, y)
	return NotTerminated
}

// direction stores d = -B grad psi in d and returns the slope d^T grad psi,
// resetting B to I when d is not a descent direction.
func (m *bfgs) direction(d []float64) float64 {
	if m.b != nil {
		n := len(d)
		mat.NewVecDense(n, d).MulVec(m.b, mat.NewVecDense(n, m.grad))
		floats.Scale(-1, d)
		if slope := floats.Dot(d, m.grad); slope < 0 {
			return slope
		}
		m.b = nil
	}
	floats.ScaleTo(d, -1, m.grad)
	return -floats.Dot(m.grad, m.grad)
}

// update applies the BFGS update for the step s and gradient change y.
func (m *bfgs) update(s, y []float64) {
	ys := floats.Dot(y, s)
	if !(ys > 0) {
		return
	}
	n := len(s)
	if m.b == nil {
		m.b = mat.NewSymDense(n, nil)
		scale := ys / floats.Dot(y, y)
		for i := range n {
			m.b.SetSym(i, i, scale)
		}
	}
	// B+ = B - rho (s (B y)^T + (B y) s^T) + (rho^2 y^T B y + rho) s s^T.
	by := mat.NewVecDense(n, nil)
	by.MulVec(m.b, mat.NewVecDense(n, y))
	rho := 1 / ys
	yby := floats.Dot(y, by.RawVector().Data)
	sv := mat.NewVecDense(n, s)
	m.b.SymRankOne(m.b, rho*rho*yby+rho, sv)
	m.b.RankTwo(m.b, -rho, sv, by)
}
