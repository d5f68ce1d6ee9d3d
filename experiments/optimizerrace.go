package main

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/optimizers"
)

// The optimizer-race experiment runs every optimizer of the lecture, plus
// damped and saddle-free Newton, from the same initialisations on two small
// networks, in the manner of Dauphin et al. (Identifying and attacking the
// saddle point problem in high-dimensional non-convex optimization, NIPS
// 2014, Fig. 3 and 4): the training loss against iterations and against
// gradient evaluations, with the most negative Hessian eigenvalue and the
// gradient norm along the way, to show plateaus as saddles and which methods
// leave them.
//
// The models:
//
//   - mlp-mnist: a one-hidden-layer tanh MLP 100-H-10 with softmax
//     cross-entropy on a stratified subset of MNIST downsampled to 10×10
//     (pixels in [0, 1]), Glorot-normal initialisation: the small network
//     of Dauphin et al.'s Fig. 3.
//   - autoencoder: a deep linear autoencoder 16-8-2-8-16 (no biases,
//     L = (1/2N) Σ_μ ‖x_μ − W₄W₃W₂W₁x_μ‖²) on the same images averaged
//     further to 4×4 and standardised, from small Gaussian weights. Its
//     origin is a saddle of order four and every critical point other than
//     the PCA projection onto the top two components is a saddle (Baldi &
//     Hornik 1989; Saxe et al. 2013), so gradient descent from small weights
//     sits on a long plateau at the origin and a second one at the saddle
//     that has learnt one component. Its global minimum L* = ½ Σ_{i>2} λᵢ
//     (λᵢ the eigenvalues of the data's second moments) is known, and its
//     losses are shown as the excess L − L*.
//
// The methods: gradient descent on the full batch (gd), on minibatches
// (sgd-minibatch) and on one sample a step (sgd-online), each with a
// constant rate and with the lecture's linearly annealed rate (η from η₀ to
// AnnealFinal·η₀ over the run, suffix -annealed); momentum and Nesterov
// (α = Momentum), Adagrad, RMSprop and Adam on minibatches; damped Newton
// (Levenberg-Marquardt damping adapted at every step from λ₀ = 1, Martens
// 2010); saddle-free Newton with the exact Hessian, fully decomposed, and
// in the Krylov form of Dauphin et al.'s Algorithm 1 with a subspace of
// dimension Krylov; both take at every step the damping of Dampings that
// gives the lowest loss. The Newton family runs on the full batch.
//
// Every method with a learning rate has it chosen by a small search: each
// rate of its grid (LearningRates, five values a factor of about 3 apart)
// runs SearchIterations iterations from a separate initialisation, and the
// rate with the lowest final loss is kept (a diverged run is never kept).
// Then every method runs from Seeds initialisations, the same for all
// methods; the stochastic ones share the minibatch sequence of each seed.
// First-order methods run FirstOrderIterations steps, the Newton family
// SecondOrderIterations.
//
// Gradient evaluations are counted in full-data gradient equivalents: a
// gradient over b of the N samples counts b/N, a Hessian-vector product
// as much as a gradient and a Hessian P gradients (P parameters), the
// conversion of optimizers.Evaluations; function values are free (damped
// Newton's trial losses, saddle-free Newton's damping search). One epoch
// of minibatch or online SGD is one gradient evaluation, an iteration of
// exact saddle-free Newton costs P + 1. The full loss and gradient norm of
// the curves are evaluated outside this count.
//
// Outputs:
//
//	models.csv   model, description, parameters, samples, batch,
//	             global_min_loss (L*, empty for the MLP), initial_loss_at_zero
//	             (L at zero weights), loss_threshold, first_order_iterations,
//	             second_order_iterations, seeds
//	search.csv   model, method, learning_rate, iterations, final_loss, status,
//	             chosen (true for the rate kept)
//	curves.csv   model, seed, method, iteration, grad_evals, loss, grad_norm:
//	             the full training loss and its gradient norm on a grid of
//	             iterations (every iteration of the Newton family)
//	spectra.csv  model, seed, method, iteration, grad_evals, loss, grad_norm,
//	             min_eigenvalue, max_eigenvalue, index, nullity, tol: the
//	             exact Hessian's extreme eigenvalues at log-spaced iterates,
//	             with the counts of eigenvalues below -tol and within ±tol,
//	             tol = critical.DefaultRelTol·max|λ|
//	runs.csv     model, seed, method, learning_rate, iterations, grad_evals,
//	             final_loss, final_grad_norm, final_train_error (training
//	             classification error of the MLP, empty for the autoencoder),
//	             status, iterations_to_threshold, grad_evals_to_threshold
//	             (empty when not reached)
//	summary.csv  model, method, sampling, learning_rate, iterations, seeds,
//	             final_loss_mean, final_loss_std, final_grad_norm_mean,
//	             final_train_error_mean, grad_evals_mean (over the completed
//	             runs), loss_threshold,
//	             reached (runs that reached it), iterations_to_threshold_mean,
//	             grad_evals_to_threshold_mean (over those runs), completed
//	             (runs that completed their budget without diverging)
//
// and the figures optimizer_race (median loss over seeds against iterations
// and gradient evaluations), optimizer_race_sgd (the six gradient-descent
// variants) and optimizer_race_saddles (one seed's loss, gradient norm and
// -λ_min/λ_max along the runs). The iterations to the threshold are read off
// the curve grid, so for first-order methods they are upper bounds within
// one grid step.
//
// Dauphin et al. report that saddle-free Newton reaches lower training
// error than minibatch SGD with momentum and damped Newton on the small
// MNIST MLP, and that it leaves the plateaus where the others stall, while
// the magnitude of the most negative eigenvalue shrinks along its run.
//
// Presets: quick (one MLP seed at H = 3 on 100 images, two autoencoder
// seeds, short budgets) takes a few seconds; default (H = 4, P = 454, on
// 1000 images, three seeds each, spectra of the first seed) about 95 s of
// CPU time, under a minute on 2 idle cores; full (H = 8, P = 898, 2000 images, five seeds with spectra,
// twice the iteration budgets) about 15 minutes on 2 cores (estimated from
// the default's cost per operation, not measured).
func init() {
	registry.Add(harness.Experiment{
		Name:    "optimizer-race",
		Summary: "Dauphin et al. 2014 Fig. 3: SGD variants, momentum, adaptive methods, damped and saddle-free Newton on an MNIST MLP and a deep linear autoencoder",
		Run:     runOptimizerRace,
	})
}

