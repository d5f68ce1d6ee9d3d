// Package testfunc provides two-dimensional test functions with exact
// gradients, Hessians and Hessian-vector products, together with their known
// critical points, for the tests and experiments of critpoint.
//
// Every function is a polynomial, so its derivatives are closed forms; the
// critical points are listed to full float64 precision (the package tests
// check that the gradient vanishes there to 1e-12 and that each point has the
// listed kind by the eigenvalues of its Hessian).
//
// Sources: Himmelblau, Applied Nonlinear Programming (1972); Rosenbrock,
// Comput. J. 3 (1960); Beale, On an iterative method for finding a local
// minimum of a function of more than one variable (1958); Dixon & Szegő,
// Towards Global Optimisation 2 (1978) for the six-hump camel; Frye, Simon,
// Wadia, Ligeralde & DeWeese, Critical point-finding methods reveal
// gradient-flat regions of deep network losses, Neural Computation 33 (2021)
// for the gradient-flat quartic.
package testfunc

import (
	"fmt"
	"math"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// Kinds of a Point, as the lower-case words of critical.Kind.
const (
	Minimum    = "minimum"
	Maximum    = "maximum"
	Saddle     = "saddle"
	Degenerate = "degenerate"
)

// Function is a test function with known critical points.
type Function struct {
	// Name is a lower-case identifier such as "himmelblau".
	Name string

	// Problem evaluates the function; Func, Grad, Hess and HessVec are all
	// set, exact, and safe for concurrent use. They panic when x (or v) does
	// not have length Dim.
	Problem hessian.Problem

	// Dim is the dimension of the domain.
	Dim int

	// Critical lists the known critical points: all of them where that is
	// known (every function here except Rosenbrock's, whose only critical
	// point is its minimum, and the quadratics, which have one).
	Critical []Point

	// GradientFlat lists points that are not critical but where the gradient
	// lies in the kernel of the Hessian, H(x) g(x) = 0 with g(x) != 0, so
	// that Newton-type critical-point finders stall there (Frye et al. 2021).
	GradientFlat [][]float64

	// Domain is a box [lo, hi] per coordinate containing every listed point,
	// for plots and grids of starting points.
	Domain [][2]float64
}

// Point is a critical point of a Function.
type Point struct {
	// X is the location.
	X []float64
	// F is the function value at X.
	F float64
	// Kind is "minimum", "maximum", "saddle" or "degenerate": the
	// second-order classification by the signs of the Hessian's eigenvalues.
	Kind string
}

// All returns every test function of the package, in a fixed order.
func All() []Function {
	return []Function{
		Himmelblau(),
		Rosenbrock(),
		Beale(),
		SixHumpCamel(),
		SaddleQuadratic(),
		MonkeySaddle(),
		GradientFlatQuartic(),
	}
}

// plane describes a function of two variables by closed forms of its value,
// gradient and Hessian entries.
type plane struct {
	f func(x, y float64) float64
	g func(x, y float64) (gx, gy float64)
	h func(x, y float64) (hxx, hxy, hyy float64)
}

// problem returns the hessian.Problem evaluating pl.
func (pl plane) problem() hessian.Problem {
	return hessian.Problem{
		Func: func(x []float64) float64 {
			checkLen(x, "x")
			return pl.f(x[0], x[1])
		},
		Grad: func(grad, x []float64) {
			checkLen(x, "x")
			checkLen(grad, "grad")
			grad[0], grad[1] = pl.g(x[0], x[1])
		},
		Hess: func(hess *mat.SymDense, x []float64) {
			checkLen(x, "x")
			if hess.SymmetricDim() != 2 {
				panic(fmt.Sprintf("testfunc: Hessian destination is %d×%d, want 2×2", hess.SymmetricDim(), hess.SymmetricDim()))
			}
			a, b, d := pl.h(x[0], x[1])
			hess.SetSym(0, 0, a)
			hess.SetSym(0, 1, b)
			hess.SetSym(1, 1, d)
		},
		HessVec: func(hv, x, v []float64) {
			checkLen(x, "x")
			checkLen(v, "v")
			checkLen(hv, "hv")
			a, b, d := pl.h(x[0], x[1])
			hv[0], hv[1] = a*v[0]+b*v[1], b*v[0]+d*v[1]
		},
	}
}

func checkLen(s []float64, name string) {
	if len(s) != 2 {
		panic(fmt.Sprintf("testfunc: %s has length %d, want 2", name, len(s)))
	}
}

func pt(x, y, f float64, kind string) Point {
	return Point{X: []float64{x, y}, F: f, Kind: kind}
}

// Himmelblau returns Himmelblau's function
//
//	f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2
//
// on [-5, 5]^2. It has nine critical points: four global minima with f = 0,
// at (3, 2) and three irrational points, one local maximum near
// (-0.270845, -0.923039) with f = 181.617, and four saddles of index 1.
func Himmelblau() Function {
	pl := plane{
		f: func(x, y float64) float64 {
			a := x*x + y - 11
			b := x + y*y - 7
			return a*a + b*b
		},
		g: func(x, y float64) (float64, float64) {
			a := x*x + y - 11
			b := x + y*y - 7
			return 4*x*a + 2*b, 2*a + 4*y*b
		},
		h: func(x, y float64) (float64, float64, float64) {
			return 12*x*x + 4*y - 42, 4*x + 4*y, 4*x + 12*y*y - 26
		},
	}
	return Function{
		Name:    "himmelblau",
		Problem: pl.problem(),
		Dim:     2,
		Critical: []Point{
			pt(3, 2, 0, Minimum),
			pt(-2.8051180869527448, 3.131312518250573, 0, Minimum),
			pt(-3.779310253377747, -3.2831859912861692, 0, Minimum),
			pt(3.5844283403304917, -1.8481265269644036, 0, Minimum),
			pt(-0.27084459066734762, -0.92303855647998145, 181.6165215225827, Maximum),
			pt(-3.0730257507643897, -0.08135304428796751, 104.01516291755811, Saddle),
			pt(-0.12796134673068008, -1.9537149802445766, 178.33723920192745, Saddle),
			pt(0.086677504555396356, 2.8842547011747759, 67.719150087526131, Saddle),
			pt(3.3851541836070211, 0.073851879837749282, 13.311926270405587, Saddle),
		},
		Domain: [][2]float64{{-5, 5}, {-5, 5}},
	}
}

// Rosenbrock returns Rosenbrock's function
//
//	f(x, y) = (1 - x)^2 + 100 (y - x^2)^2
//
// on [-2, 2] × [-1, 3]. Its only critical point is the global minimum (1, 1)
// with f = 0, at the end of a long curved valley; the Hessian there,
// [[802, -400], [-400, 200]], has condition number about 2508.
func Rosenbrock() Function {
	pl := plane{
		f: func(x, y float64) float64 {
			a := 1 - x
			b := y - x*x
			return a*a + 100*b*b
		},
		g: func(x, y float64) (float64, float64) {
			b := y - x*x
			return -2*(1-x) - 400*x*b, 200 * b
		},
		h: func(x, y float64) (float64, float64, float64) {
			return 2 - 400*y + 1200*x*x, -400 * x, 200
		},
	}
	return Function{
		Name:     "rosenbrock",
		Problem:  pl.problem(),
		Dim:      2,
		Critical: []Point{pt(1, 1, 0, Minimum)},
		Domain:   [][2]float64{{-2, 2}, {-1, 3}},
	}
}

// Beale returns Beale's function
//
//	f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2
//
// on [-4.5, 4.5]^2. It has three critical points: the global minimum (3, 0.5)
// with f = 0, a saddle at (0, 1) with f = 14.203125 and Hessian
// [[0, 27.75], [27.75, 0]], and a saddle near (0.100538, -2.644514) with
// f = 9.864512 whose negative eigenvalue is small (-0.781) beside a large
// positive one (867.8).
func Beale() Function {
	pl := plane{
		f: func(x, y float64) float64 {
			r1 := 1.5 - x + x*y
			r2 := 2.25 - x + x*y*y
			r3 := 2.625 - x + x*y*y*y
			return r1*r1 + r2*r2 + r3*r3
		},
		g: func(x, y float64) (float64, float64) {
			y2, y3 := y*y, y*y*y
			r1 := 1.5 - x + x*y
			r2 := 2.25 - x + x*y2
			r3 := 2.625 - x + x*y3
			gx := 2 * (r1*(y-1) + r2*(y2-1) + r3*(y3-1))
			gy := 2 * x * (r1 + 2*y*r2 + 3*y2*r3)
			return gx, gy
		},
		h: func(x, y float64) (float64, float64, float64) {
			y2, y3 := y*y, y*y*y
			r1 := 1.5 - x + x*y
			r2 := 2.25 - x + x*y2
			r3 := 2.625 - x + x*y3
			hxx := 2 * ((y-1)*(y-1) + (y2-1)*(y2-1) + (y3-1)*(y3-1))
			hxy := 2 * (x*(y-1) + r1 + 2*x*y*(y2-1) + 2*y*r2 + 3*x*y2*(y3-1) + 3*y2*r3)
			hyy := 2 * (x*x + 4*x*x*y2 + 2*x*r2 + 9*x*x*y2*y2 + 6*x*y*r3)
			return hxx, hxy, hyy
		},
	}
	return Function{
		Name:    "beale",
		Problem: pl.problem(),
		Dim:     2,
		Critical: []Point{
			pt(3, 0.5, 0, Minimum),
			pt(0, 1, 14.203125, Saddle),
			pt(0.10053793732415837, -2.6445135850231249, 9.8645122847555609, Saddle),
		},
		Domain: [][2]float64{{-4.5, 4.5}, {-4.5, 4.5}},
	}
}

// SixHumpCamel returns the six-hump camel function
//
//	f(x, y) = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2
//
// on [-3, 3] × [-2, 2]. It is even, f(-x, -y) = f(x, y), and has fifteen
// critical points: six minima (the two global ones at ±(0.089842, -0.712656)
// with f = -1.031628), seven saddles (one at the origin) and two maxima.
func SixHumpCamel() Function {
	pl := plane{
		f: func(x, y float64) float64 {
			x2, y2 := x*x, y*y
			return (4-2.1*x2+x2*x2/3)*x2 + x*y + (-4+4*y2)*y2
		},
		g: func(x, y float64) (float64, float64) {
			x2 := x * x
			return 8*x - 8.4*x2*x + 2*x2*x2*x + y, x - 8*y + 16*y*y*y
		},
		h: func(x, y float64) (float64, float64, float64) {
			x2 := x * x
			return 8 - 25.2*x2 + 10*x2*x2, 1, -8 + 48*y*y
		},
	}
	// Each point off the origin comes with its mirror image -X.
	half := []Point{
		pt(0.089842013100318072, -0.71265640302073963, -1.0316284534898774, Minimum),
		pt(1.7036067149699807, -0.7960835686726252, -0.21546382438371769, Minimum),
		pt(1.6071047529201969, 0.56865145488413149, 2.1042503103112593, Minimum),
		pt(1.1092053368047865, -0.76826809250953987, 0.54371860097818536, Saddle),
		pt(1.2960702671671087, 0.6050843880386586, 2.2294708180298581, Saddle),
		pt(1.6380679841897787, 0.22867406904439411, 2.2293571975307129, Saddle),
		pt(1.2302298765166524, 0.16233458445899493, 2.4962953510235768, Maximum),
	}
	crit := make([]Point, 0, 2*len(half)+1)
	for _, p := range half {
		crit = append(crit, p, pt(-p.X[0], -p.X[1], p.F, p.Kind))
	}
	crit = append(crit, pt(0, 0, 0, Saddle))
	return Function{
		Name:     "six-hump-camel",
		Problem:  pl.problem(),
		Dim:      2,
		Critical: crit,
		Domain:   [][2]float64{{-3, 3}, {-2, 2}},
	}
}

// SaddleQuadratic returns the quadratic saddle
//
//	f(x, y) = 5x^2 - y^2,  H = diag(10, -2),
//
// on [-1, 1]^2, whose only critical point is the saddle of index 1 at the
// origin. Pure Newton lands on it in one step from anywhere.
func SaddleQuadratic() Function {
	pl := plane{
		f: func(x, y float64) float64 { return 5*x*x - y*y },
		g: func(x, y float64) (float64, float64) { return 10 * x, -2 * y },
		h: func(x, y float64) (float64, float64, float64) { return 10, 0, -2 },
	}
	return Function{
		Name:     "saddle-quadratic",
		Problem:  pl.problem(),
		Dim:      2,
		Critical: []Point{pt(0, 0, 0, Saddle)},
		Domain:   [][2]float64{{-1, 1}, {-1, 1}},
	}
}

// MonkeySaddle returns the monkey saddle
//
//	f(x, y) = x^3 - 3xy^2
//
// on [-1, 1]^2. Its only critical point, the origin, is a saddle that the
// second-order test cannot see: the Hessian [[6x, -6y], [-6y, -6x]] vanishes
// there, so the point is listed as degenerate (nullity 2). Away from the
// origin the Hessian has eigenvalues ±6||(x, y)||.
func MonkeySaddle() Function {
	pl := plane{
		f: func(x, y float64) float64 { return x*x*x - 3*x*y*y },
		g: func(x, y float64) (float64, float64) { return 3*x*x - 3*y*y, -6 * x * y },
		h: func(x, y float64) (float64, float64, float64) { return 6 * x, -6 * y, -6 * x },
	}
	return Function{
		Name:     "monkey-saddle",
		Problem:  pl.problem(),
		Dim:      2,
		Critical: []Point{pt(0, 0, 0, Degenerate)},
		Domain:   [][2]float64{{-1, 1}, {-1, 1}},
	}
}

// GradientFlatQuartic returns the example of gradient-flat points of
// Frye et al. (2021),
//
//	f(x, y) = x^4/4 - 3x^2 + 9x + 0.9y^4 + 5y^2 + 40,
//
// on [-4, 3] × [-2, 2]. Its only critical point is the minimum (-3, 0) with
// f = 6.25 (x^3 - 6x + 9 = (x + 3)(x^2 - 3x + 3)). At (±sqrt 2, 0) the
// Hessian diag(3x^2 - 6, 10.8y^2 + 10) is singular with the gradient
// (9 ∓ 4 sqrt 2, 0) in its kernel: these are the gradient-flat points, listed
// in GradientFlat. (sqrt 2, 0) is a local minimum of ||grad f||^2, with value
// (9 - 4 sqrt 2)^2 = 11.1766, where gradient-norm minimisation stalls.
func GradientFlatQuartic() Function {
	pl := plane{
		f: func(x, y float64) float64 {
			x2, y2 := x*x, y*y
			return x2*x2/4 - 3*x2 + 9*x + 0.9*y2*y2 + 5*y2 + 40
		},
		g: func(x, y float64) (float64, float64) {
			return x*x*x - 6*x + 9, 3.6*y*y*y + 10*y
		},
		h: func(x, y float64) (float64, float64, float64) {
			return 3*x*x - 6, 0, 10.8*y*y + 10
		},
	}
	return Function{
		Name:         "gradient-flat-quartic",
		Problem:      pl.problem(),
		Dim:          2,
		Critical:     []Point{pt(-3, 0, 6.25, Minimum)},
		GradientFlat: [][]float64{{math.Sqrt2, 0}, {-math.Sqrt2, 0}},
		Domain:       [][2]float64{{-4, 3}, {-2, 2}},
	}
}
