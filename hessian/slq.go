package hessian

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
)

// SLQSettings controls SLQ. The zero value, or a nil pointer, means the
// defaults documented on each field.
type SLQSettings struct {
	// Probes is the number of random start vectors. It must be at least 2
	// for a finite standard error. Zero means 10.
	Probes int

	// Steps is the number m of Lanczos steps per probe, the number of Gauss
	// quadrature nodes; it is capped at the dimension. Zero means 90.
	Steps int

	// Gaussian selects standard normal probes; the default is Rademacher
	// probes (random signs), which have the smaller variance.
	Gaussian bool

	// Sigma is the standard deviation of the Gaussian kernel that smooths
	// the quadrature nodes into SLQResult.Density. Zero means the mean
	// spacing of one probe's nodes, (max node - min node)/Steps, or
	// 1e-3*max(1, Norm) when all nodes coincide.
	Sigma float64

	// GridPoints is the number of equally spaced points of SLQResult.Grid,
	// from the smallest node - 3 Sigma to the largest + 3 Sigma. Zero
	// means 512.
	GridPoints int

	// Tol is the threshold of the index: eigenvalues below -Tol count as
	// negative. Zero means sqrt(eps) times the estimate of ||A||_F, the
	// relative default of critical.Classify.
	Tol float64

	// Seed seeds the probes: probe p draws from
	// rand.New(rand.NewPCG(Seed, p+1)).
	Seed uint64

	// Workers is the number of probes run at once; the operator must then
	// be safe for concurrent use. Each worker holds Steps+1 vectors. Zero
	// means runtime.GOMAXPROCS(0). The result does not depend on Workers.
	Workers int
}

// SLQResult is the spectral density of an operator estimated by stochastic
// Lanczos quadrature.
type SLQResult struct {
	// Dim is the dimension n of the operator.
	Dim int

	// Nodes[p] are the Gauss quadrature nodes of probe p in ascending
	// order: the eigenvalues θ_i of its Lanczos matrix T_m. Weights[p][i]
	// is the weight of Nodes[p][i], the squared first component of the
	// eigenvector of T_m; the weights of a probe sum to 1. Probe p's
	// quadrature Σ_i w_i f(θ_i) approximates v_p^T f(A) v_p for the unit
	// probe v_p, and it is exact for polynomials f of degree < 2m.
	Nodes, Weights [][]float64

	// Exact[p] reports whether the Krylov space of probe p was exhausted
	// before Steps steps, which makes its quadrature exact.
	Exact []bool

	// Grid and Density are the smoothed eigenvalue density
	//
	//	φ(t) = 1/P Σ_p Σ_i w_pi exp(-(t-θ_pi)^2/(2σ^2)) / (σ sqrt(2π)),
	//
	// which integrates to 1 (multiply by Dim for eigenvalues per unit).
	Grid, Density []float64
	// Sigma is the smoothing width σ that was used.
	Sigma float64

	// Tol is the index threshold that was used.
	Tol float64
	// Index estimates the number of eigenvalues below -Tol and IndexBias
	// bounds its quadrature error: they are CountBelow(-Tol).
	Index     Estimate
	IndexBias float64
	// IndexFraction is Index divided by Dim.
	IndexFraction Estimate

	// Trace estimates tr A as the mean over probes of Dim*Σ_i w_pi θ_pi;
	// with Rademacher probes each term is exactly Hutchinson's z^T A z.
	Trace Estimate
	// Norm is the largest |θ| over all nodes, a lower bound on ||A||_2.
	Norm float64
	// Iterations is the number of operator applications made.
	Iterations int
}

