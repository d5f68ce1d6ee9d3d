package main

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
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

// The deep-linear experiment reproduces the learning dynamics of deep linear
// networks of Saxe, McClelland & Ganguli (Exact solutions to the nonlinear
// dynamics of learning in deep linear neural networks, ICLR 2014,
// arXiv:1312.6120).
//
// A network x ↦ W32 W21 x with one hidden layer learns the map
// Σ31 = U S Vᵀ, S = (3, 2, 1, 0.5), from 8 orthonormal inputs (Σ11 = I) by
// gradient descent with learning rate η on
//
//	L = ½ Σ_μ ‖y_μ − W32 W21 x_μ‖²,
//
// the Euler discretisation of Saxe et al.'s gradient flow with τ = 1/η
// (their learning rule is gradient descent on half of their sum of squares;
// see nn.HalfSum). From a balanced, decoupled start each mode strength
// u_α = U_αᵀ W32 W21 V_α obeys τ du/dt = 2u(s − u), solved by
//
//	u(t) = s e^{2st/τ} / (e^{2st/τ} − 1 + s/u0),
//
// and the time to go from u0 to s/2 is (τ/2s) ln((s − u0)/u0) ≈ (τ/2s)
// ln(s/u0). Each mode waits on a plateau, the neighbourhood of the saddle at
// the origin (or of a saddle with the stronger modes learned), then learns in
// a sigmoidal transition. The experiment checks the closed form along a
// balanced run, transition times from small random starts (against the
// closed form with each start's effective u0, see saxeEffectiveU0), runs a
// tanh network on the same data for contrast, and follows the minimum
// Hessian eigenvalue and the gradient norm along the runs: the plateaus are
// the saddles, where the gradient is small and the curvature along the next
// mode is −s.
//
// With depth (2 to 10 weight layers of width 8), the iterations needed to
// learn the strongest mode are compared between random orthogonal
// initialisation and Gaussian initialisations, at the learning rate
// η_L = c/L: along one balanced mode the Hessian's largest eigenvalue at the
// solution is L s^{2−2/L}, growing like L, so the largest stable rate falls
// like 1/L, the scaling of the optimal rate in Saxe et al. Their claim: with
// small random Gaussian weights learning time grows with depth; with
// orthogonal weights it stays finite and nearly depth-independent.
//
// Outputs (t is time in units of τ, "kind" is balanced, random or tanh,
// "start" the index of the random start, "mode" 1..4 by decreasing s):
//
//	modes.csv        kind, start, iteration, t_over_tau, mode, s, u, u_closed_form
//	trajectory.csv   kind, start, iteration, t_over_tau, loss, grad_norm
//	hessian.csv      kind, start, iteration, t_over_tau, min_eigenvalue, max_eigenvalue,
//	                 index, nullity, index_fraction, tol (critical.Classify, default tol)
//	transitions.csv  kind, start, mode, s, u0 (effective), u0_unprojected, t_half,
//	                 t_half_closed_form (effective u0), t_half_unprojected,
//	                 t_half_nominal ((τ/2s) ln(s/U0)), rel_error, rel_error_unprojected,
//	                 rel_error_nominal, max_abs_error_over_s
//	depth.csv        init, gain, depth, start, learning_rate, u0, iterations (empty if
//	                 not learned within max_iterations), learned, max_iterations
//	depth_summary.csv init, gain, depth, starts, learned, median_iterations,
//	                 min_iterations, max_iterations, learning_rate
//
// Losses, gradients and Hessians of the tanh network are those of its mean
// loss times the number of samples, the scale of the linear runs.
//
// Presets: quick (u0 = 1e-3, η = 2e-3, one random start, depths 2 to 4)
// takes under a CPU-second; default (u0 = 1e-6, η = 1e-3, 20 random starts,
// depths 2 to 10 with 5 starts per initialisation) about 31 CPU-seconds,
// at most that on 2 cores; full (50 random starts, 20 starts per depth, a
// cap of 10⁵ iterations) about 4 CPU-minutes.
func init() {
	registry.Add(harness.Experiment{
		Name:    "deep-linear",
		Summary: "Saxe et al. 2013: deep linear learning curves vs closed form, plateaus as saddles, learning time vs depth",
		Run:     runDeepLinear,
	})
}

