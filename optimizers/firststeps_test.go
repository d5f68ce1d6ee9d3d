package optimizers

import (
	"math"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
)

// scalarRun re-implements an update rule on scalars and returns the first
// steps iterates after (x, y).
type scalarRun func(p hessian.Problem, x, y float64, steps int) [][2]float64

func sgdScalar(eta func(k int) float64) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		for k := range steps {
			gx, gy := grad2(p, x, y)
			x, y = x-eta(k)*gx, y-eta(k)*gy
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

func momentumScalar(eta, alpha float64, nesterov bool) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		var vx, vy float64
		for range steps {
			var gx, gy float64
			if nesterov {
				gx, gy = grad2(p, x+alpha*vx, y+alpha*vy)
			} else {
				gx, gy = grad2(p, x, y)
			}
			vx, vy = alpha*vx-eta*gx, alpha*vy-eta*gy
			x, y = x+vx, y+vy
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

func adagradScalar(eta, eps float64) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		var ax, ay float64
		for range steps {
			gx, gy := grad2(p, x, y)
			ax, ay = ax+gx*gx, ay+gy*gy
			x, y = x-eta*gx/(math.Sqrt(ax)+eps), y-eta*gy/(math.Sqrt(ay)+eps)
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

func rmspropScalar(eta, beta, eps float64) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		var ax, ay float64
		for range steps {
			gx, gy := grad2(p, x, y)
			ax, ay = beta*ax+(1-beta)*gx*gx, beta*ay+(1-beta)*gy*gy
			x, y = x-eta*gx/(math.Sqrt(ax)+eps), y-eta*gy/(math.Sqrt(ay)+eps)
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

func adamScalar(eta, b1, b2, eps float64, bias bool) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		var mx, my, vx, vy float64
		for k := range steps {
			t := float64(k + 1)
			gx, gy := grad2(p, x, y)
			mx, my = b1*mx+(1-b1)*gx, b1*my+(1-b1)*gy
			vx, vy = b2*vx+(1-b2)*gx*gx, b2*vy+(1-b2)*gy*gy
			c1, c2 := 1.0, 1.0
			if bias {
				c1, c2 = 1-math.Pow(b1, t), 1-math.Pow(b2, t)
			}
			x -= eta * (mx / c1) / (math.Sqrt(vx/c2) + eps)
			y -= eta * (my / c1) / (math.Sqrt(vy/c2) + eps)
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

// solve2 returns the solution of [[a, b], [b, c]] p = (gx, gy) by Cramer's
// rule.
func solve2(a, b, c, gx, gy float64) (px, py float64) {
	det := a*c - b*b
	return (c*gx - b*gy) / det, (a*gy - b*gx) / det
}

func newtonScalar(p hessian.Problem, x, y float64, steps int) [][2]float64 {
	var out [][2]float64
	for range steps {
		gx, gy := grad2(p, x, y)
		a, b, c := hess2(p, x, y)
		px, py := solve2(a, b, c, gx, gy)
		x, y = x-px, y-py
		out = append(out, [2]float64{x, y})
	}
	return out
}

// dampedNewtonScalar is the Levenberg-Marquardt rule with initial damping
// lam, factors 3/2 and 2/3, and floor 1e-12.
func dampedNewtonScalar(lam0 float64) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		lam := lam0
		for range steps {
			gx, gy := grad2(p, x, y)
			a, b, c := hess2(p, x, y)
			a, c = a+lam, c+lam
			accepted := false
			if a > 0 && a*c-b*b > 0 { // positive definite
				px, py := solve2(a, b, c, gx, gy)
				tx, ty := x-px, y-py
				if p.Func([]float64{tx, ty}) < p.Func([]float64{x, y}) {
					x, y = tx, ty
					accepted = true
				}
			}
			if accepted {
				lam = math.Max(lam*2/3, 1e-12)
			} else {
				lam *= 1.5
			}
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

// sfnScalar is saddle-free Newton with the closed-form eigendecomposition
// of the 2×2 Hessian, trying each damping in lams and keeping the lowest
// loss.
func sfnScalar(lams ...float64) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		for range steps {
			gx, gy := grad2(p, x, y)
			a, b, c := hess2(p, x, y)
			mid, r := (a+c)/2, math.Hypot((a-c)/2, b)
			l1, l2 := mid-r, mid+r
			// Eigenvectors (b, l - a), normalised; b != 0 on these problems.
			e1x, e1y := b, l1-a
			n1 := math.Hypot(e1x, e1y)
			e1x, e1y = e1x/n1, e1y/n1
			e2x, e2y := -e1y, e1x
			bx, by, bestF := 0.0, 0.0, math.Inf(1)
			for _, lam := range lams {
				c1 := (e1x*gx + e1y*gy) / (math.Abs(l1) + lam)
				c2 := (e2x*gx + e2y*gy) / (math.Abs(l2) + lam)
				tx, ty := x-c1*e1x-c2*e2x, y-c1*e1y-c2*e2y
				if f := p.Func([]float64{tx, ty}); len(lams) == 1 || f < bestF {
					bx, by, bestF = tx, ty, f
				}
			}
			x, y = bx, by
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

// sfnKrylov1Scalar is saddle-free Newton in the one-dimensional Krylov
// subspace span{g}: T = gᵀHg/gᵀg and the step is -g/(|T| + λ).
func sfnKrylov1Scalar(lam float64) scalarRun {
	return func(p hessian.Problem, x, y float64, steps int) [][2]float64 {
		var out [][2]float64
		for range steps {
			gx, gy := grad2(p, x, y)
			a, b, c := hess2(p, x, y)
			gg := gx*gx + gy*gy
			t := (gx*(a*gx+b*gy) + gy*(b*gx+c*gy)) / gg
			s := 1 / (math.Abs(t) + lam)
			x, y = x-s*gx, y-s*gy
			out = append(out, [2]float64{x, y})
		}
		return out
	}
}

// TestFirstStepsMatchScalar compares the first five steps of every method
// with a scalar re-implementation of its update rule, on a non-separable
// quadratic and on Rosenbrock's function.
func TestFirstStepsMatchScalar(t *testing.T) {
	t.Parallel()
	const steps = 5
	// First-order rules evaluate the same expressions as the scalar code, so
	// they agree to the last bit on amd64; 1e-13 allows for fused
	// multiply-adds on other architectures.
	const firstOrder = 1e-13
	// Second-order rules solve by LU, Cholesky or a symmetric eigensolver
	// where the scalar code uses Cramer's rule and the closed-form 2×2
	// eigendecomposition: equivalent up to rounding, which the condition
	// number (about 2508 at Rosenbrock's minimum) amplifies. The largest
	// relative difference measured over these cases is 2.5e-13.
	const secondOrder = 1e-11
	anneal := LinearAnneal{Initial: 2e-3, Final: 5e-4, Tau: 3}
	methods := []struct {
		name string
		m    func() Method
		run  scalarRun
		tol  float64
	}{
		{"SGD", func() Method { return &SGD{LearningRate: 1e-3} }, sgdScalar(func(int) float64 { return 1e-3 }), firstOrder},
		{"SGD/default", func() Method { return &SGD{} }, sgdScalar(func(int) float64 { return 0.01 }), firstOrder},
		{"SGD/LinearAnneal", func() Method { return &SGD{Schedule: anneal} }, sgdScalar(anneal.LearningRate), firstOrder},
		{"Momentum", func() Method { return &Momentum{LearningRate: 1e-3, Momentum: 0.8} }, momentumScalar(1e-3, 0.8, false), firstOrder},
		{"Momentum/default", func() Method { return &Momentum{LearningRate: 1e-3} }, momentumScalar(1e-3, 0.9, false), firstOrder},
		{"Nesterov", func() Method { return &Nesterov{LearningRate: 1e-3, Momentum: 0.8} }, momentumScalar(1e-3, 0.8, true), firstOrder},
		{"Nesterov/default", func() Method { return &Nesterov{LearningRate: 1e-3} }, momentumScalar(1e-3, 0.9, true), firstOrder},
		{"Adagrad", func() Method { return &Adagrad{LearningRate: 0.1} }, adagradScalar(0.1, 1e-8), firstOrder},
		{"Adagrad/Eps", func() Method { return &Adagrad{LearningRate: 0.1, Eps: 0.5} }, adagradScalar(0.1, 0.5), firstOrder},
		{"RMSprop", func() Method { return &RMSprop{LearningRate: 0.01} }, rmspropScalar(0.01, 0.9, 1e-8), firstOrder},
		{"RMSprop/Beta", func() Method { return &RMSprop{LearningRate: 0.01, Beta: 0.5} }, rmspropScalar(0.01, 0.5, 1e-8), firstOrder},
		{"Adam", func() Method { return &Adam{LearningRate: 0.01} }, adamScalar(0.01, 0.9, 0.999, 1e-8, true), firstOrder},
		{"Adam/default", func() Method { return &Adam{} }, adamScalar(0.001, 0.9, 0.999, 1e-8, true), firstOrder},
		{"Adam/NoBiasCorrection", func() Method { return &Adam{LearningRate: 0.01, NoBiasCorrection: true} }, adamScalar(0.01, 0.9, 0.999, 1e-8, false), firstOrder},
		{"Adam/Betas", func() Method { return &Adam{LearningRate: 0.01, Beta1: 0.5, Beta2: 0.75} }, adamScalar(0.01, 0.5, 0.75, 1e-8, true), firstOrder},
		{"Newton", func() Method { return &Newton{} }, newtonScalar, secondOrder},
		{"DampedNewton", func() Method { return &DampedNewton{} }, dampedNewtonScalar(1), secondOrder},
		{"DampedNewton/Damping", func() Method { return &DampedNewton{Damping: 1e-3} }, dampedNewtonScalar(1e-3), secondOrder},
		{"SaddleFreeNewton", func() Method { return &SaddleFreeNewton{} }, sfnScalar(0), secondOrder},
		{"SaddleFreeNewton/Damping", func() Method { return &SaddleFreeNewton{Damping: 0.5} }, sfnScalar(0.5), secondOrder},
		{"SaddleFreeNewton/Dampings", func() Method { return &SaddleFreeNewton{Dampings: []float64{10, 1, 0.1, 0}} }, sfnScalar(10, 1, 0.1, 0), secondOrder},
		{"SaddleFreeNewton/Krylov1", func() Method { return &SaddleFreeNewton{Krylov: 1, Damping: 0.5} }, sfnKrylov1Scalar(0.5), secondOrder},
		{"SaddleFreeNewton/Krylov2", func() Method { return &SaddleFreeNewton{Krylov: 2} }, sfnScalar(0), secondOrder},
	}
	problems := []struct {
		name string
		p    hessian.Problem
		x, y float64
	}{
		{"nonSeparable", nonSeparable(), 2, -1.5},
		{"Rosenbrock", testfunc.Rosenbrock().Problem, -1.2, 1},
	}
	for _, pr := range problems {
		for _, mc := range methods {
			t.Run(pr.name+"/"+mc.name, func(t *testing.T) {
				t.Parallel()
				want := mc.run(pr.p, pr.x, pr.y, steps)
				m := mc.m()
				m.Init(2)
				obj := NewObjective(pr.p, 2)
				x, next := []float64{pr.x, pr.y}, make([]float64, 2)
				for k := range steps {
					if _, err := m.Step(next, obj, x, k); err != nil {
						t.Fatalf("step %d: %v", k, err)
					}
					x, next = next, x
					for i := range 2 {
						if !near(x[i], want[k][i], mc.tol) {
							t.Errorf("step %d: x[%d] = %.17g, scalar update rule gives %.17g", k, i, x[i], want[k][i])
						}
					}
				}
			})
		}
	}
}
