package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/internal/stats"
	"github.com/critpoint/critpoint/experiments/landscape"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/optimizers"
)

// The spin-glass experiment compares the ends of descent on the spherical
// p-spin glass with those of SGD on small networks (Choromanska et al. 2015;
// Auffinger, Ben Arous & Černý 2013).
//
// Spin glass: from uniform random points of the sphere |σ|² = N, Riemannian
// gradient descent
//
//	σ ← sqrt(N) (σ - η grad_R H(σ)) / |σ - η grad_R H(σ)|
//
// runs until |grad_R H|²/N < GDTol; pure Newton in the tangent chart then
// converges to the critical point, which is certified (|grad_R H|² below
// GradTol) and classified by the Riemannian Hessian on the (N-1)-dimensional
// tangent space. For p = 3 the theory puts local minima in the band
// [-E₀, -E∞] = [-1.656998, -1.632993] of energy per spin H/N as N → ∞; at
// the sizes here the minima that descent reaches lie above the band, by a gap
// that shrinks with N, and the spread of their energies shrinks too.
//
// Networks: one-hidden-layer ReLU networks with 25 to 500 hidden units,
// trained by minibatch SGD on a subset of MNIST downsampled to 10×10 and
// z-scored, many times each from different initialisations and batch orders;
// the spread of the final test losses shrinks as the networks grow.
//
// Tables: spin_glass_runs.csv has every descent (p, n, glass, run, steps,
// rounds, step_size, gd_grad_sq and gd_energy where descent stopped,
// polish_status, polish_iterations, move, certified, energy = H/N at the
// certified point, gap = energy + E∞, in_band, kind, index, nullity,
// min_eigenvalue, grad_norm, grad_tol); spin_glass_summary.csv per (p, N)
// the mean, std, standard error, extremes, band edges, mean gap and the
// fractions in the band, of index 0 and below the band, over the certified
// end points; spin_glass_histograms.csv the histograms; spin_glass_fits.csv
// the power laws gap ≈ prefactor N^-exponent and std ≈ prefactor
// N^-exponent; network_runs.csv every training run (hidden, run, params,
// steps, train_loss, test_loss, train_error, test_error) and
// network_summary.csv their mean, std and extremes per width.
//
// The default preset takes about 160 s of CPU time, 80 s on 2 cores; full
// (more runs, p = 4 up to N = 150, 10000 training samples) roughly 15 minutes
// on 2 cores, an estimate from the cost of a gradient (18 ms at p = 3,
// N = 400; 10 ms at p = 4, N = 100) and of a training run.
func init() {
	registry.Add(harness.Experiment{
		Name:    "spin-glass",
		Summary: "energies and indices of descent end points on spherical spin glasses versus N; spread of MLP test losses versus width (Choromanska et al. 2015)",
		Run:     runSpinGlass,
	})
}

// sgCase is one order and size of spin glass.
type sgCase struct {
	P int `json:"p"`
	N int `json:"n"`
	// Glasses independent realisations, Runs descents from independent
	// random starts on each.
	Glasses int `json:"glasses"`
	Runs    int `json:"runs"`
}

