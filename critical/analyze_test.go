package critical_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"gonum.org/v1/gonum/mat"
)

// hessianSources are the ways Analyze can obtain the Hessian of a test
// function: exactly, by differences of the gradient, by function values.
var hessianSources = []struct {
	name  string
	strip func(p hessian.Problem) hessian.Problem
	exact bool
}{
	{"exact", func(p hessian.Problem) hessian.Problem { return p }, true},
	{"fd-grad", func(p hessian.Problem) hessian.Problem { p.Hess, p.HessVec = nil, nil; return p }, false},
	{"fd-func", func(p hessian.Problem) hessian.Problem { return hessian.Problem{Func: p.Func} }, false},
}

// TestAnalyzeCriticalPoints analyses every listed critical point of the test
// functions (Himmelblau: 4 minima, 4 saddles, 1 maximum) with each Hessian
// source: each is certified critical and of the listed kind, with certain
// signs except at the monkey saddle, whose Hessian vanishes.
func TestAnalyzeCriticalPoints(t *testing.T) {
	t.Parallel()
	for _, f := range testfunc.All() {
		for _, src := range hessianSources {
			for _, pt := range f.Critical {
				a, err := critical.Analyze(src.strip(f.Problem), pt.X, nil)
				if err != nil {
					t.Fatalf("%s %s at %v: %v", f.Name, src.name, pt.X, err)
				}
				c := a.Certificate
				if a.Classification.Kind.String() != pt.Kind || !c.Critical || c.HessianExact != src.exact {
					t.Errorf("%s %s at %v: %v", f.Name, src.name, pt.X, a)
				}
				wantCertain := pt.Kind != testfunc.Degenerate
				if c.SignsCertain != wantCertain || c.Uncertain != a.Classification.Nullity {
					t.Errorf("%s %s at %v: SignsCertain %t Uncertain %d, want %t", f.Name, src.name, pt.X, c.SignsCertain, c.Uncertain, wantCertain)
				}
				if math.Abs(a.F-pt.F) > 1e-13*max(1, math.Abs(pt.F)) {
					t.Errorf("%s %s at %v: F = %g, want %g", f.Name, src.name, pt.X, a.F, pt.F)
				}
			}
		}
	}
}

func TestAnalyzeKnown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		f       testfunc.Function
		x       []float64
		kind    critical.Kind
		index   int
		nullity int
	}{
		// 5x^2 - y^2 at the origin: H = diag(10, -2).
		{"saddle quadratic", testfunc.SaddleQuadratic(), []float64{0, 0}, critical.Saddle, 1, 0},
		// x^3 - 3xy^2 at the origin: H = 0.
		{"monkey saddle", testfunc.MonkeySaddle(), []float64{0, 0}, critical.Degenerate, 0, 2},
	} {
		for _, src := range hessianSources {
			a, err := critical.Analyze(src.strip(tc.f.Problem), tc.x, nil)
			if err != nil {
				t.Fatal(err)
			}
			cl := a.Classification
			if cl.Kind != tc.kind || cl.Index != tc.index || cl.Nullity != tc.nullity || !a.Certificate.Critical {
				t.Errorf("%s %s: %v", tc.name, src.name, a)
			}
		}
	}
}

