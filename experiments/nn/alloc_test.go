package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/critpoint/critpoint/hessian"
)

// TestNetAllocs checks that Func, Grad and HessVec allocate nothing in
// steady state: their buffers come from the Net's pool, and the matrix
// products over 200 samples (4 tiles of 64 rows, where gonum's Dgemm would
// go parallel) run through gemmSeq.
func TestNetAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	m := MLP{Sizes: []int{5, 8, 3}, Loss: CrossEntropy, L2: 0.01}
	x, y, _ := randomData(m, 200, rng)
	net := NewNet(m, x, y)
	w := randomPoint(net.NumParams(), 0.3, rng)
	v := randomPoint(net.NumParams(), 1, rng)
	g := make([]float64, len(w))
	hv := make([]float64, len(w))
	p := net.Problem()
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Func", func() { p.Func(w) }},
		{"Grad", func() { p.Grad(g, w) }},
		{"HessVec", func() { p.HessVec(hv, w, v) }},
	} {
		tc.f() // fill the pool
		if got := testing.AllocsPerRun(100, tc.f); got != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tc.name, got)
		}
	}
}

// TestLinearAllocs checks that Func, Grad and HessVec of a LinearNet
// allocate nothing in steady state, over the whole data set and a batch:
// their buffers come from the LinearNet's pool. The 65-unit layers make
// products of 2×2 tiles of 64, which gonum's Dgemm would compute in
// parallel, so they run through gemmSeq.
func TestLinearAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sizes := range [][]int{{8, 8, 8, 8, 8}, {16, 4, 16}, {65, 20, 65}} {
		d := DeepLinear{Sizes: sizes, Norm: EntryMean}
		net := NewLinearAutoencoder(d, gaussianDense(40, sizes[0], rng))
		w := randomPoint(net.NumParams(), 0.3, rng)
		v := randomPoint(net.NumParams(), 1, rng)
		g := make([]float64, len(w))
		hv := make([]float64, len(w))
		for _, p := range []struct {
			name string
			p    hessian.Problem
		}{
			{"Problem", net.Problem()},
			{"Batch", net.Batch([]int{0, 7, 7, 39})},
		} {
			for _, tc := range []struct {
				name string
				f    func()
			}{
				{"Func", func() { p.p.Func(w) }},
				{"Grad", func() { p.p.Grad(g, w) }},
				{"HessVec", func() { p.p.HessVec(hv, w, v) }},
			} {
				tc.f() // fill the pool
				if got := testing.AllocsPerRun(100, tc.f); got != 0 {
					t.Errorf("%v %s %s: %v allocations per call, want 0", sizes, p.name, tc.name, got)
				}
			}
		}
	}
}
