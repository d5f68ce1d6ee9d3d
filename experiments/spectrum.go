package main

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/internal/stats"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/optimizers"
)

// The spectrum experiment follows the Hessian spectrum of a one-hidden-layer
// tanh network with softmax cross-entropy on full-size 28×28 MNIST
// (784-128-10, P = 101,770 parameters) through training with Adam, without
// ever forming the P×P Hessian: at initialisation, mid-training and the end,
// critical.Analyze estimates the spectrum of the Hessian of the mean loss over
// a fixed subset of the training images from Hessian-vector products
// (Pearlmutter's R-operator): the eigenvalue density by stochastic Lanczos
// quadrature (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan & Xiao, An
// investigation into neural net optimization via Hessian eigenvalue density,
// ICML 2019), the extreme eigenvalues by Lanczos with residuals, and the index
// (number of eigenvalues below -τ) with its standard error and quadrature
// bias bound, at the classification tolerance and at τ = 1e-3 and 1e-2 times
// ||H||_2. A small network whose dense Hessian can be diagonalised (49-16-10
// on 7×7 MNIST, 970 parameters) is analysed the same way and checked against
// its exact spectrum: extremes, index counts, and the Kolmogorov-Smirnov and
// Wasserstein-1 distances between the SLQ and exact eigenvalue distributions.
//
// A pixel that is zero in every image of the Hessian subset (177 of 784 in
// 1000 MNIST images) makes the first-layer weights it feeds irrelevant to the
// loss: their rows of H vanish identically. These Hidden × (dead pixels)
// exact zero eigenvalues, an atom at 0 holding a fifth of the spectrum, are
// left out of the analysis (the operator is restricted to the other
// parameters), recorded as zero_rows, and not drawn; densities and index
// fractions stay relative to all P parameters.
//
// Presets: quick analyses only a 49-16-10 network on teacher-labelled
// Gaussian data (970 parameters), in about 3 CPU-seconds; default adds the
// 784-128-10 MNIST network with the Hessian over 800 training images and
// the 970-parameter MNIST check: about 160 CPU-seconds (about 1100
// Hessian-vector products of 0.1 CPU-seconds), 80-90 s on 2 idle cores;
// full uses 5000 Hessian images, 10 probes of 90 steps and up to 500 Lanczos
// steps per end: about 5700 products of 0.6 CPU-seconds, half an hour on 2
// cores (estimated from the product count, not measured).
//
// Outputs (one row per model and stage unless said):
//
//	stages.csv    model, stage (init, mid, end), step (Adam steps), params (P),
//	              zero_rows (exact zero rows left out), analysed_dim, hessian_images,
//	              loss and grad_norm (mean loss over the Hessian images and its
//	              gradient norm), test_accuracy, kind (critical.Kind from the Ritz
//	              values), lambda_min and lambda_max (extreme Ritz values), norm
//	              (estimate of ||H||_2), class_tol, trace and trace_se (SLQ),
//	              certain_negative and certain_positive (eigenvalue signs proven by
//	              Ritz values), nullity and nullity_se (SLQ estimate of #|λ| <=
//	              class_tol among the analysed), probes, slq_steps, hessvecs,
//	              extremes_converged; for a dense model dense_lambda_min,
//	              dense_lambda_max, dense_index, dense_nullity (exact, same
//	              tolerance), ks and w1 (KS and Wasserstein-1 distances of the
//	              raw SLQ quadrature to the exact eigenvalues, w1 in units of λ),
//	              ks_smoothed and w1_smoothed (the same for the smoothed
//	              distribution of critical.SpectrumEstimate.CountBelow)
//	index.csv     one row per threshold: threshold_rel (class_tol or τ/||H||_2),
//	              threshold (τ), index, index_se, index_bias (smoothed count of
//	              λ < -τ, its standard error and quadrature bias bound), fraction
//	              and fraction_se (index/P), index_step, index_step_se,
//	              index_step_bias (the raw quadrature's step count,
//	              hessian.SLQResult.CountBelow), certain_negative (proven), and for
//	              a dense model dense_index, z = (index - dense)/index_se, z_step
//	density.csv   one row per grid point: lambda, density (SLQ, per unit λ, as a
//	              fraction of all P eigenvalues; the zero-row atom excluded),
//	              density_dense (the exact eigenvalues with the same smoothing),
//	              sigma (the Gaussian smoothing width)
//	extremes.csv  one row per Ritz pair: end (smallest, largest), rank, ritz_value,
//	              residual, converged, and for a dense model dense_eigenvalue,
//	              abs_error, rel_error (abs_error/||H||_2)
//
// Figures: density_<model> (SLQ density per stage on a log axis, Lanczos
// extremes marked, exact density dashed for the check models) and index
// (index fraction per stage and threshold with ±3 s.e. and ±(3 s.e. + bias)
// bars, exact fractions where known).
func init() {
	registry.Add(harness.Experiment{
		Name:    "spectrum",
		Summary: "Hessian spectrum of a 784-128-10 MNIST MLP (10^5 parameters) during training: SLQ density, Lanczos extremes, index estimate; checked against dense eigenvalues",
		Run:     runSpectrum,
	})
}

