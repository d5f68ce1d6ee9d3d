// Package stats holds the small statistics the experiments report:
// Kolmogorov-Smirnov distances to a theoretical distribution, Wilson
// confidence intervals for binomial proportions, fixed-edge histograms and
// weighted linear least squares with standard errors.
package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// KS returns the Kolmogorov-Smirnov distance
//
//	D = sup_x |F_n(x) - F(x)|
//
// between the empirical distribution of the sorted sample x and the
// distribution with CDF cdf. left(v) must return the left limit F(v-); pass
// nil when F is continuous. F may have atoms, but only at values that occur
// in x (snap numerically-zero samples to an atom's location first). KS
// panics if x is empty or not sorted.
func KS(x []float64, cdf, left func(float64) float64) float64 {
	n := len(x)
	if n == 0 {
		panic("stats: KS of an empty sample")
	}
	if !slices.IsSorted(x) {
		panic("stats: KS sample not sorted")
	}
	if left == nil {
		left = cdf
	}
	var d float64
	for i := 0; i < n; {
		j := i
		for j < n && x[j] == x[i] {
			j++
		}
		// F_n is i/n just below x[i] and j/n at x[i]; F is monotone, so the
		// supremum over each gap between samples is reached at its ends.
		d = max(d, math.Abs(float64(i)/float64(n)-left(x[i])), math.Abs(float64(j)/float64(n)-cdf(x[i])))
		i = j
	}
	return d
}

// Wilson returns the Wilson score interval (Wilson 1927) for a binomial
// proportion with k successes in n trials at the normal quantile z
// (1.959964 for 95%):
//
//	(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n),  p = k/n.
//
// With k = 0 the lower end is 0 and the upper end, about z²/n, is an upper
// bound. It panics unless 0 <= k <= n and n > 0.
func Wilson(k, n int64, z float64) (lo, hi float64) {
	if n <= 0 || k < 0 || k > n {
		panic(fmt.Sprintf("stats: Wilson interval of %d successes in %d trials", k, n))
	}
	p := float64(k) / float64(n)
	nf := float64(n)
	z2 := z * z
	den := 1 + z2/nf
	mid := (p + z2/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	return max(0, mid-half), min(1, mid+half)
}

// Z95 and Z99 are the two-sided 95% and 99% quantiles of the standard
// normal distribution.
const (
	Z95 = 1.959963984540054
	Z99 = 2.5758293035489004
)

// Histogram counts the values of x in the len(edges)-1 bins
// [edges[i], edges[i+1]); the last bin also holds edges[len-1]. Values
// outside the edges, and NaN, are counted in outside. It panics if there are
// fewer than two edges or they do not increase.
func Histogram(edges, x []float64) (counts []int, outside int) {
	if len(edges) < 2 {
		panic("stats: histogram needs at least two edges")
	}
	for i := 1; i < len(edges); i++ {
		if !(edges[i] > edges[i-1]) {
			panic("stats: histogram edges do not increase")
		}
	}
	counts = make([]int, len(edges)-1)
	last := edges[len(edges)-1]
	for _, v := range x {
		switch {
		case !(v >= edges[0] && v <= last):
			outside++
		case v == last:
			counts[len(counts)-1]++
		default:
			// The last edge <= v, found by binary search.
			i, found := slices.BinarySearch(edges, v)
			if !found {
				i--
			}
			counts[i]++
		}
	}
	return counts, outside
}

// Edges returns n+1 equally spaced edges from lo to hi.
func Edges(lo, hi float64, n int) []float64 {
	if n < 1 || !(hi > lo) {
		panic(fmt.Sprintf("stats: %d bins on [%v, %v]", n, lo, hi))
	}
	e := make([]float64, n+1)
	for i := range e {
		e[i] = lo + (hi-lo)*float64(i)/float64(n)
	}
	e[n] = hi
	return e
}

// Fit is the result of WeightedLeastSquares.
type Fit struct {
	// Coef are the fitted coefficients β.
	Coef []float64
	// SE are their standard errors sqrt(diag((XᵀWX)⁻¹)), valid when the
	// weights are inverse variances of the observations.
	SE []float64
	// Chi2 is the weighted residual sum of squares Σ w_i (y_i - x_iᵀβ)².
	Chi2 float64
	// DOF is the number of observations minus the number of coefficients.
	DOF int
}

// WeightedLeastSquares returns β minimising Σ w_i (y_i - x_iᵀβ)², where x_i
// is row i of x, by solving the normal equations XᵀWX β = XᵀWy with a
// Cholesky factorisation. It returns an error when XᵀWX is not positive
// definite (too few points or collinear columns). It panics when the
// lengths differ or a weight is negative.
func WeightedLeastSquares(x [][]float64, y, w []float64) (Fit, error) {
	m := len(y)
	if len(x) != m || len(w) != m || m == 0 {
		panic("stats: least squares lengths differ")
	}
	p := len(x[0])
	a := mat.NewSymDense(p, nil)
	b := mat.NewVecDense(p, nil)
	for i, row := range x {
		if len(row) != p {
			panic("stats: least squares rows differ in length")
		}
		if w[i] < 0 {
			panic("stats: negative least squares weight")
		}
		for r := range p {
			b.SetVec(r, b.AtVec(r)+w[i]*row[r]*y[i])
			for c := r; c < p; c++ {
				a.SetSym(r, c, a.At(r, c)+w[i]*row[r]*row[c])
			}
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return Fit{}, errors.New("stats: least squares normal matrix is not positive definite")
	}
	var beta mat.VecDense
	if err := ch.SolveVecTo(&beta, b); err != nil {
		return Fit{}, fmt.Errorf("stats: %w", err)
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return Fit{}, fmt.Errorf("stats: %w", err)
	}
	f := Fit{Coef: make([]float64, p), SE: make([]float64, p), DOF: m - p}
	for r := range p {
		f.Coef[r] = beta.AtVec(r)
		f.SE[r] = math.Sqrt(inv.At(r, r))
	}
	for i, row := range x {
		r := y[i]
		for c := range p {
			r -= row[c] * f.Coef[c]
		}
		f.Chi2 += w[i] * r * r
	}
	return f, nil
}
