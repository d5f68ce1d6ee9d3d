package optimizers

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// Method is an optimizer that advances an iterate one step at a time. A
// Method keeps the state of its update rule (velocity, accumulators, damping)
// between steps, so a value must not be shared by concurrent minimisations.
type Method interface {
	// Init prepares the method for problems of dimension n and resets its
	// state. It is called once before the first step.
	Init(n int)

	// Step stores in xNext the iterate that follows x at iteration k
	// (k = 0, 1, ...), evaluating only obj, the objective of this step.
	// xNext and x have length n and must not share memory; x is not
	// modified. Step returns an error, with xNext unspecified, when the
	// update cannot be computed from the data (a singular system, a
	// non-finite Hessian).
	Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error)
}

// StepInfo describes a step taken by a Method.
type StepInfo struct {
	// LearningRate is the learning rate η_k used by the step, or zero for
	// methods without one (the Newton family).
	LearningRate float64

	// Damping is the damping λ of the step's linear system, or zero for
	// methods without one.
	Damping float64
}

// ErrSingular is wrapped by the error a Newton-type method returns when its
// linear system is singular to working precision: its condition number
// exceeds mat.ConditionTolerance (1e16).
var ErrSingular = errors.New("optimizers: singular Newton system")

// ErrNonFinite is wrapped by the errors returned for NaN or infinite
// function values, gradients, Hessians or iterates.
var ErrNonFinite = errors.New("optimizers: non-finite value")

// Evaluations counts calls to the functions of a problem.
type Evaluations struct {
	FuncEvals int // calls to Func
	GradEvals int // calls to Grad

	// HessEvals counts Hessians obtained from the problem's Hess function.
	// A Hessian assembled from HessVec is counted as n Hessian-vector
	// products instead.
	HessEvals int

	// HessVecEvals counts Hessian-vector products H(x)v.
	HessVecEvals int
}

// gradientEquivalents returns the cost of e in gradient evaluations: a
// Hessian-vector product costs about one gradient (Pearlmutter 1994) and a
// Hessian of an n-dimensional problem n of them. Function values are not
// counted.
func (e Evaluations) gradientEquivalents(n int) int {
	return e.GradEvals + e.HessVecEvals + n*e.HessEvals
}

// Objective is the objective that a Method evaluates during one step: the
// full problem, or the problem of the step's batch when Minimize runs with
// a Sampler. Every call is counted.
//
// Objective remembers the last point at which it evaluated Func and the last
// at which it evaluated Grad, and answers a repeated request at the same
// point from that memory without calling (or counting) the problem again.
// This lets Minimize monitor the loss and gradient at an iterate and a method
// use them at no extra cost; it assumes the problem's functions are
// deterministic.
//
// An Objective is not safe for concurrent use.
type Objective struct {
	p     hessian.Problem
	n     int
	evals *Evaluations
	gen   uint64 // incremented whenever p changes

	fx  []float64 // point of the remembered function value
	f   float64
	fok bool

	gx  []float64 // point of the remembered gradient
	g   []float64
	gok bool
}

// NewObjective returns an Objective for the n-dimensional problem p with its
// own evaluation counts. It panics if n < 1.
func NewObjective(p hessian.Problem, n int) *Objective {
	return newObjective(p, n, &Evaluations{})
}

func newObjective(p hessian.Problem, n int, evals *Evaluations) *Objective {
	if n < 1 {
		panic(fmt.Sprintf("optimizers: objective dimension %d < 1", n))
	}
	return &Objective{
		p:     p,
		n:     n,
		evals: evals,
		fx:    make([]float64, n),
		gx:    make([]float64, n),
		g:     make([]float64, n),
	}
}

// reset makes o evaluate p and forgets the remembered values.
func (o *Objective) reset(p hessian.Problem) {
	o.p = p
	o.gen++
	o.fok = false
	o.gok = false
}

// Len returns the dimension of the objective.
func (o *Objective) Len() int { return o.n }

// Evaluations returns the evaluations counted so far.
func (o *Objective) Evaluations() Evaluations { return *o.evals }

// HasHessian reports whether the problem provides Hess or HessVec, so that
// Hess can be called.
func (o *Objective) HasHessian() bool { return o.p.Hess != nil || o.p.HessVec != nil }