// spectrumModel is one network whose Hessian spectrum is followed through
// training.
type spectrumModel struct {
	// Name names the model in the CSVs and figure files.
	Name string `json:"name"`
	// Data is "mnist" (images resampled to Side×Side) or "teacher"
	// (Inputs standard normal inputs labelled by the arg max of a random
	// Inputs-Hidden-10 tanh teacher).
	Data   string `json:"data"`
	Side   int    `json:"side,omitempty"`
	Inputs int    `json:"inputs,omitempty"`
	// Hidden is the number of tanh hidden units; the output layer has 10
	// logits and the loss is softmax cross-entropy.
	Hidden int `json:"hidden"`
	// TrainImages is the stratified training subset, HessianImages the
	// fixed subset of it over which the Hessian of the mean loss is
	// analysed, TestImages the test subset for the accuracy.
	TrainImages   int `json:"train_images"`
	HessianImages int `json:"hessian_images"`
	TestImages    int `json:"test_images"`
	// Adam with LearningRate on minibatches of BatchSize; the Hessian is
	// analysed after each number of steps in Stages (init, mid, end).
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	Stages       []int   `json:"stages"`
	// Extremes Ritz pairs at each end by Lanczos with relative residual
	// tolerance LanczosTol, subspace LanczosSubspace and at most
	// LanczosMaxIterations products per end.
	Extremes             int     `json:"extremes"`
	LanczosTol           float64 `json:"lanczos_tol"`
	LanczosSubspace      int     `json:"lanczos_subspace"`
	LanczosMaxIterations int     `json:"lanczos_max_iterations"`
	// Probes SLQ probes of Steps Lanczos steps each; the density is
	// smoothed with a Gaussian of width SigmaRel times the range of the
	// quadrature nodes (0: 1/Steps, SLQ's default).
	Probes   int     `json:"probes"`
	Steps    int     `json:"steps"`
	SigmaRel float64 `json:"sigma_rel"`
	// Dense also assembles the Hessian and computes its eigenvalues.
	Dense bool `json:"dense"`
}

// spectrumParams are the sizes of the spectrum experiment.
type spectrumParams struct {
	Models []spectrumModel `json:"models"`
	// GridPoints is the number of points of each density curve.
	GridPoints int `json:"grid_points"`
	// Thresholds are the thresholds τ, relative to the estimate of
	// ||H||_2, at which the index #{λ < -τ} is estimated besides the
	// classification tolerance of critical.Analyze.
	Thresholds []float64 `json:"thresholds"`
	// Outlier is the threshold, relative to the estimate of ||H||_2, above
	// which eigenvalues count as outliers of the bulk.
	Outlier float64 `json:"outlier"`
}

// spectrumCheck is the small network checked against its dense spectrum:
// 49-16-10 on 7×7 MNIST (970 parameters) at default and full.
var spectrumCheck = spectrumModel{
	Name: "mnist7-check", Data: "mnist", Side: 7, Hidden: 16,
	TrainImages: 5000, HessianImages: 500, TestImages: 10000,
	BatchSize: 50, LearningRate: 1e-2, Stages: []int{0, 100, 1000},
	Extremes: 3, LanczosTol: 1e-10, LanczosSubspace: 40, LanczosMaxIterations: 2000,
	Probes: 20, Steps: 100, Dense: true,
}

