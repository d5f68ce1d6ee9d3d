package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func gaussianDense(r, c int, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

func TestDeepLinearDerivatives(t *testing.T) {
	t.Parallel()
	for i, sizes := range [][]int{{3, 2}, {4, 3, 2}, {3, 4, 2, 3}, {2, 3, 3, 2, 4}} {
		for _, norm := range []Norm{HalfMean, HalfSum, EntryMean} {
			t.Run(fmt.Sprintf("%v/%v", sizes, norm), func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(2, uint64(i)))
				d := DeepLinear{Sizes: sizes, Norm: norm}
				x := gaussianDense(9, sizes[0], rng)
				y := gaussianDense(9, sizes[len(sizes)-1], rng)
				net := NewLinearNet(d, x, y)
				w := randomPoint(net.NumParams(), 0.8, rng)
				checkProblem(t, net.Problem(), w, rng)
			})
		}
	}
}

// TestDeepLinearLoss checks the loss against the residual computed from
// the data directly, for each normalisation.
func TestDeepLinearLoss(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 0))
	sizes := []int{4, 3, 5}
	x := gaussianDense(11, 4, rng)
	y := gaussianDense(11, 5, rng)
	w := randomPoint(DeepLinear{Sizes: sizes}.NumParams(), 1, rng)
	prod := DeepLinear{Sizes: sizes}.Product(w)
	var r mat.Dense
	r.Mul(x, prod.T())
	r.Sub(y, &r)
	ss := mat.Norm(&r, 2)
	ss *= ss
	for _, c := range []struct {
		norm Norm
		want float64
	}{
		{HalfMean, ss / (2 * 11)},
		{HalfSum, ss / 2},
		{EntryMean, ss / (11 * 5)},
	} {
		got := NewLinearNet(DeepLinear{Sizes: sizes, Norm: c.norm}, x, y).Problem().Func(w)
		if math.Abs(got-c.want) > 1e-13*c.want {
			t.Errorf("%v: loss %v, want %v", c.norm, got, c.want)
		}
	}
}

// TestSaxeTimeScale checks that with HalfSum the negative gradient is the
// right-hand side of Saxe et al.'s gradient flow (their eq. 2-3 with
// τ = 1): −∂L/∂W21 = W32ᵀ(Σ31 − W32 W21 Σ11), −∂L/∂W32 = (Σ31 − W32 W21 Σ11) W21ᵀ,
// with Σ11 = I for the task's orthonormal inputs.
func TestSaxeTimeScale(t *testing.T) {
	t.Parallel()
	task := NewSaxeTask(8, 6, []float64{3, 2, 1, 0.5}, 7)
	var s11 mat.Dense
	s11.Mul(task.X.T(), task.X)
	if !mat.EqualApprox(&s11, identity(8), 1e-14) {
		t.Fatalf("inputs not orthonormal: Σ11 = %v", mat.Formatted(&s11))
	}
	var s31 mat.Dense
	s31.Mul(task.Y.T(), task.X)
	var us, usv mat.Dense
	us.Mul(task.U, mat.NewDiagDense(4, task.S))
	usv.Mul(&us, task.V.T())
	if !mat.EqualApprox(&s31, &usv, 1e-14) {
		t.Fatalf("Σ31 is not U S Vᵀ")
	}
	d := DeepLinear{Sizes: []int{8, 5, 6}, Norm: HalfSum}
	net := NewLinearNet(d, task.X, task.Y)
	w := d.Init(nil, Gaussian, 0.3, 1)
	g := make([]float64, len(w))
	net.Problem().Grad(g, w)
	w21, w32 := d.Layer(w, 1), d.Layer(w, 2)
	var prod, res mat.Dense // Σ31 − W32 W21 Σ11
	prod.Mul(w32, w21)
	res.Mul(&prod, &s11)
	res.Sub(&s31, &res)
	var want21, want32 mat.Dense
	want21.Mul(w32.T(), &res)
	want32.Mul(&res, w21.T())
	got21, got32 := d.Layer(g, 1), d.Layer(g, 2)
	got21.Scale(-1, got21)
	got32.Scale(-1, got32)
	if !mat.EqualApprox(got21, &want21, 1e-13) || !mat.EqualApprox(got32, &want32, 1e-13) {
		t.Errorf("negative gradient is not the right-hand side of Saxe's flow")
	}
	// The modes of the target map itself are its singular values.
	for a, u := range task.Modes(&s31) {
		if math.Abs(u-task.S[a]) > 1e-13 {
			t.Errorf("mode %d of Σ31: %v, want %v", a, u, task.S[a])
		}
	}
}

