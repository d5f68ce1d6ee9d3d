package critical

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// chain returns f(w) = (w_1 w_2 ... w_k - 1)^2 / 2, the loss of a deep
// linear network of width 1 and depth k fitting 1. Its critical points with
// f = 0 form the manifold prod w = 1, on which H = J^T J for the gradient J
// of the product: eigenvalues 0 (k - 1 times) and ||J||^2, a degenerate
// minimum of index 0 and nullity k - 1. Off the manifold, at residual
// r = prod w - 1, H gains r times the Hessian of the product, whose
// eigenvalues have both signs: the near-null eigenvalues are of order r,
// of either sign, while ||g||^2 = r^2 ||J||^2.
func chain(k int) hessian.Problem {
	prodExcept := func(w []float64, skip ...int) float64 {
		p := 1.0
		for i, v := range w {
			if i != skip[0] && (len(skip) < 2 || i != skip[1]) {
				p *= v
			}
		}
		return p
	}
	res := func(w []float64) float64 { return prodExcept(w, -1) - 1 }
	return hessian.Problem{
		Func: func(w []float64) float64 { r := res(w); return r * r / 2 },
		Grad: func(g, w []float64) {
			r := res(w)
			for i := range w {
				g[i] = r * prodExcept(w, i)
			}
		},
		Hess: func(h *mat.SymDense, w []float64) {
			r := res(w)
			for i := range w {
				for j := i; j < len(w); j++ {
					v := prodExcept(w, i) * prodExcept(w, j)
					if j != i {
						v += r * prodExcept(w, i, j)
					}
					h.SetSym(i, j, v)
				}
			}
		},
		HessVec: func(hv, w, v []float64) {
			r := res(w)
			for i := range w {
				hv[i] = 0
				for j := range w {
					h := prodExcept(w, i) * prodExcept(w, j)
					if j != i {
						h += r * prodExcept(w, i, j)
					}
					hv[i] += h * v[j]
				}
			}
		},
	}
}

// nearManifold returns a point of the chain of length k at residual r from a
// random point of the manifold prod w = 1.
func nearManifold(rng *rand.Rand, k int, r float64) []float64 {
	w := make([]float64, k)
	prod := 1.0
	for i := range k - 1 {
		w[i] = 0.5 + rng.Float64()
		if rng.IntN(2) == 0 {
			w[i] = -w[i]
		}
		prod *= w[i]
	}
	w[k-1] = 1 / prod
	// Off it: scaling the last coordinate by 1 + r gives residual r.
	w[k-1] *= 1 + r
	return w
}

// TestAnalyzeNearManifold checks the certificate at points that pass the
// gradient test next to a manifold of degenerate minima, where the Hessian
// has eigenvalues of order ||g|| of either sign, well above the default
// tolerance: without the distance to the manifold in the tolerance, half of
// these points would be certified saddles with every sign certain. The
// Newton step must estimate the distance to the manifold, and the
// classification must be the manifold's: a degenerate minimum of nullity
// k - 1, never a certain sign that is wrong.
func TestAnalyzeNearManifold(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 0))
	for _, k := range []int{2, 3, 5} {
		p := chain(k)
		for _, mf := range []int{0, -1} {
			for trial := range 40 {
				// ||g||^2 = r^2 ||J||^2 in [2e-11, 9e-11], with
				// ||J||^2 = sum 1/w_i^2 on the manifold.
				w := nearManifold(rng, k, 0)
				var s float64
				for _, v := range w {
					s += 1 / (v * v)
				}
				r := math.Sqrt((2e-11 + 7e-11*rng.Float64()) / s)
				if trial%2 == 1 {
					r = -r
				}
				w[k-1] *= 1 + r
				name := fmt.Sprintf("k = %d, matrix-free %t, r = %.3g", k, mf < 0, r)
				a, err := Analyze(p, w, &AnalyzeSettings{MatrixFreeDim: mf})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				c, cl := a.Certificate, a.Classification
				if !c.Critical {
					t.Fatalf("%s: ||g||^2 = %g not below %g", name, c.GradNormSq, c.GradTol)
				}
				if a.Spectrum == nil {
					// The old test, with the tolerance of the Hessian alone,
					// would certify a wrong index.
					in, _ := ClassifyEigenvalues(cl.Eigenvalues, max(DefaultRelTol*math.Abs(cl.MaxEigenvalue), c.HessianError))
					if in.Index == 0 && in.Nullity == k-1 {
						t.Fatalf("%s: the eigenvalues %v are right under the default tolerance; the test proves nothing", name, cl.Eigenvalues)
					}
				}
				if cl.Kind != Degenerate || cl.Index != 0 || cl.Nullity != k-1 || c.SignsCertain {
					t.Errorf("%s: %v; want degenerate, index 0, nullity %d, signs uncertain", name, a, k-1)
				}
				// The distance to the manifold is |r| / ||∇ log prod w||
				// to first order; the step estimates it within 10%.
				dist := math.Abs(r) / math.Sqrt(s)
				if math.Abs(c.NewtonDistance-dist) > 0.1*dist {
					t.Errorf("%s: Newton distance %g, want %g", name, c.NewtonDistance, dist)
				}
				if c.DistanceError <= 0 || c.ClassTol < c.DistanceError {
					t.Errorf("%s: DistanceError %g, ClassTol %g", name, c.DistanceError, c.ClassTol)
				}
			}
		}
	}
}