var spectrumPresets = harness.Presets[spectrumParams]{
	Quick: spectrumParams{
		Models: []spectrumModel{{
			Name: "teacher-check", Data: "teacher", Inputs: 49, Hidden: 16,
			TrainImages: 1000, HessianImages: 200, TestImages: 1000,
			BatchSize: 50, LearningRate: 1e-2, Stages: []int{0, 50, 300},
			Extremes: 3, LanczosTol: 1e-10, LanczosSubspace: 40, LanczosMaxIterations: 2000,
			Probes: 10, Steps: 100, Dense: true,
		}},
		GridPoints: 256,
		Thresholds: []float64{1e-3, 1e-2},
		Outlier:    0.2,
	},
	Default: spectrumParams{
		Models: []spectrumModel{spectrumCheck, {
			Name: "mnist28", Data: "mnist", Side: 28, Hidden: 128,
			TrainImages: 10000, HessianImages: 800, TestImages: 10000,
			BatchSize: 100, LearningRate: 1e-3, Stages: []int{0, 150, 300},
			Extremes: 3, LanczosTol: 1e-8, LanczosSubspace: 40, LanczosMaxIterations: 150,
			Probes: 6, Steps: 40, SigmaRel: 0.005,
		}},
		GridPoints: 512,
		Thresholds: []float64{1e-3, 1e-2},
		Outlier:    0.2,
	},
	Full: spectrumParams{
		Models: []spectrumModel{spectrumCheck, {
			Name: "mnist28", Data: "mnist", Side: 28, Hidden: 128,
			TrainImages: 60000, HessianImages: 5000, TestImages: 10000,
			BatchSize: 100, LearningRate: 1e-3, Stages: []int{0, 1500, 3000},
			Extremes: 3, LanczosTol: 1e-8, LanczosSubspace: 60, LanczosMaxIterations: 500,
			Probes: 10, Steps: 90, SigmaRel: 0.005,
		}},
		GridPoints: 512,
		Thresholds: []float64{1e-3, 1e-2},
		Outlier:    0.2,
	},
}

// spectrumStageNames names the analysed stages in order.
var spectrumStageNames = []string{"init", "mid", "end"}

// spectrumData is a model's network bound to its training subset, its
// Hessian subset and its test set.
type spectrumData struct {
	mlp         nn.MLP
	train, hess *nn.Net
	xTest       *mat.Dense
	labTest     []int
	title       string
	// keep lists the parameters whose Hessian rows are not identically
	// zero: all but the first-layer weights of the pixels that are zero in
	// every image of the Hessian subset.
	keep []int
}

// spectrumStage is the analysis of one model at one stage.
type spectrumStage struct {
	step     int
	accuracy float64
	a        critical.Analysis
	dense    []float64 // eigenvalues of the assembled Hessian, or nil
	// density and denseDensity (nil without dense) are the SLQ and exact
	// eigenvalue densities at the points grid, smoothed with a Gaussian of
	// width sigma, per unit λ as fractions of all the network's
	// parameters (the zero rows add an atom at 0 that is not drawn).
	grid, density, denseDensity []float64
	sigma                       float64
}

func runSpectrum(ctx context.Context, env *harness.Env) error {
	return spectrumRun(ctx, env, harness.Params(env, spectrumPresets))
}

// spectrumRun runs the experiment with the parameters p.
func spectrumRun(ctx context.Context, env *harness.Env, p spectrumParams) error {
	data := make([]spectrumData, len(p.Models))
	for i, m := range p.Models {
		d, err := spectrumLoad(env, m, i)
		if err != nil {
			return err
		}
		data[i] = d
	}

	// Train each model, keeping the parameters at its stages.
	snaps, err := harness.Map(ctx, env, "train", len(p.Models), func(ctx context.Context, i int, rng *rand.Rand) ([][]float64, error) {
		return spectrumTrain(ctx, p.Models[i], data[i], rng)
	})
	if err != nil {
		return err
	}

	// Analyse every (model, stage) pair.
	type job struct{ model, stage int }
	var jobs []job
	for i, m := range p.Models {
		for s := range m.Stages {
			jobs = append(jobs, job{i, s})
		}
	}
	stages, err := harness.Map(ctx, env, "analyze", len(jobs), func(ctx context.Context, t int, rng *rand.Rand) (spectrumStage, error) {
		j := jobs[t]
		return spectrumAnalyze(p, p.Models[j.model], data[j.model], snaps[j.model][j.stage], p.Models[j.model].Stages[j.stage], rng)
	})
	if err != nil {
		return err
	}
	byModel := make([][]spectrumStage, len(p.Models))
	for t, j := range jobs {
		byModel[j.model] = append(byModel[j.model], stages[t])
	}
	for i, m := range p.Models {
		for s, st := range byModel[i] {
			sp := st.a.Spectrum
			env.Logf("%s %s (step %d): %v, index %.4g ± %.2g (bias %.3g), λ in [%.4g, %.4g], %d products",
				m.Name, spectrumStageNames[s], st.step, st.a.Classification.Kind, sp.Index.Value, sp.Index.StdErr, sp.IndexBias,
				st.a.Classification.MinEigenvalue, st.a.Classification.MaxEigenvalue, sp.HessVecs)
		}
	}
	if err := spectrumTables(env, p, data, byModel); err != nil {
		return err
	}
	return spectrumFigures(env, p, data, byModel)
}

