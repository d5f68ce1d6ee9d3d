package hessian

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// TraceSettings controls Hutchinson and HutchPlusPlus. The zero value, or a
// nil pointer, means the defaults documented on each field.
type TraceSettings struct {
	// Probes is the number of operator applications (Hessian-vector
	// products) to spend. Hutchinson needs at least 2, HutchPlusPlus at
	// least 4. Zero means 100.
	Probes int

	// Seed seeds the probes: probe i draws from
	// rand.New(rand.NewPCG(Seed, i+1)).
	Seed uint64

	// Workers is the number of operator applications run at once; the
	// operator must then be safe for concurrent use. Zero means
	// runtime.GOMAXPROCS(0). The result does not depend on Workers.
	Workers int
}

// Hutchinson estimates the trace of the symmetric operator op by Hutchinson's
// estimator (Hutchinson, Commun. Stat. Simul. Comput. 19, 1990) with
// Rademacher probes z_i (independent random signs):
//
//	tr A ≈ 1/N Σ_i z_i^T A z_i,   Var(z^T A z) = 2 (||A||_F^2 - Σ_j A_jj^2),
//
// using N = Probes operator applications. StdErr is the sample standard
// deviation of the N terms divided by sqrt(N). A nil s means the default
// settings.
//
// Hutchinson returns ErrZeroDim when op.Dim is zero and an error when the
// operator returns a non-finite value. It panics if Probes is 1 or negative.
func Hutchinson(op Operator, s *TraceSettings) (Estimate, error) {
	if err := checkOperator(op); err != nil {
		return Estimate{}, err
	}
	set, probes := traceSettings(s, 2)
	n := op.Dim
	workers := workerCount(set.Workers, probes)
	z := make([][]float64, workers)
	az := make([][]float64, workers)
	for w := range workers {
		z[w] = make([]float64, n)
		az[w] = make([]float64, n)
	}
	terms := make([]float64, probes)
	err := parallelFor(probes, workers, func(w, i int) error {
		rademacher(z[w], probeRand(set.Seed, i))
		if err := applyChecked(op, az[w], z[w]); err != nil {
			return err
		}
		terms[i] = floats.Dot(z[w], az[w])
		return nil
	})
	if err != nil {
		return Estimate{}, err
	}
	mean, se := meanStdErr(terms)
	return Estimate{Value: mean, StdErr: se, Probes: probes}, nil
}

