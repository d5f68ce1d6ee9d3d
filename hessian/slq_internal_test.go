package hessian

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestGaussQuadratureKnown(t *testing.T) {
	t.Parallel()
	// The Jacobi matrix of the Gauss-Legendre rule on [-1, 1] with three
	// nodes: off-diagonal k/sqrt(4k^2-1), nodes 0 and ±sqrt(3/5), weights
	// (of the normalised measure) 4/9 and 5/18.
	d := []float64{0, 0, 0}
	e := []float64{1 / math.Sqrt(3), 2 / math.Sqrt(15), 0}
	w, err := gaussQuadrature(d, e)
	if err != nil {
		t.Fatal(err)
	}
	wantX := []float64{-math.Sqrt(0.6), 0, math.Sqrt(0.6)}
	wantW := []float64{5.0 / 18, 4.0 / 9, 5.0 / 18}
	for i := range d {
		if math.Abs(d[i]-wantX[i]) > 1e-15 || math.Abs(w[i]-wantW[i]) > 1e-15 {
			t.Errorf("node %d: %v weight %v, want %v %v", i, d[i], w[i], wantX[i], wantW[i])
		}
	}
}

func TestGaussQuadratureMatchesEigenSym(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1969, 23))
	for _, tc := range []struct {
		name string
		make func(m int) (d, e []float64)
	}{
		{"random", func(m int) ([]float64, []float64) {
			d, e := make([]float64, m), make([]float64, m)
			for i := range m {
				d[i] = rnd.NormFloat64()
				e[i] = rnd.NormFloat64()
			}
			return d, e
		}},
		{"split", func(m int) ([]float64, []float64) {
			// A zero off-diagonal splits T into two blocks.
			d, e := make([]float64, m), make([]float64, m)
			for i := range m {
				d[i] = rnd.NormFloat64()
				e[i] = rnd.NormFloat64()
			}
			e[m/2] = 0
			return d, e
		}},
		{"graded", func(m int) ([]float64, []float64) {
			// Entries over twenty orders of magnitude.
			d, e := make([]float64, m), make([]float64, m)
			for i := range m {
				d[i] = math.Pow(10, -20*float64(i)/float64(m))
				e[i] = 0.5 * d[i]
			}
			return d, e
		}},
		{"wilkinson", func(m int) ([]float64, []float64) {
			// W+: diagonal |i - (m-1)/2|, off-diagonal 1, with pairs of
			// eigenvalues equal to many digits.
			d, e := make([]float64, m), make([]float64, m)
			for i := range m {
				d[i] = math.Abs(float64(i) - float64(m-1)/2)
				e[i] = 1
			}
			return d, e
		}},
	} {
		for _, m := range []int{1, 2, 5, 21, 90} {
			d, e := tc.make(m)
			t0 := mat.NewSymDense(m, nil)
			for i := range m {
				t0.SetSym(i, i, d[i])
				if i+1 < m {
					t0.SetSym(i, i+1, e[i])
				}
			}
			var es mat.EigenSym
			if !es.Factorize(t0, true) {
				t.Fatal("EigenSym failed")
			}
			vals := es.Values(nil)
			var vecs mat.Dense
			es.VectorsTo(&vecs)
			norm := math.Max(math.Abs(vals[0]), math.Abs(vals[m-1]))
			w, err := gaussQuadrature(d, e)
			if err != nil {
				t.Fatalf("%s m=%d: %v", tc.name, m, err)
			}
			var sum float64
			for i := range m {
				sum += w[i]
				// Weights of nearly equal eigenvalues are ill-conditioned
				// one by one but not in sum; compare eigenvalues to
				// rounding, weights where the eigenvalue is isolated.
				if math.Abs(d[i]-vals[i]) > 1e-13*norm {
					t.Errorf("%s m=%d: node %d = %v, EigenSym %v", tc.name, m, i, d[i], vals[i])
				}
				gap := math.Inf(1)
				if i > 0 {
					gap = vals[i] - vals[i-1]
				}
				if i+1 < m {
					gap = math.Min(gap, vals[i+1]-vals[i])
				}
				want := vecs.At(0, i) * vecs.At(0, i)
				if gap > 1e-6*norm && math.Abs(w[i]-want) > 1e-10 {
					t.Errorf("%s m=%d: weight %d = %v, EigenSym %v", tc.name, m, i, w[i], want)
				}
			}
			if math.Abs(sum-1) > 1e-13 {
				t.Errorf("%s m=%d: weights sum to %v", tc.name, m, sum)
			}
		}
	}
}
