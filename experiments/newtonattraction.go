package main

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/internal/stats"
	"github.com/critpoint/critpoint/experiments/landscape"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/optimizers"
)

// The newton-attraction experiment measures where each method ends when it
// is started at random: on Gaussian random fields (Bray & Dean 2007) in
// N = 2, 5, 10, 20 and 50 dimensions and on the loss of a small tanh network
// fitted to a teacher network, every method runs from the same random
// starts and its end point is classified with critical.Analyze as a
// minimum, saddle, maximum or degenerate critical point, certified by
// ||g||² < GradTol (Frye et al. 2019), or as not converged. Dauphin et al.
// (2014, section 4) argue that pure Newton, which rescales each eigen-
// direction by 1/λᵢ, is attracted to critical points of every index, and
// that in high dimensions almost all of them are saddles; gradient descent,
// momentum and Adam move downhill and are not; saddle-free Newton rescales
// by 1/|λᵢ| and is repelled by saddles. Newton-MR (Roosta et al. 2022), a
// critical-point finder that minimises ||g||², is run beside them.
//
// A random field has no global confinement: starts are uniform in the ball
// of radius StartRadius·sqrt(N) around the origin (sqrt(N) is the field's
// correlation length for ℓ = 1; three lengths rather than one, because in
// two dimensions a ball of one length holds only a handful of critical
// points and the outcome would depend on those few), and every method has an
// iteration budget; a run that has not reached ||g||² < GradTol within it
// is "not converged". Pure Newton's steps scale like 1/|λ_min| and carry it
// far beyond the correlation length, so at large N it often wanders until
// its budget is spent: the fractions are reported of all starts and of the
// certified end points.
//
// Outputs: newton_attraction_runs.csv (one row per landscape, method and
// start), newton_attraction_fractions.csv (outcome fractions with 95% Wilson
// intervals), newton_attraction_summary.csv (per landscape and method) and
// the figures newton_attraction_saddles and newton_attraction_outcomes. The
// default preset takes about 100 s of CPU time, under a minute on 2 idle
// cores; the full preset (8192 features, 200 starts, twice the iteration
// budgets) about 40 times as much, some 35 minutes on 2 cores (estimated
// from the default's CPU time, not measured).
func init() {
	registry.Add(harness.Experiment{
		Name:    "newton-attraction",
		Summary: "where Newton, saddle-free Newton, damped Newton, Newton-MR, GD, momentum and Adam end on random fields (N = 2..50) and a small network",
		Run:     runNewtonAttraction,
	})
}

// newtonAttractionParams are the sizes of the newton-attraction experiment.
type newtonAttractionParams struct {
	// Dims are the dimensions N of the random fields, each drawn with
	// Features random Fourier features (landscape.NewRandomField, ℓ = 1).
	Dims     []int `json:"dims"`
	Features int   `json:"features"`
	// Starts is the number of random starts per landscape; every method
	// runs from the same starts.
	Starts int `json:"starts"`
	// StartRadius is the radius of the ball of starts on a random field in
	// units of the correlation length sqrt(N).
	StartRadius float64 `json:"start_radius"`
	// Methods are the methods run, by plotx method name.
	Methods []string `json:"methods"`
	// FirstOrderIterations caps gd, momentum and adam; SecondOrderIterations
	// caps the Newton family and Newton-MR.
	FirstOrderIterations  int `json:"first_order_iterations"`
	SecondOrderIterations int `json:"second_order_iterations"`
	// GradTol certifies an end point as critical when ||g||² < GradTol.
	GradTol float64 `json:"grad_tol"`
	// The network: a student MLP with sizes StudentSizes (tanh hidden
	// layers, linear output, MSE) fitted to Samples inputs x ~ N(0, I)
	// labelled by a teacher MLP with sizes TeacherSizes plus Gaussian noise
	// of standard deviation Noise (nn.TeacherStudent); starts are
	// GlorotNormal initialisations. Nil StudentSizes leaves the network out.
	StudentSizes []int   `json:"student_sizes"`
	TeacherSizes []int   `json:"teacher_sizes"`
	Samples      int     `json:"samples"`
	Noise        float64 `json:"noise"`
}

