package critical

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// FindMethod selects the iteration used by Find.
type FindMethod int

const (
	// NewtonMR is Newton-MR (Roosta, Liu, Xu & Mahoney 2022; Frye et al.
	// 2021): the step p minimises ||H p + g|| by MINRES, and a backtracking
	// line search on ||g||^2 accepts x + alpha p when
	//
	//	||g(x + alpha p)||^2 <= ||g(x)||^2 + 2 rho alpha p^T H g,
	//
	// trying alpha = 1 first and shrinking it by Shrink. It needs only
	// Hessian-vector products. This is the zero value.
	NewtonMR FindMethod = iota
	// Newton is pure Newton, x <- x - H^-1 g with the dense Hessian and no
	// line search: it converges to whatever critical point is nearest,
	// saddles included, and stops with Singular when H cannot be inverted.
	Newton
	// DampedNewton (Frye et al. 2019) tries, for every gamma of Damping, the
	// step p_gamma minimising ||g + (H + gamma I) p|| (the minimum-length
	// least-squares solution of (H + gamma I) p = -g, from the
	// eigendecomposition of H) and moves to the x + p_gamma with the least
	// ||g||^2, if that is below the current one. When no gamma reduces
	// ||g||^2, all steps are shrunk by Shrink (alpha p_gamma, alpha = 1,
	// Shrink, Shrink^2, ...: an extension of ours, as the line searches of
	// NewtonMR) up to MaxBacktracks times before the iteration stops.
	DampedNewton
	// GradientNorm minimises psi(x) = ||g(x)||^2 / 2, whose gradient H g is
	// one Hessian-vector product, by BFGS (Nocedal & Wright 2006, algorithm
	// 6.1) with the backtracking line search of NewtonMR on psi. Minima of
	// psi with psi > 0 are the gradient-flat points where it stalls.
	GradientNorm
)

// String returns the name of m.
func (m FindMethod) String() string {
	switch m {
	case NewtonMR:
		return "newton-mr"
	case Newton:
		return "newton"
	case DampedNewton:
		return "damped-newton"
	case GradientNorm:
		return "gradient-norm"
	}
	return fmt.Sprintf("FindMethod(%d)", int(m))
}

// FindStatus says why Find stopped.
type FindStatus int

const (
	// NotTerminated is the zero value; Find never returns it.
	NotTerminated FindStatus = iota
	// Converged: ||g||^2 met GradTol and the point is certified critical.
	Converged
	// GradientFlat: the iteration could not reduce ||g||^2 at a point where
	// the gradient lies (nearly) in the kernel of the Hessian: the Newton
	// step's relative residual r exceeds FlatRatio (Frye et al. 2021).
	GradientFlat
	// Stalled: the iteration could not reduce ||g||^2 at a point that is
	// neither critical nor gradient-flat.
	Stalled
	// IterationLimit: MaxIterations iterations were taken.
	IterationLimit
	// NonFinite: the gradient or Hessian became non-finite at every step
	// that was tried.
	NonFinite
	// Singular: pure Newton met a Hessian it could not invert.
	Singular
	// ZeroHessian: the Hessian is zero at a point that is not critical, so
	// second-order steps are undefined.
	ZeroHessian
)

// String returns a lower-case description of s.
func (s FindStatus) String() string {
	switch s {
	case NotTerminated:
		return "not terminated"
	case Converged:
		return "converged"
	case GradientFlat:
		return "gradient-flat"
	case Stalled:
		return "stalled"
	case IterationLimit:
		return "iteration limit"
	case NonFinite:
		return "non-finite"
	case Singular:
		return "singular Hessian"
	case ZeroHessian:
		return "zero Hessian"
	}
	return fmt.Sprintf("FindStatus(%d)", int(s))
}