// spinGlassParams are the sizes of the spin-glass experiment.
type spinGlassParams struct {
	Cases []sgCase `json:"cases"`
	// StepFactor sets the step of gradient descent, η = StepFactor/λ_top
	// with λ_top = 4 sqrt(p(p-1)), the top of the Hessian's semicircle at
	// the threshold energy (radius 2 sqrt(p(p-1)), centred at p E∞):
	// descent is stable for StepFactor < 2.
	StepFactor float64 `json:"step_factor"`
	// GDTol ends descent when |grad_R H|²/N < GDTol, and MaxSteps bounds it.
	GDTol    float64 `json:"gd_tol"`
	MaxSteps int     `json:"max_steps"`
	// PolishIterations bounds the Newton iterations in the tangent chart,
	// and GradTol is the certificate's threshold on |grad_R H|². A point
	// Newton reaches counts as the end of the descent only within MaxMove
	// (in units of sqrt(N), the radius of the sphere) of where descent
	// stopped; otherwise descent resumes with GDTol/100, at most Rounds
	// times in all.
	PolishIterations int     `json:"polish_iterations"`
	GradTol          float64 `json:"grad_tol"`
	MaxMove          float64 `json:"max_move"`
	Rounds           int     `json:"rounds"`
	// BinWidth is the width of the energy histograms.
	BinWidth float64 `json:"bin_width"`

	// Hidden are the widths of the networks, each trained NetRuns times.
	Hidden  []int `json:"hidden"`
	NetRuns int   `json:"net_runs"`
	// ImageSize is the side of the downsampled images; TrainSize and
	// TestSize the sizes of the stratified training and test subsets.
	ImageSize int `json:"image_size"`
	TrainSize int `json:"train_size"`
	TestSize  int `json:"test_size"`
	// Epochs of minibatch SGD with BatchSize samples a step at rate
	// LearningRate.
	Epochs       int     `json:"epochs"`
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
}

// spinGlassPresets: quick takes about 4 s of CPU time (MNIST loading
// included); default about 160 s (80 s on 2 cores); full roughly 15 minutes
// on 2 cores.
var spinGlassPresets = harness.Presets[spinGlassParams]{
	Quick: spinGlassParams{
		Cases: []sgCase{
			{P: 3, N: 25, Glasses: 10, Runs: 3},
			{P: 3, N: 40, Glasses: 6, Runs: 3},
			{P: 3, N: 64, Glasses: 4, Runs: 3},
		},
		StepFactor: 1.5, GDTol: 1e-6, MaxSteps: 20000, PolishIterations: 20, GradTol: 1e-10, MaxMove: 0.1, Rounds: 3,
		BinWidth: 0.01,
		Hidden:   []int{25, 100}, NetRuns: 4,
		ImageSize: 10, TrainSize: 500, TestSize: 500,
		Epochs: 3, BatchSize: 25, LearningRate: 0.05,
	},
	Default: spinGlassParams{
		Cases: []sgCase{
			{P: 3, N: 50, Glasses: 12, Runs: 4},
			{P: 3, N: 100, Glasses: 10, Runs: 4},
			{P: 3, N: 200, Glasses: 6, Runs: 3},
			{P: 3, N: 400, Glasses: 2, Runs: 2},
			{P: 4, N: 25, Glasses: 10, Runs: 2},
			{P: 4, N: 50, Glasses: 8, Runs: 2},
			{P: 4, N: 75, Glasses: 3, Runs: 2},
		},
		StepFactor: 1.5, GDTol: 1e-6, MaxSteps: 20000, PolishIterations: 20, GradTol: 1e-10, MaxMove: 0.1, Rounds: 3,
		BinWidth: 0.01,
		Hidden:   []int{25, 50, 100, 250, 500}, NetRuns: 16,
		ImageSize: 10, TrainSize: 2000, TestSize: 2000,
		Epochs: 10, BatchSize: 32, LearningRate: 0.05,
	},
	Full: spinGlassParams{
		Cases: []sgCase{
			{P: 3, N: 50, Glasses: 25, Runs: 8},
			{P: 3, N: 100, Glasses: 25, Runs: 8},
			{P: 3, N: 200, Glasses: 20, Runs: 5},
			{P: 3, N: 400, Glasses: 10, Runs: 4},
			{P: 4, N: 25, Glasses: 25, Runs: 4},
			{P: 4, N: 50, Glasses: 25, Runs: 4},
			{P: 4, N: 100, Glasses: 10, Runs: 2},
			{P: 4, N: 150, Glasses: 4, Runs: 2},
		},
		StepFactor: 1.5, GDTol: 1e-6, MaxSteps: 50000, PolishIterations: 20, GradTol: 1e-10, MaxMove: 0.1, Rounds: 3,
		BinWidth: 0.005,
		Hidden:   []int{25, 50, 100, 250, 500}, NetRuns: 20,
		ImageSize: 10, TrainSize: 10000, TestSize: 10000,
		Epochs: 10, BatchSize: 100, LearningRate: 0.05,
	},
}

