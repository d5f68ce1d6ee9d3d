package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
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

// The mlp-critical experiment repeats Fig. 1 of Dauphin, Pascanu, Gulcehre,
// Cho, Ganguli & Bengio (Identifying and attacking the saddle point problem
// in high-dimensional non-convex optimization, NIPS 2014) on MNIST, with the
// certificate Frye, Simon, Wadia, Ligeralde, DeWeese & Bouchard (Critical
// point-finding methods reveal gradient-flat regions of deep network losses,
// Neural Computation 33, 2021) showed it needs.
//
// A one-hidden-layer tanh network 100-H-10 with softmax cross-entropy is
// trained by minibatch SGD on a stratified subset of the MNIST training
// images downsampled to 10×10. At a few snapshots of the run, from the
// initialisation to the end, the weights are perturbed with Gaussian noise
// and Newton-MR and damped Newton (package critical) are started from there.
// Every point they stop at is listed with its loss, training error, index
// (negative eigenvalues of the exact Hessian), nullity, ||∇L||², the
// flatness ratio r = ||Hp + g|| / (||H||_F ||p|| + ||g||) of its Newton step,
// and whether it is certified critical (||∇L||² < 1e-10) or gradient-flat
// (not certified, r > 0.9). Dauphin et al. found the (error, index) pairs of
// the points on a monotone increasing curve; Frye et al. found that such
// points are often gradient-flat rather than critical.
//
// The finders see the loss through nn's assembled exact Hessian (no
// Hessian-vector products), so Newton-MR's MINRES multiplies by a matrix
// formed once per iteration: cheaper than Pearlmutter products at this size,
// and the same iteration up to rounding. Pixels that are zero in every
// training image and the softmax's invariance to a common shift of the
// logits give exact zero eigenvalues, counted in the nullity.
//
// Outputs (errors in percent of the training subset; "outcome" is
// certified, gradient-flat or neither):
//
//	points.csv   point, method, snapshot_step, replicate, start_loss,
//	             start_error_pct, status (critical.FindStatus), outcome,
//	             certified, gradient_flat, iterations, loss, error_pct, kind,
//	             index, nullity, params, index_fraction, min_eigenvalue,
//	             max_eigenvalue, class_tol, grad_norm_sq, flat_ratio,
//	             newton_distance (||H⁺g||, the length of the remaining Newton
//	             step), weight_norm (||w||, for scale)
//	summary.csv  method (each, then all), points, certified, gradient_flat,
//	             neither, certified_distinct_index, corr_error_index_certified
//	             and corr_error_index_all (Pearson correlation of error and
//	             index fraction; empty with fewer than three points or no
//	             spread), prior_loss and prior_error_pct (the constant-output
//	             critical point, see mlpPriorPoint)
//	spectra.csv  point, method, outcome, error_pct, index_fraction, bin_lo,
//	             bin_hi, count: the Hessian eigenvalue histograms of the points
//	             of lowest, median and highest error (see mlpSpectrumPoints)
//
// Figures: error_index (training error against index fraction, by method
// and outcome, with the constant-output error) and spectra (the three
// eigenvalue histograms, log10(1 + count)).
//
// Presets: quick (100-3-10, 200 images, 3 snapshots, 10 finder iterations)
// takes about 2 CPU-seconds; default (100-6-10, 1000 images, 6 snapshots,
// 2 starts each, 20 iterations) about 90 CPU-seconds, under a minute on 2
// idle cores; full (100-10-10, 2000 images, 8 snapshots, 3 starts each, 100
// iterations) about an hour of CPU (estimated from the cost of one Hessian
// and eigendecomposition).
func init() {
	registry.Add(harness.Experiment{
		Name:    "mlp-critical",
		Summary: "Dauphin et al. 2014 Fig. 1 on 10×10 MNIST: error vs index of points found by Newton-MR and damped Newton, certified or gradient-flat",
		Run:     runMLPCritical,
	})
}

