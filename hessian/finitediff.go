package hessian

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// machEps is the machine epsilon of float64, 2^-52, the spacing of the
// float64 numbers at 1.
const machEps = 0x1p-52

var (
	// gradStep is the default relative step for central differences of
	// the gradient (and of the function, for Gradient): cbrt(eps) balances
	// the O(h^2) truncation error against the O(eps/h) rounding error.
	gradStep = math.Cbrt(machEps)
	// funcStep is the default relative step for function-value stencils of
	// the Hessian: eps^(1/4) balances the O(h^2) truncation error of a
	// second-order stencil against the O(eps/h^2) rounding error.
	funcStep = math.Sqrt(math.Sqrt(machEps))
)

// FDSettings controls FiniteDiff, FiniteDiffWithError and Gradient. The zero
// value, or a nil pointer, means the defaults documented on each field.
type FDSettings struct {
	// Step is the relative step: coordinate i is perturbed by
	//  h_i = Step*max(|x_i|, 1),
	// rounded so that x_i + h_i - x_i = h_i exactly. Zero means cbrt(eps) ≈
	// 6.06e-6 for differences of the gradient (and for Gradient), and
	// eps^(1/4) ≈ 1.22e-4 for function-value stencils; both balance
	// truncation against rounding for second-order accurate formulas. Set it
	// explicitly for a first-order Formula. A negative or NaN Step panics.
	Step float64

	// Formula is the first-derivative stencil of gonum's diff/fd applied in
	// each pair of coordinates when the problem has no gradient, as in
	// fd.Hessian:
	//  H_ij ≈ sum_a sum_b c_a c_b f(x + l_a h_i e_i + l_b h_j e_j) / (h_i h_j)
	// for the stencil points (l_a, c_a). The zero value means fd.Central,
	// for which H_ij costs four function values. Formula.Step is not used.
	// A formula whose Derivative is not 1 or whose Stencil is empty panics.
	Formula fd.Formula

	// Workers is the number of goroutines evaluating the problem. Zero means
	// runtime.GOMAXPROCS(0). Every entry is computed on its own, so the
	// result does not depend on Workers. A negative value panics.
	Workers int

	// Richardson, when true, computes the approximation a second time with
	// the steps 2h and adds the difference of the two to the error estimate
	// (see FDError.Richardson). It doubles the cost.
	Richardson bool
}

// FDError estimates the error E = H_fd - H of a finite-difference Hessian
// H_fd in the spectral norm. By Weyl's inequality every eigenvalue of H_fd is
// within ||E||_2 of the corresponding eigenvalue of H, so an eigenvalue of
// H_fd smaller in magnitude than Estimate has no certain sign.
//
// Each part is the norm of a matrix formed during the approximation, bounded
// from above in O(n^2) by min(||M||_F, ||M||_inf) >= ||M||_2 (the infinity
// norm bounds the spectral norm of the symmetric and skew-symmetric matrices
// used here). The parts are measured or modelled, not rigorous: the estimate
// can miss a smooth error component that is symmetric and the same at steps h
// and 2h, which needs derivatives of high order to be large.
type FDError struct {
	// Estimate is max(Asymmetry, Richardson, Rounding), the estimate of
	// ||H_fd - H||_2.
	Estimate float64

	// Asymmetry bounds ||(G - G^T)/2||_2, where column j of G is the
	// unsymmetrised difference quotient
	//  (g(x + h_j e_j) - g(x - h_j e_j)) / (2 h_j).
	// As H is symmetric, (G - G^T)/2 is the skew part of G - H: it measures
	// both the rounding noise and the truncation error, of the same order as
	// G - H itself. It is zero for function-value stencils, which are
	// symmetric by construction.
	Asymmetry float64

	// Richardson bounds ||H_h - H_2h||_2, the change of the symmetrised
	// approximation when the steps are doubled, when FDSettings.Richardson
	// is set, and is zero otherwise. For a second-order stencil the
	// truncation error of H_h is about a third of H_2h - H_h, and the
	// rounding error about the same size, so this over-estimates the
	// truncation error about threefold.
	Richardson float64

	// Rounding bounds ||R||_F >= ||R||_2 for the a priori rounding error
	//  R_ij = eps * sum |c| |v| / (step product),
	// the sum over the values v (gradient components or function values)
	// entering entry (i, j) with their stencil coefficients c. It assumes
	// that each value is computed with a relative error of about eps; values
	// summed over many terms are usually less accurate, which Asymmetry and
	// Richardson then reveal.
	Rounding float64

	// Evaluations is the number of calls of Grad (or of Func, without a
	// gradient) that were made.
	Evaluations int
}

