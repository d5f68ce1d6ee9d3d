package landscape

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestBandEdgePublished(t *testing.T) {
	t.Parallel()
	// E∞ and E₀..E₃ of REFERENCES.md (Auffinger, Ben Arous & Černý 2013;
	// Choromanska et al. 2015), six decimals.
	cases := []struct {
		p    int
		einf float64
		e    []float64
	}{
		{p: 3, einf: 1.632993, e: []float64{1.656998, 1.652873, 1.650253, 1.648399}},
		{p: 4, einf: 1.732051, e: []float64{1.794085, 1.783300, 1.776478, 1.771662}},
	}
	for _, c := range cases {
		if got := ThresholdEnergy(c.p); math.Abs(got-c.einf) > 5e-7 {
			t.Errorf("ThresholdEnergy(%d) = %.7f, want %.6f", c.p, got, c.einf)
		}
		for k, want := range c.e {
			got := BandEdge(c.p, k)
			if math.Abs(got-want) > 5e-7 {
				t.Errorf("BandEdge(%d, %d) = %.7f, want %.6f", c.p, k, got, want)
			}
			if th := Complexity(c.p, k, -got); math.Abs(th) > 1e-12 {
				t.Errorf("Complexity(%d, %d, -E_%d) = %v, want 0", c.p, k, k, th)
			}
		}
	}
	// p = 2: no exponential number of critical points; E_k = E∞ = sqrt 2,
	// the largest eigenvalue of the normalised coupling matrix.
	if got := BandEdge(2, 0); math.Abs(got-math.Sqrt2) > 1e-15 {
		t.Errorf("BandEdge(2, 0) = %v, want sqrt 2", got)
	}
	// Above -E∞ the complexity is ½ log(p-1) - (p-2)/p, continuous at -E∞.
	for _, p := range []int{3, 4, 5} {
		einf := ThresholdEnergy(p)
		plateau := 0.5*math.Log(float64(p-1)) - float64(p-2)/float64(p)
		if got := Complexity(p, 2, -einf*(1+1e-12)); math.Abs(got-plateau) > 1e-5 {
			t.Errorf("p = %d: Complexity just below -E∞ = %v, plateau %v", p, got, plateau)
		}
		if got := Complexity(p, 0, 0.5); got != plateau {
			t.Errorf("p = %d: Complexity(0.5) = %v, want %v", p, got, plateau)
		}
	}
}

func TestSpinGlassCouplings(t *testing.T) {
	t.Parallel()
	cases := []struct{ n, p, want int }{
		{n: 1, p: 3, want: 1},
		{n: 5, p: 2, want: 15},
		{n: 7, p: 3, want: 84},       // C(9, 3)
		{n: 100, p: 3, want: 171700}, // C(102, 3)
		{n: 6, p: 4, want: 126},      // C(9, 4)
		{n: 4, p: 5, want: 56},       // C(8, 5)
	}
	for _, c := range cases {
		s := NewSpinGlass(c.n, c.p, 1)
		if got := s.Couplings(); got != c.want {
			t.Errorf("n = %d, p = %d: %d couplings, want %d", c.n, c.p, got, c.want)
		}
	}
}

// bruteEnergy evaluates H as the sum over all ordered tuples of the symmetric
// tensor whose entries are the sorted tuple's coupling divided by its number
// of distinct permutations: the same polynomial.
func bruteEnergy(s *SpinGlass, x []float64) float64 {
	n, p := s.n, s.p
	coupling := map[string]float64{}
	s.forEachPrefix(func(t []int, row []float64) {
		for k := t[p-2]; k < n; k++ {
			coupling[fmt.Sprint(append(append([]int(nil), t...), k))] = row[k-t[p-2]]
		}
	})
	idx := make([]int, p)
	var total float64
	for {
		sorted := slices.Sorted(slices.Values(idx))
		total += coupling[fmt.Sprint(sorted)] / float64(permutations(sorted)) * prodAt(x, idx)
		a := p - 1
		for a >= 0 && idx[a] == n-1 {
			idx[a] = 0
			a--
		}
		if a < 0 {
			break
		}
		idx[a]++
	}
	return s.scale * total
}

