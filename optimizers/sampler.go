package optimizers

import (
	"fmt"
	"math/rand/v2"

	"github.com/critpoint/critpoint/hessian"
)

// Batched is an objective that is a mean of losses over N samples,
//
//	J(W) = (1/N) Σᵢ Lᵢ(W).
type Batched interface {
	// Len returns the number of samples N.
	Len() int

	// Batch returns the problem of the mean loss over the samples idx,
	// (1/|idx|) Σ_{i ∈ idx} Lᵢ(W). The returned problem may refer to idx,
	// which the caller leaves unchanged for as long as it uses the problem.
	Batch(idx []int) hessian.Problem
}

// Sampler hands each step of Minimize the objective of its batch, keeping
// the choice of samples apart from the update rule. A Sampler is not safe
// for concurrent use.
type Sampler interface {
	// Init restarts the sampler at the beginning of its random stream. It
	// is called once by Minimize before the first step, so that the same
	// sampler gives the same sequence of batches in every run.
	Init()

	// Next returns the objective of the next step. The problem is valid
	// until the following call to Next or Init.
	Next() hessian.Problem
}

// samplerStream is the PCG stream of the sampler shuffles: the ASCII bytes
// of "sampler".
const samplerStream = 0x73616d706c6572

// Online returns the sampler of online gradient descent: one sample per
// step. See Minibatch with size 1, which it equals.
func Online(data Batched, seed uint64) Sampler {
	return Minibatch(data, 1, seed)
}

// Minibatch returns the sampler of minibatch stochastic gradient descent.
// Sampling is without replacement within an epoch: at the start of every
// epoch the sample indices are shuffled, and the steps of the epoch take
// consecutive batches of size samples from that permutation, the last batch
// of an epoch holding the N mod size remaining samples when size does not
// divide N. A size larger than N is used as N.
//
// The shuffles come from rand.New(rand.NewPCG(seed, stream)) with a fixed
// stream, so a seed fixes the sequence of batches. Minibatch panics if
// size < 1 or data has no samples.
func Minibatch(data Batched, size int, seed uint64) Sampler {
	if size < 1 {
		panic(fmt.Sprintf("optimizers: minibatch size %d < 1", size))
	}
	n := data.Len()
	if n < 1 {
		panic("optimizers: minibatch of data without samples")
	}
	pcg := rand.NewPCG(seed, samplerStream)
	return &minibatch{
		data: data,
		size: min(size, n),
		seed: seed,
		pcg:  pcg,
		rng:  rand.New(pcg),
		perm: make([]int, n),
	}
}

type minibatch struct {
	data Batched
	size int
	seed uint64
	pcg  *rand.PCG
	rng  *rand.Rand
	perm []int
	pos  int // next position in perm; len(perm) at the end of an epoch
}

func (s *minibatch) Init() {
	s.pcg.Seed(s.seed, samplerStream)
	for i := range s.perm {
		s.perm[i] = i
	}
	s.pos = len(s.perm)
}

func (s *minibatch) Next() hessian.Problem {
	if s.pos == len(s.perm) {
		s.rng.Shuffle(len(s.perm), func(i, j int) { s.perm[i], s.perm[j] = s.perm[j], s.perm[i] })
		s.pos = 0
	}
	end := min(s.pos+s.size, len(s.perm))
	idx := s.perm[s.pos:end]
	s.pos = end
	return s.data.Batch(idx)
}

// FullBatch returns the sampler of deterministic gradient descent: every
// step sees the mean over all samples, in index order.
func FullBatch(data Batched) Sampler {
	n := data.Len()
	if n < 1 {
		panic("optimizers: full batch of data without samples")
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return &fullBatch{p: data.Batch(idx)}
}

type fullBatch struct{ p hessian.Problem }

func (s *fullBatch) Init() {}

func (s *fullBatch) Next() hessian.Problem { return s.p }
