package landscape

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// DefaultFeatures is the number of random Fourier features used by
// NewRandomField when features <= 0.
//
// The covariance of the field is exact for any number of features; what M
// controls is how Gaussian one realisation is. Given the features, the Hessian
// at a point is a sum of M random rank-one terms, whose spectrum tends to the
// semicircle as M/N grows: its normalised fourth spectral cumulant
// m4/m2² - 2 is about 4.5 N/M (E[(a cos θ)^4]/E[(a cos θ)^2]^2 = 4.5).
// Measured over six fields at N = 100 the excess is 0.51, 0.25, 0.11, 0.052
// and 0.029 for M = 1024, 2048, 4096, 8192 and 16384 (predicted 0.44, 0.22,
// 0.11, 0.055, 0.027); at N = 50 it reaches the finite-N level of the GOE
// itself (about 0.05) from M = 4096 on. M = 8192 keeps the excess near or
// below that level up to N = 100, small beside the semicircle's own
// m4/m2² = 2.
const DefaultFeatures = 8192

// randomFieldStream is the PCG stream of the draws of a RandomField.
const randomFieldStream = 0x72666666 // "rfff"

// Covariance describes an isotropic covariance
//
//	E[V(x) V(y)] = N f(|x-y|²/(2N))
//
// by the values F0 = f(0), F1 = f′(0) and F2 = f″(0), the only ones that
// enter the statistics of critical points at large N (Bray & Dean 2007).
//
// Differentiating the covariance at x = y gives the one-point moments:
//
//	Var V(x)                 = N F0
//	Cov(∂ᵢV, ∂ⱼV)            = -F1 δᵢⱼ
//	Cov(V, ∂ᵢ∂ⱼV)            = F1 δᵢⱼ
//	Cov(∂ᵢ∂ⱼV, ∂ₖ∂ₗV)        = (F2/N) (δᵢⱼδₖₗ + δᵢₖδⱼₗ + δᵢₗδⱼₖ)
//	Cov(∂ᵢV, V) = Cov(∂ᵢV, ∂ⱼ∂ₖV) = 0
//
// so F1 < 0 and F2 > 0 for a valid covariance.
type Covariance struct {
	F0, F1, F2 float64
}

// HessianShift returns the mean of the Hessian's diagonal at a point where the
// energy per coordinate is eps = V/N,
//
//	μ(eps) = (F1/F0) eps,
//
// the regression of ∂ᵢ∂ᵢV on V from the moments listed on Covariance.
func (c Covariance) HessianShift(eps float64) float64 {
	return c.F1 / c.F0 * eps
}

// SemicircleRadius returns the radius 2 sqrt(F2) of the semicircle law of the
// Hessian spectrum (Bray & Dean 2007).
func (c Covariance) SemicircleRadius() float64 {
	return 2 * math.Sqrt(c.F2)
}

// CriticalEnergy returns the energy per coordinate below which critical points
// are minima (Bray & Dean 2007),
//
//	eps_c = -2 F0 sqrt(F2) / |F1|,
//
// the energy at which the shifted semicircle μ(eps) + [-2 sqrt(F2), 2 sqrt(F2)]
// touches zero from above.
func (c Covariance) CriticalEnergy() float64 {
	return -2 * c.F0 * math.Sqrt(c.F2) / math.Abs(c.F1)
}

// BrayDeanIndex returns the index fraction α of a critical point of energy per
// coordinate eps of a Gaussian field with this covariance in the limit of large
// N (Bray & Dean 2007):
//
//	x = eps / eps_c
//	α = 1/2 - (x sqrt(1-x²) + arcsin x)/π    |x| <= 1
//	α = 0                                      x >= 1
//	α = 1                                      x <= -1
//
// Derivation. By the moments listed on Covariance the gradient at a point is
// independent of V and of the Hessian H there, so conditioning on ∇V = 0 leaves
// the law of H unchanged. H decomposes as
//
//	H = sqrt(F2/N) G + ξ I,
//
// where G is a GOE matrix (off-diagonal variance 1, diagonal variance 2), whose
// spectrum divided by sqrt(N) is the semicircle on [-2, 2], and ξ is a scalar
// with Var ξ = F2/N and Cov(ξ, V) = F1. Conditioning on V = N eps gives
// E[ξ | V] = (F1/F0) eps and Var[ξ | V] = (F2 - F1²/F0)/N. The spectrum of H is
// therefore the semicircle of radius R = 2 sqrt(F2) centred at
// μ = (F1/F0) eps, and the fraction of eigenvalues below zero is the
// semicircle distribution function at -μ/R = -x. Since F1 < 0 and eps_c < 0,
// low energies (eps <= eps_c, x >= 1) give α = 0 and α increases with eps.
//
// For the squared-exponential covariance of RandomField F0 F2 = F1², so ξ is
// determined by V and the formula is exact as N grows. When F0 F2 > F1² the
// shift keeps a conditional variance of order 1/N, which the Kac-Rice
// determinant can tilt at order one; the formula then describes the critical
// points whose shift takes its typical value.
func (c Covariance) BrayDeanIndex(eps float64) float64 {
	x := eps / c.CriticalEnergy()
	switch {
	case x >= 1:
		return 0
	case x <= -1:
		return 1
	}
	return 0.5 - (x*math.Sqrt(1-x*x)+math.Asin(x))/math.Pi
}