var newtonAttractionPresets = harness.Presets[newtonAttractionParams]{
	Quick: newtonAttractionParams{
		Dims: []int{2, 10}, Features: 256, Starts: 32, StartRadius: 3,
		Methods:              []string{"gd", "momentum", "adam", "newton", "damped-newton", "saddle-free-newton", "newton-mr"},
		FirstOrderIterations: 500, SecondOrderIterations: 200, GradTol: 1e-10,
	},
	Default: newtonAttractionParams{
		Dims: []int{2, 5, 10, 20, 50}, Features: 2048, Starts: 40, StartRadius: 3,
		Methods:              []string{"gd", "momentum", "adam", "newton", "damped-newton", "saddle-free-newton", "newton-mr"},
		FirstOrderIterations: 2000, SecondOrderIterations: 200, GradTol: 1e-10,
		StudentSizes: []int{4, 5, 1}, TeacherSizes: []int{4, 3, 1}, Samples: 64, Noise: 0.1,
	},
	Full: newtonAttractionParams{
		Dims: []int{2, 5, 10, 20, 50}, Features: 8192, Starts: 200, StartRadius: 3,
		Methods:              []string{"gd", "momentum", "adam", "newton", "damped-newton", "saddle-free-newton", "newton-mr"},
		FirstOrderIterations: 4000, SecondOrderIterations: 400, GradTol: 1e-10,
		StudentSizes: []int{4, 5, 1}, TeacherSizes: []int{4, 3, 1}, Samples: 64, Noise: 0.1,
	},
}

// Learning rates. On a field with ℓ = 1 the Hessian at a critical point of
// energy per coordinate ε has the semicircle spectrum of radius 2 centred at
// -ε (Bray & Dean 2007), so its largest eigenvalue near the minima,
// ε ≈ -2, is about L = 4: gradient descent takes η = 1/L, momentum η = 1/20
// with α = 0.9 (an effective rate η/(1-α) = 1/2), Adam η = 1/20 of the
// per-coordinate correlation length ℓ. On the network the MSE Hessian is of
// order one at initialisation: η = 0.5 for gradient descent.
var (
	attractionFieldRates = saddleRates{First: 0.25, Adaptive: 0.05}
	attractionMLPRates   = saddleRates{First: 0.5, Adaptive: 0.01}
)

// attractionOutcomes are the outcomes of a run, in figure order.
var attractionOutcomes = []string{"minimum", "saddle", "maximum", "degenerate", saddleNotConverged}

// attractionColors are the colours of attractionOutcomes.
var attractionColors = []color.Color{plotx.Blue, plotx.Vermillion, plotx.ReddishPurple, plotx.Yellow, plotx.Tint(plotx.Black, 0.8)}

// attractionLandscape is one landscape of the experiment: a random field of
// dimension n, or the network ("mlp") with n parameters.
type attractionLandscape struct {
	kind    string // "random-field" or "mlp"
	n       int
	problem hessian.Problem
	rates   saddleRates
	start   func(i int) []float64
}

// attractionRun is the outcome of one method from one start.
type attractionRun struct {
	status     string
	iterations int
	end        critical.Analysis
}

func runNewtonAttraction(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, newtonAttractionPresets)
	lands, err := attractionLandscapes(ctx, env, p)
	if err != nil {
		return err
	}
	runs, err := attractionRuns(ctx, env, p, lands)
	if err != nil {
		return err
	}
	return attractionWrite(env, p, lands, runs)
}

// attractionLandscapes draws the random fields, each from a stream of its
// own, and builds the network.
func attractionLandscapes(ctx context.Context, env *harness.Env, p newtonAttractionParams) ([]attractionLandscape, error) {
	fields, err := harness.Map(ctx, env, "fields", len(p.Dims), func(ctx context.Context, i int, rng *rand.Rand) (*landscape.RandomField, error) {
		return landscape.NewRandomField(p.Dims[i], p.Features, rng.Uint64()), nil
	})
	if err != nil {
		return nil, err
	}
	var lands []attractionLandscape
	for i, f := range fields {
		n := p.Dims[i]
		part := fmt.Sprintf("starts/random-field/%d", n)
		lands = append(lands, attractionLandscape{
			kind: "random-field", n: n, problem: f.Problem(), rates: attractionFieldRates,
			start: func(s int) []float64 { return attractionBall(env.RNG(part, s), n, p.StartRadius*math.Sqrt(float64(n))) },
		})
	}
	if p.StudentSizes != nil {
		teacher := nn.MLP{Sizes: p.TeacherSizes}
		x, y, _ := nn.TeacherStudent(teacher, p.Samples, p.Noise, env.RNG("mlp-data", 0).Uint64())
		student := nn.MLP{Sizes: p.StudentSizes}
		net := nn.NewNet(student, x, y)
		lands = append(lands, attractionLandscape{
			kind: "mlp", n: net.NumParams(), problem: net.Problem(), rates: attractionMLPRates,
			start: func(s int) []float64 {
				return student.Init(nil, nn.GlorotNormal, 1, env.RNG("starts/mlp", s).Uint64())
			},
		})
	}
	return lands, nil
}