// mlpCriticalParams are the sizes of the mlp-critical experiment.
type mlpCriticalParams struct {
	// Hidden is the number of tanh hidden units H; Images the size of the
	// stratified training subset of 10×10 MNIST.
	Hidden int `json:"hidden"`
	Images int `json:"images"`
	// LearningRate, Batch and TrainSteps define the minibatch SGD run
	// from a Glorot-normal initialisation.
	LearningRate float64 `json:"learning_rate"`
	Batch        int     `json:"batch"`
	TrainSteps   int     `json:"train_steps"`
	// Snapshots are the SGD steps (at most TrainSteps) whose weights,
	// perturbed Starts times each by Gaussian noise of standard deviation
	// Perturbation, start the finders.
	Snapshots    []int   `json:"snapshots"`
	Starts       int     `json:"starts"`
	Perturbation float64 `json:"perturbation"`
	// Methods are the finders (critical.FindMethod names) with their
	// iteration budget MaxIterations and the certificate's threshold
	// GradTol on ||∇L||². MINRESIterations caps the MINRES iterations of
	// each Newton-MR step (an inexact Newton step, as Roosta et al.
	// allow): without the cap MINRES runs up to 5P products on these
	// nearly singular Hessians, five times the cost of the step for less
	// progress in ||∇L||².
	Methods          []string `json:"methods"`
	MaxIterations    int      `json:"max_iterations"`
	MINRESIterations int      `json:"minres_iterations"`
	GradTol          float64  `json:"grad_tol"`
	// Bins is the number of bins of the eigenvalue histograms.
	Bins int `json:"bins"`
}

// mlpCriticalPresets: see the experiment's doc for their costs.
var mlpCriticalPresets = harness.Presets[mlpCriticalParams]{
	Quick: mlpCriticalParams{
		Hidden: 3, Images: 200, LearningRate: 0.1, Batch: 50, TrainSteps: 300,
		Snapshots: []int{0, 30, 300}, Starts: 1, Perturbation: 0.05,
		Methods: mlpMethods, MaxIterations: 10, MINRESIterations: 100, GradTol: 1e-10, Bins: 40,
	},
	Default: mlpCriticalParams{
		Hidden: 6, Images: 1000, LearningRate: 0.1, Batch: 100, TrainSteps: 3000,
		Snapshots: []int{0, 10, 60, 300, 1000, 3000}, Starts: 2, Perturbation: 0.05,
		Methods: mlpMethods, MaxIterations: 20, MINRESIterations: 300, GradTol: 1e-10, Bins: 60,
	},
	Full: mlpCriticalParams{
		Hidden: 10, Images: 2000, LearningRate: 0.1, Batch: 100, TrainSteps: 10000,
		Snapshots: []int{0, 10, 30, 100, 300, 1000, 3000, 10000}, Starts: 3, Perturbation: 0.05,
		Methods: mlpMethods, MaxIterations: 100, MINRESIterations: 500, GradTol: 1e-10, Bins: 80,
	},
}

var mlpMethods = []string{"newton-mr", "damped-newton"}

// mlpStart is a starting point of the finders.
type mlpStart struct {
	snapshot, replicate int
	x                   []float64
}

// mlpPoint is the outcome of one finder run with the training error of
// the point reached.
type mlpPoint struct {
	start  int // index into the starts
	method string
	pt     critical.Point
	error  float64 // training classification error at pt.X, in [0, 1]
}

// outcome returns "certified", "gradient-flat" or "neither".
func (m mlpPoint) outcome() string {
	switch {
	case m.pt.Converged:
		return "certified"
	case m.pt.GradientFlat:
		return "gradient-flat"
	}
	return "neither"
}

