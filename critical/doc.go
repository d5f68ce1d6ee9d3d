// Package critical classifies and finds the critical points of a loss
// surface, points x with grad f(x) = 0, and certifies what it reports.
//
// # Overview
//
// [Classify] applies the second-order test to a symmetric matrix: with the
// eigenvalues λ_1 <= ... <= λ_n of the Hessian and a tolerance tol, the
// point is a [Minimum] when every λ_i > tol, a [Maximum] when every
// λ_i < -tol, a [Saddle] when some λ_i > tol and some λ_j < -tol, and
// [Degenerate] otherwise, when the test is inconclusive. The index is the
// number of eigenvalues below -tol and the nullity the number within tol of
// zero; the index fraction α = index/n is the quantity whose rise with the
// loss Bray & Dean (Statistics of critical points of Gaussian fields on
// large-dimensional spaces, PRL 98, 2007) predicted and Dauphin et al.
// (Identifying and attacking the saddle point problem in high-dimensional
// non-convex optimization, NIPS 2014) observed in neural networks.
//
// [Analyze] computes a point's gradient, Hessian (exact, or by finite
// differences with an error estimate) and classification, and a
// [Certificate]: the gradient norm, the threshold it met, the classification
// tolerance, the Hessian's error and how many eigenvalue signs are uncertain.
// Frye et al. (Numerically recovering the critical points of a deep linear
// autoencoder, 2019; Critical point-finding methods reveal gradient-flat
// regions of deep network losses, Neural Computation 33, 2021) showed that
// points accepted at ||g||^2 of 1e-8 or looser have the wrong loss and index,
// and that many "critical points" reported in the literature are
// gradient-flat points, where g is nonzero but lies in the kernel of H; they
// use ||g||^2 < 1e-10.
//
// Above [AnalyzeSettings].MatrixFreeDim parameters (3000 by default), a
// problem with HessVec is analysed without forming the Hessian: Lanczos gives
// the extreme eigenvalues with residuals, stochastic Lanczos quadrature the
// index with a standard error, and the Kind rests only on what the Ritz
// values prove (a Ritz value lies inside the spectrum, so one below -tol and
// one above tol make a certain saddle); [Analysis.Estimated] reports it.
// [ClassifyInertia] classifies a dense matrix from its inertia alone.
//
// [Find] locates a critical point from a start by pure Newton, damped Newton,
// Newton-MR (Roosta, Liu, Xu & Mahoney 2018, with [MINRES]) or gradient-norm
// minimisation, and reports the gradient-flatness ratio of its last Newton
// step; [FindMany] runs many starts in parallel with results independent of
// the worker count, [Dedup] groups equal points and [Basins] maps which
// known point each start of a 2-D grid reaches.
//
// # Invariants
//
// A point is called critical only with its certificate: Certificate.Critical
// states ||g||^2 < GradTol with both numbers recorded, and a Kind describes a
// critical point only when Critical is true.
//
// Signs are never claimed beyond the accuracy of the Hessian. By Weyl's
// inequality (Das asymptotische Verteilungsgesetz der Eigenwerte linearer
// partieller Differentialgleichungen, Math. Ann. 71, 1912), a Hessian with
// error E has each eigenvalue within ||E||_2 of the true one; Analyze raises
// the tolerance to its estimate of ||E||_2, so an eigenvalue whose sign the
// error could flip counts as zero and makes a would-be minimum or maximum
// Degenerate. A Saddle is certain as soon as one eigenvalue of each sign is.
// When Nullity is positive the true index lies in [Index, Index+Nullity].
//
// Nor are signs claimed beyond the distance to the critical point. A point
// that passes the gradient test only approximates a critical point x*, and
// near a degenerate one, such as the manifolds of critical points of deep
// linear networks, the eigenvalues that vanish at x* are of the order of that
// distance and of either sign. For a critical point Analyze takes the Newton
// step p towards x* and adds twice ||H(x + p) - H(x)||_2 to the error
// (Certificate.DistanceError), again by Weyl's inequality.
//
// The default tolerance is relative, DefaultRelTol*||H||_2, so a
// classification does not change when the function is scaled.
//
// Misuse the caller can prevent (a NaN tolerance, unsorted eigenvalues,
// invalid settings) panics with a message starting "critical: "; failures
// that depend on the data (empty or non-finite input, a failed eigensolver)
// return an error starting "critical: " that names the offending value.
package critical
