package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// refLinearProblem is the deep linear network's objective as linear.go
// computed it before its passes drew their buffers from a pool: every
// product a fresh mat.Dense. TestLinearReference checks that the pooled
// passes give the same bits, which the committed results of the
// deep-linear and autoencoder experiments depend on.
func refLinearProblem(a *linArch, st *linStats) hessian.Problem {
	c := a.scale(st.n)
	return hessian.Problem{
		Func: func(w []float64) float64 {
			a.checkParams(w)
			wp := refPrefix(a, w)[len(a.off)]
			var r mat.Dense
			r.Mul(st.r11, wp.T())
			r.Sub(st.r12, &r)
			f := mat.Norm(&r, 2)
			return c * (f*f + st.r22sq)
		},
		Grad: func(grad, w []float64) {
			a.checkParams(w)
			a.checkParams(grad)
			q, p := refPrefix(a, w), refSuffix(a, w)
			e := refResidual(q[len(a.off)], st)
			for l := range a.off {
				var eq mat.Dense
				eq.Mul(e, q[l].T())
				dst := a.layer(grad, l)
				dst.Mul(p[l].T(), &eq)
				dst.Scale(2*c, dst)
			}
		},
		HessVec: func(hv, w, v []float64) {
			a.checkParams(w)
			a.checkParams(v)
			a.checkParams(hv)
			refHessVec(a, hv, w, v, st, c)
		},
		Hess: func(h *mat.SymDense, w []float64) {
			a.checkParams(w)
			hessianDst(h, a.n)
			refHessian(a, h, w, st, c)
		},
	}
}

func refIdentity(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}

func refPrefix(a *linArch, w []float64) []*mat.Dense {
	nl := len(a.off)
	q := make([]*mat.Dense, nl+1)
	q[0] = refIdentity(a.sizes[0])
	for l := range nl {
		q[l+1] = new(mat.Dense)
		q[l+1].Mul(a.layer(w, l), q[l])
	}
	return q
}

func refSuffix(a *linArch, w []float64) []*mat.Dense {
	nl := len(a.off)
	p := make([]*mat.Dense, nl)
	p[nl-1] = refIdentity(a.sizes[nl])
	for l := nl - 2; l >= 0; l-- {
		p[l] = new(mat.Dense)
		p[l].Mul(p[l+1], a.layer(w, l+1))
	}
	return p
}

func refResidual(w *mat.Dense, st *linStats) *mat.Dense {
	var e mat.Dense
	e.Mul(w, st.sxx)
	e.Sub(&e, st.syx)
	return &e
}

func refHessVec(a *linArch, hv, w, v []float64, st *linStats, c float64) {
	nl := len(a.off)
	q, p := refPrefix(a, w), refSuffix(a, w)
	qd := make([]*mat.Dense, nl+1)
	qd[0] = mat.NewDense(a.sizes[0], a.sizes[0], nil)
	for l := range nl {
		var t mat.Dense
		t.Mul(a.layer(v, l), q[l])
		qd[l+1] = new(mat.Dense)
		qd[l+1].Mul(a.layer(w, l), qd[l])
		qd[l+1].Add(qd[l+1], &t)
	}
	pd := make([]*mat.Dense, nl)
	pd[nl-1] = mat.NewDense(a.sizes[nl], a.sizes[nl], nil)
	for l := nl - 2; l >= 0; l-- {
		var t mat.Dense
		t.Mul(p[l+1], a.layer(v, l+1))
		pd[l] = new(mat.Dense)
		pd[l].Mul(pd[l+1], a.layer(w, l+1))
		pd[l].Add(pd[l], &t)
	}
	e := refResidual(q[nl], st)
	var ed mat.Dense
	ed.Mul(qd[nl], st.sxx)
	for l := range nl {
		var eq, edq, eqd, sum, t mat.Dense
		eq.Mul(e, q[l].T())
		edq.Mul(&ed, q[l].T())
		eqd.Mul(e, qd[l].T())
		sum.Mul(pd[l].T(), &eq)
		t.Add(&edq, &eqd)
		dst := a.layer(hv, l)
		dst.Mul(p[l].T(), &t)
		dst.Add(dst, &sum)
		dst.Scale(2*c, dst)
	}
}

func refHessian(a *linArch, h *mat.SymDense, w []float64, st *linStats, c float64) {
	nl := len(a.off)
	q, p := refPrefix(a, w), refSuffix(a, w)
	e := refResidual(q[nl], st)
	for l := range nl {
		var qs mat.Dense
		qs.Mul(q[l], st.sxx)
		m := refIdentity(a.sizes[l+1])
		for k := l; k < nl; k++ {
			var g1, g2, f mat.Dense
			g1.Mul(p[l].T(), p[k])
			g2.Mul(&qs, q[k].T())
			if k > l {
				var eq mat.Dense
				eq.Mul(e, q[l].T())
				f.Mul(p[k].T(), &eq)
			}
			il, jl := a.sizes[l+1], a.sizes[l]
			ak, bk := a.sizes[k+1], a.sizes[k]
			for i := range il {
				for j := range jl {
					r := a.off[l] + i*jl + j
					for ai := range ak {
						g1ia := g1.At(i, ai)
						for b := range bk {
							col := a.off[k] + ai*bk + b
							if col < r {
								continue
							}
							v := g1ia * g2.At(j, b)
							if k > l {
								v += m.At(b, i) * f.At(ai, j)
							}
							h.SetSym(r, col, 2*c*v)
						}
					}
				}
			}
			if k > l {
				var next mat.Dense
				next.Mul(a.layer(w, k), m)
				m = &next
			}
		}
	}
}