// FindSettings controls Find. The zero value, or a nil pointer, means the
// defaults documented on each field.
type FindSettings struct {
	// Method is the iteration; the zero value is NewtonMR.
	Method FindMethod

	// MaxIterations is the largest number of iterations (steps). Zero
	// means 500 for the Newton methods and 5000 for GradientNorm, a
	// quasi-Newton method on ||g||^2 that converges only linearly where
	// ||g||^2 has a degenerate minimum, as on a manifold of critical points.
	MaxIterations int

	// GradTol is the acceptance threshold on the squared gradient norm:
	// the iteration stops when ||g||^2 < GradTol, the test of Analyze. Zero
	// means Analyze's default DefaultGradTol * max(1, |f(x)|)^2, Frye et
	// al.'s 1e-10 scaled with the function value (which then costs one
	// call to Func per iteration).
	GradTol float64

	// ClassTol is the eigenvalue tolerance of the final classification
	// (see Classify). Zero means Classify's relative default.
	ClassTol float64

	// Damping is the set of damping constants gamma tried by DampedNewton,
	// all positive. Nil means {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6}
	// (Frye et al. 2019).
	Damping []float64

	// MINRES controls the inner solver of NewtonMR; nil is the zero value.
	// A zero Tol means the forcing term of inexact Newton (Dembo, Eisenstat
	// & Steihaug 1982), the relative residual tolerance
	//
	//	Tol_k = max(min(1/2, ||g_k||), 1e-10),
	//
	// loose far from a critical point, where solving exactly along nearly
	// singular directions of H only yields huge steps that the line search
	// must cut back, and tightening as ||g|| -> 0 so that convergence stays
	// quadratic; a positive Tol is used at every step. A zero ARTol means
	// 1e-7, so that eigenvalues below about 1e-7 ||H|| (such as those
	// vanishing at a gradient-flat point) count as zero and do not blow up
	// the step; other zero fields mean MINRES's defaults.
	MINRES *MINRESSettings

	// Rho is the sufficient-decrease constant of the line searches of
	// NewtonMR and GradientNorm. Zero means 1e-4.
	Rho float64

	// Shrink is the factor by which the line searches shrink alpha, in
	// (0, 1). Zero means 0.5.
	Shrink float64

	// MaxBacktracks is the number of times a line search may shrink alpha
	// before the step is declared failed. Zero means 50 (alpha >= 2^-50 with
	// the default Shrink).
	MaxBacktracks int

	// FlatRatio is the threshold on the relative residual
	// r = ||H p + g|| / (||H||_F ||p|| + ||g||) of the Newton step above which
	// a non-critical point is called gradient-flat. Zero means 0.9 (Frye et
	// al. 2021).
	FlatRatio float64
}

// findSettings holds FindSettings with the defaults filled in.
type findSettings struct {
	FindSettings
	minres MINRESSettings
}

func (s *FindSettings) resolve() findSettings {
	var set findSettings
	if s != nil {
		set.FindSettings = *s
	}
	if set.Method < NewtonMR || set.Method > GradientNorm {
		panic(fmt.Sprintf("critical: unknown find method %v", set.Method))
	}
	if set.MaxIterations < 0 || set.MaxBacktracks < 0 {
		panic("critical: negative iteration limit")
	}
	for _, v := range []float64{set.GradTol, set.ClassTol, set.Rho, set.FlatRatio} {
		if v < 0 || math.IsNaN(v) {
			panic(fmt.Sprintf("critical: negative or NaN find setting %v", v))
		}
	}
	if set.Shrink < 0 || set.Shrink >= 1 || math.IsNaN(set.Shrink) {
		panic(fmt.Sprintf("critical: line-search shrink factor %v not in (0, 1)", set.Shrink))
	}
	if set.Rho >= 0.5 {
		panic(fmt.Sprintf("critical: sufficient-decrease constant %v not in (0, 1/2)", set.Rho))
	}
	if set.MaxIterations == 0 {
		set.MaxIterations = 500
		if set.Method == GradientNorm {
			set.MaxIterations = 5000
		}
	}
	if set.Damping == nil {
		set.Damping = []float64{1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6}
	}
	for _, g := range set.Damping {
		if !(g > 0) || math.IsInf(g, 1) {
			panic(fmt.Sprintf("critical: damping %v is not positive and finite", g))
		}
	}
	if set.MINRES != nil {
		set.minres = *set.MINRES
	}
	if set.minres.ARTol == 0 {
		set.minres.ARTol = 1e-7
	}
	if set.Rho == 0 {
		set.Rho = 1e-4
	}
	if set.Shrink == 0 {
		set.Shrink = 0.5
	}
	if set.MaxBacktracks == 0 {
		set.MaxBacktracks = 50
	}
	if set.FlatRatio == 0 {
		set.FlatRatio = 0.9
	}
	return set
}