// RandomField is one realisation of a Gaussian random field on R^N with the
// isotropic squared-exponential covariance
//
//	E[V(x) V(y)] = N f(|x-y|²/(2N)),  f(u) = exp(-u/ℓ²),
//
// the normalisation of Bray & Dean (2007), built from M random Fourier
// features (Rahimi & Recht 2007):
//
//	V(x) = sqrt(N) sqrt(2/M) Σₘ aₘ cos(wₘ·x + bₘ),
//	wₘ ~ N(0, I/(N ℓ²)),  bₘ ~ U[0, 2π),  aₘ ~ N(0, 1).
//
// With θ = w·(x-y), E[cos(w·x+b) cos(w·y+b)] = E[cos θ]/2 = exp(-|x-y|²/(2Nℓ²))/2,
// so the covariance above holds exactly for every M; V is Gaussian in the limit
// of many features (see DefaultFeatures). Its derivatives are
//
//	∇V  = -Σₘ Aₘ sin θₘ wₘ
//	∇²V = -Σₘ Aₘ cos θₘ wₘ wₘᵀ,   Aₘ = sqrt(2N/M) aₘ, θₘ = wₘ·x + bₘ.
//
// The features are stored as one row-major M×N matrix W, so Func, Grad and
// HessVec cost O(MN) and Hess costs O(MN²) through the matrix product
// Wᵀ diag(-A cos θ) W, computed as symmetric rank-k updates (BLAS Dsyrk). A
// RandomField is immutable and safe for concurrent use.
type RandomField struct {
	n, m   int
	length float64
	w      []float64 // M×N, row m is wₘ
	b      []float64 // phases bₘ
	amp    []float64 // amplitudes Aₘ = sqrt(2N/M) aₘ
}

// NewRandomField returns a random field on R^n with unit length scale, f(u) =
// exp(-u), drawn from the PCG generator seeded with seed. A features <= 0
// means DefaultFeatures. It panics if n < 1.
func NewRandomField(n, features int, seed uint64) *RandomField {
	return NewRandomFieldLength(n, features, 1, seed)
}

// NewRandomFieldLength is NewRandomField with the length scale ℓ > 0 of the
// covariance f(u) = exp(-u/ℓ²). It panics if n < 1 or ℓ is not positive and
// finite.
func NewRandomFieldLength(n, features int, length float64, seed uint64) *RandomField {
	if n < 1 {
		panic(fmt.Sprintf("landscape: random field dimension %d < 1", n))
	}
	if !(length > 0) || math.IsInf(length, 1) {
		panic(fmt.Sprintf("landscape: invalid length scale %v", length))
	}
	m := features
	if m <= 0 {
		m = DefaultFeatures
	}
	rnd := rand.New(rand.NewPCG(seed, randomFieldStream))
	r := &RandomField{
		n:      n,
		m:      m,
		length: length,
		w:      make([]float64, m*n),
		b:      make([]float64, m),
		amp:    make([]float64, m),
	}
	ws := 1 / (length * math.Sqrt(float64(n)))
	as := math.Sqrt(2 * float64(n) / float64(m))
	for k := range m {
		row := r.w[k*n : (k+1)*n]
		for i := range row {
			row[i] = ws * rnd.NormFloat64()
		}
		r.b[k] = 2 * math.Pi * rnd.Float64()
		r.amp[k] = as * rnd.NormFloat64()
	}
	return r
}

// Dim returns the dimension N of the field's domain.
func (r *RandomField) Dim() int { return r.n }

// Features returns the number M of Fourier features.
func (r *RandomField) Features() int { return r.m }

// Covariance returns f(0), f′(0) and f″(0) of f(u) = exp(-u/ℓ²):
// 1, -1/ℓ² and 1/ℓ⁴.
func (r *RandomField) Covariance() Covariance {
	l2 := r.length * r.length
	return Covariance{F0: 1, F1: -1 / l2, F2: 1 / (l2 * l2)}
}

// BrayDeanIndex returns the large-N index fraction of a critical point of the
// field's law at energy per coordinate eps; see Covariance.BrayDeanIndex. For
// f(u) = exp(-u/ℓ²) the critical energy is eps_c = -2 for every ℓ.
func (r *RandomField) BrayDeanIndex(eps float64) float64 {
	return r.Covariance().BrayDeanIndex(eps)
}

