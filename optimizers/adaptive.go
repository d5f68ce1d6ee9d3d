package optimizers

import "math"

var (
	_ Method = (*Adagrad)(nil)
	_ Method = (*RMSprop)(nil)
	_ Method = (*Adam)(nil)
)

// Adagrad is the adaptive gradient method of Duchi, Hazan and Singer (2011)
// in its diagonal form, as written in the lecture: an accumulator A of
// squared gradients, initially zero, scales each coordinate's step,
//
//	A_{k+1} = A_k + g_k²,
//	W_{k+1} = W_k - η_k g_k / (√A_{k+1} + ε),
//
// with g_k = ∇J(W_k) and the square and square root taken elementwise.
type Adagrad struct {
	// LearningRate is the constant learning rate η. Zero means 0.01.
	LearningRate float64

	// Schedule, when not nil, gives η_k and LearningRate is ignored.
	Schedule Schedule

	// Eps is the ε that keeps the denominator positive. Zero means 1e-8.
	Eps float64

	n int
	g []float64
	a []float64
}

// Init implements Method. It sets the accumulator to zero.
func (m *Adagrad) Init(n int) {
	checkInit(n)
	checkNonNeg(m.LearningRate, "learning rate")
	checkNonNeg(m.Eps, "Eps")
	m.n = n
	m.g = make([]float64, n)
	m.a = make([]float64, n)
}

// Step implements Method.
func (m *Adagrad) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	eta := rate(m.LearningRate, m.Schedule, k, 0.01)
	eps := orDefault(m.Eps, 1e-8)
	obj.Grad(m.g, x)
	for i, gi := range m.g {
		m.a[i] += gi * gi
		xNext[i] = x[i] - eta*gi/(math.Sqrt(m.a[i])+eps)
	}
	return StepInfo{LearningRate: eta}, nil
}

// RMSprop is root-mean-square propagation (Hinton, Neural Networks for
// Machine Learning, lecture 6e): Adagrad with the accumulator replaced by an
// exponential moving average of the squared gradients, initially zero,
//
//	A_{k+1} = β A_k + (1 - β) g_k²,
//	W_{k+1} = W_k - η_k g_k / (√A_{k+1} + ε).
type RMSprop struct {
	// LearningRate is the constant learning rate η. Zero means 0.001.
	LearningRate float64

	// Schedule, when not nil, gives η_k and LearningRate is ignored.
	Schedule Schedule

	// Beta is the smoothing parameter β in [0, 1). Zero means 0.9
	// (Hinton, lecture 6e).
	Beta float64

	// Eps is the ε that keeps the denominator positive. Zero means 1e-8.
	Eps float64

	n int
	g []float64
	a []float64
}

// Init implements Method. It sets the moving average to zero.
func (m *RMSprop) Init(n int) {
	checkInit(n)
	checkNonNeg(m.LearningRate, "learning rate")
	checkUnit(m.Beta, "Beta")
	checkNonNeg(m.Eps, "Eps")
	m.n = n
	m.g = make([]float64, n)
	m.a = make([]float64, n)
}

// Step implements Method.
func (m *RMSprop) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	eta := rate(m.LearningRate, m.Schedule, k, 0.001)
	beta := orDefault(m.Beta, 0.9)
	eps := orDefault(m.Eps, 1e-8)
	obj.Grad(m.g, x)
	for i, gi := range m.g {
		m.a[i] = beta*m.a[i] + (1-beta)*gi*gi
		xNext[i] = x[i] - eta*gi/(math.Sqrt(m.a[i])+eps)
	}
	return StepInfo{LearningRate: eta}, nil
}

// Adam is adaptive moment estimation (Kingma and Ba 2014, Algorithm 1):
// moving averages of the gradient and of its square, both initially zero,
// corrected for their bias towards zero,
//
//	m_t = β₁ m_{t-1} + (1 - β₁) g,
//	v_t = β₂ v_{t-1} + (1 - β₂) g²,
//	m̂ = m_t / (1 - β₁ᵗ),   v̂ = v_t / (1 - β₂ᵗ),
//	W ← W - η_k m̂ / (√v̂ + ε),
//
// with t = 1, 2, ... counting the steps since Init. With NoBiasCorrection
// the update uses m_t and v_t themselves, the lecture's "idea 1".
type Adam struct {
	// LearningRate is the constant learning rate η. Zero means 0.001.
	LearningRate float64

	// Schedule, when not nil, gives η_k and LearningRate is ignored.
	Schedule Schedule

	// Beta1 is the decay rate β₁ in [0, 1) of the first moment. Zero means
	// 0.9.
	Beta1 float64

	// Beta2 is the decay rate β₂ in [0, 1) of the second moment. Zero means
	// 0.999.
	Beta2 float64

	// Eps is the ε that keeps the denominator positive. Zero means 1e-8.
	Eps float64

	// NoBiasCorrection turns the bias correction off. The zero value keeps
	// it on, as in Kingma and Ba.
	NoBiasCorrection bool

	n int
	t int
	g []float64
	m []float64
	v []float64
}

// Init implements Method. It sets both moments and the step count to zero.
func (m *Adam) Init(n int) {
	checkInit(n)
	checkNonNeg(m.LearningRate, "learning rate")
	checkUnit(m.Beta1, "Beta1")
	checkUnit(m.Beta2, "Beta2")
	checkNonNeg(m.Eps, "Eps")
	m.n = n
	m.t = 0
	m.g = make([]float64, n)
	m.m = make([]float64, n)
	m.v = make([]float64, n)
}

// Step implements Method.
func (m *Adam) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	eta := rate(m.LearningRate, m.Schedule, k, 0.001)
	b1 := orDefault(m.Beta1, 0.9)
	b2 := orDefault(m.Beta2, 0.999)
	eps := orDefault(m.Eps, 1e-8)
	m.t++
	c1, c2 := 1.0, 1.0
	if !m.NoBiasCorrection {
		c1 = 1 - math.Pow(b1, float64(m.t))
		c2 = 1 - math.Pow(b2, float64(m.t))
	}
	obj.Grad(m.g, x)
	for i, gi := range m.g {
		m.m[i] = b1*m.m[i] + (1-b1)*gi
		m.v[i] = b2*m.v[i] + (1-b2)*gi*gi
		xNext[i] = x[i] - eta*(m.m[i]/c1)/(math.Sqrt(m.v[i]/c2)+eps)
	}
	return StepInfo{LearningRate: eta}, nil
}
