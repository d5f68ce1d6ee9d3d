package nn

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/mat"
)

// hessChunkFloats bounds the size of the per-chunk coefficient matrices of
// the Hessian assembly (16 MiB of float64).
const hessChunkFloats = 1 << 21

// hessian stores the exact Hessian of the mean loss at w in h (n×n).
//
// Write ã_l for the input of layer l with a trailing 1 when there are
// biases, δ_l = ∂ℓ/∂z_l, H_l = ∂²ℓ/∂z_l² (the per-sample Hessian with respect
// to the pre-activations), T_ml = ∂z_m/∂z_l and J_ml = ∂ã_m/∂z_l. A weight
// W_l[i,j] enters the loss only through z_l[i], with ∂z_l[i]/∂W_l[i,j] = ã_l[j],
// so the Hessian is made of the blocks
//
//	∂²L/∂W_l[a,b]∂W_l[i,j] = (1/N) Σ_μ H_l[a,i] ã_l[b] ã_l[j],
//	∂²L/∂W_m[a,b]∂W_l[i,j] = (1/N) Σ_μ ((H_m T_ml)[a,i] ã_m[b] + δ_m[a] J_ml[b,i]) ã_l[j],  m > l,
//
// plus λ on the diagonal. The per-sample H_l follow from the exact
// recursion
//
//	H_L = Φ'_L ∇²ℓ Φ'_L + diag(φ″_L ∘ ∇ℓ),
//	H_l = Φ'_l W_{l+1}ᵀ H_{l+1} W_{l+1} Φ'_l + diag(φ″_l ∘ W_{l+1}ᵀ δ_{l+1}),
//
// with Φ' = diag(φ'(z)) (the Gauss–Newton term plus the second-order term;
// Botev, Ritter & Barber 2017 give the same recursion). The sums over
// samples are matrix products: with one row per sample, the diagonal blocks
// are Uᵀ V with U holding the n_l(n_l+1)/2 distinct entries of H_l and V the
// q(q+1)/2 distinct products ã[b]ã[j], and the off-diagonal blocks are
// Kᵀ Ã with K holding the bracket above. The products run through blas64
// Dgemm over chunks of samples in a fixed order; the per-sample rows are
// filled in parallel, each by one goroutine, so the result does not depend
// on GOMAXPROCS.
func (a *arch) hessian(h *mat.SymDense, ws *mlpWork, w []float64, s samples) {
	a.forward(gemm, ws, w, s, 2)
	a.lossSum(ws, s, true)
	a.backward(gemm, ws, w, s)

	nl := len(a.act)
	g := newHessGeom(a)
	rDiag := make([][]float64, nl)
	rOff := make([][][]float64, nl)
	cols := 0
	for l := range nl {
		rDiag[l] = make([]float64, g.triO[l]*g.triQ[l])
		cols += g.q[l] + g.triQ[l] + g.triO[l]
		rOff[l] = make([][]float64, l)
		for k := range l {
			rOff[l][k] = make([]float64, g.kc(l, k)*g.q[k])
			cols += g.kc(l, k)
		}
	}
	budget := hessChunkFloats
	if a.chunkFloats > 0 {
		budget = a.chunkFloats
	}
	chunk := min(max(budget/cols, 1), s.n)
	cb := newChunkBufs(g, chunk)
	workers := min(runtime.GOMAXPROCS(0), chunk)
	scratch := make([]*sampleScratch, workers)
	for i := range scratch {
		scratch[i] = newSampleScratch(g)
	}
	inv := 1 / float64(s.n)
	for c0 := 0; c0 < s.n; c0 += chunk {
		c := min(chunk, s.n-c0)
		var wg sync.WaitGroup
		for k := range workers {
			lo, hi := k*c/workers, (k+1)*c/workers
			wg.Go(func() {
				for r := lo; r < hi; r++ {
					a.fillSample(cb, scratch[k], g, ws, w, s, c0+r, r, inv)
				}
			})
		}
		wg.Wait()
		for l := range nl {
			gemm(blas.Trans, blas.NoTrans, g.triO[l], g.triQ[l], c, 1, cb.u[l], cb.v[l], 1, rDiag[l])
			for k := range l {
				gemm(blas.Trans, blas.NoTrans, g.kc(l, k), g.q[k], c, 1, cb.k[l][k], cb.aug[k], 1, rOff[l][k])
			}
		}
	}
	a.scatter(h, g, rDiag, rOff)
}

