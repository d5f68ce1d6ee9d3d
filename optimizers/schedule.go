package optimizers

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate η_k of iteration k = 0, 1, 2, ....
// Methods with a learning rate use their Schedule, when set, in place of
// their constant LearningRate.
type Schedule interface {
	LearningRate(k int) float64
}

// Constant is the schedule η_k = η for every k.
type Constant float64

// LearningRate returns c.
func (c Constant) LearningRate(int) float64 { return float64(c) }

// LinearAnneal is the annealed learning rate of the lecture (SGD with
// "simulated annealing"): η blends linearly from Initial to Final over Tau
// steps and stays at Final afterwards,
//
//	η_k = (1 - k/τ) η_0 + (k/τ) η_τ   for k <= τ,
//	η_k = η_τ                         for k > τ.
//
// A Tau <= 0 gives Final from the start.
type LinearAnneal struct {
	Initial float64 // η_0
	Final   float64 // η_τ
	Tau     int     // τ, the number of steps of the blend
}

// LearningRate returns η_k.
func (s LinearAnneal) LearningRate(k int) float64 {
	if k >= s.Tau {
		return s.Final
	}
	t := float64(k) / float64(s.Tau)
	return (1-t)*s.Initial + t*s.Final
}

// StepDecay multiplies the learning rate by Factor every Every steps:
//
//	η_k = η_0 · Factor^⌊k / Every⌋.
type StepDecay struct {
	// Initial is η_0.
	Initial float64

	// Factor is the decay factor, in (0, 1]. Zero means 0.1.
	Factor float64

	// Every is the number of steps between decays; it must be positive.
	Every int
}

// LearningRate returns η_k. It panics if Every < 1.
func (s StepDecay) LearningRate(k int) float64 {
	if s.Every < 1 {
		panic(fmt.Sprintf("optimizers: StepDecay.Every = %d < 1", s.Every))
	}
	return s.Initial * math.Pow(orDefault(s.Factor, 0.1), float64(k/s.Every))
}