func runMLPCritical(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, mlpCriticalPresets)
	dir, err := env.MNISTDir()
	if err != nil {
		return err
	}
	train, _, err := nn.LoadMNIST(&nn.MNISTSettings{Dir: dir, Height: 10, Width: 10})
	if err != nil {
		return err
	}
	seeds := env.RNG("seeds", 0)
	data := train.Subset(p.Images, seeds.Uint64())
	arch := nn.MLP{Sizes: []int{100, p.Hidden, 10}, Loss: nn.CrossEntropy}
	net := nn.NewNet(arch, data.X, nn.OneHot(data.Labels, 10))
	full := net.Problem()
	// The finders use the assembled Hessian; see the experiment's doc.
	prob := hessian.Problem{Func: full.Func, Grad: full.Grad, Hess: full.Hess}

	// Train, keeping the weights at the snapshot steps.
	w0 := arch.Init(nil, nn.GlorotNormal, 1, seeds.Uint64())
	snaps := make([][]float64, len(p.Snapshots))
	rec := optimizers.RecorderFunc(func(it optimizers.Iterate) error {
		if i := slices.Index(p.Snapshots, it.K); i >= 0 {
			snaps[i] = slices.Clone(it.X)
		}
		return ctx.Err()
	})
	res, err := optimizers.Minimize(full, w0, &optimizers.SGD{LearningRate: p.LearningRate}, &optimizers.Settings{
		MaxIterations: p.TrainSteps, GradientThreshold: -1, Sampler: optimizers.Minibatch(net, p.Batch, seeds.Uint64()),
		MonitorInterval: p.TrainSteps, Recorder: rec,
	})
	if err != nil {
		return err
	}
	env.Logf("SGD: %d steps, loss %.4f, training error %.1f%%", res.Iterations, res.F, 100*arch.ClassificationError(res.X, data.X, data.Labels))

	var starts []mlpStart
	for si := range p.Snapshots {
		for r := range p.Starts {
			starts = append(starts, mlpStart{snapshot: si, replicate: r})
		}
	}
	for i := range starts {
		rng := env.RNG("perturb", i)
		x := slices.Clone(snaps[starts[i].snapshot])
		for j := range x {
			x[j] += p.Perturbation * rng.NormFloat64()
		}
		starts[i].x = x
	}

	nm := len(p.Methods)
	points, err := harness.Map(ctx, env, "find", len(starts)*nm, func(ctx context.Context, t int, _ *rand.Rand) (mlpPoint, error) {
		if err := ctx.Err(); err != nil {
			return mlpPoint{}, err
		}
		pt, err := critical.Find(prob, starts[t/nm].x, &critical.FindSettings{
			Method: findMethodNamed(p.Methods[t%nm]), MaxIterations: p.MaxIterations, GradTol: p.GradTol,
			MINRES: &critical.MINRESSettings{MaxIterations: p.MINRESIterations},
		})
		if err != nil {
			return mlpPoint{}, err
		}
		return mlpPoint{start: t / nm, method: p.Methods[t%nm], pt: pt, error: arch.ClassificationError(pt.X, data.X, data.Labels)}, nil
	})
	if err != nil {
		return err
	}

	priorLoss, priorErr := mlpPriorPoint(data.Labels, 10)
	if err := mlpWriteTables(env, p, arch, data, starts, points, prob, priorLoss, priorErr); err != nil {
		return err
	}
	return mlpFigures(env, p, points, priorErr)
}