func permutations(sorted []int) int {
	f := func(k int) int {
		r := 1
		for i := 2; i <= k; i++ {
			r *= i
		}
		return r
	}
	perms := f(len(sorted))
	run := 1
	for a := 1; a <= len(sorted); a++ {
		if a < len(sorted) && sorted[a] == sorted[a-1] {
			run++
			continue
		}
		perms /= f(run)
		run = 1
	}
	return perms
}

func prodAt(x []float64, idx []int) float64 {
	p := 1.0
	for _, i := range idx {
		p *= x[i]
	}
	return p
}

func TestSpinGlassEnergyBruteForce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, p int }{{4, 2}, {4, 3}, {3, 4}} {
		s := NewSpinGlass(c.n, c.p, 7)
		x := []float64{0.3, -1.2, 0.7, 2.1}[:c.n]
		got, want := s.Euclidean().Func(x), bruteEnergy(s, x)
		if math.Abs(got-want) > 1e-12*max(1, math.Abs(want)) {
			t.Errorf("n = %d, p = %d: H = %v, sum over ordered tuples %v", c.n, c.p, got, want)
		}
	}
}

func TestSpinGlassLaw(t *testing.T) {
	t.Parallel()
	// E[H(σ)H(σ')] = N (σ·σ'/N)^p for σ, σ' on the sphere; in particular
	// Var H(σ)/N = 1/N. Tested over many realisations at fixed points.
	const seeds = 3000
	for _, c := range []struct{ n, p int }{{5, 3}, {4, 4}} {
		t.Run(fmt.Sprintf("n=%d,p=%d", c.n, c.p), func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(1, 2))
			probe := NewSpinGlass(c.n, c.p, 0)
			x := probe.RandomPoint(nil, rnd)
			y := probe.RandomPoint(nil, rnd)
			nf := float64(c.n)
			overlap := floats.Dot(x, y) / nf
			m0 := moment{name: "E H/N", want: 0}
			m1 := moment{name: "N Var H/N", want: 1}
			m2 := moment{name: "E H(x)H(y)/N", want: math.Pow(overlap, float64(c.p))}
			for s := range seeds {
				f := NewSpinGlass(c.n, c.p, uint64(s)).Euclidean().Func
				hx, hy := f(x), f(y)
				m0.add(hx / nf)
				m1.add(hx * hx / nf)
				m2.add(hx * hy / nf)
			}
			for _, m := range []*moment{&m0, &m1, &m2} {
				m.check(t, 4)
			}
		})
	}
}

func TestSpinGlassRandomPointEnergies(t *testing.T) {
	t.Parallel()
	// For one realisation the energy per spin of uniform random points has
	// mean 0 and variance 1/N up to fluctuations of the realisation of
	// relative order N^(-3/2), negligible beside the sampling error.
	const n, p, points = 100, 3, 2000
	s := NewSpinGlass(n, p, 11)
	rnd := rand.New(rand.NewPCG(11, 1))
	f := s.Euclidean().Func
	m0 := moment{name: "mean H/N", want: 0}
	m1 := moment{name: "N mean (H/N)²", want: 1}
	sigma := make([]float64, n)
	for range points {
		e := f(s.RandomPoint(sigma, rnd)) / n
		m0.add(e)
		m1.add(n * e * e)
	}
	m0.check(t, 4)
	m1.check(t, 4)
}

func spinGlassPoints(n int, seed uint64) (x, v []float64) {
	rnd := rand.New(rand.NewPCG(seed, 3))
	x, v = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = rnd.NormFloat64()
		v[i] = rnd.NormFloat64()
	}
	return x, v
}

