package nn

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// anchorNet returns the model of the PyTorch Hessian anchor
// (DESIGN.md "Performance anchors", bench/anchors.py): a 100-10-10 tanh MLP
// with mean softmax cross-entropy over 1000 samples with Gaussian inputs
// and uniform random labels, at parameters 0.1·N(0,1) (P = 1120).
func anchorNet() (*Net, []float64) {
	rng := rand.New(rand.NewPCG(0, 0))
	m := MLP{Sizes: []int{100, 10, 10}, Activations: []Activation{Tanh, Linear}, Loss: CrossEntropy}
	x, y, _ := randomData(m, 1000, rng)
	net := NewNet(m, x, y)
	return net, randomPoint(net.NumParams(), 0.1, rng)
}

func BenchmarkAnchorHessian(b *testing.B) {
	net, w := anchorNet()
	p := net.Problem()
	var h mat.SymDense
	h.ReuseAsSym(len(w))
	b.ReportAllocs()
	for b.Loop() {
		p.Hess(&h, w)
	}
}

func BenchmarkGradient(b *testing.B) {
	net, w := anchorNet()
	p := net.Problem()
	g := make([]float64, len(w))
	b.ReportAllocs()
	for b.Loop() {
		p.Grad(g, w)
	}
}

func BenchmarkHessVec(b *testing.B) {
	net, w := anchorNet()
	p := net.Problem()
	v := randomPoint(len(w), 1, rand.New(rand.NewPCG(0, 1)))
	hv := make([]float64, len(w))
	b.ReportAllocs()
	for b.Loop() {
		p.HessVec(hv, w, v)
	}
}