// SLQ estimates the eigenvalue density of the symmetric operator op by
// stochastic Lanczos quadrature (Ubaru, Chen & Saad, SIAM J. Matrix Anal.
// Appl. 38, 2017; Ghorbani, Krishnan & Xiao, ICML 2019). A nil s means the
// default settings.
//
// For each of P random unit probes v it runs m Lanczos steps with full
// reorthogonalisation from v, giving the tridiagonal T_m = S Θ S^T, and
// takes the Gauss quadrature of the spectral measure μ_v = Σ_j (v^T u_j)^2
// δ_{λ_j} of v: nodes θ_i and weights (e_1^T s_i)^2. Since E[v v^T] = I/n,
// E[μ_v] is the eigenvalue distribution (1/n) Σ_j δ_{λ_j}, and the average of
// the P quadratures estimates it: its cumulative distribution
// (SLQResult.CDF), its smoothed density, the trace and the index. A probe whose
// Krylov space is exhausted before m steps stops early, with a quadrature that
// is then exact.
//
// SLQ costs P*m operator applications, O(m^2 n) flops of
// reorthogonalisation per probe and O(m n) memory per worker. The standard
// errors are the spread between probes and shrink as 1/sqrt(P). The
// quadrature error of the index does not: where -Tol lies inside a
// continuous part of the spectrum every probe has nearly the same nodes, so
// the error is systematic, bounded by SLQResult.IndexBias, and shrinks only
// as m grows. Report the index as Index.Value ± 3 Index.StdErr with the
// bias bound beside it; in a gap of the spectrum the bias is small.
//
// SLQ returns ErrZeroDim when op.Dim is zero and an error when the operator
// returns a non-finite value or a small eigenproblem fails. It panics if a
// setting is out of range.
func SLQ(op Operator, s *SLQSettings) (SLQResult, error) {
	if err := checkOperator(op); err != nil {
		return SLQResult{}, err
	}
	n := op.Dim
	var set SLQSettings
	if s != nil {
		set = *s
	}
	probes := set.Probes
	switch {
	case probes == 0:
		probes = 10
	case probes < 0:
		panic(fmt.Sprintf("hessian: negative SLQ probe count %d", probes))
	}
	steps := set.Steps
	switch {
	case steps == 0:
		steps = 90
	case steps < 0:
		panic(fmt.Sprintf("hessian: negative SLQ step count %d", steps))
	}
	steps = min(steps, n)
	grid := set.GridPoints
	switch {
	case grid == 0:
		grid = 512
	case grid < 2:
		panic(fmt.Sprintf("hessian: SLQ needs at least 2 grid points, have %d", grid))
	}
	if !(set.Sigma >= 0) || math.IsInf(set.Sigma, 1) {
		panic(fmt.Sprintf("hessian: invalid SLQ smoothing width %v", set.Sigma))
	}
	if !(set.Tol >= 0) || math.IsInf(set.Tol, 1) {
		panic(fmt.Sprintf("hessian: invalid SLQ tolerance %v", set.Tol))
	}
	workers := workerCount(set.Workers, probes)

	res := SLQResult{
		Dim:     n,
		Nodes:   make([][]float64, probes),
		Weights: make([][]float64, probes),
		Exact:   make([]bool, probes),
	}
	kryl := make([]*krylov, workers)
	hs := make([][]float64, workers)
	for w := range workers {
		kryl[w] = newKrylov(op, steps)
		hs[w] = make([]float64, steps*steps)
	}
	err := parallelFor(probes, workers, func(w, p int) error {
		var err error
		res.Nodes[p], res.Weights[p], res.Exact[p], err = slqProbe(kryl[w], hs[w], steps, set.Gaussian, set.Seed, p)
		return err
	})
	if err != nil {
		return SLQResult{}, err
	}

	lo, hi := math.Inf(1), math.Inf(-1)
	traces := make([]float64, probes)
	var frob2 float64
	for p, nodes := range res.Nodes {
		res.Iterations += len(nodes)
		lo = min(lo, nodes[0])
		hi = max(hi, nodes[len(nodes)-1])
		for i, t := range nodes {
			w := res.Weights[p][i]
			traces[p] += float64(n) * w * t
			frob2 += float64(n) * w * t * t / float64(probes)
		}
	}
	res.Norm = max(math.Abs(lo), math.Abs(hi))
	res.Trace.Value, res.Trace.StdErr = meanStdErr(traces)
	res.Trace.Probes = res.Iterations

	res.Tol = set.Tol
	if res.Tol == 0 {
		res.Tol = math.Sqrt(0x1p-52) * math.Sqrt(frob2)
	}
	res.Index, res.IndexBias = res.CountBelow(-res.Tol)
	res.IndexFraction = Estimate{
		Value:  res.Index.Value / float64(n),
		StdErr: res.Index.StdErr / float64(n),
		Probes: res.Index.Probes,
	}

	res.Sigma = set.Sigma
	if res.Sigma == 0 {
		res.Sigma = (hi - lo) / float64(steps)
		if res.Sigma == 0 {
			res.Sigma = 1e-3 * max(1, res.Norm)
		}
	}
	res.Grid = make([]float64, grid)
	floats.Span(res.Grid, lo-3*res.Sigma, hi+3*res.Sigma)
	res.Density = make([]float64, grid)
	for i, t := range res.Grid {
		res.Density[i] = res.DensityAt(t, res.Sigma)
	}
	return res, nil
}

