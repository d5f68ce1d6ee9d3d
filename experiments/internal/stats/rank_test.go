package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRanks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		x    []float64
		want []float64
	}{
		{name: "distinct", x: []float64{3, 1, 2}, want: []float64{3, 1, 2}},
		// Ties share the mean of the ranks they span: 2 and 3 -> 2.5.
		{name: "tie", x: []float64{1, 2, 2, 3}, want: []float64{1, 2.5, 2.5, 4}},
		{name: "all equal", x: []float64{5, 5, 5}, want: []float64{2, 2, 2}},
		{name: "infinities", x: []float64{math.Inf(1), 0, math.Inf(-1)}, want: []float64{3, 2, 1}},
		{name: "empty", x: nil, want: []float64{}},
	} {
		if got := Ranks(c.x); !slices.Equal(got, c.want) {
			t.Errorf("%s: Ranks(%v) = %v, want %v", c.name, c.x, got, c.want)
		}
	}
}

func TestSpearmanKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		x, y []float64
		want float64
	}{
		{name: "increasing", x: []float64{1, 2, 3, 4}, y: []float64{1, 4, 9, 16}, want: 1},
		{name: "decreasing", x: []float64{1, 2, 3, 4}, y: []float64{0, -1, -8, -27}, want: -1},
		// The textbook example of ten people's IQ and weekly hours of
		// television: Σd² = 194, so ρ = 1 - 6·194/(10·99) = -29/165.
		{
			name: "iq and television",
			x:    []float64{106, 86, 100, 101, 99, 103, 97, 113, 112, 110},
			y:    []float64{7, 0, 27, 50, 28, 29, 20, 12, 6, 17},
			want: -29.0 / 165,
		},
		// Ranks (1, 2.5, 2.5, 4) and (1, 2, 3, 4): Σ dr ds = 4.5,
		// Σ dr² = 4.5, Σ ds² = 5, so ρ = 4.5/sqrt(22.5) = sqrt(0.9).
		{name: "tie", x: []float64{1, 2, 2, 3}, y: []float64{1, 2, 3, 4}, want: math.Sqrt(0.9)},
	} {
		if got := Spearman(c.x, c.y); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: Spearman = %.17g, want %.17g", c.name, got, c.want)
		}
	}
	if got := Spearman([]float64{1, 1, 1}, []float64{1, 2, 3}); !math.IsNaN(got) {
		t.Errorf("Spearman with a constant sample = %v, want NaN", got)
	}
}

// TestSpearmanProperties checks, on random samples without ties, the
// closed form 1 - 6Σd²/(n(n²-1)), symmetry, invariance under monotone
// maps and the sign flip under x -> -x.
func TestSpearmanProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		n := 2 + trial
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
			y[i] = x[i] + rng.NormFloat64()
		}
		rho := Spearman(x, y)
		r, s := Ranks(x), Ranks(y)
		var d2 float64
		for i := range r {
			d2 += (r[i] - s[i]) * (r[i] - s[i])
		}
		nf := float64(n)
		if want := 1 - 6*d2/(nf*(nf*nf-1)); math.Abs(rho-want) > 1e-12 {
			t.Errorf("n=%d: ρ = %v, closed form %v", n, rho, want)
		}
		if got := Spearman(y, x); got != rho {
			t.Errorf("n=%d: not symmetric: %v and %v", n, rho, got)
		}
		ex, negX := make([]float64, n), make([]float64, n)
		for i, v := range x {
			ex[i] = math.Exp(v)
			negX[i] = -v
		}
		if got := Spearman(ex, y); got != rho {
			t.Errorf("n=%d: ρ changed under exp: %v and %v", n, rho, got)
		}
		if got := Spearman(negX, y); math.Abs(got+rho) > 1e-15 {
			t.Errorf("n=%d: ρ(-x, y) = %v, want %v", n, got, -rho)
		}
	}
}

func TestSpearmanPanics(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		x, y []float64
	}{
		{name: "length", x: []float64{1, 2}, y: []float64{1}},
		{name: "one pair", x: []float64{1}, y: []float64{1}},
		{name: "NaN", x: []float64{1, math.NaN()}, y: []float64{1, 2}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			Spearman(c.x, c.y)
		}()
	}
}

func ExampleSpearman() {
	energy := []float64{-1.5, -0.8, 0.1, 0.4, 1.2}
	index := []float64{0, 0.1, 0.5, 0.45, 0.9}
	fmt.Printf("%.1f\n", Spearman(energy, index))
	// Output: 0.9
}