func TestSpinGlassDerivatives(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, p int }{{1, 3}, {6, 2}, {7, 3}, {9, 3}, {6, 4}, {4, 5}} {
		t.Run(fmt.Sprintf("n=%d,p=%d", c.n, c.p), func(t *testing.T) {
			t.Parallel()
			s := NewSpinGlass(c.n, c.p, uint64(c.n*10+c.p))
			x, v := spinGlassPoints(c.n, 1)
			t.Run("euclidean", func(t *testing.T) { checkDerivatives(t, s.Euclidean(), x, v) })
			t.Run("normalized", func(t *testing.T) { checkDerivatives(t, s.Problem(), x, v) })
			if c.n > 1 {
				ch := s.Chart(x)
				cx, cv := spinGlassPoints(c.n-1, 2)
				floats.Scale(0.3, cx)
				t.Run("chart", func(t *testing.T) { checkDerivatives(t, ch.Problem(), cx, cv) })
			}
		})
	}
}

func TestSpinGlassEuler(t *testing.T) {
	t.Parallel()
	// H is homogeneous of degree p: σ·∇H = p H and ∇²H σ = (p-1) ∇H. g is
	// homogeneous of degree 0: y·∇g = 0 and ∇²g y = -∇g.
	for _, p := range []int{3, 4} {
		const n = 8
		s := NewSpinGlass(n, p, 5)
		x, _ := spinGlassPoints(n, 4)
		e := s.Euclidean()
		g, hx := make([]float64, n), make([]float64, n)
		e.Grad(g, x)
		e.HessVec(hx, x, x)
		if got, want := floats.Dot(x, g), float64(p)*e.Func(x); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("p = %d: σ·∇H = %v, p H = %v", p, got, want)
		}
		floats.Scale(float64(p-1), g)
		if !closeVec(hx, g, 1e-12) {
			t.Errorf("p = %d: ∇²H σ = %v, (p-1)∇H = %v", p, hx, g)
		}
		q := s.Problem()
		q.Grad(g, x)
		q.HessVec(hx, x, x)
		if d := floats.Dot(x, g); math.Abs(d) > 1e-12*floats.Norm(x, 2)*floats.Norm(g, 2) {
			t.Errorf("p = %d: y·∇g = %v, want 0", p, d)
		}
		floats.Scale(-1, g)
		if !closeVec(hx, g, 1e-12) {
			t.Errorf("p = %d: ∇²g y = %v, -∇g = %v", p, hx, g)
		}
	}
}