// mlpWriteTables writes points.csv (every point found), summary.csv (counts
// and correlations per method) and spectra.csv (the eigenvalue histograms of
// the points chosen by mlpSpectrumPoints).
func mlpWriteTables(env *harness.Env, p mlpCriticalParams, arch nn.MLP, data *nn.Dataset, starts []mlpStart, points []mlpPoint, prob hessian.Problem, priorLoss, priorErr float64) error {
	tab := harness.NewTable("point", "method", "snapshot_step", "replicate", "start_loss", "start_error_pct",
		"status", "outcome", "certified", "gradient_flat", "iterations",
		"loss", "error_pct", "kind", "index", "nullity", "params", "index_fraction",
		"min_eigenvalue", "max_eigenvalue", "class_tol", "grad_norm_sq", "flat_ratio", "newton_distance", "weight_norm")
	for i, m := range points {
		st := starts[m.start]
		c := m.pt.Classification
		tab.Row(i, m.method, p.Snapshots[st.snapshot], st.replicate, prob.Func(st.x),
			100*arch.ClassificationError(st.x, data.X, data.Labels),
			m.pt.Status.String(), m.outcome(), m.pt.Converged, m.pt.GradientFlat, m.pt.Iterations,
			m.pt.F, 100*m.error, c.Kind.String(), c.Index, c.Nullity, len(m.pt.X), c.IndexFraction,
			c.MinEigenvalue, c.MaxEigenvalue, c.Tol, m.pt.GradNorm*m.pt.GradNorm, m.pt.FlatRatio, m.pt.NewtonDistance,
			floats.Norm(m.pt.X, 2))
	}
	if err := env.WriteCSV("points.csv", tab); err != nil {
		return err
	}

	sum := harness.NewTable("method", "points", "certified", "gradient_flat", "neither",
		"certified_distinct_index", "corr_error_index_certified", "corr_error_index_all",
		"prior_loss", "prior_error_pct")
	for _, name := range append(slices.Clone(p.Methods), "all") {
		var sel []mlpPoint
		for _, m := range points {
			if name == "all" || m.method == name {
				sel = append(sel, m)
			}
		}
		count := map[string]int{}
		var cert []mlpPoint
		for _, m := range sel {
			count[m.outcome()]++
			if m.pt.Converged {
				cert = append(cert, m)
			}
		}
		distinct := map[int]bool{}
		for _, m := range cert {
			distinct[m.pt.Classification.Index] = true
		}
		sum.Row(name, len(sel), count["certified"], count["gradient-flat"], count["neither"],
			len(distinct), mlpCorrelation(cert), mlpCorrelation(sel), priorLoss, 100*priorErr)
		if name == "all" {
			env.Logf("%d points: %d certified critical (||∇L||² < %g), %d gradient-flat, %d neither", len(sel), count["certified"], p.GradTol, count["gradient-flat"], count["neither"])
		}
	}
	if err := env.WriteCSV("summary.csv", sum); err != nil {
		return err
	}

	spec := harness.NewTable("point", "method", "outcome", "error_pct", "index_fraction", "bin_lo", "bin_hi", "count")
	for _, i := range mlpSpectrumPoints(points) {
		m := points[i]
		vals := m.pt.Classification.Eigenvalues
		edges := mlpEdges(vals, p.Bins)
		counts, _ := stats.Histogram(edges, vals)
		for b, c := range counts {
			spec.Row(i, m.method, m.outcome(), 100*m.error, m.pt.Classification.IndexFraction, edges[b], edges[b+1], c)
		}
	}
	return env.WriteCSV("spectra.csv", spec)
}

// mlpPriorPoint returns the loss and training error of the network whose
// output is the class frequencies π_c of the labels whatever the input,
//
//	L = −Σ_c π_c log π_c,  error = 1 − max_c π_c,
//
// the loss of a critical point whenever the hidden layer passes no
// information about the input to the output, for instance W₁ = 0 with every
// column of W₂ constant across the classes (so that W₂h shifts all logits
// equally) and softmax(b₂) = π. Such points are degenerate, with a large
// nullity.
func mlpPriorPoint(labels []int, classes int) (loss, errRate float64) {
	count := make([]float64, classes)
	for _, l := range labels {
		count[l]++
	}
	n := float64(len(labels))
	var maxP float64
	for _, c := range count {
		if c > 0 {
			loss -= c / n * math.Log(c/n)
		}
		maxP = max(maxP, c/n)
	}
	return loss, 1 - maxP
}

// mlpCorrelation returns the Pearson correlation between the training error
// and the index fraction of the points, or nil (a missing value) when there
// are fewer than three points or either is constant.
func mlpCorrelation(points []mlpPoint) any {
	if len(points) < 3 {
		return nil
	}
	e := make([]float64, len(points))
	a := make([]float64, len(points))
	for i, m := range points {
		e[i], a[i] = m.error, m.pt.Classification.IndexFraction
	}
	if slices.Min(e) == slices.Max(e) || slices.Min(a) == slices.Max(a) {
		return nil
	}
	return stat.Correlation(e, a, nil)
}

// mlpSpectrumPoints returns the points whose eigenvalue histograms are
// drawn: those of lowest, median and highest training error among the
// certified points when at least three certified points differ in error,
// and among all points otherwise (ties to the lower point number).
func mlpSpectrumPoints(points []mlpPoint) []int {
	var pool []int
	for i, m := range points {
		if m.pt.Converged {
			pool = append(pool, i)
		}
	}
	distinct := func(idx []int) int {
		seen := map[float64]bool{}
		for _, i := range idx {
			seen[points[i].error] = true
		}
		return len(seen)
	}
	if distinct(pool) < 3 {
		pool = pool[:0]
		for i := range points {
			pool = append(pool, i)
		}
	}
	slices.SortStableFunc(pool, func(a, b int) int {
		switch {
		case points[a].error < points[b].error:
			return -1
		case points[a].error > points[b].error:
			return 1
		}
		return 0
	})
	if len(pool) <= 3 {
		return pool
	}
	return []int{pool[0], pool[len(pool)/2], pool[len(pool)-1]}
}

