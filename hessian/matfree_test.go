package hessian_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Test matrices of the matrix-free methods: A = Q diag(d) Q^T with a known
// spectrum d and a random orthogonal Q, the Q factor of the QR factorisation
// of a matrix of independent standard normal entries (Haar distributed up to
// column signs). Q costs O(n^3), so it is made once per dimension.

var mfOrthoCache sync.Map // int -> func() *mat.Dense

// mfOrthogonal returns the random orthogonal n×n matrix of the tests.
func mfOrthogonal(n int) *mat.Dense {
	f, _ := mfOrthoCache.LoadOrStore(n, sync.OnceValue(func() *mat.Dense {
		rnd := rand.New(rand.NewPCG(uint64(n), 2014))
		g := mat.NewDense(n, n, nil)
		for i := range n {
			for j := range n {
				g.Set(i, j, rnd.NormFloat64())
			}
		}
		var qr mat.QR
		qr.Factorize(g)
		var q mat.Dense
		qr.QTo(&q)
		return &q
	}))
	return f.(func() *mat.Dense)()
}

// mfMatrix is the symmetric matrix Q diag(eigs) Q^T.
type mfMatrix struct {
	name string
	eigs []float64 // ascending
	q    *mat.Dense
}

func newMFMatrix(name string, eigs []float64) mfMatrix {
	eigs = slices.Clone(eigs)
	slices.Sort(eigs)
	return mfMatrix{name: name, eigs: eigs, q: mfOrthogonal(len(eigs))}
}

// op returns A as an operator applied in factored form, Q (d ∘ (Q^T v)): the
// same product as the dense matrix at twice the cost of a dense product, and
// without the O(n^3) cost of forming A. It allocates per call, so it is safe
// for concurrent use.
func (m mfMatrix) op() hessian.Operator {
	n := len(m.eigs)
	q := m.q.RawMatrix()
	return hessian.Operator{
		Dim: n,
		Apply: func(dst, v []float64) {
			t := make([]float64, n)
			tv := blas64.Vector{N: n, Inc: 1, Data: t}
			blas64.Gemv(blas.Trans, 1, q, blas64.Vector{N: n, Inc: 1, Data: v}, 0, tv)
			for i, d := range m.eigs {
				t[i] *= d
			}
			blas64.Gemv(blas.NoTrans, 1, q, tv, 0, blas64.Vector{N: n, Inc: 1, Data: dst})
		},
	}
}

// dense returns A formed explicitly.
func (m mfMatrix) dense() *mat.SymDense {
	n := len(m.eigs)
	var qd, a mat.Dense
	qd.Apply(func(_, j int, v float64) float64 { return v * m.eigs[j] }, m.q)
	a.Mul(&qd, m.q.T())
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, a.At(i, j))
		}
	}
	return s
}

func (m mfMatrix) norm() float64 { return max(-m.eigs[0], m.eigs[len(m.eigs)-1]) }

func (m mfMatrix) trace() float64 { return floats.Sum(m.eigs) }

// count returns the number of eigenvalues below x.
func (m mfMatrix) count(x float64) int {
	i, _ := slices.BinarySearch(m.eigs, x)
	return i
}

// The spectra of the tests, each of n values.

// mfExtremes is a uniform bulk in [-1, 1] with six well-separated outliers.
func mfExtremes(n int) []float64 {
	d := make([]float64, n-6)
	floats.Span(d, -1, 1)
	return append(d, -8, -5, 4, 6, 9, 12)
}

// mfIndefinite is the semicircle law of radius 2 shifted by 0.5, as the
// spectrum of a GOE matrix at a saddle: the quantiles F^{-1}((i+1/2)/n) with
// F(x) = 1/2 + x sqrt(4-x^2)/(4π) + asin(x/2)/π (REFERENCES: random matrices).
// The fraction below zero is F(-0.5) = 0.3425.
func mfIndefinite(n int) []float64 {
	d := make([]float64, n)
	for i := range d {
		d[i] = 0.5 + mfSemicircleQuantile((float64(i)+0.5)/float64(n))
	}
	return d
}

func mfSemicircleCDF(x float64) float64 {
	return 0.5 + x*math.Sqrt(4-x*x)/(4*math.Pi) + math.Asin(x/2)/math.Pi
}

