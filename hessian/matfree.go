// Matrix-free spectra
//
// A dense Hessian costs n Hessian-vector products (HVPs) and n^2 memory to
// form and O(n^3) flops to diagonalise, which stops at a few thousand
// parameters. Lanczos, Hutchinson, HutchPlusPlus and SLQ see the Hessian only
// through an [Operator], v -> H v, and never form it; [OperatorAt] makes one
// from a Problem's HessVec at a point, [SymOperator] from a dense matrix.
//
// Which function to use:
//
//   - [Lanczos]: the k largest, smallest (most negative) or largest-magnitude
//     eigenpairs, with a residual ||H y - θ y|| and a Converged flag per pair.
//     Thick-restart Lanczos with full reorthogonalisation (Wu & Simon 2000).
//     Use it for λ_min (is this a minimum? how negative is the most negative
//     curvature?), λ_max (sharpness, the largest stable learning rate) and
//     the negative eigenvectors along which to escape a saddle. Unlike power
//     iteration, which finds only the largest magnitude, it reaches either
//     end. Cost: Iterations HVPs, about 2k to 3k when the wanted eigenvalues
//     stand out from the rest of the spectrum, hundreds when they sit at the
//     edge of a dense bulk; (m+1) n memory for a subspace of m vectors; and
//     O(n m) flops of reorthogonalisation per HVP.
//   - [Hutchinson] and [HutchPlusPlus]: tr H from Probes HVPs with a standard
//     error. Hutchinson's variance per probe is 2 (||H||_F^2 - Σ H_ii^2);
//     Hutch++ (Meyer, Musco, Musco & Woodruff 2021) spends two thirds of the
//     budget on deflating the top of the spectrum and wins when a few large
//     eigenvalues carry most of ||H||_F, as in trained networks; on a flat
//     spectrum plain Hutchinson is better.
//   - [SLQ]: the whole eigenvalue density by stochastic Lanczos quadrature
//     (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan & Xiao 2019), Probes×Steps
//     HVPs, and from it the index (the number of eigenvalues below -tol) and
//     the trace with error bars. Use it for histograms of the spectrum and for
//     the index of points too large for a dense Hessian.
//
// Error bars. Every random quantity is an average over independent probes, and
// its standard error is the sample standard deviation over the probes divided
// by sqrt(probes): it measures the probe noise and shrinks as 1/sqrt(probes).
// The SLQ index has a second, deterministic error, from replacing each probe's
// spectral measure by its Gauss quadrature: the Chebyshev-Markov-Stieltjes
// inequalities bound it by the weights of the quadrature nodes on either side
// of -tol, reported as SLQResult.IndexBias. It shrinks only as the number of
// Lanczos steps grows, can exceed the standard error for large n when -tol
// lies inside a dense part of the spectrum, and is small when -tol lies in a
// gap. Lanczos has no random error: its Residuals bound the distance from
// each Ritz value to an eigenvalue.
//
// Determinism. Random vectors come from rand.New(rand.NewPCG(Seed, stream))
// with a fixed stream per probe, so for a deterministic operator a result
// depends on the seed only, never on the number of workers.

package hessian

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Operator is a symmetric linear operator A on R^Dim, typically a Hessian
// seen through Hessian-vector products. See [Lanczos], [Hutchinson],
// [HutchPlusPlus] and [SLQ].
type Operator struct {
	// Dim is the dimension n of the space A acts on.
	Dim int

	// Apply stores A v in dst. Both have length Dim and do not overlap;
	// Apply must not modify v. Apply is called from several goroutines at
	// once by Hutchinson, HutchPlusPlus and SLQ, so it must be safe for
	// concurrent use.
	Apply func(dst, v []float64)
}