// TestAnalyzeUncertainSign: f = C + x^2/2 + delta y^2/2 with C = 1e6 and
// delta = 1e-2 is a minimum, but function-value differences with h = 1.2e-4
// carry a rounding error of about eps C / h^2 ≈ 1.5e-2 (estimated at 3e-2)
// and resolve delta only to about ulp(C)/(4h^2) ≈ 2e-3, so from them the
// sign of delta is uncertain and the point must be Degenerate. The same holds with a
// negative curvature -1 added in a third coordinate, except that the point
// stays a certain Saddle.
func TestAnalyzeUncertainSign(t *testing.T) {
	t.Parallel()
	const c, delta = 1e6, 1e-2
	for _, tc := range []struct {
		name      string
		curv      []float64
		exactKind critical.Kind
		fdKind    critical.Kind
	}{
		{"minimum", []float64{1, delta}, critical.Minimum, critical.Degenerate},
		{"saddle", []float64{1, delta, -1}, critical.Saddle, critical.Saddle},
	} {
		n := len(tc.curv)
		p := hessian.Problem{
			Func: func(x []float64) float64 {
				f := c
				for i, v := range x {
					f += 0.5 * tc.curv[i] * v * v
				}
				return f
			},
			Hess: func(h *mat.SymDense, x []float64) {
				for i, v := range tc.curv {
					h.SetSym(i, i, v)
				}
			},
		}
		x := make([]float64, n)
		exact, err := critical.Analyze(p, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		if exact.Classification.Kind != tc.exactKind || !exact.Certificate.SignsCertain || exact.Certificate.ErrorLimited != 0 {
			t.Errorf("%s exact: %v", tc.name, exact)
		}
		fd, err := critical.Analyze(p, x, &critical.AnalyzeSettings{ForceFD: true})
		if err != nil {
			t.Fatal(err)
		}
		cert := fd.Certificate
		if fd.Classification.Kind != tc.fdKind || fd.Classification.Nullity != 1 || cert.SignsCertain ||
			cert.Uncertain != 1 || cert.ErrorLimited != 1 || cert.HessianExact ||
			cert.ClassTol != cert.HessianError || cert.HessianError < delta {
			t.Errorf("%s finite differences: %v, certificate %+v", tc.name, fd, cert)
		}
		if !strings.Contains(fd.String(), "1 sign uncertain") {
			t.Errorf("%s: String() = %q, want it to say a sign is uncertain", tc.name, fd.String())
		}
	}
}

// TestAnalyzeGradTol checks the default threshold 1e-10 max(1, |f|)^2 and
// that an explicit one is applied as given.
func TestAnalyzeGradTol(t *testing.T) {
	t.Parallel()
	// f = c0 + g0 x + x^2/2 at x = 0: f = c0, ||g|| = g0.
	for _, tc := range []struct {
		name     string
		c0, g0   float64
		gradTol  float64
		wantTol  float64
		critical bool
	}{
		{"small loss", 0.5, 9e-6, 0, 1e-10, true},
		{"small loss, too steep", 0.5, 1.1e-5, 0, 1e-10, false},
		{"negative large loss", -100, 9e-4, 0, 1e-6, true},
		{"large loss, too steep", 100, 1.1e-3, 0, 1e-6, false},
		{"explicit", 100, 9e-4, 1e-10, 1e-10, false},
	} {
		p := hessian.Problem{
			Func: func(x []float64) float64 { return tc.c0 + tc.g0*x[0] + 0.5*x[0]*x[0] },
			Grad: func(g, x []float64) { g[0] = tc.g0 + x[0] },
			Hess: func(h *mat.SymDense, x []float64) { h.SetSym(0, 0, 1) },
		}
		a, err := critical.Analyze(p, []float64{0}, &critical.AnalyzeSettings{GradTol: tc.gradTol})
		if err != nil {
			t.Fatal(err)
		}
		c := a.Certificate
		if math.Abs(c.GradTol-tc.wantTol) > 1e-15*tc.wantTol || c.Critical != tc.critical || c.GradNorm != tc.g0 || c.GradNormSq != tc.g0*tc.g0 {
			t.Errorf("%s: certificate %+v, want GradTol %g and Critical %t", tc.name, c, tc.wantTol, tc.critical)
		}
	}
}

// TestAnalyzeGradientFlat: at (sqrt 2, 0) the quartic of Frye et al. (2021)
// has ||grad f||^2 = (9 - 4 sqrt 2)^2 ≈ 11.1766 and a singular Hessian: not
// critical, and degenerate.
func TestAnalyzeGradientFlat(t *testing.T) {
	t.Parallel()
	f := testfunc.GradientFlatQuartic()
	a, err := critical.Analyze(f.Problem, []float64{math.Sqrt2, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := (9 - 4*math.Sqrt2) * (9 - 4*math.Sqrt2)
	c := a.Certificate
	if c.Critical || math.Abs(c.GradNormSq-want) > 1e-12*want || a.Classification.Kind != critical.Degenerate || a.Classification.Nullity != 1 {
		t.Errorf("got %v, certificate %+v", a, c)
	}
	if s := a.String(); !strings.Contains(s, "not critical") {
		t.Errorf("String() = %q, want it to say not critical", s)
	}
}

func TestAnalyzeString(t *testing.T) {
	t.Parallel()
	a, err := critical.Analyze(testfunc.SaddleQuadratic().Problem, []float64{0, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const want = "saddle (index 1/2, nullity 0), ||g|| = 0 (critical, ||g||^2 < 1e-10), signs certain"
	if got := a.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	t.Parallel()
	good := testfunc.Himmelblau().Problem
	nanF := good
	nanF.Func = func(x []float64) float64 { return math.NaN() }
	infG := good
	infG.Grad = func(g, x []float64) { g[0], g[1] = 1, math.Inf(1) }
	nanH := good
	nanH.Hess = func(h *mat.SymDense, x []float64) { h.SetSym(1, 1, math.NaN()) }
	for _, tc := range []struct {
		name string
		p    hessian.Problem
		x    []float64
		s    *critical.AnalyzeSettings
		want string
	}{
		{"NaN x", good, []float64{math.NaN(), 1}, nil, "non-finite coordinate x[0]"},
		{"Inf x", good, []float64{1, math.Inf(-1)}, nil, "non-finite coordinate x[1]"},
		{"NaN f", nanF, []float64{1, 2}, nil, "non-finite function value f(x) = NaN"},
		{"Inf gradient", infG, []float64{1, 2}, nil, "non-finite gradient component g[1] = +Inf"},
		{"NaN Hessian", nanH, []float64{1, 2}, nil, "non-finite Hessian entry (1,1) = NaN"},
		{"FD of Inf gradient", infG, []float64{1, 2}, &critical.AnalyzeSettings{ForceFD: true}, "non-finite gradient component"},
		{"nothing", hessian.Problem{Hess: good.Hess}, []float64{1, 2}, nil, "neither Func nor Grad"},
	} {
		_, err := critical.Analyze(tc.p, tc.x, tc.s)
		if err == nil || !strings.HasPrefix(err.Error(), "critical: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one starting with \"critical: \" containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := critical.Analyze(good, nil, nil); !errors.Is(err, hessian.ErrZeroDim) {
		t.Errorf("zero-dimensional point: error %v, want one wrapping hessian.ErrZeroDim", err)
	}
	for _, tc := range []struct {
		name string
		s    critical.AnalyzeSettings
	}{
		{"negative GradTol", critical.AnalyzeSettings{GradTol: -1}},
		{"NaN GradTol", critical.AnalyzeSettings{GradTol: math.NaN()}},
		{"NaN Tol", critical.AnalyzeSettings{Tol: math.NaN()}},
		{"negative FD step", critical.AnalyzeSettings{FD: &hessian.FDSettings{Step: -1}, ForceFD: true}},
	} {
		wantPanicPrefix(t, tc.name, func() { critical.Analyze(good, []float64{1, 2}, &tc.s) })
	}
}

// wantPanicPrefix fails t unless call panics with a package-prefixed string.
func wantPanicPrefix(t *testing.T, name string, call func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if s, ok := r.(string); !ok || !(strings.HasPrefix(s, "critical: ") || strings.HasPrefix(s, "hessian: ")) {
			t.Errorf("%s: recovered %#v, want a package-prefixed panic", name, r)
		}
	}()
	call()
}
