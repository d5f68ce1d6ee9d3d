package landscape

import (
	"fmt"
	"math"
)

// ThresholdEnergy returns E∞ = 2 sqrt((p-1)/p), the energy per spin -E∞ above
// which the critical points of the spherical p-spin glass have, with
// overwhelming probability, an index of order N (Auffinger, Ben Arous & Černý
// 2013). It panics if p < 2.
func ThresholdEnergy(p int) float64 {
	checkOrder(p)
	return 2 * math.Sqrt(float64(p-1)/float64(p))
}

// Complexity returns the annealed complexity of critical points of index k
// with energy per spin at most u (Auffinger, Ben Arous & Černý 2013, §2):
//
//	Θ_{k,p}(u) = lim (1/N) log E Crt_{N,k}((-∞, u])
//	           = ½ log(p-1) - (p-2)/(4(p-1)) u² - (k+1) I₁(u)   u <= -E∞
//	           = ½ log(p-1) - (p-2)/p                           u >= -E∞
//
//	I₁(u) = -(u/E∞²) sqrt(u² - E∞²) - log(-u + sqrt(u² - E∞²)) + log E∞.
//
// It panics if p < 2 or k < 0.
func Complexity(p, k int, u float64) float64 {
	einf := ThresholdEnergy(p)
	if k < 0 {
		panic(fmt.Sprintf("landscape: negative index %d", k))
	}
	pf := float64(p)
	if u >= -einf {
		return 0.5*math.Log(pf-1) - (pf-2)/pf
	}
	r := math.Sqrt(u*u - einf*einf)
	i1 := -u/(einf*einf)*r - math.Log(-u+r) + math.Log(einf)
	return 0.5*math.Log(pf-1) - (pf-2)/(4*(pf-1))*u*u - float64(k+1)*i1
}

// BandEdge returns E_k, where -E_k is the energy per spin below which there
// are, with overwhelming probability, no critical points of index k: the zero
// Θ_{k,p}(-E_k) = 0 of Complexity (Auffinger, Ben Arous & Černý 2013). No
// critical point lies below -E₀, the ground-state energy per spin, and
// E₀ > E₁ > E₂ > ... decrease to E∞, so that local minima lie in [-E₀, -E∞]
// and saddles of small index just above them (Choromanska et al. 2015). For p = 3,
// E₀ = 1.656998, and for p = 4, E₀ = 1.794085. For p = 2 every E_k is E∞ = sqrt 2.
// It panics if p < 2 or k < 0.
func BandEdge(p, k int) float64 {
	einf := ThresholdEnergy(p)
	if k < 0 {
		panic(fmt.Sprintf("landscape: negative index %d", k))
	}
	if Complexity(p, k, -einf) <= 0 {
		return einf
	}
	// Θ increases with u; bracket its zero below -E∞.
	lo := -2 * einf
	for Complexity(p, k, lo) > 0 {
		lo *= 2
	}
	hi := -einf
	for hi-lo > 4*math.SmallestNonzeroFloat64 {
		mid := lo + (hi-lo)/2
		if mid == lo || mid == hi {
			break
		}
		if Complexity(p, k, mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return -(lo + (hi-lo)/2)
}

func checkOrder(p int) {
	if p < 2 {
		panic(fmt.Sprintf("landscape: spin glass order p = %d < 2", p))
	}
}
