package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

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
	"github.com/critpoint/critpoint/optimizers"
)

// The autoencoder experiment is the benchmark of Frye, Wadia, DeWeese &
// Bouchard (Numerically recovering the critical points of a deep linear
// autoencoder, arXiv:1901.10603, 2019): critical-point finders are run on a
// loss whose critical points are all known, and each point they certify is
// checked against the analytic ones.
//
// The network is nn.FryeAutoencoder, x ↦ W₂W₁x with k = 16 inputs and
// p = 4 hidden units, on n = 10⁴ centred Gaussian samples with variances
// 1, 2, ..., 16, and
//
//	L = (1/(nk)) Σ_μ ‖x_μ − W₂W₁x_μ‖²,  L(0) = 8.5.
//
// Its critical points are the projections W₂W₁ = Σ_{i∈S} u_i u_iᵀ onto any
// S of at most 4 eigenvectors of the data (Baldi & Hornik 1989):
// Σ_{i≤4} C(16,i) = 2517 classes, with loss (Σ_i λ_i − Σ_{i∈S} λ_i)/k
// and the index and nullity of autoencoderIndex.
//
// Each run trains the network by gradient descent from small Gaussian
// weights, picks the first iterate whose loss is below a level drawn
// uniformly between the first and the last loss of the run (so that the
// plateaus at the saddles are sampled as well as the descent to the
// minimum), adds Gaussian noise to it and starts every finder of package
// critical from that same point: Newton-MR, damped Newton and gradient-norm
// minimisation. A run succeeds when the finder ends with ||∇L||² < 1e-10,
// Frye et al.'s threshold; the certified point is then matched to an
// analytic class through its product W₂W₁ and compared in loss (relative
// 1e-8) and index: equal, or at least within the certificate's range
// [Index, Index+Nullity], where the eigenvalues whose sign the tolerance
// cannot decide are counted in the nullity.
//
// Frye et al. report success rates of 80% ± 4 for Newton-MR (20 minutes per
// success on their hardware), 45% ± 5 for damped Newton and 35% ± 6 for
// gradient-norm minimisation. The seconds per success measured here are
// recorded in meta.json (params.measured: the wall time of each method's
// runs, summed over the workers, over its successes), not in the CSV files,
// which must not depend on the machine; success.csv holds the deterministic
// cost in gradient evaluations instead.
//
// Outputs ("subset" names the eigenvectors kept by the data variance each
// carries, largest first, separated by spaces; "" is the origin):
//
//	analytic.csv  subset, size, loss, index, nullity, index_fraction: the 2517
//	              analytic classes (index and nullity from autoencoderIndex,
//	              index_fraction = index/128)
//	runs.csv      run, method, snapshot_iteration, snapshot_loss, start_loss,
//	              status, certified (||∇L||² < grad_tol), iterations,
//	              grad_norm_sq, loss, index, nullity, index_fraction, flat_ratio,
//	              gradient_flat, and for certified points subset,
//	              projection_error (‖W₂W₁ − P_S‖_F), analytic_loss,
//	              analytic_index, analytic_nullity, loss_matches_analytic,
//	              index_matches_analytic (equal), index_within_nullity
//	              (analytic index in [index, index+nullity]); then
//	              grad_evaluations, hessvec_evaluations, hessian_evaluations
//	success.csv   method, runs, successes, success_rate, wilson_lo95,
//	              wilson_hi95, published_rate, published_margin,
//	              matched_analytic (certified, loss and index equal),
//	              consistent_analytic (certified, loss equal, index within the
//	              nullity), gradient_flat, mean_iterations_per_success,
//	              gradient_evaluations_per_success ((Grad + HessVec + 128 Hess
//	              evaluations of all runs) / successes)
//
// Figures: loss_index (loss against index of the points found, one panel per
// method, over the analytic classes) and success_rate (rates with 95% Wilson
// intervals beside the published ones).
//
// Presets: quick (4 runs, at most 100 Newton and 1000 gradient-norm
// iterations) takes about 2 CPU-seconds; default (50 runs, 500 and 5000
// iterations) about 65 CPU-seconds, 35 seconds on 2 idle cores; full (200
// runs, 1000 and 10000 iterations) about 7 CPU-minutes (estimated from the
// default).
func init() {
	registry.Add(harness.Experiment{
		Name:    "autoencoder",
		Summary: "Frye et al. 2019: critical-point finders on a 16-4-16 linear autoencoder with 2517 analytic critical classes",
		Run:     runAutoencoder,
	})
}