// raceModelParams describes one model of the race.
type raceModelParams struct {
	// Name is "mlp-mnist" or "autoencoder".
	Name string `json:"name"`
	// Images is the number N of MNIST training images (a stratified
	// subset), Side the side of the downsampled images.
	Images int `json:"images"`
	Side   int `json:"side"`
	// Sizes are the layer widths.
	Sizes []int `json:"sizes"`
	// Batch is the minibatch size.
	Batch int `json:"batch"`
	// InitScale is the scale of the initial weights: of Glorot-normal
	// weights for the MLP, the standard deviation of Gaussian weights for
	// the autoencoder.
	InitScale float64 `json:"init_scale"`
	// Seeds is the number of initialisations every method starts from.
	Seeds int `json:"seeds"`
	// FirstOrderIterations and SecondOrderIterations are the iteration
	// budgets of the first-order methods and of the Newton family.
	FirstOrderIterations  int `json:"first_order_iterations"`
	SecondOrderIterations int `json:"second_order_iterations"`
	// SearchIterations is the length of the runs of the learning-rate
	// search. The autoencoder's is its whole budget: on its plateau every
	// rate gives the same loss for a long time, and a rate that is stable
	// there can diverge at the minimum, where the curvature is larger.
	SearchIterations int `json:"search_iterations"`
	// Threshold defines the loss threshold of the summary: the loss itself
	// for the MLP (nats); for the autoencoder the fraction of L(0) − L*
	// left above L*, the threshold being L* + Threshold·(L(0) − L*).
	Threshold float64 `json:"threshold"`
}

// optimizerRaceParams are the sizes of the optimizer-race experiment.
type optimizerRaceParams struct {
	Models []raceModelParams `json:"models"`
	// Methods are the method names, in the order of the tables.
	Methods []string `json:"methods"`
	// LearningRates is the search grid of each method with a learning
	// rate (the initial rate η₀ of the annealed ones).
	LearningRates map[string][]float64 `json:"learning_rates"`
	// AnnealFinal is η_τ/η₀ of the annealed schedules, τ the run length.
	AnnealFinal float64 `json:"anneal_final"`
	// Momentum is α of momentum and Nesterov.
	Momentum float64 `json:"momentum"`
	// Dampings are the dampings saddle-free Newton tries at every step.
	Dampings []float64 `json:"sfn_dampings"`
	// Krylov is the subspace dimension of saddle-free-newton-krylov.
	Krylov int `json:"krylov"`
	// CurvePoints is about the number of iterations at which a
	// first-order run's loss is recorded, half of them log-spaced.
	CurvePoints int `json:"curve_points"`
	// SpectrumPoints is the number of log-spaced iterates of a run whose
	// Hessian spectrum is computed, for the first SpectrumSeeds seeds.
	SpectrumPoints int `json:"spectrum_points"`
	SpectrumSeeds  int `json:"spectrum_seeds"`

	// Selected records the result of the learning-rate search.
	Selected *raceSelection `json:"selected,omitempty"`
}

// raceSelection is the outcome of the learning-rate search, for meta.json.
type raceSelection struct {
	Note  string       `json:"note"`
	Rates []raceChosen `json:"rates"`
}

type raceChosen struct {
	Model        string  `json:"model"`
	Method       string  `json:"method"`
	LearningRate float64 `json:"learning_rate"`
	SearchLoss   float64 `json:"search_final_loss"`
	AtGridEdge   bool    `json:"at_grid_edge"`
}

// raceMethods are all the methods, in table order.
var raceMethods = []string{
	"gd", "gd-annealed", "sgd-minibatch", "sgd-minibatch-annealed", "sgd-online", "sgd-online-annealed",
	"momentum", "nesterov", "adagrad", "rmsprop", "adam",
	"damped-newton", "saddle-free-newton", "saddle-free-newton-krylov",
}

// raceRates are the learning-rate grids: five values a factor of about 3
// apart, spanning the rates that suit the MLP (larger) and the autoencoder
// (smaller); six for Adam, whose best rates on the two lie furthest apart.
// The defaults of the papers (Adagrad 0.01, RMSprop and Adam 0.001) lie
// inside them.
var raceRates = map[string][]float64{
	"gd":                     {0.03, 0.1, 0.3, 1, 3},
	"gd-annealed":            {0.03, 0.1, 0.3, 1, 3},
	"sgd-minibatch":          {0.03, 0.1, 0.3, 1, 3},
	"sgd-minibatch-annealed": {0.03, 0.1, 0.3, 1, 3},
	"sgd-online":             {0.003, 0.01, 0.03, 0.1, 0.3},
	"sgd-online-annealed":    {0.003, 0.01, 0.03, 0.1, 0.3},
	"momentum":               {0.003, 0.01, 0.03, 0.1, 0.3},
	"nesterov":               {0.003, 0.01, 0.03, 0.1, 0.3},
	"adagrad":                {0.01, 0.03, 0.1, 0.3, 1},
	"rmsprop":                {0.0003, 0.001, 0.003, 0.01, 0.03},
	"adam":                   {0.0003, 0.001, 0.003, 0.01, 0.03, 0.1},
}

var raceDampings = []float64{1e-3, 1e-2, 1e-1, 1, 10}