// slqProbe runs the Lanczos steps of probe p from the basis kr and returns its
// quadrature nodes and weights, and whether its Krylov space was exhausted.
func slqProbe(kr *krylov, h []float64, steps int, gauss bool, seed uint64, p int) (nodes, weights []float64, exhausted bool, err error) {
	rnd := probeRand(seed, p)
	v0 := kr.row(0)
	if gauss {
		gaussian(v0, rnd)
	} else {
		rademacher(v0, rnd)
	}
	floats.Scale(1/floats.Norm(v0, 2), v0)
	clear(h)
	ld := steps
	var anorm float64
	j := 0
	for j < steps {
		alpha, beta, err := kr.expand(j, h, ld)
		if err != nil {
			return nil, nil, false, err
		}
		h[j*ld+j] = alpha
		anorm = max(anorm, math.Abs(alpha), beta)
		j++
		if beta <= unitRoundoff*anorm {
			exhausted = true
			break
		}
		if j == steps {
			break
		}
		floats.ScaleTo(kr.row(j), 1/beta, kr.w)
		h[(j-1)*ld+j] = beta
		h[j*ld+j-1] = beta
	}
	nodes = make([]float64, j)
	offdiag := make([]float64, j)
	for i := range j {
		nodes[i] = h[i*ld+i]
		if i+1 < j {
			offdiag[i] = h[i*ld+i+1]
		}
	}
	weights, err = gaussQuadrature(nodes, offdiag)
	if err != nil {
		return nil, nil, false, err
	}
	return nodes, weights, exhausted, nil
}

