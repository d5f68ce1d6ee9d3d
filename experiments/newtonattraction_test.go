package main

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestNewtonAttractionQuickClaims checks the quick preset's outcome
// fractions against Dauphin et al. (2014, section 4): the critical points
// of a random field are mostly saddles in high dimension, and pure Newton,
// attracted to critical points of any index, ends at saddles more often as
// N grows; saddle-free Newton, gradient descent and Adam do not end at
// saddles.
func TestNewtonAttractionQuickClaims(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "newton-attraction", 2)
	p := newtonAttractionPresets.Quick
	type key struct {
		n              int
		method, result string
	}
	count := map[key]float64{}
	cert := map[key]float64{} // by (n, method)
	for _, r := range readCSV(t, filepath.Join(dir, "newton_attraction_fractions.csv")) {
		n := int(num(t, r["n"]))
		count[key{n, r["method"], r["outcome"]}] = num(t, r["count"])
		cert[key{n: n, method: r["method"]}] = num(t, r["certified"])
		if got := num(t, r["starts"]); got != float64(p.Starts) {
			t.Fatalf("%v: %g starts, want %d", r, got, p.Starts)
		}
	}
	lo, hi := p.Dims[0], p.Dims[len(p.Dims)-1]
	share := func(n int, method string) float64 {
		return count[key{n, method, "saddle"}] / cert[key{n: n, method: method}]
	}
	// In two dimensions about half the critical points of an isotropic
	// field are saddles (the expected Euler characteristic density
	// #minima - #saddles + #maxima vanishes and minima and maxima are
	// equally common); at the quick preset 20 of Newton's 32 certified end
	// points are. In ten dimensions nearly all are (30 of 30).
	if cert[key{n: hi, method: "newton"}] < float64(p.Starts)/2 {
		t.Fatalf("newton certified %g of %d end points at N = %d", cert[key{n: hi, method: "newton"}], p.Starts, hi)
	}
	// Newton-MR, which converges to critical points of any index too,
	// shows the same rise (14 of 32 and 22 of 22 at the quick preset).
	for _, m := range []string{"newton", "newton-mr"} {
		if s2, s10 := share(lo, m), share(hi, m); s10 < s2+0.25 || s10 < 0.8 {
			t.Errorf("%s's saddle share of certified end points: %.3f at N = %d, %.3f at N = %d; want a clear rise", m, s2, lo, s10, hi)
		}
	}
	for _, n := range p.Dims {
		newton := count[key{n, "newton", "saddle"}]
		for _, m := range []string{"gd", "momentum", "adam", "damped-newton", "saddle-free-newton"} {
			s := count[key{n, m, "saddle"}] + count[key{n, m, "maximum"}]
			if s > 1 || s >= newton {
				t.Errorf("N = %d: %s ends at %g saddles or maxima (newton at %g saddles), want (almost) none", n, m, s, newton)
			}
		}
	}
}

// TestAttractionBall checks that starts are uniform in the ball: inside it,
// with P(|x| <= r R) = r^n.
func TestAttractionBall(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{2, 10} {
		const draws, radius = 20000, 3.0
		inner := 0
		for range draws {
			x := attractionBall(rng, n, radius)
			r := floats.Norm(x, 2)
			if r > radius {
				t.Fatalf("n=%d: |x| = %g outside the ball of radius %g", n, r, radius)
			}
			if r <= radius*math.Pow(0.5, 1/float64(n)) {
				inner++
			}
		}
		// Half the volume lies within 2^(-1/n) R; the binomial standard
		// deviation of the count is sqrt(draws)/2 ≈ 71, so 5σ is 354.
		if d := math.Abs(float64(inner) - draws/2); d > 354 {
			t.Errorf("n=%d: %d of %d draws in the inner half of the volume", n, inner, draws)
		}
	}
}