// Evaluations counts the calls Find made to each function of a problem. A
// Hessian assembled from Hessian-vector products counts n HessVec calls.
type Evaluations struct {
	Func, Grad, Hess, HessVec int
}

// Point is the result of Find: the last iterate, why the iteration stopped,
// and what is known about the point.
type Point struct {
	// X is the last iterate; it is always finite.
	X []float64
	// F is the function value at X (NaN when the problem has no Func).
	F float64
	// Grad is the gradient at X, and GradNorm its Euclidean norm.
	Grad     []float64
	GradNorm float64

	// Converged reports that the point is certified critical:
	// Certificate.Critical, ||g||^2 < Certificate.GradTol.
	Converged bool
	// Status says why the iteration stopped.
	Status FindStatus
	// Method is the iteration that was used.
	Method FindMethod
	// Iterations is the number of steps taken.
	Iterations int
	// Evaluations counts the function calls, including those of the final
	// analysis.
	Evaluations Evaluations

	// Classification is the second-order classification of the Hessian at
	// X. It describes a critical point only when Converged is true; its
	// tolerance is Certificate.ClassTol, raised as LimitEigenvalues
	// describes.
	Classification Classification
	// Certificate is the certificate of Analyze at X: the gradient test
	// and the classification tolerance it applied.
	Certificate Certificate

	// NewtonDistance is eta = ||H^+ g||, the length of the Newton step at
	// X with some eigenvalues counted as zero: the estimated distance from X
	// to the critical point it approximates. At a certified point these are
	// the eigenvalues within max(ClassTol, HessianError) (ClassTol of
	// FindSettings: the tolerance before the distance to the critical point
	// is accounted for), and Certificate.NewtonDistance is the length of the
	// step behind the certificate. At any other point they are, as for that
	// step, also the eigenvalues that the change of the Hessian along the
	// step could move to zero: a step that divides by an eigenvalue that
	// vanishes a little further on is no estimate of anything.
	NewtonDistance float64
	// LimitEigenvalues, for a converged point with an assembled Hessian,
	// estimate the eigenvalues of the Hessian at the critical point x*
	// that X approximates, in the order of Classification.Eigenvalues:
	//
	//	mu_i = lambda_i + 2 v_i^T (H(X + p) - H(X)) v_i,
	//
	// with lambda_i, v_i the eigenpairs of H(X) and p the Newton step: the
	// first-order change of lambda_i along p, taken over twice its length.
	// Near a nondegenerate critical point Newton's method converges
	// quadratically and x* is about eta from X; near a degenerate one it
	// converges linearly, typically with ratio 1/2 (Decker, Keller & Kelley,
	// "Convergence rates for Newton's method at singular points", SIAM J.
	// Numer. Anal. 20, 1983), so that the remaining steps add up to 2 eta.
	// An eigenvalue whose estimate mu_i lies within Certificate.ClassTol of
	// zero or beyond it is an artefact of the distance to x*: Classification
	// then counts as zero every eigenvalue up to the largest such
	// |lambda_i|, and the Certificate's ClassTol, Uncertain and
	// SignsCertain follow. This complements Certificate.DistanceError, a
	// bound on the change of all eigenvalues together. At the monkey saddle, whose Hessian vanishes at x* and
	// doubles with the distance, mu = 0 for both eigenvalues and the point
	// is classified Degenerate. Nil for a point that is not converged, when
	// g = 0, or when the Hessian was not assembled.
	LimitEigenvalues []float64

	// Spectrum is Analyze's matrix-free estimate of the spectrum when the
	// Hessian was too large to assemble (see AnalyzeSettings.MatrixFreeDim),
	// and nil otherwise. NewtonDistance and FlatRatio then come from MINRES
	// on H p = -g with Hessian-vector products, its least-squares
	// tolerance set so that eigenvalues within Certificate.ClassTol count as
	// zero, and ||H||_F estimated by MINRES; LimitEigenvalues is nil.
	Spectrum *SpectrumEstimate

	// FlatRatio is r = ||H p + g|| / (||H||_F ||p|| + ||g||) at X, the
	// quantity Frye et al. (2021) use to detect gradient-flat points, for
	// the minimum-residual Newton step p of NewtonDistance: 0 when g lies in
	// the range of H (and when g = 0), near 1 when g lies in its numerical
	// kernel. Without the tolerance, an eigenvalue of 1e-9 next to a
	// gradient-flat point would give a huge exact step and r = 0; with only
	// a fixed one, so would an iterate that stops just far enough from the
	// gradient-flat point for its vanishing eigenvalue to exceed it.
	FlatRatio float64
	// GradientFlat reports FlatRatio > FindSettings.FlatRatio at a point
	// that is not certified critical.
	GradientFlat bool
}