// spectrumLoad returns the data of model m, the i-th.
func spectrumLoad(env *harness.Env, m spectrumModel, i int) (spectrumData, error) {
	seed := env.RNG("data", i).Uint64()
	var (
		xTr, xTe *mat.Dense
		labTr    []int
		labTe    []int
		d        spectrumData
	)
	switch m.Data {
	case "mnist":
		dir, err := env.MNISTDir()
		if err != nil {
			return d, err
		}
		train, test, err := nn.LoadMNIST(&nn.MNISTSettings{Dir: dir, Height: m.Side, Width: m.Side})
		if err != nil {
			return d, err
		}
		tr, te := train.Subset(m.TrainImages, seed), test.Subset(m.TestImages, seed)
		xTr, labTr, xTe, labTe = tr.X, tr.Labels, te.X, te.Labels
		m.Inputs = m.Side * m.Side
		d.title = fmt.Sprintf("MLP %d-%d-10 tanh, MNIST %d×%d", m.Inputs, m.Hidden, m.Side, m.Side)
	case "teacher":
		teacher := nn.MLP{Sizes: []int{m.Inputs, m.Hidden, 10}}
		n := m.TrainImages + m.TestImages
		x, y, _ := nn.TeacherStudent(teacher, n, 0, seed)
		labels := make([]int, n)
		for r := range labels {
			labels[r] = spectrumArgMax(y.RawRowView(r))
		}
		xTr = mat.DenseCopyOf(x.Slice(0, m.TrainImages, 0, m.Inputs))
		xTe = mat.DenseCopyOf(x.Slice(m.TrainImages, n, 0, m.Inputs))
		labTr, labTe = labels[:m.TrainImages], labels[m.TrainImages:]
		d.title = fmt.Sprintf("MLP %d-%d-10 tanh, teacher labels", m.Inputs, m.Hidden)
	default:
		panic(fmt.Sprintf("spectrum: unknown data %q", m.Data))
	}
	d.mlp = nn.MLP{Sizes: []int{m.Inputs, m.Hidden, 10}, Activations: []nn.Activation{nn.Tanh, nn.Linear}, Loss: nn.CrossEntropy}
	d.train = nn.NewNet(d.mlp, xTr, nn.OneHot(labTr, 10))
	// The Hessian subset: the first HessianImages of a random permutation
	// of the training subset.
	perm := rand.New(rand.NewPCG(seed, 1)).Perm(m.TrainImages)[:m.HessianImages]
	slices.Sort(perm)
	xH := mat.NewDense(m.HessianImages, m.Inputs, nil)
	labH := make([]int, m.HessianImages)
	for r, k := range perm {
		xH.SetRow(r, xTr.RawRowView(k))
		labH[r] = labTr[k]
	}
	d.hess = nn.NewNet(d.mlp, xH, nn.OneHot(labH, 10))
	d.xTest, d.labTest = xTe, labTe
	// A pixel that is zero in every Hessian image leaves the loss over
	// them unchanged whatever its first-layer weights W_1[:, j] are: their
	// rows of H vanish, an exactly known null space of dimension Hidden
	// per such pixel, left out of the analysis.
	dead := make([]bool, m.Inputs)
	for j := range m.Inputs {
		dead[j] = !slices.ContainsFunc(mat.Col(nil, j, xH), func(v float64) bool { return v != 0 })
	}
	for k := range d.mlp.NumParams() {
		if k >= m.Hidden*m.Inputs || !dead[k%m.Inputs] {
			d.keep = append(d.keep, k)
		}
	}
	d.title += fmt.Sprintf(", P = %d, H over %d images", d.mlp.NumParams(), m.HessianImages)
	return d, nil
}

// spectrumTrain trains model m with Adam from a Glorot-normal start and
// returns the parameters after each number of steps in m.Stages.
func spectrumTrain(ctx context.Context, m spectrumModel, d spectrumData, rng *rand.Rand) ([][]float64, error) {
	w0 := d.mlp.Init(nil, nn.GlorotNormal, 1, rng.Uint64())
	last := m.Stages[len(m.Stages)-1]
	snaps := make([][]float64, len(m.Stages))
	rec := optimizers.RecorderFunc(func(it optimizers.Iterate) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s := slices.Index(m.Stages, it.K); s >= 0 {
			snaps[s] = slices.Clone(it.X)
		}
		return nil
	})
	_, err := optimizers.Minimize(d.train.Problem(), w0, &optimizers.Adam{LearningRate: m.LearningRate}, &optimizers.Settings{
		MaxIterations:     last,
		GradientThreshold: -1,
		Sampler:           optimizers.Minibatch(d.train, m.BatchSize, rng.Uint64()),
		MonitorInterval:   max(1, last),
		Recorder:          rec,
	})
	if err != nil {
		return nil, err
	}
	for s, w := range snaps {
		if w == nil {
			return nil, fmt.Errorf("spectrum: %s: training stopped before step %d", m.Name, m.Stages[s])
		}
	}
	return snaps, nil
}