// optimizerRacePresets: see the experiment's doc comment for the costs.
var optimizerRacePresets = harness.Presets[optimizerRaceParams]{
	Quick: optimizerRaceParams{
		Models: []raceModelParams{
			{Name: "mlp-mnist", Images: 100, Side: 10, Sizes: []int{100, 3, 10}, Batch: 10, InitScale: 1, Seeds: 1,
				FirstOrderIterations: 100, SearchIterations: 30, SecondOrderIterations: 6, Threshold: 1},
			{Name: "autoencoder", Images: 200, Side: 4, Sizes: []int{16, 8, 2, 8, 16}, Batch: 20, InitScale: 0.01, Seeds: 2,
				FirstOrderIterations: 150, SearchIterations: 150, SecondOrderIterations: 25, Threshold: 0.01},
		},
		Methods: raceMethods, LearningRates: raceRates, AnnealFinal: 0.01, Momentum: 0.9,
		Dampings: raceDampings, Krylov: 10, CurvePoints: 40, SpectrumPoints: 2, SpectrumSeeds: 1,
	},
	Default: optimizerRaceParams{
		Models: []raceModelParams{
			{Name: "mlp-mnist", Images: 1000, Side: 10, Sizes: []int{100, 4, 10}, Batch: 50, InitScale: 1, Seeds: 3,
				FirstOrderIterations: 2000, SearchIterations: 500, SecondOrderIterations: 40, Threshold: 0.5},
			{Name: "autoencoder", Images: 1000, Side: 4, Sizes: []int{16, 8, 2, 8, 16}, Batch: 50, InitScale: 0.01, Seeds: 3,
				FirstOrderIterations: 5000, SearchIterations: 5000, SecondOrderIterations: 50, Threshold: 0.01},
		},
		Methods: raceMethods, LearningRates: raceRates, AnnealFinal: 0.01, Momentum: 0.9,
		Dampings: raceDampings, Krylov: 20, CurvePoints: 100, SpectrumPoints: 8, SpectrumSeeds: 1,
	},
	Full: optimizerRaceParams{
		Models: []raceModelParams{
			{Name: "mlp-mnist", Images: 2000, Side: 10, Sizes: []int{100, 8, 10}, Batch: 100, InitScale: 1, Seeds: 5,
				FirstOrderIterations: 4000, SearchIterations: 1000, SecondOrderIterations: 80, Threshold: 0.5},
			{Name: "autoencoder", Images: 2000, Side: 4, Sizes: []int{16, 8, 2, 8, 16}, Batch: 50, InitScale: 0.01, Seeds: 5,
				FirstOrderIterations: 10000, SearchIterations: 10000, SecondOrderIterations: 100, Threshold: 0.01},
		},
		Methods: raceMethods, LearningRates: raceRates, AnnealFinal: 0.01, Momentum: 0.9,
		Dampings: raceDampings, Krylov: 40, CurvePoints: 160, SpectrumPoints: 10, SpectrumSeeds: 5,
	},
}

// raceSecondOrder reports whether method is of the Newton family.
func raceSecondOrder(method string) bool {
	return strings.Contains(method, "newton")
}

// raceSampling returns how the steps of method sample the data: "full"
// (every sample, every step), "minibatch" or "online".
func raceSampling(method string) string {
	switch {
	case raceSecondOrder(method), strings.HasPrefix(method, "gd"):
		return "full"
	case strings.HasPrefix(method, "sgd-online"):
		return "online"
	}
	return "minibatch"
}

// raceNewMethod returns the optimizer called name with learning rate lr
// (the initial rate of an annealed schedule over iters steps).
func raceNewMethod(name string, lr float64, iters int, p optimizerRaceParams) optimizers.Method {
	var sched optimizers.Schedule
	if strings.HasSuffix(name, "-annealed") {
		sched = optimizers.LinearAnneal{Initial: lr, Final: p.AnnealFinal * lr, Tau: iters}
	}
	switch strings.TrimSuffix(name, "-annealed") {
	case "gd", "sgd-minibatch", "sgd-online":
		return &optimizers.SGD{LearningRate: lr, Schedule: sched}
	case "momentum":
		return &optimizers.Momentum{LearningRate: lr, Momentum: p.Momentum}
	case "nesterov":
		return &optimizers.Nesterov{LearningRate: lr, Momentum: p.Momentum}
	case "adagrad":
		return &optimizers.Adagrad{LearningRate: lr}
	case "rmsprop":
		return &optimizers.RMSprop{LearningRate: lr}
	case "adam":
		return &optimizers.Adam{LearningRate: lr}
	case "damped-newton":
		return &optimizers.DampedNewton{}
	case "saddle-free-newton":
		return &optimizers.SaddleFreeNewton{Dampings: p.Dampings}
	case "saddle-free-newton-krylov":
		return &optimizers.SaddleFreeNewton{Dampings: p.Dampings, Krylov: p.Krylov}
	}
	panic(fmt.Sprintf("optimizer-race: unknown method %q", name))
}

// raceData is a training objective that is a mean over samples: *nn.Net
// or *nn.LinearNet.
type raceData interface {
	optimizers.Batched
	Problem() hessian.Problem
	NumParams() int
}

// raceCounter wraps a raceData and counts the gradient evaluations of the
// problems it hands out in sample-gradients: a gradient or Hessian-vector
// product over b samples adds b, a Hessian over b samples adds P·b.
type raceCounter struct {
	data  raceData
	count atomic.Int64
}

func (c *raceCounter) Len() int { return c.data.Len() }

func (c *raceCounter) Batch(idx []int) hessian.Problem {
	return c.wrap(c.data.Batch(idx), len(idx))
}

// full returns the counted problem over every sample.
func (c *raceCounter) full() hessian.Problem { return c.wrap(c.data.Problem(), c.data.Len()) }

// gradEvals returns the count in full-data gradient equivalents.
func (c *raceCounter) gradEvals() float64 {
	return float64(c.count.Load()) / float64(c.data.Len())
}

func (c *raceCounter) wrap(p hessian.Problem, b int) hessian.Problem {
	n := int64(c.data.NumParams())
	return hessian.Problem{
		Func: p.Func,
		Grad: func(grad, x []float64) {
			c.count.Add(int64(b))
			p.Grad(grad, x)
		},
		HessVec: func(hv, x, v []float64) {
			c.count.Add(int64(b))
			p.HessVec(hv, x, v)
		},
		Hess: func(h *mat.SymDense, x []float64) {
			c.count.Add(n * int64(b))
			p.Hess(h, x)
		},
	}
}

