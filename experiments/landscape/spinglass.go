package landscape

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// spinGlassStream is the PCG stream of the couplings of a SpinGlass.
const spinGlassStream = 0x73706e67 // "spng"

// MaxCouplings is the largest number of stored couplings NewSpinGlass accepts,
// 2^28 (2 GiB of float64).
const MaxCouplings = 1 << 28

// SpinGlass is one realisation of the spherical p-spin glass (Auffinger, Ben
// Arous & Černý 2013; Choromanska et al. 2015)
//
//	H(σ) = N^(-(p-1)/2) Σ_{i₁,...,i_p} J_{i₁...i_p} σ_{i₁} ... σ_{i_p},   J iid N(0, 1),
//
// on the sphere Σᵢ σᵢ² = N. The sum over ordered index tuples is stored as a
// sum over sorted tuples i₁ <= ... <= i_p, whose coupling is the sum of the
// couplings of its distinct permutations: a Gaussian of variance equal to
// their number, p!/Π(multiplicity!). The polynomial has the same law, and
// storage falls to C(N+p-1, p) ≈ N^p/p! couplings:
//
//	p = 3, N = 100:  171 700 couplings,    1.4 MB
//	p = 3, N = 400:  10 746 800 couplings, 86 MB
//	p = 4, N = 100:  4 421 275 couplings,  35 MB
//	p = 4, N = 150:  21 947 850 couplings, 176 MB
//	p = 4, N = 200:  68 685 050 couplings, 550 MB
//
// so p = 4 is practical up to N of about 150. Func, Grad and HessVec cost
// O(N^p/p!), Hess O(N^p/p!) plus O(N²).
//
// E[H(σ) H(σ')] = N (σ·σ'/N)^p for σ, σ' on the sphere, so the energy per spin
// H/N of any fixed point has mean 0 and variance 1/N.
//
// A SpinGlass is immutable and safe for concurrent use.
type SpinGlass struct {
	n, p  int
	scale float64   // N^(-(p-1)/2)
	j     []float64 // couplings of sorted tuples, lexicographic order
}

// NewSpinGlass returns a p-spin glass on N spins with couplings drawn from the
// PCG generator seeded with seed. It panics if p < 2, n < 1 or the number of
// couplings C(n+p-1, p) exceeds MaxCouplings.
func NewSpinGlass(n, p int, seed uint64) *SpinGlass {
	if p < 2 {
		panic(fmt.Sprintf("landscape: spin glass order p = %d < 2", p))
	}
	if n < 1 {
		panic(fmt.Sprintf("landscape: spin glass size %d < 1", n))
	}
	count := 1.0
	for i := range p {
		count = count * float64(n+i) / float64(i+1)
	}
	if count > MaxCouplings {
		panic(fmt.Sprintf("landscape: spin glass with n = %d, p = %d needs %.4g couplings, more than %d", n, p, count, MaxCouplings))
	}
	s := &SpinGlass{
		n:     n,
		p:     p,
		scale: math.Pow(float64(n), -float64(p-1)/2),
		j:     make([]float64, 0, int(math.Round(count))),
	}
	rnd := rand.New(rand.NewPCG(seed, spinGlassStream))
	factorial := 1.0
	for i := 2; i <= p; i++ {
		factorial *= float64(i)
	}
	s.prefixes(func(t []int) {
		// Multiplicities within the prefix; the last index runs from
		// t[p-2] to n-1 and shares a run only with the prefix's last value.
		perms := factorial
		run := 1
		for a := 1; a < len(t); a++ {
			if t[a] == t[a-1] {
				run++
				perms /= float64(run)
			} else {
				run = 1
			}
		}
		for k := t[len(t)-1]; k < n; k++ {
			pk := perms
			if k == t[len(t)-1] {
				pk /= float64(run + 1)
			}
			s.j = append(s.j, math.Sqrt(pk)*rnd.NormFloat64())
		}
	})
	return s
}

// Dim returns the number of spins N.
func (s *SpinGlass) Dim() int { return s.n }

// Order returns p.
func (s *SpinGlass) Order() int { return s.p }

// Couplings returns the number of stored couplings, C(N+p-1, p).
func (s *SpinGlass) Couplings() int { return len(s.j) }