// autoencoderParams are the sizes of the autoencoder experiment.
type autoencoderParams struct {
	// Runs is the number of starting points; every finder runs from each.
	Runs int `json:"runs"`
	// InitScale is the standard deviation of the initial Gaussian weights.
	InitScale float64 `json:"init_scale"`
	// LearningRate and TrainIterations define the gradient descent runs
	// whose iterates are the candidate starts.
	LearningRate    float64 `json:"learning_rate"`
	TrainIterations int     `json:"train_iterations"`
	// Perturbation is the standard deviation of the Gaussian noise added
	// to every coordinate of the chosen iterate.
	Perturbation float64 `json:"perturbation"`
	// Methods are the finders (critical.FindMethod names). MaxIterations
	// is the iteration budget of the Newton-type ones and
	// GradNormIterations that of gradient-norm minimisation, whose
	// quasi-Newton iterations cost one gradient and one Hessian-vector
	// product each and converge only linearly on the manifolds of critical
	// points (package critical's defaults are 500 and 5000).
	Methods            []string `json:"methods"`
	MaxIterations      int      `json:"max_iterations"`
	GradNormIterations int      `json:"gradient_norm_iterations"`
	// GradTol is the success threshold on ||∇L||².
	GradTol float64 `json:"grad_tol"`

	// Measured holds the timings of the run, written to meta.json only.
	Measured *autoencoderMeasured `json:"measured,omitempty"`
}

// autoencoderMeasured are the wall-clock timings of one run of the
// experiment: machine-dependent, so they go to meta.json and not to a CSV.
type autoencoderMeasured struct {
	Note    string                  `json:"note"`
	Workers int                     `json:"workers"`
	Methods []autoencoderMethodTime `json:"methods"`
}

// autoencoderMethodTime is the time one finder spent over all runs.
type autoencoderMethodTime struct {
	Method            string  `json:"method"`
	Runs              int     `json:"runs"`
	Successes         int     `json:"successes"`
	Seconds           float64 `json:"seconds"`
	SecondsPerRun     float64 `json:"seconds_per_run"`
	SecondsPerSuccess float64 `json:"seconds_per_success"` // zero without successes
}

// autoencoderPresets: see the experiment's doc for their costs.
var autoencoderPresets = harness.Presets[autoencoderParams]{
	Quick: autoencoderParams{
		Runs: 4, InitScale: 0.01, LearningRate: 0.01, TrainIterations: 2000, Perturbation: 0.05,
		Methods: aeMethods, MaxIterations: 100, GradNormIterations: 1000, GradTol: 1e-10,
	},
	Default: autoencoderParams{
		Runs: 50, InitScale: 0.01, LearningRate: 0.01, TrainIterations: 2000, Perturbation: 0.05,
		Methods: aeMethods, MaxIterations: 500, GradNormIterations: 5000, GradTol: 1e-10,
	},
	Full: autoencoderParams{
		Runs: 200, InitScale: 0.01, LearningRate: 0.01, TrainIterations: 2000, Perturbation: 0.05,
		Methods: aeMethods, MaxIterations: 1000, GradNormIterations: 10000, GradTol: 1e-10,
	},
}

var aeMethods = []string{"newton-mr", "damped-newton", "gradient-norm"}