// raceModel is a model of the race bound to its data.
type raceModel struct {
	raceModelParams
	desc      string
	data      raceData
	full      hessian.Problem // uncounted: curves and spectra
	params    int
	lstar     float64 // global minimum, NaN when unknown
	lzero     float64 // loss at zero weights
	threshold float64 // absolute loss threshold
	init      func(seed uint64) []float64
	// trainError is the training classification error of a classifier,
	// nil for the autoencoder.
	trainError func(w []float64) float64
}

// excess returns the loss as plotted: L − L* when L* is known.
func (m *raceModel) excess(loss float64) float64 {
	if math.IsNaN(m.lstar) {
		return loss
	}
	return loss - m.lstar
}

// racePoint is the full loss and gradient norm at one iterate.
type racePoint struct {
	k           int
	evals       float64
	loss, gnorm float64
}

// raceSpectrum is the Hessian spectrum at one iterate.
type raceSpectrum struct {
	racePoint
	min, max float64
	inertia  hessian.Inertia
	tol      float64
}

// raceOutcome is one run.
type raceOutcome struct {
	curve   []racePoint
	spectra []raceSpectrum
	status  string
	// trainError is the training classification error at the last
	// iterate, NaN for the autoencoder.
	trainError float64
}

func (o raceOutcome) final() racePoint { return o.curve[len(o.curve)-1] }

// reached returns the first point of the curve at or below the threshold.
func (o raceOutcome) reached(threshold float64) (racePoint, bool) {
	for _, pt := range o.curve {
		if pt.loss <= threshold {
			return pt, true
		}
	}
	return racePoint{}, false
}

// errRaceDiverged stops a run whose loss left the blow-up bound.
var errRaceDiverged = errors.New("loss diverged")

// raceBlowUp is the bound on |loss|/max(1, |loss₀|) of a run, that of
// optimizers.Settings.BlowUp.
const raceBlowUp = 1e12

// raceJob is one run: a method with a learning rate from a start.
type raceJob struct {
	model     *raceModel
	method    string
	lr        float64
	iters     int
	x0        []float64
	batchSeed uint64
	curveK    []int // iterations whose loss is recorded, ascending
	spectrumK []int // iterations whose spectrum is computed, ascending
}

func (j raceJob) run(ctx context.Context, p optimizerRaceParams) (raceOutcome, error) {
	m := j.model
	counter := &raceCounter{data: m.data}
	set := &optimizers.Settings{MaxIterations: j.iters, GradientThreshold: -1, MonitorInterval: j.iters}
	prob := m.full
	switch raceSampling(j.method) {
	case "online":
		set.Sampler = optimizers.Online(counter, j.batchSeed)
	case "minibatch":
		set.Sampler = optimizers.Minibatch(counter, m.Batch, j.batchSeed)
	default:
		if raceSecondOrder(j.method) {
			// Every iterate is monitored on the counted problem; the
			// method reuses those gradients, so they are its own.
			prob = counter.full()
		} else {
			set.Sampler = optimizers.FullBatch(counter)
		}
	}

	var (
		out      = raceOutcome{trainError: math.NaN()}
		snaps    [][]float64
		snapK    []int
		grad     = make([]float64, m.params)
		ci, si   int
		bound    float64
		evaluate = func(k int, x []float64, it *optimizers.Iterate) racePoint {
			pt := racePoint{k: k, evals: counter.gradEvals()}
			if it != nil && it.Monitored {
				pt.loss, pt.gnorm = it.F, it.GradNorm
			} else {
				pt.loss = m.full.Func(x)
				m.full.Grad(grad, x)
				pt.gnorm = floats.Norm(grad, 2)
			}
			return pt
		}
	)
	set.Recorder = optimizers.RecorderFunc(func(it optimizers.Iterate) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ci < len(j.curveK) && it.K == j.curveK[ci] {
			ci++
			pt := evaluate(it.K, it.X, &it)
			if it.K == 0 {
				bound = raceBlowUp * math.Max(1, math.Abs(pt.loss))
			}
			if math.IsNaN(pt.loss) || math.Abs(pt.loss) > bound || math.IsNaN(pt.gnorm) || math.IsInf(pt.gnorm, 0) {
				return errRaceDiverged
			}
			out.curve = append(out.curve, pt)
		}
		if si < len(j.spectrumK) && it.K == j.spectrumK[si] {
			si++
			snaps, snapK = append(snaps, slices.Clone(it.X)), append(snapK, it.K)
		}
		return nil
	})
	res, err := optimizers.Minimize(prob, j.x0, raceNewMethod(j.method, j.lr, j.iters, p), set)
	if ctx.Err() != nil {
		return out, ctx.Err()
	}
	out.status = res.Status.String()
	diverged := errors.Is(err, errRaceDiverged)
	switch {
	case diverged:
		out.status = optimizers.Diverged.String()
	case err != nil && res.Status == optimizers.Failure:
		return out, err
	}
	if len(out.curve) == 0 {
		return out, fmt.Errorf("%s: no iterate recorded: %v", j.method, err)
	}
	// A run that stopped early ends at its last good iterate.
	if last := out.curve[len(out.curve)-1]; !diverged && last.k < res.Iterations {
		if pt := evaluate(res.Iterations, res.X, nil); !math.IsNaN(pt.loss) && !math.IsInf(pt.loss, 0) {
			out.curve = append(out.curve, pt)
		}
	}
	if m.trainError != nil && !diverged {
		out.trainError = m.trainError(res.X)
	}

	for i, x := range snaps {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		var h mat.SymDense
		if err := hessian.Exact(&h, m.full, x); err != nil {
			return out, err
		}
		vals, err := hessian.Eigenvalues(&h)
		if err != nil {
			return out, err
		}
		lo, hi := vals[0], vals[len(vals)-1]
		tol := critical.DefaultRelTol * math.Max(math.Abs(lo), math.Abs(hi))
		k := slices.IndexFunc(out.curve, func(pt racePoint) bool { return pt.k == snapK[i] })
		out.spectra = append(out.spectra, raceSpectrum{
			racePoint: out.curve[k], min: lo, max: hi, inertia: hessian.CountInertia(vals, tol), tol: tol,
		})
	}
	return out, nil
}