// HasHessVec reports whether the problem provides HessVec.
func (o *Objective) HasHessVec() bool { return o.p.HessVec != nil }

// Func returns the objective value at x. It panics if the problem has no Func
// or x has the wrong length.
func (o *Objective) Func(x []float64) float64 {
	o.checkLen(x, "x")
	if o.fok && slices.Equal(o.fx, x) {
		return o.f
	}
	if o.p.Func == nil {
		panic("optimizers: problem has no Func")
	}
	o.evals.FuncEvals++
	o.f = o.p.Func(x)
	copy(o.fx, x)
	o.fok = true
	return o.f
}

// Grad stores the gradient at x in grad. It panics if the problem has no Grad
// or a length is wrong.
func (o *Objective) Grad(grad, x []float64) {
	o.checkLen(x, "x")
	o.checkLen(grad, "gradient")
	if o.gok && slices.Equal(o.gx, x) {
		copy(grad, o.g)
		return
	}
	if o.p.Grad == nil {
		panic("optimizers: problem has no Grad")
	}
	o.evals.GradEvals++
	o.p.Grad(grad, x)
	copy(o.g, grad)
	copy(o.gx, x)
	o.gok = true
}

// Hess stores the Hessian at x in dst (allocated when empty) with
// hessian.Exact: from the problem's Hess, or assembled from n
// Hessian-vector products. It returns an error wrapping ErrNonFinite when x
// or the Hessian has a non-finite entry, and panics if the problem has
// neither Hess nor HessVec.
func (o *Objective) Hess(dst *mat.SymDense, x []float64) error {
	o.checkLen(x, "x")
	switch {
	case o.p.Hess != nil:
		o.evals.HessEvals++
	case o.p.HessVec != nil:
		o.evals.HessVecEvals += o.n
	default:
		panic("optimizers: problem has neither Hess nor HessVec")
	}
	if err := hessian.Exact(dst, o.p, x); err != nil {
		return fmt.Errorf("%w: %v", ErrNonFinite, err)
	}
	return nil
}

// HessVec stores the Hessian-vector product H(x)v in hv. It panics if the
// problem has no HessVec or a length is wrong.
func (o *Objective) HessVec(hv, x, v []float64) {
	o.checkLen(x, "x")
	o.checkLen(v, "v")
	o.checkLen(hv, "Hessian-vector product")
	if o.p.HessVec == nil {
		panic("optimizers: problem has no HessVec")
	}
	o.evals.HessVecEvals++
	o.p.HessVec(hv, x, v)
}

func (o *Objective) checkLen(v []float64, what string) {
	if len(v) != o.n {
		panic(fmt.Sprintf("optimizers: %s has length %d, objective has dimension %d", what, len(v), o.n))
	}
}

// checkStep panics unless xNext and x both have length n.
func checkStep(n int, xNext, x []float64) {
	if len(x) != n || len(xNext) != n {
		panic(fmt.Sprintf("optimizers: step with len(x) = %d, len(xNext) = %d after Init(%d)", len(x), len(xNext), n))
	}
}

// checkInit panics if n < 1.
func checkInit(n int) {
	if n < 1 {
		panic(fmt.Sprintf("optimizers: Init with dimension %d < 1", n))
	}
}

// orDefault returns v, or def when v is zero.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// rate returns the learning rate of iteration k: s.LearningRate(k) when s is
// set, otherwise eta, or def when eta is zero. It panics if the rate is
// negative or NaN.
func rate(eta float64, s Schedule, k int, def float64) float64 {
	if s != nil {
		eta = s.LearningRate(k)
	} else if eta == 0 {
		eta = def
	}
	if !(eta >= 0) {
		panic(fmt.Sprintf("optimizers: learning rate %v at iteration %d", eta, k))
	}
	return eta
}

// checkUnit panics unless v is in [0, 1).
func checkUnit(v float64, name string) {
	if !(v >= 0 && v < 1) {
		panic(fmt.Sprintf("optimizers: %s = %v outside [0, 1)", name, v))
	}
}

// checkNonNeg panics unless v >= 0.
func checkNonNeg(v float64, name string) {
	if !(v >= 0) {
		panic(fmt.Sprintf("optimizers: negative or NaN %s %v", name, v))
	}
}

// allFinite reports whether every element of v is finite.
func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