// counted wraps the functions of a problem with counters that are safe for
// concurrent use.
type counted struct {
	p                       hessian.Problem
	fn, grad, hess, hessVec atomic.Int64
}

func newCounted(p hessian.Problem) *counted {
	c := &counted{}
	c.p = hessian.Problem{}
	if p.Func != nil {
		c.p.Func = func(x []float64) float64 {
			c.fn.Add(1)
			return p.Func(x)
		}
	}
	if p.Grad != nil {
		c.p.Grad = func(g, x []float64) {
			c.grad.Add(1)
			p.Grad(g, x)
		}
	}
	if p.Hess != nil {
		c.p.Hess = func(h *mat.SymDense, x []float64) {
			c.hess.Add(1)
			p.Hess(h, x)
		}
	}
	if p.HessVec != nil {
		c.p.HessVec = func(hv, x, v []float64) {
			c.hessVec.Add(1)
			p.HessVec(hv, x, v)
		}
	}
	return c
}

func (c *counted) evaluations() Evaluations {
	return Evaluations{
		Func:    int(c.fn.Load()),
		Grad:    int(c.grad.Load()),
		Hess:    int(c.hess.Load()),
		HessVec: int(c.hessVec.Load()),
	}
}

// finder holds the state of one run of Find.
type finder struct {
	set findSettings
	c   *counted
	n   int

	x, g []float64 // current iterate and its gradient
	gg   float64   // ||g||^2
	fx   float64   // f(x) when computed for the gradient test, else NaN
	// anorm is an estimate of ||H||_F for MINRES's tests: exact when a
	// dense Hessian was formed, else MINRES's Lanczos estimate of the last
	// step.
	anorm float64
}

// errNonFinite marks a non-finite value met during a step.
var errNonFinite = errors.New("critical: non-finite value")

