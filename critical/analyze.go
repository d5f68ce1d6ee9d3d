package critical

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// DefaultGradTol is the threshold on the squared gradient norm below which
// Frye et al. (2019, 2021) found the loss and index of critical points of
// neural network losses reliable: ||g||^2 < 1e-10. Analyze scales it with the
// function value (see AnalyzeSettings.GradTol).
const DefaultGradTol = 1e-10

// AnalyzeSettings controls Analyze. The zero value, or a nil pointer, means
// the defaults documented on each field.
type AnalyzeSettings struct {
	// Tol is the classification tolerance before the Hessian's error is
	// accounted for. Zero or negative means Classify's default,
	// DefaultRelTol*||H||_2. Either way the tolerance applied is
	//  ClassTol = max(Tol, HessianError),
	// so that an eigenvalue whose sign the error of the Hessian could flip
	// counts as zero (Weyl's inequality). It must be finite.
	Tol float64

	// GradTol is the threshold on ||g||^2: the point is critical when
	// ||g||^2 < GradTol. A positive value is used as it is. Zero means
	//  DefaultGradTol * max(1, |f(x)|)^2,
	// Frye et al.'s 1e-10 for losses of order one. The gradient scales with
	// the function, so the scaled test does not change when f is multiplied
	// by a constant while |f| stays at least 1, and it stays reachable in
	// floating point for large losses, whose gradients carry rounding errors
	// proportional to |f|.
	// Set GradTol to 1e-10 to apply Frye et al.'s threshold as it is. Without
	// Func the scale is 1. A negative or NaN value panics.
	GradTol float64

	// FD controls the finite differences used for the Hessian when it is
	// not available exactly (or ForceFD is set) and for the gradient when
	// the problem has no Grad. Nil means &hessian.FDSettings{Richardson:
	// true}: a certificate needs the truncation part of the error
	// estimate, which costs a second pass.
	FD *hessian.FDSettings

	// ForceFD uses finite differences for the Hessian even when Hess or
	// HessVec is set.
	ForceFD bool

	// MatrixFreeDim is the dimension above which the Hessian is not
	// assembled: when p has HessVec, ForceFD is not set and n >
	// MatrixFreeDim, Analyze estimates the spectrum from Hessian-vector
	// products (see Analysis.Spectrum). Zero means DefaultMatrixFreeDim; a
	// negative value takes the matrix-free path at every dimension.
	MatrixFreeDim int

	// MatrixFree controls the matrix-free path. Nil means the defaults of
	// MatrixFreeSettings.
	MatrixFree *MatrixFreeSettings
}