// Problem returns V with its exact gradient, Hessian-vector product and
// Hessian. The functions allocate their scratch per call and are safe for
// concurrent use; they panic if x, grad, hv or v does not have length N.
func (r *RandomField) Problem() hessian.Problem {
	return hessian.Problem{
		Func:    r.value,
		Grad:    r.grad,
		Hess:    r.hess,
		HessVec: r.hessVec,
	}
}

// phases returns θ = W x + b.
func (r *RandomField) phases(x []float64) []float64 {
	r.checkLen(len(x), "point")
	theta := make([]float64, r.m)
	copy(theta, r.b)
	blas64.Gemv(blas.NoTrans, 1, r.matrix(), blas64.Vector{N: r.n, Data: x, Inc: 1}, 1,
		blas64.Vector{N: r.m, Data: theta, Inc: 1})
	return theta
}

func (r *RandomField) value(x []float64) float64 {
	theta := r.phases(x)
	var v float64
	for k, t := range theta {
		v += r.amp[k] * math.Cos(t)
	}
	return v
}

func (r *RandomField) grad(grad, x []float64) {
	r.checkLen(len(grad), "gradient")
	c := r.phases(x)
	for k, t := range c {
		c[k] = -r.amp[k] * math.Sin(t)
	}
	blas64.Gemv(blas.Trans, 1, r.matrix(), blas64.Vector{N: r.m, Data: c, Inc: 1}, 0,
		blas64.Vector{N: r.n, Data: grad, Inc: 1})
}

func (r *RandomField) hessVec(hv, x, v []float64) {
	r.checkLen(len(hv), "Hessian-vector product")
	r.checkLen(len(v), "vector")
	c := r.phases(x)
	wv := make([]float64, r.m)
	blas64.Gemv(blas.NoTrans, 1, r.matrix(), blas64.Vector{N: r.n, Data: v, Inc: 1}, 0,
		blas64.Vector{N: r.m, Data: wv, Inc: 1})
	for k, t := range c {
		c[k] = -r.amp[k] * math.Cos(t) * wv[k]
	}
	blas64.Gemv(blas.Trans, 1, r.matrix(), blas64.Vector{N: r.m, Data: c, Inc: 1}, 0,
		blas64.Vector{N: r.n, Data: hv, Inc: 1})
}

// hessChunk is the number of feature rows scaled and multiplied at a time by
// hess, which bounds its scratch memory to hessChunk×N.
const hessChunk = 512

// hess computes ∇²V = Σₘ cₘ wₘ wₘᵀ, cₘ = -Aₘ cos θₘ, as two symmetric rank-k
// updates per chunk of features: the rows with cₘ >= 0 scaled by sqrt(cₘ) are
// added and those with cₘ < 0 scaled by sqrt(-cₘ) subtracted, so that only
// the upper triangle is computed (half the work of a general product).
func (r *RandomField) hess(dst *mat.SymDense, x []float64) {
	n := r.n
	prepareSym(dst, n)
	c := r.phases(x)
	for k, t := range c {
		c[k] = -r.amp[k] * math.Cos(t)
	}
	raw := dst.RawSymmetric()
	for i := range n {
		clear(raw.Data[i*raw.Stride+i : i*raw.Stride+n])
	}
	rows := min(hessChunk, r.m)
	scaled := make([]float64, rows*n)
	for k0 := 0; k0 < r.m; k0 += hessChunk {
		k1 := min(k0+hessChunk, r.m)
		// Positive weights fill the buffer from the top, negative ones
		// from the bottom.
		top, bottom := 0, rows
		for k := k0; k < k1; k++ {
			w := r.w[k*n : (k+1)*n]
			if c[k] >= 0 {
				floats.ScaleTo(scaled[top*n:(top+1)*n], math.Sqrt(c[k]), w)
				top++
			} else {
				bottom--
				floats.ScaleTo(scaled[bottom*n:(bottom+1)*n], math.Sqrt(-c[k]), w)
			}
		}
		if top > 0 {
			blas64.Syrk(blas.Trans, 1, blas64.General{Rows: top, Cols: n, Stride: n, Data: scaled[:top*n]}, 1, raw)
		}
		if bottom < rows {
			blas64.Syrk(blas.Trans, -1, blas64.General{Rows: rows - bottom, Cols: n, Stride: n, Data: scaled[bottom*n:]}, 1, raw)
		}
	}
}

func (r *RandomField) matrix() blas64.General {
	return blas64.General{Rows: r.m, Cols: r.n, Stride: r.n, Data: r.w}
}

func (r *RandomField) checkLen(got int, what string) {
	if got != r.n {
		panic(fmt.Sprintf("landscape: %s has length %d, random field has dimension %d", what, got, r.n))
	}
}