// Find looks for a critical point of p, a point where the gradient vanishes,
// starting from x0, with the method and tolerances of s (nil means the
// defaults). The iteration stops when ||g||^2 < GradTol, when it cannot make
// progress, or after MaxIterations steps; the last iterate is then certified
// and classified by Analyze, from its exact Hessian (or, above
// DefaultMatrixFreeDim, from Hessian-vector products). Find needs p.Grad and
// p.Hess or p.HessVec (Newton and DampedNewton form the dense Hessian from
// either).
//
// Find returns an error only when it cannot start: x0 empty or non-finite, a
// missing Grad or Hessian, or a non-finite gradient at x0. Failures during
// the run end it with Converged false and the reason in Status; X is then the
// last iterate at which the gradient was finite. Find panics on invalid
// settings. It does not modify x0, and it may be called concurrently.
//
// References: Frye, Simon, Wadia, Ligeralde & DeWeese, "Numerically
// recovering the critical points of a deep linear autoencoder" (2019) and
// "Critical point-finding methods reveal gradient-flat regions of deep
// network losses", Neural Computation 33 (2021); Roosta, Liu, Xu & Mahoney,
// "Newton-MR: inexact Newton method with minimum residual sub-problem
// solver", EURO J. Comput. Optim. 10 (2022).
func Find(p hessian.Problem, x0 []float64, s *FindSettings) (Point, error) {
	set := s.resolve()
	if len(x0) == 0 {
		return Point{}, fmt.Errorf("critical: %w", hessian.ErrZeroDim)
	}
	if !allFinite(x0) {
		return Point{}, errors.New("critical: non-finite starting point")
	}
	if p.Grad == nil {
		return Point{}, errors.New("critical: problem has no Grad")
	}
	if p.Hess == nil && p.HessVec == nil {
		return Point{}, errors.New("critical: problem has neither Hess nor HessVec")
	}
	f := &finder{set: set, c: newCounted(p), n: len(x0), fx: math.NaN()}
	f.x = slices.Clone(x0)
	f.g = make([]float64, f.n)
	f.c.p.Grad(f.g, f.x)
	if !allFinite(f.g) {
		return Point{}, errors.New("critical: non-finite gradient at the starting point")
	}
	f.gg = floats.Dot(f.g, f.g)

	var step func() FindStatus
	switch set.Method {
	case NewtonMR:
		step = f.newtonMRStep
	case Newton:
		step = f.newtonStep
	case DampedNewton:
		step = f.dampedStep
	case GradientNorm:
		step = newBFGS(f).step
	}
	status := NotTerminated
	iter := 0
	for status == NotTerminated {
		switch {
		case f.converged():
			status = Converged
		case iter == set.MaxIterations:
			status = IterationLimit
		default:
			status = step()
			if status == NotTerminated {
				iter++
			}
		}
	}
	return f.finish(status, iter)
}

// converged reports whether the current iterate passes the gradient test of
// Analyze, ||g||^2 < GradTol.
func (f *finder) converged() bool {
	if f.set.GradTol > 0 {
		return f.gg < f.set.GradTol
	}
	scale := 1.0
	if f.c.p.Func != nil {
		f.fx = f.c.p.Func(f.x)
		if !math.IsNaN(f.fx) && !math.IsInf(f.fx, 0) {
			scale = max(1, math.Abs(f.fx))
		}
	}
	return f.gg < DefaultGradTol*scale*scale
}

