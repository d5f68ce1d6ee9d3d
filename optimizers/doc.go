// Package optimizers implements the optimisation methods of the lecture on
// optimisation techniques, together with saddle-free Newton, as one-step
// update rules driven by a common loop.
//
// # Overview
//
// A Method advances an iterate by one synchronous step, evaluating only the
// Objective it is handed. Minimize runs a Method on a hessian.Problem from a
// starting point: it hands every step the objective of that step, monitors
// the full loss and gradient, stops on the gradient threshold, on stalled
// progress, on iteration and evaluation limits, and on divergence, and
// passes every iterate to a Recorder (Trajectory keeps them in memory).
// Every call to the problem's functions is counted in Evaluations.
//
// Which samples a step sees is separate from the update: with a Sampler,
// Minimize gives each step the objective of a batch of a Batched
// sum-of-losses problem, one sample per step (Online), a random subset
// (Minibatch) or all of them (FullBatch); without one, every step sees the
// full problem. The loss and gradient norm that Minimize reports and records
// are always those of the full problem, never of a batch, evaluated every
// Settings.MonitorInterval steps. The same seed gives the same trajectory,
// bit for bit.
//
// A Schedule makes the learning rate depend on the iteration: Constant,
// the lecture's LinearAnneal, or StepDecay.
//
// # Update rules
//
// With g = ∇J(W) the gradient of the step's objective, H its Hessian and η
// the learning rate (squares, square roots and quotients of vectors taken
// elementwise):
//
//	SGD               W ← W - η g
//	Momentum          v ← α v - η g,                 W ← W + v
//	Nesterov          v ← α v - η ∇J(W + α v),       W ← W + v
//	Newton            W ← W - H⁻¹ g
//	DampedNewton      W ← W - (H + λI)⁻¹ g,          λ adapted (Levenberg-Marquardt)
//	SaddleFreeNewton  W ← W - (|H| + λI)⁻¹ g,        |H| = Σ |λᵢ| eᵢeᵢᵀ
//	Adagrad           A ← A + g²,                    W ← W - η g / (√A + ε)
//	RMSprop           A ← β A + (1-β) g²,            W ← W - η g / (√A + ε)
//	Adam              m ← β₁m + (1-β₁) g,  v ← β₂v + (1-β₂) g²,
//	                  W ← W - η m̂ / (√v̂ + ε),  m̂ = m/(1-β₁ᵗ),  v̂ = v/(1-β₂ᵗ)
//
// Pure Newton jumps to the critical point of the local quadratic model
// whatever its index, and so is attracted to saddle points; saddle-free
// Newton rescales by |H| and is repelled by them. SaddleFreeNewton also has
// a Krylov form that needs only Hessian-vector products.
//
// # Invariants
//
// Hyperparameters are exported fields whose zero value means the default of
// the method's paper, documented on each field. Caller mistakes (mismatched
// lengths, negative learning rates, momentum outside [0, 1)) panic;
// failures that depend on the data (a singular Newton system, non-finite
// values, divergence) are returned as errors, and Minimize then keeps the
// last good iterate in its Result, so that it never returns a NaN point.
// Methods and Samplers hold state and are not safe for concurrent use. The
// problem's functions must be safe for concurrent use, since hessian.Exact
// calls HessVec from several goroutines.
//
// # References
//
//   - B. T. Polyak, Some methods of speeding up the convergence of iteration
//     methods, USSR Comput. Math. Math. Phys. 4 (1964): momentum.
//   - I. Sutskever, J. Martens, G. Dahl and G. Hinton, On the importance of
//     initialization and momentum in deep learning, ICML 2013: momentum and
//     Nesterov's accelerated gradient in velocity form.
//   - J. Duchi, E. Hazan and Y. Singer, Adaptive subgradient methods for
//     online learning and stochastic optimization, JMLR 12 (2011): Adagrad.
//   - G. Hinton, N. Srivastava and K. Swersky, Neural Networks for Machine
//     Learning, lecture 6e (2012): RMSprop.
//   - D. P. Kingma and J. Ba, Adam: a method for stochastic optimization,
//     arXiv:1412.6980 (2014): Adam.
//   - J. Martens, Deep learning via Hessian-free optimization, ICML 2010,
//     section 4.1: Levenberg-Marquardt damping.
//   - Y. N. Dauphin, R. Pascanu, C. Gulcehre, K. Cho, S. Ganguli and
//     Y. Bengio, Identifying and attacking the saddle point problem in
//     high-dimensional non-convex optimization, NIPS 2014: saddle-free
//     Newton and its Krylov approximation (Algorithm 1).
//   - B. Pearlmutter, Fast exact multiplication by the Hessian, Neural
//     Computation 6 (1994): the cost of a Hessian-vector product.
//   - B. N. Parlett, The Symmetric Eigenvalue Problem, SIAM 1998: Lanczos
//     iteration with full reorthogonalisation.
package optimizers