// spectrumAnalyze analyses the Hessian of model m at w, after step Adam
// steps, on the parameters d.keep: matrix-free, and densely when m.Dense is
// set.
func spectrumAnalyze(p spectrumParams, m spectrumModel, d spectrumData, w []float64, step int, rng *rand.Rand) (spectrumStage, error) {
	full := d.hess.Problem()
	prob := spectrumRestrict(full, w, d.keep)
	wr := make([]float64, len(d.keep))
	for r, k := range d.keep {
		wr[r] = w[k]
	}
	a, err := critical.Analyze(prob, wr, &critical.AnalyzeSettings{
		MatrixFreeDim: -1,
		MatrixFree: &critical.MatrixFreeSettings{
			Extremes: m.Extremes,
			Lanczos: &hessian.LanczosSettings{
				Tol: m.LanczosTol, SubspaceSize: m.LanczosSubspace, MaxIterations: m.LanczosMaxIterations, Seed: rng.Uint64(),
			},
			SLQ: &hessian.SLQSettings{Probes: m.Probes, Steps: m.Steps, GridPoints: p.GridPoints, Seed: rng.Uint64()},
		},
	})
	if err != nil {
		return spectrumStage{}, fmt.Errorf("spectrum: %s at step %d: %w", m.Name, step, err)
	}
	st := spectrumStage{step: step, a: a, accuracy: d.mlp.Accuracy(w, d.xTest, d.labTest)}
	sp := a.Spectrum
	st.sigma = sp.SLQ.Sigma
	if m.SigmaRel > 0 {
		st.sigma = m.SigmaRel * (a.Classification.MaxEigenvalue - a.Classification.MinEigenvalue)
	}
	scale := float64(len(wr)) / float64(len(w))
	st.grid = sp.SLQ.Grid
	for _, t := range st.grid {
		st.density = append(st.density, scale*sp.SLQ.DensityAt(t, st.sigma))
	}
	if m.Dense {
		h := mat.NewSymDense(len(w), nil)
		full.Hess(h, w)
		hr := mat.NewSymDense(len(d.keep), nil)
		for r, k := range d.keep {
			for c := r; c < len(d.keep); c++ {
				hr.SetSym(r, c, h.At(k, d.keep[c]))
			}
		}
		if st.dense, err = hessian.Eigenvalues(hr); err != nil {
			return spectrumStage{}, fmt.Errorf("spectrum: %s at step %d: %w", m.Name, step, err)
		}
		for _, t := range st.grid {
			st.denseDensity = append(st.denseDensity, scale*spectrumSmoothed(st.dense, st.sigma, t))
		}
	}
	return st, nil
}

// spectrumRestrict returns p as a function of the parameters keep alone,
// the others fixed at their values in w.
func spectrumRestrict(p hessian.Problem, w []float64, keep []int) hessian.Problem {
	expand := func(dst, xr []float64) {
		for r, k := range keep {
			dst[k] = xr[r]
		}
	}
	gather := func(dst, v []float64) {
		for r, k := range keep {
			dst[r] = v[k]
		}
	}
	n := len(w)
	return hessian.Problem{
		Func: func(xr []float64) float64 {
			x := slices.Clone(w)
			expand(x, xr)
			return p.Func(x)
		},
		Grad: func(gr, xr []float64) {
			x, g := slices.Clone(w), make([]float64, n)
			expand(x, xr)
			p.Grad(g, x)
			gather(gr, g)
		},
		HessVec: func(hvr, xr, vr []float64) {
			x, v, hv := slices.Clone(w), make([]float64, n), make([]float64, n)
			expand(x, xr)
			expand(v, vr)
			p.HessVec(hv, x, v)
			gather(hvr, hv)
		},
	}
}

// spectrumThresholds returns the index thresholds τ of a stage: the
// classification tolerance, then p.Thresholds times the norm estimate.
func spectrumThresholds(p spectrumParams, a critical.Analysis) []float64 {
	ts := []float64{a.Certificate.ClassTol}
	for _, r := range p.Thresholds {
		ts = append(ts, r*a.Spectrum.Norm)
	}
	return ts
}

// spectrumW1Points is the number of points of the grid on which
// spectrumW1 integrates.
const spectrumW1Points = 4000

// spectrumW1 returns the Wasserstein-1 distance ∫ |F(x) - G(x)| dx between
// the empirical distribution F of the ascending eigenvalues vals and the
// distribution with CDF cdf, by the midpoint rule on an even grid over the
// range of vals widened by 10% on each side (the SLQ nodes lie within the
// spectrum, and the smoothed CDF leaves it by a few node spacings).
func spectrumW1(vals []float64, cdf func(float64) float64) float64 {
	lo, hi := vals[0], vals[len(vals)-1]
	pad := 0.1 * (hi - lo)
	lo, hi = lo-pad, hi+pad
	h := (hi - lo) / spectrumW1Points
	var w float64
	for i := range spectrumW1Points {
		x := lo + (float64(i)+0.5)*h
		f := float64(spectrumCountBelow(vals, x)) / float64(len(vals))
		w += math.Abs(f-cdf(x)) * h
	}
	return w
}

