package stats

import (
	"math"
	"slices"
	"testing"
)

func uniformCDF(x float64) float64 { return min(1, max(0, x)) }

func TestKSKnownAnswers(t *testing.T) {
	t.Parallel()
	const n = 100
	quantiles := make([]float64, n)
	for i := range quantiles {
		quantiles[i] = (float64(i) + 0.5) / n
	}
	// An atom of mass 1/2 at 0 and a uniform half on (0, 1].
	atomCDF := func(x float64) float64 {
		if x < 0 {
			return 0
		}
		return 0.5 + 0.5*uniformCDF(x)
	}
	atomLeft := func(x float64) float64 {
		if x <= 0 {
			return 0
		}
		return atomCDF(x)
	}
	for _, tc := range []struct {
		name      string
		x         []float64
		cdf, left func(float64) float64
		want      float64
	}{
		// One point at the median: F_n jumps from 0 to 1 where F = 1/2.
		{"single point", []float64{0.5}, uniformCDF, nil, 0.5},
		// The midpoint quantiles (i+1/2)/n are the sample closest to the
		// uniform law: D = 1/(2n).
		{"midpoint quantiles", quantiles, uniformCDF, nil, 0.5 / n},
		// All the sample below the support: D = 1.
		{"disjoint", []float64{-2, -1}, uniformCDF, nil, 1},
		// Half the sample exactly on the atom, half at the uniform part's
		// quartiles 0.25 and 0.75: F_n = 1/2 = F at 0, then F_n = 3/4 at
		// 0.25 where F = 0.625, so D = 0.125.
		{"atom", []float64{0, 0, 0.25, 0.75}, atomCDF, atomLeft, 0.125},
		// Without the left limit the jump at 0 counts against the sample.
		{"atom ignored", []float64{0, 0, 0.25, 0.75}, atomCDF, nil, 0.5},
	} {
		if got := KS(tc.x, tc.cdf, tc.left); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("%s: KS = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWilsonKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		k, n   int64
		z      float64
		lo, hi float64
	}{
		// k = 0: the upper end is z²/(n + z²).
		{0, 10, Z95, 0, Z95 * Z95 / (10 + Z95*Z95)},
		// k = n: the lower end is n/(n + z²).
		{10, 10, Z95, 10 / (10 + Z95*Z95), 1},
		// k = n/2: centred on 1/2 with half-width
		// z sqrt(1/(4n) + z²/(4n²)) / (1 + z²/n).
		{50, 100, Z95, 0.5 - Z95*math.Sqrt(1.0/400+Z95*Z95/40000)/(1+Z95*Z95/100), 0.5 + Z95*math.Sqrt(1.0/400+Z95*Z95/40000)/(1+Z95*Z95/100)},
	} {
		lo, hi := Wilson(tc.k, tc.n, tc.z)
		if math.Abs(lo-tc.lo) > 1e-15 || math.Abs(hi-tc.hi) > 1e-15 {
			t.Errorf("Wilson(%d, %d) = [%v, %v], want [%v, %v]", tc.k, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
	// Newcombe (1998), Statistics in Medicine 17:857, Table I, score method
	// without continuity correction: 81/263 gives 0.2553 to 0.3662.
	lo, hi := Wilson(81, 263, Z95)
	if math.Abs(lo-0.2553) > 5e-5 || math.Abs(hi-0.3662) > 5e-5 {
		t.Errorf("Wilson(81, 263) = [%.4f, %.4f], want [0.2553, 0.3662]", lo, hi)
	}
}

func TestHistogram(t *testing.T) {
	t.Parallel()
	edges := Edges(0, 1, 4)
	if !slices.Equal(edges, []float64{0, 0.25, 0.5, 0.75, 1}) {
		t.Fatalf("Edges = %v", edges)
	}
	counts, outside := Histogram(edges, []float64{0, 0.1, 0.25, 0.6, 0.99, 1, -0.1, 1.1, math.NaN()})
	if !slices.Equal(counts, []int{2, 1, 1, 2}) || outside != 3 {
		t.Errorf("Histogram = %v, %d outside; want [2 1 1 2], 3", counts, outside)
	}
}

func TestWeightedLeastSquares(t *testing.T) {
	t.Parallel()
	// An exact quadratic y = 2 - 3x + 0.5x² is recovered with zero χ².
	var x [][]float64
	var y, w []float64
	for i := range 6 {
		xi := float64(i) - 1.5
		x = append(x, []float64{1, xi, xi * xi})
		y = append(y, 2-3*xi+0.5*xi*xi)
		w = append(w, float64(i+1))
	}
	f, err := WeightedLeastSquares(x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{2, -3, 0.5} {
		if math.Abs(f.Coef[i]-want) > 1e-12 {
			t.Errorf("Coef[%d] = %v, want %v", i, f.Coef[i], want)
		}
	}
	if f.Chi2 > 1e-20 || f.DOF != 3 {
		t.Errorf("Chi2 = %v, DOF = %d; want 0, 3", f.Chi2, f.DOF)
	}

	// Fitting a constant gives the weighted mean with SE 1/sqrt(Σw) and
	// χ² = Σ w (y - mean)².
	f, err = WeightedLeastSquares([][]float64{{1}, {1}, {1}}, []float64{1, 2, 4}, []float64{1, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	if mean := (1 + 4 + 4) / 4.0; math.Abs(f.Coef[0]-mean) > 1e-15 || math.Abs(f.SE[0]-0.5) > 1e-15 ||
		math.Abs(f.Chi2-(1.5625+2*0.0625+1*3.0625)) > 1e-14 {
		t.Errorf("constant fit = %+v", f)
	}

	// Collinear columns have no unique fit.
	if _, err := WeightedLeastSquares([][]float64{{1, 2}, {2, 4}, {3, 6}}, []float64{1, 2, 3}, []float64{1, 1, 1}); err == nil {
		t.Error("collinear fit: no error")
	}
}