// TestSaxeTransitionTime runs gradient descent with learning rate η on
// the HalfSum loss of one mode (s = 3) from the balanced start
// u0 = 1e-3, with time t = η·steps (τ = 1), and checks the time at which
// u = w_2 w_1 reaches 1.5 against Saxe et al.'s closed form
// t = (τ/2s) ln(u_f (s − u0)/(u0 (s − u_f))) = 1.33434 (REFERENCES.md).
func TestSaxeTransitionTime(t *testing.T) {
	t.Parallel()
	task := NewSaxeTask(1, 1, []float64{3}, 1)
	p := NewLinearNet(DeepLinear{Sizes: []int{1, 1, 1}, Norm: HalfSum}, task.X, task.Y).Problem()
	const eta = 1e-4
	w := []float64{math.Sqrt(1e-3), math.Sqrt(1e-3)}
	if task.Modes(mat.NewDense(1, 1, []float64{w[0] * w[1]}))[0] < 0 {
		w[1] = -w[1] // the mode's sign follows the random singular vectors
	}
	g := make([]float64, 2)
	steps := 0
	for ; math.Abs(w[0]*w[1]) < 1.5 && steps < 1e6; steps++ {
		p.Grad(g, w)
		floats.AddScaled(w, -eta, g)
	}
	// Euler's method with step η is accurate to O(η) in time.
	if got := eta * float64(steps); math.Abs(got-1.33434) > 10*eta {
		t.Errorf("u reached 1.5 at t = %v, want 1.33434", got)
	}
}

// TestFryeAutoencoder checks the known answers of Frye et al. (2019): the
// loss at θ = 0 is the mean of the variances 1..16, 8.5, the origin is a
// saddle of index fraction 1/2, and the analytic critical points have
// squared gradient norms far below their certification threshold 1e-10.
func TestFryeAutoencoder(t *testing.T) {
	t.Parallel()
	net := FryeAutoencoder(1)
	p := net.Problem()
	if net.NumParams() != 128 {
		t.Fatalf("NumParams = %d, want 2·16·4 = 128", net.NumParams())
	}
	zero := make([]float64, 128)
	if f := p.Func(zero); math.Abs(f-8.5) > 1e-12 {
		t.Errorf("L(0) = %.15g, want 8.5", f)
	}
	var h mat.SymDense
	p.Hess(&h, zero)
	c, err := critical.Classify(&h, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != critical.Saddle || c.IndexFraction != 0.5 {
		t.Errorf("θ = 0: %v with index fraction %v, want a saddle with 0.5", c.Kind, c.IndexFraction)
	}

	vals, _, err := net.DataEigen()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		if want := float64(16 - i); math.Abs(v-want) > 1e-12 {
			t.Errorf("eigenvalue %d = %v, want %v", i, v, want)
		}
	}

	subsets := CriticalSubsets(16, 4)
	if len(subsets) != 2517 {
		t.Fatalf("%d subsets, want Σ_{i≤4} C(16,i) = 2517", len(subsets))
	}
	step := 1
	if testing.Short() {
		step = 37
	}
	g := make([]float64, 128)
	rng := rand.New(rand.NewPCG(4, 0))
	for si := 0; si < len(subsets); si += step {
		s := subsets[si]
		w, loss, err := net.CriticalPoint(s)
		if err != nil {
			t.Fatal(err)
		}
		// Loss: (1/16) Σ of the variances not kept.
		want := 8.5 * 16
		for _, i := range s {
			want -= float64(16 - i)
		}
		want /= 16
		if math.Abs(loss-want) > 1e-12 || math.Abs(p.Func(w)-want) > 1e-12 {
			t.Errorf("subset %v: loss %v (analytic) %v (Func), want %v", s, loss, p.Func(w), want)
		}
		p.Grad(g, w)
		if gg := floats.Dot(g, g); gg > 1e-20 {
			t.Errorf("subset %v: squared gradient norm %.3g", s, gg)
		}
		// The same point moved along its manifold, (C W1, W2 C⁻¹).
		cm := gaussianDense(4, 4, rng)
		for i := range 4 {
			cm.Set(i, i, cm.At(i, i)+4)
		}
		var cinv mat.Dense
		if err := cinv.Inverse(cm); err != nil {
			t.Fatal(err)
		}
		d := DeepLinear{Sizes: []int{16, 4, 16}}
		wc := make([]float64, 128)
		d.Layer(wc, 1).Mul(cm, d.Layer(w, 1))
		d.Layer(wc, 2).Mul(d.Layer(w, 2), &cinv)
		p.Grad(g, wc)
		if gg := floats.Dot(g, g); gg > 1e-20 {
			t.Errorf("subset %v moved by C: squared gradient norm %.3g", s, gg)
		}
	}
}

