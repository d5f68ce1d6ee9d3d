package main

import (
	"cmp"
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
	"github.com/critpoint/critpoint/experiments/landscape"
)

// The index-energy experiment measures how the index of a critical point
// rises with its energy on Gaussian random fields in N = 20, 50 and 100
// dimensions (Bray & Dean 2007; Dauphin et al. 2014, Fig. 1). Critical points
// are found from points of gradient descent and ascent runs on each field by
// minimising ||∇V||² (critical.GradientNorm) and polishing with pure Newton;
// only certified points (||∇V||² below GradTol, every eigenvalue sign
// certain) are kept, deduplicated per field. Pure Newton and Newton-MR from
// the same starts fare worse here: in a trial at N = 50, from 20 points of a
// descent, pure Newton ran off to distant critical points (or none) and
// Newton-MR stalled at nearly singular points, each certifying one, against
// seven for this search. Their index fraction α =
// index/N is compared, as a function of the energy per dimension ε = V/N,
// with the large-N law of Bray & Dean,
//
//	α(ε) = 1/2 - (x sqrt(1-x²) + arcsin x)/π,  x = ε/ε_c,  ε_c = -2 F0 sqrt(F2)/|F1|,
//
// and the convention behind it is checked directly: at a critical point of
// energy ε the Hessian spectrum is a semicircle of radius 2 sqrt(F2) centred
// at (F1/F0) ε. For the field's f(u) = exp(-u), ε_c = -2, the centre is -ε
// and the radius 2.
//
// Tables, over the certified distinct points unless said otherwise:
// points.csv has every search (n, field, run, direction, start_step,
// start_eps, status, find_iterations, polished, certified, distinct, eps,
// index, nullity, alpha, alpha_theory, grad_norm, grad_tol, min_eigenvalue,
// max_eigenvalue, eig_mean = tr H/N and eig_mean_theory = (F1/F0) ε,
// eig_radius = 2 std of the eigenvalues and eig_radius_theory = 2 sqrt(F2));
// binned.csv the mean α per energy bin with its standard error, the mean of
// α_BD over the bin's points and their difference; summary.csv per N the
// counts, Spearman's ρ(ε, α), the mean absolute and signed deviation from
// α_BD, the least-squares slope of eig_mean on ε (theory F1/F0) and the mean
// radius; eigenvalues.csv the histograms of the spectrum_check figure.
//
// The default preset takes about 100 s of CPU time, 52 s on 2 otherwise
// idle cores; full (four fields per N, N up to 150) about 20 minutes on 2
// cores, an estimate from the cost per search that BenchmarkIndexEnergySearch
// measures (1.2 s of CPU at N = 100, 3.2 s at N = 150).
func init() {
	registry.Add(harness.Experiment{
		Name:    "index-energy",
		Summary: "index fraction of certified critical points of Gaussian random fields versus energy, against Bray & Dean (2007)",
		Run:     runIndexEnergy,
	})
}

// indexEnergyParams are the sizes of the index-energy experiment.
type indexEnergyParams struct {
	// Dims are the dimensions N of the fields; Features[i] is the number of
	// random Fourier features of the fields in Dims[i] dimensions (about
	// 80 N keeps a realisation close to Gaussian; see
	// landscape.DefaultFeatures).
	Dims     []int `json:"dims"`
	Features []int `json:"features"`
	// Fields is the number of independent fields per dimension, and Runs[i]
	// the number of gradient runs per field in Dims[i] dimensions, from
	// independent N(0, I) starts: even runs descend, odd runs ascend, so
	// that both low and high energies are visited.
	Fields int   `json:"fields"`
	Runs   []int `json:"runs"`
	// LearningRate is the step of the runs, x ← x ∓ η ∇V(x); the Hessian's
	// eigenvalues lie within about |ε| + 2 of zero, so η = 0.05 is stable.
	LearningRate float64 `json:"learning_rate"`
	// StartSteps are the iterations of each run whose points start a search
	// for a critical point, after a perturbation of Noise N(0, I) (Dauphin
	// et al. start Newton from points of a training run plus noise).
	StartSteps []int   `json:"start_steps"`
	Noise      float64 `json:"noise"`
	// The gradient-norm minimisation stops when ||∇V||² < FindGradTol or
	// after FindIterations iterations; pure Newton then polishes the points
	// that met FindGradTol, for at most PolishIterations iterations.
	// Stopping the slow minimisation early and letting Newton converge
	// quadratically is what makes the search affordable at N = 100: with
	// the tolerance of the certificate it reaches 300 iterations in three
	// searches out of four there.
	FindGradTol      float64 `json:"find_grad_tol"`
	FindIterations   int     `json:"find_iterations"`
	PolishIterations int     `json:"polish_iterations"`
	// GradTol is the certificate's threshold on ||∇V||² (Frye et al.'s
	// 1e-10).
	GradTol float64 `json:"grad_tol"`
	// BinWidth is the width of the energy bins of the binned table.
	BinWidth float64 `json:"bin_width"`
	// HistEnergies are the target energies of the eigenvalue histograms
	// (the certified points of the largest N closest to them).
	HistEnergies []float64 `json:"hist_energies"`
}

