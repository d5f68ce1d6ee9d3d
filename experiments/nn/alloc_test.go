package nn

import (
	"math/rand/v2"
	"testing"
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