// HutchPlusPlus estimates the trace of the symmetric operator op by Hutch++
// (Meyer, Musco, Musco & Woodruff, SOSA 2021, Algorithm 1). With a budget of
// M = Probes operator applications, s = min(M/3, n) sketch vectors and
// N = M - 2s Hutchinson probes, it computes an orthonormal basis Q of
// A S for an n×s Rademacher matrix S, the projector P = I - Q Q^T, and
//
//	tr A ≈ tr(Q^T A Q) + 1/N Σ_i g_i^T P A P g_i
//
// with Rademacher probes g_i. The first term captures the top of the
// spectrum exactly; Hutchinson's estimator is used only for the deflated
// remainder P A P, whose Frobenius norm is small when a few eigenvalues
// dominate. When s = n the first term is the whole trace, no probes are
// drawn and StdErr is zero.
//
// Given S, the estimate is unbiased with variance that of the Hutchinson
// part, so StdErr is the sample standard deviation of the N terms
// g_i^T P A P g_i divided by sqrt(N): a conditional standard error that
// accounts for all the randomness of the estimate given the sketch. A nil s
// means the default settings.
//
// HutchPlusPlus returns ErrZeroDim when op.Dim is zero and an error when the
// operator returns a non-finite value. It panics if Probes is below 4.
func HutchPlusPlus(op Operator, s *TraceSettings) (Estimate, error) {
	if err := checkOperator(op); err != nil {
		return Estimate{}, err
	}
	set, budget := traceSettings(s, 4)
	n := op.Dim
	ns := min(budget/3, n)
	ng := budget - 2*ns
	if ns == n {
		ng = 0
	}
	workers := workerCount(set.Workers, max(ns, ng))

	// Sketch Y = A S, one row of yt per column of S.
	st := make([]float64, ns*n)
	yt := make([]float64, ns*n)
	err := parallelFor(ns, workers, func(_, i int) error {
		si := st[i*n : (i+1)*n]
		rademacher(si, probeRand(set.Seed, i))
		return applyChecked(op, yt[i*n:(i+1)*n], si)
	})
	if err != nil {
		return Estimate{}, err
	}

	// Q = orth(Y) by Householder QR; qt holds the columns of Q as rows.
	y := blas64.General{Rows: n, Cols: ns, Stride: ns, Data: make([]float64, n*ns)}
	for i := range ns {
		for r := range n {
			y.Data[r*ns+i] = yt[i*n+r]
		}
	}
	tau := make([]float64, ns)
	work := []float64{0}
	lapack64.Geqrf(y, tau, work, -1)
	lwork := int(work[0])
	lapack64.Orgqr(y, tau, work, -1)
	work = make([]float64, max(lwork, int(work[0]), 1))
	lapack64.Geqrf(y, tau, work, len(work))
	lapack64.Orgqr(y, tau, work, len(work))
	qt := st // S is no longer needed
	for i := range ns {
		for r := range n {
			qt[i*n+r] = y.Data[r*ns+i]
		}
	}

	// tr(Q^T A Q) = Σ_i q_i^T A q_i, reusing yt for A q_i.
	top := make([]float64, ns)
	err = parallelFor(ns, workers, func(_, i int) error {
		qi := qt[i*n : (i+1)*n]
		aq := yt[i*n : (i+1)*n]
		if err := applyChecked(op, aq, qi); err != nil {
			return err
		}
		top[i] = floats.Dot(qi, aq)
		return nil
	})
	if err != nil {
		return Estimate{}, err
	}
	est := Estimate{Value: floats.Sum(top), Probes: 2*ns + ng}
	if ng == 0 {
		return est, nil
	}

	// Hutchinson on P A P with probes g_i, from the streams after the sketch.
	q := blas64.General{Rows: ns, Cols: n, Stride: n, Data: qt}
	g := make([][]float64, workers)
	ag := make([][]float64, workers)
	c := make([][]float64, workers)
	for w := range workers {
		g[w] = make([]float64, n)
		ag[w] = make([]float64, n)
		c[w] = make([]float64, ns)
	}
	terms := make([]float64, ng)
	err = parallelFor(ng, workers, func(w, i int) error {
		rademacher(g[w], probeRand(set.Seed, ns+i))
		gv := blas64.Vector{N: n, Inc: 1, Data: g[w]}
		cv := blas64.Vector{N: ns, Inc: 1, Data: c[w]}
		blas64.Gemv(blas.NoTrans, 1, q, gv, 0, cv)
		blas64.Gemv(blas.Trans, -1, q, cv, 1, gv)
		if err := applyChecked(op, ag[w], g[w]); err != nil {
			return err
		}
		terms[i] = floats.Dot(g[w], ag[w])
		return nil
	})
	if err != nil {
		return Estimate{}, err
	}
	mean, se := meanStdErr(terms)
	est.Value += mean
	est.StdErr = se
	return est, nil
}

// traceSettings returns the settings s with defaults and the number of probes,
// panicking when it is below least.
func traceSettings(s *TraceSettings, least int) (TraceSettings, int) {
	var set TraceSettings
	if s != nil {
		set = *s
	}
	probes := set.Probes
	if probes == 0 {
		probes = 100
	}
	if probes < least {
		panic(fmt.Sprintf("hessian: trace estimate needs at least %d probes, have %d", least, probes))
	}
	return set, probes
}