// Certificate records what a classification of a point as critical rests
// on: the gradient norm and the threshold it met, the classification
// tolerance, and how accurate the Hessian is.
type Certificate struct {
	// GradNorm is ||g(x)||_2 and GradNormSq its square.
	GradNorm, GradNormSq float64
	// GradientExact is true when the gradient came from Grad rather than
	// from central differences of Func.
	GradientExact bool
	// GradTol is the threshold on ||g||^2 that was applied.
	GradTol float64
	// Critical is GradNormSq < GradTol.
	Critical bool

	// ClassTol is the classification tolerance used,
	//  max(Tol, HessianError + DistanceError, t),
	// with Tol as in AnalyzeSettings.Tol and t the tolerance of the Newton
	// step of NewtonDistance (0 for a point that is not critical): each
	// computed eigenvalue is within HessianError of one of the Hessian at
	// x, which is within DistanceError of one of the Hessian at the
	// critical point x approximates (Weyl), so an eigenvalue within ClassTol
	// of zero may have either sign there.
	ClassTol float64
	// HessianExact is true when the Hessian came from Hess or HessVec.
	HessianExact bool
	// HessianError estimates ||H_computed - H_true||_2, so each computed
	// eigenvalue is within HessianError of a true one (Weyl). For a finite
	// difference Hessian it is FD.Estimate. For an exact Hessian it is the
	// model n*eps*||H||_F of rounding in forming H, which assumes that Hess
	// or HessVec is accurate to working precision.
	HessianError float64
	// FD holds the parts of the finite-difference error estimate; it is
	// zero for an exact Hessian.
	FD hessian.FDError
	// NewtonDistance and DistanceError are set for a critical point
	// (Critical true, g != 0); both are zero otherwise. A point that passes
	// the gradient test is not the critical point x* it approximates but
	// lies near it, and the Hessian's eigenvalues at x* differ from those
	// at x by up to ||H(x*) - H(x)||_2 (Weyl). Where x* is a degenerate
	// critical point, as on the manifolds of critical points of deep linear
	// networks, eigenvalues that vanish at x* are of the order of the
	// distance at x and take either sign: at ||g||^2 just below 1e-10 they
	// can exceed the tolerance and give a wrong index with every sign
	// apparently certain.
	//
	// NewtonDistance is ||p|| for the Newton step p = -H^+ g at x in which
	// the eigenvalues within a tolerance t count as zero: the estimated
	// distance to x*. DistanceError estimates the change of the Hessian to
	// x* as
	//  DistanceError = 2 ||H(x + p) - H(x)||_2.
	// The tolerance t starts at max(Tol, HessianError) and is raised past
	// the eigenvalues that this change could move to zero: a step that
	// divides by such an eigenvalue is long, changes the Hessian much, and
	// estimates nothing. With the eigenvalues at hand, t is the smallest
	// tolerance found (by bisection over the eigenvalues, at most 24
	// Hessians) whose step changes the Hessian by less than the next
	// eigenvalue above t; the eigenvalues within t then count as zero in the
	// classification too. The matrix-free path raises t to DistanceError
	// while DistanceError exceeds it (at most eight rounds).
	// Near a nondegenerate critical point x* is about ||p|| away and the
	// Hessian changes linearly. Near a degenerate one Newton's method
	// converges linearly, with ratio 1/2 on a manifold of critical points
	// (Decker, Keller & Kelley, "Convergence rates for Newton's method at
	// singular points", SIAM J. Numer. Anal. 20, 1983) and (k-2)/(k-1) at a
	// zero of order k-1 of the gradient in one direction; the factor 2
	// covers both: for f = x^k it bounds the change of the Hessian to x* = 0
	// for every k >= 3 (2 (1 - ((k-2)/(k-1))^(k-2)) > 1). It is an
	// estimate, not a bound: a Hessian that changes faster beyond x + p
	// than along p, or a step that points away from x*, can defeat it.
	NewtonDistance, DistanceError float64
	// Uncertain is the number of eigenvalues whose sign is not certain,
	// |λ| <= ClassTol; it equals the classification's Nullity.
	Uncertain int
	// ErrorLimited is the number of those eigenvalues that would have had a
	// sign under Tol alone and lost it to HessianError or DistanceError:
	// the ones a more accurate Hessian or a point nearer x* might resolve.
	ErrorLimited int
	// SignsCertain is Uncertain == 0: the index is exact.
	SignsCertain bool
}

// Analysis is the second-order analysis of a point: its value, gradient,
// Hessian, classification and the certificate behind them.
//
// Kind in the classification is certain whenever it is not Degenerate: a
// Minimum or Maximum has every sign certain, and a Saddle has a certain
// eigenvalue of each sign. A minimum or maximum whose smallest-magnitude
// eigenvalue lies within the Hessian's error of zero is reported Degenerate,
// with that eigenvalue counted in Nullity. Kind says what the Hessian is; it
// describes a critical point only when Certificate.Critical is true.
type Analysis struct {
	// X is a copy of the point.
	X []float64
	// F is f(x), or NaN when the problem has no Func.
	F float64
	// Grad is the gradient at X.
	Grad []float64
	// Hessian is the (exact or finite-difference) Hessian at X, nil when
	// Spectrum is set.
	Hessian *mat.SymDense
	// Classification classifies Hessian with the tolerance
	// Certificate.ClassTol.
	Classification Classification
	// Certificate records the gradient test and the accuracy of the
	// classification.
	Certificate Certificate
	// Spectrum is set when the Hessian was not assembled (see
	// AnalyzeSettings.MatrixFreeDim and SpectrumEstimate): Classification
	// then has no Eigenvalues, MinEigenvalue and MaxEigenvalue are the
	// extreme Ritz values, Index and Nullity are estimates within the
	// certified bounds, and Certificate.Uncertain counts the eigenvalues
	// whose sign no Ritz value proves.
	Spectrum *SpectrumEstimate
}