// TestAnalyzeDistanceErrorNondegenerate checks that the distance term stays
// negligible at a nondegenerate critical point approached to ||g||^2 near
// 1e-10: the Hessian of a quadratic does not change, so DistanceError is 0,
// and on Himmelblau it is of the order of the distance.
func TestAnalyzeDistanceErrorNondegenerate(t *testing.T) {
	t.Parallel()
	d := []float64{-3, -1e-3, 2, 7}
	a, err := Analyze(diagQuadratic(d, 0), []float64{1e-6, -2e-6, 3e-6, 1e-6}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := a.Certificate
	if !c.Critical || c.DistanceError != 0 || a.Classification.Index != 2 || !c.SignsCertain {
		t.Errorf("quadratic: %v, DistanceError %g", a, c.DistanceError)
	}
	if want := math.Hypot(math.Hypot(1e-6, 2e-6), math.Hypot(3e-6, 1e-6)); math.Abs(c.NewtonDistance-want) > 1e-12*want {
		t.Errorf("quadratic: Newton distance %g, want %g", c.NewtonDistance, want)
	}
}

// TestFindNearManifold runs every finder from starts near the manifold of
// the chain of length 4: whatever ||g||^2 each reaches, a converged point is
// never certified with a wrong sign. Gradient-norm minimisation converges
// linearly and stops just under the threshold, where the eigenvalues that
// vanish on the manifold are largest.
func TestFindNearManifold(t *testing.T) {
	t.Parallel()
	const k = 4
	p := chain(k)
	rng := rand.New(rand.NewPCG(6, 0))
	for trial := range 20 {
		w0 := nearManifold(rng, k, 0.2*(rng.Float64()-0.5))
		for _, m := range allMethods {
			pt, err := Find(p, w0, &FindSettings{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			if !pt.Converged {
				continue
			}
			cl := pt.Classification
			if cl.Index != 0 || cl.Nullity < k-1 || pt.Certificate.SignsCertain {
				t.Errorf("trial %d, %v: %v with index %d, nullity %d, ||g||^2 = %g; want index 0, nullity >= %d, signs uncertain",
					trial, m, cl.Kind, cl.Index, cl.Nullity, pt.GradNorm*pt.GradNorm, k-1)
			}
			if got := floats.Norm(pt.X, 2); math.IsNaN(got) {
				t.Errorf("trial %d, %v: NaN point", trial, m)
			}
		}
	}
}

// BenchmarkAnalyze measures Analyze on f(x) = x^T A x / 2 + sum x_i^4 / 4
// with a random symmetric A, at a point near the critical point 0 (which
// passes the gradient test and gets the distance estimate: eigenvectors and
// one or two more Hessians) and at a point that does not (eigenvalues only).
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{100, 500} {
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		a := mat.NewSymDense(n, nil)
		for i := range n {
			for j := i; j < n; j++ {
				a.SetSym(i, j, rng.NormFloat64())
			}
		}
		p := hessian.Problem{
			Func: func(x []float64) float64 {
				xv := mat.NewVecDense(n, x)
				f := mat.Inner(xv, a, xv) / 2
				for _, v := range x {
					f += v * v * v * v / 4
				}
				return f
			},
			Grad: func(g, x []float64) {
				mat.NewVecDense(n, g).MulVec(a, mat.NewVecDense(n, x))
				for i, v := range x {
					g[i] += v * v * v
				}
			},
			Hess: func(h *mat.SymDense, x []float64) {
				h.CopySym(a)
				for i, v := range x {
					h.SetSym(i, i, a.At(i, i)+3*v*v)
				}
			},
		}
		for _, c := range []struct {
			name  string
			scale float64
		}{{"critical", 1e-8}, {"not-critical", 1e-2}} {
			x := make([]float64, n)
			for i := range x {
				x[i] = c.scale * rng.NormFloat64()
			}
			b.Run(fmt.Sprintf("n=%d/%s", n, c.name), func(b *testing.B) {
				for b.Loop() {
					an, err := Analyze(p, x, nil)
					if err != nil {
						b.Fatal(err)
					}
					if an.Certificate.Critical != (c.name == "critical") {
						b.Fatalf("critical %t", an.Certificate.Critical)
					}
				}
			})
		}
	}
}
