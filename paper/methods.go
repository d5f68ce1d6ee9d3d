package main

// methods is the paper's methods section.
const methods = `**Hessians.** Every Hessian in the experiments is exact: ` + "`hessian.Exact`" + ` takes the analytic Hessian of a problem when it has one and otherwise assembles it column by column from exact Hessian-vector products (the network losses), in parallel. Finite-difference Hessians (central differences of the gradient, 2n gradient calls, with an error estimate) exist in the toolkit and are used only to test the analytic ones, at points whose coordinates differ. Spectra come from a symmetric eigensolver; inertia (the number of negative, zero and positive eigenvalues) where only the index is needed. The one exception is the spectrum experiment, whose network has 10⁵ parameters: its Hessian is never formed, and ` + "`critical.Analyze`" + ` estimates the spectrum from exact Hessian-vector products (Lanczos with residuals for the extreme eigenvalues, stochastic Lanczos quadrature for the density and the index, with standard errors and quadrature bias bounds), checked against dense spectra on a network small enough to diagonalise.

**Certified critical points.** A point is called critical only with a certificate (` + "`critical.Analyze`" + `): its squared gradient norm ‖g‖² is below a threshold, Frye et al.'s ‖g‖² < 10⁻¹⁰ unless an experiment states another, and the threshold and ‖g‖² are reported with the point. Frye et al. [Frye et al. 2019] found that looser thresholds (10⁻⁸ and above) give wrong losses and indices on network losses. A point whose iteration stopped without meeting the threshold is reported as *not converged*, never classified as a critical point.

**Classification and tolerance.** A Hessian is classified by the signs of its eigenvalues (` + "`critical.Classify`" + `): an eigenvalue counts as zero when |λ| ≤ tol, with tol = √ε ‖H‖₂ ≈ 1.49 × 10⁻⁸ ‖H‖₂ (` + "`critical.DefaultRelTol`" + ` relative to the spectral norm) raised to the estimated error of the Hessian when that is larger (Weyl's inequality: an error E moves each eigenvalue by at most ‖E‖₂). *Minimum*: all eigenvalues > tol; *maximum*: all < -tol; *saddle*: at least one of each; otherwise *degenerate*, with the nullity (the number of eigenvalues within tol of zero) reported, because the second-order test is then inconclusive. The index is the number of eigenvalues < -tol and the index fraction α is the index divided by the dimension.

**Randomness.** Every random draw derives from the run's seed through its own stream (PCG, one stream per task), so results do not depend on the number of workers; the seed and every parameter are in each experiment's meta.json and repeated in its Setup paragraph. Proportions are given with 95% Wilson score intervals.

**Verdicts.** Each claim is a published number or statement, the number measured here, their difference and a tolerance for the claim, taken from the publication or from the statistics of the measurement: a statistical interval where the published number is exact and ours is a Monte Carlo estimate, an accuracy stated by the publication where it gives one ("within about 1%"), and otherwise a stated bound. The verdict rule is the same for all claims:

- **reproduced**: the measured number is within the claim's tolerance;
- **partly**: it is outside the tolerance but within the looser bound stated beside it in the table: the qualitative claim holds (the sign, the ordering, the order of magnitude) while the number does not match;
- **not reproduced**: it is outside both.

Where the published side is qualitative ("Newton is attracted to saddles"), the tolerance column states the threshold on the measured proportion that we take to mean it. The published numbers marked "(verify)" in the project's reference notes were reconstructed from secondary sources; where they disagree with an exact value or with our measurement, the section says so rather than adjusting anything. The tolerances come from the publications where they state one; for index-energy, spin-glass, mlp-critical, autoencoder and spectrum the stated bounds were written after their quick-preset outputs had been seen but before their default results, and none was changed after them.`

// reference is one entry of the references section.
type reference struct {
	Key, Text string
}