func TestSpinGlassRiemannian(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, p int }{{2, 3}, {10, 3}, {8, 4}} {
		t.Run(fmt.Sprintf("n=%d,p=%d", c.n, c.p), func(t *testing.T) {
			t.Parallel()
			n := c.n
			s := NewSpinGlass(n, c.p, 3)
			sigma := s.RandomPoint(nil, rand.New(rand.NewPCG(3, 4)))
			if r := floats.Dot(sigma, sigma); math.Abs(r-float64(n)) > 1e-12*float64(n) {
				t.Fatalf("|σ|² = %v, want %d", r, n)
			}
			gr := s.RiemannianGrad(nil, sigma)
			if d := floats.Dot(sigma, gr); math.Abs(d) > 1e-12*floats.Norm(gr, 2)*math.Sqrt(float64(n)) {
				t.Errorf("σ·grad_R = %v, want 0", d)
			}
			// The normalised problem's gradient on the sphere is grad_R.
			gq := make([]float64, n)
			s.Problem().Grad(gq, sigma)
			if !closeVec(gq, gr, 1e-12) {
				t.Errorf("∇g = %v, grad_R = %v", gq, gr)
			}
			// Hess_R by its formula from dense matrices.
			var hr mat.SymDense
			s.RiemannianHess(&hr, sigma)
			var he mat.SymDense
			s.Euclidean().Hess(&he, sigma)
			ge := make([]float64, n)
			s.Euclidean().Grad(ge, sigma)
			proj := mat.NewDense(n, n, nil)
			for i := range n {
				for j := range n {
					v := -sigma[i] * sigma[j] / float64(n)
					if i == j {
						v++
					}
					proj.Set(i, j, v)
				}
			}
			var want mat.Dense
			want.Product(proj, &he, proj)
			lambda := floats.Dot(sigma, ge) / float64(n)
			var lp mat.Dense
			lp.Scale(lambda, proj)
			want.Sub(&want, &lp)
			for i := range n {
				for j := range n {
					if d := math.Abs(hr.At(i, j) - want.At(i, j)); d > 1e-12*max(1, mat.Norm(&want, math.Inf(1))) {
						t.Fatalf("Hess_R(%d,%d) = %v, P∇²HP - (σ·∇H/N)P gives %v", i, j, hr.At(i, j), want.At(i, j))
					}
				}
			}
			hs := make([]float64, n)
			mat.NewVecDense(n, hs).MulVec(&hr, mat.NewVecDense(n, sigma))
			if !closeVec(hs, make([]float64, n), 1e-12*mat.Norm(&hr, math.Inf(1))) {
				t.Errorf("Hess_R σ = %v, want 0", hs)
			}
			// The chart at σ: orthonormal basis of σ^⊥, gradient Qᵀ∇H and
			// Hessian Qᵀ Hess_R Q at x = 0.
			ch := s.Chart(sigma)
			var q mat.Dense
			ch.Basis(&q)
			var qtq mat.Dense
			qtq.Mul(q.T(), &q)
			if !mat.EqualApprox(&qtq, eye(n-1), 1e-14) {
				t.Errorf("QᵀQ is not the identity:\n%v", mat.Formatted(&qtq))
			}
			qts := mat.NewVecDense(n-1, nil)
			qts.MulVec(q.T(), mat.NewVecDense(n, sigma))
			if mat.Norm(qts, math.Inf(1)) > 1e-14*math.Sqrt(float64(n)) {
				t.Errorf("Qᵀσ = %v, want 0", mat.Formatted(qts.T()))
			}
			zero := make([]float64, n-1)
			pc := ch.Problem()
			gc := make([]float64, n-1)
			pc.Grad(gc, zero)
			wantg := mat.NewVecDense(n-1, nil)
			wantg.MulVec(q.T(), mat.NewVecDense(n, ge))
			if !closeVec(gc, wantg.RawVector().Data, 1e-12) {
				t.Errorf("chart gradient %v, Qᵀ∇H %v", gc, wantg.RawVector().Data)
			}
			if got := pc.Func(zero); math.Abs(got-s.Euclidean().Func(sigma)) > 1e-12*max(1, math.Abs(got)) {
				t.Errorf("chart value %v at 0, H(σ) = %v", got, s.Euclidean().Func(sigma))
			}
			var hc mat.SymDense
			pc.Hess(&hc, zero)
			var wanth mat.Dense
			wanth.Product(q.T(), &hr, &q)
			if !closeSym(&hc, denseSym(&wanth), 1e-12) {
				t.Errorf("chart Hessian\n%v\nQᵀ Hess_R Q\n%v", mat.Formatted(&hc), mat.Formatted(&wanth))
			}
			// Coordinates inverts Tangent on the tangent space.
			x, _ := spinGlassPoints(n-1, 9)
			back := ch.Coordinates(nil, ch.Tangent(nil, x))
			if !closeVec(back, x, 1e-14) {
				t.Errorf("Coordinates(Tangent(x)) = %v, want %v", back, x)
			}
			if pt := ch.Point(nil, x); math.Abs(floats.Dot(pt, pt)-float64(n)) > 1e-12*float64(n) {
				t.Errorf("chart point off the sphere: |σ|² = %v", floats.Dot(pt, pt))
			}
		})
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}