// attractionBall returns a point drawn uniformly from the ball of the given
// radius in R^n: a Gaussian direction scaled by radius·U^(1/n).
func attractionBall(rng *rand.Rand, n int, radius float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	r := radius * math.Pow(rng.Float64(), 1/float64(n))
	floats.Scale(r/floats.Norm(x, 2), x)
	return x
}

// attractionRuns runs every method from every start on every landscape,
// one task each, in the order landscape, method, start. The start of run
// (landscape, method, s) comes from the stream of (landscape, s), so that
// all methods start from the same points of the same landscape.
func attractionRuns(ctx context.Context, env *harness.Env, p newtonAttractionParams, lands []attractionLandscape) ([]attractionRun, error) {
	per := len(p.Methods) * p.Starts
	return harness.Map(ctx, env, "runs", len(lands)*per, func(ctx context.Context, t int, _ *rand.Rand) (attractionRun, error) {
		l := lands[t/per]
		method := p.Methods[t%per/p.Starts]
		x0 := l.start(t % p.Starts)
		var (
			x    []float64
			iter int
			stat string
		)
		if method == "newton-mr" {
			pt, err := critical.Find(l.problem, x0, &critical.FindSettings{
				Method: critical.NewtonMR, MaxIterations: p.SecondOrderIterations, GradTol: p.GradTol / 4,
			})
			if err != nil {
				return attractionRun{}, fmt.Errorf("newton-mr on %s %d: %w", l.kind, l.n, err)
			}
			x, iter, stat = pt.X, pt.Iterations, pt.Status.String()
		} else {
			limit := p.SecondOrderIterations
			if _, ok := saddleRate(method, l.rates); ok {
				limit = p.FirstOrderIterations
			}
			res, err := optimizers.Minimize(l.problem, x0, saddleOptimizer(method, l.rates), &optimizers.Settings{
				MaxIterations:     limit,
				GradientThreshold: math.Sqrt(p.GradTol) / 2,
			})
			if err != nil && res.X == nil {
				return attractionRun{}, fmt.Errorf("%s on %s %d: %w", method, l.kind, l.n, err)
			}
			// Divergence, a singular Newton system or a non-finite
			// value end the run at its last good iterate: an outcome.
			x, iter, stat = res.X, res.Iterations, res.Status.String()
		}
		end, err := critical.Analyze(l.problem, x, &critical.AnalyzeSettings{GradTol: p.GradTol})
		if err != nil {
			return attractionRun{}, fmt.Errorf("%s on %s %d: %w", method, l.kind, l.n, err)
		}
		end.Hessian = nil // not kept: the classification holds what is reported
		return attractionRun{status: stat, iterations: iter, end: end}, nil
	})
}

