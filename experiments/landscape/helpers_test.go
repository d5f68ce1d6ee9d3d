package landscape

import (
	"fmt"
	"math"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// fdStep is the central-difference step relative to max(1, |x_i|). The
// truncation error is O(step²) and the rounding error O(eps/step), both near
// 1e-10 relative for step = 1e-5, well inside fdTol.
const (
	fdStep = 1e-5
	fdTol  = 1e-6
)

// fdGrad returns the central-difference gradient of f at x.
func fdGrad(f func([]float64) float64, x []float64) []float64 {
	g := make([]float64, len(x))
	xx := append([]float64(nil), x...)
	for i := range x {
		h := fdStep * max(1, math.Abs(x[i]))
		xx[i] = x[i] + h
		fp := f(xx)
		xx[i] = x[i] - h
		fm := f(xx)
		xx[i] = x[i]
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

// fdHessVec returns the central difference of the gradient along v,
// (∇f(x + h v) - ∇f(x - h v)) / (2h).
func fdHessVec(grad func(g, x []float64), x, v []float64) []float64 {
	n := len(x)
	var vnorm float64
	for _, vi := range v {
		vnorm = max(vnorm, math.Abs(vi))
	}
	h := fdStep / vnorm
	xp, xm := make([]float64, n), make([]float64, n)
	for i := range x {
		xp[i] = x[i] + h*v[i]
		xm[i] = x[i] - h*v[i]
	}
	gp, gm := make([]float64, n), make([]float64, n)
	grad(gp, xp)
	grad(gm, xm)
	hv := make([]float64, n)
	for i := range hv {
		hv[i] = (gp[i] - gm[i]) / (2 * h)
	}
	return hv
}

// closeVec reports whether ||got - want||∞ <= tol max(1, ||want||∞).
func closeVec(got, want []float64, tol float64) bool {
	var d, s float64
	for i := range want {
		d = max(d, math.Abs(got[i]-want[i]))
		s = max(s, math.Abs(want[i]))
	}
	return d <= tol*max(1, s)
}

// closeSym reports whether the entrywise maximum difference of a and b is at
// most tol times max(1, max |b_ij|).
func closeSym(a, b mat.Symmetric, tol float64) bool {
	n := b.SymmetricDim()
	var d, s float64
	for i := range n {
		for j := i; j < n; j++ {
			d = max(d, math.Abs(a.At(i, j)-b.At(i, j)))
			s = max(s, math.Abs(b.At(i, j)))
		}
	}
	return d <= tol*max(1, s)
}

// checkDerivatives checks Grad against central differences of Func, HessVec
// against central differences of Grad along v, and Hess against the columns
// of HessVec (to rounding) and against central differences of Grad.
func checkDerivatives(t *testing.T, p hessian.Problem, x, v []float64) {
	t.Helper()
	n := len(x)
	g := make([]float64, n)
	p.Grad(g, x)
	if fd := fdGrad(p.Func, x); !closeVec(g, fd, fdTol) {
		t.Errorf("gradient %v, central differences %v", g, fd)
	}
	hv := make([]float64, n)
	p.HessVec(hv, x, v)
	if fd := fdHessVec(p.Grad, x, v); !closeVec(hv, fd, fdTol) {
		t.Errorf("Hessian-vector product %v, central differences %v", hv, fd)
	}
	h := mat.NewSymDense(n, nil)
	p.Hess(h, x)
	hvh := make([]float64, n)
	mat.NewVecDense(n, hvh).MulVec(h, mat.NewVecDense(n, v))
	// Same products summed in another order: rounding only.
	if !closeVec(hvh, hv, 1e-12) {
		t.Errorf("Hess times v %v, HessVec %v", hvh, hv)
	}
	cols := make([][]float64, n)
	e := make([]float64, n)
	for j := range n {
		e[j] = 1
		cols[j] = fdHessVec(p.Grad, x, e)
		e[j] = 0
	}
	fdh := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			fdh.SetSym(i, j, 0.5*(cols[j][i]+cols[i][j]))
		}
	}
	if !closeSym(h, fdh, fdTol) {
		t.Errorf("Hessian differs from central differences of the gradient:\n%v\n%v",
			mat.Formatted(h, mat.Squeeze()), mat.Formatted(fdh, mat.Squeeze()))
	}
}

// moment accumulates the mean of products X·Y of zero-mean quantities and its
// standard error.
type moment struct {
	name       string
	want       float64
	sum, sumSq float64
	count      int
}

func (m *moment) add(v float64) {
	m.sum += v
	m.sumSq += v * v
	m.count++
}

// check fails when the sample mean is more than z standard errors from want.
func (m *moment) check(t *testing.T, z float64) {
	t.Helper()
	k := float64(m.count)
	mean := m.sum / k
	se := math.Sqrt(max(m.sumSq/k-mean*mean, 0) / k)
	if math.Abs(mean-m.want) > z*se {
		t.Errorf("%s: sample mean %.5g, want %.5g (standard error %.3g, %d samples)", m.name, mean, m.want, se, m.count)
	}
}

func (m *moment) String() string {
	return fmt.Sprintf("%s = %.5g", m.name, m.sum/float64(m.count))
}
