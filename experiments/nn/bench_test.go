package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// anchorNet returns the model of the PyTorch Hessian anchor
// (DESIGN.md "Performance anchors", bench/anchors.py): a 100-10-10 tanh MLP
// with mean softmax cross-entropy over 1000 samples with Gaussian inputs
// and uniform random labels, at parameters 0.1·N(0,1) (P = 1120).
func anchorNet() (*Net, []float64) {
	return anchorNetHidden(10)
}

// anchorNetHidden is anchorNet with the given number of hidden units.
func anchorNetHidden(hidden int) (*Net, []float64) {
	rng := rand.New(rand.NewPCG(0, 0))
	m := MLP{Sizes: []int{100, hidden, 10}, Activations: []Activation{Tanh, Linear}, Loss: CrossEntropy}
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

// BenchmarkHessianScaling times the exact Hessian of the anchor model with
// 5 to 40 hidden units (P = 565 to 4450), for the growth of the cost with P.
func BenchmarkHessianScaling(b *testing.B) {
	for _, hidden := range []int{5, 10, 20, 40} {
		net, w := anchorNetHidden(hidden)
		b.Run(fmt.Sprintf("P=%d", len(w)), func(b *testing.B) {
			p := net.Problem()
			var h mat.SymDense
			h.ReuseAsSym(len(w))
			b.ReportAllocs()
			for b.Loop() {
				p.Hess(&h, w)
			}
		})
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