// denseSym returns the symmetric part of the square matrix a.
func denseSym(a *mat.Dense) *mat.SymDense {
	n, _ := a.Dims()
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, 0.5*(a.At(i, j)+a.At(j, i)))
		}
	}
	return s
}

func TestSpinGlassGradientDescent(t *testing.T) {
	if testing.Short() {
		t.Skip("gradient descent on N = 100 spins")
	}
	t.Parallel()
	// Riemannian gradient descent σ ← sqrt(N)(σ - η grad_R)/|...| from a
	// random start, polished by Newton steps in the chart, ends at a certified
	// local minimum: index 0 on the (N-1)-dimensional tangent space.
	//
	// Its energy per spin lies far below that of random points (mean 0,
	// standard deviation 1/sqrt(N)) and not below the ground state -E₀. It
	// does not lie in the asymptotic band [-E₀, -E∞] of Auffinger, Ben Arous
	// & Černý (2013) up to O(1/N): at N = 100 gradient descent stops at
	// minima above -E∞ (this run: -1.554; eight realisations: mean -1.554,
	// range [-1.605, -1.485]), with a gap to -E∞ that shrinks slowly with N
	// (mean -1.509, -1.554, -1.576 at N = 50, 100, 200).
	const (
		n, p = 100, 3
		eta  = 0.05
	)
	s := NewSpinGlass(n, p, 2015)
	sigma := s.RandomPoint(nil, rand.New(rand.NewPCG(2015, 1)))
	g := make([]float64, n)
	for range 20000 {
		s.RiemannianGrad(g, sigma)
		if floats.Norm(g, 2) < 1e-6 {
			break
		}
		floats.AddScaled(sigma, -eta, g)
		s.Retract(sigma, sigma)
	}
	// Newton in the chart at the current point: x = -H⁻¹ g, then recentre.
	var h mat.SymDense
	gc := make([]float64, n-1)
	zero := make([]float64, n-1)
	for range 5 {
		pc := s.Chart(sigma).Problem()
		pc.Grad(gc, zero)
		pc.Hess(&h, zero)
		var step mat.VecDense
		if err := step.SolveVec(&h, mat.NewVecDense(n-1, gc)); err != nil {
			t.Fatal(err)
		}
		step.ScaleVec(-1, &step)
		sigma = s.Chart(sigma).Point(nil, step.RawVector().Data)
	}
	s.RiemannianGrad(g, sigma)
	gnorm := floats.Norm(g, 2)
	if gnorm*gnorm > 1e-20 {
		t.Fatalf("||grad_R||² = %v after Newton polishing", gnorm*gnorm)
	}
	var hc mat.SymDense
	s.Chart(sigma).Problem().Hess(&hc, zero)
	vals, err := hessian.Eigenvalues(&hc)
	if err != nil {
		t.Fatal(err)
	}
	// Eigenvalues within sqrt(eps) of the largest in magnitude count as
	// zero, the relative tolerance of critical.Classify.
	tol := math.Sqrt(0x1p-52) * max(-vals[0], vals[len(vals)-1])
	if in := hessian.CountInertia(vals, tol); in.Neg != 0 || in.Zero != 0 {
		t.Errorf("descent ended at a point of inertia %+v (smallest eigenvalue %v), want a minimum", in, vals[0])
	}
	e := s.Euclidean().Func(sigma) / n
	if lo := -BandEdge(p, 0) - 1.0/n; e < lo {
		t.Errorf("energy per spin %v below the ground state -E₀ - 1/N = %v", e, lo)
	}
	// Ten standard deviations of a random point's energy per spin.
	if hi := -10 / math.Sqrt(n); e > hi {
		t.Errorf("energy per spin %v above %v: descent made no progress", e, hi)
	}
	t.Logf("energy per spin %.5f (band [%.5f, %.5f]), ||grad_R||² = %.3g, smallest eigenvalue %.4f",
		e, -BandEdge(p, 0), -ThresholdEnergy(p), gnorm*gnorm, vals[0])
}