// FiniteDiff stores a finite-difference approximation of the Hessian of p at
// x in dst. It is FiniteDiffWithError without the error estimate; see there.
func FiniteDiff(dst *mat.SymDense, p Problem, x []float64, s *FDSettings) error {
	_, err := FiniteDiffWithError(dst, p, x, s)
	return err
}

// FiniteDiffWithError stores a finite-difference approximation of the Hessian
// of p at x in dst and returns an estimate of its error.
//
// With p.Grad it takes central differences of the gradient, 2n gradient
// calls (4n with s.Richardson), and symmetrises:
//
//	G_ij = (g_i(x + h_j e_j) - g_i(x - h_j e_j)) / (2 h_j),  H = (G + G^T)/2,
//
// with h_j = Step*max(|x_j|, 1). Without p.Grad it applies the function-value
// stencil s.Formula (default fd.Central) in each pair of coordinates like
// gonum's fd.Hessian, but with relative steps and in parallel: about 2n^2
// function calls for fd.Central. The calls run on s.Workers goroutines and
// the result does not depend on their number.
//
// An empty dst is allocated; a dst of the wrong size panics, as do invalid
// settings. It returns ErrZeroDim for an empty x, and an error naming the
// value when x, a gradient component, a function value or the result is not
// finite, or when p has neither Grad nor Func.
func FiniteDiffWithError(dst *mat.SymDense, p Problem, x []float64, s *FDSettings) (FDError, error) {
	set := fdSettingsOf(s)
	if err := checkPoint(x); err != nil {
		return FDError{}, err
	}
	n := len(x)
	prepareDst(dst, n)
	var (
		e   FDError
		err error
	)
	switch {
	case p.Grad != nil:
		e, err = gradDiff(dst, p.Grad, x, set)
	case p.Func != nil:
		e, err = funcDiff(dst, p.Func, x, set)
	default:
		return FDError{}, errors.New("hessian: problem has neither Grad nor Func")
	}
	if err != nil {
		return FDError{}, err
	}
	if err := checkFiniteSym(dst, "finite-difference Hessian"); err != nil {
		return FDError{}, err
	}
	e.Estimate = max(e.Asymmetry, e.Richardson, e.Rounding)
	return e, nil
}

// Gradient stores the gradient of p at x in dst: from p.Grad when it is set,
// otherwise by central differences of p.Func,
//
//	g_i = (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i),  h_i = Step*max(|x_i|, 1),
//
// 2n function calls on s.Workers goroutines with Step from s (zero means
// cbrt(eps)); s.Formula and s.Richardson are not used. A dst whose length is
// not len(x) panics. Gradient returns ErrZeroDim for an empty x and an error
// naming the value when x, a function value or the gradient is not finite, or
// when p has neither Grad nor Func.
func Gradient(dst []float64, p Problem, x []float64, s *FDSettings) error {
	set := fdSettingsOf(s)
	if len(dst) != len(x) {
		panic(fmt.Sprintf("hessian: gradient destination has length %d, point has length %d", len(dst), len(x)))
	}
	if err := checkPoint(x); err != nil {
		return err
	}
	switch {
	case p.Grad != nil:
		p.Grad(dst, x)
	case p.Func != nil:
		step := set.Step
		if step == 0 {
			step = gradStep
		}
		n := len(x)
		errs := make([]error, n)
		forEachIndex(n, set.Workers, func() func(i int) {
			xs := append([]float64(nil), x...)
			return func(i int) {
				hp, hm := fdSteps(x[i], step)
				xs[i] = x[i] + hp
				fp := p.Func(xs)
				xs[i] = x[i] - hm
				fm := p.Func(xs)
				xs[i] = x[i]
				switch {
				case !finite(fp):
					errs[i] = fmt.Errorf("hessian: non-finite function value f(x + h e_%d) = %v", i, fp)
				case !finite(fm):
					errs[i] = fmt.Errorf("hessian: non-finite function value f(x - h e_%d) = %v", i, fm)
				}
				dst[i] = (fp - fm) / (hp + hm)
			}
		})
		if err := lowestError(errs); err != nil {
			return err
		}
	default:
		return errors.New("hessian: problem has neither Grad nor Func")
	}
	for i, v := range dst {
		if !finite(v) {
			return fmt.Errorf("hessian: non-finite gradient component g[%d] = %v", i, v)
		}
	}
	return nil
}

