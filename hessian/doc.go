// Package hessian computes the Hessian of a loss surface, exactly or by finite
// differences with an error estimate, and its spectrum.
//
// # Overview
//
// A [Problem] is a plain struct of functions, like gonum's optimize.Problem:
// Func, Grad, Hess and HessVec (the product H(x) v), any of which may be nil.
// [Problem.Optimize] hands a Problem to gonum's minimisers.
//
// [Exact] forms the n×n Hessian from Hess, or column by column from n
// Hessian-vector products. [FiniteDiff] approximates it by central
// differences of the gradient,
//
//	H_ij ≈ (g_i(x + h_j e_j) - g_i(x - h_j e_j)) / (2 h_j),  h_j = Step*max(|x_j|, 1),
//
// symmetrised, at the cost of 2n gradient calls, or by function-value
// stencils of gonum's diff/fd when there is no gradient (O(n^2) calls).
// [FiniteDiffWithError] also returns an [FDError], an estimate of the error's
// spectral norm from the asymmetry of the difference quotients, an optional
// Richardson comparison with doubled steps, and a model of the rounding (see
// Nocedal & Wright, Numerical Optimization, 2nd ed., sec. 8.1, for the
// truncation/rounding balance behind the default steps). [Gradient] gives the
// gradient from Grad or by central differences of Func.
//
// The spectrum functions give the eigenvalues ([Eigenvalues], [Eigenvectors])
// and the inertia ([InertiaOf], [CountInertia]) of a dense symmetric matrix.
// Above small orders, eigenvalues come from a blocked tridiagonal reduction
// and root-free QR (LAPACK's Dsterf), eigenvectors from divide and conquer on
// the tridiagonal matrix (Cuppen 1981; Gu & Eisenstat 1995) with a blocked
// Householder back-transformation, and the inertia without eigenvalues from
// two blocked Bunch-Kaufman LDLᵀ factorisations of A ± tol·I, whose block
// diagonals carry the signs by Sylvester's law of inertia. [SpectralNorm]
// estimates ||A||_2 by Lanczos.
//
// The matrix-free functions see the Hessian only through an [Operator] of
// Hessian-vector products: [Lanczos] for the extreme eigenpairs with residuals,
// [Hutchinson] and [HutchPlusPlus] for the trace, and [SLQ] for the spectral
// density and the index, each with its error bars. Package
// critical builds the classification of critical points on them (Dauphin et
// al., Identifying and attacking the saddle point problem in high-dimensional
// non-convex optimization, NIPS 2014; Frye et al., Critical point-finding
// methods reveal gradient-flat regions of deep network losses, Neural
// Computation 33, 2021).
//
// # Invariants
//
// Every Hessian this package returns is symmetric: a HessVec assembly or a
// gradient difference G is replaced by (G + G^T)/2.
//
// The functions of a Problem may be called from several goroutines at once
// and must be safe for that; none may modify x or v. Work is split over
// workers by index, each index computed on its own and written to its own
// place, so that every result is bitwise independent of the number of
// workers and of GOMAXPROCS.
//
// An error bound e on a computed Hessian, ||H_computed - H||_2 <= e, moves
// each eigenvalue by at most e (Weyl's inequality, Math. Ann. 71, 1912):
// an eigenvalue of magnitude at most e has no certain sign.
//
// Misuse that the caller can prevent (a destination of the wrong size,
// invalid settings) panics with a message starting "hessian: ". Failures that
// depend on the data return an error starting "hessian: ": a point of length
// zero ([ErrZeroDim]), a non-finite coordinate, function value, gradient
// component or Hessian entry (the message names which), or a problem lacking
// the functions needed. An empty destination matrix is allocated.
package hessian