// aePublished are Frye et al.'s (2019) success rates and their ± margins,
// by method.
var aePublished = map[string][2]float64{
	"newton-mr":     {0.80, 0.04},
	"damped-newton": {0.45, 0.05},
	"gradient-norm": {0.35, 0.06},
}

// aeLossRelTol is the relative tolerance within which a certified loss
// matches an analytic one.
const aeLossRelTol = 1e-8

// findMethodNamed returns the finder of package critical called name.
func findMethodNamed(name string) critical.FindMethod {
	for _, m := range []critical.FindMethod{critical.NewtonMR, critical.Newton, critical.DampedNewton, critical.GradientNorm} {
		if m.String() == name {
			return m
		}
	}
	panic(fmt.Sprintf("unknown critical-point finder %q", name))
}

// aeStart is a starting point of the finders and where it came from.
type aeStart struct {
	X            []float64
	SnapshotIter int
	SnapshotLoss float64
	StartLoss    float64
}

// aeFound is the outcome of one finder run.
type aeFound struct {
	Point   critical.Point
	Seconds float64
}

// aeClass is an analytic critical class: the eigenvectors S of the data
// kept by the projection W₂W₁, with its loss, index and nullity.
type aeClass struct {
	Subset         []int
	Loss           float64
	Index, Nullity int
}

