package landscape

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func BenchmarkRandomField(b *testing.B) {
	for _, n := range []int{20, 50, 100} {
		r := NewRandomField(n, 0, 1)
		p := r.Problem()
		x, _ := spinGlassPoints(n, 1)
		g := make([]float64, n)
		h := mat.NewSymDense(n, nil)
		b.Run(fmt.Sprintf("Func/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Func(x)
			}
		})
		b.Run(fmt.Sprintf("Grad/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Grad(g, x)
			}
		})
		b.Run(fmt.Sprintf("Hess/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Hess(h, x)
			}
		})
	}
}

func BenchmarkSpinGlass(b *testing.B) {
	for _, n := range []int{100, 200} {
		s := NewSpinGlass(n, 3, 1)
		p := s.Euclidean()
		x := s.RandomPoint(nil, rand.New(rand.NewPCG(1, 1)))
		v, _ := spinGlassPoints(n, 2)
		g := make([]float64, n)
		h := mat.NewSymDense(n, nil)
		b.Run(fmt.Sprintf("Func/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Func(x)
			}
		})
		b.Run(fmt.Sprintf("Grad/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Grad(g, x)
			}
		})
		b.Run(fmt.Sprintf("HessVec/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.HessVec(g, x, v)
			}
		})
		b.Run(fmt.Sprintf("Hess/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Hess(h, x)
			}
		})
		tp := s.TangentProblem(x)
		z := make([]float64, n-1)
		ht := mat.NewSymDense(n-1, nil)
		b.Run(fmt.Sprintf("TangentHess/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tp.Hess(ht, z)
			}
		})
	}
}
