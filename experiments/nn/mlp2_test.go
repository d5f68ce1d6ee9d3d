package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestMLPLayout checks the parameter layout against a hand computation:
// W_1 row-major, b_1, W_2, b_2, the order of PyTorch's nn.Linear.
func TestMLPLayout(t *testing.T) {
	t.Parallel()
	m := MLP{Sizes: []int{2, 2, 1}, Activations: []Activation{Linear, Linear}}
	w := []float64{
		1, 2, // W_1 row 0
		3, 4, // W_1 row 1
		0.5, -1, // b_1
		10, 100, // W_2
		7, // b_2
	}
	if m.NumParams() != len(w) {
		t.Fatalf("NumParams = %d, want %d", m.NumParams(), len(w))
	}
	x := mat.NewDense(1, 2, []float64{1, -2})
	var out mat.Dense
	m.Predict(&out, w, x)
	// Hidden: (1 − 4 + 0.5, 3 − 8 − 1) = (−2.5, −6); output −25 − 600 + 7.
	if got := out.At(0, 0); got != -618 {
		t.Errorf("output %v, want −618", got)
	}
	w1, b1 := m.Layer(w, 1)
	if w1.At(1, 0) != 3 || b1[1] != -1 {
		t.Errorf("Layer(1) = %v, %v", mat.Formatted(w1), b1)
	}
	if n := (MLP{Sizes: []int{100, 10, 10}}).NumParams(); n != 1120 {
		t.Errorf("100-10-10 has %d parameters, want 1120 (anchors.py)", n)
	}
	if n := (MLP{Sizes: []int{100, 10, 10}, NoBias: true}).NumParams(); n != 1100 {
		t.Errorf("100-10-10 without biases has %d parameters, want 1100", n)
	}
}

// TestMLPLossKnown checks the losses at w = 0, where every output is 0:
// MSE gives (1/(2N)) Σ‖y‖², cross-entropy log K for K classes.
func TestMLPLossKnown(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 0))
	for _, m := range []MLP{
		{Sizes: []int{3, 4, 5}, Loss: CrossEntropy},
		{Sizes: []int{3, 4, 5}, Loss: MSE},
	} {
		x, y, _ := randomData(m, 6, rng)
		got := NewNet(m, x, y).Problem().Func(make([]float64, m.NumParams()))
		want := math.Log(5)
		if m.Loss == MSE {
			f := mat.Norm(y, 2)
			want = f * f / 12
		}
		if math.Abs(got-want) > 1e-15*want {
			t.Errorf("%v: L(0) = %v, want %v", m.Loss, got, want)
		}
	}
}

// TestTeacherStudent checks that without noise the teacher is a global
// minimum of the student's loss: zero loss and zero gradient.
func TestTeacherStudent(t *testing.T) {
	t.Parallel()
	m := MLP{Sizes: []int{4, 6, 2}, Activations: []Activation{Tanh, Linear}}
	x, y, wt := TeacherStudent(m, 50, 0, 3)
	p := NewNet(m, x, y).Problem()
	g := make([]float64, len(wt))
	p.Grad(g, wt)
	if f := p.Func(wt); f != 0 || floats.Norm(g, 2) != 0 {
		t.Errorf("teacher: loss %v, gradient norm %v, want 0, 0", f, floats.Norm(g, 2))
	}
	// With noise σ the loss at the teacher is about σ²·n_L/2 (here 0.01).
	x, y, wt = TeacherStudent(m, 2000, 0.1, 3)
	if f := NewNet(m, x, y).Problem().Func(wt); math.Abs(f-0.01) > 0.001 {
		t.Errorf("noisy teacher: loss %v, want about 0.01", f)
	}
}

func TestInit(t *testing.T) {
	t.Parallel()
	m := MLP{Sizes: []int{200, 150, 50}}
	fanVar := 2.0 / 350
	for _, c := range []struct {
		s         Scheme
		scale     float64
		wantVar   float64 // of the entries of W_1
		wantRange float64 // largest |entry| allowed, 0: any
	}{
		{Gaussian, 0.1, 0.01, 0},
		{GlorotUniform, 1, fanVar, math.Sqrt(6.0 / 350)},
		{GlorotNormal, 2, 4 * fanVar, 0},
		{Orthogonal, 1, 1.0 / 200, 0}, // 150 orthonormal rows of length 200
	} {
		w := m.Init(nil, c.s, c.scale, 1)
		w1, b1 := m.Layer(w, 1)
		d := w1.RawMatrix().Data
		// 30000 entries: the sample variance is within 3% (about 4
		// standard errors √(2/30000) of a Gaussian's).
		if v := stat.Variance(d, nil); math.Abs(v/c.wantVar-1) > 0.03 {
			t.Errorf("%v: variance %v, want %v", c.s, v, c.wantVar)
		}
		if c.wantRange > 0 && floats.Max(d) > c.wantRange || c.wantRange > 0 && floats.Min(d) < -c.wantRange {
			t.Errorf("%v: entries outside ±%v", c.s, c.wantRange)
		}
		if floats.Norm(b1, 2) != 0 {
			t.Errorf("%v: non-zero biases", c.s)
		}
		if again := m.Init(nil, c.s, c.scale, 1); !floats.Equal(again, w) {
			t.Errorf("%v: same seed, other parameters", c.s)
		}
		if c.s == Orthogonal {
			// W_1 is 150×200: orthonormal rows.
			var g mat.Dense
			g.Mul(w1, w1.T())
			if !mat.EqualApprox(&g, identity(150), 1e-12) {
				t.Errorf("orthogonal W_1 Wᵀ_1 is not the identity")
			}
		}
	}
	// Tall orthogonal matrices have orthonormal columns.
	d := DeepLinear{Sizes: []int{3, 5}}
	w := d.Init(nil, Orthogonal, 2, 9)
	var g mat.Dense
	g.Mul(d.Layer(w, 1).T(), d.Layer(w, 1))
	four := identity(3)
	four.Scale(4, four)
	if !mat.EqualApprox(&g, four, 1e-12) {
		t.Errorf("orthogonal 5×3 at scale 2: WᵀW = %v, want 4I", mat.Formatted(&g))
	}
}