func attractionWrite(env *harness.Env, p newtonAttractionParams, lands []attractionLandscape, runs []attractionRun) error {
	runTab := harness.NewTable("landscape", "n", "method", "start", "status", "iterations", "outcome", "certified",
		"f", "f_per_n", "grad_norm_sq", "grad_tol", "hessian_kind", "index", "nullity", "index_fraction", "min_eigenvalue", "max_eigenvalue")
	fracTab := harness.NewTable("landscape", "n", "method", "outcome", "count", "starts", "fraction", "wilson_lo95", "wilson_hi95",
		"certified", "fraction_of_certified", "certified_wilson_lo95", "certified_wilson_hi95")
	sumTab := harness.NewTable("landscape", "n", "method", "starts", "certified", "certified_fraction",
		"mean_iterations", "mean_f_per_n_certified", "mean_index_fraction_certified")

	// frac[l][m][o] counts outcome o of method m on landscape l.
	frac := make([][][]int64, len(lands))
	certified := make([][]int64, len(lands))
	per := len(p.Methods) * p.Starts
	for li, l := range lands {
		frac[li] = make([][]int64, len(p.Methods))
		certified[li] = make([]int64, len(p.Methods))
		for mi, method := range p.Methods {
			frac[li][mi] = make([]int64, len(attractionOutcomes))
			var iters, fSum, alphaSum float64
			for s := range p.Starts {
				r := runs[li*per+mi*p.Starts+s]
				a := r.end
				out := saddleOutcome(a)
				frac[li][mi][attractionOutcomeIndex(out)]++
				c := a.Classification
				fn := a.F / float64(l.n)
				if a.Certificate.Critical {
					certified[li][mi]++
					fSum += fn
					alphaSum += c.IndexFraction
				}
				iters += float64(r.iterations)
				runTab.Row(l.kind, l.n, method, s, r.status, r.iterations, out, saddleFlag(a.Certificate.Critical),
					a.F, fn, a.Certificate.GradNormSq, a.Certificate.GradTol, c.Kind.String(), c.Index, c.Nullity,
					c.IndexFraction, c.MinEigenvalue, c.MaxEigenvalue)
			}
			nc := certified[li][mi]
			var meanF, meanAlpha any
			if nc > 0 {
				meanF, meanAlpha = fSum/float64(nc), alphaSum/float64(nc)
			}
			starts := int64(p.Starts)
			sumTab.Row(l.kind, l.n, method, starts, nc, float64(nc)/float64(starts), iters/float64(starts), meanF, meanAlpha)
			for oi, out := range attractionOutcomes {
				k := frac[li][mi][oi]
				lo, hi := stats.Wilson(k, starts, stats.Z95)
				var fc, clo, chi any
				if out != saddleNotConverged && nc > 0 {
					l, h := stats.Wilson(k, nc, stats.Z95)
					fc, clo, chi = float64(k)/float64(nc), l, h
				}
				fracTab.Row(l.kind, l.n, method, out, k, starts, float64(k)/float64(starts), lo, hi, nc, fc, clo, chi)
			}
		}
	}
	for _, w := range []struct {
		name string
		t    *harness.Table
	}{{"newton_attraction_runs.csv", runTab}, {"newton_attraction_fractions.csv", fracTab}, {"newton_attraction_summary.csv", sumTab}} {
		if err := env.WriteCSV(w.name, w.t); err != nil {
			return err
		}
	}
	for mi, method := range p.Methods {
		line := method + ": saddle fraction"
		for li, l := range lands {
			line += fmt.Sprintf(" %s %d: %d/%d (certified %d)", l.kind, l.n, frac[li][mi][attractionOutcomeIndex("saddle")], p.Starts, certified[li][mi])
		}
		env.Logf("%s", line)
	}

	if err := attractionSaddlePlot(env, p, lands, frac, certified); err != nil {
		return err
	}
	return attractionOutcomePlot(env, p, lands, frac)
}

// attractionOutcomeIndex returns the index of out in attractionOutcomes.
func attractionOutcomeIndex(out string) int {
	for i, o := range attractionOutcomes {
		if o == out {
			return i
		}
	}
	panic(fmt.Sprintf("experiments: unknown outcome %q", out))
}