// hessGeom holds the sizes of the Hessian blocks of an arch.
type hessGeom struct {
	o, q       []int // outputs and augmented inputs of each layer
	triO, triQ []int // o(o+1)/2 and q(q+1)/2
}

func newHessGeom(a *arch) hessGeom {
	nl := len(a.act)
	g := hessGeom{o: make([]int, nl), q: make([]int, nl), triO: make([]int, nl), triQ: make([]int, nl)}
	for l := range nl {
		g.o[l] = a.sizes[l+1]
		g.q[l] = a.sizes[l]
		if a.bias {
			g.q[l]++
		}
		g.triO[l] = g.o[l] * (g.o[l] + 1) / 2
		g.triQ[l] = g.q[l] * (g.q[l] + 1) / 2
	}
	return g
}

// kc returns the number of columns of K for the block of layers m > l.
func (g hessGeom) kc(m, l int) int { return g.o[m] * g.q[m] * g.o[l] }

// chunkBufs are the per-chunk coefficient matrices, one row per sample.
type chunkBufs struct {
	aug, u, v [][]float64   // ã_l, upper triangle of H_l, products ã[b]ã[j]
	k         [][][]float64 // K of the block m > l
}

func newChunkBufs(g hessGeom, chunk int) *chunkBufs {
	nl := len(g.o)
	cb := &chunkBufs{aug: make([][]float64, nl), u: make([][]float64, nl), v: make([][]float64, nl), k: make([][][]float64, nl)}
	for l := range nl {
		cb.aug[l] = make([]float64, chunk*g.q[l])
		cb.u[l] = make([]float64, chunk*g.triO[l])
		cb.v[l] = make([]float64, chunk*g.triQ[l])
		cb.k[l] = make([][]float64, l)
		for k := range l {
			cb.k[l][k] = make([]float64, chunk*g.kc(l, k))
		}
	}
	return cb
}

// sampleScratch holds the per-sample matrices H_l, T_ml and H_m T_ml.
type sampleScratch struct {
	h   [][]float64   // H_l, o_l×o_l
	t   [][][]float64 // T_ml, o_m×o_l, m > l
	ht  [][][]float64 // H_m T_ml
	tmp []float64
}

func newSampleScratch(g hessGeom) *sampleScratch {
	nl := len(g.o)
	sc := &sampleScratch{h: make([][]float64, nl), t: make([][][]float64, nl), ht: make([][][]float64, nl)}
	width := 0
	for l := range nl {
		sc.h[l] = make([]float64, g.o[l]*g.o[l])
		sc.t[l] = make([][]float64, l)
		sc.ht[l] = make([][]float64, l)
		for k := range l {
			sc.t[l][k] = make([]float64, g.o[l]*g.o[k])
			sc.ht[l][k] = make([]float64, g.o[l]*g.o[k])
		}
		width = max(width, g.o[l])
	}
	sc.tmp = make([]float64, width*width)
	return sc
}