// deepLinearParams are the sizes of the deep-linear experiment.
type deepLinearParams struct {
	// Singular are the singular values s_α of Σ31; Inputs is the number of
	// inputs, outputs and samples, Hidden the hidden width.
	Singular []float64 `json:"singular_values"`
	Inputs   int       `json:"inputs"`
	Hidden   int       `json:"hidden"`
	// LearningRate is η = 1/τ of the one-hidden-layer runs, linear and
	// tanh.
	LearningRate float64 `json:"learning_rate"`
	// U0 is the initial strength of every mode of the balanced start and
	// the expected effective strength of the random starts, whose weights
	// are N(0, σ²) with σ² = 2 U0/Hidden.
	U0 float64 `json:"u0"`
	// Iterations is the length of each run, RecordEvery the spacing of the
	// written trajectory points and HessianEvery that of the Hessians.
	Iterations   int `json:"iterations"`
	RecordEvery  int `json:"record_every"`
	HessianEvery int `json:"hessian_every"`
	// RandomStarts is the number of small random starts, each run by the
	// linear and the tanh network; the trajectories of the first
	// TrajectoryStarts are written, and the Hessians of the first one.
	RandomStarts     int `json:"random_starts"`
	TrajectoryStarts int `json:"trajectory_starts"`

	// Depths are the numbers of weight layers of the depth study, all of
	// width Hidden, each run from DepthStarts random starts per
	// initialisation in DepthInits at the learning rate DepthRate/L for at
	// most DepthMaxIterations iterations.
	Depths             []int       `json:"depths"`
	DepthInits         []depthInit `json:"depth_inits"`
	DepthStarts        int         `json:"depth_starts"`
	DepthRate          float64     `json:"depth_rate"`
	DepthMaxIterations int         `json:"depth_max_iterations"`
}

// depthInit is a random initialisation of the depth study: orthogonal
// layers Gain·Q, or Gaussian entries N(0, Gain²/width).
type depthInit struct {
	Scheme string  `json:"scheme"` // "orthogonal" or "gaussian"
	Gain   float64 `json:"gain"`
}

func (d depthInit) label(width int) string {
	if d.Scheme == "orthogonal" {
		return fmt.Sprintf("orthogonal, gain %g", d.Gain)
	}
	return fmt.Sprintf("Gaussian, σ = %g/√%d", d.Gain, width)
}

// weights returns the initial weights of the network d drawn with seed.
func (d depthInit) weights(net nn.DeepLinear, width int, seed uint64) []float64 {
	if d.Scheme == "orthogonal" {
		return net.Init(nil, nn.Orthogonal, d.Gain, seed)
	}
	return net.Init(nil, nn.Gaussian, d.Gain/math.Sqrt(float64(width)), seed)
}

var deepLinearPresets = harness.Presets[deepLinearParams]{
	Quick: deepLinearParams{
		Singular: []float64{3, 2, 1, 0.5}, Inputs: 8, Hidden: 8,
		LearningRate: 2e-3, U0: 1e-3,
		Iterations: 5000, RecordEvery: 50, HessianEvery: 500,
		RandomStarts: 1, TrajectoryStarts: 1,
		Depths:      []int{2, 3, 4},
		DepthInits:  []depthInit{{"orthogonal", 1}, {"gaussian", 0.5}},
		DepthStarts: 2, DepthRate: 2e-3, DepthMaxIterations: 20000,
	},
	Default: deepLinearParams{
		Singular: []float64{3, 2, 1, 0.5}, Inputs: 8, Hidden: 8,
		LearningRate: 1e-3, U0: 1e-6,
		Iterations: 20000, RecordEvery: 50, HessianEvery: 100,
		RandomStarts: 20, TrajectoryStarts: 3,
		Depths:      []int{2, 3, 4, 5, 6, 7, 8, 9, 10},
		DepthInits:  []depthInit{{"orthogonal", 1}, {"gaussian", 1}, {"gaussian", 0.5}},
		DepthStarts: 5, DepthRate: 2e-3, DepthMaxIterations: 20000,
	},
	Full: deepLinearParams{
		Singular: []float64{3, 2, 1, 0.5}, Inputs: 8, Hidden: 8,
		LearningRate: 1e-3, U0: 1e-6,
		Iterations: 20000, RecordEvery: 20, HessianEvery: 50,
		RandomStarts: 50, TrajectoryStarts: 5,
		Depths:      []int{2, 3, 4, 5, 6, 7, 8, 9, 10},
		DepthInits:  []depthInit{{"orthogonal", 1}, {"gaussian", 1}, {"gaussian", 0.5}},
		DepthStarts: 20, DepthRate: 2e-3, DepthMaxIterations: 100000,
	},
}

// saxeMode is the strength of a mode with singular value s at time t under
// τ du/dt = 2u(s − u) from u(0) = u0 (Saxe et al. 2013, section 2):
//
//	u(t) = s e^{2st/τ} / (e^{2st/τ} − 1 + s/u0),
//
// evaluated as s / (1 + (s/u0 − 1) e^{−2st/τ}), which does not overflow.
func saxeMode(t, s, tau, u0 float64) float64 {
	return s / (1 + (s/u0-1)*math.Exp(-2*s*t/tau))
}

