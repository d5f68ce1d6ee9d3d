package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Ranks returns the ranks 1, ..., n of the values of x, ties sharing the
// mean of the ranks they span (fractional ranking). It panics if x holds a
// NaN, which has no rank.
func Ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		if math.IsNaN(x[i]) {
			panic("stats: rank of NaN")
		}
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		// Positions i, ..., j-1 hold equal values: ranks i+1, ..., j.
		mean := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			r[idx[k]] = mean
		}
		i = j
	}
	return r
}

// Spearman returns Spearman's rank correlation coefficient of the paired
// samples x and y (Spearman 1904): the Pearson correlation of their ranks,
//
//	ρ = Σ (r_i - r̄)(s_i - s̄) / sqrt(Σ (r_i - r̄)² Σ (s_i - s̄)²),
//
// with r = Ranks(x) and s = Ranks(y), so that ties are handled by mean
// ranks. Without ties it equals 1 - 6 Σ (r_i - s_i)² / (n(n² - 1)).
// ρ is +1 when y increases with x, -1 when it decreases, and NaN when x or y
// is constant. Spearman panics if the lengths differ, there are fewer than
// two pairs, or a value is NaN.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("stats: Spearman of %d and %d values", len(x), len(y)))
	}
	if len(x) < 2 {
		panic("stats: Spearman of fewer than two pairs")
	}
	r, s := Ranks(x), Ranks(y)
	// Both rank vectors have mean (n+1)/2.
	m := float64(len(x)+1) / 2
	var sxy, sxx, syy float64
	for i := range r {
		dr, ds := r[i]-m, s[i]-m
		sxy += dr * ds
		sxx += dr * dr
		syy += ds * ds
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