// fillSample writes row r of the chunk buffers for sample mu.
func (a *arch) fillSample(cb *chunkBufs, sc *sampleScratch, g hessGeom, ws *mlpWork, w []float64, s samples, mu, r int, inv float64) {
	nl := len(a.act)
	last := nl - 1

	// H_L = Φ' ∇²ℓ Φ' + diag(φ″ ∘ ∇ℓ).
	o := g.o[last]
	d1 := ws.d1[last][mu*o : (mu+1)*o]
	d2 := ws.d2[last][mu*o : (mu+1)*o]
	gl := ws.g[mu*o : (mu+1)*o]
	hl := sc.h[last]
	switch a.loss {
	case MSE:
		clear(hl)
		for k := range o {
			hl[k*o+k] = d1[k] * d1[k]
		}
	default:
		p := ws.prob[mu*o : (mu+1)*o]
		st := ws.sum[mu]
		for k := range o {
			for j := range o {
				v := -st * p[k] * p[j]
				if j == k {
					v += st * p[k]
				}
				hl[k*o+j] = d1[k] * v * d1[j]
			}
		}
	}
	for k := range o {
		hl[k*o+k] += d2[k] * gl[k]
	}

	// H_l = Φ'_l W_{l+1}ᵀ H_{l+1} W_{l+1} Φ'_l + diag(φ″_l ∘ e_l).
	for l := last - 1; l >= 0; l-- {
		ol, on := g.o[l], g.o[l+1]
		wn := w[a.wOff[l+1] : a.wOff[l+1]+on*ol]
		tmp := sc.tmp[:on*ol]
		smallMul(tmp, sc.h[l+1], wn, on, on, ol)
		hc := sc.h[l]
		clear(hc)
		for b := range on {
			wr := wn[b*ol : (b+1)*ol]
			tr := tmp[b*ol : (b+1)*ol]
			for i, wbi := range wr {
				row := hc[i*ol : (i+1)*ol]
				for j, t := range tr {
					row[j] += wbi * t
				}
			}
		}
		d1 := ws.d1[l][mu*ol : (mu+1)*ol]
		d2 := ws.d2[l][mu*ol : (mu+1)*ol]
		e := ws.e[l][mu*ol : (mu+1)*ol]
		for i := range ol {
			for j := range ol {
				hc[i*ol+j] *= d1[i] * d1[j]
			}
			hc[i*ol+i] += d2[i] * e[i]
		}
	}

	// T_{l+1,l} = W_{l+1} Φ'_l, T_ml = W_m Φ'_{m−1} T_{m−1,l}, and H_m T_ml.
	for m := 1; m < nl; m++ {
		om, op := g.o[m], g.o[m-1]
		wm := w[a.wOff[m] : a.wOff[m]+om*op]
		dp := ws.d1[m-1][mu*op : (mu+1)*op]
		for l := range m {
			t := sc.t[m][l]
			if l == m-1 {
				for i := range om {
					for j := range op {
						t[i*op+j] = wm[i*op+j] * dp[j]
					}
				}
			} else {
				ol := g.o[l]
				tmp := sc.tmp[:om*op]
				for i := range om {
					for j := range op {
						tmp[i*op+j] = wm[i*op+j] * dp[j]
					}
				}
				smallMul(t, tmp, sc.t[m-1][l], om, op, ol)
			}
			smallMul(sc.ht[m][l], sc.h[m], t, om, om, g.o[l])
		}
	}

	// Rows of the chunk buffers.
	for l := range nl {
		q := g.q[l]
		aug := cb.aug[l][r*q : (r+1)*q]
		copy(aug, a.input(ws, s, l)[mu*a.sizes[l]:(mu+1)*a.sizes[l]])
		if a.bias {
			aug[q-1] = 1
		}
		v := cb.v[l][r*g.triQ[l] : (r+1)*g.triQ[l]]
		t := 0
		for b, ab := range aug {
			for _, aj := range aug[b:] {
				v[t] = ab * aj
				t++
			}
		}
		ol := g.o[l]
		u := cb.u[l][r*g.triO[l] : (r+1)*g.triO[l]]
		t = 0
		hl := sc.h[l]
		for i := range ol {
			for _, hv := range hl[i*ol+i : (i+1)*ol] {
				u[t] = inv * hv
				t++
			}
		}
	}
	for m := 1; m < nl; m++ {
		om, qm, in := g.o[m], g.q[m], a.sizes[m]
		aug := cb.aug[m][r*qm : (r+1)*qm]
		dm := ws.delta[m][mu*om : (mu+1)*om]
		for l := range m {
			ol := g.o[l]
			kc := g.kc(m, l)
			k := cb.k[m][l][r*kc : (r+1)*kc]
			ht := sc.ht[m][l]
			// J_ml = ∂ã_m/∂z_l = Φ'_{m−1} T_{m−1,l} (Φ'_l when m−1 = l); zero on the bias entry.
			dp := ws.d1[m-1][mu*in : (mu+1)*in]
			for i := range om {
				hti := ht[i*ol : (i+1)*ol]
				di := inv * dm[i]
				for b, ab := range aug {
					row := k[(i*qm+b)*ol : (i*qm+b+1)*ol]
					ab *= inv
					for j, hv := range hti {
						row[j] = hv * ab
					}
					if b >= in {
						continue
					}
					if m-1 == l {
						row[b] += di * dp[b]
					} else {
						tr := sc.t[m-1][l][b*ol : (b+1)*ol]
						for j, tv := range tr {
							row[j] += di * dp[b] * tv
						}
					}
				}
			}
		}
	}
}

