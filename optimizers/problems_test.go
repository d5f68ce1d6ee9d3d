package optimizers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// quadratic returns f(x) = ½ xᵀAx - bᵀx for the symmetric A (row-major,
// n×n), with exact derivatives.
func quadratic(n int, a, b []float64) hessian.Problem {
	am := mat.NewSymDense(n, a)
	return hessian.Problem{
		Func: func(x []float64) float64 {
			xv := mat.NewVecDense(n, x)
			return 0.5*mat.Inner(xv, am, xv) - mat.Dot(mat.NewVecDense(n, b), xv)
		},
		Grad: func(grad, x []float64) {
			g := mat.NewVecDense(n, grad)
			g.MulVec(am, mat.NewVecDense(n, x))
			g.SubVec(g, mat.NewVecDense(n, b))
		},
		Hess: func(hess *mat.SymDense, x []float64) {
			hess.CopySym(am)
		},
		HessVec: func(hv, x, v []float64) {
			mat.NewVecDense(n, hv).MulVec(am, mat.NewVecDense(n, v))
		},
	}
}

// nonSeparable is the non-separable quadratic ½ xᵀAx - bᵀx with
// A = [[3, 1], [1, 2]] (eigenvalues (5 ± √5)/2) and b = (1, -1); its
// minimum is A⁻¹b = (3/5, -4/5).
func nonSeparable() hessian.Problem {
	return quadratic(2, []float64{3, 1, 1, 2}, []float64{1, -1})
}

// chainedRosenbrock is the n-dimensional chained Rosenbrock function
//
//	f(x) = Σ_{i<n-1} 100 (x_{i+1} - x_i²)² + (1 - x_i)²,
//
// with minimum 0 at (1, ..., 1). Gradient and Hessian-vector product cost
// O(n); the Hessian is tridiagonal.
func chainedRosenbrock(n int) hessian.Problem {
	return hessian.Problem{
		Func: func(x []float64) float64 {
			var f float64
			for i := 0; i+1 < n; i++ {
				a, b := 1-x[i], x[i+1]-x[i]*x[i]
				f += 100*b*b + a*a
			}
			return f
		},
		Grad: func(grad, x []float64) {
			clear(grad)
			for i := 0; i+1 < n; i++ {
				b := x[i+1] - x[i]*x[i]
				grad[i] += -400*x[i]*b - 2*(1-x[i])
				grad[i+1] += 200 * b
			}
		},
		Hess: func(hess *mat.SymDense, x []float64) {
			for i := range n {
				for j := i; j < n; j++ {
					hess.SetSym(i, j, 0)
				}
			}
			for i := 0; i+1 < n; i++ {
				hess.SetSym(i, i, hess.At(i, i)+1200*x[i]*x[i]-400*x[i+1]+2)
				hess.SetSym(i, i+1, -400*x[i])
				hess.SetSym(i+1, i+1, hess.At(i+1, i+1)+200)
			}
		},
		HessVec: func(hv, x, v []float64) {
			clear(hv)
			for i := 0; i+1 < n; i++ {
				d := 1200*x[i]*x[i] - 400*x[i+1] + 2
				hv[i] += d*v[i] - 400*x[i]*v[i+1]
				hv[i+1] += -400*x[i]*v[i] + 200*v[i+1]
			}
		},
	}
}

// quartic is f(x, y) = x⁴ + y², whose Hessian diag(12x², 2) is singular on
// the line x = 0.
func quartic() hessian.Problem {
	return hessian.Problem{
		Func: func(x []float64) float64 { return x[0]*x[0]*x[0]*x[0] + x[1]*x[1] },
		Grad: func(grad, x []float64) {
			grad[0], grad[1] = 4*x[0]*x[0]*x[0], 2*x[1]
		},
		Hess: func(hess *mat.SymDense, x []float64) {
			hess.SetSym(0, 0, 12*x[0]*x[0])
			hess.SetSym(0, 1, 0)
			hess.SetSym(1, 1, 2)
		},
	}
}

// leastSquares is linear regression with squared loss,
//
//	J(w) = (1/N) Σᵢ ½ (xᵢᵀw - yᵢ)²,
//
// as a Batched objective.
type leastSquares struct {
	d    int
	x, y []float64 // x is N×d row-major
}

// newRegression draws N samples of y = xᵀw + σ·noise with x and noise
// standard normal, from rand.NewPCG(seed, 1).
func newRegression(n int, w []float64, sigma float64, seed uint64) *leastSquares {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := len(w)
	ls := &leastSquares{d: d, x: make([]float64, n*d), y: make([]float64, n)}
	for i := range n {
		row := ls.x[i*d : (i+1)*d]
		var s float64
		for j := range row {
			row[j] = rng.NormFloat64()
			s += row[j] * w[j]
		}
		ls.y[i] = s + sigma*rng.NormFloat64()
	}
	return ls
}

func (ls *leastSquares) Len() int { return len(ls.y) }

