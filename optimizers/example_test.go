package optimizers_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/internal/testfunc"
	"github.com/critpoint/critpoint/optimizers"
	"gonum.org/v1/gonum/diff/fd"
)

// ExampleMinimize compares pure and saddle-free Newton on the saddle
// f = 5x² - y²: Newton converges to the saddle in one step, saddle-free
// Newton escapes it, doubling y until the loss runs off to -∞.
func ExampleMinimize() {
	p := testfunc.SaddleQuadratic().Problem
	x0 := []float64{0.5, 0.25}

	r, err := optimizers.Minimize(p, x0, &optimizers.Newton{}, nil)
	fmt.Printf("Newton: %v after %d step at (%.3g, %.3g), error %v\n", r.Status, r.Iterations, r.X[0], r.X[1], err)

	r, err = optimizers.Minimize(p, x0, &optimizers.SaddleFreeNewton{}, &optimizers.Settings{MaxIterations: 3})
	fmt.Printf("saddle-free Newton: %v after %d steps at (%.3g, %.3g), f = %.4g, error %v\n", r.Status, r.Iterations, r.X[0], r.X[1], r.F, err)

	// Output:
	// Newton: GradientThreshold after 1 step at (0, 0), error <nil>
	// saddle-free Newton: IterationLimit after 3 steps at (0, 2), f = -4, error <nil>
}

// ExampleMinimize_minibatch fits a line y = w₀x + w₁ to four noisy points
// with minibatch gradient descent and the lecture's annealed learning rate,
// monitoring the full loss every 100 steps. The least-squares line is
// y = 1.97x - 0.93.
func ExampleMinimize_minibatch() {
	data := line{x: []float64{0, 1, 2, 3}, y: []float64{-0.9, 1.1, 2.8, 5.1}}
	full := data.Batch([]int{0, 1, 2, 3})
	var tr optimizers.Trajectory
	r, err := optimizers.Minimize(full, []float64{0, 0}, &optimizers.SGD{
		Schedule: optimizers.LinearAnneal{Initial: 0.1, Final: 0.001, Tau: 2000},
	}, &optimizers.Settings{
		Sampler:         optimizers.Minibatch(data, 2, 1),
		MaxIterations:   3000,
		MonitorInterval: 100,
		Recorder:        &tr,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w = (%.2f, %.2f), loss %.4f, %d iterates recorded, %d monitored\n",
		r.X[0], r.X[1], r.F, len(tr.Iterates), monitored(tr))
	// Output:
	// w = (1.97, -0.93), loss 0.0079, 3001 iterates recorded, 31 monitored
}

// line is the Batched objective of fitting y = w₀x + w₁ by least squares:
// the mean over the batch of ½(w₀xᵢ + w₁ - yᵢ)².
type line struct{ x, y []float64 }

func (l line) Len() int { return len(l.x) }

func (l line) Batch(idx []int) hessian.Problem {
	scale := 1 / float64(len(idx))
	return hessian.Problem{
		Func: func(w []float64) float64 {
			var f float64
			for _, i := range idx {
				r := w[0]*l.x[i] + w[1] - l.y[i]
				f += 0.5 * r * r
			}
			return scale * f
		},
		Grad: func(g, w []float64) {
			g[0], g[1] = 0, 0
			for _, i := range idx {
				r := w[0]*l.x[i] + w[1] - l.y[i]
				g[0] += scale * r * l.x[i]
				g[1] += scale * r
			}
		},
	}
}

func monitored(tr optimizers.Trajectory) int {
	var n int
	for _, it := range tr.Iterates {
		if it.Monitored {
			n++
		}
	}
	return n
}

// TestLineGradient checks line's gradient against central differences at a
// point with distinct coordinates.
func TestLineGradient(t *testing.T) {
	t.Parallel()
	l := line{x: []float64{0, 1, 2, 3}, y: []float64{-1, 1, 3, 5}}
	for _, idx := range [][]int{{0, 1, 2, 3}, {3, 1}} {
		p := l.Batch(idx)
		w := []float64{0.7, -1.9}
		g := make([]float64, 2)
		p.Grad(g, w)
		want := fd.Gradient(nil, p.Func, w, &fd.Settings{Formula: fd.Central})
		for i := range g {
			// Central differences of a quadratic are exact up to rounding
			// of order ε/h ≈ 1e-11.
			if math.Abs(g[i]-want[i]) > 1e-8 {
				t.Errorf("batch %v: gradient %v, finite differences %v", idx, g, want)
			}
		}
	}
}