func runAutoencoder(ctx context.Context, env *harness.Env) error {
	ps := autoencoderPresets
	measured := &autoencoderMeasured{Workers: env.Workers}
	ps.Quick.Measured, ps.Default.Measured, ps.Full.Measured = measured, measured, measured
	p := harness.Params(env, ps)

	net := nn.FryeAutoencoder(env.RNG("data", 0).Uint64())
	prob := net.Problem()
	arch := nn.DeepLinear{Sizes: []int{16, 4, 16}, Norm: nn.EntryMean}
	k, hidden := arch.Sizes[0], arch.Sizes[1]
	lambda, u, err := net.DataEigen()
	if err != nil {
		return err
	}
	classes, err := aeClasses(net, lambda, k, hidden)
	if err != nil {
		return err
	}

	starts, err := harness.Map(ctx, env, "starts", p.Runs, func(ctx context.Context, i int, rng *rand.Rand) (aeStart, error) {
		w0 := arch.Init(nil, nn.Gaussian, p.InitScale, rng.Uint64())
		var losses []float64
		var iterates [][]float64
		rec := optimizers.RecorderFunc(func(it optimizers.Iterate) error {
			losses = append(losses, it.F)
			iterates = append(iterates, slices.Clone(it.X))
			return ctx.Err()
		})
		if _, err := optimizers.Minimize(prob, w0, &optimizers.SGD{LearningRate: p.LearningRate}, &optimizers.Settings{
			MaxIterations: p.TrainIterations, GradientThreshold: -1, Recorder: rec,
		}); err != nil {
			return aeStart{}, err
		}
		first, last := losses[0], losses[len(losses)-1]
		level := last + rng.Float64()*(first-last)
		snap := slices.IndexFunc(losses, func(l float64) bool { return l <= level })
		x := slices.Clone(iterates[snap])
		for j := range x {
			x[j] += p.Perturbation * rng.NormFloat64()
		}
		return aeStart{X: x, SnapshotIter: snap, SnapshotLoss: losses[snap], StartLoss: prob.Func(x)}, nil
	})
	if err != nil {
		return err
	}

	nm := len(p.Methods)
	found, err := harness.Map(ctx, env, "find", p.Runs*nm, func(ctx context.Context, t int, _ *rand.Rand) (aeFound, error) {
		if err := ctx.Err(); err != nil {
			return aeFound{}, err
		}
		method := findMethodNamed(p.Methods[t%nm])
		iters := p.MaxIterations
		if method == critical.GradientNorm {
			iters = p.GradNormIterations
		}
		begin := time.Now()
		pt, err := critical.Find(prob, starts[t/nm].X, &critical.FindSettings{Method: method, MaxIterations: iters, GradTol: p.GradTol})
		return aeFound{Point: pt, Seconds: time.Since(begin).Seconds()}, err
	})
	if err != nil {
		return err
	}

	analytic := harness.NewTable("subset", "size", "loss", "index", "nullity", "index_fraction")
	for _, c := range classes {
		analytic.Row(aeSubsetName(c.Subset, lambda), len(c.Subset), c.Loss, c.Index, c.Nullity, float64(c.Index)/float64(arch.NumParams()))
	}
	if err := env.WriteCSV("analytic.csv", analytic); err != nil {
		return err
	}

	classOf := make(map[string]aeClass, len(classes))
	for _, c := range classes {
		classOf[fmt.Sprint(c.Subset)] = c
	}
	runs := harness.NewTable("run", "method", "snapshot_iteration", "snapshot_loss", "start_loss",
		"status", "certified", "iterations", "grad_norm_sq", "loss", "index", "nullity", "index_fraction",
		"flat_ratio", "gradient_flat", "subset", "projection_error", "analytic_loss", "analytic_index",
		"analytic_nullity", "loss_matches_analytic", "index_matches_analytic", "index_within_nullity",
		"grad_evaluations", "hessvec_evaluations", "hessian_evaluations")
	tallies := make([]aeTally, nm)
	byMethod := make([][]aeFoundPoint, nm)
	for t, f := range found {
		r, mi := t/nm, t%nm
		pt := f.Point
		st := starts[r]
		ev := pt.Evaluations
		ta := &tallies[mi]
		ta.seconds += f.Seconds
		ta.gradEquiv += float64(ev.Grad + ev.HessVec + len(pt.X)*ev.Hess)
		var subset, projErr, aLoss, aIndex, aNullity, lossMatch, indexMatch, within any
		matched := false
		if pt.Converged {
			ta.successes++
			ta.iterSucc += pt.Iterations
			s, e := aeSubsetOf(arch, pt.X, u)
			c, ok := classOf[fmt.Sprint(s)]
			subset, projErr = aeSubsetName(s, lambda), e
			if ok {
				cl := pt.Classification
				lm := math.Abs(pt.F-c.Loss) <= aeLossRelTol*c.Loss
				im := cl.Index == c.Index
				wn := cl.Index <= c.Index && c.Index <= cl.Index+cl.Nullity
				aLoss, aIndex, aNullity, lossMatch, indexMatch, within = c.Loss, c.Index, c.Nullity, lm, im, wn
				matched = lm && im
				if lm && wn {
					ta.consistent++
				}
			} else {
				lossMatch, indexMatch, within = false, false, false
			}
			if matched {
				ta.matched++
			}
		}
		if pt.GradientFlat {
			ta.flat++
		}
		byMethod[mi] = append(byMethod[mi], aeFoundPoint{loss: pt.F, index: pt.Classification.Index, certified: pt.Converged, matched: matched})
		runs.Row(r, p.Methods[mi], st.SnapshotIter, st.SnapshotLoss, st.StartLoss,
			pt.Status.String(), pt.Converged, pt.Iterations, pt.GradNorm*pt.GradNorm, pt.F,
			pt.Classification.Index, pt.Classification.Nullity, pt.Classification.IndexFraction,
			pt.FlatRatio, pt.GradientFlat, subset, projErr, aLoss, aIndex, aNullity, lossMatch, indexMatch, within,
			ev.Grad, ev.HessVec, ev.Hess)
	}
	if err := env.WriteCSV("runs.csv", runs); err != nil {
		return err
	}

	success := harness.NewTable("method", "runs", "successes", "success_rate", "wilson_lo95", "wilson_hi95",
		"published_rate", "published_margin", "matched_analytic", "consistent_analytic", "gradient_flat",
		"mean_iterations_per_success", "gradient_evaluations_per_success")
	rates := make([][3]float64, nm)
	measured.Note = "wall-clock seconds of the finder runs on the machine that wrote these results, " +
		"each run timed on its own worker; gradient_evaluations_per_success in success.csv is the machine-independent cost"
	for mi, name := range p.Methods {
		ta := tallies[mi]
		lo, hi := stats.Wilson(int64(ta.successes), int64(p.Runs), stats.Z95)
		rate := float64(ta.successes) / float64(p.Runs)
		rates[mi] = [3]float64{rate, lo, hi}
		var meanIter, perSucc, secPerSucc any
		mt := autoencoderMethodTime{Method: name, Runs: p.Runs, Successes: ta.successes,
			Seconds: ta.seconds, SecondsPerRun: ta.seconds / float64(p.Runs)}
		if ta.successes > 0 {
			meanIter = float64(ta.iterSucc) / float64(ta.successes)
			perSucc = ta.gradEquiv / float64(ta.successes)
			mt.SecondsPerSuccess = ta.seconds / float64(ta.successes)
			secPerSucc = mt.SecondsPerSuccess
		}
		measured.Methods = append(measured.Methods, mt)
		pub := aePublished[name]
		success.Row(name, p.Runs, ta.successes, rate, lo, hi, pub[0], pub[1], ta.matched, ta.consistent, ta.flat, meanIter, perSucc)
		env.Logf("%s: %d/%d certified (%.0f%%, 95%% interval %.0f-%.0f%%; published %.0f%% ± %.0f), %d match an analytic point in loss and index, %d in loss and index within the nullity, %v s per success",
			name, ta.successes, p.Runs, 100*rate, 100*lo, 100*hi, 100*pub[0], 100*pub[1], ta.matched, ta.consistent, secPerSucc)
	}
	if err := env.WriteCSV("success.csv", success); err != nil {
		return err
	}

	if err := aeLossIndexFigure(env, p, classes, byMethod, tallies); err != nil {
		return err
	}
	return aeSuccessFigure(env, p, rates)
}

