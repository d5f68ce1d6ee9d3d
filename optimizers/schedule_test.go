package optimizers

import (
	"math"
	"testing"
)

// TestSchedules checks the learning rates of the schedules against values
// computed by hand from their formulas.
func TestSchedules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		s    Schedule
		k    []int
		want []float64
	}{
		{"Constant", Constant(0.3), []int{0, 1, 1000}, []float64{0.3, 0.3, 0.3}},
		// η_k = (1 - k/4)·0.1 + (k/4)·0.02 for k <= 4, then 0.02.
		{"LinearAnneal", LinearAnneal{Initial: 0.1, Final: 0.02, Tau: 4}, []int{0, 1, 2, 3, 4, 5, 100}, []float64{0.1, 0.08, 0.06, 0.04, 0.02, 0.02, 0.02}},
		{"LinearAnneal/Tau0", LinearAnneal{Initial: 0.1, Final: 0.02}, []int{0, 1}, []float64{0.02, 0.02}},
		// η_k = 0.8·0.5^⌊k/3⌋.
		{"StepDecay", StepDecay{Initial: 0.8, Factor: 0.5, Every: 3}, []int{0, 2, 3, 5, 6, 9}, []float64{0.8, 0.8, 0.4, 0.4, 0.2, 0.1}},
		{"StepDecay/default", StepDecay{Initial: 1, Every: 10}, []int{9, 10, 25}, []float64{1, 0.1, 0.01}},
	}
	for _, c := range cases {
		for i, k := range c.k {
			if got := c.s.LearningRate(k); math.Abs(got-c.want[i]) > 1e-15 {
				t.Errorf("%s: η_%d = %v, want %v", c.name, k, got, c.want[i])
			}
		}
	}
}
