// Package landscape provides the loss surfaces that critpoint analyses, each
// as a hessian.Problem with exact Func, Grad, HessVec and Hess that are safe
// for concurrent use.
//
// # Overview
//
// Three families of landscapes are provided.
//
// Two-dimensional test functions (Function, TestFunctions, ByName):
// Himmelblau, Rosenbrock, Beale, the six-hump camel, the quadratic saddle
// 5x² - y², the monkey saddle and the gradient-flat quartic of Frye et al.
// (2021), each with its known critical points.
//
// Gaussian random fields on R^N (RandomField) with the isotropic covariance
// E[V(x)V(y)] = N f(|x-y|²/(2N)) of Bray & Dean (2007), f(u) = exp(-u/ℓ²),
// realised by random Fourier features, together with the large-N prediction
// of the index fraction of a critical point as a function of its energy per
// coordinate (Covariance.BrayDeanIndex): the Hessian at a critical point of
// energy eps is a semicircle of radius 2 sqrt(f″(0)) shifted by
// (f′(0)/f(0)) eps, so index grows monotonically with energy.
//
// The spherical p-spin glass (SpinGlass) H(σ) = N^(-(p-1)/2) Σ J σ...σ on the
// sphere |σ|² = N, the model with which Choromanska et al. (2015) compare the
// losses of neural networks. It is available as the polynomial on R^N
// (Euclidean), as the radially projected function on R^N whose critical points
// are those on the sphere (Problem), and in charts of the sphere of dimension
// N-1 whose Hessian is the Riemannian one (Chart, TangentProblem), for
// classification without a spurious zero eigenvalue. ThresholdEnergy,
// Complexity and BandEdge compute E∞ and the band edges E_k of Auffinger, Ben
// Arous & Černý (2013): local minima concentrate in [-E₀, -E∞].
//
// # Invariants
//
// Every random landscape is determined by its size and seed: draws come from
// rand.New(rand.NewPCG(seed, stream)) with a fixed stream per family, and no
// evaluation depends on the number of goroutines. Landscapes are immutable
// after construction; their functions allocate scratch per call. Passing
// slices of the wrong length panics.
//
// # References
//
//   - A. J. Bray and D. S. Dean, Statistics of critical points of Gaussian
//     fields on large-dimensional spaces, Phys. Rev. Lett. 98, 150201 (2007).
//   - A. Auffinger, G. Ben Arous and J. Černý, Random matrices and complexity
//     of spin glasses, Comm. Pure Appl. Math. 66, 165-201 (2013).
//   - A. Choromanska, M. Henaff, M. Mathieu, G. Ben Arous and Y. LeCun, The
//     loss surfaces of multilayer networks, AISTATS (2015).
//   - A. Rahimi and B. Recht, Random features for large-scale kernel machines,
//     NIPS (2007).
//   - P.-A. Absil, R. Mahony and R. Sepulchre, Optimization Algorithms on
//     Matrix Manifolds, Princeton University Press (2008).
//   - C. G. Frye, J. Simon, N. S. Wadia, A. Ligeralde, M. R. DeWeese and
//     K. E. Bouchard, Critical point-finding methods reveal gradient-flat
//     regions of deep network losses, Neural Computation 33 (2021).
package landscape
