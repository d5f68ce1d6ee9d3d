package hessian_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// chain is an n-dimensional test problem with a dense Hessian,
//
//	f(x) = x^T A x / 2 + sum_i c_i cos(x_i) + sum_{i<n-1} x_i^2 x_{i+1},
//
// with A symmetric with standard normal entries drawn from seed and
// c_i = 1 + i/n. Its Hessian is A - diag(c_i cos x_i) plus 2 x_{i+1} on the
// diagonal and 2 x_i at (i, i+1) from the cubic chain.
type chain struct {
	a *mat.SymDense
	c []float64
}

func newChain(n int, seed uint64) chain {
	rnd := rand.New(rand.NewPCG(seed, 1))
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, rnd.NormFloat64())
		}
	}
	c := make([]float64, n)
	for i := range c {
		c[i] = 1 + float64(i)/float64(n)
	}
	return chain{a: a, c: c}
}

func (ch chain) fn(x []float64) float64 {
	n := len(x)
	xv := mat.NewVecDense(n, x)
	f := 0.5 * mat.Inner(xv, ch.a, xv)
	for i, v := range x {
		f += ch.c[i] * math.Cos(v)
		if i < n-1 {
			f += v * v * x[i+1]
		}
	}
	return f
}

func (ch chain) grad(g, x []float64) {
	n := len(x)
	gv := mat.NewVecDense(n, g)
	gv.MulVec(ch.a, mat.NewVecDense(n, x))
	for i, v := range x {
		g[i] -= ch.c[i] * math.Sin(v)
		if i < n-1 {
			g[i] += 2 * v * x[i+1]
		}
		if i > 0 {
			g[i] += x[i-1] * x[i-1]
		}
	}
}

func (ch chain) hess(h *mat.SymDense, x []float64) {
	n := len(x)
	h.CopySym(ch.a)
	for i, v := range x {
		d := h.At(i, i) - ch.c[i]*math.Cos(v)
		if i < n-1 {
			d += 2 * x[i+1]
			h.SetSym(i, i+1, h.At(i, i+1)+2*v)
		}
		h.SetSym(i, i, d)
	}
}

func (ch chain) hessVec(hv, x, v []float64) {
	n := len(x)
	hvv := mat.NewVecDense(n, hv)
	hvv.MulVec(ch.a, mat.NewVecDense(n, v))
	for i, xi := range x {
		hv[i] -= ch.c[i] * math.Cos(xi) * v[i]
		if i < n-1 {
			hv[i] += 2*x[i+1]*v[i] + 2*xi*v[i+1]
		}
		if i > 0 {
			hv[i] += 2 * x[i-1] * v[i-1]
		}
	}
}

// problem returns the chain with the fields selected by which, a string of
// the letters f, g, h and v for Func, Grad, Hess and HessVec.
func (ch chain) problem(which string) hessian.Problem {
	var p hessian.Problem
	if strings.Contains(which, "f") {
		p.Func = ch.fn
	}
	if strings.Contains(which, "g") {
		p.Grad = ch.grad
	}
	if strings.Contains(which, "h") {
		p.Hess = ch.hess
	}
	if strings.Contains(which, "v") {
		p.HessVec = ch.hessVec
	}
	return p
}

// asymmetricPoint returns a point of length n with distinct coordinates of
// both signs and of magnitudes on both sides of 1.
func asymmetricPoint(n int, seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = (0.3 + 1.7*rnd.Float64()) * float64(1-2*(i%2))
	}
	return x
}

// maxAbsDiff returns max_ij |a_ij - b_ij| and max_ij |b_ij|.
func maxAbsDiff(a, b mat.Matrix) (diff, scale float64) {
	r, c := b.Dims()
	for i := range r {
		for j := range c {
			diff = max(diff, math.Abs(a.At(i, j)-b.At(i, j)))
			scale = max(scale, math.Abs(b.At(i, j)))
		}
	}
	return diff, scale
}

// wantPanic fails t unless call panics with a string starting with prefix.
func wantPanic(t *testing.T, name, prefix string, call func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		s, ok := r.(string)
		if !ok || !strings.HasPrefix(s, prefix) {
			t.Errorf("%s: recovered %#v, want a panic starting with %q", name, r, prefix)
		}
	}()
	call()
}