// finish analyses the last iterate and assembles the Point.
func (f *finder) finish(status FindStatus, iter int) (pt Point, err error) {
	pt = Point{
		X:          f.x,
		F:          f.fx,
		Grad:       f.g,
		GradNorm:   math.Sqrt(f.gg),
		Method:     f.set.Method,
		Iterations: iter,
	}
	defer func() { pt.Evaluations = f.c.evaluations() }()
	a, eig, aerr := analyze(f.c.p, f.x, &AnalyzeSettings{Tol: f.set.ClassTol, GradTol: f.set.GradTol})
	if aerr != nil {
		// The function or Hessian is not finite at the last iterate, or at
		// the Newton step from it.
		pt.Status = NonFinite
		return pt, nil
	}
	pt.F, pt.Grad, pt.GradNorm = a.F, a.Grad, a.Certificate.GradNorm
	pt.Classification, pt.Certificate = a.Classification, a.Certificate
	if status == Converged && !a.Certificate.Critical {
		status = Stalled
	}
	h := a.Hessian
	if h != nil {
		fro := mat.Norm(h, 2)
		if status != Converged && fro == 0 {
			status = ZeroHessian
		}
		if eig == nil && pt.GradNorm > 0 {
			// Not critical: Analyze computed no eigenvectors. The step
			// leaves out, as for a certificate, the eigenvalues that the
			// Hessian's change along it could zero (see eigenDistanceTol):
			// next to a gradient-flat point the eigenvalue that vanishes
			// there can stop just above the tolerance, and dividing by it
			// would give a huge step with r = 0.
			eig = &hessianEigen{tol: a.Classification.Tol}
			var eerr error
			if eig.vals, eerr = hessian.Eigenvectors(&eig.vecs, h); eerr != nil {
				pt.Status = NonFinite
				return pt, nil
			}
			eig.tol, _, _ = eig.distanceTol(f.c.p, f.x, pt.Grad, h, true, nil)
		}
		if eig != nil {
			step, resid := eig.newtonStep(pt.Grad, eig.tol)
			pt.NewtonDistance = floats.Norm(step, 2)
			pt.FlatRatio = resid / (fro*pt.NewtonDistance + pt.GradNorm)
		}
	} else {
		pt.Spectrum = a.Spectrum
		if status != Converged && a.Spectrum.Norm == 0 {
			status = ZeroHessian
		}
		if pt.GradNorm > 0 {
			var ok bool
			if pt.NewtonDistance, pt.FlatRatio, ok = f.flatRatioMatrixFree(pt.Grad, a.Classification.Tol, a.Spectrum.Norm); !ok {
				pt.Status = NonFinite
				return pt, nil
			}
		}
	}
	if status == Stalled && pt.FlatRatio > f.set.FlatRatio {
		status = GradientFlat
	}
	pt.Converged = status == Converged
	pt.GradientFlat = !pt.Converged && pt.FlatRatio > f.set.FlatRatio
	pt.Status = status
	if pt.Converged && pt.NewtonDistance > 0 && h != nil {
		// Analyze computed H(x + p) - H(x) for this step, the first of its
		// distance estimate.
		if pt.LimitEigenvalues = limitEigenvalues(&eig.vecs, eig.vals, eig.change0); pt.LimitEigenvalues == nil {
			pt.Status, pt.Converged = NonFinite, false
			return pt, nil
		}
		tol := pt.Certificate.ClassTol
		raised := tol
		for i, mu := range pt.LimitEigenvalues {
			if l := eig.vals[i]; math.Copysign(1, l)*mu <= tol {
				raised = max(raised, math.Abs(l))
			}
		}
		if raised > tol {
			if pt.Classification, err = ClassifyEigenvalues(eig.vals, raised); err != nil {
				return pt, err
			}
			c := &pt.Certificate
			c.ClassTol = raised
			c.ErrorLimited += pt.Classification.Nullity - c.Uncertain
			c.Uncertain = pt.Classification.Nullity
			c.SignsCertain = c.Uncertain == 0
		}
	}
	return pt, nil
}

// flatRatioMatrixFree returns ||p|| and r = ||H p + g|| / (||H||_F ||p|| +
// ||g||) for the Newton step p of minresNewton with tolerance tol (norm2
// estimates ||H||_2) and ||H||_F estimated by MINRES. It reports false when a
// product is not finite.
func (f *finder) flatRatioMatrixFree(g []float64, tol, norm2 float64) (eta, r float64, ok bool) {
	mul := func(hv, v []float64) { f.c.p.HessVec(hv, f.x, v) }
	p, anorm, err := minresNewton(mul, g, tol, norm2)
	if err != nil {
		return 0, 0, false
	}
	hp := make([]float64, f.n)
	mul(hp, p)
	if !allFinite(hp) {
		return 0, 0, false
	}
	floats.Add(hp, g)
	eta = floats.Norm(p, 2)
	return eta, floats.Norm(hp, 2) / (anorm*eta + floats.Norm(g, 2)), true
}

// limitEigenvalues returns mu_i = lambda_i + 2 v_i^T dh v_i for the
// eigenpairs (vals, vecs) of H(x) and dh = H(x + p) - H(x) for the Newton
// step p (see Point.LimitEigenvalues), or nil when dh is nil: the Hessian at
// x + p was not finite.
func limitEigenvalues(vecs *mat.Dense, vals []float64, dh *mat.SymDense) []float64 {
	if dh == nil {
		return nil
	}
	var d, dv mat.Dense
	d.CloneFrom(dh)
	dv.Mul(&d, vecs)
	mu := make([]float64, len(vals))
	for i, l := range vals {
		mu[i] = l + 2*mat.Dot(vecs.ColView(i), dv.ColView(i))
	}
	return mu
}