// saxeTime is the time the closed form saxeMode takes from u0 to uf,
//
//	t = (τ/2s) ln(uf (s − u0) / (u0 (s − uf))),
//
// for 0 < u0, uf < s. From u0 to s/2 it is (τ/2s) ln((s − u0)/u0).
func saxeTime(u0, uf, s, tau float64) float64 {
	return tau / (2 * s) * math.Log(uf*(s-u0)/(u0*(s-uf)))
}

// saxeEffectiveU0 returns, for each mode α, the initial strength of the
// balanced start that a general small start (W21, W32) joins. Near the
// origin the flow τ da/dt = s b, τ db/dt = s a of the hidden vectors
// a = W21 V_α and b = W32ᵀ U_α grows v_α = a + b like e^{st/τ} and shrinks
// a − b, so that u_α = a·b ≈ |v_α|²/4 e^{2st/τ}. Once a stronger mode β
// is learned along its hidden direction v_β, the component of v_α along
// v_β decays (the term −W32ᵀW32 W21 of the flow), so mode α grows only
// from the part of v_α orthogonal to the hidden directions of the stronger
// modes. With v⊥_α that part (Gram-Schmidt in the order of the modes,
// strongest first),
//
//	u0_α = |v⊥_α|² / 4.
//
// plain returns |v_α|²/4 without the projection. For a balanced start with
// orthogonal hidden vectors both are a_α·b_α. The modes of task must be
// ordered by decreasing singular value.
func saxeEffectiveU0(w21, w32 mat.Matrix, task nn.SaxeTask) (u0, plain []float64) {
	k := len(task.S)
	u0, plain = make([]float64, k), make([]float64, k)
	var dirs []*mat.VecDense
	for a := range k {
		v, b := new(mat.VecDense), new(mat.VecDense)
		v.MulVec(w21, task.V.ColView(a))
		b.MulVec(w32.T(), task.U.ColView(a))
		v.AddVec(v, b)
		plain[a] = mat.Dot(v, v) / 4
		for _, d := range dirs {
			v.AddScaledVec(v, -mat.Dot(v, d), d)
		}
		u0[a] = mat.Dot(v, v) / 4
		if n := mat.Norm(v, 2); n > 0 {
			v.ScaleVec(1/n, v)
			dirs = append(dirs, v)
		}
	}
	return u0, plain
}

// saxeBalanced returns the weights of the two-layer network net whose
// modes all start at strength u0 with equal, orthogonal hidden vectors:
// W21 = √u0 Σ_α e_α V_αᵀ and W32 = √u0 Σ_α U_α e_αᵀ, with e_α the first
// unit vectors of the hidden layer. Gradient descent keeps the modes
// decoupled: each a_α = b_α follows a ← a + η a (s − a²).
func saxeBalanced(net nn.DeepLinear, task nn.SaxeTask, u0 float64) []float64 {
	w := make([]float64, net.NumParams())
	w21, w32 := net.Layer(w, 1), net.Layer(w, 2)
	r := math.Sqrt(u0)
	for a := range task.S {
		for j := range task.V.RawMatrix().Rows {
			w21.Set(a, j, r*task.V.At(j, a))
		}
		for i := range task.U.RawMatrix().Rows {
			w32.Set(i, a, r*task.U.At(i, a))
		}
	}
	return w
}

// saxeLinearModes returns the strengths u_α = U_αᵀ W_L ⋯ W_1 V_α of the
// first k modes of task for the deep linear network net with weights w, as
// task.Modes(net.Product(w)) does, by L matrix-vector products per mode
// instead of the matrix products of the end-to-end map.
func saxeLinearModes(net nn.DeepLinear, w []float64, task nn.SaxeTask, k int) []float64 {
	u := make([]float64, k)
	width := slices.Max(net.Sizes)
	x, y := make([]float64, width), make([]float64, width)
	for a := range u {
		in := net.Sizes[0]
		for j := range in {
			x[j] = task.V.At(j, a)
		}
		off := 0
		for _, out := range net.Sizes[1:] {
			// y = W_l x, W_l row-major out × in at w[off:].
			for i := range out {
				var sum float64
				row := w[off+i*in : off+(i+1)*in]
				for j, v := range row {
					sum += v * x[j]
				}
				y[i] = sum
			}
			off += out * in
			in = out
			x, y = y, x
		}
		for i := range in {
			u[a] += task.U.At(i, a) * x[i]
		}
	}
	return u
}

// saxeScaled returns the problem c·f of the problem p of f.
func saxeScaled(p hessian.Problem, c float64) hessian.Problem {
	q := hessian.Problem{Func: func(x []float64) float64 { return c * p.Func(x) }}
	if p.Grad != nil {
		q.Grad = func(g, x []float64) {
			p.Grad(g, x)
			floats.Scale(c, g)
		}
	}
	if p.Hess != nil {
		q.Hess = func(h *mat.SymDense, x []float64) {
			p.Hess(h, x)
			h.ScaleSym(c, h)
		}
	}
	if p.HessVec != nil {
		q.HessVec = func(hv, x, v []float64) {
			p.HessVec(hv, x, v)
			floats.Scale(c, hv)
		}
	}
	return q
}

