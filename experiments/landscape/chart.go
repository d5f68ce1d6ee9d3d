package landscape

import (
	"fmt"
	"math"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Chart is a chart of the sphere |σ|² = N around a point σ₀, of dimension N-1,
// given by the projective retraction
//
//	σ(x) = sqrt(N) (σ₀ + Q x) / |σ₀ + Q x|,   x ∈ R^(N-1),
//
// where the columns of the N×(N-1) matrix Q are an orthonormal basis of the
// tangent space σ₀^⊥. Q is the Householder reflector I - 2wwᵀ that maps σ₀ to a
// multiple of a coordinate vector e_k, with column k removed; it is applied in
// O(N) without being formed. The retraction is of second order (Absil, Mahony
// & Sepulchre 2008, §5.5), so at x = 0 the gradient and Hessian of H∘σ are the
// Riemannian gradient and Hessian at σ₀ in the basis Q:
//
//	∇f(0) = Qᵀ ∇H,   ∇²f(0) = Qᵀ (∇²H - (σ₀·∇H/N) I) Q.
//
// A Chart is immutable and safe for concurrent use.
type Chart struct {
	sg     *SpinGlass
	center []float64 // σ₀ on the sphere
	w      []float64 // unit Householder vector
	k      int       // coordinate removed from the reflector
}

// Chart returns the chart of the sphere around sigma0, which is first projected
// onto the sphere, sqrt(N) sigma0/|sigma0|. It panics if sigma0 does not have
// length N or is zero.
func (s *SpinGlass) Chart(sigma0 []float64) *Chart {
	c := &Chart{sg: s, center: s.Retract(nil, sigma0)}
	n := s.n
	u := make([]float64, n)
	floats.ScaleTo(u, 1/math.Sqrt(float64(n)), c.center)
	c.k = floats.MaxIdx(absAll(u))
	// w ∝ u + sign(u_k) e_k: the reflector maps u to -sign(u_k) e_k without
	// cancellation.
	u[c.k] += math.Copysign(1, u[c.k])
	floats.Scale(1/floats.Norm(u, 2), u)
	c.w = u
	return c
}

func absAll(x []float64) []float64 {
	a := make([]float64, len(x))
	for i, v := range x {
		a[i] = math.Abs(v)
	}
	return a
}

// Dim returns the dimension N-1 of the chart.
func (c *Chart) Dim() int { return c.sg.n - 1 }

// Center returns a copy of σ₀, the point of the sphere at x = 0.
func (c *Chart) Center() []float64 { return append([]float64(nil), c.center...) }

// Tangent stores Q x in dst, a tangent vector at σ₀, and returns dst,
// allocated when nil. It panics if x does not have length N-1.
func (c *Chart) Tangent(dst, x []float64) []float64 {
	n := c.sg.n
	if len(x) != n-1 {
		panic(fmt.Sprintf("landscape: chart coordinates have length %d, want %d", len(x), n-1))
	}
	if dst == nil {
		dst = make([]float64, n)
	}
	c.sg.checkLen(len(dst), "destination")
	// Insert a zero at k, then reflect. x and dst may not alias.
	copy(dst[:c.k], x[:c.k])
	dst[c.k] = 0
	copy(dst[c.k+1:], x[c.k:])
	floats.AddScaled(dst, -2*floats.Dot(c.w, dst), c.w)
	return dst
}

// Coordinates stores Qᵀ v in dst, the coordinates of the tangent component of
// v in the chart's basis, and returns dst, allocated when nil. It panics if v
// does not have length N.
func (c *Chart) Coordinates(dst, v []float64) []float64 {
	n := c.sg.n
	c.sg.checkLen(len(v), "vector")
	if dst == nil {
		dst = make([]float64, n-1)
	}
	if len(dst) != n-1 {
		panic(fmt.Sprintf("landscape: chart coordinates have length %d, want %d", len(dst), n-1))
	}
	a := -2 * floats.Dot(c.w, v)
	for i, j := 0, 0; i < n; i++ {
		if i == c.k {
			continue
		}
		dst[j] = v[i] + a*c.w[i]
		j++
	}
	return dst
}

// Basis stores the orthonormal tangent basis Q, N×(N-1), in dst. An empty dst
// is allocated; a dst of another size panics.
func (c *Chart) Basis(dst *mat.Dense) {
	n := c.sg.n
	if dst.IsEmpty() {
		dst.ReuseAs(n, n-1)
	} else if r, cols := dst.Dims(); r != n || cols != n-1 {
		panic(fmt.Sprintf("landscape: basis destination is %d×%d, want %d×%d", r, cols, n, n-1))
	}
	x := make([]float64, n-1)
	col := make([]float64, n)
	for j := range n - 1 {
		x[j] = 1
		c.Tangent(col, x)
		x[j] = 0
		dst.SetCol(j, col)
	}
}

// Point stores σ(x) in dst and returns dst, allocated when nil.
func (c *Chart) Point(dst, x []float64) []float64 {
	y := c.lift(x)
	return c.sg.Retract(dst, y)
}

// lift returns σ₀ + Q x.
func (c *Chart) lift(x []float64) []float64 {
	y := c.Tangent(nil, x)
	floats.Add(y, c.center)
	return y
}

// Problem returns f(x) = H(σ(x)) on R^(N-1) with its exact gradient,
// Hessian-vector product and Hessian, computed from those of
// SpinGlass.Problem at y = σ₀ + Q x:
//
//	∇f = Qᵀ ∇g(y),   ∇²f v = Qᵀ ∇²g(y) Q v,   ∇²f = Qᵀ ∇²g(y) Q.
//
// The functions are safe for concurrent use and panic if a slice does not
// have length N-1.
func (c *Chart) Problem() hessian.Problem {
	g := c.sg.Problem()
	n := c.sg.n
	return hessian.Problem{
		Func: func(x []float64) float64 {
			return g.Func(c.lift(x))
		},
		Grad: func(grad, x []float64) {
			gy := make([]float64, n)
			g.Grad(gy, c.lift(x))
			c.Coordinates(grad, gy)
		},
		HessVec: func(hv, x, v []float64) {
			out := make([]float64, n)
			g.HessVec(out, c.lift(x), c.Tangent(nil, v))
			c.Coordinates(hv, out)
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			var full mat.SymDense
			g.Hess(&full, c.lift(x))
			c.reduce(dst, &full)
		},
	}
}

// reduce stores Qᵀ A Q in dst: with R = I - 2wwᵀ, u = A w and γ = wᵀAw,
// R A R = A - 2 w uᵀ - 2 u wᵀ + 4γ w wᵀ, from which row and column k are
// removed.
func (c *Chart) reduce(dst, a *mat.SymDense) {
	n := c.sg.n
	prepareSym(dst, n-1)
	u := make([]float64, n)
	mat.NewVecDense(n, u).MulVec(a, mat.NewVecDense(n, c.w))
	gamma := floats.Dot(c.w, u)
	w := c.w
	for i, ri := 0, 0; i < n; i++ {
		if i == c.k {
			continue
		}
		for j, rj := i, ri; j < n; j++ {
			if j == c.k {
				continue
			}
			dst.SetSym(ri, rj, a.At(i, j)-2*w[i]*u[j]-2*u[i]*w[j]+4*gamma*w[i]*w[j])
			rj++
		}
		ri++
	}
}