// spectrumSmoothed returns the density of the eigenvalues vals smoothed with
// a Gaussian of width sigma at t, as SLQ smooths its nodes.
func spectrumSmoothed(vals []float64, sigma, t float64) float64 {
	var s float64
	for _, v := range vals {
		z := (t - v) / sigma
		s += math.Exp(-z * z / 2)
	}
	return s / (float64(len(vals)) * sigma * math.Sqrt(2*math.Pi))
}

// spectrumCountBelow returns #{v < x} for ascending vals.
func spectrumCountBelow(vals []float64, x float64) int {
	i, _ := slices.BinarySearch(vals, x)
	return i
}

// spectrumCertainBelow returns the most Ritz values below x in any one
// Lanczos run or SLQ probe: a proven lower bound on #{λ < x} (Cauchy
// interlacing).
func spectrumCertainBelow(sp *critical.SpectrumEstimate, x float64) int {
	c := spectrumCountBelow(sp.Smallest.Values, x)
	for _, nodes := range sp.SLQ.Nodes {
		c = max(c, spectrumCountBelow(nodes, x))
	}
	return c
}

func spectrumTables(env *harness.Env, p spectrumParams, data []spectrumData, byModel [][]spectrumStage) error {
	stages := harness.NewTable("model", "stage", "step", "params", "zero_rows", "analysed_dim", "hessian_images",
		"loss", "grad_norm", "test_accuracy", "kind", "lambda_min", "lambda_max", "norm", "class_tol", "trace", "trace_se",
		"certain_negative", "certain_positive", "nullity", "nullity_se", "probes", "slq_steps", "hessvecs", "extremes_converged",
		"outlier_threshold", "outliers", "outliers_se", "outliers_bias",
		"dense_lambda_min", "dense_lambda_max", "dense_index", "dense_nullity", "dense_outliers", "ks", "ks_smoothed", "w1", "w1_smoothed")
	index := harness.NewTable("model", "stage", "step", "threshold_rel", "threshold", "index", "index_se", "index_bias",
		"fraction", "fraction_se", "index_step", "index_step_se", "index_step_bias", "certain_negative", "dense_index", "z", "z_step")
	extremes := harness.NewTable("model", "stage", "step", "end", "rank", "ritz_value", "residual", "converged",
		"dense_eigenvalue", "abs_error", "rel_error")
	density := harness.NewTable("model", "stage", "step", "lambda", "density", "density_dense", "sigma")
	for i, m := range p.Models {
		params := data[i].mlp.NumParams()
		for s, st := range byModel[i] {
			a, sp := st.a, st.a.Spectrum
			n := len(a.X)
			name := spectrumStageNames[s]
			tol := a.Certificate.ClassTol
			othr := p.Outlier * sp.Norm
			obelow, obias := sp.CountBelow(othr)
			var dMin, dMax, dIndex, dNull, dOut, ks, ksSmooth, w1, w1Smooth any
			if st.dense != nil {
				dMin, dMax = st.dense[0], st.dense[n-1]
				below := spectrumCountBelow(st.dense, -tol)
				dIndex = below
				dNull = spectrumCountBelow(st.dense, math.Nextafter(tol, math.Inf(1))) - below
				dOut = n - spectrumCountBelow(st.dense, math.Nextafter(othr, math.Inf(1)))
				ks = stats.KS(st.dense, sp.SLQ.CDF, func(x float64) float64 {
					c, _ := sp.SLQ.CountBelow(x)
					return c.Value / float64(n)
				})
				smooth := func(x float64) float64 {
					c, _ := sp.CountBelow(x)
					return c.Value / float64(n)
				}
				ksSmooth = stats.KS(st.dense, smooth, smooth)
				w1 = spectrumW1(st.dense, sp.SLQ.CDF)
				w1Smooth = spectrumW1(st.dense, smooth)
			}
			converged := sp.Smallest.AllConverged() && sp.Largest.AllConverged()
			stages.Row(m.Name, name, st.step, params, params-n, n, m.HessianImages,
				a.F, a.Certificate.GradNorm, st.accuracy, a.Classification.Kind.String(),
				a.Classification.MinEigenvalue, a.Classification.MaxEigenvalue, sp.Norm, tol,
				sp.SLQ.Trace.Value, sp.SLQ.Trace.StdErr, sp.CertainNegative, sp.CertainPositive,
				sp.Nullity.Value, sp.Nullity.StdErr, m.Probes, m.Steps, sp.HessVecs, converged,
				othr, float64(n)-obelow.Value, obelow.StdErr, obias,
				dMin, dMax, dIndex, dNull, dOut, ks, ksSmooth, w1, w1Smooth)

			for ti, tau := range spectrumThresholds(p, a) {
				est, bias := sp.CountBelow(-tau)
				step, stepBias := sp.SLQ.CountBelow(-tau)
				var rel any = "class_tol"
				if ti > 0 {
					rel = p.Thresholds[ti-1]
				}
				var dCount, z, zStep any
				if st.dense != nil {
					c := float64(spectrumCountBelow(st.dense, -tau))
					dCount = int(c)
					if est.StdErr > 0 {
						z = (est.Value - c) / est.StdErr
					}
					if step.StdErr > 0 {
						zStep = (step.Value - c) / step.StdErr
					}
				}
				index.Row(m.Name, name, st.step, rel, tau, est.Value, est.StdErr, bias,
					est.Value/float64(params), est.StdErr/float64(params), step.Value, step.StdErr, stepBias,
					spectrumCertainBelow(sp, -tau), dCount, z, zStep)
			}

			for _, end := range []struct {
				name string
				r    hessian.LanczosResult
			}{{"smallest", sp.Smallest}, {"largest", sp.Largest}} {
				for k, v := range end.r.Values {
					var dv, ae, re any
					if st.dense != nil {
						e := st.dense[k]
						if end.name == "largest" {
							e = st.dense[n-1-k]
						}
						dv, ae, re = e, math.Abs(v-e), math.Abs(v-e)/max(math.Abs(st.dense[0]), math.Abs(st.dense[n-1]))
					}
					extremes.Row(m.Name, name, st.step, end.name, k+1, v, end.r.Residuals[k], end.r.Converged[k], dv, ae, re)
				}
			}

			for g, t := range st.grid {
				var dd any
				if st.denseDensity != nil {
					dd = st.denseDensity[g]
				}
				density.Row(m.Name, name, st.step, t, st.density[g], dd, st.sigma)
			}
		}
	}
	for _, f := range []struct {
		name string
		t    *harness.Table
	}{{"stages.csv", stages}, {"index.csv", index}, {"extremes.csv", extremes}, {"density.csv", density}} {
		if err := env.WriteCSV(f.name, f.t); err != nil {
			return err
		}
	}
	return nil
}