// raceGrid returns the iterations 0..k at which a run of k iterations is
// recorded: all of them when k < points, otherwise about points/2
// log-spaced and points/2 equally spaced ones, always with 0 and k.
func raceGrid(k, points int) []int {
	if k < points {
		g := make([]int, k+1)
		for i := range g {
			g[i] = i
		}
		return g
	}
	half := max(2, points/2)
	g := []int{0, k}
	for i := range half {
		t := float64(i) / float64(half-1)
		g = append(g, int(math.Round(math.Pow(float64(k), t))), int(math.Round(t*float64(k))))
	}
	slices.Sort(g)
	return slices.Compact(g)
}

// raceLogGrid returns points >= 2 iterations from 0 to k: 0 and then
// points-1 log-spaced from 1 to k, or k alone when points is 2 (fewer when
// they coincide).
func raceLogGrid(k, points int) []int {
	g := []int{0, k}
	for i := range points - 2 {
		t := float64(i) / float64(points-2)
		g = append(g, int(math.Round(math.Pow(float64(k), t))))
	}
	slices.Sort(g)
	return slices.Compact(g)
}

func runOptimizerRace(ctx context.Context, env *harness.Env) error {
	ps := optimizerRacePresets
	sel := &raceSelection{Note: "learning rate of each method chosen by the lowest final loss of a run of " +
		"search_iterations from a separate initialisation; at_grid_edge marks a rate at the end of its grid"}
	ps.Quick.Selected, ps.Default.Selected, ps.Full.Selected = sel, sel, sel
	p := harness.Params(env, ps)

	models, err := raceModels(env, p)
	if err != nil {
		return err
	}

	// The learning-rate search.
	type searchTask struct {
		model  *raceModel
		method string
		lr     float64
	}
	var searches []searchTask
	for _, m := range models {
		for _, method := range p.Methods {
			for _, lr := range p.LearningRates[method] {
				searches = append(searches, searchTask{m, method, lr})
			}
		}
	}
	searchOut, err := harness.Map(ctx, env, "search", len(searches), func(ctx context.Context, i int, _ *rand.Rand) (raceOutcome, error) {
		s := searches[i]
		rng := env.RNG("search-start-"+s.model.Name, 0)
		x0 := s.model.init(rng.Uint64())
		iters := s.model.SearchIterations
		return raceJob{model: s.model, method: s.method, lr: s.lr, iters: iters, x0: x0, batchSeed: rng.Uint64(),
			curveK: []int{0, iters}}.run(ctx, p)
	})
	if err != nil {
		return err
	}
	chosen := map[string]float64{} // model/method -> rate
	searchTab := harness.NewTable("model", "method", "learning_rate", "iterations", "final_loss", "status", "chosen")
	for i := 0; i < len(searches); {
		s := searches[i]
		grid := p.LearningRates[s.method]
		best := -1
		for g := range grid {
			o := searchOut[i+g]
			if o.status == optimizers.IterationLimit.String() && (best < 0 || o.final().loss < searchOut[i+best].final().loss) {
				best = g
			}
		}
		if best < 0 {
			return fmt.Errorf("%s, %s: every learning rate of %v diverged in the search", s.model.Name, s.method, grid)
		}
		for g, lr := range grid {
			o := searchOut[i+g]
			searchTab.Row(s.model.Name, s.method, lr, o.final().k, o.final().loss, o.status, g == best)
		}
		chosen[s.model.Name+"/"+s.method] = grid[best]
		sel.Rates = append(sel.Rates, raceChosen{Model: s.model.Name, Method: s.method, LearningRate: grid[best],
			SearchLoss: searchOut[i+best].final().loss, AtGridEdge: best == 0 || best == len(grid)-1})
		env.Logf("%s: %s learning rate %g (search loss %.4g)", s.model.Name, s.method, grid[best], searchOut[i+best].final().loss)
		i += len(grid)
	}
	if err := env.WriteCSV("search.csv", searchTab); err != nil {
		return err
	}

	// The race: every method from every start.
	type raceTask struct {
		model  *raceModel
		seed   int
		method string
	}
	var tasks []raceTask
	for _, m := range models {
		for seed := range m.Seeds {
			for _, method := range p.Methods {
				tasks = append(tasks, raceTask{m, seed, method})
			}
		}
	}
	outs, err := harness.Map(ctx, env, "race", len(tasks), func(ctx context.Context, i int, _ *rand.Rand) (raceOutcome, error) {
		t := tasks[i]
		rng := env.RNG("start-"+t.model.Name, t.seed)
		x0 := t.model.init(rng.Uint64())
		iters := t.model.FirstOrderIterations
		if raceSecondOrder(t.method) {
			iters = t.model.SecondOrderIterations
		}
		curveK := raceGrid(iters, p.CurvePoints)
		var specK []int
		if t.seed < p.SpectrumSeeds {
			specK = raceLogGrid(iters, p.SpectrumPoints)
			curveK = slices.Compact(slices.Sorted(slices.Values(append(curveK, specK...))))
		}
		return raceJob{model: t.model, method: t.method, lr: chosen[t.model.Name+"/"+t.method], iters: iters,
			x0: x0, batchSeed: rng.Uint64(), curveK: curveK, spectrumK: specK}.run(ctx, p)
	})
	if err != nil {
		return err
	}
	// byRun[model][method][seed]
	byRun := make([][][]raceOutcome, len(models))
	for mi, m := range models {
		byRun[mi] = make([][]raceOutcome, len(p.Methods))
		for k := range p.Methods {
			byRun[mi][k] = make([]raceOutcome, m.Seeds)
		}
	}
	for i, t := range tasks {
		mi := slices.Index(models, t.model)
		byRun[mi][slices.Index(p.Methods, t.method)][t.seed] = outs[i]
	}

	if err := raceTables(env, p, models, byRun, chosen); err != nil {
		return err
	}
	return raceFigures(env, p, models, byRun)
}