// mlpEdges returns n equal bins spanning the eigenvalues vals (ascending),
// widened slightly so that both extremes fall inside.
func mlpEdges(vals []float64, n int) []float64 {
	lo, hi := vals[0], vals[len(vals)-1]
	pad := 0.01 * (hi - lo)
	if pad == 0 {
		pad = 1
	}
	return stats.Edges(lo-pad, hi+pad, n)
}

// mlpFigures draws the error-index scatter and the eigenvalue histograms.
func mlpFigures(env *harness.Env, p mlpCriticalParams, points []mlpPoint, priorErr float64) error {
	sc := plotx.New(fmt.Sprintf("Points found from SGD snapshots (100-%d-10 tanh, %d MNIST images)", p.Hidden, p.Images),
		"index fraction α (negative Hessian eigenvalues / parameters)", "training error (%)")
	// Filled glyphs for the first method, hollow ones for the others, so
	// that points found by both stay visible.
	shapes := []map[string]draw.GlyphDrawer{
		{"certified": draw.CircleGlyph{}, "gradient-flat": draw.PyramidGlyph{}, "neither": draw.CrossGlyph{}},
		{"certified": draw.RingGlyph{}, "gradient-flat": draw.TriangleGlyph{}, "neither": draw.PlusGlyph{}},
	}
	for mi, name := range p.Methods {
		c := plotx.MethodStyle(name).Color
		for _, o := range []string{"certified", "gradient-flat", "neither"} {
			var xys plotter.XYs
			for _, m := range points {
				if m.method == name && m.outcome() == o {
					xys = append(xys, plotter.XY{X: m.pt.Classification.IndexFraction, Y: 100 * m.error})
				}
			}
			label := ""
			if len(xys) > 0 {
				label = fmt.Sprintf("%s, %s (%d)", name, o, len(xys))
			}
			if err := plotx.Points(sc, label, xys, c, shapes[min(mi, 1)][o]); err != nil {
				return err
			}
		}
	}
	ref := plotx.SeriesStyle(6)
	ref.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	ref.Width = vg.Points(1)
	prior := plotter.XYs{{X: 0, Y: 100 * priorErr}, {X: 1, Y: 100 * priorErr}}
	if err := plotx.Line(sc, fmt.Sprintf("constant output, class frequencies (%.1f%%)", 100*priorErr), prior, ref); err != nil {
		return err
	}
	var amax float64
	for _, m := range points {
		amax = max(amax, m.pt.Classification.IndexFraction)
	}
	sc.Y.Min, sc.Y.Max = 0, 100
	sc.X.Min, sc.X.Max = 0, math.Max(0.05, 1.1*amax)
	sc.Legend.Top = false
	sc.Legend.Left = false
	plotx.SetFontSize(sc, 11)
	if err := env.WritePlot("error_index", 17*vg.Centimeter, 12*vg.Centimeter, sc); err != nil {
		return err
	}

	var row []*plot.Plot
	for _, i := range mlpSpectrumPoints(points) {
		m := points[i]
		vals := m.pt.Classification.Eigenvalues
		edges := mlpEdges(vals, p.Bins)
		counts, _ := stats.Histogram(edges, vals)
		heights := make([]float64, len(counts))
		for b, c := range counts {
			heights[b] = math.Log10(1 + float64(c))
		}
		pl := plotx.New(fmt.Sprintf("point %d (%s, %s)\nerror %.1f%%, α = %.3f, ||grad L||² = %.1e", i, m.method, m.outcome(), 100*m.error,
			m.pt.Classification.IndexFraction, m.pt.GradNorm*m.pt.GradNorm), "Hessian eigenvalue λ", "log10(1 + count)")
		plotx.SetFontSize(pl, 10)
		plotx.Histogram(pl, "", edges, heights, plotx.MethodStyle(m.method).Color)
		pl.Y.Min, pl.Y.Max = 0, 1.1*slices.Max(heights)
		row = append(row, pl)
	}
	if len(row) == 0 {
		return nil
	}
	return env.WritePlots("spectra", vg.Length(len(row))*10*vg.Centimeter, 9*vg.Centimeter, [][]*plot.Plot{row})
}
