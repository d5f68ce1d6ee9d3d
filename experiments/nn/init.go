package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Scheme is a random initialisation of the weight matrices of a layered
// network. Biases always start at zero.
type Scheme int

const (
	// Gaussian draws W_l[i,j] ~ N(0, scale²).
	Gaussian Scheme = iota
	// GlorotUniform draws W_l[i,j] ~ U(−r, r) with
	// r = scale·√(6/(n_{l−1} + n_l)) (Glorot & Bengio 2010, eq. 16; scale
	// 1 is theirs).
	GlorotUniform
	// GlorotNormal draws W_l[i,j] ~ N(0, scale²·2/(n_{l−1} + n_l)), the
	// normal distribution with the variance of GlorotUniform.
	GlorotNormal
	// Orthogonal sets W_l = scale·Q with Q a Haar-random n_l × n_{l−1}
	// matrix with orthonormal columns (n_l ≥ n_{l−1}) or rows (n_l <
	// n_{l−1}) (Saxe, McClelland & Ganguli 2013, section 4).
	Orthogonal
)

// String returns the lower-case name of s.
func (s Scheme) String() string {
	switch s {
	case Gaussian:
		return "gaussian"
	case GlorotUniform:
		return "glorot-uniform"
	case GlorotNormal:
		return "glorot-normal"
	case Orthogonal:
		return "orthogonal"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// Random streams of rand.NewPCG(seed, stream) used by this package, so
// that the draws of one seed for different purposes are independent.
const (
	streamInit    = 0x696e6974 // weights of Init
	streamInputs  = 0x696e7075 // synthetic inputs
	streamNoise   = 0x6e6f6973 // target noise
	streamTargets = 0x74617267 // target maps and labels
	streamSubset  = 0x73756273 // subsets of data sets
)

// Init fills dst with parameters for m drawn by the scheme s at the given
// scale ≥ 0, and returns it. A nil dst is allocated; a dst of the wrong
// length panics. The draws come from rand.NewPCG(seed, ·) layer after
// layer, so equal seeds give equal parameters.
func (m MLP) Init(dst []float64, s Scheme, scale float64, seed uint64) []float64 {
	a := m.compile()
	return initLayers(dst, a.sizes, a.wOff, a.bOff, a.n, s, scale, seed)
}

// initLayers fills the weights of the layers sizes[l] → sizes[l+1] at
// offsets wOff and zeroes the biases at bOff (−1: none).
func initLayers(dst []float64, sizes, wOff, bOff []int, n int, s Scheme, scale float64, seed uint64) []float64 {
	if dst == nil {
		dst = make([]float64, n)
	}
	if len(dst) != n {
		panic(fmt.Sprintf("nn: parameter vector has length %d, want %d", len(dst), n))
	}
	if scale < 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		panic(fmt.Sprintf("nn: invalid initialisation scale %v", scale))
	}
	rng := rand.New(rand.NewPCG(seed, streamInit))
	for l := range wOff {
		in, out := sizes[l], sizes[l+1]
		w := dst[wOff[l] : wOff[l]+out*in]
		switch s {
		case Gaussian:
			for i := range w {
				w[i] = scale * rng.NormFloat64()
			}
		case GlorotUniform:
			r := scale * math.Sqrt(6/float64(in+out))
			for i := range w {
				w[i] = r * (2*rng.Float64() - 1)
			}
		case GlorotNormal:
			sd := scale * math.Sqrt(2/float64(in+out))
			for i := range w {
				w[i] = sd * rng.NormFloat64()
			}
		case Orthogonal:
			q := haarOrthonormal(out, in, rng)
			for i := range w {
				w[i] = scale * q[i]
			}
		default:
			panic(fmt.Sprintf("nn: unknown initialisation scheme %d", int(s)))
		}
		if bOff[l] >= 0 {
			clear(dst[bOff[l] : bOff[l]+out])
		}
	}
	return dst
}

// haarOrthonormal returns a Haar-distributed r×c matrix, row-major, with
// orthonormal columns (r ≥ c) or rows (r < c): the Q factor of a Gaussian
// matrix with the signs fixed so that R has a positive diagonal (Mezzadri
// 2007).
func haarOrthonormal(r, c int, rng *rand.Rand) []float64 {
	m, n := max(r, c), min(r, c)
	g := mat.NewDense(m, n, nil)
	for i := range m {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	out := make([]float64, r*c)
	for i := range m {
		for j := range n {
			v := q.At(i, j)
			if rr.At(j, j) < 0 {
				v = -v
			}
			if r >= c {
				out[i*c+j] = v
			} else {
				out[j*c+i] = v
			}
		}
	}
	return out
}