// prefixes calls fn for every sorted prefix t = (i₁ <= ... <= i_{p-1}) of an
// index tuple, in lexicographic order. fn must not modify t.
func (s *SpinGlass) prefixes(fn func(t []int)) {
	n, q := s.n, s.p-1
	t := make([]int, q)
	for {
		fn(t)
		// Advance t to the next nondecreasing tuple.
		a := q - 1
		for a >= 0 && t[a] == n-1 {
			a--
		}
		if a < 0 {
			return
		}
		t[a]++
		for b := a + 1; b < q; b++ {
			t[b] = t[a]
		}
	}
}

// forEachPrefix calls fn for every sorted prefix t in lexicographic order with
// the couplings row of the tuples (t, k), k = t[p-2], ..., N-1, which are
// stored contiguously.
func (s *SpinGlass) forEachPrefix(fn func(t []int, row []float64)) {
	off := 0
	s.prefixes(func(t []int) {
		l := s.n - t[len(t)-1]
		fn(t, s.j[off:off+l])
		off += l
	})
}

// except returns the product of sig[t[c]] over the prefix slots c other than
// a and b (pass b = -1 to exclude a only).
func except(sig []float64, t []int, a, b int) float64 {
	prod := 1.0
	for c, tc := range t {
		if c != a && c != b {
			prod *= sig[tc]
		}
	}
	return prod
}

// Euclidean returns the homogeneous polynomial H on R^N, not restricted to the
// sphere, with its exact gradient, Hessian-vector product and Hessian. By
// Euler's theorem σ·∇H = p H and ∇²H σ = (p-1) ∇H. The functions are safe for
// concurrent use and panic if a slice does not have length N.
func (s *SpinGlass) Euclidean() hessian.Problem {
	return hessian.Problem{
		Func: s.value,
		Grad: func(grad, x []float64) {
			s.checkLen(len(grad), "gradient")
			s.gradHessVec(grad, nil, x, nil)
		},
		Hess: s.hessEuclid,
		HessVec: func(hv, x, v []float64) {
			s.checkLen(len(hv), "Hessian-vector product")
			s.checkLen(len(v), "vector")
			s.gradHessVec(nil, hv, x, v)
		},
	}
}

func (s *SpinGlass) value(x []float64) float64 {
	s.checkLen(len(x), "point")
	var h float64
	s.forEachPrefix(func(t []int, row []float64) {
		l := t[len(t)-1]
		h += except(x, t, -1, -1) * floats.Dot(row, x[l:])
	})
	return s.scale * h
}

// gradHessVec stores ∇H(x) in grad and ∇²H(x) v in hv; either may be nil.
func (s *SpinGlass) gradHessVec(grad, hv, x, v []float64) {
	s.checkLen(len(x), "point")
	if grad != nil {
		clear(grad)
	}
	if hv != nil {
		clear(hv)
	}
	q := s.p - 1
	s.forEachPrefix(func(t []int, row []float64) {
		l := t[q-1]
		ds := floats.Dot(row, x[l:])
		if grad != nil {
			for a, ta := range t {
				grad[ta] += except(x, t, a, -1) * ds
			}
			floats.AddScaled(grad[l:], except(x, t, -1, -1), row)
		}
		if hv != nil {
			dv := floats.Dot(row, v[l:])
			var coef float64
			for a, ta := range t {
				ea := except(x, t, a, -1)
				// Pair (a, last slot).
				hv[ta] += ea * dv
				coef += ea * v[ta]
				// Pairs (a, b) within the prefix.
				for b := a + 1; b < q; b++ {
					tb := t[b]
					eab := except(x, t, a, b) * ds
					hv[ta] += eab * v[tb]
					hv[tb] += eab * v[ta]
				}
			}
			floats.AddScaled(hv[l:], coef, row)
		}
	})
	if grad != nil {
		floats.Scale(s.scale, grad)
	}
	if hv != nil {
		floats.Scale(s.scale, hv)
	}
}

func (s *SpinGlass) hessEuclid(dst *mat.SymDense, x []float64) {
	s.checkLen(len(x), "point")
	n, q := s.n, s.p-1
	prepareSym(dst, n)
	raw := dst.RawSymmetric()
	for i := range n {
		clear(raw.Data[i*raw.Stride+i : i*raw.Stride+n])
	}
	// Each unordered pair of slots (a, b), a before b, of a sorted tuple adds
	// J times the product of the other slots to A[t_a][t_b], an entry on or
	// above the diagonal; the Hessian is A + Aᵀ.
	s.forEachPrefix(func(t []int, row []float64) {
		l := t[q-1]
		ds := floats.Dot(row, x[l:])
		for a, ta := range t {
			r := raw.Data[ta*raw.Stride : ta*raw.Stride+n]
			floats.AddScaled(r[l:], except(x, t, a, -1), row)
			for b := a + 1; b < q; b++ {
				r[t[b]] += except(x, t, a, b) * ds
			}
		}
	})
	for i := range n {
		r := raw.Data[i*raw.Stride : i*raw.Stride+n]
		r[i] *= 2
		floats.Scale(s.scale, r[i:])
	}
}

