package critical

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// MINRESSettings controls MINRES. The zero value, or a nil pointer, means the
// defaults documented on each field.
type MINRESSettings struct {
	// Tol is the tolerance of the residual test ||b - A x|| <= Tol ||b||.
	// Zero means 1e-10.
	Tol float64

	// ARTol is the tolerance of the least-squares test
	// ||A r|| <= ARTol ||A|| ||r||, which stops the iteration on a system
	// that has no solution; eigenvalues below about ARTol ||A|| in magnitude
	// are then treated as zero. Zero means 1e-8: once the Lanczos vectors
	// lose orthogonality the ratio stagnates between about 1e-10 and 1e-9
	// even for well-conditioned A, so tighter values are often out of reach.
	ARTol float64

	// MaxIterations is the largest number of Lanczos steps, one product
	// with A each. Zero means 5n for a system of size n.
	MaxIterations int

	// ANorm, if positive, is an estimate of ||A||_F that the stopping tests
	// use in place of the Lanczos estimate while that is smaller. Zero means
	// the Lanczos estimate alone. In the first steps the Lanczos estimate
	// has seen only part of the spectrum: without ANorm, a b with ||A b||
	// at rounding level is taken for an eigenvector with a tiny eigenvalue
	// and x = b / (b^T A b) comes out huge; with it, the least-squares test
	// recognises b as (numerically) in the null space and returns x = 0.
	ANorm float64
}

// MINRESStatus says why MINRES stopped.
type MINRESStatus int

const (
	// MINRESNotTerminated is the zero value; MINRES never returns it.
	MINRESNotTerminated MINRESStatus = iota
	// MINRESResidual: ||b - A x|| <= Tol ||b||, so x solves the system (to
	// that tolerance). It is also returned for b = 0, with x = 0.
	MINRESResidual
	// MINRESLeastSquares: ||A r|| <= ARTol ||A|| ||r|| with r = b - A x, so
	// x is a least-squares solution of a system that has no exact solution.
	MINRESLeastSquares
	// MINRESIllConditioned: the estimate of cond(A) reached 0.1/eps; x is
	// the last iterate and may be inaccurate.
	MINRESIllConditioned
	// MINRESIterationLimit: MaxIterations steps were taken without meeting
	// either test.
	MINRESIterationLimit
)

// String returns a lower-case description of s.
func (s MINRESStatus) String() string {
	switch s {
	case MINRESNotTerminated:
		return "not terminated"
	case MINRESResidual:
		return "residual small"
	case MINRESLeastSquares:
		return "least-squares residual small"
	case MINRESIllConditioned:
		return "ill-conditioned"
	case MINRESIterationLimit:
		return "iteration limit"
	}
	return fmt.Sprintf("MINRESStatus(%d)", int(s))
}

// MINRESResult describes the solution returned by MINRES. The norms are the
// estimates carried by the recurrences, not recomputed.
type MINRESResult struct {
	Status MINRESStatus
	// Iterations is the number of Lanczos steps taken (products with A).
	Iterations int
	// ResidualNorm estimates ||b - A x||.
	ResidualNorm float64
	// ARNorm estimates ||A r|| = ||A (b - A x)||, the norm of the gradient
	// of the least-squares objective ||b - A x||^2 / 2. The recurrences
	// give it one step late: it belongs to the returned x when Status is
	// MINRESLeastSquares, and to the iterate before it otherwise.
	ARNorm float64
	// ANorm is the Frobenius norm of the Lanczos tridiagonal matrix T_k,
	// an estimate of ||A||_F. In exact arithmetic it is a lower bound that
	// reaches ||A||_F (restricted to the Krylov subspace) at termination; in
	// floating point, lost orthogonality repeats converged eigenvalues of T_k
	// and can make it larger.
	ANorm float64
	// ACond estimates the condition number of A.
	ACond float64
	// XNorm is ||x||.
	XNorm float64
}