// OperatorAt returns the Hessian of p at x as an Operator of dimension len(x),
// whose Apply is p.HessVec(dst, x, v). x is copied, so later changes to x do
// not change the operator. OperatorAt panics if p.HessVec is nil: assemble the
// Hessian with Exact or FiniteDiff and use SymOperator instead.
func OperatorAt(p Problem, x []float64) Operator {
	if p.HessVec == nil {
		panic("hessian: OperatorAt needs Problem.HessVec")
	}
	xc := append([]float64(nil), x...)
	hv := p.HessVec
	return Operator{
		Dim:   len(xc),
		Apply: func(dst, v []float64) { hv(dst, xc, v) },
	}
}

// SymOperator returns the symmetric matrix a as an Operator, with Apply
// computing a v. The operator reads a on every call, so a must not change while
// the operator is in use.
func SymOperator(a mat.Symmetric) Operator {
	n := a.SymmetricDim()
	return Operator{
		Dim: n,
		Apply: func(dst, v []float64) {
			mat.NewVecDense(n, dst).MulVec(a, mat.NewVecDense(n, v))
		},
	}
}

// Estimate is a Monte Carlo estimate with its standard error.
type Estimate struct {
	// Value is the estimate.
	Value float64
	// StdErr is its standard error: the sample standard deviation of the
	// independent terms averaged into Value, divided by the square root of
	// their number N. Value ± 2 StdErr is an approximate 95% confidence
	// interval; for N below about 30 use Student's t quantile with N-1
	// degrees of freedom instead of 2. A single term has StdErr +Inf.
	StdErr float64
	// Probes is the number of operator applications (Hessian-vector
	// products) spent on the estimate.
	Probes int
}

// checkOperator panics when op cannot be applied and returns ErrZeroDim when
// it has dimension zero.
func checkOperator(op Operator) error {
	if op.Apply == nil {
		panic("hessian: Operator.Apply is nil")
	}
	if op.Dim < 0 {
		panic(fmt.Sprintf("hessian: negative operator dimension %d", op.Dim))
	}
	if op.Dim == 0 {
		return ErrZeroDim
	}
	return nil
}

// applyChecked stores A v in dst and returns an error when the result has a
// non-finite entry.
func applyChecked(op Operator, dst, v []float64) error {
	op.Apply(dst, v)
	for i, x := range dst {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("hessian: non-finite operator output at index %d: %v", i, x)
		}
	}
	return nil
}

// rademacher fills dst with independent random signs ±1.
func rademacher(dst []float64, rnd *rand.Rand) {
	var bits uint64
	for i := range dst {
		if i%64 == 0 {
			bits = rnd.Uint64()
		}
		dst[i] = float64(int(bits&1)*2 - 1)
		bits >>= 1
	}
}

// gaussian fills dst with independent standard normal numbers.
func gaussian(dst []float64, rnd *rand.Rand) {
	for i := range dst {
		dst[i] = rnd.NormFloat64()
	}
}

// probeRand returns the random source of probe i for the seed: stream i+1, so
// that a probe's draws do not depend on which worker runs it. Stream 0 is the
// start vector of Lanczos.
func probeRand(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(i)+1))
}

// workerCount returns the number of workers for a setting w and count tasks:
// w, or GOMAXPROCS when w is zero, at most count. It panics if w is negative.
func workerCount(w, count int) int {
	if w < 0 {
		panic(fmt.Sprintf("hessian: negative worker count %d", w))
	}
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, count))
}

// parallelFor calls f(worker, i) for every i in [0, count) on workers
// goroutines; worker in [0, workers) lets f use per-worker scratch space. It
// returns the error of the lowest i that failed, so that the error does not
// depend on the schedule.
func parallelFor(count, workers int, f func(worker, i int) error) error {
	errs := make([]error, count)
	if workers <= 1 {
		for i := range count {
			errs[i] = f(0, i)
		}
	} else {
		next := make(chan int, count)
		for i := range count {
			next <- i
		}
		close(next)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					errs[i] = f(w, i)
				}
			}()
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// meanStdErr returns the mean of xs and its standard error, the sample
// standard deviation divided by sqrt(len(xs)). The standard error of a single
// value is +Inf.
func meanStdErr(xs []float64) (mean, stdErr float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	if len(xs) < 2 {
		return mean, math.Inf(1)
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}
