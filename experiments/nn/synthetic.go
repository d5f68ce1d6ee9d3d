package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// TeacherStudent returns a teacher-student regression task: n inputs
// x ~ N(0, I), a teacher network with the architecture of teacher and
// GlorotNormal weights (scale 1, zero biases), and targets
//
//	y = f_teacher(x) + noise·ε,  ε ~ N(0, I).
//
// It returns the inputs (n × n_0), the targets (n × n_L) and the teacher's
// parameters. The Loss and L2 of teacher play no part.
func TeacherStudent(teacher MLP, n int, noise float64, seed uint64) (x, y *mat.Dense, wTeacher []float64) {
	if n <= 0 {
		panic(fmt.Sprintf("nn: non-positive sample count %d", n))
	}
	if noise < 0 || math.IsNaN(noise) || math.IsInf(noise, 0) {
		panic(fmt.Sprintf("nn: invalid noise level %v", noise))
	}
	wTeacher = teacher.Init(nil, GlorotNormal, 1, seed)
	in := teacher.Sizes[0]
	rng := rand.New(rand.NewPCG(seed, streamInputs))
	x = mat.NewDense(n, in, nil)
	for i := range n {
		for j := range in {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	y = new(mat.Dense)
	teacher.Predict(y, wTeacher, x)
	if noise > 0 {
		rng := rand.New(rand.NewPCG(seed, streamNoise))
		r, c := y.Dims()
		for i := range r {
			for j := range c {
				y.Set(i, j, y.At(i, j)+noise*rng.NormFloat64())
			}
		}
	}
	return x, y, wTeacher
}

// SaxeTask is the regression task of Saxe, McClelland & Ganguli (2013)
// with whitened inputs: P = n_in orthonormal inputs x_μ (the rows of X, a
// Haar-random orthogonal matrix), so that Σ11 = Σ_μ x_μ x_μᵀ = I, and
// targets y_μ = Σ31 x_μ for the input-output correlation
//
//	Σ31 = Σ_μ y_μ x_μᵀ = U diag(S) Vᵀ
//
// with Haar-random orthonormal columns U (n_out × r) and V (n_in × r).
type SaxeTask struct {
	X, Y *mat.Dense // inputs (P × n_in) and targets (P × n_out)
	U, V *mat.Dense // left and right singular vectors of Σ31
	S    []float64  // singular values of Σ31
}

// NewSaxeTask returns a SaxeTask with n_in inputs, n_out outputs and the
// singular values s (at most min(n_in, n_out) of them, non-negative).
func NewSaxeTask(nIn, nOut int, s []float64, seed uint64) SaxeTask {
	r := len(s)
	if nIn <= 0 || nOut <= 0 || r > min(nIn, nOut) {
		panic(fmt.Sprintf("nn: %d singular values for a %d×%d map", r, nOut, nIn))
	}
	for _, v := range s {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			panic(fmt.Sprintf("nn: invalid singular value %v", v))
		}
	}
	rngX := rand.New(rand.NewPCG(seed, streamInputs))
	rngT := rand.New(rand.NewPCG(seed, streamTargets))
	x := mat.NewDense(nIn, nIn, haarOrthonormal(nIn, nIn, rngX))
	t := SaxeTask{X: x, S: append([]float64(nil), s...)}
	if r > 0 {
		t.U = mat.NewDense(nOut, r, haarOrthonormal(nOut, r, rngT))
		t.V = mat.NewDense(nIn, r, haarOrthonormal(nIn, r, rngT))
	}
	sigma := mat.NewDense(nOut, nIn, nil)
	for a := range r {
		for i := range nOut {
			for j := range nIn {
				sigma.Set(i, j, sigma.At(i, j)+s[a]*t.U.At(i, a)*t.V.At(j, a))
			}
		}
	}
	t.Y = new(mat.Dense)
	t.Y.Mul(x, sigma.T())
	return t
}

// Modes returns the strengths u_α = U[:,α]ᵀ W V[:,α] of the end-to-end map
// W (n_out × n_in) along the modes of the task, α = 0, ..., r−1: the
// quantities whose learning curves Saxe et al. solve in closed form.
func (t SaxeTask) Modes(w mat.Matrix) []float64 {
	u := make([]float64, len(t.S))
	for a := range u {
		var wv mat.VecDense
		wv.MulVec(w, t.V.ColView(a))
		u[a] = mat.Dot(t.U.ColView(a), &wv)
	}
	return u
}

// GaussianData returns n centred samples (the rows) whose sample second
// moments are exactly (1/n) Σ_μ x_μ x_μᵀ = diag(variances): Gaussian draws,
// centred, then mapped by the inverse Cholesky factor of their sample
// covariance and scaled by √variances. Frye et al. (2019) draw plain
// Gaussian samples, whose sample covariance matches only up to O(n^-½);
// fixing the moments makes the eigenvectors the coordinate axes and the
// losses of the critical points exact.
func GaussianData(n int, variances []float64, seed uint64) *mat.Dense {
	k := len(variances)
	if k == 0 || n <= k {
		panic(fmt.Sprintf("nn: %d samples of dimension %d", n, k))
	}
	for _, v := range variances {
		if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			panic(fmt.Sprintf("nn: invalid variance %v", v))
		}
	}
	rng := rand.New(rand.NewPCG(seed, streamInputs))
	x := mat.NewDense(n, k, nil)
	for i := range n {
		for j := range k {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	for j := range k {
		var m float64
		for i := range n {
			m += x.At(i, j)
		}
		m /= float64(n)
		for i := range n {
			x.Set(i, j, x.At(i, j)-m)
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n), x.T())
	var chol mat.Cholesky
	if !chol.Factorize(&cov) {
		panic("nn: sample covariance of Gaussian draws not positive definite")
	}
	var l, linv mat.TriDense
	chol.LTo(&l)
	if err := linv.InverseTri(&l); err != nil {
		panic("nn: sample covariance of Gaussian draws is singular")
	}
	var out mat.Dense
	out.Mul(x, linv.T())
	for j, v := range variances {
		s := math.Sqrt(v)
		for i := range n {
			out.Set(i, j, out.At(i, j)*s)
		}
	}
	return &out
}

// FryeAutoencoder returns the deep linear autoencoder test problem of
// Frye et al. (2019): k = 16 inputs, p = 4 hidden units, n = 10⁴ centred
// Gaussian samples with variances 1, 2, ..., 16 (GaussianData), and the
// loss L = (1/(nk)) Σ_μ ‖x_μ − W_2 W_1 x_μ‖², the mean over the entries.
// L(0) = 8.5, the mean of the variances, and its analytic critical points
// are given by CriticalPoint.
func FryeAutoencoder(seed uint64) *LinearNet {
	vars := make([]float64, 16)
	for i := range vars {
		vars[i] = float64(i + 1)
	}
	x := GaussianData(10000, vars, seed)
	return NewLinearAutoencoder(DeepLinear{Sizes: []int{16, 4, 16}, Norm: EntryMean}, x)
}