// MINRES solves the symmetric, possibly indefinite or singular, system
//
//	A x = b
//
// by the minimum-residual method of Paige and Saunders (1975): x_k minimises
// ||b - A x|| over the Krylov subspace K_k(A, b) = span{b, Ab, ..., A^(k-1) b},
// built by the Lanczos process with short recurrences, so only products
// with A are needed. A is given by mulVec, which must store A v in av (both of
// length n) and must not keep either slice. The iteration starts from
// x_0 = 0; the solution is stored in dst.
//
// The iteration stops when either test holds (Tol and ARTol from s):
//
//	||r_k|| <= Tol ||b||              (MINRESResidual, r_k = b - A x_k)
//	||A r_k|| <= ARTol ||A|| ||r_k||  (MINRESLeastSquares)
//
// where ||A r_k|| comes from the Lanczos quantities at no extra cost (Choi,
// Paige & Saunders 2011, "MINRES-QLP", SIAM J. Sci. Comput. 33, section 2)
// and ||A|| is the Frobenius norm of the Lanczos tridiagonal matrix, or
// s.ANorm when that is larger.
//
// In exact arithmetic MINRES terminates in at most n steps (at most the
// number of distinct eigenvalues of A). On a singular system:
//   - if b lies in the range of A (compatible system), x_k stays in the range
//     of A and converges to the minimum-length solution A^+ b;
//   - otherwise (incompatible system), the least-squares test stops the
//     iteration, before the last update, which would divide by a vanishing
//     pivot, at a least-squares solution x_k with A x_k = A A^+ b. Its
//     component in the null space N of A is xi P_N b, a multiple of the
//     projection of b that the Lanczos recurrences determine (A P_N = 0, so
//     the null-space parts of the Lanczos vectors obey the recurrence with
//     A omitted). Since then r_k = b - A x_k = P_N b, MINRES returns
//     x = x_k - xi r_k (one more product with A): the minimum-length
//     least-squares solution A^+ b that MINRES-QLP computes (Choi, Paige &
//     Saunders 2011), here without QLP's extra accuracy on ill-conditioned
//     systems. "Null space" means the eigenvalues with |lambda| <= about
//     ARTol ||A||, which the least-squares test cannot tell from zero; the
//     relative error of x is then about ARTol cond(A).
//
// MINRES panics if dst and b have different lengths. It returns an error if b
// or a product A v has a non-finite entry; dst then holds the last finite
// iterate.
func MINRES(dst []float64, mulVec func(av, v []float64), b []float64, s *MINRESSettings) (MINRESResult, error) {
	n := len(b)
	if len(dst) != n {
		panic(fmt.Sprintf("critical: MINRES destination has length %d, right-hand side %d", len(dst), n))
	}
	tol := 1e-10
	arTol := 1e-8
	maxIter := 5 * n
	var normHint float64
	if s != nil {
		if s.Tol < 0 || math.IsNaN(s.Tol) {
			panic(fmt.Sprintf("critical: negative MINRES tolerance %v", s.Tol))
		}
		if s.ARTol < 0 || math.IsNaN(s.ARTol) {
			panic(fmt.Sprintf("critical: negative MINRES least-squares tolerance %v", s.ARTol))
		}
		if s.ANorm < 0 || math.IsNaN(s.ANorm) {
			panic(fmt.Sprintf("critical: negative MINRES norm estimate %v", s.ANorm))
		}
		if s.MaxIterations < 0 {
			panic(fmt.Sprintf("critical: negative MINRES iteration limit %d", s.MaxIterations))
		}
		if s.Tol > 0 {
			tol = s.Tol
		}
		if s.ARTol > 0 {
			arTol = s.ARTol
		}
		if s.MaxIterations > 0 {
			maxIter = s.MaxIterations
		}
		normHint = s.ANorm
	}
	x := dst
	clear(x)
	if !allFinite(b) {
		return MINRESResult{}, fmt.Errorf("critical: MINRES right-hand side is not finite")
	}
	beta1 := floats.Norm(b, 2)
	if beta1 == 0 {
		return MINRESResult{Status: MINRESResidual}, nil
	}

	// Lanczos vectors: v is the current one, r1 and r2 the previous two
	// unnormalised ones; y receives A v.
	v := make([]float64, n)
	y := make([]float64, n)
	r1 := make([]float64, n)
	r2 := make([]float64, n)
	copy(r1, b)
	copy(r2, b)
	// Search directions w_k = (v_k - eps_k w_(k-2) - delta_k w_(k-1)) / gamma_k.
	w := make([]float64, n)
	w1 := make([]float64, n)
	w2 := make([]float64, n)

	var (
		oldb, dbar, epsln, tnorm2 float64
		beta                      = beta1
		phibar                    = beta1
		cs, sn                    = -1.0, 0.0
		gmax, gmin                = 0.0, math.Inf(1)
		res                       = MINRESResult{ResidualNorm: beta1, ACond: 1}

		// The null-space components: P_N v_k = nu_k P_N b, P_N w_k =
		// omega_k P_N b and P_N x_k = xi P_N b, by the same recurrences
		// with A P_N = 0.
		nu, nuPrev    = 1 / beta1, 0.0
		omega, omega1 float64
		xi            float64
	)
	for res.Iterations < maxIter {
		// Lanczos step: beta_(k+1) v_(k+1) = A v_k - alpha_k v_k - beta_k v_(k-1).
		floats.ScaleTo(v, 1/beta, r2)
		mulVec(y, v)
		if !allFinite(y) {
			return res, fmt.Errorf("critical: MINRES product A v is not finite at iteration %d", res.Iterations+1)
		}
		res.Iterations++
		if res.Iterations >= 2 {
			floats.AddScaled(y, -beta/oldb, r1)
		}
		alpha := floats.Dot(v, y)
		floats.AddScaled(y, -alpha/beta, r2)
		r1, r2, y = r2, y, r1
		oldb = beta
		beta = floats.Norm(r2, 2)
		// ||T_k||_F^2 for the (k+1)×k Lanczos tridiagonal T_k.
		tnorm2 += alpha*alpha + beta*beta
		if res.Iterations >= 2 {
			tnorm2 += oldb * oldb
		}
		res.ANorm = math.Sqrt(tnorm2)
		anorm := max(res.ANorm, normHint)

		// Apply the previous rotation Q_(k-1) to the new column of T.
		oldeps := epsln
		delta := cs*dbar + sn*alpha
		gbar := sn*dbar - cs*alpha
		epsln = sn * beta
		dbar = -cs * beta

		// ||A r_(k-1)|| = phibar_(k-1) sqrt(gbar^2 + dbar^2). Stop before
		// the update when x_(k-1) is already a least-squares solution: the
		// update would divide by a vanishing gamma.
		root := math.Hypot(gbar, dbar)
		res.ARNorm = phibar * root
		if root <= arTol*anorm {
			// Remove the null-space component xi P_N b of x. At a
			// least-squares solution r = b - A x = P_N b (up to the
			// tolerance), so x - xi r is the minimum-length solution.
			mulVec(y, x)
			if !allFinite(y) {
				return res, fmt.Errorf("critical: MINRES product A x is not finite")
			}
			floats.SubTo(y, b, y)
			floats.AddScaled(x, -xi, y)
			res.Status = MINRESLeastSquares
			res.XNorm = floats.Norm(x, 2)
			return res, nil
		}
		var nuNext float64
		if beta > 0 {
			nuNext = (-alpha*nu - oldb*nuPrev) / beta
		}

		// New rotation Q_k annihilating beta_(k+1).
		gamma := max(math.Hypot(gbar, beta), eps)
		cs = gbar / gamma
		sn = beta / gamma
		phi := cs * phibar
		phibar = sn * phibar

		// Update the search direction and x.
		w1, w2, w = w2, w, w1
		inv := 1 / gamma
		for i := range w {
			w[i] = (v[i] - oldeps*w1[i] - delta*w2[i]) * inv
			x[i] += phi * w[i]
		}
		omega, omega1 = (nu-oldeps*omega1-delta*omega)*inv, omega
		xi += phi * omega
		nu, nuPrev = nuNext, nu
		gmax = max(gmax, gamma)
		gmin = min(gmin, gamma)

		res.ResidualNorm = phibar
		res.XNorm = floats.Norm(x, 2)
		res.ACond = gmax / gmin
		switch {
		case phibar <= tol*beta1:
			res.Status = MINRESResidual
		case res.ACond >= 0.1/eps:
			res.Status = MINRESIllConditioned
		}
		if res.Status != MINRESNotTerminated {
			return res, nil
		}
	}
	res.Status = MINRESIterationLimit
	return res, nil
}

// allFinite reports whether every element of s is finite.
func allFinite(s []float64) bool {
	for _, v := range s {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