// raceModels loads the data and builds the models of p.
func raceModels(env *harness.Env, p optimizerRaceParams) ([]*raceModel, error) {
	dir, err := env.MNISTDir()
	if err != nil {
		return nil, err
	}
	train, _, err := nn.LoadMNIST(&nn.MNISTSettings{Dir: dir, Height: 10, Width: 10})
	if err != nil {
		return nil, err
	}
	var models []*raceModel
	for mi, mp := range p.Models {
		d := train.Subset(mp.Images, env.RNG("data", mi).Uint64())
		m := &raceModel{raceModelParams: mp, lstar: math.NaN()}
		switch mp.Name {
		case "mlp-mnist":
			arch := nn.MLP{Sizes: mp.Sizes, Loss: nn.CrossEntropy}
			m.data = nn.NewNet(arch, d.X, nn.OneHot(d.Labels, 10))
			m.trainError = func(w []float64) float64 { return arch.ClassificationError(w, d.X, d.Labels) }
			m.init = func(seed uint64) []float64 { return arch.Init(nil, nn.GlorotNormal, mp.InitScale, seed) }
			m.desc = fmt.Sprintf("tanh MLP %s, softmax cross-entropy, MNIST %d×%d", raceSizes(mp.Sizes), mp.Side, mp.Side)
			m.threshold = mp.Threshold
			m.lzero = math.Log(10) // uniform outputs
		case "autoencoder":
			small := d.Downsample(mp.Side, mp.Side)
			x := mat.DenseCopyOf(small.X)
			nn.FitZScore(x).Transform(x, x)
			arch := nn.DeepLinear{Sizes: mp.Sizes}
			net := nn.NewLinearAutoencoder(arch, x)
			lambda, _, err := net.DataEigen()
			if err != nil {
				return nil, err
			}
			width := slices.Min(mp.Sizes)
			m.lstar, m.lzero = floats.Sum(lambda[width:])/2, floats.Sum(lambda)/2
			m.threshold = m.lstar + mp.Threshold*(m.lzero-m.lstar)
			m.data = net
			m.init = func(seed uint64) []float64 { return arch.Init(nil, nn.Gaussian, mp.InitScale, seed) }
			m.desc = fmt.Sprintf("deep linear autoencoder %s, MNIST %d×%d standardised", raceSizes(mp.Sizes), mp.Side, mp.Side)
		default:
			panic(fmt.Sprintf("optimizer-race: unknown model %q", mp.Name))
		}
		m.full = m.data.Problem()
		m.params = m.data.NumParams()
		models = append(models, m)
	}
	return models, nil
}

func raceSizes(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, "-")
}

// raceTables writes models.csv, curves.csv, spectra.csv, runs.csv and
// summary.csv.
func raceTables(env *harness.Env, p optimizerRaceParams, models []*raceModel, byRun [][][]raceOutcome, chosen map[string]float64) error {
	nan := func(v float64) any {
		if math.IsNaN(v) {
			return nil
		}
		return v
	}
	mt := harness.NewTable("model", "description", "parameters", "samples", "batch", "global_min_loss",
		"initial_loss_at_zero", "loss_threshold", "first_order_iterations", "second_order_iterations", "seeds")
	for _, m := range models {
		mt.Row(m.Name, m.desc, m.params, m.Images, m.Batch, nan(m.lstar), m.lzero, m.threshold,
			m.FirstOrderIterations, m.SecondOrderIterations, m.Seeds)
	}
	curves := harness.NewTable("model", "seed", "method", "iteration", "grad_evals", "loss", "grad_norm")
	spectra := harness.NewTable("model", "seed", "method", "iteration", "grad_evals", "loss", "grad_norm",
		"min_eigenvalue", "max_eigenvalue", "index", "nullity", "tol")
	runs := harness.NewTable("model", "seed", "method", "learning_rate", "iterations", "grad_evals", "final_loss",
		"final_grad_norm", "final_train_error", "status", "iterations_to_threshold", "grad_evals_to_threshold")
	summary := harness.NewTable("model", "method", "sampling", "learning_rate", "iterations", "seeds",
		"final_loss_mean", "final_loss_std", "final_grad_norm_mean", "final_train_error_mean", "grad_evals_mean", "loss_threshold", "reached",
		"iterations_to_threshold_mean", "grad_evals_to_threshold_mean", "completed")
	for mi, m := range models {
		for k, method := range p.Methods {
			lr, ok := chosen[m.Name+"/"+method]
			var lrCell any
			if ok {
				lrCell = lr
			}
			iters := m.FirstOrderIterations
			if raceSecondOrder(method) {
				iters = m.SecondOrderIterations
			}
			var losses, gnorms, errs, evals, hitK, hitE []float64
			for seed, o := range byRun[mi][k] {
				for _, pt := range o.curve {
					curves.Row(m.Name, seed, method, pt.k, pt.evals, pt.loss, pt.gnorm)
				}
				for _, s := range o.spectra {
					spectra.Row(m.Name, seed, method, s.k, s.evals, s.loss, s.gnorm, s.min, s.max, s.inertia.Neg, s.inertia.Zero, s.tol)
				}
				f := o.final()
				var hk, he any
				if pt, ok := o.reached(m.threshold); ok {
					hk, he = pt.k, pt.evals
					hitK, hitE = append(hitK, float64(pt.k)), append(hitE, pt.evals)
				}
				runs.Row(m.Name, seed, method, lrCell, f.k, f.evals, f.loss, f.gnorm, nan(o.trainError), o.status, hk, he)
				if f.k == iters {
					losses, gnorms, evals = append(losses, f.loss), append(gnorms, f.gnorm), append(evals, f.evals)
					errs = append(errs, o.trainError)
				}
			}
			// Means over the runs that completed their budget.
			var mean, std, gm, erm, em, hkm, hem any
			if len(losses) > 0 {
				mu, sd := stat.MeanStdDev(losses, nil)
				mean, std, gm, em = mu, nan(sd), stat.Mean(gnorms, nil), stat.Mean(evals, nil)
				erm = nan(stat.Mean(errs, nil))
			}
			if len(hitK) > 0 {
				hkm, hem = stat.Mean(hitK, nil), stat.Mean(hitE, nil)
			}
			summary.Row(m.Name, method, raceSampling(method), lrCell, iters, m.Seeds, mean, std,
				gm, erm, em, m.threshold, len(hitK), hkm, hem, len(losses))
		}
	}
	for _, w := range []struct {
		name string
		t    *harness.Table
	}{{"models.csv", mt}, {"curves.csv", curves}, {"spectra.csv", spectra}, {"runs.csv", runs}, {"summary.csv", summary}} {
		if err := env.WriteCSV(w.name, w.t); err != nil {
			return err
		}
	}
	return nil
}