// aeTally sums the outcomes of one method over the runs.
type aeTally struct {
	successes, flat int
	matched         int     // certified, loss and index equal to the analytic class's
	consistent      int     // certified, loss equal, analytic index in [Index, Index+Nullity]
	iterSucc        int     // iterations of the successful runs
	gradEquiv       float64 // Grad + HessVec + n·Hess evaluations of all runs
	seconds         float64 // wall time of all runs
}

// aeFoundPoint is what the loss-index figure shows of one finder run.
type aeFoundPoint struct {
	loss      float64
	index     int
	certified bool
	matched   bool
}

// aeClasses returns the 2517 analytic critical classes of the k-p-k
// autoencoder net, in the order of nn.CriticalSubsets.
func aeClasses(net *nn.LinearNet, lambda []float64, k, p int) ([]aeClass, error) {
	var out []aeClass
	for _, s := range nn.CriticalSubsets(k, p) {
		_, loss, err := net.CriticalPoint(s)
		if err != nil {
			return nil, err
		}
		idx, null := autoencoderIndex(s, lambda, p)
		out = append(out, aeClass{Subset: s, Loss: loss, Index: idx, Nullity: null})
	}
	return out, nil
}

// autoencoderIndex returns the index and nullity of the Hessian of the
// two-layer linear autoencoder (sizes k, p, k; L = c Σ_μ ‖x_μ − W₂W₁x_μ‖²)
// at its critical points whose product W₂W₁ projects onto the eigenvectors
// u_i, i ∈ S, of the data second moments, with eigenvalues lambda (k of
// them, distinct and positive) and m = |S| <= p:
//
//	index   = #{(i, j) : i ∈ S, j ∉ S, λ_j > λ_i} + (p − m)(k − m),
//	nullity = m² + 2m(p − m).
//
// Derivation, at the representative W₁ = [u_S 0]ᵀ, W₂ = W₁ᵀ (the index and
// nullity are the same on the whole orbit (CW₁, W₂C⁻¹), C invertible, by
// Sylvester's law of inertia, since L is invariant under that linear change
// of parameters): with perturbations A of W₁ (rows a_s) and B of W₂
// (columns b_s) and R₀ = I − P_S, the second-order change of L/c is
//
//	tr(Δ Σ Δᵀ) − 2 tr(Σ_s b_s a_sᵀ Σ R₀),  Δ = Σ_{s≤m} (b_s u_sᵀ + u_s a_sᵀ),
//
// Σ = diag(λ) in the eigenbasis. For a used unit s = i ∈ S and j ∉ S the
// coordinates (a_ij, b_ij) form the block [[λ_j, −λ_j], [−λ_j, λ_i]], with one
// negative eigenvalue exactly when λ_j > λ_i. The in-S coordinates of the
// used units enter only through the m² sums b_i[i'] + a_{i'}[i] (positive
// weight λ_i), leaving m² null directions (the GL(m) symmetry). An unused
// unit enters only through −2 Σ_{j∉S} λ_j a_j b_j: one negative and one
// positive eigenvalue per j ∉ S, and 2m null directions from its in-S
// coordinates. At the origin (m = 0) this gives index kp, half the
// parameters; at the global minimum (the top p eigenvectors) index 0 and
// nullity p². The test checks the formula against the computed Hessian.
func autoencoderIndex(subset []int, lambda []float64, p int) (index, nullity int) {
	k, m := len(lambda), len(subset)
	in := make([]bool, k)
	for _, i := range subset {
		in[i] = true
	}
	for _, i := range subset {
		for j := range k {
			if !in[j] && lambda[j] > lambda[i] {
				index++
			}
		}
	}
	index += (p - m) * (k - m)
	return index, m*m + 2*m*(p-m)
}

