package hessian

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ldltMatrix returns a symmetric matrix of order n of the given kind as a
// SymDense and as the column-major lower triangle that ldltInertia takes.
func ldltMatrix(kind string, n int, rnd *rand.Rand) *mat.SymDense {
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			switch kind {
			case "random":
				a.SetSym(i, j, rnd.NormFloat64())
			case "dominant":
				// Diagonally dominant: 1×1 pivots without interchanges.
				v := rnd.NormFloat64() / float64(n)
				if i == j {
					v = 2 + rnd.Float64()
					if i%3 == 0 {
						v = -v
					}
				}
				a.SetSym(i, j, v)
			case "zero diagonal":
				// Every pivot search starts from a zero diagonal entry.
				if i != j {
					a.SetSym(i, j, rnd.NormFloat64())
				}
			case "rank deficient":
				// Rows and columns 2i+1 are zero: zero pivots and zero
				// columns, with the rest random.
				if i%2 == 0 && j%2 == 0 {
					a.SetSym(i, j, rnd.NormFloat64())
				}
			}
		}
	}
	return a
}

// TestLDLTInertia compares the pivot inertia of the blocked Bunch–Kaufman
// factorisation with the eigenvalue counts, at orders around the panel width
// ldltBlock = 48 and the blocked threshold ldltMinBlocked = 96 (and at the
// second panel boundary, 144, in long mode), for
// tolerances away from every eigenvalue.
func TestLDLTInertia(t *testing.T) {
	t.Parallel()
	kinds := []string{"random", "dominant", "zero diagonal", "rank deficient"}
	sizes := []int{1, 2, 3, 4, 5, 17, 47, 48, 49, 95, 96, 97}
	if !testing.Short() {
		sizes = append(sizes, 143, 144, 145, 257)
	}
	for _, n := range sizes {
		for _, kind := range kinds {
			rnd := rand.New(rand.NewPCG(31, uint64(n)))
			a := ldltMatrix(kind, n, rnd)
			var es mat.EigenSym
			if !es.Factorize(a, false) {
				t.Fatal("reference eigensolver failed")
			}
			vals := es.Values(nil)
			lo, _, _, err := symLower(a)
			if err != nil {
				t.Fatal(err)
			}
			for _, tol := range []float64{0, 1e-9, 0.3, 2} {
				// Skip tolerances within 1e-10 of an eigenvalue's
				// magnitude, which rounding may put on either side; for
				// tol = 0 the exact zeros of the rank-deficient matrix are
				// counted as zero pivots, not eigenvalues near zero.
				near := false
				for _, v := range vals {
					d := max(v, -v) - tol
					near = near || (d < 1e-10 && d > -1e-10 && !(tol == 0 && kind == "rank deficient"))
				}
				if near {
					continue
				}
				want := CountInertia(vals, tol)
				if tol == 0 && kind == "rank deficient" {
					want = Inertia{}
					for _, v := range vals {
						switch {
						case v < -1e-10:
							want.Neg++
						case v > 1e-10:
							want.Pos++
						default:
							want.Zero++
						}
					}
				}
				for _, workers := range []int{1, 2} {
					got, ok := ldltInertiaShifted(slices.Clone(lo), n, tol, workers)
					if !ok || got != want {
						t.Errorf("%s n=%d tol=%v workers=%d: got %+v (ok %v), want %+v", kind, n, tol, workers, got, ok, want)
					}
				}
			}
		}
	}
}

func TestInertia2x2(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d11, d21, d22  float64
		neg, zero, pos int
	}{
		{0, 1, 0, 1, 0, 1},
		{2, 1, 2, 0, 0, 2},
		{-2, 1, -2, 2, 0, 0},
		{1, 1, 1, 0, 1, 1},
		{-1, 1, -1, 1, 1, 0},
		{0, 0, 0, 0, 2, 0},
		// Entries whose products overflow.
		{1e300, 1e300, -1e300, 1, 0, 1},
	} {
		neg, zero, pos, ok := inertia2x2(tc.d11, tc.d21, tc.d22)
		if !ok || neg != tc.neg || zero != tc.zero || pos != tc.pos {
			t.Errorf("inertia2x2(%v, %v, %v) = %d, %d, %d, want %d, %d, %d", tc.d11, tc.d21, tc.d22, neg, zero, pos, tc.neg, tc.zero, tc.pos)
		}
	}
}

func BenchmarkLDLTBlock(b *testing.B) {
	n := 1000
	a := ldltMatrix("random", n, rand.New(rand.NewPCG(1, 1)))
	lo, _, _, _ := symLower(a)
	buf := make([]float64, len(lo))
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			copy(buf, lo)
			ldltInertia(buf, n, 1)
		}
	})
}