func TestAccuracy(t *testing.T) {
	t.Parallel()
	// A linear classifier that copies its 3 inputs to 3 outputs.
	m := MLP{Sizes: []int{3, 3}, Loss: CrossEntropy, NoBias: true}
	w := []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	x := mat.NewDense(4, 3, []float64{
		1, 0, 0,
		0, 2, 1,
		0, 0, 3,
		5, 1, 1,
	})
	labels := []int{0, 1, 1, 2}
	if a := m.Accuracy(w, x, labels); a != 0.5 {
		t.Errorf("accuracy %v, want 0.5", a)
	}
	if e := m.ClassificationError(w, x, labels); e != 0.5 {
		t.Errorf("classification error %v, want 0.5", e)
	}
}

// TestChunkedHessian checks, on Hessians assembled over several chunks of
// samples (the last one shorter), that Hess·v equals the R-operator HVP
// for random v: on a small net with chunks of 7 samples, and on the
// benchmark model with its default chunks.
func TestChunkedHessian(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(10, 1))
	m := MLP{Sizes: []int{6, 5, 4}, Loss: CrossEntropy}
	x, y, _ := randomData(m, 50, rng)
	small := NewNet(m, x, y)
	cols := 7 + 28 + 15 + 6 + 21 + 10 + 4*6*5 // Σ_l q + q(q+1)/2 + o(o+1)/2, plus K
	small.arch.chunkFloats = 7 * cols
	checkHessVec(t, small.Problem(), randomPoint(small.NumParams(), 0.5, rng), rng)
	if testing.Short() {
		return
	}
	net, w := anchorNet()
	checkHessVec(t, net.Problem(), w, rng)
}

func checkHessVec(t *testing.T, p hessian.Problem, w []float64, rng *rand.Rand) {
	t.Helper()
	var h mat.SymDense
	p.Hess(&h, w)
	n := len(w)
	for range 3 {
		v := randomPoint(n, 1, rng)
		hv := make([]float64, n)
		p.HessVec(hv, w, v)
		var hvh mat.VecDense
		hvh.MulVec(&h, mat.NewVecDense(n, v))
		if d := relErr(hvh.RawVector().Data, hv); d > 1e-12 {
			t.Errorf("Hess·v differs from HessVec: relative error %.3g", d)
		}
	}
}

// TestHessianDeterministic checks that the Hessian does not depend on the
// number of threads: bitwise equal with GOMAXPROCS 1 and 3.
func TestHessianDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	m := MLP{Sizes: []int{20, 6, 5, 4}, Loss: CrossEntropy, Activations: []Activation{Tanh, Swish, Linear}}
	x, y, _ := randomData(m, 700, rng)
	net := NewNet(m, x, y)
	w := randomPoint(net.NumParams(), 0.3, rng)
	procs := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(procs)
	var h1, h3 mat.SymDense
	net.Problem().Hess(&h1, w)
	runtime.GOMAXPROCS(3)
	net.Problem().Hess(&h3, w)
	if !mat.Equal(&h1, &h3) {
		t.Errorf("Hessian differs between GOMAXPROCS 1 and 3")
	}
}

// TestConcurrentUse evaluates one Problem from several goroutines at once
// (run with -race) and compares with serial results.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(12, 0))
	m := MLP{Sizes: []int{5, 4, 3}, Loss: CrossEntropy}
	x, y, _ := randomData(m, 30, rng)
	net := NewNet(m, x, y)
	lin := NewLinearNet(DeepLinear{Sizes: []int{5, 2, 3}}, x, y)
	for _, c := range []struct {
		name string
		n    int
		p    hessian.Problem
	}{
		{"mlp", net.NumParams(), net.Problem()},
		{"linear", lin.NumParams(), lin.Problem()},
	} {
		name, grad, hessVec := c.name, c.p.Grad, c.p.HessVec
		points := make([][]float64, 8)
		want := make([][]float64, 8)
		for i := range points {
			points[i] = randomPoint(c.n, 0.5, rng)
			want[i] = make([]float64, c.n)
			grad(want[i], points[i])
		}
		var wg sync.WaitGroup
		got := make([][]float64, 8)
		for i := range points {
			wg.Go(func() {
				got[i] = make([]float64, c.n)
				hv := make([]float64, c.n)
				for range 5 {
					hessVec(hv, points[i], points[(i+1)%8])
					grad(got[i], points[i])
				}
			})
		}
		wg.Wait()
		for i := range points {
			if !floats.Equal(got[i], want[i]) {
				t.Errorf("%s: concurrent gradient %d differs from the serial one", name, i)
			}
		}
	}
}