// denseMulVec returns v -> H v for a dense symmetric H.
func denseMulVec(h *mat.SymDense) func(hv, v []float64) {
	n := h.SymmetricDim()
	return func(hv, v []float64) {
		mat.NewVecDense(n, hv).MulVec(h, mat.NewVecDense(n, v))
	}
}

// hessian forms the dense Hessian at f.x and updates f.anorm.
func (f *finder) hessian() (*mat.SymDense, error) {
	h := mat.NewSymDense(f.n, nil)
	if err := hessian.Exact(h, f.c.p, f.x); err != nil {
		return nil, errNonFinite
	}
	f.anorm = mat.Norm(h, 2)
	return h, nil
}

// hessVecAt returns v -> H(x) v: p.HessVec when set, else products with the
// dense Hessian at x, formed once.
func (f *finder) hessVecAt(x []float64) (func(hv, v []float64), error) {
	if hv := f.c.p.HessVec; hv != nil {
		return func(dst, v []float64) { hv(dst, x, v) }, nil
	}
	h := mat.NewSymDense(f.n, nil)
	if err := hessian.Exact(h, f.c.p, x); err != nil {
		return nil, errNonFinite
	}
	f.anorm = mat.Norm(h, 2)
	return denseMulVec(h), nil
}

// tryPoint evaluates the gradient at x into g and returns ||g||^2, or false
// when the gradient is not finite.
func (f *finder) tryPoint(g, x []float64) (float64, bool) {
	f.c.p.Grad(g, x)
	if !allFinite(g) {
		return 0, false
	}
	return floats.Dot(g, g), true
}

// accept makes (x, g, gg) the current iterate, swapping buffers.
func (f *finder) accept(x, g []float64, gg float64) {
	copy(f.x, x)
	copy(f.g, g)
	f.gg = gg
}

// newtonStep takes the pure Newton step x <- x - H^-1 g.
func (f *finder) newtonStep() FindStatus {
	h, err := f.hessian()
	if err != nil {
		return NonFinite
	}
	if f.anorm == 0 {
		return ZeroHessian
	}
	var lu mat.LU
	lu.Factorize(h)
	if c := lu.Cond(); !(c < 1/eps) {
		return Singular
	}
	p := mat.NewVecDense(f.n, nil)
	if err := lu.SolveVecTo(p, false, mat.NewVecDense(f.n, f.g)); err != nil {
		return Singular
	}
	xt := make([]float64, f.n)
	floats.SubTo(xt, f.x, p.RawVector().Data)
	if !allFinite(xt) {
		return NonFinite
	}
	gt := make([]float64, f.n)
	gg, ok := f.tryPoint(gt, xt)
	if !ok {
		return NonFinite
	}
	f.accept(xt, gt, gg)
	return NotTerminated
}

