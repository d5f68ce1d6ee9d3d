package optimizers

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
)

// Status is the reason Minimize stopped.
type Status int

const (
	// NotTerminated is the zero Status; Minimize never returns it.
	NotTerminated Status = iota
	// GradientThreshold: the gradient norm fell to Settings.GradientThreshold.
	GradientThreshold
	// FunctionConvergence: the loss stopped decreasing, as defined by
	// Settings.FunctionConverge.
	FunctionConvergence
	// IterationLimit: Settings.MaxIterations steps were taken.
	IterationLimit
	// EvaluationLimit: the evaluation budget Settings.MaxEvaluations is
	// spent.
	EvaluationLimit
	// Diverged: the loss exceeded the blow-up bound of Settings.BlowUp.
	Diverged
	// NonFinite: a loss, gradient, Hessian or iterate was NaN or infinite.
	NonFinite
	// SingularSystem: a Newton-type method met a singular linear system.
	SingularSystem
	// Failure: any other error of the method or the recorder.
	Failure
)

// String returns the name of s.
func (s Status) String() string {
	switch s {
	case NotTerminated:
		return "NotTerminated"
	case GradientThreshold:
		return "GradientThreshold"
	case FunctionConvergence:
		return "FunctionConvergence"
	case IterationLimit:
		return "IterationLimit"
	case EvaluationLimit:
		return "EvaluationLimit"
	case Diverged:
		return "Diverged"
	case NonFinite:
		return "NonFinite"
	case SingularSystem:
		return "SingularSystem"
	case Failure:
		return "Failure"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// ErrDiverged is wrapped by the error Minimize returns when the loss exceeds
// the blow-up bound.
var ErrDiverged = errors.New("optimizers: loss diverged")

// FunctionConverge stops a minimisation whose loss has not decreased
// significantly for Iterations monitored iterations, as gonum's
// optimize.FunctionConverge does. A decrease from the best loss so far,
// f_best, to f is significant when
//
//	f_best - f > Relative · max(|f|, |f_best|) + Absolute;
//
// it makes f the new f_best and restarts the count. Iterations == 0 turns
// the test off.
type FunctionConverge struct {
	Absolute   float64
	Relative   float64
	Iterations int
}

// Settings controls Minimize. The zero value, or a nil pointer, means the
// defaults documented on each field.
type Settings struct {
	// MaxIterations is the number of steps after which Minimize stops with
	// IterationLimit. Zero means 10000.
	MaxIterations int

	// MaxEvaluations is the evaluation budget, in gradient evaluations:
	// Minimize stops with EvaluationLimit before a step when
	//
	//	GradEvals + HessVecEvals + n·HessEvals >= MaxEvaluations,
	//
	// a Hessian-vector product costing one gradient and a Hessian n of
	// them. Function values are free. The evaluations Minimize makes to
	// monitor the loss count too. Zero means no budget.
	MaxEvaluations int

	// GradientThreshold stops the minimisation with GradientThreshold when
	// the Euclidean norm of the full gradient at a monitored iterate is at
	// most this value. Zero means 1e-12; a negative value turns the test
	// off.
	GradientThreshold float64

	// FunctionConverge is applied to the full loss at monitored iterates.
	// The zero value turns it off.
	FunctionConverge FunctionConverge

	// BlowUp bounds the loss: Minimize stops with Diverged, returning an
	// error wrapping ErrDiverged, when a monitored loss f has
	//
	//	|f| > BlowUp · max(1, |f₀|),
	//
	// f₀ being the loss at x0. A loss running off to -∞ (an objective
	// unbounded below) counts as divergence too. Zero means 1e12; +Inf
	// turns the test off.
	BlowUp float64

	// Sampler, when not nil, hands each step the objective of its batch,
	// and the problem p given to Minimize is the full objective, used only
	// for monitoring. Nil means every step sees p itself (deterministic
	// optimisation).
	Sampler Sampler

	// MonitorInterval is the number of steps between evaluations of the
	// full loss and gradient on p when a Sampler is set: the full loss,
	// the gradient norm, the gradient threshold, FunctionConverge and
	// BlowUp are evaluated at x0, at every MonitorInterval-th iterate and
	// at the last one. Zero means 1, every iterate. Without a Sampler every
	// iterate is monitored and the monitoring evaluations are shared with
	// the step.
	MonitorInterval int

	// Recorder, when not nil, receives every iterate, starting with x0.
	Recorder Recorder
}

// Result is the outcome of Minimize.
type Result struct {
	// X is the last accepted iterate. It is always finite: when a step
	// produces a non-finite or divergent iterate, X is the one before it.
	X []float64

	// F and GradNorm are the full loss at X and the Euclidean norm of its
	// gradient. They are not finite only when x0 itself gives a non-finite
	// loss or gradient (Status NonFinite, Iterations 0).
	F, GradNorm float64

	// Iterations is the number of steps taken to reach X.
	Iterations int

	// Evaluations counts every evaluation of the problem and of the
	// batches, including monitoring.
	Evaluations Evaluations

	// Status is the reason for stopping, and Err the error returned with
	// it, nil for GradientThreshold, FunctionConvergence, IterationLimit
	// and EvaluationLimit.
	Status Status
	Err    error
}

// Iterate is one iterate of a minimisation, as handed to a Recorder.
type Iterate struct {
	// K is the iteration: 0 for x0, k+1 for the result of step k.
	K int

	// X is the iterate. It is only valid during the call to Record.
	X []float64

	// Monitored reports whether F and GradNorm were evaluated at X. When it
	// is false (with a Sampler and MonitorInterval > 1) both are NaN.
	Monitored bool

	// F is the full loss at X, not the batch loss, and GradNorm the
	// Euclidean norm of the full gradient.
	F, GradNorm float64

	// LearningRate and Damping are those of the step that produced X, as
	// reported in its StepInfo; zero for x0.
	LearningRate, Damping float64

	// StepSize is the Euclidean norm of the step that produced X; zero for
	// x0 and for a rejected step.
	StepSize float64

	// Evaluations are the evaluations counted up to and including X.
	Evaluations Evaluations
}

// Recorder receives the iterates of Minimize. An error returned by Record
// stops the minimisation with Failure.
type Recorder interface {
	Record(it Iterate) error
}

// RecorderFunc is a function used as a Recorder.
type RecorderFunc func(it Iterate) error

// Record calls f(it).
func (f RecorderFunc) Record(it Iterate) error { return f(it) }

// Trajectory is a Recorder that keeps every iterate in memory, each with its
// own copy of X.
type Trajectory struct {
	Iterates []Iterate
}

// Record appends a copy of it to t.Iterates.
func (t *Trajectory) Record(it Iterate) error {
	it.X = slices.Clone(it.X)
	t.Iterates = append(t.Iterates, it)
	return nil
}

// Minimize minimises the problem p from x0 with the method m and returns the
// last accepted iterate. p must provide Func and Grad, and what m needs
// besides (Hess or HessVec for the Newton family). A nil s means all
// default Settings.
//
// Each iteration hands m.Step the objective of the step, counts its
// evaluations, checks the new iterate and records it. Minimize stops with an
// error, and keeps the last good iterate in the Result, when a step fails,
// when an iterate or its loss or gradient is not finite, and when the loss
// diverges; the error is also in Result.Err. Reaching the gradient
// threshold, the function-convergence test, the iteration limit or the
// evaluation budget ends without an error; Result.Status tells which.
//
// x0 is not modified. An empty x0 gives hessian.ErrZeroDim.
func Minimize(p hessian.Problem, x0 []float64, m Method, s *Settings) (Result, error) {
	if p.Func == nil || p.Grad == nil {
		panic("optimizers: Minimize needs a problem with Func and Grad")
	}
	if m == nil {
		panic("optimizers: nil Method")
	}
	var set Settings
	if s != nil {
		set = *s
	}
	if set.MaxIterations < 0 || set.MaxEvaluations < 0 || set.MonitorInterval < 0 {
		panic("optimizers: negative MaxIterations, MaxEvaluations or MonitorInterval")
	}
	if set.BlowUp < 0 || math.IsNaN(set.BlowUp) {
		panic(fmt.Sprintf("optimizers: BlowUp = %v, want >= 0", set.BlowUp))
	}
	if set.MaxIterations == 0 {
		set.MaxIterations = 10000
	}
	if set.GradientThreshold == 0 {
		set.GradientThreshold = 1e-12
	}
	if set.BlowUp == 0 {
		set.BlowUp = 1e12
	}
	if set.MonitorInterval == 0 || set.Sampler == nil {
		set.MonitorInterval = 1
	}

	n := len(x0)
	if n == 0 {
		return Result{Status: Failure, Err: hessian.ErrZeroDim}, hessian.ErrZeroDim
	}
	r := run{
		p:    p,
		set:  set,
		m:    m,
		n:    n,
		x:    slices.Clone(x0),
		next: make([]float64, n),
		g:    make([]float64, n),
	}
	return r.minimize()
}

// run is the state of one Minimize call.
type run struct {
	p   hessian.Problem
	set Settings
	m   Method
	n   int

	evals Evaluations
	mon   *Objective // the full problem
	step  *Objective // the objective handed to the steps

	x, next, g []float64
	f, gnorm   float64
	fresh      bool // f and gnorm are evaluated at x
	iter       int
	bound      float64
}

func (r *run) minimize() (Result, error) {
	r.mon = newObjective(r.p, r.n, &r.evals)
	r.step = r.mon
	if r.set.Sampler != nil {
		r.step = newObjective(hessian.Problem{}, r.n, &r.evals)
		r.set.Sampler.Init()
	}
	r.m.Init(r.n)

	if !allFinite(r.x) {
		r.f, r.gnorm = math.NaN(), math.NaN()
		return r.stop(NonFinite, fmt.Errorf("%w: starting point", ErrNonFinite))
	}
	f, gnorm := r.monitor(r.x)
	r.f, r.gnorm, r.fresh = f, gnorm, true
	if math.IsNaN(f) || math.IsInf(f, 0) || math.IsNaN(gnorm) || math.IsInf(gnorm, 0) {
		return r.stop(NonFinite, fmt.Errorf("%w: loss %v, gradient norm %v at the starting point", ErrNonFinite, f, gnorm))
	}
	r.bound = r.set.BlowUp * math.Max(1, math.Abs(f))
	if err := r.record(0, true, StepInfo{}, 0); err != nil {
		return r.stop(Failure, err)
	}

	fc := r.set.FunctionConverge
	best, stall := f, 0
	for k := 0; ; k++ {
		if r.fresh && r.gnorm <= r.set.GradientThreshold {
			return r.stop(GradientThreshold, nil)
		}
		if k >= r.set.MaxIterations {
			return r.stop(IterationLimit, nil)
		}
		if r.set.MaxEvaluations > 0 && r.evals.gradientEquivalents(r.n) >= r.set.MaxEvaluations {
			return r.stop(EvaluationLimit, nil)
		}
		if r.set.Sampler != nil {
			r.step.reset(r.set.Sampler.Next())
		}
		info, err := r.m.Step(r.next, r.step, r.x, k)
		if err != nil {
			status := Failure
			switch {
			case errors.Is(err, ErrSingular):
				status = SingularSystem
			case errors.Is(err, ErrNonFinite):
				status = NonFinite
			}
			return r.stop(status, fmt.Errorf("%w (step %d)", err, k))
		}
		if !allFinite(r.next) {
			return r.stop(NonFinite, fmt.Errorf("%w: iterate after step %d", ErrNonFinite, k))
		}
		monitored := (k+1)%r.set.MonitorInterval == 0
		f, gnorm := math.NaN(), math.NaN()
		if monitored {
			f, gnorm = r.monitor(r.next)
			if math.IsNaN(f) || math.IsInf(f, 0) || math.IsNaN(gnorm) || math.IsInf(gnorm, 0) {
				return r.stop(NonFinite, fmt.Errorf("%w: loss %v, gradient norm %v after step %d", ErrNonFinite, f, gnorm, k))
			}
			if math.Abs(f) > r.bound {
				return r.stop(Diverged, fmt.Errorf("%w: |loss| = %v > %v after step %d", ErrDiverged, math.Abs(f), r.bound, k))
			}
		}
		stepSize := floats.Distance(r.x, r.next, 2)
		r.x, r.next = r.next, r.x
		r.iter = k + 1
		r.f, r.gnorm, r.fresh = f, gnorm, monitored
		if err := r.record(k+1, monitored, info, stepSize); err != nil {
			return r.stop(Failure, err)
		}
		if monitored && fc.Iterations > 0 {
			if best-f > fc.Relative*math.Max(math.Abs(f), math.Abs(best))+fc.Absolute {
				best, stall = f, 0
			} else if stall++; stall >= fc.Iterations {
				return r.stop(FunctionConvergence, nil)
			}
		}
	}
}

// monitor returns the full loss at x and the norm of its gradient.
func (r *run) monitor(x []float64) (f, gnorm float64) {
	f = r.mon.Func(x)
	r.mon.Grad(r.g, x)
	return f, floats.Norm(r.g, 2)
}

func (r *run) record(k int, monitored bool, info StepInfo, stepSize float64) error {
	if r.set.Recorder == nil {
		return nil
	}
	err := r.set.Recorder.Record(Iterate{
		K:            k,
		X:            r.x,
		Monitored:    monitored,
		F:            r.f,
		GradNorm:     r.gnorm,
		LearningRate: info.LearningRate,
		Damping:      info.Damping,
		StepSize:     stepSize,
		Evaluations:  r.evals,
	})
	if err != nil {
		return fmt.Errorf("optimizers: recorder: %w", err)
	}
	return nil
}

// stop returns the result at the last accepted iterate, first evaluating
// the full loss there if it has not been.
func (r *run) stop(status Status, err error) (Result, error) {
	if !r.fresh && allFinite(r.x) {
		r.f, r.gnorm = r.monitor(r.x)
		r.fresh = true
		if err == nil && (math.IsNaN(r.f) || math.IsInf(r.f, 0) || math.IsNaN(r.gnorm) || math.IsInf(r.gnorm, 0)) {
			status = NonFinite
			err = fmt.Errorf("%w: loss %v, gradient norm %v at the last iterate", ErrNonFinite, r.f, r.gnorm)
		}
	}
	res := Result{
		X:           r.x,
		F:           r.f,
		GradNorm:    r.gnorm,
		Iterations:  r.iter,
		Evaluations: r.evals,
		Status:      status,
		Err:         err,
	}
	return res, err
}