// Analyze computes the gradient, Hessian and classification of p at x and
// certifies them.
//
// The gradient comes from p.Grad, or from central differences of p.Func
// (hessian.Gradient). The Hessian comes from hessian.Exact when p has Hess
// or HessVec and ForceFD is not set, and otherwise from
// hessian.FiniteDiffWithError, whose error estimate raises the classification
// tolerance; see Certificate and AnalyzeSettings for the thresholds. Above
// AnalyzeSettings.MatrixFreeDim a problem with HessVec is analysed without
// assembling the Hessian: Lanczos and SLQ estimate its spectrum, and the
// Kind rests on what the Ritz values prove (see SpectrumEstimate).
//
// At a point that passes the gradient test Analyze also estimates how far
// the point is from the critical point it approximates and how much the
// Hessian changes on the way (Certificate.NewtonDistance and DistanceError),
// and widens the classification tolerance by that change. This costs the
// eigenvectors of the Hessian and a few more Hessians (at most 24; typically
// one or two), or, matrix-free, MINRES solves and Lanczos runs on the
// difference of Hessian-vector products.
//
// Analyze panics for invalid settings. It returns an error, naming the
// value, when x is empty (wrapping hessian.ErrZeroDim) or has a non-finite
// coordinate, when f(x), a gradient component or a Hessian entry is not
// finite, or when p lacks the functions needed.
func Analyze(p hessian.Problem, x []float64, s *AnalyzeSettings) (Analysis, error) {
	a, _, err := analyze(p, x, s)
	return a, err
}

// analyze is Analyze, also returning for a critical point with an assembled
// Hessian the eigendecomposition behind its certificate.
func analyze(p hessian.Problem, x []float64, s *AnalyzeSettings) (Analysis, *hessianEigen, error) {
	var set AnalyzeSettings
	if s != nil {
		set = *s
	}
	checkTol(set.Tol)
	if set.GradTol < 0 || math.IsNaN(set.GradTol) || math.IsInf(set.GradTol, 0) {
		panic(fmt.Sprintf("critical: invalid gradient tolerance %v", set.GradTol))
	}
	fdSet := set.FD
	if fdSet == nil {
		fdSet = &hessian.FDSettings{Richardson: true}
	}
	n := len(x)
	if n == 0 {
		return Analysis{}, nil, fmt.Errorf("critical: %w", hessian.ErrZeroDim)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Analysis{}, nil, fmt.Errorf("critical: non-finite coordinate x[%d] = %v", i, v)
		}
	}
	if p.Func == nil && p.Grad == nil {
		return Analysis{}, nil, errors.New("critical: problem has neither Func nor Grad")
	}

	a := Analysis{X: append([]float64(nil), x...), F: math.NaN(), Grad: make([]float64, n)}
	if p.Func != nil {
		a.F = p.Func(a.X)
		if math.IsNaN(a.F) || math.IsInf(a.F, 0) {
			return Analysis{}, nil, fmt.Errorf("critical: non-finite function value f(x) = %v", a.F)
		}
	}
	if err := hessian.Gradient(a.Grad, p, a.X, fdSet); err != nil {
		return Analysis{}, nil, fmt.Errorf("critical: %w", err)
	}
	c := &a.Certificate
	c.GradientExact = p.Grad != nil
	c.GradNorm = floats.Norm(a.Grad, 2)
	c.GradNormSq = c.GradNorm * c.GradNorm
	c.GradTol = set.GradTol
	if c.GradTol == 0 {
		scale := 1.0
		if p.Func != nil {
			scale = max(1, math.Abs(a.F))
		}
		c.GradTol = DefaultGradTol * scale * scale
	}
	c.Critical = c.GradNormSq < c.GradTol

	if set.matrixFree(p, n) {
		if err := analyzeMatrixFree(&a, p, set); err != nil {
			return Analysis{}, nil, err
		}
		return a, nil, nil
	}
	exact := (p.Hess != nil || p.HessVec != nil) && !set.ForceFD
	a.Hessian = mat.NewSymDense(n, nil)
	if exact {
		if err := hessian.Exact(a.Hessian, p, a.X); err != nil {
			return Analysis{}, nil, fmt.Errorf("critical: %w", err)
		}
		c.HessianExact = true
		c.HessianError = float64(n) * 0x1p-52 * mat.Norm(a.Hessian, 2)
	} else {
		e, err := hessian.FiniteDiffWithError(a.Hessian, p, a.X, fdSet)
		if err != nil {
			return Analysis{}, nil, fmt.Errorf("critical: %w", err)
		}
		c.FD = e
		c.HessianError = e.Estimate
	}

	// The Newton step needs the eigenvectors; they are computed only for a
	// critical point.
	var (
		vals []float64
		eig  *hessianEigen
		err  error
	)
	if c.Critical && c.GradNorm > 0 {
		eig = &hessianEigen{}
		vals, err = hessian.Eigenvectors(&eig.vecs, a.Hessian)
	} else {
		vals, err = hessian.Eigenvalues(a.Hessian)
	}
	if err != nil {
		return Analysis{}, nil, fmt.Errorf("critical: %w", err)
	}
	tol := set.Tol
	if tol <= 0 {
		tol = defaultTol(vals)
	}
	c.ClassTol = max(tol, c.HessianError)
	if eig != nil {
		eig.vals, eig.tol = vals, c.ClassTol
		t, d, step := eig.distanceTol(p, a.X, a.Grad, a.Hessian, exact, fdSet)
		c.NewtonDistance, c.DistanceError = floats.Norm(step, 2), d
		c.ClassTol = max(tol, c.HessianError+d, t)
	}
	a.Classification, err = ClassifyEigenvalues(vals, c.ClassTol)
	if err != nil {
		return Analysis{}, nil, err
	}
	c.Uncertain = a.Classification.Nullity
	c.ErrorLimited = c.Uncertain - hessian.CountInertia(vals, tol).Zero
	c.SignsCertain = c.Uncertain == 0
	return a, eig, nil
}