// indexEnergyPresets: quick takes about 2 s of CPU time; default about 90 s
// (45 s on 2 cores); full about 15 minutes on 2 cores.
var indexEnergyPresets = harness.Presets[indexEnergyParams]{
	Quick: indexEnergyParams{
		Dims: []int{20}, Features: []int{1600},
		Fields: 1, Runs: []int{4}, LearningRate: 0.05,
		StartSteps: []int{0, 5, 10, 20, 30, 60, 100, 200},
		Noise:      0.05, FindGradTol: 1e-4, FindIterations: 500, PolishIterations: 20, GradTol: 1e-10,
		BinWidth: 0.4, HistEnergies: []float64{-1.2, 0, 1.2},
	},
	Default: indexEnergyParams{
		Dims: []int{20, 50, 100}, Features: []int{2048, 4096, 8192},
		Fields: 2, Runs: []int{4, 4, 2}, LearningRate: 0.05,
		StartSteps: []int{0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300},
		Noise:      0.05, FindGradTol: 1e-4, FindIterations: 500, PolishIterations: 20, GradTol: 1e-10,
		BinWidth: 0.25, HistEnergies: []float64{-1.2, 0, 1.2},
	},
	Full: indexEnergyParams{
		Dims: []int{20, 50, 100, 150}, Features: []int{2048, 4096, 8192, 12288},
		Fields: 4, Runs: []int{6, 6, 6, 4}, LearningRate: 0.05,
		StartSteps: []int{0, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 100, 125, 150, 200, 300, 500},
		Noise:      0.05, FindGradTol: 1e-4, FindIterations: 800, PolishIterations: 20, GradTol: 1e-10,
		BinWidth: 0.2, HistEnergies: []float64{-1.2, 0, 1.2},
	},
}

// ieStart is one start of a search: a perturbed point of a gradient run.
type ieStart struct {
	dim, field, run, step int // dim indexes Dims
	ascent                bool
	x                     []float64
}

// ieResult is what one search found.
type ieResult struct {
	startEps float64
	// find is the result of the gradient-norm minimisation, final the
	// point reported: the Newton polish when find converged, else find.
	find, final critical.Point
	polished    bool
}

// certified reports whether r ends at a certified critical point whose
// index is exact: ||g||² below the threshold and no eigenvalue within the
// classification tolerance of zero.
func (r ieResult) certified() bool {
	return r.final.Converged && r.final.Certificate.SignsCertain && r.final.Classification.Nullity == 0
}