// aeSubsetOf returns the eigenvectors kept by the product W₂W₁ at w, the
// i (increasing) with u_iᵀ W₂W₁ u_i > 1/2, and the Frobenius distance
// ‖W₂W₁ − Σ_{i∈S} u_i u_iᵀ‖ from the projection onto them.
func aeSubsetOf(arch nn.DeepLinear, w []float64, u *mat.Dense) ([]int, float64) {
	prod := arch.Product(w)
	k, _ := prod.Dims()
	var proj mat.Dense
	proj.Mul(u.T(), prod) // Uᵀ W₂W₁ U: diagonal 0/1 at a critical point
	proj.Mul(&proj, u)
	var s []int
	for i := range k {
		if proj.At(i, i) > 0.5 {
			s = append(s, i)
		}
	}
	var d float64
	for i := range k {
		for j := range k {
			v := proj.At(i, j)
			if i == j && slices.Contains(s, i) {
				v--
			}
			d += v * v
		}
	}
	return s, math.Sqrt(d)
}

// aeSubsetName names a subset by the eigenvalues (data variances) it keeps,
// largest first, separated by spaces; the empty subset (the origin) is "".
func aeSubsetName(s []int, lambda []float64) string {
	parts := make([]string, len(s))
	for i, j := range s {
		parts[i] = strconv.FormatFloat(lambda[j], 'g', 6, 64)
	}
	return strings.Join(parts, " ")
}

