package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// fdStep is the step of the central differences in these tests: their
// truncation error is O(h²) ≈ 1e-10 and their rounding error O(ε/h) ≈ 1e-11,
// both well below the 1e-6 relative tolerance of the checks.
const fdStep = 1e-5

// fdTol is the relative tolerance of the finite-difference checks.
const fdTol = 1e-6

// fdGrad returns the central difference of f at x.
func fdGrad(f func([]float64) float64, x []float64) []float64 {
	g := make([]float64, len(x))
	y := append([]float64(nil), x...)
	for i := range x {
		y[i] = x[i] + fdStep
		fp := f(y)
		y[i] = x[i] - fdStep
		fm := f(y)
		y[i] = x[i]
		g[i] = (fp - fm) / (2 * fdStep)
	}
	return g
}

// fdHessVec returns the central difference of the gradient along v.
func fdHessVec(grad func(g, x []float64), x, v []float64) []float64 {
	n := len(x)
	xp, xm := make([]float64, n), make([]float64, n)
	floats.AddScaledTo(xp, x, fdStep, v)
	floats.AddScaledTo(xm, x, -fdStep, v)
	gp, gm := make([]float64, n), make([]float64, n)
	grad(gp, xp)
	grad(gm, xm)
	hv := make([]float64, n)
	for i := range hv {
		hv[i] = (gp[i] - gm[i]) / (2 * fdStep)
	}
	return hv
}

// relErr returns ‖got − want‖ / max(‖want‖, 1e-300).
func relErr(got, want []float64) float64 {
	return floats.Distance(got, want, 2) / math.Max(floats.Norm(want, 2), 1e-300)
}

// checkProblem checks the gradient, Hessian-vector product and Hessian of p
// at x against central differences, HVP against Hess·v, and the symmetry
// of Hess.
func checkProblem(t *testing.T, p hessian.Problem, x []float64, rng *rand.Rand) {
	t.Helper()
	n := len(x)
	g := make([]float64, n)
	p.Grad(g, x)
	if e := relErr(g, fdGrad(p.Func, x)); e > fdTol {
		t.Errorf("gradient: relative error %.3g against central differences", e)
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	hv := make([]float64, n)
	p.HessVec(hv, x, v)
	if e := relErr(hv, fdHessVec(p.Grad, x, v)); e > fdTol {
		t.Errorf("HessVec: relative error %.3g against central differences", e)
	}
	var h mat.SymDense
	p.Hess(&h, x)
	var hfd mat.Dense
	hfd.ReuseAs(n, n)
	e := make([]float64, n)
	for j := range n {
		e[j] = 1
		hfd.SetCol(j, fdHessVec(p.Grad, x, e))
		e[j] = 0
	}
	if d := relErr(denseData(&h), hfd.RawMatrix().Data); d > fdTol {
		t.Errorf("Hess: relative error %.3g against central differences", d)
	}
	hvh := mat.NewVecDense(n, nil)
	hvh.MulVec(&h, mat.NewVecDense(n, v))
	if d := relErr(hv, hvh.RawVector().Data); d > 1e-12 {
		t.Errorf("HessVec differs from Hess·v: relative error %.3g", d)
	}
	// The matrix of HVPs with the unit vectors is symmetric and equals Hess.
	cols := mat.NewDense(n, n, nil)
	col := make([]float64, n)
	for j := range n {
		e[j] = 1
		p.HessVec(col, x, e)
		e[j] = 0
		cols.SetCol(j, col)
	}
	if d := relErr(cols.RawMatrix().Data, mat.DenseCopyOf(cols.T()).RawMatrix().Data); d > 1e-12 {
		t.Errorf("HVP matrix not symmetric: relative asymmetry %.3g", d)
	}
	if d := relErr(cols.RawMatrix().Data, denseData(&h)); d > 1e-12 {
		t.Errorf("HVP matrix differs from Hess: relative error %.3g", d)
	}
}

// denseData returns the n×n entries of the symmetric h, row-major.
func denseData(h *mat.SymDense) []float64 {
	n := h.SymmetricDim()
	d := make([]float64, n*n)
	for i := range n {
		for j := range n {
			d[i*n+j] = h.At(i, j)
		}
	}
	return d
}
