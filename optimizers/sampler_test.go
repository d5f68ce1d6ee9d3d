package optimizers

import (
	"math"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/hessian"
)

// indexLog is a Batched whose batches record their indices.
type indexLog struct {
	n       int
	batches [][]int
}

func (l *indexLog) Len() int { return l.n }

func (l *indexLog) Batch(idx []int) hessian.Problem {
	l.batches = append(l.batches, slices.Clone(idx))
	return hessian.Problem{}
}

// TestMinibatchEpochs checks sampling without replacement: every epoch is a
// permutation of the samples cut into batches of the given size, with the
// remainder last, and Init restarts the same sequence.
func TestMinibatchEpochs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		n     int
		size  int
		sizes []int // batch sizes of one epoch
	}{
		{"online", 5, 1, []int{1, 1, 1, 1, 1}},
		{"divides", 6, 3, []int{3, 3}},
		{"remainder", 10, 4, []int{4, 4, 2}},
		{"larger than N", 3, 7, []int{3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			data := &indexLog{n: c.n}
			var s Sampler
			if c.size == 1 {
				s = Online(data, 42)
			} else {
				s = Minibatch(data, c.size, 42)
			}
			const epochs = 4
			s.Init()
			for range epochs * len(c.sizes) {
				s.Next()
			}
			first := data.batches
			var perms [][]int
			for e := range epochs {
				var perm []int
				for b, size := range c.sizes {
					batch := first[e*len(c.sizes)+b]
					if len(batch) != size {
						t.Errorf("epoch %d batch %d has %d samples, want %d", e, b, len(batch), size)
					}
					perm = append(perm, batch...)
				}
				sorted := slices.Sorted(slices.Values(perm))
				for i, v := range sorted {
					if v != i {
						t.Fatalf("epoch %d visits %v, not a permutation of 0..%d", e, perm, c.n-1)
					}
				}
				perms = append(perms, perm)
			}
			if c.n >= 5 && slices.Equal(perms[0], perms[1]) && slices.Equal(perms[1], perms[2]) {
				t.Errorf("the first three epochs have the same order %v", perms[0])
			}
			data.batches = nil
			s.Init()
			for range epochs * len(c.sizes) {
				s.Next()
			}
			for i := range first {
				if !slices.Equal(first[i], data.batches[i]) {
					t.Fatalf("after Init, batch %d is %v, first run gave %v", i, data.batches[i], first[i])
				}
			}
		})
	}
}

// TestFullBatch checks that FullBatch hands every step all samples.
func TestFullBatch(t *testing.T) {
	t.Parallel()
	data := &indexLog{n: 4}
	s := FullBatch(data)
	s.Init()
	s.Next()
	s.Next()
	if len(data.batches) != 1 || !slices.Equal(data.batches[0], []int{0, 1, 2, 3}) {
		t.Errorf("batches %v, want the one full batch [0 1 2 3]", data.batches)
	}
}

// TestStochasticLeastSquares runs online and minibatch gradient descent,
// and momentum on minibatches, with the lecture's annealed learning rate on
// noisy linear regression, y = xᵀw + 0.1·noise with 500 samples, and
// compares the result with the least-squares solution of the normal
// equations.
//
// The data determine w* only to its standard errors σ̂√((XᵀX)⁻¹)_jj (about
// 0.0045 here), so the test asks each coordinate to be within a quarter of
// its standard error: closer than the data can resolve. Annealing η to zero
// removes the stationary noise of constant-rate SGD; what remains is the
// noise of the last steps. Measured over seeds 1 to 30, the largest error
// was 0.19 standard errors online (50000 steps) and 0.04 with batches of 10
// (10000 steps).
func TestStochasticLeastSquares(t *testing.T) {
	t.Parallel()
	data := newRegression(500, []float64{1, -2, 0.5}, 0.1, 11)
	w, se := data.normalEquations()
	full := data.Batch(data.all())
	cases := []struct {
		name    string
		sampler Sampler
		m       Method
		iters   int
	}{
		{"online", Online(data, 7), &SGD{Schedule: LinearAnneal{Initial: 0.05, Final: 0, Tau: 50000}}, 50000},
		{"minibatch", Minibatch(data, 10, 7), &SGD{Schedule: LinearAnneal{Initial: 0.1, Final: 0, Tau: 10000}}, 10000},
		{"minibatch/Momentum", Minibatch(data, 10, 7), &Momentum{Schedule: LinearAnneal{Initial: 0.01, Final: 0, Tau: 10000}}, 10000},
		// Deterministic gradient descent on the full batch converges to w*
		// itself; its tolerance is still the statistical one.
		{"full", FullBatch(data), &SGD{LearningRate: 0.5}, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := Minimize(full, []float64{0, 0, 0}, c.m, &Settings{Sampler: c.sampler, MaxIterations: c.iters, MonitorInterval: 100})
			if err != nil {
				t.Fatal(err)
			}
			for j := range w {
				if d := math.Abs(r.X[j] - w[j]); d > se[j]/4 {
					t.Errorf("w[%d] = %v, least squares %v: off by %.3g standard errors", j, r.X[j], w[j], d/se[j])
				}
			}
		})
	}
}

// TestSameSeedSameTrajectory runs the same stochastic minimisation twice
// and requires identical trajectories, bit for bit, and a different one for
// another seed.
func TestSameSeedSameTrajectory(t *testing.T) {
	t.Parallel()
	data := newRegression(50, []float64{0.5, 1, -1, 2}, 0.5, 5)
	full := data.Batch(data.all())
	run := func(seed uint64, s Sampler) []Iterate {
		var tr Trajectory
		m := &Adam{LearningRate: 0.05}
		if s == nil {
			s = Minibatch(data, 8, seed)
		}
		_, err := Minimize(full, []float64{0, 0, 0, 0}, m, &Settings{Sampler: s, MaxIterations: 200, MonitorInterval: 3, Recorder: &tr})
		if err != nil {
			t.Fatal(err)
		}
		return tr.Iterates
	}
	a, b, c := run(1, nil), run(1, nil), run(2, nil)
	if len(a) != 201 {
		t.Fatalf("%d iterates, want 201", len(a))
	}
	same := func(x, y []Iterate) bool {
		return slices.EqualFunc(x, y, func(p, q Iterate) bool {
			return slices.Equal(p.X, q.X) && p.Monitored == q.Monitored &&
				(p.F == q.F || math.IsNaN(p.F) && math.IsNaN(q.F))
		})
	}
	if !same(a, b) {
		t.Error("same seed, different trajectories")
	}
	if same(a, c) {
		t.Error("seeds 1 and 2 give the same trajectory")
	}
	// A sampler value reused for a second run restarts its stream.
	s := Minibatch(data, 8, 1)
	if d, e := run(0, s), run(0, s); !same(a, d) || !same(a, e) {
		t.Error("reused sampler does not reproduce the trajectory")
	}
	// Monitoring every third iterate: F is NaN in between.
	if a[1].Monitored || !math.IsNaN(a[1].F) || !a[3].Monitored || math.IsNaN(a[3].F) {
		t.Errorf("monitoring: iterate 1 %v %v, iterate 3 %v %v", a[1].Monitored, a[1].F, a[3].Monitored, a[3].F)
	}
}