func runIndexEnergy(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, indexEnergyPresets)
	if len(p.Features) != len(p.Dims) || len(p.Runs) != len(p.Dims) {
		panic("index-energy: Features, Runs and Dims differ in length")
	}
	// The fields: immutable, shared by the tasks.
	fields := make([][]*landscape.RandomField, len(p.Dims))
	for d, n := range p.Dims {
		for f := range p.Fields {
			seed := env.RNG("fields", d*p.Fields+f).Uint64()
			fields[d] = append(fields[d], landscape.NewRandomField(n, p.Features[d], seed))
		}
	}
	cov := fields[0][0].Covariance()

	// Gradient runs: each returns the perturbed points at StartSteps.
	type runID struct{ dim, field, run int }
	var runs []runID
	for d := range p.Dims {
		for f := range p.Fields {
			for r := range p.Runs[d] {
				runs = append(runs, runID{d, f, r})
			}
		}
	}
	starts, err := harness.Map(ctx, env, "runs", len(runs), func(ctx context.Context, i int, rng *rand.Rand) ([]ieStart, error) {
		id := runs[i]
		pr := fields[id.dim][id.field].Problem()
		n := p.Dims[id.dim]
		sign := 1.0
		if id.run%2 == 1 {
			sign = -1
		}
		x := make([]float64, n)
		for j := range x {
			x[j] = rng.NormFloat64()
		}
		g := make([]float64, n)
		var out []ieStart
		for k := 0; k <= slices.Max(p.StartSteps); k++ {
			if slices.Contains(p.StartSteps, k) {
				s := ieStart{dim: id.dim, field: id.field, run: id.run, step: k, ascent: sign < 0, x: slices.Clone(x)}
				for j := range s.x {
					s.x[j] += p.Noise * rng.NormFloat64()
				}
				out = append(out, s)
			}
			pr.Grad(g, x)
			floats.AddScaled(x, -sign*p.LearningRate, g)
		}
		return out, ctx.Err()
	})
	if err != nil {
		return err
	}
	var all []ieStart
	for _, s := range starts {
		all = append(all, s...)
	}

	// Searches: gradient-norm minimisation, then pure Newton.
	findSet := &critical.FindSettings{Method: critical.GradientNorm, MaxIterations: p.FindIterations, GradTol: p.FindGradTol}
	polishSet := &critical.FindSettings{Method: critical.Newton, MaxIterations: p.PolishIterations, GradTol: p.GradTol}
	results, err := harness.Map(ctx, env, "searches", len(all), func(ctx context.Context, i int, _ *rand.Rand) (ieResult, error) {
		s := all[i]
		pr := fields[s.dim][s.field].Problem()
		r := ieResult{startEps: pr.Func(s.x) / float64(p.Dims[s.dim])}
		var err error
		if r.find, err = critical.Find(pr, s.x, findSet); err != nil {
			return r, err
		}
		r.final = r.find
		if r.find.Converged {
			pol, err := critical.Find(pr, r.find.X, polishSet)
			if err != nil {
				return r, err
			}
			r.final, r.polished = pol, true
		}
		return r, ctx.Err()
	})
	if err != nil {
		return err
	}

	// Deduplicate per field: distinct[i] marks the first point found of
	// each distinct critical point.
	distinct := make([]bool, len(all))
	for d := range p.Dims {
		for f := range p.Fields {
			var idx []int
			var pts []critical.Point
			for i, s := range all {
				if s.dim == d && s.field == f {
					idx = append(idx, i)
					pts = append(pts, results[i].final)
				}
			}
			for _, c := range critical.Dedup(pts, 0) {
				distinct[idx[c.Members[0]]] = true
			}
		}
	}

	points := harness.NewTable("n", "field", "run", "direction", "start_step", "start_eps", "status",
		"find_iterations", "polished", "certified", "distinct", "eps", "index", "nullity", "alpha", "alpha_theory",
		"grad_norm", "grad_tol", "min_eigenvalue", "max_eigenvalue", "eig_mean", "eig_mean_theory",
		"eig_radius", "eig_radius_theory")
	type kept struct {
		eps, alpha, theory float64
		mean, radius       float64
		eigs               []float64
	}
	keptBy := make([][]kept, len(p.Dims))
	for i, s := range all {
		r := results[i]
		n := p.Dims[s.dim]
		pt := r.final
		eps := pt.F / float64(n)
		eigs := pt.Classification.Eigenvalues
		mean, sd := stat.MeanStdDev(eigs, nil)
		dir := "descent"
		if s.ascent {
			dir = "ascent"
		}
		status := pt.Status.String()
		if !r.polished {
			status = "find " + r.find.Status.String()
		}
		cert := r.certified()
		points.Row(n, s.field, s.run, dir, s.step, r.startEps, status,
			r.find.Iterations, r.polished, cert, distinct[i], eps, pt.Classification.Index, pt.Classification.Nullity,
			pt.Classification.IndexFraction, cov.BrayDeanIndex(eps),
			pt.GradNorm, pt.Certificate.GradTol, pt.Classification.MinEigenvalue, pt.Classification.MaxEigenvalue,
			mean, cov.HessianShift(eps), 2*sd, cov.SemicircleRadius())
		if cert && distinct[i] {
			keptBy[s.dim] = append(keptBy[s.dim], kept{eps, pt.Classification.IndexFraction, cov.BrayDeanIndex(eps), mean, 2 * sd, eigs})
		}
	}
	if err := env.WriteCSV("points.csv", points); err != nil {
		return err
	}

	binned := harness.NewTable("n", "bin_lo", "bin_hi", "count", "eps_mean", "alpha_mean", "alpha_se", "alpha_theory", "diff")
	summary := harness.NewTable("n", "features", "fields", "searches", "certified", "distinct", "spearman",
		"mean_abs_dev", "mean_dev", "eps_min", "eps_max", "shift_slope", "shift_slope_se", "shift_intercept",
		"shift_slope_theory", "radius_mean", "radius_theory", "eps_c")
	var panels []*plot.Plot
	centre := plotx.New("Hessian spectrum centre at critical points", "energy per dimension ε = V/N", "mean eigenvalue tr H / N")
	for d, n := range p.Dims {
		ks := keptBy[d]
		slices.SortFunc(ks, func(a, b kept) int { return cmp.Compare(a.eps, b.eps) })
		searches, certified := 0, 0
		for i, s := range all {
			if s.dim == d {
				searches++
				if results[i].certified() {
					certified++
				}
			}
		}
		var eps, alpha, dev, means []float64
		var mad, mdev, radius float64
		for _, k := range ks {
			eps, alpha, means = append(eps, k.eps), append(alpha, k.alpha), append(means, k.mean)
			dev = append(dev, k.alpha-k.theory)
			mad += math.Abs(k.alpha - k.theory)
			mdev += k.alpha - k.theory
			radius += k.radius
		}
		if len(ks) < 3 {
			return fmt.Errorf("index-energy: only %d certified distinct critical points for N = %d", len(ks), n)
		}
		m := float64(len(ks))
		rho := stats.Spearman(eps, alpha)
		fit, err := ieLine(eps, means)
		if err != nil {
			return err
		}
		summary.Row(n, p.Features[d], p.Fields, searches, certified, len(ks), rho, mad/m, mdev/m,
			eps[0], eps[len(eps)-1], fit.Coef[1], fit.SE[1], fit.Coef[0], cov.F1/cov.F0,
			radius/m, cov.SemicircleRadius(), cov.CriticalEnergy())
		env.Logf("N = %d: %d certified distinct critical points, Spearman ρ(ε, α) = %.3f, mean |α - α_BD| = %.4f, spectrum centre slope %.3f (theory %.0f)",
			n, len(ks), rho, mad/m, fit.Coef[1], cov.F1/cov.F0)

		// Bins of width BinWidth aligned on multiples of it.
		pl := plotx.New(fmt.Sprintf("N = %d: Spearman ρ = %.3f\nmean |α − α_BD| = %.3f (%d points)", n, rho, mad/m, len(ks)),
			"energy per dimension ε = V/N", "index fraction α = index/N")
		var bx, by, blo, bhi []float64
		for lo := math.Floor(eps[0]/p.BinWidth) * p.BinWidth; lo <= eps[len(eps)-1]; lo += p.BinWidth {
			hi := lo + p.BinWidth
			var be, ba, bt []float64
			for _, k := range ks {
				if k.eps >= lo && k.eps < hi {
					be, ba, bt = append(be, k.eps), append(ba, k.alpha), append(bt, k.theory)
				}
			}
			if len(ba) == 0 {
				continue
			}
			am, asd := stat.MeanStdDev(ba, nil)
			var se any
			if len(ba) > 1 {
				se = asd / math.Sqrt(float64(len(ba)))
				blo, bhi = append(blo, am-asd/math.Sqrt(float64(len(ba)))), append(bhi, am+asd/math.Sqrt(float64(len(ba))))
			} else {
				blo, bhi = append(blo, math.NaN()), append(bhi, math.NaN())
			}
			th := stat.Mean(bt, nil)
			binned.Row(n, lo, hi, len(ba), stat.Mean(be, nil), am, se, th, am-th)
			bx, by = append(bx, stat.Mean(be, nil)), append(by, am)
		}
		if err := plotx.Function(pl, "Bray & Dean (N → ∞)", cov.BrayDeanIndex, -2.5, 2.5, 301, plotx.SeriesStyle(6)); err != nil {
			return err
		}
		if err := plotx.Points(pl, "certified critical points", ieXYs(eps, alpha), plotx.Tint(plotx.Color(d), 0.35), nil); err != nil {
			return err
		}
		if err := plotx.YErrorBars(pl, bx, blo, bhi, plotx.Black); err != nil {
			return err
		}
		if err := plotx.Points(pl, fmt.Sprintf("bin means ± s.e. (width %g)", p.BinWidth), ieXYs(bx, by), plotx.Black, draw.SquareGlyph{}); err != nil {
			return err
		}
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = -2.5, 2.5, -0.02, 1.02
		pl.Legend.Top, pl.Legend.Left = true, true
		plotx.SetFontSize(pl, 11)
		panels = append(panels, pl)

		if err := plotx.Points(centre, fmt.Sprintf("N = %d", n), ieXYs(eps, means), plotx.Color(d), nil); err != nil {
			return err
		}
	}
	if err := env.WriteCSV("binned.csv", binned); err != nil {
		return err
	}
	if err := env.WriteCSV("summary.csv", summary); err != nil {
		return err
	}
	if err := env.WritePlots("index_energy", vg.Length(len(panels))*9*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{panels}); err != nil {
		return err
	}

	// The convention check: spectrum centre against (F1/F0) ε, and the
	// spectra of three points of the largest N against the semicircle.
	if err := plotx.Function(centre, fmt.Sprintf("theory (F1/F0) ε, F1/F0 = %g", cov.F1/cov.F0), cov.HessianShift, -2.5, 2.5, 2, plotx.SeriesStyle(6)); err != nil {
		return err
	}
	centre.Legend.Top, centre.Legend.Left = true, false
	plotx.SetFontSize(centre, 11)
	last := len(p.Dims) - 1
	hist := harness.NewTable("n", "eps", "alpha", "alpha_theory", "bin_lo", "bin_hi", "density", "density_theory")
	row := []*plot.Plot{centre}
	for hi, target := range p.HistEnergies {
		ks := keptBy[last]
		best := 0
		for i, k := range ks {
			if math.Abs(k.eps-target) < math.Abs(ks[best].eps-target) {
				best = i
			}
		}
		k := ks[best]
		n := p.Dims[last]
		mu, rad := cov.HessianShift(k.eps), cov.SemicircleRadius()
		edges := stats.Edges(mu-1.5*rad, mu+1.5*rad, 24)
		counts, _ := stats.Histogram(edges, k.eigs)
		heights := make([]float64, len(counts))
		for i, c := range counts {
			w := edges[i+1] - edges[i]
			heights[i] = float64(c) / (float64(n) * w)
			th := (semicircleCDF(2*(edges[i+1]-mu)/rad) - semicircleCDF(2*(edges[i]-mu)/rad)) / w
			hist.Row(n, k.eps, k.alpha, k.theory, edges[i], edges[i+1], heights[i], th)
		}
		pl := plotx.New(fmt.Sprintf("N = %d, ε = %.3f: α = %.3f (theory %.3f)", n, k.eps, k.alpha, k.theory), "Hessian eigenvalue λ", "density (per unit λ)")
		plotx.Histogram(pl, "eigenvalues", edges, heights, plotx.Color(hi+3))
		semi := func(x float64) float64 { return 2 / rad * semicircleDensity(2*(x-mu)/rad) }
		if err := plotx.Function(pl, fmt.Sprintf("semicircle: centre %.2f, radius %g", mu, rad), semi, edges[0], edges[len(edges)-1], 200, plotx.SeriesStyle(6)); err != nil {
			return err
		}
		ymax := 1.5 * max(slices.Max(heights), 2/(math.Pi*rad))
		zero, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: ymax}})
		if err != nil {
			return err
		}
		zero.LineStyle = draw.LineStyle{Color: plotx.Vermillion, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
		pl.Add(zero)
		pl.Legend.Add("λ = 0", zero)
		pl.Y.Min, pl.Y.Max = 0, ymax
		plotx.SetFontSize(pl, 11)
		row = append(row, pl)
	}
	if err := env.WriteCSV("eigenvalues.csv", hist); err != nil {
		return err
	}
	// Two columns, as many rows as needed.
	for len(row)%2 != 0 {
		row = append(row, nil)
	}
	var grid [][]*plot.Plot
	for i := 0; i < len(row); i += 2 {
		grid = append(grid, row[i:i+2])
	}
	return env.WritePlots("spectrum_check", 22*vg.Centimeter, 18*vg.Centimeter, grid)
}

// ieLine fits y = a + b x by least squares with unit weights.
func ieLine(x, y []float64) (stats.Fit, error) {
	rows := make([][]float64, len(x))
	w := make([]float64, len(x))
	for i, v := range x {
		rows[i] = []float64{1, v}
		w[i] = 1
	}
	f, err := stats.WeightedLeastSquares(rows, y, w)
	if err != nil {
		return f, fmt.Errorf("index-energy: fit of the spectrum centre: %w", err)
	}
	return f, nil
}

// ieXYs pairs x[i] with y[i].
func ieXYs(x, y []float64) plotter.XYs {
	xys := make(plotter.XYs, len(x))
	for i := range x {
		xys[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return xys
}