// raceStyle returns the line style of a method: the shared style of its
// family, the gradient-descent variants told apart by dashes (full batch
// solid, minibatch dashed, online dotted) and, when annealed, grey.
func raceStyle(method string) draw.LineStyle {
	base := strings.TrimSuffix(method, "-annealed")
	switch base {
	case "gd", "sgd-minibatch", "sgd-online":
		s := plotx.MethodStyle("sgd")
		if base == "gd" {
			s = plotx.MethodStyle("gd")
		}
		switch base {
		case "sgd-minibatch":
			s.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		case "sgd-online":
			s.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2)}
		}
		if base != method {
			s.Color = plotx.Tint(s.Color, 0.55)
		}
		return s
	}
	return plotx.MethodStyle(method)
}

// raceMainMethods are the methods of the main figure: one gradient-descent
// variant of each sampling that the other methods share, and the rest.
var raceMainMethods = []string{"gd", "sgd-minibatch", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
	"damped-newton", "saddle-free-newton", "saddle-free-newton-krylov"}

// raceSaddleMethods are the methods of the saddle figure.
var raceSaddleMethods = []string{"gd", "momentum", "adam", "damped-newton", "saddle-free-newton", "saddle-free-newton-krylov"}

// raceMedian returns the median over seeds of the plotted loss and of the
// gradient evaluations at each recorded iteration k, over the runs that
// reached k (a diverged run drops out); iterations recorded for only some
// of those runs (the spectrum iterates of the first seeds) are left out.
func raceMedian(m *raceModel, runs []raceOutcome) (iter, evals, loss []float64) {
	var ks []int
	for _, o := range runs {
		for _, pt := range o.curve {
			ks = append(ks, pt.k)
		}
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	for _, k := range ks {
		var es, ls []float64
		all := true
		for _, o := range runs {
			if o.final().k < k {
				continue
			}
			i := slices.IndexFunc(o.curve, func(pt racePoint) bool { return pt.k == k })
			if i < 0 {
				all = false
				break
			}
			es, ls = append(es, o.curve[i].evals), append(ls, m.excess(o.curve[i].loss))
		}
		if all && len(ls) > 0 {
			iter = append(iter, float64(k))
			evals = append(evals, raceMedianOf(es))
			loss = append(loss, raceMedianOf(ls))
		}
	}
	return iter, evals, loss
}

func raceMedianOf(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// raceXY returns the points (x, y) with x > 0 (iteration 0 has no place
// on a log axis) and y clamped to at least lo.
func raceXY(x, y []float64, lo float64) plotter.XYs {
	var xys plotter.XYs
	for i := range x {
		if x[i] > 0 {
			xys = append(xys, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return plotx.ClampY(xys, lo, math.Inf(1))
}

func (m *raceModel) lossLabel() string {
	if math.IsNaN(m.lstar) {
		return "loss (nats)"
	}
	return "excess loss L − L* (L* = PCA optimum)"
}

// title is the model's name and size for the first panel of a row.
func (m *raceModel) title() string {
	if math.IsNaN(m.lstar) {
		return fmt.Sprintf("MLP %s, cross-entropy, MNIST %d×%d (P = %d, N = %d)", raceSizes(m.Sizes), m.Side, m.Side, m.params, m.Images)
	}
	return fmt.Sprintf("linear autoencoder %s on MNIST %d×%d (P = %d, N = %d)", raceSizes(m.Sizes), m.Side, m.Side, m.params, m.Images)
}

// lossAxis sets the loss axis of pl: logarithmic with 1-2-5 ticks for the
// MLP, whose loss spans about a decade; linear for the autoencoder, whose
// plateaus at the excess losses of its saddles (½λ₁ + ½λ₂ at the origin,
// ½λ₂ after the first component) a linear axis shows best.
func (m *raceModel) lossAxis(pl *plot.Plot) {
	if math.IsNaN(m.lstar) {
		pl.Y.Scale = plot.LogScale{}
		pl.Y.Tick.Marker = plotx.Ticks125{}
		return
	}
	pl.Y.Min = 0
}

// lossFloor is the lowest loss drawn: positive on a log axis.
func (m *raceModel) lossFloor() float64 {
	if math.IsNaN(m.lstar) {
		return 1e-3
	}
	return math.Inf(-1)
}

// raceStartStyle is the style of the reference line at the starting loss.
var raceStartStyle = draw.LineStyle{Color: color.Gray{Y: 170}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}

// raceStartLine draws the loss y at iteration 0 across [lo, hi].
func raceStartLine(pl *plot.Plot, y, lo, hi float64) error {
	return plotx.Function(pl, "", func(float64) float64 { return y }, lo, hi, 2, raceStartStyle)
}

// raceFigures draws the race, the gradient-descent variants and the
// saddle figure.
func raceFigures(env *harness.Env, p optimizerRaceParams, models []*raceModel, byRun [][][]raceOutcome) error {
	curvesFigure := func(name, what string, methods []string, legendTitle string) error {
		leg := plotx.LegendPanel(legendTitle)
		var rows [][]*plot.Plot
		for mi, m := range models {
			seeds := fmt.Sprintf("median of %d seeds", m.Seeds)
			if m.Seeds == 1 {
				seeds = "1 seed"
			}
			byIter := plotx.New(fmt.Sprintf("%s\n%s against iterations, %s", m.title(), what, seeds), "iteration", m.lossLabel())
			byEval := plotx.New(fmt.Sprintf("%s\n%s against cost, %s", m.Name, what, seeds),
				"gradient evaluations (full-data gradients; HVP = 1, Hessian = P)", m.lossLabel())
			type curve struct {
				method         string
				iter, ev, loss []float64
			}
			var curves []curve
			for _, method := range methods {
				if k := slices.Index(p.Methods, method); k >= 0 {
					it, ev, loss := raceMedian(m, byRun[mi][k])
					curves = append(curves, curve{method, it, ev, loss})
				}
			}
			// The loss at iteration 0 beneath the curves, across the
			// range of each axis.
			loI, hiI, loE, hiE := math.Inf(1), 0.0, math.Inf(1), 0.0
			for _, c := range curves {
				for i := range c.iter {
					if c.iter[i] > 0 {
						loI, hiI = math.Min(loI, c.iter[i]), math.Max(hiI, c.iter[i])
						loE, hiE = math.Min(loE, c.ev[i]), math.Max(hiE, c.ev[i])
					}
				}
			}
			if len(curves) > 0 && hiI > 0 {
				start := curves[0].loss[0]
				if err := raceStartLine(byIter, start, loI, hiI); err != nil {
					return err
				}
				if err := raceStartLine(byEval, start, loE, hiE); err != nil {
					return err
				}
			}
			for _, c := range curves {
				style := raceStyle(c.method)
				if err := plotx.Line(byIter, "", raceXY(c.iter, c.loss, m.lossFloor()), style); err != nil {
					return err
				}
				if err := plotx.Line(byEval, "", raceXY(c.ev, c.loss, m.lossFloor()), style); err != nil {
					return err
				}
				if mi == 0 {
					if err := plotx.LegendLine(leg, c.method, style); err != nil {
						return err
					}
				}
			}
			row := []*plot.Plot{byIter, byEval, nil}
			for _, pl := range row[:2] {
				plotx.LogX(pl)
				m.lossAxis(pl)
				plotx.SetFontSize(pl, 10)
			}
			if mi == 0 {
				row[2] = leg
			}
			rows = append(rows, row)
		}
		if err := plotx.LegendLine(leg, "loss at iteration 0 (median)", raceStartStyle); err != nil {
			return err
		}
		w, h := 36*vg.Centimeter, vg.Length(len(models))*11*vg.Centimeter
		plotx.AlignTitles(rows, w, h)
		return env.WritePlots(name, w, h, rows)
	}
	if err := curvesFigure("optimizer_race", "loss", raceMainMethods,
		"method (first-order: minibatches\nexcept gd; Newton family: full batch)"); err != nil {
		return err
	}
	var sgd []string
	for _, method := range p.Methods {
		if strings.HasPrefix(method, "gd") || strings.HasPrefix(method, "sgd") {
			sgd = append(sgd, method)
		}
	}
	if err := curvesFigure("optimizer_race_sgd", "gradient descent", sgd,
		"sampling and learning rate\n(grey: annealed linearly to 1%)"); err != nil {
		return err
	}
	return raceSaddleFigure(env, p, models, byRun)
}

// raceSaddleFigure draws, for the first seed, the loss, the gradient norm
// and -λ_min/λ_max along the runs.
func raceSaddleFigure(env *harness.Env, p optimizerRaceParams, models []*raceModel, byRun [][][]raceOutcome) error {
	if p.SpectrumSeeds < 1 {
		return nil
	}
	leg := plotx.LegendPanel("method (seed 0)")
	var rows [][]*plot.Plot
	for mi, m := range models {
		lossP := plotx.New(m.title()+"\nloss along the run", "iteration", m.lossLabel())
		gradP := plotx.New(m.Name+"\ngradient norm along the run", "iteration", "gradient norm")
		eigP := plotx.New(m.Name+"\nmost negative eigenvalue of the exact Hessian", "iteration", "−λ_min / λ_max")
		for _, method := range raceSaddleMethods {
			k := slices.Index(p.Methods, method)
			if k < 0 {
				continue
			}
			o := byRun[mi][k][0]
			style := raceStyle(method)
			var it, loss, gn []float64
			for _, pt := range o.curve {
				it, loss, gn = append(it, float64(pt.k)), append(loss, m.excess(pt.loss)), append(gn, pt.gnorm)
			}
			if err := plotx.Line(lossP, "", raceXY(it, loss, m.lossFloor()), style); err != nil {
				return err
			}
			if err := plotx.Line(gradP, "", raceXY(it, gn, 1e-16), style); err != nil {
				return err
			}
			var sk, ratio []float64
			for _, s := range o.spectra {
				sk, ratio = append(sk, float64(s.k)), append(ratio, -s.min/s.max)
			}
			xys := raceXY(sk, ratio, 1e-17)
			if err := plotx.Line(eigP, "", xys, style); err != nil {
				return err
			}
			if err := plotx.Points(eigP, "", xys, style.Color, nil); err != nil {
				return err
			}
			if mi == 0 {
				if err := plotx.LegendLine(leg, method, style); err != nil {
					return err
				}
			}
		}
		tolStyle := draw.LineStyle{Color: color.Gray{Y: 120}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
		if err := plotx.Function(eigP, "", func(float64) float64 { return critical.DefaultRelTol }, 1,
			float64(m.FirstOrderIterations), 2, tolStyle); err != nil {
			return err
		}
		row := []*plot.Plot{lossP, gradP, eigP, nil}
		for _, pl := range row[:3] {
			plotx.LogX(pl)
			plotx.SetFontSize(pl, 10)
		}
		m.lossAxis(lossP)
		plotx.LogY(gradP)
		if math.IsNaN(m.lstar) {
			// The MLP's gradient norm spans about two decades.
			gradP.Y.Tick.Marker = plotx.Ticks125{}
		}
		plotx.LogY(eigP)
		if mi == 0 {
			if err := plotx.LegendLine(leg, "classification tolerance √ε\n(below: no certain negative curvature)", tolStyle); err != nil {
				return err
			}
			row[3] = leg
		}
		rows = append(rows, row)
	}
	w, h := 44*vg.Centimeter, vg.Length(len(models))*11*vg.Centimeter
	plotx.AlignTitles(rows, w, h)
	return env.WritePlots("optimizer_race_saddles", w, h, rows)
}
