package main

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"
)

// Random-matrix theory used by the random-matrices experiment.

// goeMatrix returns an n×n GOE matrix normalised as H = (A + Aᵀ)/sqrt(2n)
// with A of iid N(0,1) entries: off-diagonal entries N(0, 1/n), diagonal
// entries N(0, 2/n). It draws those entries directly, which has the same
// distribution and needs half the normals.
func goeMatrix(n int, rng *rand.Rand) *mat.SymDense {
	h := mat.NewSymDense(n, nil)
	off := 1 / math.Sqrt(float64(n))
	diag := math.Sqrt(2 / float64(n))
	for i := range n {
		h.SetSym(i, i, diag*rng.NormFloat64())
		for j := i + 1; j < n; j++ {
			h.SetSym(i, j, off*rng.NormFloat64())
		}
	}
	return h
}

// wishartMatrix returns M = X Xᵀ for an n×k matrix X of iid N(0, 1/k)
// entries.
func wishartMatrix(n, k int, rng *rand.Rand) *mat.SymDense {
	x := mat.NewDense(n, k, nil)
	s := 1 / math.Sqrt(float64(k))
	for i := range n {
		for j := range k {
			x.Set(i, j, s*rng.NormFloat64())
		}
	}
	m := mat.NewSymDense(n, nil)
	m.SymOuterK(1, x)
	return m
}

// semicircleDensity is Wigner's semicircle law for off-diagonal variance
// s²/N with s = 1, the limit of goeMatrix's spectrum:
//
//	ρ(x) = sqrt(4 - x²) / (2π),  |x| <= 2.
func semicircleDensity(x float64) float64 {
	if math.Abs(x) >= 2 {
		return 0
	}
	return math.Sqrt(4-x*x) / (2 * math.Pi)
}

// semicircleCDF is the distribution function of semicircleDensity:
//
//	F(x) = 1/2 + x sqrt(4 - x²)/(4π) + arcsin(x/2)/π.
func semicircleCDF(x float64) float64 {
	switch {
	case x <= -2:
		return 0
	case x >= 2:
		return 1
	}
	return 0.5 + x*math.Sqrt(4-x*x)/(4*math.Pi) + math.Asin(x/2)/math.Pi
}

// marchenkoPastur is the Marchenko-Pastur law with ratio γ = n/k, the limit
// of the spectrum of wishartMatrix(n, k): the density
//
//	ρ(λ) = sqrt((λ₊ - λ)(λ - λ₋)) / (2π γ λ),  λ± = (1 ± sqrt γ)²,
//
// on [λ₋, λ₊], plus an atom of mass 1 - 1/γ at zero when γ > 1.
type marchenkoPastur struct {
	gamma float64
}

func (m marchenkoPastur) edges() (lo, hi float64) {
	r := math.Sqrt(m.gamma)
	return (1 - r) * (1 - r), (1 + r) * (1 + r)
}

// atom returns the mass at zero, max(0, 1 - 1/γ).
func (m marchenkoPastur) atom() float64 { return max(0, 1-1/m.gamma) }

// density returns the density of the continuous part at x.
func (m marchenkoPastur) density(x float64) float64 {
	lo, hi := m.edges()
	if x <= lo || x >= hi {
		return 0
	}
	return math.Sqrt((hi-x)*(x-lo)) / (2 * math.Pi * m.gamma * x)
}

// continuousCDF returns the mass of the continuous part below x. With
// x = λ₋ + (λ₊ - λ₋) sin²(θ/2) the integrand becomes the smooth
//
//	((λ₊ - λ₋)/2)² sin²θ / (2π γ x(θ)),
//
// integrated by 64-point Gauss-Legendre quadrature, exact to rounding.
func (m marchenkoPastur) continuousCDF(x float64) float64 {
	lo, hi := m.edges()
	if x <= lo {
		return 0
	}
	half := (hi - lo) / 2
	theta := math.Pi
	if x < hi {
		theta = math.Acos(1 - (x-lo)/half)
	}
	f := func(t float64) float64 {
		s := math.Sin(t)
		h := math.Sin(t / 2)
		return half * half * s * s / (2 * math.Pi * m.gamma * (lo + 2*half*h*h))
	}
	return quad.Fixed(f, 0, theta, 64, quad.Legendre{}, 0)
}

// cdf returns F(x), atom included.
func (m marchenkoPastur) cdf(x float64) float64 {
	c := m.continuousCDF(x)
	if x >= 0 {
		c += m.atom()
	}
	return c
}

// cdfLeft returns the left limit F(x-).
func (m marchenkoPastur) cdfLeft(x float64) float64 {
	c := m.continuousCDF(x)
	if x > 0 {
		c += m.atom()
	}
	return c
}

// isPositiveDefinite draws an n×n symmetric matrix with N(0, 2) diagonal and
// N(0, 1) off-diagonal entries (the GOE up to scale) one row at a time and
// reports whether it is positive definite. It runs the row-oriented Cholesky
// factorisation A = L Lᵀ alongside the draws,
//
//	L_ij = (a_ij - Σ_{k<j} L_ik L_jk) / L_jj,  L_ii² = a_ii - Σ_{k<i} L_ik²,
//
// and stops at the first pivot L_ii² <= 0: a symmetric matrix is positive
// definite exactly when every leading principal submatrix is, that is when
// every pivot is positive. Half the draws stop after one number. l is
// scratch space of length at least n².
func isPositiveDefinite(n int, rng *rand.Rand, l []float64) bool {
	for i := range n {
		li := l[i*n : i*n+i+1]
		for j := range i {
			lj := l[j*n : j*n+j+1]
			s := rng.NormFloat64()
			for k := range j {
				s -= li[k] * lj[k]
			}
			li[j] = s / lj[j]
		}
		s := math.Sqrt2 * rng.NormFloat64()
		for k := range i {
			s -= li[k] * li[k]
		}
		if !(s > 0) {
			return false
		}
		li[i] = math.Sqrt(s)
	}
	return true
}
