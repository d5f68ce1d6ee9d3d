package landscape_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/critpoint/critpoint/experiments/landscape"
	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

func ExampleByName() {
	f, err := landscape.ByName("himmelblau")
	if err != nil {
		fmt.Println(err)
		return
	}
	g := make([]float64, f.Dim)
	f.Problem.Grad(g, []float64{3, 2})
	fmt.Printf("%s: f(3, 2) = %v, gradient %v, %d known critical points\n",
		f.Name, f.Problem.Func([]float64{3, 2}), g, len(f.Critical))
	// Output:
	// himmelblau: f(3, 2) = 0, gradient [0 0], 9 known critical points
}

func ExampleRandomField() {
	r := landscape.NewRandomField(50, 0, 1)
	cov := r.Covariance()
	fmt.Printf("f(0) = %v, f'(0) = %v, f''(0) = %v\n", cov.F0, cov.F1, cov.F2)
	fmt.Printf("eps_c = %v\n", cov.CriticalEnergy())
	for _, eps := range []float64{-2.5, -1, 0, 1} {
		fmt.Printf("alpha(%v) = %.4f\n", eps, r.BrayDeanIndex(eps))
	}
	// Output:
	// f(0) = 1, f'(0) = -1, f''(0) = 1
	// eps_c = -2
	// alpha(-2.5) = 0.0000
	// alpha(-1) = 0.1955
	// alpha(0) = 0.5000
	// alpha(1) = 0.8045
}

func ExampleBandEdge() {
	for _, p := range []int{3, 4} {
		fmt.Printf("p = %d: E_inf = %.6f, E_0 = %.6f, E_1 = %.6f\n",
			p, landscape.ThresholdEnergy(p), landscape.BandEdge(p, 0), landscape.BandEdge(p, 1))
	}
	// Output:
	// p = 3: E_inf = 1.632993, E_0 = 1.656998, E_1 = 1.652873
	// p = 4: E_inf = 1.732051, E_0 = 1.794085, E_1 = 1.783300
}

func ExampleSpinGlass_TangentProblem() {
	const n = 30
	s := landscape.NewSpinGlass(n, 3, 1)
	sigma := s.RandomPoint(nil, rand.New(rand.NewPCG(1, 1)))

	// The Riemannian gradient is tangent to the sphere.
	g := s.RiemannianGrad(nil, sigma)
	var dot float64
	for i := range g {
		dot += g[i] * sigma[i]
	}
	fmt.Println("sigma . grad_R = 0:", math.Abs(dot) < 1e-12)

	// The chart's Hessian at 0 lives on the N-1 dimensional tangent space.
	var h mat.SymDense
	if err := hessian.Exact(&h, s.TangentProblem(sigma), make([]float64, n-1)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("tangent Hessian:", h.SymmetricDim(), "x", h.SymmetricDim())
	// Output:
	// sigma . grad_R = 0: true
	// tangent Hessian: 29 x 29
}