// hessianEigen is the eigendecomposition of a Hessian with the tolerance
// tol below which its eigenvalues count as zero in the Newton step: for a
// critical point's analysis max(Tol, HessianError), which Find reuses.
type hessianEigen struct {
	vals []float64
	vecs mat.Dense
	tol  float64
	// change0 is H(x + p) - H(x) for the step p with the eigenvalues within
	// tol counted as zero, when distanceTol computed it and it is finite.
	change0 *mat.SymDense
}

// newtonStep returns the Newton step -H^+ g with the eigenvalues within t
// counted as zero, and the norm of its residual (see pseudoNewton).
func (e *hessianEigen) newtonStep(g []float64, t float64) (step []float64, resid float64) {
	return pseudoNewton(&e.vecs, e.vals, g, t)
}

// distanceTol returns eigenDistanceTol for the Hessian h at x with gradient
// g, starting from e.tol, computing H(x + p) exactly or by finite differences
// with fd as h was computed.
func (e *hessianEigen) distanceTol(p hessian.Problem, x, g []float64, h *mat.SymDense, exact bool, fd *hessian.FDSettings) (t, d float64, step []float64) {
	stepAt := func(t float64) []float64 {
		step, _ := e.newtonStep(g, t)
		return step
	}
	first := true
	change := func(step []float64) float64 {
		norm, diff := denseHessianChange(p, x, step, h, exact, fd)
		if first {
			e.change0, first = diff, false
		}
		return norm
	}
	return eigenDistanceTol(e.vals, e.tol, stepAt, change)
}

// pseudoNewton returns the Newton step p = -H^+ g for the eigendecomposition
// (vecs, vals) of H, with the eigenvalues within tol counted as zero, and
// ||H p + g||, the norm of the part of g along their eigenvectors.
func pseudoNewton(vecs *mat.Dense, vals, g []float64, tol float64) (step []float64, resid float64) {
	n := len(g)
	c := make([]float64, n)
	mat.NewVecDense(n, c).MulVec(vecs.T(), mat.NewVecDense(n, g))
	var resid2 float64
	for i, l := range vals {
		if math.Abs(l) <= tol {
			resid2 += c[i] * c[i]
			c[i] = 0
		} else {
			c[i] = -c[i] / l
		}
	}
	step = make([]float64, n)
	mat.NewVecDense(n, step).MulVec(vecs, mat.NewVecDense(n, c))
	return step, math.Sqrt(resid2)
}

