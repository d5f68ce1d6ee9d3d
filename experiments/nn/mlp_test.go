package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomData returns n Gaussian inputs and targets for m: Gaussian targets
// for MSE, one-hot rows of uniform labels for CrossEntropy.
func randomData(m MLP, n int, rng *rand.Rand) (x, y *mat.Dense, labels []int) {
	in, out := m.Sizes[0], m.Sizes[len(m.Sizes)-1]
	x = mat.NewDense(n, in, nil)
	y = mat.NewDense(n, out, nil)
	labels = make([]int, n)
	for i := range n {
		for j := range in {
			x.Set(i, j, rng.NormFloat64())
		}
		if m.Loss == CrossEntropy {
			labels[i] = rng.IntN(out)
			y.Set(i, labels[i], 1)
		} else {
			for k := range out {
				y.Set(i, k, rng.NormFloat64())
			}
		}
	}
	return x, y, labels
}

// randomPoint returns Gaussian parameters with standard deviation sd: every
// coordinate differs from the others.
func randomPoint(n int, sd float64, rng *rand.Rand) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = sd * rng.NormFloat64()
	}
	return w
}

// minAbsPreactivation returns the smallest |z| over the hidden and output
// pre-activations of net at w: ReLU derivatives are exact only away from
// z = 0, so the ReLU checks make sure the finite-difference stencils do
// not cross a kink.
func minAbsPreactivation(net *Net, w []float64) float64 {
	ws := new(mlpWork)
	net.arch.forward(gemm, ws, w, net.data, 0)
	m := math.Inf(1)
	for _, z := range ws.z {
		for _, v := range z {
			m = math.Min(m, math.Abs(v))
		}
	}
	return m
}

func TestMLPDerivatives(t *testing.T) {
	t.Parallel()
	acts := []Activation{Linear, Tanh, ReLU, Softplus, Swish}
	type tc struct {
		name string
		mlp  MLP
	}
	var cases []tc
	for _, act := range acts {
		for _, loss := range []Loss{MSE, CrossEntropy} {
			for _, noBias := range []bool{false, true} {
				for _, l2 := range []float64{0, 0.3} {
					cases = append(cases, tc{
						name: fmt.Sprintf("%v/%v/nobias=%v/l2=%v", act, loss, noBias, l2),
						mlp: MLP{
							Sizes:       []int{4, 5, 3, 3},
							Activations: []Activation{act, act, act},
							Loss:        loss,
							NoBias:      noBias,
							L2:          l2,
						},
					})
				}
			}
		}
	}
	cases = append(cases,
		tc{"mixed/mse", MLP{Sizes: []int{3, 4, 2, 3, 2}, Activations: []Activation{Tanh, Softplus, Swish, Linear}, L2: 0.1}},
		tc{"default-activations/ce", MLP{Sizes: []int{6, 3, 4}, Loss: CrossEntropy}},
		tc{"single-layer/ce", MLP{Sizes: []int{5, 3}, Loss: CrossEntropy}},
	)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, uint64(i)))
			x, y, _ := randomData(c.mlp, 7, rng)
			net := NewNet(c.mlp, x, y)
			w := randomPoint(net.NumParams(), 0.7, rng)
			if c.mlp.Activations != nil && c.mlp.Activations[0] == ReLU {
				// Redraw until no pre-activation is near the kink (a
				// hidden layer whose units are all off for a sample gives
				// z = 0 exactly downstream when there are no biases).
				for try := 0; minAbsPreactivation(net, w) < 100*fdStep; try++ {
					if try == 100 {
						t.Fatal("no test point away from the ReLU kinks")
					}
					w = randomPoint(net.NumParams(), 0.7, rng)
				}
			}
			checkProblem(t, net.Problem(), w, rng)
		})
	}
}
