package landscape

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

func TestBrayDeanIndexPublished(t *testing.T) {
	t.Parallel()
	// Values of α(x) listed in REFERENCES.md (Bray & Dean 2007), rounded
	// to six decimals.
	cases := []struct {
		x, alpha float64
	}{
		{x: 0.99, alpha: 0.000599},
		{x: 0.9, alpha: 0.018693},
		{x: 0.75, alpha: 0.072147},
		{x: 0.5, alpha: 0.195501},
		{x: 0.25, alpha: 0.342519},
		{x: 0, alpha: 0.5},
		{x: -0.5, alpha: 0.804499},
		{x: 1, alpha: 0},
		{x: 1.7, alpha: 0},
		{x: -1, alpha: 1},
		{x: -3, alpha: 1},
	}
	for _, cov := range []Covariance{
		NewRandomField(1, 1, 0).Covariance(),
		NewRandomFieldLength(1, 1, 2.5, 0).Covariance(),
		{F0: 2, F1: -0.5, F2: 0.3}, // not squared-exponential: eps_c = -4 sqrt(0.3)/0.5
	} {
		for _, c := range cases {
			eps := c.x * cov.CriticalEnergy()
			if got := cov.BrayDeanIndex(eps); math.Abs(got-c.alpha) > 5e-7 {
				t.Errorf("%+v: BrayDeanIndex(%v) (x = %v) = %.7f, want %.6f", cov, eps, c.x, got, c.alpha)
			}
		}
	}
}

func TestBrayDeanIndexSemicircle(t *testing.T) {
	t.Parallel()
	// α(eps) is the fraction of the semicircle of radius R centred at μ(eps)
	// below zero; its density integrates to α.
	cov := Covariance{F0: 1.5, F1: -0.8, F2: 0.6}
	r := cov.SemicircleRadius()
	for _, eps := range []float64{-3, -1.2, -0.4, 0, 0.3, 1.1, 2.5} {
		mu := cov.HessianShift(eps)
		lo, hi := mu-r, min(mu+r, 0)
		var mass float64
		const steps = 200000
		if hi > lo {
			dx := (hi - lo) / steps
			for i := range steps {
				z := lo + (float64(i)+0.5)*dx - mu
				mass += 2 / (math.Pi * r * r) * math.Sqrt(r*r-z*z) * dx
			}
		}
		// Midpoint rule: the square-root endpoint singularity limits the
		// error to O(steps^-1.5).
		if got := cov.BrayDeanIndex(eps); math.Abs(got-mass) > 1e-6 {
			t.Errorf("eps = %v: BrayDeanIndex = %v, semicircle mass below zero = %v", eps, got, mass)
		}
	}
	prev := -1.0
	for eps := -4.0; eps <= 4; eps += 0.05 {
		a := cov.BrayDeanIndex(eps)
		if a < prev {
			t.Errorf("index fraction decreases from %v to %v at eps = %v", prev, a, eps)
		}
		prev = a
	}
}

func TestRandomFieldCovariance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		length float64
		want   Covariance
	}{
		{length: 1, want: Covariance{F0: 1, F1: -1, F2: 1}},
		{length: 2, want: Covariance{F0: 1, F1: -0.25, F2: 0.0625}},
		{length: 0.5, want: Covariance{F0: 1, F1: -4, F2: 16}},
	}
	for _, c := range cases {
		r := NewRandomFieldLength(3, 10, c.length, 1)
		got := r.Covariance()
		if got != c.want {
			t.Errorf("length %v: Covariance = %+v, want %+v", c.length, got, c.want)
		}
		// exp(-u/ℓ²): eps_c = -2 for every ℓ.
		if ec := got.CriticalEnergy(); math.Abs(ec+2) > 1e-15 {
			t.Errorf("length %v: CriticalEnergy = %v, want -2", c.length, ec)
		}
	}
	if got := NewRandomField(4, 0, 1).Features(); got != DefaultFeatures {
		t.Errorf("features 0 gives %d features, want DefaultFeatures = %d", got, DefaultFeatures)
	}
}

func TestRandomFieldDerivatives(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n, features int
		length      float64
		seed        uint64
	}{
		{n: 1, features: 50, length: 1, seed: 1},
		{n: 2, features: 300, length: 1, seed: 2},
		{n: 5, features: 64, length: 0.7, seed: 3},
		{n: 12, features: 1100, length: 1.3, seed: 4}, // more than one Hess chunk
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("n=%d,m=%d", c.n, c.features), func(t *testing.T) {
			t.Parallel()
			r := NewRandomFieldLength(c.n, c.features, c.length, c.seed)
			x := make([]float64, c.n)
			v := make([]float64, c.n)
			for i := range x {
				x[i] = 0.37*float64(i) - 0.9 + 0.05*float64(i*i)
				v[i] = math.Sin(float64(3*i + 1))
			}
			checkDerivatives(t, r.Problem(), x, v)
		})
	}
}