// TestBatch checks that a batch is the objective of the network built on
// the selected samples.
func TestBatch(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 0))
	idx := []int{4, 0, 7, 4}
	sub := func(m *mat.Dense) *mat.Dense {
		_, c := m.Dims()
		s := mat.NewDense(len(idx), c, nil)
		for r, i := range idx {
			s.SetRow(r, m.RawRowView(i))
		}
		return s
	}
	m := MLP{Sizes: []int{3, 4, 2}, Loss: CrossEntropy, L2: 0.1}
	x, y, _ := randomData(m, 9, rng)
	d := DeepLinear{Sizes: []int{3, 2, 2}, Norm: EntryMean}
	yl := gaussianDense(9, 2, rng)
	net := NewNet(m, x, y)
	lin := NewLinearNet(d, x, yl)
	cases := []struct {
		name      string
		n         int
		got, want hessian.Problem
	}{
		{"mlp", net.NumParams(), net.Batch(idx), NewNet(m, sub(x), sub(y)).Problem()},
		{"linear", lin.NumParams(), lin.Batch(idx), NewLinearNet(d, sub(x), sub(yl)).Problem()},
	}
	for _, c := range cases {
		w := randomPoint(c.n, 0.5, rng)
		fg, fw := c.got.Func(w), c.want.Func(w)
		gg, gw := make([]float64, c.n), make([]float64, c.n)
		c.got.Grad(gg, w)
		c.want.Grad(gw, w)
		if math.Abs(fg-fw) > 1e-14*math.Abs(fw) || relErr(gg, gw) > 1e-14 {
			t.Errorf("%s: batch gives %v, %v; want %v, %v", c.name, fg, gg, fw, gw)
		}
	}
	if net.Len() != 9 || lin.Len() != 9 {
		t.Errorf("Len = %d, %d, want 9", net.Len(), lin.Len())
	}
}

// BenchmarkLinear times the passes of the deep linear networks of the
// deep-linear experiment's depth study (experiments/deeplinear.go, default
// preset): 8 inputs and outputs, hidden width 8, depth L = 2, 5 and 10, on
// the Saxe task's 8 samples with singular values 3, 2, 1, 0.5, at an
// orthogonal initialisation.
func BenchmarkLinear(b *testing.B) {
	task := NewSaxeTask(8, 8, []float64{3, 2, 1, 0.5}, 1)
	for _, depth := range []int{2, 5, 10} {
		sizes := slices.Repeat([]int{8}, depth+1)
		d := DeepLinear{Sizes: sizes, Norm: HalfSum}
		p := NewLinearNet(d, task.X, task.Y).Problem()
		w := d.Init(nil, Orthogonal, 1, 2)
		v := randomPoint(len(w), 1, rand.New(rand.NewPCG(0, 1)))
		g := make([]float64, len(w))
		var h mat.SymDense
		h.ReuseAsSym(len(w))
		for _, c := range []struct {
			name string
			f    func()
		}{
			{"Func", func() { p.Func(w) }},
			{"Grad", func() { p.Grad(g, w) }},
			{"HessVec", func() { p.HessVec(g, w, v) }},
			{"Hess", func() { p.Hess(&h, w) }},
		} {
			b.Run(fmt.Sprintf("L=%d/%s", depth, c.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					c.f()
				}
			})
		}
	}
}

// TestLinearConcurrent evaluates one LinearNet's Problem and a Batch of it
// from several goroutines at once, which share its pool of buffers, and
// checks each result against the same evaluation done alone (run it with
// -race).
func TestLinearConcurrent(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 0))
	d := DeepLinear{Sizes: []int{6, 5, 4, 6}, Norm: HalfMean}
	net := NewLinearNet(d, gaussianDense(20, 6, rng), gaussianDense(20, 6, rng))
	probs := []hessian.Problem{net.Problem(), net.Batch([]int{1, 2, 3, 19})}
	n := net.NumParams()
	// eval returns Func, Grad, HessVec and the upper triangle of Hess, in
	// that order, of the problem i%2 at the i-th point.
	points := make([][2][]float64, 8)
	for i := range points {
		points[i] = [2][]float64{randomPoint(n, 0.5, rng), randomPoint(n, 1, rng)}
	}
	eval := func(i int) []float64 {
		p, w, v := probs[i%2], points[i][0], points[i][1]
		out := []float64{p.Func(w)}
		g := make([]float64, n)
		p.Grad(g, w)
		out = append(out, g...)
		p.HessVec(g, w, v)
		out = append(out, g...)
		var h mat.SymDense
		p.Hess(&h, w)
		for r := range n {
			for c := r; c < n; c++ {
				out = append(out, h.At(r, c))
			}
		}
		return out
	}
	want := make([][]float64, len(points))
	for i := range points {
		want[i] = eval(i)
	}
	got := make([][]float64, len(points))
	var wg sync.WaitGroup
	for i := range points {
		wg.Go(func() {
			for range 20 {
				got[i] = eval(i)
			}
		})
	}
	wg.Wait()
	for i := range points {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("point %d: concurrent evaluation differs from the sequential one", i)
		}
	}
}