// TestLinearReference checks that the pooled passes of a LinearNet give
// the same bits as refLinearProblem, the allocating computation they
// replaced, for Func, Grad, HessVec and Hess: over networks of depth 1 to
// 4, each Norm, LinearNet and LinearAutoencoder, the whole data set and a
// batch with a repeated index, and a network wide enough (130 units) that
// gonum's Dgemm would compute its products in parallel tiles.
func TestLinearReference(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sizes       []int
		n           int
		autoencoder bool
		hess        bool
	}{
		{sizes: []int{3, 2}, n: 9, hess: true},
		{sizes: []int{4, 3, 2}, n: 9, hess: true},
		{sizes: []int{3, 4, 2, 3}, n: 7, hess: true},
		{sizes: []int{2, 3, 3, 2, 4}, n: 11, hess: true},
		{sizes: []int{8, 8, 8, 8, 8}, n: 8, hess: true},
		{sizes: []int{16, 4, 16}, n: 40, autoencoder: true, hess: true},
		{sizes: []int{5, 3, 6, 5}, n: 12, autoencoder: true, hess: true},
		{sizes: []int{129, 130, 140, 128}, n: 50},
		{sizes: []int{130, 70, 130}, n: 30, autoencoder: true},
	}
	for i, tc := range cases {
		for _, norm := range []Norm{HalfMean, HalfSum, EntryMean} {
			name := fmt.Sprintf("%v/%v", tc.sizes, norm)
			if tc.autoencoder {
				name += "/autoencoder"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(11, uint64(i)))
				d := DeepLinear{Sizes: tc.sizes, Norm: norm}
				x := gaussianDense(tc.n, tc.sizes[0], rng)
				var net *LinearNet
				if tc.autoencoder {
					net = NewLinearAutoencoder(d, x)
				} else {
					net = NewLinearNet(d, x, gaussianDense(tc.n, tc.sizes[len(tc.sizes)-1], rng))
				}
				in, out := tc.sizes[0], tc.sizes[len(tc.sizes)-1]
				idx := []int{3, 0, tc.n - 1, 3, 5}
				for _, p := range []struct {
					name      string
					got, want hessian.Problem
				}{
					{"Problem", net.Problem(), refLinearProblem(&net.arch, net.stats)},
					{"Batch", net.Batch(idx), refLinearProblem(&net.arch, newLinStats(net.data.gather(idx, in, out), in, out))},
				} {
					for range 2 { // the second time with buffers from the pool
						w := randomPoint(net.NumParams(), 0.7, rng)
						v := randomPoint(net.NumParams(), 1, rng)
						checkLinearBits(t, p.name, p.got, p.want, w, v, tc.hess)
					}
				}
			})
		}
	}
}

// checkLinearBits reports where got and want differ in a single bit at w
// (and along v for HessVec). Hess is compared when hess is set, into
// destinations prefilled with NaN so that an entry left unwritten shows.
func checkLinearBits(t *testing.T, name string, got, want hessian.Problem, w, v []float64, hess bool) {
	t.Helper()
	same := func(what string, g, h []float64) {
		t.Helper()
		for i := range g {
			if math.Float64bits(g[i]) != math.Float64bits(h[i]) {
				t.Errorf("%s %s[%d] = %v, reference %v", name, what, i, g[i], h[i])
				return
			}
		}
	}
	if fg, fw := got.Func(w), want.Func(w); math.Float64bits(fg) != math.Float64bits(fw) {
		t.Errorf("%s Func = %v, reference %v", name, fg, fw)
	}
	n := len(w)
	g, h := make([]float64, n), make([]float64, n)
	got.Grad(g, w)
	want.Grad(h, w)
	same("Grad", g, h)
	got.HessVec(g, w, v)
	want.HessVec(h, w, v)
	same("HessVec", g, h)
	if !hess {
		return
	}
	hg, hw := mat.NewSymDense(n, nil), mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			hg.SetSym(i, j, math.NaN())
			hw.SetSym(i, j, math.NaN())
		}
	}
	got.Hess(hg, w)
	want.Hess(hw, w)
	for i := range n {
		same(fmt.Sprintf("Hess row %d", i), hg.RawSymmetric().Data[i*n+i:(i+1)*n], hw.RawSymmetric().Data[i*n+i:(i+1)*n])
	}
}