func TestRandomFieldMoments(t *testing.T) {
	t.Parallel()
	// The random Fourier features reproduce the covariance exactly for any
	// number of features, so a few features per field and many fields test
	// the scaling. Expected values: the one-point moments listed on
	// Covariance and the two-point covariance N f(|x-y|²/(2N)).
	const (
		n, features = 4, 64
		length      = 1.4
		seeds       = 4000
		z           = 4 // standard errors; 40 checks
	)
	f := func(u float64) float64 { return math.Exp(-u / (length * length)) }
	cov := NewRandomFieldLength(n, 1, length, 0).Covariance()
	x := []float64{0.3, -1.1, 0.8, 2.0}
	y := []float64{1.2, -0.4, 0.1, 1.5}
	var d2 float64
	for i := range x {
		d2 += (x[i] - y[i]) * (x[i] - y[i])
	}
	nf := float64(n)
	type acc = moment
	ms := map[string]*acc{}
	add := func(name string, want, v float64) {
		m, ok := ms[name]
		if !ok {
			m = &acc{name: name, want: want}
			ms[name] = m
		}
		m.add(v)
	}
	g := make([]float64, n)
	var h mat.SymDense
	for s := range seeds {
		p := NewRandomFieldLength(n, features, length, uint64(s)).Problem()
		v := p.Func(x)
		p.Grad(g, x)
		p.Hess(&h, x)
		add("E V", 0, v)
		add("E V²", nf*cov.F0, v*v)
		add("E V(x)V(y)", nf*f(d2/(2*nf)), v*p.Func(y))
		add("E g0", 0, g[0])
		add("E g0²", -cov.F1, g[0]*g[0])
		add("E g3²", -cov.F1, g[3]*g[3])
		add("E g0 g1", 0, g[0]*g[1])
		add("E V g2", 0, v*g[2])
		add("E H00", 0, h.At(0, 0))
		add("E H01²", cov.F2/nf, h.At(0, 1)*h.At(0, 1))
		add("E H23²", cov.F2/nf, h.At(2, 3)*h.At(2, 3))
		add("E H00²", 3*cov.F2/nf, h.At(0, 0)*h.At(0, 0))
		add("E H22²", 3*cov.F2/nf, h.At(2, 2)*h.At(2, 2))
		add("E H00 H11", cov.F2/nf, h.At(0, 0)*h.At(1, 1))
		add("E H01 H23", 0, h.At(0, 1)*h.At(2, 3))
		add("E H00 H01", 0, h.At(0, 0)*h.At(0, 1))
		add("E V H00", cov.F1, v*h.At(0, 0))
		add("E V H33", cov.F1, v*h.At(3, 3))
		add("E V H12", 0, v*h.At(1, 2))
		add("E g0 H00", 0, g[0]*h.At(0, 0))
		add("E g1 H01", 0, g[1]*h.At(0, 1))
	}
	for _, m := range ms {
		m.check(t, z)
	}
}

func TestRandomFieldDeterministicAndConcurrent(t *testing.T) {
	t.Parallel()
	const n = 6
	a := NewRandomField(n, 500, 42).Problem()
	b := NewRandomField(n, 500, 42).Problem()
	c := NewRandomField(n, 500, 43).Problem()
	x := []float64{0.1, -0.2, 0.3, 1.4, -0.5, 0.6}
	if a.Func(x) != b.Func(x) {
		t.Errorf("same seed gives %v and %v", a.Func(x), b.Func(x))
	}
	if a.Func(x) == c.Func(x) {
		t.Errorf("seeds 42 and 43 give the same value %v", a.Func(x))
	}
	// hessian.Exact assembles the Hessian from HessVec in parallel; the
	// result must equal the serial Hess up to rounding.
	var hv, h mat.SymDense
	if err := hessian.Exact(&hv, hessian.Problem{HessVec: a.HessVec}, x); err != nil {
		t.Fatal(err)
	}
	a.Hess(&h, x)
	if !closeSym(&hv, &h, 1e-12) {
		t.Errorf("parallel HessVec assembly differs from Hess")
	}
	want := a.Func(x)
	var wg sync.WaitGroup
	got := make([]float64, 8)
	for i := range got {
		wg.Go(func() { got[i] = a.Func(x) })
	}
	wg.Wait()
	for i, v := range got {
		if v != want {
			t.Errorf("concurrent call %d gives %v, want %v", i, v, want)
		}
	}
}

func TestRandomFieldPanics(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		f    func()
	}{
		{"dimension 0", func() { NewRandomField(0, 10, 1) }},
		{"zero length", func() { NewRandomFieldLength(2, 10, 0, 1) }},
		{"NaN length", func() { NewRandomFieldLength(2, 10, math.NaN(), 1) }},
		{"short point", func() { NewRandomField(3, 10, 1).Problem().Func([]float64{1, 2}) }},
		{"short gradient", func() { NewRandomField(3, 10, 1).Problem().Grad(make([]float64, 2), make([]float64, 3)) }},
		{"wrong Hessian size", func() { NewRandomField(3, 10, 1).Problem().Hess(mat.NewSymDense(2, nil), make([]float64, 3)) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f()
		}()
	}
}
