package optimizers

var (
	_ Method = (*SGD)(nil)
	_ Method = (*Momentum)(nil)
	_ Method = (*Nesterov)(nil)
)

// SGD is gradient descent with the update
//
//	W_{k+1} = W_k - η_k ∇J(W_k),
//
// where ∇J is the gradient of the step's objective: one sample (online),
// a random minibatch, or the full training set (deterministic gradient
// descent), as chosen by the Sampler of Minimize.
type SGD struct {
	// LearningRate is the constant learning rate η. Zero means 0.01.
	LearningRate float64

	// Schedule, when not nil, gives η_k and LearningRate is ignored.
	Schedule Schedule

	n int
	g []float64
}

// Init implements Method.
func (m *SGD) Init(n int) {
	checkInit(n)
	checkNonNeg(m.LearningRate, "learning rate")
	m.n = n
	m.g = make([]float64, n)
}

// Step implements Method.
func (m *SGD) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	eta := rate(m.LearningRate, m.Schedule, k, 0.01)
	obj.Grad(m.g, x)
	for i, gi := range m.g {
		xNext[i] = x[i] - eta*gi
	}
	return StepInfo{LearningRate: eta}, nil
}

// Momentum is gradient descent with classical momentum (Polyak 1964; as in
// the lecture and Sutskever et al. 2013, eq. 1-2): a velocity v, initially
// zero, accumulates the gradients,
//
//	v_{k+1} = α v_k - η_k ∇J(W_k),
//	W_{k+1} = W_k + v_{k+1}.
type Momentum struct {
	// LearningRate is the constant learning rate η. Zero means 0.01.
	LearningRate float64

	// Schedule, when not nil, gives η_k and LearningRate is ignored.
	Schedule Schedule

	// Momentum is the momentum parameter α in [0, 1). Zero means 0.9
	// (Sutskever et al. 2013 use values from 0.9 to 0.999); use SGD for
	// α = 0.
	Momentum float64

	n int
	g []float64
	v []float64
}

// Init implements Method. It sets the velocity to zero.
func (m *Momentum) Init(n int) {
	checkInit(n)
	checkNonNeg(m.LearningRate, "learning rate")
	checkUnit(m.Momentum, "Momentum")
	m.n = n
	m.g = make([]float64, n)
	m.v = make([]float64, n)
}

// Step implements Method.
func (m *Momentum) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	eta := rate(m.LearningRate, m.Schedule, k, 0.01)
	alpha := orDefault(m.Momentum, 0.9)
	obj.Grad(m.g, x)
	for i, gi := range m.g {
		m.v[i] = alpha*m.v[i] - eta*gi
		xNext[i] = x[i] + m.v[i]
	}
	return StepInfo{LearningRate: eta}, nil
}

// Nesterov is Nesterov's accelerated gradient in the momentum form of
// Sutskever et al. (2013, eq. 3-4): the gradient is taken at the look-ahead
// point W + αv where the momentum is about to carry the iterate,
//
//	v_{k+1} = α v_k - η_k ∇J(W_k + α v_k),
//	W_{k+1} = W_k + v_{k+1},
//
// with v_0 = 0.
type Nesterov struct {
	// LearningRate is the constant learning rate η. Zero means 0.01.
	LearningRate float64

	// Schedule, when not nil, gives η_k and LearningRate is ignored.
	Schedule Schedule

	// Momentum is the momentum parameter α in [0, 1). Zero means 0.9.
	Momentum float64

	n  int
	g  []float64
	v  []float64
	la []float64 // look-ahead point
}

// Init implements Method. It sets the velocity to zero.
func (m *Nesterov) Init(n int) {
	checkInit(n)
	checkNonNeg(m.LearningRate, "learning rate")
	checkUnit(m.Momentum, "Momentum")
	m.n = n
	m.g = make([]float64, n)
	m.v = make([]float64, n)
	m.la = make([]float64, n)
}

// Step implements Method.
func (m *Nesterov) Step(xNext []float64, obj *Objective, x []float64, k int) (StepInfo, error) {
	checkStep(m.n, xNext, x)
	eta := rate(m.LearningRate, m.Schedule, k, 0.01)
	alpha := orDefault(m.Momentum, 0.9)
	for i, vi := range m.v {
		m.la[i] = x[i] + alpha*vi
	}
	obj.Grad(m.g, m.la)
	for i, gi := range m.g {
		m.v[i] = alpha*m.v[i] - eta*gi
		xNext[i] = x[i] + m.v[i]
	}
	return StepInfo{LearningRate: eta}, nil
}
