package critical

import (
	"errors"
	"fmt"
	"math"
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

	// ClassTol is the classification tolerance used, max(Tol,
	// HessianError); see AnalyzeSettings.Tol.
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
	// Uncertain is the number of eigenvalues whose sign is not certain,
	// |λ| <= ClassTol; as ClassTol >= HessianError it equals the
	// classification's Nullity.
	Uncertain int
	// ErrorLimited is the number of those eigenvalues that would have had a
	// sign under Tol alone and lost it to HessianError: the ones a more
	// accurate Hessian might resolve.
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
// Analyze panics for invalid settings. It returns an error, naming the
// value, when x is empty (wrapping hessian.ErrZeroDim) or has a non-finite
// coordinate, when f(x), a gradient component or a Hessian entry is not
// finite, or when p lacks the functions needed.
func Analyze(p hessian.Problem, x []float64, s *AnalyzeSettings) (Analysis, error) {
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
		return Analysis{}, fmt.Errorf("critical: %w", hessian.ErrZeroDim)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Analysis{}, fmt.Errorf("critical: non-finite coordinate x[%d] = %v", i, v)
		}
	}
	if p.Func == nil && p.Grad == nil {
		return Analysis{}, errors.New("critical: problem has neither Func nor Grad")
	}

	a := Analysis{X: append([]float64(nil), x...), F: math.NaN(), Grad: make([]float64, n)}
	if p.Func != nil {
		a.F = p.Func(a.X)
		if math.IsNaN(a.F) || math.IsInf(a.F, 0) {
			return Analysis{}, fmt.Errorf("critical: non-finite function value f(x) = %v", a.F)
		}
	}
	if err := hessian.Gradient(a.Grad, p, a.X, fdSet); err != nil {
		return Analysis{}, fmt.Errorf("critical: %w", err)
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
			return Analysis{}, err
		}
		return a, nil
	}
	a.Hessian = mat.NewSymDense(n, nil)
	if (p.Hess != nil || p.HessVec != nil) && !set.ForceFD {
		if err := hessian.Exact(a.Hessian, p, a.X); err != nil {
			return Analysis{}, fmt.Errorf("critical: %w", err)
		}
		c.HessianExact = true
		c.HessianError = float64(n) * 0x1p-52 * mat.Norm(a.Hessian, 2)
	} else {
		e, err := hessian.FiniteDiffWithError(a.Hessian, p, a.X, fdSet)
		if err != nil {
			return Analysis{}, fmt.Errorf("critical: %w", err)
		}
		c.FD = e
		c.HessianError = e.Estimate
	}

	vals, err := hessian.Eigenvalues(a.Hessian)
	if err != nil {
		return Analysis{}, fmt.Errorf("critical: %w", err)
	}
	tol := set.Tol
	if tol <= 0 {
		tol = defaultTol(vals)
	}
	c.ClassTol = max(tol, c.HessianError)
	a.Classification, err = ClassifyEigenvalues(vals, c.ClassTol)
	if err != nil {
		return Analysis{}, err
	}
	c.Uncertain = a.Classification.Nullity
	c.ErrorLimited = c.Uncertain - hessian.CountInertia(vals, tol).Zero
	c.SignsCertain = c.Uncertain == 0
	return a, nil
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