// gaussQuadrature overwrites d, the diagonal of a symmetric tridiagonal
// matrix T with off-diagonal e (e[i] = T[i][i+1]; e has the length of d and
// is overwritten), by the eigenvalues of T in ascending order, and returns
// the squared first components of the unit eigenvectors: the nodes and
// weights of the Gauss quadrature rule of T (Golub & Welsch, Math. Comp. 23,
// 1969). It runs the implicit QL iteration with Wilkinson shifts and applies
// the rotations to the first row of the eigenvector matrix only, O(m^2)
// work instead of the O(m^3) of all eigenvectors.
func gaussQuadrature(d, e []float64) ([]float64, error) {
	n := len(d)
	z := make([]float64, n)
	z[0] = 1
	e[n-1] = 0
	for l := 0; l < n; l++ {
		for iter := 0; ; iter++ {
			// Find the first negligible off-diagonal e[m], m >= l.
			m := l
			for ; m < n-1; m++ {
				if math.Abs(e[m]) <= unitRoundoff*(math.Abs(d[m])+math.Abs(d[m+1])) {
					break
				}
			}
			if m == l {
				break
			}
			if iter == 60 {
				return nil, errors.New("hessian: tridiagonal QL iteration did not converge")
			}
			// Wilkinson shift from the leading 2×2 block of T[l:m+1].
			g := (d[l+1] - d[l]) / (2 * e[l])
			r := math.Hypot(g, 1)
			g = d[m] - d[l] + e[l]/(g+math.Copysign(r, g))
			s, c, p := 1.0, 1.0, 0.0
			underflow := false
			for i := m - 1; i >= l; i-- {
				f := s * e[i]
				b := c * e[i]
				r = math.Hypot(f, g)
				e[i+1] = r
				if r == 0 {
					// The rotation underflowed: deflate and start again.
					d[i+1] -= p
					e[m] = 0
					underflow = true
					break
				}
				s = f / r
				c = g / r
				g = d[i+1] - p
				r = (d[i]-g)*s + 2*c*b
				p = s * r
				d[i+1] = g + p
				g = c*r - b
				z[i], z[i+1] = c*z[i]-s*z[i+1], s*z[i]+c*z[i+1]
			}
			if underflow {
				continue
			}
			d[l] -= p
			e[l] = g
			e[m] = 0
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(d[a], d[b]) })
	vals := make([]float64, n)
	w := make([]float64, n)
	for c, i := range order {
		vals[c] = d[i]
		w[c] = z[i] * z[i]
	}
	copy(d, vals)
	return w, nil
}

// CountBelow estimates the number of eigenvalues below x,
//
//	count = Dim/P Σ_p Σ_{θ_pi < x} w_pi,
//
// with the standard error of the spread between the P probes, and returns
// bias, a bound on the deterministic quadrature error of count.Value that the
// standard error does not cover. By the Chebyshev-Markov-Stieltjes
// inequalities the exact measure of (-∞, x) for a probe lies between its
// quadrature value minus the weight of the last node below x and plus the
// weight of the first node at or above x; bias is Dim times the mean over
// probes of the larger of the two, counting zero for probes whose quadrature
// is exact.
func (r SLQResult) CountBelow(x float64) (count Estimate, bias float64) {
	probes := len(r.Nodes)
	fracs := make([]float64, probes)
	for p, nodes := range r.Nodes {
		wts := r.Weights[p]
		below, _ := slices.BinarySearch(nodes, x) // nodes[:below] < x
		fracs[p] = floats.Sum(wts[:below])
		if r.Exact[p] {
			continue
		}
		var wl, wr float64
		if below > 0 {
			wl = wts[below-1]
		}
		if below < len(nodes) {
			wr = wts[below]
		}
		bias += max(wl, wr)
	}
	mean, se := meanStdErr(fracs)
	n := float64(r.Dim)
	return Estimate{Value: n * mean, StdErr: n * se, Probes: r.Iterations}, n * bias / float64(probes)
}

// CDF returns the SLQ estimate of the fraction of eigenvalues at or below x:
// the mean over probes of the weights of the nodes <= x.
func (r SLQResult) CDF(x float64) float64 {
	var f float64
	for p, nodes := range r.Nodes {
		i, found := slices.BinarySearch(nodes, x)
		for found && i < len(nodes) && nodes[i] == x {
			i++
		}
		f += floats.Sum(r.Weights[p][:i])
	}
	return f / float64(len(r.Nodes))
}

// DensityAt returns the eigenvalue density at x smoothed with a Gaussian of
// standard deviation sigma > 0, as SLQResult.Density.
func (r SLQResult) DensityAt(x, sigma float64) float64 {
	if !(sigma > 0) {
		panic(fmt.Sprintf("hessian: non-positive smoothing width %v", sigma))
	}
	c := 1 / (sigma * math.Sqrt(2*math.Pi) * float64(len(r.Nodes)))
	var d float64
	for p, nodes := range r.Nodes {
		for i, t := range nodes {
			z := (x - t) / sigma
			d += r.Weights[p][i] * math.Exp(-0.5*z*z)
		}
	}
	return c * d
}