// spectrumFloor is the lowest density drawn on the log axis, relative to the
// peak of each panel.
const spectrumFloor = 1e-7

func spectrumFigures(env *harness.Env, p spectrumParams, data []spectrumData, byModel [][]spectrumStage) error {
	for i, m := range p.Models {
		row := make([]*plot.Plot, len(byModel[i]))
		for s, st := range byModel[i] {
			pl, err := spectrumDensityPlot(data[i], st, s, m.Dense)
			if err != nil {
				return err
			}
			row[s] = pl
		}
		if err := env.WritePlots("density_"+m.Name, vg.Length(len(row))*12*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{row}); err != nil {
			return err
		}
	}
	var row []*plot.Plot
	for i, m := range p.Models {
		pl, err := spectrumIndexPlot(p, m, data[i], byModel[i])
		if err != nil {
			return err
		}
		row = append(row, pl)
	}
	return env.WritePlots("index", vg.Length(len(row))*12*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{row})
}

// spectrumDensityPlot draws the SLQ density of one stage on a log axis with
// the Lanczos extremes marked, and the smoothed exact density when known.
func spectrumDensityPlot(d spectrumData, st spectrumStage, s int, dense bool) (*plot.Plot, error) {
	a, sp := st.a, st.a.Spectrum
	params := d.mlp.NumParams()
	scale := float64(len(a.X)) / float64(params)
	atom := ""
	if len(a.X) < params {
		atom = fmt.Sprintf(", + atom %.3f at 0", 1-scale)
	}
	np := float64(params)
	title := fmt.Sprintf("%s\n%s (Adam step %d): %v, λ in [%.3g, %.3g]%s\nindex/P ≈ %.3f ± %.3f (3 s.e.), bias ≤ %.3f; smoothing σ = %.2g",
		d.title, spectrumStageNames[s], st.step, a.Classification.Kind, a.Classification.MinEigenvalue, a.Classification.MaxEigenvalue, atom,
		sp.Index.Value/np, 3*sp.Index.StdErr/np, sp.IndexBias/np, st.sigma)
	pl := plotx.New(title, "Hessian eigenvalue λ", "density (fraction of eigenvalues per unit λ)")
	plotx.SetFontSize(pl, 10)
	plotx.LogY(pl)
	peak := slices.Max(st.density)
	floor := spectrumFloor * peak
	var xys plotter.XYs
	for g, t := range st.grid {
		xys = append(xys, plotter.XY{X: t, Y: max(st.density[g], floor)})
	}
	// label returns l on the first panel only: one legend per figure.
	label := func(l string) string {
		if s > 0 {
			return ""
		}
		return l
	}
	if err := plotx.Line(pl, label("SLQ density (colour: stage)"), xys, plotx.SeriesStyle(s)); err != nil {
		return nil, err
	}
	if dense {
		var dxys plotter.XYs
		for g, t := range st.grid {
			dxys = append(dxys, plotter.XY{X: t, Y: max(st.denseDensity[g], floor)})
		}
		style := draw.LineStyle{Color: plotx.Black, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		if err := plotx.Line(pl, label("exact eigenvalues, same smoothing"), dxys, style); err != nil {
			return nil, err
		}
	}
	var marks plotter.XYs
	for _, v := range sp.Smallest.Values {
		marks = append(marks, plotter.XY{X: v, Y: 3 * floor})
	}
	for _, v := range sp.Largest.Values {
		marks = append(marks, plotter.XY{X: v, Y: 3 * floor})
	}
	if err := plotx.Points(pl, label(fmt.Sprintf("Lanczos: %d smallest, %d largest", len(sp.Smallest.Values), len(sp.Largest.Values))),
		marks, plotx.Black, draw.TriangleGlyph{}); err != nil {
		return nil, err
	}
	pl.Y.Min = floor
	pl.Y.Max = 30 * peak
	return pl, nil
}

// spectrumIndexPlot draws the index fraction of model m at each stage and
// threshold: the SLQ estimate with bars of ±3 standard errors (dark) and of
// ±(3 standard errors + the quadrature bias bound) (light), and the exact
// fraction when known. The thresholds are drawn side by side at each step.
func spectrumIndexPlot(p spectrumParams, m spectrumModel, d spectrumData, stages []spectrumStage) (*plot.Plot, error) {
	pl := plotx.New(d.title+"\nbars: ±3 s.e. (dark), ±(3 s.e. + quadrature bias bound) (light), clipped to [1e-4, 1]",
		"Adam step", "index fraction #{λ < -τ} / P")
	params := float64(d.mlp.NumParams())
	plotx.LogY(pl)
	plotx.SetFontSize(pl, 10)
	dodge := 0.02 * float64(m.Stages[len(m.Stages)-1])
	for ti := range 1 + len(p.Thresholds) {
		label := "τ = classification tolerance"
		if ti > 0 {
			label = fmt.Sprintf("τ = %g ||H||₂", p.Thresholds[ti-1])
		}
		var xs, lo, hi, blo, bhi []float64
		var est, exact plotter.XYs
		for _, st := range stages {
			n := params
			tau := spectrumThresholds(p, st.a)[ti]
			c, bias := st.a.Spectrum.CountBelow(-tau)
			x := float64(st.step) + float64(ti-len(p.Thresholds)/2)*dodge
			xs = append(xs, x)
			// Fractions lie in [0, 1]: the bars are clipped to
			// [spectrumFractionFloor, 1] for the log axis.
			clip := func(v float64) float64 { return min(1, max(spectrumFractionFloor, v)) }
			lo, hi = append(lo, clip((c.Value-3*c.StdErr)/n)), append(hi, clip((c.Value+3*c.StdErr)/n))
			blo, bhi = append(blo, clip((c.Value-3*c.StdErr-bias)/n)), append(bhi, clip((c.Value+3*c.StdErr+bias)/n))
			est = append(est, plotter.XY{X: x, Y: clip(c.Value / n)})
			if st.dense != nil {
				exact = append(exact, plotter.XY{X: x, Y: clip(float64(spectrumCountBelow(st.dense, -tau)) / n)})
			}
		}
		c := plotx.Color(3 + ti)
		if err := plotx.YErrorBars(pl, xs, blo, bhi, spectrumTint(c)); err != nil {
			return nil, err
		}
		if err := plotx.YErrorBars(pl, xs, lo, hi, c); err != nil {
			return nil, err
		}
		if err := plotx.Points(pl, "SLQ, "+label, est, c, nil); err != nil {
			return nil, err
		}
		if err := plotx.Points(pl, "exact, "+label, exact, c, draw.BoxGlyph{}); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// spectrumFractionFloor is the lowest index fraction drawn.
const spectrumFractionFloor = 1e-4

// spectrumTint returns c mixed half with white.
func spectrumTint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8)/2 + 128) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xff}
}

// spectrumArgMax returns the index of the largest element of v.
func spectrumArgMax(v []float64) int {
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}