// aeLossIndexFigure draws, for each method, the loss against the index of
// the points it found over the analytic critical classes.
func aeLossIndexFigure(env *harness.Env, p autoencoderParams, classes []aeClass, found [][]aeFoundPoint, tallies []aeTally) error {
	seen := make(map[[2]float64]bool)
	var analytic plotter.XYs
	for _, c := range classes {
		key := [2]float64{float64(c.Index), c.Loss}
		if !seen[key] {
			seen[key] = true
			analytic = append(analytic, plotter.XY{X: key[0], Y: key[1]})
		}
	}
	var row []*plot.Plot
	for mi, name := range p.Methods {
		pl := plotx.New(fmt.Sprintf("%s: %d/%d certified, %d match analytic", name, tallies[mi].successes, p.Runs, tallies[mi].matched),
			"index (negative Hessian eigenvalues)", "loss L")
		plotx.SetFontSize(pl, 10)
		if err := plotx.Points(pl, fmt.Sprintf("analytic classes (%d)", len(classes)), analytic, plotx.Tint(plotx.Black, 0.7), draw.CircleGlyph{}); err != nil {
			return err
		}
		var cert, off, other plotter.XYs
		for _, f := range found[mi] {
			xy := plotter.XY{X: float64(f.index), Y: f.loss}
			switch {
			case f.matched:
				cert = append(cert, xy)
			case f.certified:
				off = append(off, xy)
			default:
				other = append(other, xy)
			}
		}
		c := plotx.MethodStyle(name).Color
		series := []struct {
			label string
			xys   plotter.XYs
			shape draw.GlyphDrawer
		}{
			{"certified (||grad L||² < 1e-10), analytic loss and index", cert, draw.RingGlyph{}},
			{"certified, index differs from the analytic one", off, draw.SquareGlyph{}},
			{"not certified (last iterate, loss clamped to the frame)", plotx.ClampY(other, aeLossMin, aeLossMax), draw.CrossGlyph{}},
		}
		for _, s := range series {
			label := ""
			if len(s.xys) > 0 {
				label = s.label
			}
			if err := plotx.Points(pl, label, s.xys, c, s.shape); err != nil {
				return err
			}
		}
		pl.Legend.Left = false
		pl.Legend.Top = false
		pl.X.Min, pl.X.Max = -2, 66
		pl.Y.Min, pl.Y.Max = aeLossMin, aeLossMax
		row = append(row, pl)
	}
	return env.WritePlots("loss_index", vg.Length(len(row))*11*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{row})
}

// aeLossMin and aeLossMax bound the loss axis of the loss-index figure:
// the analytic losses lie in [4.875, 8.5].
const aeLossMin, aeLossMax = 4.5, 9.5

// aeSuccessFigure draws the success rate of each method with its Wilson
// interval next to the published rate.
func aeSuccessFigure(env *harness.Env, p autoencoderParams, rates [][3]float64) error {
	pl := plotx.New(fmt.Sprintf("Success rate: ||grad L||² < 1e-10 reached (%d runs each)", p.Runs), "", "fraction of runs certified critical")
	pl.NominalX(p.Methods...)
	pl.X.Min, pl.X.Max = -0.5, float64(len(p.Methods))-0.5
	pl.Y.Min, pl.Y.Max = 0, 1.2
	var ticks []plot.Tick
	for v := 0.0; v <= 1; v += 0.25 {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
	}
	pl.Y.Tick.Marker = plot.ConstantTicks(ticks)
	for mi, name := range p.Methods {
		c := plotx.MethodStyle(name).Color
		x := float64(mi)
		if err := plotx.YErrorBars(pl, []float64{x - 0.1}, []float64{rates[mi][1]}, []float64{rates[mi][2]}, c); err != nil {
			return err
		}
		label := ""
		if mi == 0 {
			label = "measured, 95% Wilson interval"
		}
		if err := plotx.Points(pl, label, plotter.XYs{{X: x - 0.1, Y: rates[mi][0]}}, c, draw.CircleGlyph{}); err != nil {
			return err
		}
		pub := aePublished[name]
		if err := plotx.YErrorBars(pl, []float64{x + 0.1}, []float64{pub[0] - pub[1]}, []float64{pub[0] + pub[1]}, plotx.Black); err != nil {
			return err
		}
		if mi == 0 {
			label = "Frye et al. 2019 (± as published)"
		}
		if err := plotx.Points(pl, label, plotter.XYs{{X: x + 0.1, Y: pub[0]}}, plotx.Black, draw.SquareGlyph{}); err != nil {
			return err
		}
	}
	pl.Legend.Left = false
	pl.Legend.Top = true
	return env.WritePlot("success_rate", 14*vg.Centimeter, 10*vg.Centimeter, pl)
}
