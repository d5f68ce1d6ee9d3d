package hessian

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// symeigRandom returns a symmetric matrix of order n with standard normal
// entries and its column-major lower triangle.
func symeigRandom(n int, seed uint64) (*mat.SymDense, []float64) {
	rnd := rand.New(rand.NewPCG(seed, 0))
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, rnd.NormFloat64())
		}
	}
	lo, _, _, err := symLower(a)
	if err != nil {
		panic(err)
	}
	return a, lo
}

// TestWorkersIndependent checks that the eigenvalues, eigenvectors and
// inertia are bitwise the same for any number of workers.
func TestWorkersIndependent(t *testing.T) {
	t.Parallel()
	n := 300
	if !testing.Short() {
		n = 700
	}
	_, lo := symeigRandom(n, 41)
	var vals0, vecs0, evals0 []float64
	var in0 Inertia
	for _, workers := range []int{1, 3} {
		vals, vecs, ok := symEigenvectors(slices.Clone(lo), n, workers)
		if !ok {
			t.Fatal("no convergence")
		}
		evals, ok := symEigenvalues(slices.Clone(lo), n, workers)
		if !ok {
			t.Fatal("no convergence")
		}
		in, ok := ldltInertiaShifted(slices.Clone(lo), n, 0.1, workers)
		if !ok {
			t.Fatal("pivot overflow")
		}
		if workers == 1 {
			vals0, vecs0, evals0, in0 = vals, vecs, evals, in
			continue
		}
		if !slices.Equal(vals, vals0) || !slices.Equal(vecs, vecs0) || !slices.Equal(evals, evals0) || in != in0 {
			t.Errorf("workers=%d: results differ from workers=1", workers)
		}
	}
}

// The crossover benchmarks time this package's solvers against gonum's
// mat.EigenSym at small orders; they set eigenvaluesCrossover,
// eigenvectorsCrossover and inertiaCrossover.
var crossoverSizes = []int{4, 8, 12, 16, 24, 32, 40, 48, 64, 96}

func BenchmarkCrossoverEigenvalues(b *testing.B) {
	for _, n := range crossoverSizes {
		a, lo := symeigRandom(n, 1)
		buf := make([]float64, len(lo))
		b.Run(fmt.Sprintf("n=%d/gonum", n), func(b *testing.B) {
			for b.Loop() {
				var es mat.EigenSym
				es.Factorize(a, false)
			}
		})
		b.Run(fmt.Sprintf("n=%d/tridiag", n), func(b *testing.B) {
			for b.Loop() {
				copy(buf, lo)
				symEigenvalues(buf, n, symeigWorkers())
			}
		})
	}
}

func BenchmarkCrossoverEigenvectors(b *testing.B) {
	for _, n := range crossoverSizes {
		a, lo := symeigRandom(n, 1)
		buf := make([]float64, len(lo))
		b.Run(fmt.Sprintf("n=%d/gonum", n), func(b *testing.B) {
			for b.Loop() {
				var es mat.EigenSym
				es.Factorize(a, true)
			}
		})
		b.Run(fmt.Sprintf("n=%d/divide", n), func(b *testing.B) {
			for b.Loop() {
				copy(buf, lo)
				symEigenvectors(buf, n, symeigWorkers())
			}
		})
	}
}

func BenchmarkCrossoverInertia(b *testing.B) {
	for _, n := range crossoverSizes {
		a, lo := symeigRandom(n, 1)
		b.Run(fmt.Sprintf("n=%d/gonum", n), func(b *testing.B) {
			for b.Loop() {
				var es mat.EigenSym
				es.Factorize(a, false)
				CountInertia(es.Values(nil), 1e-8)
			}
		})
		buf := make([]float64, len(lo))
		b.Run(fmt.Sprintf("n=%d/ldlt", n), func(b *testing.B) {
			for b.Loop() {
				copy(buf, lo)
				ldltInertiaShifted(buf, n, 1e-8, symeigWorkers())
			}
		})
	}
}