// fdSettingsOf returns the validated settings with Workers resolved.
func fdSettingsOf(s *FDSettings) FDSettings {
	var set FDSettings
	if s != nil {
		set = *s
	}
	if set.Step < 0 || math.IsNaN(set.Step) || math.IsInf(set.Step, 0) {
		panic(fmt.Sprintf("hessian: invalid finite-difference step %v", set.Step))
	}
	if set.Workers < 0 {
		panic(fmt.Sprintf("hessian: negative number of workers %d", set.Workers))
	}
	if set.Workers == 0 {
		set.Workers = runtime.GOMAXPROCS(0)
	}
	if set.Formula.Stencil == nil && set.Formula.Derivative == 0 {
		set.Formula = fd.Central
	}
	if set.Formula.Derivative != 1 || len(set.Formula.Stencil) == 0 {
		panic(fmt.Sprintf("hessian: formula must approximate a first derivative with a non-empty stencil, have derivative %d and %d points", set.Formula.Derivative, len(set.Formula.Stencil)))
	}
	return set
}

// fdSteps returns the forward and backward steps for the coordinate v and the
// relative step rel: h = rel*max(|v|, 1), each rounded so that v + hp and
// v - hm are exactly hp and hm away from v.
func fdSteps(v, rel float64) (hp, hm float64) {
	h := rel * max(math.Abs(v), 1)
	return (v + h) - v, v - (v - h)
}

// gradDiff fills dst with the symmetrised central differences of grad and
// returns the error parts.
func gradDiff(dst *mat.SymDense, grad func(g, x []float64), x []float64, set FDSettings) (FDError, error) {
	n := len(x)
	step := set.Step
	if step == 0 {
		step = gradStep
	}
	passes := 1
	if set.Richardson {
		passes = 2
	}
	// cols[k][j*n+i] is G_ij for the steps 2^k h.
	cols := make([][]float64, passes)
	for k := range cols {
		cols[k] = make([]float64, n*n)
	}
	rnd := make([]float64, n) // squared Frobenius norm of column j of R
	errs := make([]error, n)
	forEachIndex(n, set.Workers, func() func(j int) {
		xs := append([]float64(nil), x...)
		gp := make([]float64, n)
		gm := make([]float64, n)
		return func(j int) {
			for k := range passes {
				hp, hm := fdSteps(x[j], step*float64(int(1)<<k))
				xs[j] = x[j] + hp
				grad(gp, xs)
				xs[j] = x[j] - hm
				grad(gm, xs)
				xs[j] = x[j]
				if err := checkGradAt(gp, "+", j); err != nil {
					errs[j] = err
					return
				}
				if err := checkGradAt(gm, "-", j); err != nil {
					errs[j] = err
					return
				}
				col := cols[k][j*n : (j+1)*n]
				h := hp + hm
				for i := range n {
					col[i] = (gp[i] - gm[i]) / h
					if k == 0 {
						r := machEps * (math.Abs(gp[i]) + math.Abs(gm[i])) / h
						rnd[j] += r * r
					}
				}
			}
		}
	})
	if err := lowestError(errs); err != nil {
		return FDError{}, err
	}
	g := cols[0]
	var asym, asymInf, rich, richInf float64
	for i := range n {
		var asymRow, richRow float64
		for j := range n {
			a := 0.5 * (g[j*n+i] - g[i*n+j])
			asym += a * a
			asymRow += math.Abs(a)
			if passes == 2 {
				g2 := cols[1]
				d := 0.5 * ((g[j*n+i] + g[i*n+j]) - (g2[j*n+i] + g2[i*n+j]))
				rich += d * d
				richRow += math.Abs(d)
			}
			if j >= i {
				dst.SetSym(i, j, 0.5*(g[j*n+i]+g[i*n+j]))
			}
		}
		asymInf = max(asymInf, asymRow)
		richInf = max(richInf, richRow)
	}
	var r float64
	for _, v := range rnd {
		r += v
	}
	return FDError{
		Asymmetry:   min(math.Sqrt(asym), asymInf),
		Richardson:  min(math.Sqrt(rich), richInf),
		Rounding:    math.Sqrt(r),
		Evaluations: 2 * passes * n,
	}, nil
}