// sgRun is the outcome of one descent.
type sgRun struct {
	c            sgCase
	glass, run   int
	steps        int
	rounds       int     // descents to a smaller tolerance, 1 when the first polish succeeded
	gdGradSq     float64 // |grad_R H|²/N where descent stopped
	gdEnergy     float64 // H/N there
	polishStatus critical.FindStatus
	polishIters  int
	move         float64 // |σ* - σ_gd| / sqrt(N), NaN when Newton did not converge
	energy       float64 // H/N where Newton converged, NaN when it did not
	analysis     critical.Analysis
	certified    bool
}

func runSpinGlass(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, spinGlassPresets)
	runs, err := sgDescents(ctx, env, p)
	if err != nil {
		return err
	}
	if err := sgReport(env, p, runs); err != nil {
		return err
	}
	return sgNetworks(ctx, env, p)
}

// sgDescents runs every descent: one task per glass, the largest first.
func sgDescents(ctx context.Context, env *harness.Env, p spinGlassParams) ([]sgRun, error) {
	type glassID struct{ c, g int }
	var ids []glassID
	for ci, c := range p.Cases {
		for g := range c.Glasses {
			ids = append(ids, glassID{ci, g})
		}
	}
	// Glasses in order of decreasing cost, N^p, so that the costly ones
	// start first; the order of the results is fixed by the task index.
	slices.SortStableFunc(ids, func(a, b glassID) int {
		ca, cb := p.Cases[a.c], p.Cases[b.c]
		return -cmp.Compare(math.Pow(float64(ca.N), float64(ca.P)), math.Pow(float64(cb.N), float64(cb.P)))
	})
	perGlass, err := harness.Map(ctx, env, "descents", len(ids), func(ctx context.Context, i int, rng *rand.Rand) ([]sgRun, error) {
		id := ids[i]
		c := p.Cases[id.c]
		sg := landscape.NewSpinGlass(c.N, c.P, rng.Uint64())
		eta := p.StepFactor / (4 * math.Sqrt(float64(c.P*(c.P-1))))
		out := make([]sgRun, c.Runs)
		for r := range c.Runs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			run, err := sgDescend(ctx, sg, sg.RandomPoint(nil, rng), eta, p)
			if err != nil {
				return nil, err
			}
			run.c, run.glass, run.run = c, id.g, r
			out[r] = run
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	// Back to the order of the cases.
	var runs []sgRun
	for ci := range p.Cases {
		for g := range p.Cases[ci].Glasses {
			i := slices.Index(ids, glassID{ci, g})
			runs = append(runs, perGlass[i]...)
		}
	}
	return runs, nil
}

// sgDescend runs Riemannian gradient descent from sigma, which it
// overwrites, then Newton in the tangent chart, and certifies the end point.
// When Newton does not end at a certified critical point within MaxMove of
// where descent stopped (near a nearly flat minimum its first step can
// overshoot to another critical point), descent resumes with a tolerance 100
// times smaller, up to Rounds times.
func sgDescend(ctx context.Context, sg *landscape.SpinGlass, sigma []float64, eta float64, p spinGlassParams) (sgRun, error) {
	n := sg.Dim()
	fn := sg.Euclidean().Func
	g := make([]float64, n)
	var r sgRun
	tol := p.GDTol
	for r.rounds = 1; ; r.rounds++ {
		for ; ; r.steps++ {
			sg.RiemannianGrad(g, sigma)
			r.gdGradSq = floats.Dot(g, g) / float64(n)
			if r.gdGradSq < tol || r.steps == p.MaxSteps {
				break
			}
			if r.steps%1000 == 0 && ctx.Err() != nil {
				return r, ctx.Err()
			}
			floats.AddScaled(sigma, -eta, g)
			sg.Retract(sigma, sigma)
		}
		r.gdEnergy = fn(sigma) / float64(n)
		if err := r.polish(sg, sigma, p); err != nil {
			return r, err
		}
		if r.certified || r.steps == p.MaxSteps || r.rounds == p.Rounds {
			return r, nil
		}
		tol /= 100
	}
}

// polish runs Newton in the chart around sigma and certifies where it ends.
func (r *sgRun) polish(sg *landscape.SpinGlass, sigma []float64, p spinGlassParams) error {
	n := sg.Dim()
	r.energy, r.move, r.certified = math.NaN(), math.NaN(), false
	chart := sg.Chart(sigma)
	pol, err := critical.Find(chart.Problem(), make([]float64, n-1), &critical.FindSettings{
		Method: critical.Newton, MaxIterations: p.PolishIterations, GradTol: p.GradTol,
	})
	if err != nil {
		return err
	}
	r.polishStatus, r.polishIters = pol.Status, pol.Iterations
	if !pol.Converged {
		return nil
	}
	// Certify at the point itself, in the chart centred there: its
	// gradient and Hessian at the origin are the Riemannian ones.
	star := chart.Point(nil, pol.X)
	r.move = floats.Distance(star, sigma, 2) / math.Sqrt(float64(n))
	r.analysis, err = critical.Analyze(sg.TangentProblem(star), make([]float64, n-1), &critical.AnalyzeSettings{GradTol: p.GradTol})
	if err != nil {
		return err
	}
	r.energy = r.analysis.F / float64(n)
	r.certified = r.analysis.Certificate.Critical && r.analysis.Certificate.SignsCertain && r.move <= p.MaxMove
	return nil
}

// sgBand returns the band [-E₀, -E∞] of the energies per spin of local
// minima of the p-spin glass.
func sgBand(p int) (lo, hi float64) {
	return -landscape.BandEdge(p, 0), -landscape.ThresholdEnergy(p)
}

// sgReport writes the tables and figures of the spin-glass descents.
func sgReport(env *harness.Env, p spinGlassParams, runs []sgRun) error {
	tab := harness.NewTable("p", "n", "glass", "run", "steps", "rounds", "step_size", "gd_grad_sq", "gd_energy",
		"polish_status", "polish_iterations", "move", "certified", "energy", "gap", "in_band",
		"kind", "index", "nullity", "min_eigenvalue", "grad_norm", "grad_tol")
	for _, r := range runs {
		lo, hi := sgBand(r.c.P)
		eta := p.StepFactor / (4 * math.Sqrt(float64(r.c.P*(r.c.P-1))))
		var move, energy, gap, inBand, kind, index, nullity, minEig, gn, gtol any
		if !math.IsNaN(r.energy) {
			a := r.analysis
			move = r.move
			energy, gap, inBand = r.energy, r.energy-hi, r.energy >= lo && r.energy <= hi
			kind, index, nullity = a.Classification.Kind.String(), a.Classification.Index, a.Classification.Nullity
			minEig, gn, gtol = a.Classification.MinEigenvalue, a.Certificate.GradNorm, a.Certificate.GradTol
		}
		tab.Row(r.c.P, r.c.N, r.glass, r.run, r.steps, r.rounds, eta, r.gdGradSq, r.gdEnergy,
			r.polishStatus.String(), r.polishIters, move, r.certified, energy, gap, inBand,
			kind, index, nullity, minEig, gn, gtol)
	}
	if err := env.WriteCSV("spin_glass_runs.csv", tab); err != nil {
		return err
	}

	summary := harness.NewTable("p", "n", "runs", "certified", "mean", "std", "sem", "min", "max",
		"band_lo", "band_hi", "gap_mean", "frac_in_band", "frac_index0", "frac_below_band", "mean_steps")
	hist := harness.NewTable("p", "n", "bin_lo", "bin_hi", "count", "density")
	type point struct{ n, mean, sem, std float64 }
	byP := map[int][]point{}
	orders := []int{}
	var panels [][]*plot.Plot
	for _, c := range p.Cases {
		if !slices.Contains(orders, c.P) {
			orders = append(orders, c.P)
		}
	}
	caseRows := map[int][]*plot.Plot{}
	for _, c := range sgDistinctCases(p.Cases) {
		lo, hi := sgBand(c.P)
		var e []float64
		var total, steps, inBand, index0, below int
		for _, r := range runs {
			if r.c.P != c.P || r.c.N != c.N {
				continue
			}
			total++
			steps += r.steps
			if !r.certified {
				continue
			}
			e = append(e, r.energy)
			if r.energy >= lo && r.energy <= hi {
				inBand++
			}
			if r.energy < lo {
				below++
			}
			if r.analysis.Classification.Kind == critical.Minimum && r.analysis.Classification.Index == 0 {
				index0++
			}
		}
		if len(e) < 2 {
			return fmt.Errorf("spin-glass: %d certified end points for p = %d, N = %d", len(e), c.P, c.N)
		}
		mean, std := stat.MeanStdDev(e, nil)
		sem := std / math.Sqrt(float64(len(e)))
		m := float64(len(e))
		summary.Row(c.P, c.N, total, len(e), mean, std, sem, slices.Min(e), slices.Max(e), lo, hi, mean-hi,
			float64(inBand)/m, float64(index0)/m, float64(below)/m, float64(steps)/float64(total))
		byP[c.P] = append(byP[c.P], point{float64(c.N), mean, sem, std})
		env.Logf("p = %d, N = %d: %d/%d certified, H/N = %.4f ± %.4f (std), gap above -E∞ %.4f, index 0: %d, in band: %d",
			c.P, c.N, len(e), total, mean, std, mean-hi, index0, inBand)

		// Histogram on bins aligned on multiples of BinWidth.
		left := math.Floor(min(slices.Min(e), lo)/p.BinWidth) * p.BinWidth
		nb := int(math.Ceil((max(slices.Max(e), hi)-left)/p.BinWidth - 1e-9))
		edges := stats.Edges(left, left+float64(nb)*p.BinWidth, nb)
		counts, _ := stats.Histogram(edges, e)
		heights := make([]float64, len(counts))
		for i, k := range counts {
			heights[i] = float64(k) / (m * p.BinWidth)
			hist.Row(c.P, c.N, edges[i], edges[i+1], k, heights[i])
		}
		pl := plotx.New(fmt.Sprintf("p = %d, N = %d: %d minima, mean %.3f, std %.3f", c.P, c.N, len(e), mean, std),
			"energy per spin H/N", "density (per unit H/N)")
		plotx.VBand(pl, fmt.Sprintf("band [−E₀, −E∞] = [%.3f, %.3f]", lo, hi), lo, hi, plotx.BluishGreen)
		plotx.Histogram(pl, "", edges, heights, plotx.Color(slices.Index(orders, c.P)))
		pl.Y.Min, pl.Y.Max = 0, 1.4*slices.Max(heights) // room for the legend
		caseRows[c.P] = append(caseRows[c.P], pl)
	}
	// One column per p, one row per N; the x axes of a column agree.
	rows := 0
	for _, ps := range orders {
		rows = max(rows, len(caseRows[ps]))
	}
	for range rows {
		panels = append(panels, make([]*plot.Plot, len(orders)))
	}
	for j, ps := range orders {
		xmin, xmax := math.Inf(1), math.Inf(-1)
		for _, pl := range caseRows[ps] {
			xmin, xmax = min(xmin, pl.X.Min), max(xmax, pl.X.Max)
		}
		for i, pl := range caseRows[ps] {
			pl.X.Min, pl.X.Max = xmin, xmax
			pl.Legend.Left = true
			plotx.SetFontSize(pl, 10)
			panels[i][j] = pl
		}
	}
	if err := env.WriteCSV("spin_glass_summary.csv", summary); err != nil {
		return err
	}
	if err := env.WriteCSV("spin_glass_histograms.csv", hist); err != nil {
		return err
	}
	if err := env.WritePlots("spin_glass_energies", vg.Length(len(orders))*12*vg.Centimeter, vg.Length(rows)*5.5*vg.Centimeter, panels); err != nil {
		return err
	}

	// Trends with N: the gap above -E∞ and the spread, fitted by power laws.
	fits := harness.NewTable("p", "quantity", "n_min", "n_max", "points", "prefactor", "exponent", "exponent_se", "chi2_dof")
	meanPlot := plotx.New("Mean energy of descent end points", "number of spins N", "energy per spin H/N")
	stdPlot := plotx.New("Spread of the end-point energies", "number of spins N", "std of H/N")
	plotx.LogX(meanPlot)
	plotx.LogX(stdPlot)
	plotx.LogY(stdPlot)
	stdPlot.Y.Tick.Marker = plotx.Ticks125{}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for j, ps := range orders {
		pts := byP[ps]
		lo, hi := sgBand(ps)
		col := plotx.Color(j)
		var ns, means, elo, ehi, stds []float64
		for _, q := range pts {
			ns, means, stds = append(ns, q.n), append(means, q.mean), append(stds, q.std)
			elo, ehi = append(elo, q.mean-q.std), append(ehi, q.mean+q.std)
		}
		plotx.HBand(meanPlot, fmt.Sprintf("p = %d band [−E₀, −E∞]", ps), lo, hi, col)
		ymin, ymax = min(ymin, lo-0.01, slices.Min(elo)), max(ymax, slices.Max(ehi))
		if err := plotx.YErrorBars(meanPlot, ns, elo, ehi, col); err != nil {
			return err
		}
		if err := plotx.Points(meanPlot, fmt.Sprintf("p = %d mean ± std", ps), ieXYs(ns, means), col, nil); err != nil {
			return err
		}
		if err := plotx.Points(stdPlot, fmt.Sprintf("p = %d", ps), ieXYs(ns, stds), col, nil); err != nil {
			return err
		}
		if len(pts) < 3 {
			continue
		}
		// gap = a N^-b, weights 1/Var(ln gap) = (gap/sem)²;
		// std = c N^-d, weights 1/Var(ln std) ≈ 2(n-1), taken as equal.
		var x [][]float64
		var yg, wg, ys, ws []float64
		for _, q := range pts {
			gap := q.mean - hi
			if gap <= 0 {
				continue
			}
			x = append(x, []float64{1, -math.Log(q.n)})
			yg, wg = append(yg, math.Log(gap)), append(wg, (gap/q.sem)*(gap/q.sem))
			ys, ws = append(ys, math.Log(q.std)), append(ws, 1)
		}
		if len(x) < 3 {
			continue
		}
		for _, f := range []struct {
			name string
			y, w []float64
		}{{"gap", yg, wg}, {"std", ys, ws}} {
			fit, err := stats.WeightedLeastSquares(x, f.y, f.w)
			if err != nil {
				return fmt.Errorf("spin-glass: fit of the %s: %w", f.name, err)
			}
			a, b := math.Exp(fit.Coef[0]), fit.Coef[1]
			var se any = fit.SE[1]
			var chi2 any
			if f.name == "std" && fit.DOF > 0 {
				// Unit weights: the standard error from the residuals.
				se = fit.SE[1] * math.Sqrt(fit.Chi2/float64(fit.DOF))
			}
			if f.name == "gap" && fit.DOF > 0 {
				chi2 = fit.Chi2 / float64(fit.DOF)
			}
			fits.Row(ps, f.name, pts[0].n, pts[len(pts)-1].n, len(x), a, b, se, chi2)
			env.Logf("p = %d: %s ≈ %.3f N^-%.3f", ps, f.name, a, b)
			curve := func(n float64) float64 { return a * math.Pow(n, -b) }
			target, label := stdPlot, fmt.Sprintf("fit %.2f N^−%.2f", a, b)
			if f.name == "gap" {
				target, label = meanPlot, fmt.Sprintf("fit −E∞ + %.2f N^−%.2f", a, b)
				curve = func(n float64) float64 { return hi + a*math.Pow(n, -b) }
			}
			if err := plotx.Function(target, label, curve, ns[0]*0.8, ns[len(ns)-1]*1.25, 100, plotx.SeriesStyle(j)); err != nil {
				return err
			}
		}
	}
	if err := env.WriteCSV("spin_glass_fits.csv", fits); err != nil {
		return err
	}
	for _, pl := range []*plot.Plot{meanPlot, stdPlot} {
		plotx.SetFontSize(pl, 11)
		pl.X.Tick.Marker = sgSizeTicks(p.Cases)
	}
	meanPlot.Y.Min, meanPlot.Y.Max = ymin, ymax
	meanPlot.Legend.Top, meanPlot.Legend.Left = true, false
	return env.WritePlots("spin_glass_trends", 26*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{{meanPlot, stdPlot}})
}

// sgDistinctCases returns the cases with distinct (p, N), in order.
func sgDistinctCases(cs []sgCase) []sgCase {
	var out []sgCase
	for _, c := range cs {
		if !slices.ContainsFunc(out, func(o sgCase) bool { return o.P == c.P && o.N == c.N }) {
			out = append(out, c)
		}
	}
	return out
}

// sgSizeTicks labels a log axis at the sizes of the cases.
func sgSizeTicks(cs []sgCase) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for _, c := range sgDistinctCases(cs) {
		if !slices.ContainsFunc(ticks, func(t plot.Tick) bool { return t.Value == float64(c.N) }) {
			ticks = append(ticks, plot.Tick{Value: float64(c.N), Label: strconv.Itoa(c.N)})
		}
	}
	slices.SortFunc(ticks, func(a, b plot.Tick) int { return cmp.Compare(a.Value, b.Value) })
	return ticks
}

// sgNet is the outcome of one training run.
type sgNet struct {
	hidden, run, params, steps int
	trainLoss, testLoss        float64
	trainError, testError      float64
}

// sgNetworks trains the networks and writes their table and figure.
func sgNetworks(ctx context.Context, env *harness.Env, p spinGlassParams) error {
	dir, err := env.MNISTDir()
	if err != nil {
		return err
	}
	train, test, err := nn.LoadMNIST(&nn.MNISTSettings{Dir: dir, Height: p.ImageSize, Width: p.ImageSize})
	if err != nil {
		return err
	}
	rng := env.RNG("data", 0)
	if p.TrainSize < train.Len() {
		train = train.Subset(p.TrainSize, rng.Uint64())
	}
	if p.TestSize < test.Len() {
		test = test.Subset(p.TestSize, rng.Uint64())
	}
	z := nn.FitZScore(train.X)
	var xtr, xte mat.Dense
	z.Transform(&xtr, train.X)
	z.Transform(&xte, test.X)
	ytr, yte := nn.OneHot(train.Labels, 10), nn.OneHot(test.Labels, 10)

	type netID struct{ h, run int }
	var ids []netID
	// Widest first, so that the costly runs start first.
	for i := len(p.Hidden) - 1; i >= 0; i-- {
		for r := range p.NetRuns {
			ids = append(ids, netID{p.Hidden[i], r})
		}
	}
	steps := p.Epochs * ((train.Len() + p.BatchSize - 1) / p.BatchSize)
	nets, err := harness.Map(ctx, env, "networks", len(ids), func(ctx context.Context, i int, rng *rand.Rand) (sgNet, error) {
		id := ids[i]
		m := nn.MLP{Sizes: []int{p.ImageSize * p.ImageSize, id.h, 10}, Activations: []nn.Activation{nn.ReLU, nn.Linear}, Loss: nn.CrossEntropy}
		net, testNet := nn.NewNet(m, &xtr, ytr), nn.NewNet(m, &xte, yte)
		w0 := m.Init(nil, nn.GlorotUniform, 1, rng.Uint64())
		res, err := optimizers.Minimize(net.Problem(), w0, &optimizers.SGD{LearningRate: p.LearningRate}, &optimizers.Settings{
			MaxIterations:     steps,
			GradientThreshold: -1,
			Sampler:           optimizers.Minibatch(net, p.BatchSize, rng.Uint64()),
			MonitorInterval:   steps,
		})
		if err != nil {
			return sgNet{}, fmt.Errorf("spin-glass: network %d-%d-10 run %d: %w", p.ImageSize*p.ImageSize, id.h, id.run, err)
		}
		return sgNet{
			hidden: id.h, run: id.run, params: m.NumParams(), steps: res.Iterations,
			trainLoss: res.F, testLoss: testNet.Problem().Func(res.X),
			trainError: m.ClassificationError(res.X, &xtr, train.Labels),
			testError:  m.ClassificationError(res.X, &xte, test.Labels),
		}, ctx.Err()
	})
	if err != nil {
		return err
	}
	slices.SortStableFunc(nets, func(a, b sgNet) int { return a.hidden - b.hidden })

	tab := harness.NewTable("hidden", "run", "params", "steps", "train_loss", "test_loss", "train_error", "test_error")
	summary := harness.NewTable("hidden", "params", "runs", "test_loss_mean", "test_loss_std", "test_loss_min", "test_loss_max",
		"test_error_mean", "test_error_std", "train_loss_mean")
	var names []string
	var losses [][]float64
	var hs, sds []float64
	for _, h := range p.Hidden {
		var tl, te, tr []float64
		params := 0
		for _, r := range nets {
			if r.hidden != h {
				continue
			}
			tab.Row(r.hidden, r.run, r.params, r.steps, r.trainLoss, r.testLoss, r.trainError, r.testError)
			tl, te, tr = append(tl, r.testLoss), append(te, r.testError), append(tr, r.trainLoss)
			params = r.params
		}
		mean, sd := stat.MeanStdDev(tl, nil)
		emean, esd := stat.MeanStdDev(te, nil)
		summary.Row(h, params, len(tl), mean, sd, slices.Min(tl), slices.Max(tl), emean, esd, stat.Mean(tr, nil))
		env.Logf("%d hidden units: test loss %.4f ± %.4f (std over %d runs), test error %.4f", h, mean, sd, len(tl), emean)
		names = append(names, strconv.Itoa(h))
		losses = append(losses, tl)
		hs, sds = append(hs, float64(h)), append(sds, sd)
	}
	if err := env.WriteCSV("network_runs.csv", tab); err != nil {
		return err
	}
	if err := env.WriteCSV("network_summary.csv", summary); err != nil {
		return err
	}
	box := plotx.New(fmt.Sprintf("Test loss of %d SGD runs per width\nMNIST %d×%d, %d training samples", p.NetRuns, p.ImageSize, p.ImageSize, train.Len()),
		"hidden units", "test loss (cross-entropy, nats)")
	if err := plotx.Boxes(box, "", names, losses, plotx.Black); err != nil {
		return err
	}
	spread := plotx.New(fmt.Sprintf("Spread of the test loss (std over %d runs)", p.NetRuns), "hidden units", "std of test loss (nats)")
	plotx.LogX(spread)
	plotx.LogY(spread)
	spread.Y.Tick.Marker = plotx.Ticks125{}
	if err := plotx.Line(spread, "", ieXYs(hs, sds), plotx.SeriesStyle(0)); err != nil {
		return err
	}
	if err := plotx.Points(spread, "", ieXYs(hs, sds), plotx.Color(0), draw.CircleGlyph{}); err != nil {
		return err
	}
	var ticks plot.ConstantTicks
	for _, h := range p.Hidden {
		ticks = append(ticks, plot.Tick{Value: float64(h), Label: strconv.Itoa(h)})
	}
	spread.X.Tick.Marker = ticks
	for _, pl := range []*plot.Plot{box, spread} {
		plotx.SetFontSize(pl, 11)
	}
	return env.WritePlots("network_test_loss", 24*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{{box, spread}})
}