// eigenDistanceTol returns the tolerance t of the Newton step behind a
// critical point's certificate, with the step p = stepAt(t), which counts the
// eigenvalues vals within t as zero, and the DistanceError D = 2 change(p),
// change(p) being ||H(x + p) - H(x)||_2.
//
// The step must not divide by eigenvalues that the change of the Hessian
// could move to zero: near a manifold of critical points the eigenvalues
// that vanish on it are small but above t0 at x, the gradient has a small
// component along their eigenvectors, and dividing by them gives a long step
// along the manifold that changes the Hessian far more than the distance to
// the manifold does. The step changes only at the candidates c_0 = t0 < c_1
// < ..., the distinct |λ| above t0. Candidate j is consistent when its D_j
// is below c_{j+1}: the tolerance max(c_j, D_j) then counts as zero exactly
// the eigenvalues the step left out. eigenDistanceTol returns the first
// consistent candidate it finds: from j = 0 it jumps to the largest
// candidate within D_j until one is consistent (eigenvalues within D count
// as zero anyway), and then bisects back between the last inconsistent
// candidate and that one, so that a long first step, which changes the
// Hessian much, does not cost the eigenvalues its change exceeds. At most 24
// Hessians are computed; beyond that every eigenvalue counts as zero.
func eigenDistanceTol(vals []float64, t0 float64, stepAt func(t float64) []float64, change func(step []float64) float64) (t, d float64, step []float64) {
	cand := []float64{t0}
	for _, l := range vals {
		if a := math.Abs(l); a > t0 {
			cand = append(cand, a)
		}
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	next := func(j int) float64 {
		if j+1 < len(cand) {
			return cand[j+1]
		}
		return math.Inf(1)
	}
	type result struct {
		d    float64
		step []float64
	}
	cache := make(map[int]result)
	evals := 0
	eval := func(j int) result {
		if r, ok := cache[j]; ok {
			return r
		}
		r := result{step: stepAt(cand[j])}
		if floats.Norm(r.step, 2) > 0 {
			evals++
			r.d = 2 * change(r.step)
		}
		cache[j] = r
		return r
	}
	const maxEvals = 24
	lo, hi := -1, 0 // lo inconsistent (or none), hi to be tried
	rhi := eval(hi)
	for rhi.d >= next(hi) {
		lo = hi
		// The largest candidate within D, at least the next one.
		k, _ := slices.BinarySearch(cand, rhi.d)
		if k == len(cand) || cand[k] > rhi.d {
			k--
		}
		hi = max(k, lo+1)
		if evals >= maxEvals {
			hi = len(cand) - 1
		}
		rhi = eval(hi)
	}
	for hi-lo > 1 && lo >= 0 && evals < maxEvals {
		mid := (lo + hi) / 2
		if r := eval(mid); r.d < next(mid) {
			hi, rhi = mid, r
		} else {
			lo = mid
		}
	}
	return max(cand[hi], rhi.d), rhi.d, rhi.step
}

// denseHessianChange returns ||H(x + step) - H(x)||_2 and the difference
// itself for the Hessian h at x, computing H(x + step) as h was computed, or
// +Inf and nil when x + step or the Hessian there is not finite: such a step
// says nothing about the critical point, and the eigenvalues it divides by
// count as zero.
func denseHessianChange(p hessian.Problem, x, step []float64, h *mat.SymDense, exact bool, fd *hessian.FDSettings) (float64, *mat.SymDense) {
	n := len(x)
	xp := make([]float64, n)
	floats.AddTo(xp, x, step)
	hp := mat.NewSymDense(n, nil)
	var err error
	if exact {
		err = hessian.Exact(hp, p, xp)
	} else {
		err = hessian.FiniteDiff(hp, p, xp, fd)
	}
	if err != nil {
		return math.Inf(1), nil
	}
	for i := range n {
		for j := i; j < n; j++ {
			hp.SetSym(i, j, hp.At(i, j)-h.At(i, j))
		}
	}
	norm, err := hessian.SpectralNorm(hp, 1e-3)
	if err != nil {
		return math.Inf(1), nil
	}
	return norm, hp
}

// String returns a one-line summary of a, for example
//
//	saddle (index 1/2, nullity 0), ||g|| = 3.1e-12 (critical, ||g||^2 < 1e-10), signs certain
//
// followed by ", finite-difference Hessian" when the Hessian was not exact.
// A matrix-free analysis gives the estimated index with its standard error,
// the range of the Ritz values and the numbers of proven signs instead.
func (a Analysis) String() string {
	if a.Spectrum != nil {
		return a.matrixFreeString()
	}
	var b strings.Builder
	cl, c := a.Classification, a.Certificate
	fmt.Fprintf(&b, "%v (index %d/%d, nullity %d), ||g|| = %.2g ", cl.Kind, cl.Index, len(cl.Eigenvalues), cl.Nullity, c.GradNorm)
	if c.Critical {
		fmt.Fprintf(&b, "(critical, ||g||^2 < %.2g), ", c.GradTol)
	} else {
		fmt.Fprintf(&b, "(not critical, ||g||^2 = %.2g >= %.2g), ", c.GradNormSq, c.GradTol)
	}
	switch {
	case c.SignsCertain:
		b.WriteString("signs certain")
	case c.Uncertain == 1:
		fmt.Fprintf(&b, "1 sign uncertain (|λ| <= %.2g)", c.ClassTol)
	default:
		fmt.Fprintf(&b, "%d signs uncertain (|λ| <= %.2g)", c.Uncertain, c.ClassTol)
	}
	if !c.HessianExact {
		b.WriteString(", finite-difference Hessian")
	}
	return b.String()
}