// references are the works cited, by key.
var references = []reference{
	{"Auffinger et al. 2013", "A. Auffinger, G. Ben Arous and J. Černý. Random matrices and complexity of spin glasses. *Communications on Pure and Applied Mathematics* 66(2):165-201, 2013."},
	{"Bray & Dean 2007", "A. J. Bray and D. S. Dean. Statistics of critical points of Gaussian fields on large-dimensional spaces. *Physical Review Letters* 98:150201, 2007."},
	{"Choromanska et al. 2015", "A. Choromanska, M. Henaff, M. Mathieu, G. Ben Arous and Y. LeCun. The loss surfaces of multilayer networks. *AISTATS* 2015."},
	{"Dauphin et al. 2014", "Y. N. Dauphin, R. Pascanu, C. Gulcehre, K. Cho, S. Ganguli and Y. Bengio. Identifying and attacking the saddle point problem in high-dimensional non-convex optimization. *NeurIPS* 2014 (arXiv:1406.2572)."},
	{"Dean & Majumdar 2006", "D. S. Dean and S. N. Majumdar. Large deviations of extreme eigenvalues of random matrices. *Physical Review Letters* 97:160201, 2006."},
	{"Duchi et al. 2011", "J. Duchi, E. Hazan and Y. Singer. Adaptive subgradient methods for online learning and stochastic optimization. *Journal of Machine Learning Research* 12:2121-2159, 2011."},
	{"Frye et al. 2019", "C. G. Frye, N. S. Wadia, M. R. DeWeese and K. E. Bouchard. Numerically recovering the critical points of a deep linear autoencoder. 2019 (arXiv:1901.10603)."},
	{"Frye et al. 2021", "C. G. Frye, J. Simon, N. S. Wadia, A. Ligeralde, M. R. DeWeese and K. E. Bouchard. Critical point-finding methods reveal gradient-flat regions of deep network losses. *Neural Computation* 33(6):1469-1497, 2021."},
	{"Ghorbani et al. 2019", "B. Ghorbani, S. Krishnan and Y. Xiao. An investigation into neural net optimization via Hessian eigenvalue density. *ICML* 2019."},
	{"Goodfellow et al. 2015", "I. J. Goodfellow, O. Vinyals and A. M. Saxe. Qualitatively characterizing neural network optimization problems. *ICLR* 2015."},
	{"Hinton 2012", "G. Hinton, with N. Srivastava and K. Swersky. Neural networks for machine learning, lecture 6e: RMSprop. Coursera, 2012."},
	{"Kingma & Ba 2014", "D. P. Kingma and J. Ba. Adam: a method for stochastic optimization. *ICLR* 2015 (arXiv:1412.6980)."},
	{"Lecture 4", "T. Burghardt. Lecture 04: Optimisation techniques. University of Bristol (the lecture this project started from)."},
	{"Majumdar et al. 2009", "S. N. Majumdar, C. Nadal, A. Scardicchio and P. Vivo. Index distribution of Gaussian random matrices. *Physical Review Letters* 103:220603, 2009."},
	{"Marchenko & Pastur 1967", "V. A. Marchenko and L. A. Pastur. Distribution of eigenvalues for some sets of random matrices. *Mathematics of the USSR-Sbornik* 1(4):457-483, 1967."},
	{"Pennington & Bahri 2017", "J. Pennington and Y. Bahri. Geometry of neural network loss surfaces via random matrix theory. *ICML* 2017."},
	{"Roosta et al. 2022", "F. Roosta, Y. Liu, P. Xu and M. W. Mahoney. Newton-MR: inexact Newton method with minimum residual sub-problem solver. *EURO Journal on Computational Optimization* 10:100035, 2022."},
	{"Saxe et al. 2013", "A. M. Saxe, J. L. McClelland and S. Ganguli. Exact solutions to the nonlinear dynamics of learning in deep linear neural networks. *ICLR* 2014 (arXiv:1312.6120)."},
	{"Sutskever et al. 2013", "I. Sutskever, J. Martens, G. Dahl and G. Hinton. On the importance of initialization and momentum in deep learning. *ICML* 2013."},
	{"Ubaru et al. 2017", "S. Ubaru, J. Chen and Y. Saad. Fast estimation of tr(f(A)) via stochastic Lanczos quadrature. *SIAM Journal on Matrix Analysis and Applications* 38(4):1075-1099, 2017."},
	{"Wigner 1958", "E. P. Wigner. On the distribution of the roots of certain symmetric matrices. *Annals of Mathematics* 67(2):325-327, 1958."},
}