// dampedStep takes the damped Newton step of Frye et al. (2019).
func (f *finder) dampedStep() FindStatus {
	h, err := f.hessian()
	if err != nil {
		return NonFinite
	}
	if f.anorm == 0 {
		return ZeroHessian
	}
	var vecs mat.Dense
	vals, err := hessian.Eigenvectors(&vecs, h)
	if err != nil {
		return NonFinite
	}
	// c = V^T g; p_gamma = -V diag(1/(lambda + gamma)) c, with the
	// pseudo-inverse's cut for (numerically) zero lambda + gamma.
	c := make([]float64, f.n)
	mat.NewVecDense(f.n, c).MulVec(vecs.T(), mat.NewVecDense(f.n, f.g))
	cut := float64(f.n) * eps * max(math.Abs(vals[0]), math.Abs(vals[f.n-1]))
	coef := make([]float64, f.n)
	xt := make([]float64, f.n)
	gt := make([]float64, f.n)
	bestX := make([]float64, f.n)
	bestG := make([]float64, f.n)
	steps := make([][]float64, len(f.set.Damping))
	for k, gamma := range f.set.Damping {
		for i, l := range vals {
			coef[i] = 0
			if d := l + gamma; math.Abs(d) > cut {
				coef[i] = -c[i] / d
			}
		}
		steps[k] = make([]float64, f.n)
		mat.NewVecDense(f.n, steps[k]).MulVec(&vecs, mat.NewVecDense(f.n, coef))
	}
	anyFinite := false
	alpha := 1.0
	for range f.set.MaxBacktracks + 1 {
		best, found := f.gg, false
		for _, p := range steps {
			floats.AddScaledTo(xt, f.x, alpha, p)
			if !allFinite(xt) {
				continue
			}
			gg, ok := f.tryPoint(gt, xt)
			if !ok {
				continue
			}
			anyFinite = true
			if gg < best {
				best, found = gg, true
				copy(bestX, xt)
				copy(bestG, gt)
			}
		}
		if found {
			f.accept(bestX, bestG, best)
			return NotTerminated
		}
		alpha *= f.set.Shrink
	}
	if !anyFinite {
		return NonFinite
	}
	return Stalled
}

// newtonMRStep takes one Newton-MR step.
func (f *finder) newtonMRStep() FindStatus {
	mul, err := f.hessVecAt(f.x)
	if err != nil {
		return NonFinite
	}
	ms := f.set.minres
	ms.ANorm = max(ms.ANorm, f.anorm)
	if ms.Tol == 0 {
		// Forcing term min(1/2, ||g||), at least MINRES's default.
		ms.Tol = max(min(0.5, math.Sqrt(f.gg)), 1e-10)
	}
	p := make([]float64, f.n)
	rhs := make([]float64, f.n)
	floats.ScaleTo(rhs, -1, f.g)
	res, err := MINRES(p, mul, rhs, &ms)
	if err != nil {
		return NonFinite
	}

	if f.c.p.HessVec != nil {
		f.anorm = res.ANorm
	}
	if res.ANorm == 0 {
		// H g = 0 and g^T H g = 0: H vanishes on the gradient.
		return Stalled
	}
	// p^T H g = -||H p||^2 for a MINRES iterate: the descent rate of
	// ||g||^2 along p.
	hp := make([]float64, f.n)
	mul(hp, p)
	if !allFinite(hp) {
		return NonFinite
	}
	slope := floats.Dot(hp, f.g)
	if !(slope < 0) {
		return Stalled
	}
	return f.backtrack(p, slope, 2, 1)
}

// backtrack searches along p from f.x for alpha = alpha0, alpha0 Shrink, ...
// with
//
//	||g(x + alpha p)||^2 <= ||g(x)||^2 + scale rho alpha slope,
//
// where slope is the directional derivative of ||g||^2 / scale, and moves
// there. It also requires a strict decrease, which the test alone does not
// ensure once the decrease is below the rounding error of ||g||^2. It
// returns NonFinite when the gradient was non-finite at every trial point and
// Stalled when the trials ran out otherwise.
func (f *finder) backtrack(p []float64, slope, scale, alpha0 float64) FindStatus {
	xt := make([]float64, f.n)
	gt := make([]float64, f.n)
	alpha := alpha0
	anyFinite := false
	for range f.set.MaxBacktracks + 1 {
		floats.AddScaledTo(xt, f.x, alpha, p)
		if allFinite(xt) {
			gg, ok := f.tryPoint(gt, xt)
			anyFinite = anyFinite || ok
			if ok && gg < f.gg && gg <= f.gg+scale*f.set.Rho*alpha*slope {
				f.accept(xt, gt, gg)
				return NotTerminated
			}
		}
		alpha *= f.set.Shrink
	}
	if !anyFinite {
		return NonFinite
	}
	return Stalled
}

// eps is the machine epsilon of float64.
const eps = 0x1p-52