// smallMul stores in dst (m×n) the product of a (m×k) and b (k×n), all
// row-major.
func smallMul(dst, a, b []float64, m, k, n int) {
	clear(dst[:m*n])
	for i := range m {
		row := dst[i*n : (i+1)*n]
		for p, aip := range a[i*k : (i+1)*k] {
			if aip == 0 {
				continue
			}
			for j, bv := range b[p*n : (p+1)*n] {
				row[j] += aip * bv
			}
		}
	}
}

// scatter writes the assembled blocks into h and adds λ to its diagonal.
func (a *arch) scatter(h *mat.SymDense, g hessGeom, rDiag [][]float64, rOff [][][]float64) {
	raw := h.RawSymmetric()
	data, stride := raw.Data, raw.Stride
	set := func(r, c int, v float64) {
		if r > c {
			r, c = c, r
		}
		data[r*stride+c] = v
	}
	// pos[l][i*q+j] is the parameter index of W_l[i,j] (b_l[i] for j = q−1 with biases).
	nl := len(a.act)
	pos := make([][]int, nl)
	for l := range nl {
		in, q := a.sizes[l], g.q[l]
		pos[l] = make([]int, g.o[l]*q)
		for i := range g.o[l] {
			for j := range q {
				if j < in {
					pos[l][i*q+j] = a.wOff[l] + i*in + j
				} else {
					pos[l][i*q+j] = a.bOff[l] + i
				}
			}
		}
	}
	for l := range nl {
		o, q, tq := g.o[l], g.q[l], g.triQ[l]
		p := pos[l]
		ta := 0
		for ai := range o {
			for i := ai; i < o; i++ {
				row := rDiag[l][ta*tq : (ta+1)*tq]
				tb := 0
				for b := range q {
					for j := b; j < q; j++ {
						v := row[tb]
						tb++
						set(p[ai*q+b], p[i*q+j], v)
						set(p[ai*q+j], p[i*q+b], v)
					}
				}
				ta++
			}
		}
		for k := range l {
			ok, qk, qm := g.o[k], g.q[k], g.q[l]
			r := rOff[l][k]
			pk := pos[k]
			for ai := range o {
				for b := range qm {
					col := p[ai*qm+b]
					for i := range ok {
						src := r[((ai*qm+b)*ok+i)*qk : ((ai*qm+b)*ok+i+1)*qk]
						for j, v := range src {
							set(pk[i*qk+j], col, v)
						}
					}
				}
			}
		}
	}
	if a.l2 != 0 {
		for i := range a.n {
			data[i*stride+i] += a.l2
		}
	}
}