func (ls *leastSquares) all() []int {
	idx := make([]int, ls.Len())
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func (ls *leastSquares) residual(i int, w []float64) float64 {
	row := ls.x[i*ls.d : (i+1)*ls.d]
	r := -ls.y[i]
	for j, xj := range row {
		r += xj * w[j]
	}
	return r
}

func (ls *leastSquares) Batch(idx []int) hessian.Problem {
	scale := 1 / float64(len(idx))
	d := ls.d
	return hessian.Problem{
		Func: func(w []float64) float64 {
			var f float64
			for _, i := range idx {
				r := ls.residual(i, w)
				f += 0.5 * r * r
			}
			return scale * f
		},
		Grad: func(grad, w []float64) {
			clear(grad)
			for _, i := range idx {
				r := ls.residual(i, w)
				for j, xj := range ls.x[i*d : (i+1)*d] {
					grad[j] += r * xj
				}
			}
			for j := range grad {
				grad[j] *= scale
			}
		},
		HessVec: func(hv, w, v []float64) {
			clear(hv)
			for _, i := range idx {
				row := ls.x[i*d : (i+1)*d]
				var s float64
				for j, xj := range row {
					s += xj * v[j]
				}
				for j, xj := range row {
					hv[j] += s * xj
				}
			}
			for j := range hv {
				hv[j] *= scale
			}
		},
	}
}

// normalEquations returns the least-squares solution w* of XᵀX w = Xᵀy and
// the standard errors σ̂ √((XᵀX)⁻¹)_jj of its entries, with σ̂² the residual
// variance over N - d degrees of freedom.
func (ls *leastSquares) normalEquations() (w, se []float64) {
	n, d := ls.Len(), ls.d
	x := mat.NewDense(n, d, ls.x)
	var xtx mat.SymDense
	xtx.SymOuterK(1, x.T())
	var chol mat.Cholesky
	if !chol.Factorize(&xtx) {
		panic("normal equations not positive definite")
	}
	var xty, wv mat.VecDense
	xty.MulVec(x.T(), mat.NewVecDense(n, ls.y))
	if err := chol.SolveVecTo(&wv, &xty); err != nil {
		panic(err)
	}
	w = wv.RawVector().Data
	var rss float64
	for i := range n {
		r := ls.residual(i, w)
		rss += r * r
	}
	s2 := rss / float64(n-d)
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		panic(err)
	}
	se = make([]float64, d)
	for j := range se {
		se[j] = math.Sqrt(s2 * inv.At(j, j))
	}
	return w, se
}

// TestProblemsAgainstFiniteDifferences checks the analytic gradients,
// Hessians and Hessian-vector products of the test problems against central
// differences at points whose coordinates all differ.
func TestProblemsAgainstFiniteDifferences(t *testing.T) {
	t.Parallel()
	reg := newRegression(7, []float64{1, -2, 0.5}, 0.3, 3)
	cases := []struct {
		name string
		p    hessian.Problem
		x    []float64
	}{
		{"nonSeparable", nonSeparable(), []float64{0.7, -1.3}},
		{"quadratic3", quadratic(3, []float64{4, 1, -2, 1, 3, 0.5, -2, 0.5, -1}, []float64{1, 2, 3}), []float64{0.3, -0.8, 1.9}},
		{"chainedRosenbrock", chainedRosenbrock(5), []float64{-1.2, 0.7, 0.3, 1.4, -0.6}},
		{"quartic", quartic(), []float64{0.8, -1.7}},
		{"leastSquares/all", reg.Batch(reg.all()), []float64{0.2, -0.9, 1.6}},
		{"leastSquares/batch", reg.Batch([]int{5, 1, 3}), []float64{-0.4, 1.1, 0.25}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := len(c.x)
			// Central differences have error O(h²) ≈ 1e-10 relative for these
			// polynomials; 1e-6 leaves room for cancellation.
			const tol = 1e-6
			g := make([]float64, n)
			c.p.Grad(g, c.x)
			gfd := fd.Gradient(nil, c.p.Func, c.x, &fd.Settings{Formula: fd.Central})
			for i := range g {
				if !near(g[i], gfd[i], tol) {
					t.Errorf("gradient[%d] = %v, finite differences %v", i, g[i], gfd[i])
				}
			}
			jac := mat.NewDense(n, n, nil)
			fd.Jacobian(jac, c.p.Grad, c.x, &fd.JacobianSettings{Formula: fd.Central})
			if c.p.Hess != nil {
				h := mat.NewSymDense(n, nil)
				c.p.Hess(h, c.x)
				for i := range n {
					for j := range n {
						if !near(h.At(i, j), jac.At(i, j), tol) {
							t.Errorf("Hessian(%d,%d) = %v, finite differences %v", i, j, h.At(i, j), jac.At(i, j))
						}
					}
				}
			}
			if c.p.HessVec != nil {
				v := make([]float64, n)
				for i := range v {
					v[i] = 0.5 - 0.3*float64(i*i) // asymmetric direction
				}
				hv := make([]float64, n)
				c.p.HessVec(hv, c.x, v)
				want := mat.NewVecDense(n, nil)
				want.MulVec(jac, mat.NewVecDense(n, v))
				for i := range hv {
					if !near(hv[i], want.AtVec(i), tol) {
						t.Errorf("HessVec[%d] = %v, finite differences %v", i, hv[i], want.AtVec(i))
					}
				}
			}
		})
	}
}

// near reports whether a and b agree to the relative tolerance tol, measured
// against max(1, |b|).
func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// grad2 returns the gradient of the two-dimensional problem p at (x, y).
func grad2(p hessian.Problem, x, y float64) (gx, gy float64) {
	g := make([]float64, 2)
	p.Grad(g, []float64{x, y})
	return g[0], g[1]
}

// hess2 returns the Hessian [[a, b], [b, c]] of p at (x, y).
func hess2(p hessian.Problem, x, y float64) (a, b, c float64) {
	h := mat.NewSymDense(2, nil)
	if err := hessian.Exact(h, p, []float64{x, y}); err != nil {
		panic(fmt.Sprint(err))
	}
	return h.At(0, 0), h.At(0, 1), h.At(1, 1)
}