func mfSemicircleQuantile(p float64) float64 {
	lo, hi := -2.0, 2.0
	for range 100 {
		mid := 0.5 * (lo + hi)
		if mfSemicircleCDF(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}

// mfLowRank has rank 20: twelve positive eigenvalues 3..14, eight negative
// ones -2..-5.5, and n-20 exact zeros.
func mfLowRank(n int) []float64 {
	d := make([]float64, n)
	for i := range 12 {
		d[i] = 3 + float64(i)
	}
	for i := range 8 {
		d[12+i] = -2 - 0.5*float64(i)
	}
	return d
}

// mfClustered has three clusters of width 0.1 at -2, 1 and 4 holding all but
// 24 eigenvalues, and two tight clusters of twelve at the ends: 8 + 0.001 i
// and -6 - 0.001 i.
func mfClustered(n int) []float64 {
	d := make([]float64, 0, n)
	for i := range 12 {
		d = append(d, 8+1e-3*float64(i), -6-1e-3*float64(i))
	}
	bulk := n - 24
	for c, centre := range []float64{-2, 1, 4} {
		size := bulk / 3
		if c == 2 {
			size = bulk - 2*(bulk/3)
		}
		cl := make([]float64, size)
		floats.Span(cl, centre-0.05, centre+0.05)
		d = append(d, cl...)
	}
	return d
}

// mfLowRankDominated has ten large eigenvalues 20, 40, ..., 200 and a small
// bulk in [0, 0.5]: most of its Frobenius norm is in a rank-10 part, the case
// of Hutch++.
func mfLowRankDominated(n int) []float64 {
	d := make([]float64, n)
	floats.Span(d[10:], 0, 0.5)
	for i := range 10 {
		d[i] = 20 * float64(i+1)
	}
	return d
}

// mfQuartic is f(x) = Σ_i (x_i^4/4 - x_i^2) + c Σ_i x_i x_{i+1}, c = 0.3, with
// gradient x_i^3 - 2 x_i + c (x_{i-1} + x_{i+1}) and Hessian
// diag(3 x_i^2 - 2) + c (sub- and superdiagonal).
func mfQuartic() hessian.Problem {
	const c = 0.3
	return hessian.Problem{
		Func: func(x []float64) float64 {
			var f float64
			for i, xi := range x {
				f += xi*xi*xi*xi/4 - xi*xi
				if i+1 < len(x) {
					f += c * xi * x[i+1]
				}
			}
			return f
		},
		Grad: func(g, x []float64) {
			for i, xi := range x {
				g[i] = xi*xi*xi - 2*xi
				if i > 0 {
					g[i] += c * x[i-1]
				}
				if i+1 < len(x) {
					g[i] += c * x[i+1]
				}
			}
		},
		HessVec: func(hv, x, v []float64) {
			for i, xi := range x {
				hv[i] = (3*xi*xi - 2) * v[i]
				if i > 0 {
					hv[i] += c * v[i-1]
				}
				if i+1 < len(x) {
					hv[i] += c * v[i+1]
				}
			}
		},
	}
}

func TestQuarticHessVecFiniteDiff(t *testing.T) {
	t.Parallel()
	// An asymmetric point: every coordinate differs.
	x := []float64{0.3, -1.2, 0.7, 2.1, -0.4, 1.5}
	v := []float64{1, -0.5, 0.25, 2, -1, 0.3}
	p := mfQuartic()
	n := len(x)
	hv := make([]float64, n)
	p.HessVec(hv, x, v)
	// Central difference of the gradient along v: error O(h^2 ||∇^4 f||),
	// here about 1e-10 with h = 1e-5, plus rounding 1e-16/h.
	const h = 1e-5
	xp, xm := make([]float64, n), make([]float64, n)
	floats.AddScaledTo(xp, x, h, v)
	floats.AddScaledTo(xm, x, -h, v)
	gp, gm := make([]float64, n), make([]float64, n)
	p.Grad(gp, xp)
	p.Grad(gm, xm)
	for i := range n {
		fd := (gp[i] - gm[i]) / (2 * h)
		if math.Abs(fd-hv[i]) > 1e-8*(1+math.Abs(hv[i])) {
			t.Errorf("HessVec[%d] = %v, central difference of the gradient %v", i, hv[i], fd)
		}
	}
	// And the gradient against central differences of f.
	g := make([]float64, n)
	p.Grad(g, x)
	for i := range n {
		copy(xp, x)
		copy(xm, x)
		xp[i] += h
		xm[i] -= h
		fd := (p.Func(xp) - p.Func(xm)) / (2 * h)
		if math.Abs(fd-g[i]) > 1e-8*(1+math.Abs(g[i])) {
			t.Errorf("Grad[%d] = %v, central difference of f %v", i, g[i], fd)
		}
	}
}

func TestOperatorAt(t *testing.T) {
	t.Parallel()
	p := mfQuartic()
	x := []float64{0.3, -1.2, 0.7, 2.1, -0.4, 1.5}
	n := len(x)
	var h mat.SymDense
	if err := hessian.Exact(&h, p, x); err != nil {
		t.Fatal(err)
	}
	op := hessian.OperatorAt(p, x)
	if op.Dim != n {
		t.Fatalf("Dim = %d, want %d", op.Dim, n)
	}
	x[0] = 100 // the operator holds its own copy of x
	for j := range n {
		e := make([]float64, n)
		e[j] = 1
		col := make([]float64, n)
		op.Apply(col, e)
		for i := range n {
			if col[i] != h.At(i, j) {
				t.Errorf("OperatorAt column %d row %d = %v, Exact %v", j, i, col[i], h.At(i, j))
			}
		}
	}

	// The Hessian at x is indefinite; Lanczos on the operator finds the
	// same extreme eigenvalues as the dense eigensolver.
	vals, err := hessian.Eigenvalues(&h)
	if err != nil {
		t.Fatal(err)
	}
	res, err := hessian.Lanczos(op, 2, hessian.Smallest, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range res.Values {
		if math.Abs(v-vals[i]) > 1e-10*math.Abs(vals[i]) {
			t.Errorf("Lanczos smallest[%d] = %v, dense %v", i, v, vals[i])
		}
	}

	defer func() {
		if recover() == nil {
			t.Error("OperatorAt without HessVec did not panic")
		}
	}()
	hessian.OperatorAt(hessian.Problem{Func: p.Func}, x)
}

func TestSymOperator(t *testing.T) {
	t.Parallel()
	m := newMFMatrix("extremes", mfExtremes(40))
	a := m.dense()
	ops := []struct {
		name string
		op   hessian.Operator
	}{
		{"SymOperator", hessian.SymOperator(a)},
		{"factored", m.op()},
	}
	v := make([]float64, 40)
	for i := range v {
		v[i] = math.Sin(float64(i) + 0.5)
	}
	var want mat.VecDense
	want.MulVec(a, mat.NewVecDense(40, v))
	for _, tc := range ops {
		got := make([]float64, 40)
		tc.op.Apply(got, v)
		for i := range got {
			if math.Abs(got[i]-want.AtVec(i)) > 1e-13*m.norm() {
				t.Errorf("%s: (Av)[%d] = %v, want %v", tc.name, i, got[i], want.AtVec(i))
			}
		}
	}
}

func TestMatFreeMisuse(t *testing.T) {
	t.Parallel()
	diag := hessian.Operator{Dim: 3, Apply: func(dst, v []float64) { copy(dst, v) }}
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"nil Apply", func() { hessian.Lanczos(hessian.Operator{Dim: 3}, 1, hessian.Largest, nil) }},
		{"negative Dim", func() { hessian.Hutchinson(hessian.Operator{Dim: -1, Apply: diag.Apply}, nil) }},
		{"k = 0", func() { hessian.Lanczos(diag, 0, hessian.Largest, nil) }},
		{"k > n", func() { hessian.Lanczos(diag, 4, hessian.Largest, nil) }},
		{"unknown Which", func() { hessian.Lanczos(diag, 1, hessian.Which(7), nil) }},
		{"negative Tol", func() { hessian.Lanczos(diag, 1, hessian.Largest, &hessian.LanczosSettings{Tol: -1}) }},
		{"subspace <= k", func() {
			big := hessian.Operator{Dim: 10, Apply: diag.Apply}
			hessian.Lanczos(big, 3, hessian.Largest, &hessian.LanczosSettings{SubspaceSize: 3})
		}},
		{"MaxIterations < k", func() { hessian.Lanczos(diag, 2, hessian.Largest, &hessian.LanczosSettings{MaxIterations: 1}) }},
		{"Start length", func() {
			hessian.Lanczos(diag, 1, hessian.Largest, &hessian.LanczosSettings{Start: []float64{1}})
		}},
		{"Hutchinson 1 probe", func() { hessian.Hutchinson(diag, &hessian.TraceSettings{Probes: 1}) }},
		{"Hutch++ 3 probes", func() { hessian.HutchPlusPlus(diag, &hessian.TraceSettings{Probes: 3}) }},
		{"negative Workers", func() { hessian.Hutchinson(diag, &hessian.TraceSettings{Workers: -1}) }},
		{"SLQ negative steps", func() { hessian.SLQ(diag, &hessian.SLQSettings{Steps: -1}) }},
		{"SLQ one grid point", func() { hessian.SLQ(diag, &hessian.SLQSettings{GridPoints: 1}) }},
		{"SLQ negative Sigma", func() { hessian.SLQ(diag, &hessian.SLQSettings{Sigma: -1}) }},
		{"SLQ NaN Tol", func() { hessian.SLQ(diag, &hessian.SLQSettings{Tol: math.NaN()}) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

func TestMatFreeErrors(t *testing.T) {
	t.Parallel()
	zero := hessian.Operator{Dim: 0, Apply: func(dst, v []float64) {}}
	if _, err := hessian.Lanczos(zero, 1, hessian.Largest, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("Lanczos on dimension 0: error %v, want ErrZeroDim", err)
	}
	if _, err := hessian.Hutchinson(zero, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("Hutchinson on dimension 0: error %v, want ErrZeroDim", err)
	}
	if _, err := hessian.HutchPlusPlus(zero, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("HutchPlusPlus on dimension 0: error %v, want ErrZeroDim", err)
	}
	if _, err := hessian.SLQ(zero, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("SLQ on dimension 0: error %v, want ErrZeroDim", err)
	}

	// An operator that returns NaN from its third call on.
	nanAfter := func() hessian.Operator {
		var mu sync.Mutex
		calls := 0
		return hessian.Operator{Dim: 8, Apply: func(dst, v []float64) {
			mu.Lock()
			calls++
			c := calls
			mu.Unlock()
			for i := range dst {
				dst[i] = float64(i+1) * v[i]
			}
			if c >= 3 {
				dst[5] = math.NaN()
			}
		}}
	}
	if _, err := hessian.Lanczos(nanAfter(), 2, hessian.Largest, nil); err == nil {
		t.Error("Lanczos: no error for a NaN operator output")
	}
	if _, err := hessian.Hutchinson(nanAfter(), nil); err == nil {
		t.Error("Hutchinson: no error for a NaN operator output")
	}
	if _, err := hessian.HutchPlusPlus(nanAfter(), nil); err == nil {
		t.Error("HutchPlusPlus: no error for a NaN operator output")
	}
	if _, err := hessian.SLQ(nanAfter(), nil); err == nil {
		t.Error("SLQ: no error for a NaN operator output")
	}
	id := hessian.Operator{Dim: 3, Apply: func(dst, v []float64) { copy(dst, v) }}
	if _, err := hessian.Lanczos(id, 1, hessian.Largest, &hessian.LanczosSettings{Start: make([]float64, 3)}); err == nil {
		t.Error("Lanczos: no error for a zero start vector")
	}
}

// mfDiagPlusLowRank returns the operator D + U S U^T of the benchmarks, a cheap
// Hessian-like operator: a bulk D = diag(linspace(-0.5, 1)) and twelve
// outlying directions, U with independent N(0, 1/n) entries and
// S = (20, 15, 10, 8, 6, 5, 4, -3, 2.5, 2, -1.8, 1.5). A product costs 25n
// flops.
func mfDiagPlusLowRank(n int) hessian.Operator {
	s := []float64{20, 15, 10, 8, 6, 5, 4, -3, 2.5, 2, -1.8, 1.5}
	r := len(s)
	d := make([]float64, n)
	floats.Span(d, -0.5, 1)
	rnd := rand.New(rand.NewPCG(uint64(n), 2019))
	u := make([]float64, n*r) // row i of U at u[i*r:(i+1)*r]
	for i := range u {
		u[i] = rnd.NormFloat64() / math.Sqrt(float64(n))
	}
	um := blas64.General{Rows: n, Cols: r, Stride: r, Data: u}
	return hessian.Operator{Dim: n, Apply: func(dst, v []float64) {
		c := make([]float64, r)
		cv := blas64.Vector{N: r, Inc: 1, Data: c}
		blas64.Gemv(blas.Trans, 1, um, blas64.Vector{N: n, Inc: 1, Data: v}, 0, cv)
		for i := range c {
			c[i] *= s[i]
		}
		for i := range dst {
			dst[i] = d[i] * v[i]
		}
		blas64.Gemv(blas.NoTrans, 1, um, cv, 1, blas64.Vector{N: n, Inc: 1, Data: dst})
	}}
}