// saxeLogTicks are the ticks of plotx.LogY with the powers of ten labelled
// exactly (repeated multiplication by ten leaves labels such as
// 9.999999999999999e-05).
var saxeLogTicks = plot.TickerFunc(func(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Value = math.Pow10(int(math.Round(math.Log10(t.Value))))
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', -1, 64)
		}
	}
	return ticks
})

// saxeTicks returns constant ticks labelled at the values v.
func saxeTicks(v ...float64) plot.ConstantTicks {
	t := make(plot.ConstantTicks, len(v))
	for i, x := range v {
		t[i] = plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	return t
}

// saxeTanhModes returns the mode strengths of the map f of the tanh network
// m with weights w on the orthonormal inputs of task: u_α = U_αᵀ M V_α with
// M = Σ_μ f(x_μ) x_μᵀ, which is the end-to-end matrix of a linear network.
func saxeTanhModes(m nn.MLP, w []float64, task nn.SaxeTask) []float64 {
	var f, corr mat.Dense
	m.Predict(&f, w, task.X)
	corr.Mul(f.T(), task.X)
	return task.Modes(&corr)
}

// modeRun is one gradient-descent run of the mode study.
type modeRun struct {
	kind  string // "balanced", "random" or "tanh"
	start int    // index of the random start
	p     hessian.Problem
	x0    []float64
	modes func(w []float64) []float64
	u0    []float64 // initial strengths of the closed form
	plain []float64 // the same without the projection of saxeEffectiveU0
	trace bool      // keep the trajectory
	hess  bool      // classify the Hessian along the run
}

// modeTrace is what a modeRun records.
type modeTrace struct {
	iter           []int
	loss, gradNorm []float64
	u              [][]float64
	hessIter       []int
	hess           []critical.Classification
	half           []float64 // iterations at which u_α first reaches s_α/2, NaN if never
	maxErr         []float64 // max over the run of |u_α − closed form| / s_α
}

// run runs r for p.Iterations steps of gradient descent.
func (r modeRun) run(ctx context.Context, p deepLinearParams) (modeTrace, error) {
	k := len(p.Singular)
	tr := modeTrace{half: make([]float64, k), maxErr: make([]float64, k)}
	for a := range tr.half {
		tr.half[a] = math.NaN()
	}
	prev := r.modes(r.x0)
	var h mat.SymDense
	rec := optimizers.RecorderFunc(func(it optimizers.Iterate) error {
		if it.K%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		u := r.modes(it.X)
		t := float64(it.K) * p.LearningRate
		for a, s := range p.Singular {
			tr.maxErr[a] = max(tr.maxErr[a], math.Abs(u[a]-saxeMode(t, s, 1, r.u0[a]))/s)
			if math.IsNaN(tr.half[a]) && u[a] >= s/2 {
				tr.half[a] = float64(it.K)
				if it.K > 0 {
					tr.half[a] = float64(it.K-1) + (s/2-prev[a])/(u[a]-prev[a])
				}
			}
		}
		prev = u
		if r.trace && it.K%p.RecordEvery == 0 {
			tr.iter = append(tr.iter, it.K)
			tr.loss = append(tr.loss, it.F)
			tr.gradNorm = append(tr.gradNorm, it.GradNorm)
			tr.u = append(tr.u, u)
		}
		if r.hess && it.K%p.HessianEvery == 0 {
			if err := hessian.Exact(&h, r.p, it.X); err != nil {
				return err
			}
			c, err := critical.Classify(&h, 0)
			if err != nil {
				return err
			}
			c.Eigenvalues = nil
			tr.hessIter = append(tr.hessIter, it.K)
			tr.hess = append(tr.hess, c)
		}
		return nil
	})
	_, err := optimizers.Minimize(r.p, r.x0, &optimizers.SGD{LearningRate: p.LearningRate}, &optimizers.Settings{
		MaxIterations:     p.Iterations,
		GradientThreshold: -1,
		Recorder:          rec,
	})
	if err != nil {
		return modeTrace{}, fmt.Errorf("%s run %d: %w", r.kind, r.start, err)
	}
	return tr, nil
}

func runDeepLinear(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, deepLinearPresets)
	task := nn.NewSaxeTask(p.Inputs, p.Inputs, p.Singular, env.RNG("task", 0).Uint64())
	if err := deepLinearModes(ctx, env, p, task); err != nil {
		return err
	}
	return deepLinearDepth(ctx, env, p, task)
}