// Problem returns the spin glass extended to R^N \ {0} by radial projection,
//
//	g(y) = H(sqrt(N) y/|y|) = N^(p/2) H(y) / |y|^p,
//
// whose critical points are the directions of the critical points of H on the
// sphere, so that unconstrained minimisers and critical-point finders apply.
// With ρ = |y|,
//
//	∇g  = N^(p/2) ρ^-p (∇H - p H y/ρ²)
//	∇²g = N^(p/2) ρ^-p (∇²H - (p/ρ²)(∇H yᵀ + y ∇Hᵀ) - (p H/ρ²) I + p(p+2) H y yᵀ/ρ⁴).
//
// On the sphere ∇g is the Riemannian gradient and the restriction of ∇²g to
// the tangent space is the Riemannian Hessian. Since g is homogeneous of
// degree zero, y·∇g = 0 and ∇²g y = -∇g: at a critical point the radial
// direction y is a null direction of ∇²g, so classify with TangentProblem
// instead. The functions are safe for concurrent use.
func (s *SpinGlass) Problem() hessian.Problem {
	return hessian.Problem{
		Func: func(y []float64) float64 {
			rho2 := floats.Dot(y, y)
			return s.radial(rho2) * s.value(y)
		},
		Grad: func(grad, y []float64) {
			s.checkLen(len(grad), "gradient")
			s.normalizedGrad(grad, y)
		},
		Hess: s.normalizedHess,
		HessVec: func(hv, y, v []float64) {
			s.checkLen(len(hv), "Hessian-vector product")
			s.checkLen(len(v), "vector")
			s.normalizedHessVec(hv, y, v)
		},
	}
}

// radial returns N^(p/2) ρ^-p for ρ² = rho2.
func (s *SpinGlass) radial(rho2 float64) float64 {
	return math.Pow(float64(s.n)/rho2, float64(s.p)/2)
}

func (s *SpinGlass) normalizedGrad(grad, y []float64) {
	s.gradHessVec(grad, nil, y, nil)
	rho2 := floats.Dot(y, y)
	p := float64(s.p)
	h := floats.Dot(y, grad) / p // Euler: y·∇H = p H
	c := s.radial(rho2)
	for i := range grad {
		grad[i] = c * (grad[i] - p*h*y[i]/rho2)
	}
}

func (s *SpinGlass) normalizedHessVec(hv, y, v []float64) {
	g := make([]float64, s.n)
	s.gradHessVec(g, hv, y, v)
	rho2 := floats.Dot(y, y)
	p := float64(s.p)
	h := floats.Dot(y, g) / p
	yv, gv := floats.Dot(y, v), floats.Dot(g, v)
	c := s.radial(rho2)
	for i := range hv {
		hv[i] = c * (hv[i] - p/rho2*(g[i]*yv+y[i]*gv) - p*h/rho2*v[i] + p*(p+2)*h*yv/(rho2*rho2)*y[i])
	}
}

func (s *SpinGlass) normalizedHess(dst *mat.SymDense, y []float64) {
	s.hessEuclid(dst, y)
	g := make([]float64, s.n)
	s.gradHessVec(g, nil, y, nil)
	rho2 := floats.Dot(y, y)
	p := float64(s.p)
	h := floats.Dot(y, g) / p
	c := s.radial(rho2)
	raw := dst.RawSymmetric()
	for i := range s.n {
		r := raw.Data[i*raw.Stride : i*raw.Stride+s.n]
		for j := i; j < s.n; j++ {
			v := r[j] - p/rho2*(g[i]*y[j]+y[i]*g[j]) + p*(p+2)*h/(rho2*rho2)*y[i]*y[j]
			if i == j {
				v -= p * h / rho2
			}
			r[j] = c * v
		}
	}
}