// attractionSaddlePlot draws against the dimension of the random field, per
// method, the fraction of all starts that end at a certified saddle, the
// fraction of the certified end points that are saddles, and the fraction of
// starts that end at a certified critical point at all.
func attractionSaddlePlot(env *harness.Env, p newtonAttractionParams, lands []attractionLandscape, frac [][][]int64, certified [][]int64) error {
	all := plotx.New("Random fields: runs that end at a saddle", "dimension N", "fraction of all starts")
	ofCert := plotx.New("Saddles among the certified end points", "dimension N", "fraction of certified end points")
	conv := plotx.New(fmt.Sprintf("Runs certified critical (||g||² < %g)", p.GradTol), "dimension N", "fraction of all starts")
	leg := plotx.LegendPanel("method (95% Wilson intervals; methods spread\nslightly along N so that their bars do not overlap)")
	si := attractionOutcomeIndex("saddle")
	starts := int64(p.Starts)
	for mi, method := range p.Methods {
		shift := math.Pow(1.04, float64(mi)-float64(len(p.Methods)-1)/2)
		type series struct{ x, y, lo, hi []float64 }
		var sa, sc, sv series
		add := func(s *series, x float64, k, n int64) {
			lo, hi := stats.Wilson(k, n, stats.Z95)
			s.x, s.y, s.lo, s.hi = append(s.x, x), append(s.y, float64(k)/float64(n)), append(s.lo, lo), append(s.hi, hi)
		}
		for li, l := range lands {
			if l.kind != "random-field" {
				continue
			}
			x := float64(l.n) * shift
			k, c := frac[li][mi][si], certified[li][mi]
			add(&sa, x, k, starts)
			if c > 0 {
				add(&sc, x, k, c)
			}
			add(&sv, x, c, starts)
		}
		style := plotx.MethodStyle(method)
		for _, d := range []struct {
			pl *plot.Plot
			s  series
		}{{all, sa}, {ofCert, sc}, {conv, sv}} {
			if err := plotx.YErrorBars(d.pl, d.s.x, d.s.lo, d.s.hi, style.Color); err != nil {
				return err
			}
			if err := plotx.Line(d.pl, "", attractionXY(d.s.x, d.s.y), style); err != nil {
				return err
			}
			if err := plotx.Points(d.pl, "", attractionXY(d.s.x, d.s.y), style.Color, nil); err != nil {
				return err
			}
		}
		l, err := plotter.NewLine(plotter.XYs{{}, {X: 1}})
		if err != nil {
			return err
		}
		l.LineStyle = style
		leg.Legend.Add(method, l)
	}
	for _, pl := range []*plot.Plot{all, ofCert, conv} {
		plotx.LogX(pl)
		pl.X.Tick.Marker = attractionDimTicks(p.Dims)
		pl.Y.Min, pl.Y.Max = 0, 1.02
		plotx.SetFontSize(pl, 11)
	}
	return env.WritePlots("newton_attraction_saddles", 28*vg.Centimeter, 22*vg.Centimeter, [][]*plot.Plot{{all, ofCert}, {conv, leg}})
}

// attractionDimTicks labels a log axis at the given dimensions.
type attractionDimTicks []int

func (d attractionDimTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, n := range d {
		ts = append(ts, plot.Tick{Value: float64(n), Label: fmt.Sprint(n)})
	}
	return ts
}

// attractionOutcomePlot draws, for every landscape, the fractions of all
// outcomes per method as stacked bars.
func attractionOutcomePlot(env *harness.Env, p newtonAttractionParams, lands []attractionLandscape, frac [][][]int64) error {
	var panels []*plot.Plot
	for li, l := range lands {
		title := fmt.Sprintf("random field, N = %d", l.n)
		if l.kind == "mlp" {
			title = fmt.Sprintf("tanh network %v, %d parameters", p.StudentSizes, l.n)
		}
		pl := plotx.New(title, "fraction of starts", "")
		values := make([][]float64, len(attractionOutcomes))
		for oi := range attractionOutcomes {
			values[oi] = make([]float64, len(p.Methods))
			for mi := range p.Methods {
				values[oi][mi] = float64(frac[li][mi][oi]) / float64(p.Starts)
			}
		}
		if err := plotx.StackedBars(pl, p.Methods, attractionOutcomes, values, attractionColors); err != nil {
			return err
		}
		pl.X.Min, pl.X.Max = 0, 1
		pl.Legend = plot.NewLegend() // the legend panel has it
		plotx.SetFontSize(pl, 11)
		panels = append(panels, pl)
	}
	leg := plotx.LegendPanel("where the runs end")
	for oi, out := range attractionOutcomes {
		plotx.LegendSwatch(leg, out, attractionColors[oi])
	}
	// The legend takes the cell after the first row of three panels.
	const cols = 4
	cells := append(slices.Clone(panels[:min(3, len(panels))]), leg)
	cells = append(cells, panels[min(3, len(panels)):]...)
	var grid [][]*plot.Plot
	for i := 0; i < len(cells); i += cols {
		row := make([]*plot.Plot, cols)
		copy(row, cells[i:min(i+cols, len(cells))])
		grid = append(grid, row)
	}
	h := vg.Length(len(grid)) * 9 * vg.Centimeter
	return env.WritePlots("newton_attraction_outcomes", 44*vg.Centimeter, h, grid)
}

// attractionXY pairs x and y into plot points.
func attractionXY(x, y []float64) plotter.XYs {
	xys := make(plotter.XYs, len(x))
	for i := range x {
		xys[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return xys
}