// deepLinearModes runs the balanced start, the random starts and the tanh
// network, and writes modes.csv, trajectory.csv, hessian.csv,
// transitions.csv and their figures.
func deepLinearModes(ctx context.Context, env *harness.Env, p deepLinearParams, task nn.SaxeTask) error {
	lin := nn.DeepLinear{Sizes: []int{p.Inputs, p.Hidden, p.Inputs}, Norm: nn.HalfSum}
	linNet := nn.NewLinearNet(lin, task.X, task.Y)
	linModes := func(w []float64) []float64 { return saxeLinearModes(lin, w, task, len(p.Singular)) }
	tanh := nn.MLP{
		Sizes:       []int{p.Inputs, p.Hidden, p.Inputs},
		Activations: []nn.Activation{nn.Tanh, nn.Linear},
		Loss:        nn.MSE,
		NoBias:      true,
	}
	// The tanh network's loss is a mean over the samples: scaled by their
	// number it is on the scale of nn.HalfSum, with the same τ.
	tanhProblem := saxeScaled(nn.NewNet(tanh, task.X, task.Y).Problem(), float64(p.Inputs))
	sigma := math.Sqrt(2 * p.U0 / float64(p.Hidden))

	w0 := saxeBalanced(lin, task, p.U0)
	runs := []modeRun{{
		kind: "balanced", p: linNet.Problem(), x0: w0, modes: linModes,
		u0: slices.Repeat([]float64{p.U0}, len(p.Singular)), plain: slices.Repeat([]float64{p.U0}, len(p.Singular)),
		trace: true, hess: true,
	}}
	for i := range p.RandomStarts {
		seed := env.RNG("start", i).Uint64()
		w := lin.Init(nil, nn.Gaussian, sigma, seed)
		u0, plain := saxeEffectiveU0(lin.Layer(w, 1), lin.Layer(w, 2), task)
		runs = append(runs, modeRun{
			kind: "random", start: i, p: linNet.Problem(), x0: w, modes: linModes,
			u0: u0, plain: plain, trace: i < p.TrajectoryStarts, hess: i == 0,
		})
		// The same weights in the tanh network (same layout, same draws).
		wt := tanh.Init(nil, nn.Gaussian, sigma, seed)
		runs = append(runs, modeRun{
			kind: "tanh", start: i, p: tanhProblem, x0: wt,
			modes: func(w []float64) []float64 { return saxeTanhModes(tanh, w, task) },
			u0:    u0, plain: plain, trace: i < p.TrajectoryStarts, hess: i == 0,
		})
	}
	traces, err := harness.Map(ctx, env, "modes", len(runs), func(ctx context.Context, i int, _ *rand.Rand) (modeTrace, error) {
		return runs[i].run(ctx, p)
	})
	if err != nil {
		return err
	}

	modes := harness.NewTable("kind", "start", "iteration", "t_over_tau", "mode", "s", "u", "u_closed_form")
	traj := harness.NewTable("kind", "start", "iteration", "t_over_tau", "loss", "grad_norm")
	hess := harness.NewTable("kind", "start", "iteration", "t_over_tau", "min_eigenvalue", "max_eigenvalue", "index", "nullity", "index_fraction", "tol")
	trans := harness.NewTable("kind", "start", "mode", "s", "u0", "u0_unprojected", "t_half", "t_half_closed_form",
		"t_half_unprojected", "t_half_nominal", "rel_error", "rel_error_unprojected", "rel_error_nominal", "max_abs_error_over_s")
	for i, r := range runs {
		tr := traces[i]
		tau := 1 / p.LearningRate
		for j, k := range tr.iter {
			t := float64(k) / tau
			traj.Row(r.kind, r.start, k, t, tr.loss[j], tr.gradNorm[j])
			for a, s := range p.Singular {
				modes.Row(r.kind, r.start, k, t, a+1, s, tr.u[j][a], saxeMode(t, s, 1, r.u0[a]))
			}
		}
		for j, k := range tr.hessIter {
			c := tr.hess[j]
			hess.Row(r.kind, r.start, k, float64(k)/tau, c.MinEigenvalue, c.MaxEigenvalue, c.Index, c.Nullity, c.IndexFraction, c.Tol)
		}
		for a, s := range p.Singular {
			th := saxeTime(r.u0[a], s/2, s, 1)
			thPlain := saxeTime(r.plain[a], s/2, s, 1)
			nominal := 1 / (2 * s) * math.Log(s/p.U0)
			var half, rel, relPlain, relNom any
			if h := tr.half[a]; !math.IsNaN(h) {
				half, rel, relPlain, relNom = h/tau, h/tau/th-1, h/tau/thPlain-1, h/tau/nominal-1
			}
			trans.Row(r.kind, r.start, a+1, s, r.u0[a], r.plain[a], half, th, thPlain, nominal, rel, relPlain, relNom, tr.maxErr[a])
		}
	}
	b := traces[0]
	env.Logf("balanced start: max |u - closed form|/s over the run %.4g (by mode %.4g)", slices.Max(b.maxErr), b.maxErr)
	for _, f := range []struct {
		name string
		t    *harness.Table
	}{{"modes.csv", modes}, {"trajectory.csv", traj}, {"hessian.csv", hess}, {"transitions.csv", trans}} {
		if err := env.WriteCSV(f.name, f.t); err != nil {
			return err
		}
	}
	if err := deepLinearModesFigure(env, p, runs, traces); err != nil {
		return err
	}
	if err := deepLinearSaddleFigure(env, p, runs, traces); err != nil {
		return err
	}
	return deepLinearTransitionFigure(env, p, runs, traces)
}

