package nn

import (
	"fmt"
	"math"
)

// Activation is an elementwise nonlinearity φ applied to the pre-activations
// of a layer.
type Activation int

const (
	// Linear is φ(z) = z.
	Linear Activation = iota
	// Tanh is φ(z) = tanh z, with φ' = 1 - φ² and φ″ = -2φ(1 - φ²).
	Tanh
	// ReLU is φ(z) = max(z, 0). Its derivative is taken as 0 at z = 0 and
	// its second derivative as 0 everywhere, so derivatives are exact only
	// away from the kink at z = 0.
	ReLU
	// Softplus is φ(z) = log(1 + e^z), with φ' = σ(z) and φ″ = σ(z)(1 - σ(z)),
	// σ the logistic function.
	Softplus
	// Swish is φ(z) = z σ(z) (Ramachandran, Zoph & Le 2017), with
	// φ' = σ + zσ(1 - σ) and φ″ = σ(1 - σ)(2 + z(1 - 2σ)).
	Swish
)

// String returns the lower-case name of a.
func (a Activation) String() string {
	switch a {
	case Linear:
		return "linear"
	case Tanh:
		return "tanh"
	case ReLU:
		return "relu"
	case Softplus:
		return "softplus"
	case Swish:
		return "swish"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

func (a Activation) valid() bool { return a >= Linear && a <= Swish }

// sigmoid returns the logistic function 1/(1 + e^-z) without overflow.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// apply stores φ(z) in dst and, when d1 (d2) is not nil, φ'(z) in d1
// (φ″(z) in d2). All slices have the length of z.
func (a Activation) apply(dst, d1, d2, z []float64) {
	switch a {
	case Linear:
		copy(dst, z)
		fill(d1, 1)
		fill(d2, 0)
	case Tanh:
		for i, v := range z {
			t := math.Tanh(v)
			dst[i] = t
			if d1 != nil {
				d1[i] = 1 - t*t
			}
			if d2 != nil {
				d2[i] = -2 * t * (1 - t*t)
			}
		}
	case ReLU:
		for i, v := range z {
			if v > 0 {
				dst[i] = v
				if d1 != nil {
					d1[i] = 1
				}
			} else {
				dst[i] = 0
				if d1 != nil {
					d1[i] = 0
				}
			}
		}
		fill(d2, 0)
	case Softplus:
		for i, v := range z {
			dst[i] = math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
			s := sigmoid(v)
			if d1 != nil {
				d1[i] = s
			}
			if d2 != nil {
				d2[i] = s * (1 - s)
			}
		}
	case Swish:
		for i, v := range z {
			s := sigmoid(v)
			dst[i] = v * s
			if d1 != nil {
				d1[i] = s + v*s*(1-s)
			}
			if d2 != nil {
				d2[i] = s * (1 - s) * (2 + v*(1-2*s))
			}
		}
	default:
		panic(fmt.Sprintf("nn: unknown activation %d", int(a)))
	}
}

// fill sets every element of s to v; a nil s is left alone.
func fill(s []float64, v float64) {
	for i := range s {
		s[i] = v
	}
}