// checkGradAt returns an error naming the first non-finite component of the
// gradient g evaluated at x sign h e_j.
func checkGradAt(g []float64, sign string, j int) error {
	for i, v := range g {
		if !finite(v) {
			return fmt.Errorf("hessian: non-finite gradient component g_%d(x %s h e_%d) = %v", i, sign, j, v)
		}
	}
	return nil
}

// funcDiff fills dst with the function-value stencil approximation and
// returns the error parts.
func funcDiff(dst *mat.SymDense, f func(x []float64) float64, x []float64, set FDSettings) (FDError, error) {
	n := len(x)
	f0 := f(x)
	if !finite(f0) {
		return FDError{}, fmt.Errorf("hessian: non-finite function value f(x) = %v", f0)
	}
	step := set.Step
	if step == 0 {
		step = funcStep
	}
	passes := 1
	if set.Richardson {
		passes = 2
	}
	// hs[k][i] is the step of coordinate i in pass k.
	hs := make([][]float64, passes)
	for k := range hs {
		hs[k] = make([]float64, n)
		for i, v := range x {
			hs[k][i], _ = fdSteps(v, step*float64(int(1)<<k))
		}
	}
	stencil := set.Formula.Stencil
	// vals[k][i*n+j], j >= i, is entry (i, j) for pass k.
	vals := make([][]float64, passes)
	for k := range vals {
		vals[k] = make([]float64, n*n)
	}
	rnd := make([]float64, n) // squared Frobenius norm of row i of R, j >= i counted twice off the diagonal
	calls := make([]int, n)
	errs := make([]error, n)
	forEachIndex(n, set.Workers, func() func(i int) {
		xs := append([]float64(nil), x...)
		return func(i int) {
			for j := i; j < n; j++ {
				for k := range passes {
					hi, hj := hs[k][i], hs[k][j]
					var sum, abs float64
					for _, a := range stencil {
						for _, b := range stencil {
							c := a.Coeff * b.Coeff
							if c == 0 {
								continue
							}
							var v float64
							if (i == j && a.Loc+b.Loc == 0) || (a.Loc == 0 && b.Loc == 0) {
								v = f0
							} else {
								xs[i] += a.Loc * hi
								xs[j] += b.Loc * hj
								v = f(xs)
								xs[i], xs[j] = x[i], x[j]
								calls[i]++
								if !finite(v) {
									errs[i] = fmt.Errorf("hessian: non-finite function value f(x %+g h e_%d %+g h e_%d) = %v", a.Loc, i, b.Loc, j, v)
									return
								}
							}
							sum += c * v
							abs += math.Abs(c * v)
						}
					}
					vals[k][i*n+j] = sum / (hi * hj)
					if k == 0 {
						r := machEps * abs / (hi * hj)
						if i != j {
							r *= math.Sqrt2
						}
						rnd[i] += r * r
					}
				}
			}
		}
	})
	if err := lowestError(errs); err != nil {
		return FDError{}, err
	}
	e := FDError{Evaluations: 1}
	for _, c := range calls {
		e.Evaluations += c
	}
	var r float64
	for _, v := range rnd {
		r += v
	}
	e.Rounding = math.Sqrt(r)
	rowAbs := make([]float64, n)
	var rich float64
	for i := range n {
		for j := i; j < n; j++ {
			dst.SetSym(i, j, vals[0][i*n+j])
			if passes == 2 {
				d := vals[0][i*n+j] - vals[1][i*n+j]
				rowAbs[i] += math.Abs(d)
				if i != j {
					rowAbs[j] += math.Abs(d)
					d *= math.Sqrt2
				}
				rich += d * d
			}
		}
	}
	if passes == 2 {
		e.Richardson = min(math.Sqrt(rich), slices.Max(rowAbs))
	}
	return e, nil
}

// forEachIndex calls the function returned by newWorker for every index in
// [0, n), on min(workers, n) goroutines; newWorker is called once per
// goroutine so that each can own its scratch space. Indices are handed out
// in increasing order, but each call must write only to its own index's
// results, so that the outcome does not depend on the number of goroutines.
func forEachIndex(n, workers int, newWorker func() func(i int)) {
	workers = max(min(workers, n), 1)
	if workers == 1 {
		do := newWorker()
		for i := range n {
			do(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do := newWorker()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				do(i)
			}
		}()
	}
	wg.Wait()
}

// lowestError returns the non-nil error of lowest index, or nil.
func lowestError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}