// deepLinearKindColor is the colour of each kind of run in every figure.
func deepLinearKindColor(kind string) color.Color {
	switch kind {
	case "balanced":
		return plotx.Black
	case "random":
		return plotx.Blue
	}
	return plotx.Vermillion
}

// deepLinearModesFigure draws u_α(t) against the closed form for the
// balanced start, the random starts and the tanh network.
func deepLinearModesFigure(env *harness.Env, p deepLinearParams, runs []modeRun, traces []modeTrace) error {
	titles := map[string]string{
		"balanced": fmt.Sprintf("Linear, balanced start u₀ = %g", p.U0),
		"random":   "Linear, small random starts",
		"tanh":     "Tanh network, same random starts",
	}
	var panels []*plot.Plot
	for _, kind := range []string{"balanced", "random", "tanh"} {
		var worst float64
		for i, r := range runs {
			if r.kind == kind && r.trace {
				worst = max(worst, slices.Max(traces[i].maxErr))
			}
		}
		pl := plotx.New(fmt.Sprintf("%s\nmax |u − closed form| = %.2g s", titles[kind], worst),
			"time t/τ (τ = 1/learning rate)", "mode strength u_α = U_αᵀ W V_α")
		plotx.SetFontSize(pl, 10)
		for i, r := range runs {
			if r.kind != kind || !r.trace {
				continue
			}
			tr := traces[i]
			for a, s := range p.Singular {
				sim := make(plotter.XYs, len(tr.iter))
				for j, k := range tr.iter {
					sim[j] = plotter.XY{X: float64(k) * p.LearningRate, Y: tr.u[j][a]}
				}
				label := ""
				if r.start == 0 {
					label = fmt.Sprintf("s = %g", s)
				}
				if err := plotx.Line(pl, label, sim, plotx.SeriesStyle(a)); err != nil {
					return err
				}
				cf := draw.LineStyle{Color: plotx.Black, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
				label = ""
				if r.start == 0 && a == 0 {
					label = "closed form"
				}
				t1 := float64(p.Iterations) * p.LearningRate
				if err := plotx.Function(pl, label, func(t float64) float64 { return saxeMode(t, s, 1, r.u0[a]) }, 0, t1, 400, cf); err != nil {
					return err
				}
			}
		}
		// The legend goes between the plateaus at s = 2 and s = 1, right.
		pl.Legend.Top, pl.Legend.Left = true, false
		pl.Legend.YOffs = -3.6 * vg.Centimeter
		pl.Y.Tick.Marker = saxeTicks(append([]float64{0}, p.Singular...)...)
		pl.Y.Min = min(pl.Y.Min, 0)
		panels = append(panels, pl)
	}
	return env.WritePlots("modes", 33*vg.Centimeter, 11*vg.Centimeter, [][]*plot.Plot{panels})
}

// deepLinearSaddleFigure draws the loss, the gradient norm and the minimum
// Hessian eigenvalue along the runs whose Hessians were classified.
func deepLinearSaddleFigure(env *harness.Env, p deepLinearParams, runs []modeRun, traces []modeTrace) error {
	loss := plotx.New("Plateaus are saddles: loss", "time t/τ", "loss L")
	grad := plotx.New("Gradient norm", "time t/τ", "gradient norm ‖grad L‖")
	eig := plotx.New("Minimum Hessian eigenvalue", "time t/τ", "smallest eigenvalue of the Hessian")
	for _, pl := range []*plot.Plot{loss, grad} {
		plotx.LogY(pl)
		pl.Y.Tick.Marker = saxeLogTicks
	}
	eig.Y.Tick.Marker = saxeTicks(append([]float64{0}, saxeNegated(p.Singular)...)...)
	t1 := float64(p.Iterations) * p.LearningRate
	for a, s := range p.Singular {
		label := ""
		if a == 0 {
			label = "−s_α (curvature at the saddles)"
		}
		ref := draw.LineStyle{Color: color.Gray{Y: 140}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
		if err := plotx.Function(eig, label, func(float64) float64 { return -s }, 0, t1, 2, ref); err != nil {
			return err
		}
	}
	for i, r := range runs {
		if !r.hess {
			continue
		}
		tr := traces[i]
		label := r.kind
		if r.kind != "balanced" {
			label = fmt.Sprintf("%s start %d", r.kind, r.start)
		}
		style := draw.LineStyle{Color: deepLinearKindColor(r.kind), Width: vg.Points(1.5)}
		var lxy, gxy, exy plotter.XYs
		for j, k := range tr.iter {
			t := float64(k) * p.LearningRate
			lxy = append(lxy, plotter.XY{X: t, Y: tr.loss[j]})
			gxy = append(gxy, plotter.XY{X: t, Y: tr.gradNorm[j]})
		}
		for j, k := range tr.hessIter {
			exy = append(exy, plotter.XY{X: float64(k) * p.LearningRate, Y: tr.hess[j].MinEigenvalue})
		}
		if err := plotx.Line(loss, label, plotx.PositiveY(lxy), style); err != nil {
			return err
		}
		if err := plotx.Line(grad, label, plotx.PositiveY(gxy), style); err != nil {
			return err
		}
		if err := plotx.Line(eig, label, exy, style); err != nil {
			return err
		}
	}
	for _, pl := range []*plot.Plot{loss, grad, eig} {
		plotx.SetFontSize(pl, 10)
		pl.Legend.Top, pl.Legend.Left = true, false
	}
	// The legend goes right, between the reference lines −s₁ and −s₃.
	eig.Legend.Top = false
	eig.Legend.YOffs = 2.4 * vg.Centimeter
	return env.WritePlots("saddles", 16*vg.Centimeter, 24*vg.Centimeter, [][]*plot.Plot{{loss}, {grad}, {eig}})
}

// saxeNegated returns −v.
func saxeNegated(v []float64) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = -x
	}
	return w
}