// RiemannianGrad stores in dst the Riemannian gradient of H on the sphere at
// sigma,
//
//	grad_R H = P ∇H,   P = I - σσᵀ/|σ|²,
//
// which is tangent: σ·grad_R H = 0. On the sphere |σ|² = N. It returns dst,
// allocated when nil; dst must not overlap sigma.
func (s *SpinGlass) RiemannianGrad(dst, sigma []float64) []float64 {
	if dst == nil {
		dst = make([]float64, s.n)
	}
	s.checkLen(len(dst), "gradient")
	s.gradHessVec(dst, nil, sigma, nil)
	c := floats.Dot(sigma, dst) / floats.Dot(sigma, sigma)
	floats.AddScaled(dst, -c, sigma)
	return dst
}

// RiemannianHess stores in dst the Riemannian Hessian of H on the sphere at
// sigma, extended by zero in the normal direction (Absil, Mahony & Sepulchre
// 2008, §5.5):
//
//	Hess_R H = P ∇²H P - (σ·∇H / |σ|²) P,   P = I - σσᵀ/|σ|²,
//
// with σ·∇H = p H. It has σ in its kernel; TangentProblem gives the same
// operator on the (N-1)-dimensional tangent space, without that spurious zero
// eigenvalue. An empty dst is allocated.
func (s *SpinGlass) RiemannianHess(dst *mat.SymDense, sigma []float64) {
	n := s.n
	s.hessEuclid(dst, sigma)
	g := make([]float64, n)
	s.gradHessVec(g, nil, sigma, nil)
	rho2 := floats.Dot(sigma, sigma)
	lambda := floats.Dot(sigma, g) / rho2
	// P A P = A - u σᵀ - σ uᵀ + γ σσᵀ with u = Aσ/ρ², γ = σᵀAσ/ρ⁴.
	u := make([]float64, n)
	mat.NewVecDense(n, u).MulVec(dst, mat.NewVecDense(n, sigma))
	floats.Scale(1/rho2, u)
	gamma := floats.Dot(sigma, u) / rho2
	raw := dst.RawSymmetric()
	for i := range n {
		r := raw.Data[i*raw.Stride : i*raw.Stride+n]
		for j := i; j < n; j++ {
			pij := -sigma[i] * sigma[j] / rho2
			if i == j {
				pij++
			}
			r[j] += -u[i]*sigma[j] - sigma[i]*u[j] + gamma*sigma[i]*sigma[j] - lambda*pij
		}
	}
}

// Retract stores in dst the point sqrt(N) y/|y| of the sphere and returns dst,
// allocated when nil. It panics if y is zero.
func (s *SpinGlass) Retract(dst, y []float64) []float64 {
	s.checkLen(len(y), "point")
	if dst == nil {
		dst = make([]float64, s.n)
	}
	s.checkLen(len(dst), "destination")
	norm := floats.Norm(y, 2)
	if norm == 0 {
		panic("landscape: cannot retract the zero vector to the sphere")
	}
	floats.ScaleTo(dst, math.Sqrt(float64(s.n))/norm, y)
	return dst
}

// RandomPoint stores in dst a point drawn uniformly from the sphere |σ|² = N
// and returns dst, allocated when nil.
func (s *SpinGlass) RandomPoint(dst []float64, rnd *rand.Rand) []float64 {
	if dst == nil {
		dst = make([]float64, s.n)
	}
	s.checkLen(len(dst), "destination")
	for {
		for i := range dst {
			dst[i] = rnd.NormFloat64()
		}
		if floats.Norm(dst, 2) > 0 {
			return s.Retract(dst, dst)
		}
	}
}

// TangentProblem returns the spin glass in the chart of dimension N-1 around
// sigma0 built by Chart: its gradient and Hessian at x = 0 are the Riemannian
// gradient and Hessian at sigma0 in the chart's orthonormal tangent basis.
func (s *SpinGlass) TangentProblem(sigma0 []float64) hessian.Problem {
	return s.Chart(sigma0).Problem()
}

func (s *SpinGlass) checkLen(got int, what string) {
	if got != s.n {
		panic(fmt.Sprintf("landscape: %s has length %d, spin glass has %d spins", what, got, s.n))
	}
}

// prepareSym makes dst an n×n matrix: an empty dst is allocated, a dst of
// another size panics.
func prepareSym(dst *mat.SymDense, n int) {
	if dst.IsEmpty() {
		dst.ReuseAsSym(n)
		return
	}
	if dst.SymmetricDim() != n {
		panic(fmt.Sprintf("landscape: Hessian destination is %d×%d, want %d×%d", dst.SymmetricDim(), dst.SymmetricDim(), n, n))
	}
}