// deepLinearTransitionFigure draws the measured transition times against
// the closed form with each start's effective u0.
func deepLinearTransitionFigure(env *harness.Env, p deepLinearParams, runs []modeRun, traces []modeTrace) error {
	pl := plotx.New("Transition times: u_α reaches s_α/2", "closed form (τ/2s) ln((s − u₀)/u₀), each start's effective u₀, t/τ", "gradient descent, t/τ")
	pts := map[string]plotter.XYs{}
	var hi float64
	for i, r := range runs {
		for a, s := range p.Singular {
			th := saxeTime(r.u0[a], s/2, s, 1)
			h := traces[i].half[a] * p.LearningRate
			pts[r.kind] = append(pts[r.kind], plotter.XY{X: th, Y: h})
			hi = max(hi, th, h)
		}
	}
	hi *= 1.05
	band := draw.LineStyle{Color: color.Gray{Y: 140}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
	if err := plotx.Function(pl, "equal", func(x float64) float64 { return x }, 0, hi, 2, draw.LineStyle{Color: color.Gray{Y: 90}, Width: vg.Points(1)}); err != nil {
		return err
	}
	if err := plotx.Function(pl, "±10%", func(x float64) float64 { return 1.1 * x }, 0, hi, 2, band); err != nil {
		return err
	}
	if err := plotx.Function(pl, "", func(x float64) float64 { return 0.9 * x }, 0, hi, 2, band); err != nil {
		return err
	}
	shapes := map[string]draw.GlyphDrawer{"balanced": draw.SquareGlyph{}, "random": draw.CircleGlyph{}, "tanh": draw.TriangleGlyph{}}
	for _, kind := range []string{"random", "tanh", "balanced"} {
		label := map[string]string{"balanced": "linear, balanced start", "random": "linear, random starts", "tanh": "tanh, random starts"}[kind]
		if err := plotx.Points(pl, label, pts[kind], deepLinearKindColor(kind), shapes[kind]); err != nil {
			return err
		}
	}
	pl.Legend.Top, pl.Legend.Left = true, true
	return env.WritePlot("transition_times", 14*vg.Centimeter, 12*vg.Centimeter, pl)
}

// errLearned stops a depth run once the strongest mode is learned.
var errLearned = errors.New("strongest mode learned")

// depthResult is the outcome of one run of the depth study.
type depthResult struct {
	u0    float64 // initial strength of the strongest mode
	iters float64 // iterations until it reaches s/2; NaN if not within the cap
}

// deepLinearDepth runs networks of every depth from every initialisation
// and writes depth.csv, depth_summary.csv and the depth figure.
func deepLinearDepth(ctx context.Context, env *harness.Env, p deepLinearParams, task nn.SaxeTask) error {
	type job struct{ init, depth, start int }
	var jobs []job
	for ii := range p.DepthInits {
		for di := range p.Depths {
			for s := range p.DepthStarts {
				jobs = append(jobs, job{ii, di, s})
			}
		}
	}
	s0 := p.Singular[0]
	results, err := harness.Map(ctx, env, "depth", len(jobs), func(ctx context.Context, i int, rng *rand.Rand) (depthResult, error) {
		j := jobs[i]
		L := p.Depths[j.depth]
		sizes := []int{p.Inputs}
		for range L - 1 {
			sizes = append(sizes, p.Hidden)
		}
		net := nn.DeepLinear{Sizes: append(sizes, p.Inputs), Norm: nn.HalfSum}
		w := p.DepthInits[j.init].weights(net, p.Hidden, rng.Uint64())
		modes := func(w []float64) float64 { return saxeLinearModes(net, w, task, 1)[0] }
		res := depthResult{u0: modes(w), iters: math.NaN()}
		prev := res.u0
		rec := optimizers.RecorderFunc(func(it optimizers.Iterate) error {
			if it.K%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			u := modes(it.X)
			if u >= s0/2 {
				res.iters = float64(it.K)
				if it.K > 0 {
					res.iters = float64(it.K-1) + (s0/2-prev)/(u-prev)
				}
				return errLearned
			}
			prev = u
			return nil
		})
		_, err := optimizers.Minimize(nn.NewLinearNet(net, task.X, task.Y).Problem(), w,
			&optimizers.SGD{LearningRate: p.DepthRate / float64(L)},
			&optimizers.Settings{MaxIterations: p.DepthMaxIterations, GradientThreshold: -1, Recorder: rec})
		if err != nil && !errors.Is(err, errLearned) {
			return depthResult{}, err
		}
		return res, nil
	})
	if err != nil {
		return err
	}

	runs := harness.NewTable("init", "gain", "depth", "start", "learning_rate", "u0", "iterations", "learned", "max_iterations")
	summary := harness.NewTable("init", "gain", "depth", "starts", "learned", "median_iterations", "min_iterations", "max_iterations", "learning_rate")
	pl := plotx.New(fmt.Sprintf("Iterations to learn the strongest mode (u₁ = s₁/2 = %g)\nlearning rate %g/depth, %d starts per point", s0/2, p.DepthRate, p.DepthStarts),
		"depth (number of weight layers)", "iterations of gradient descent")
	plotx.LogY(pl)
	pl.Y.Tick.Marker = saxeLogTicks
	var depthTicks []float64
	for _, L := range p.Depths {
		depthTicks = append(depthTicks, float64(L))
	}
	pl.X.Tick.Marker = saxeTicks(depthTicks...)
	for ii, in := range p.DepthInits {
		var med, all, censored plotter.XYs
		for di, L := range p.Depths {
			lr := p.DepthRate / float64(L)
			var its []float64
			learned := 0
			for ji, j := range jobs {
				if j.init != ii || j.depth != di {
					continue
				}
				r := results[ji]
				var cell any
				if !math.IsNaN(r.iters) {
					cell = r.iters
					learned++
					all = append(all, plotter.XY{X: float64(L), Y: r.iters})
					its = append(its, r.iters)
				} else {
					its = append(its, math.Inf(1))
					censored = append(censored, plotter.XY{X: float64(L), Y: float64(p.DepthMaxIterations)})
				}
				runs.Row(in.Scheme, in.Gain, L, j.start, lr, r.u0, cell, !math.IsNaN(r.iters), p.DepthMaxIterations)
			}
			slices.Sort(its)
			m := deepLinearMedian(its)
			cell := func(v float64) any {
				if math.IsInf(v, 1) {
					return nil
				}
				return v
			}
			summary.Row(in.Scheme, in.Gain, L, len(its), learned, cell(m), cell(its[0]), cell(its[len(its)-1]), lr)
			if !math.IsInf(m, 1) {
				med = append(med, plotter.XY{X: float64(L), Y: m})
			}
		}
		c := plotx.Color(ii)
		if err := plotx.Line(pl, in.label(p.Hidden)+": median", med, draw.LineStyle{Color: c, Width: vg.Points(1.5)}); err != nil {
			return err
		}
		if err := plotx.Points(pl, "", all, c, nil); err != nil {
			return err
		}
		label := ""
		if len(censored) > 0 {
			label = in.label(p.Hidden) + ": not learned in the cap"
		}
		if err := plotx.Points(pl, label, censored, c, draw.TriangleGlyph{}); err != nil {
			return err
		}
	}
	// Room above the cap for the legend.
	pl.Legend.Top, pl.Legend.Left = true, true
	pl.Y.Max = 6 * float64(p.DepthMaxIterations)
	if err := env.WriteCSV("depth.csv", runs); err != nil {
		return err
	}
	if err := env.WriteCSV("depth_summary.csv", summary); err != nil {
		return err
	}
	return env.WritePlot("depth", 16*vg.Centimeter, 12*vg.Centimeter, pl)
}

// deepLinearMedian returns the median of the sorted values v (+Inf for a
// run that did not learn counts as larger than every other).
func deepLinearMedian(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
