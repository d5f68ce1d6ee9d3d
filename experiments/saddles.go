package main

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/internal/stats"
	"github.com/critpoint/critpoint/experiments/landscape"
	"github.com/critpoint/critpoint/optimizers"
)

// The saddles experiment shows how the optimizers of the lecture behave near
// a saddle point (Dauphin et al. 2014, Figure 2, and the lecture's optimizer
// animations). Every optimizer starts from the same point near a saddle of
// 5x² - y² (index 1), of the monkey saddle x³ - 3xy² (degenerate: its
// Hessian vanishes at the origin) and of Beale's function (the saddle near
// (0.1005, -2.6445), whose Hessian eigenvalues -0.781 and 867.8 make its
// negative curvature almost invisible to a stable gradient step), and from
// the classic hard start (-1.2, 1) of Rosenbrock's valley, which has no
// saddle. Gradient descent, momentum, Nesterov, Adagrad, RMSprop and Adam
// leave the saddles, at very different speeds (gradient descent needs
// thousands of steps to leave Beale's saddle, whose escape rate per step is
// 1 + 0.781η); pure Newton lands on the saddle of 5x² - y² in one step and
// converges into the monkey saddle by halving the point; saddle-free Newton
// leaves all three within a few steps. Beale's function is not coercive:
// along the valley x y³ = -2.625, y → -∞, it decreases to
// 1.5² + 2.25² = 7.3125, and a method that leaves the saddle downwards runs
// down that valley instead of reaching the minimum (3, 0.5).
//
// A second part maps basins of attraction on Himmelblau's function: from
// every point of a grid over [-5, 5]², which of its nine critical points
// (four minima, four saddles, one maximum) pure Newton and saddle-free Newton
// converge to. Pure Newton ends on saddles or the maximum from a large part of
// the plane; saddle-free Newton, which rescales by |H|, from (almost) none.
//
// Outputs: saddles_runs.csv (one row per function and method),
// saddles_trajectories.csv (the iterates), himmelblau_basins.csv (fraction
// of the grid per method and critical point), himmelblau_basin_summary.csv
// (per method and kind), himmelblau_basin_grid.csv (the endpoint of every
// grid start) and the figures saddles_trajectories, saddles_distance and
// himmelblau_basins. The default preset takes about 3 s of CPU time, the
// full preset (a 401×401 grid, 20000 iterations) about 7 s.
func init() {
	registry.Add(harness.Experiment{
		Name:    "saddles",
		Summary: "optimizer trajectories near saddles (Dauphin et al. 2014 Fig. 2) and Newton vs saddle-free Newton basins on Himmelblau",
		Run:     runSaddles,
	})
}

// saddlesParams are the sizes of the saddles experiment.
type saddlesParams struct {
	// MaxIterations caps every run of the trajectory part.
	MaxIterations int `json:"max_iterations"`
	// TrajectoryPoints is the approximate number of iterates per run
	// written to saddles_trajectories.csv and drawn: the first 100 and then
	// every k-th iterate, plus the last.
	TrajectoryPoints int `json:"trajectory_points"`
	// BasinGrid is the number of starting points per axis of the grid over
	// [-5, 5]² on Himmelblau's function, and BasinMaxIterations the
	// iteration cap of each of those runs.
	BasinGrid          int `json:"basin_grid"`
	BasinMaxIterations int `json:"basin_max_iterations"`
	// GradTol certifies an end point as critical when ||g||² < GradTol
	// (Frye et al. 2019); the runs stop at ||g|| <= sqrt(GradTol)/2.
	GradTol float64 `json:"grad_tol"`
}

var saddlesPresets = harness.Presets[saddlesParams]{
	Quick:   saddlesParams{MaxIterations: 600, TrajectoryPoints: 200, BasinGrid: 41, BasinMaxIterations: 100, GradTol: 1e-10},
	Default: saddlesParams{MaxIterations: 5000, TrajectoryPoints: 400, BasinGrid: 161, BasinMaxIterations: 100, GradTol: 1e-10},
	Full:    saddlesParams{MaxIterations: 20000, TrajectoryPoints: 1000, BasinGrid: 401, BasinMaxIterations: 200, GradTol: 1e-10},
}

// saddleMethods are the optimizers of the trajectory part, in legend order.
var saddleMethods = []string{"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
	"newton", "damped-newton", "saddle-free-newton"}

// saddleCase is one test function of the trajectory part: where every
// optimizer starts, the saddle it starts near (nil for Rosenbrock, whose
// reference point is then its minimum), the radius of the ball it must leave,
// the learning rates and the frame of the figure.
type saddleCase struct {
	name      string
	title     string
	start     []float64
	saddle    []float64
	reference []float64 // saddle, or the minimum when there is none
	radius    float64
	rates     saddleRates
	window    [4]float64 // xlo, xhi, ylo, yhi
	levels    []float64
}

// saddleBeale is the ill-conditioned saddle of Beale's function; its Hessian
// has eigenvalues -0.781 (eigenvector ≈ (-0.103, -0.995)) and 867.8
// (eigenvector ≈ (-0.995, 0.103)).
var saddleBeale = []float64{0.10053793732415837, -2.6445135850231249}

// saddleCases lists the functions of the trajectory part. The learning rate
// of gradient descent, momentum and Nesterov is about 1/L for the largest
// Hessian eigenvalue L near the start (10 for 5x² - y², 6|(x, y)| for the
// monkey saddle, 868 at Beale's saddle, about 1330 at (-1.2, 1) on
// Rosenbrock's function), so that every one of them is stable; Adagrad,
// RMSprop and Adam, whose steps are about η per coordinate, get a rate of the
// order of a tenth of the distances to travel.
var saddleCases = []saddleCase{
	{
		name: "saddle-quadratic", title: "5x² - y², start (0.8, 0.01)",
		start: []float64{0.8, 0.01}, saddle: []float64{0, 0}, radius: 1,
		rates:  saddleRates{First: 0.05, Adaptive: 0.05},
		window: [4]float64{-1.2, 1.2, -1.2, 1.2},
		levels: plotx.Levels(-1.2, 6, 13),
	},
	{
		name: "monkey-saddle", title: "monkey saddle x³ - 3xy², start (0.8, 0.02)",
		start: []float64{0.8, 0.02}, saddle: []float64{0, 0}, radius: 1,
		rates:  saddleRates{First: 0.05, Adaptive: 0.05},
		window: [4]float64{-1.2, 1.2, -1.2, 1.2},
		levels: plotx.Levels(-1.5, 1.5, 13),
	},
	{
		name: "beale", title: "Beale, start near the saddle (0.1005, -2.6445)",
		// 0.2 along the stiff eigenvector and 0.02 along the soft one,
		// on the side of the minimum.
		start:  []float64{saddleBeale[0] - 0.2*0.995 + 0.02*0.103, saddleBeale[1] + 0.2*0.103 + 0.02*0.995},
		saddle: saddleBeale, radius: 0.5,
		rates:  saddleRates{First: 1e-3, Adaptive: 0.01},
		window: [4]float64{-1, 4, -3.5, 1.5},
		levels: plotx.LogLevels(-1, 4, 16),
	},
	{
		name: "rosenbrock", title: "Rosenbrock, start (-1.2, 1)",
		start: []float64{-1.2, 1}, reference: []float64{1, 1},
		rates:  saddleRates{First: 1e-3, Adaptive: 0.01},
		window: [4]float64{-2, 2, -1, 3},
		levels: plotx.LogLevels(-1, 3.5, 12),
	},
}

// saddleRates are the learning rates of the first-order methods (gd,
// momentum, nesterov) and of the adaptive ones (adagrad, rmsprop, adam) on
// one landscape.
type saddleRates struct {
	First, Adaptive float64
}

// saddleSFNDampings are the damping values saddle-free Newton tries at every
// step, keeping the one with the lowest loss (Dauphin et al. 2014, section
// 6).
var saddleSFNDampings = []float64{0, 1e-3, 1e-2, 1e-1, 1, 10}

// saddleOptimizer returns a new optimizer called name, one of the plotx
// method names: momentum and Nesterov with α = 0.9, Adagrad, RMSprop and
// Adam with their papers' defaults apart from the learning rate, damped
// Newton with Levenberg-Marquardt damping from λ = 1, saddle-free Newton with
// saddleSFNDampings. It panics for an unknown name.
func saddleOptimizer(name string, r saddleRates) optimizers.Method {
	switch name {
	case "gd":
		return &optimizers.SGD{LearningRate: r.First}
	case "momentum":
		return &optimizers.Momentum{LearningRate: r.First, Momentum: 0.9}
	case "nesterov":
		return &optimizers.Nesterov{LearningRate: r.First, Momentum: 0.9}
	case "adagrad":
		return &optimizers.Adagrad{LearningRate: r.Adaptive}
	case "rmsprop":
		return &optimizers.RMSprop{LearningRate: r.Adaptive}
	case "adam":
		return &optimizers.Adam{LearningRate: r.Adaptive}
	case "newton":
		return &optimizers.Newton{}
	case "damped-newton":
		return &optimizers.DampedNewton{}
	case "saddle-free-newton":
		return &optimizers.SaddleFreeNewton{Dampings: saddleSFNDampings}
	}
	panic(fmt.Sprintf("experiments: no optimizer %q", name))
}

// saddleRate reports whether the optimizer called name has a learning rate,
// and returns it.
func saddleRate(name string, r saddleRates) (float64, bool) {
	switch name {
	case "gd", "momentum", "nesterov":
		return r.First, true
	case "adagrad", "rmsprop", "adam":
		return r.Adaptive, true
	}
	return 0, false
}

// saddleNotConverged is the outcome of a run whose end point is not certified
// critical.
const saddleNotConverged = "not-converged"

// saddleOutcome returns the certified kind of an analysed end point, or
// saddleNotConverged.
func saddleOutcome(a critical.Analysis) string {
	if !a.Certificate.Critical {
		return saddleNotConverged
	}
	return a.Classification.Kind.String()
}

func runSaddles(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, saddlesPresets)
	runs, err := saddleTrajectories(ctx, env, p)
	if err != nil {
		return err
	}
	if err := saddleWriteRuns(env, p, runs); err != nil {
		return err
	}
	basins, err := saddleHimmelblau(ctx, env, p)
	if err != nil {
		return err
	}
	return saddleWriteBasins(env, basins)
}

// saddleRun is one optimizer's run on one function of the trajectory part.
type saddleRun struct {
	fn, method string
	path       []optimizers.Iterate // every iterate
	result     optimizers.Result
	end        critical.Analysis
	// escape is the first iteration outside the ball around the saddle,
	// or -1.
	escape int
	// atSaddle: the end point is certified critical and inside the ball,
	// where the saddle is the only critical point.
	atSaddle bool
}

// saddleTrajectories runs every optimizer on every case, one task each.
func saddleTrajectories(ctx context.Context, env *harness.Env, p saddlesParams) ([]saddleRun, error) {
	n := len(saddleCases) * len(saddleMethods)
	return harness.Map(ctx, env, "trajectories", n, func(ctx context.Context, t int, _ *rand.Rand) (saddleRun, error) {
		c := saddleCases[t/len(saddleMethods)]
		name := saddleMethods[t%len(saddleMethods)]
		fn, err := landscape.ByName(c.name)
		if err != nil {
			return saddleRun{}, err
		}
		var path optimizers.Trajectory
		res, err := optimizers.Minimize(fn.Problem, c.start, saddleOptimizer(name, c.rates), &optimizers.Settings{
			MaxIterations:     p.MaxIterations,
			GradientThreshold: math.Sqrt(p.GradTol) / 2,
			Recorder:          &path,
		})
		if err != nil && res.X == nil {
			return saddleRun{}, fmt.Errorf("%s on %s: %w", name, c.name, err)
		}
		// A run that stops on divergence, a singular system or a
		// non-finite value keeps its last good iterate; that is an outcome,
		// not a failure of the experiment.
		end, err := critical.Analyze(fn.Problem, res.X, &critical.AnalyzeSettings{GradTol: p.GradTol})
		if err != nil {
			return saddleRun{}, fmt.Errorf("%s on %s: %w", name, c.name, err)
		}
		r := saddleRun{fn: c.name, method: name, path: path.Iterates, result: res, end: end, escape: -1}
		if c.saddle != nil {
			for _, it := range path.Iterates {
				if floats.Distance(it.X, c.saddle, 2) > c.radius {
					r.escape = it.K
					break
				}
			}
			r.atSaddle = end.Certificate.Critical && floats.Distance(res.X, c.saddle, 2) <= c.radius
		}
		return r, nil
	})
}

// saddleThin returns the iterates written and drawn for a run: the first 100,
// then every k-th, k chosen so that at most about points remain, and the
// last.
func saddleThin(path []optimizers.Iterate, points int) []optimizers.Iterate {
	const head = 100
	if len(path) <= max(points, head) {
		return path
	}
	rest := max(1, points-head)
	step := (len(path) - head + rest - 1) / rest
	var out []optimizers.Iterate
	for i, it := range path {
		if i < head || (i-head)%step == 0 || i == len(path)-1 {
			out = append(out, it)
		}
	}
	return out
}

func saddleWriteRuns(env *harness.Env, p saddlesParams, runs []saddleRun) error {
	tab := harness.NewTable("function", "method", "learning_rate", "start_x", "start_y",
		"saddle_x", "saddle_y", "radius", "escaped", "escape_iteration", "converged_to_saddle",
		"final_kind", "final_x", "final_y", "final_f", "final_grad_norm", "iterations", "status")
	traj := harness.NewTable("function", "method", "iteration", "x", "y", "f", "grad_norm")
	var contours, distances []*plot.Plot
	for ci, c := range saddleCases {
		fn, err := landscape.ByName(c.name)
		if err != nil {
			return err
		}
		w := c.window
		g := plotx.Sample(func(x, y float64) float64 { return fn.Problem.Func([]float64{x, y}) }, w[0], w[1], 241, w[2], w[3], 241)
		cp := plotx.New(c.title, "x", "y")
		if err := plotx.FaintContour(cp, g, c.levels, 0.5); err != nil {
			return err
		}
		ref := c.reference
		what := "minimum (1, 1)"
		if c.saddle != nil {
			ref, what = c.saddle, "saddle"
		}
		dp := plotx.New(c.title, "iteration + 1", "distance to the "+what)
		plotx.LogX(dp)
		plotx.LogY(dp)
		dp.X.Tick.Marker, dp.Y.Tick.Marker = plotx.DecadeTicks{}, plotx.DecadeTicks{}
		for _, r := range runs[ci*len(saddleMethods) : (ci+1)*len(saddleMethods)] {
			var (
				rate                          any
				sx, sy, rad, esc, escIt, conv any
			)
			if v, ok := saddleRate(r.method, c.rates); ok {
				rate = v
			}
			if c.saddle != nil {
				sx, sy, rad = c.saddle[0], c.saddle[1], c.radius
				esc, conv = saddleFlag(r.escape >= 0), saddleFlag(r.atSaddle)
				if r.escape >= 0 {
					escIt = r.escape
				}
			}
			res := r.result
			tab.Row(c.name, r.method, rate, c.start[0], c.start[1], sx, sy, rad, esc, escIt, conv,
				saddleOutcome(r.end), res.X[0], res.X[1], res.F, res.GradNorm, res.Iterations, res.Status.String())

			shown := saddleThin(r.path, p.TrajectoryPoints)
			xy := make(plotter.XYs, len(shown))
			dist := make(plotter.XYs, len(shown))
			for i, it := range shown {
				traj.Row(c.name, r.method, it.K, it.X[0], it.X[1], it.F, it.GradNorm)
				xy[i] = plotter.XY{X: it.X[0], Y: it.X[1]}
				dist[i] = plotter.XY{X: float64(it.K + 1), Y: floats.Distance(it.X, ref, 2)}
			}
			label := ""
			if ci == 0 {
				label = r.method
			}
			style := plotx.MethodStyle(r.method)
			if err := plotx.Trajectory(cp, label, xy, style); err != nil {
				return err
			}
			if err := plotx.Line(dp, label, plotx.ClampY(dist, saddleDistanceFloor, 1e4), style); err != nil {
				return err
			}
		}
		refLabel := ""
		if ci == 0 {
			refLabel = "saddle (Rosenbrock: minimum)"
		}
		if err := plotx.Points(cp, refLabel, plotter.XYs{{X: ref[0], Y: ref[1]}}, plotx.Black, draw.CrossGlyph{}); err != nil {
			return err
		}
		if ci == 0 {
			for _, g := range []struct {
				label string
				shape draw.GlyphDrawer
			}{{"start", draw.RingGlyph{}}, {"end", draw.CircleGlyph{}}} {
				s, err := plotter.NewScatter(plotter.XYs{{}})
				if err != nil {
					return err
				}
				s.GlyphStyle = draw.GlyphStyle{Color: plotx.Black, Radius: vg.Points(3), Shape: g.shape}
				cp.Legend.Add(g.label, s)
			}
		}
		cp.X.Min, cp.X.Max, cp.Y.Min, cp.Y.Max = w[0], w[1], w[2], w[3]
		dp.Y.Min, dp.Y.Max = saddleDistanceFloor, 1e4
		for _, pl := range []*plot.Plot{cp, dp} {
			plotx.SetFontSize(pl, 11)
			pl.Legend.Left = true
			pl.Legend.Top = false
		}
		contours = append(contours, cp)
		distances = append(distances, dp)
	}
	if err := env.WriteCSV("saddles_runs.csv", tab); err != nil {
		return err
	}
	if err := env.WriteCSV("saddles_trajectories.csv", traj); err != nil {
		return err
	}
	grid := func(ps []*plot.Plot) [][]*plot.Plot { return [][]*plot.Plot{ps[:2], ps[2:]} }
	if err := env.WritePlots("saddles_trajectories", 26*vg.Centimeter, 26*vg.Centimeter, grid(contours)); err != nil {
		return err
	}
	return env.WritePlots("saddles_distance", 26*vg.Centimeter, 22*vg.Centimeter, grid(distances))
}

// saddleDistanceFloor is the bottom of the distance axis: a run that lands on its
// reference point (distance 0) is drawn there.
const saddleDistanceFloor = 1e-10

func saddleFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// saddleBasinMethods are the methods whose basins of attraction are mapped.
var saddleBasinMethods = []string{"newton", "saddle-free-newton"}

// saddleBasins holds the end point of every grid start for every basin
// method: ends[m][i*grid+j] is the index into points of the critical point
// reached from (xs[j], xs[i]), or -1 when the run did not converge.
type saddleBasins struct {
	xs     []float64
	points []landscape.CriticalPoint
	labels []string
	ends   [][]int
}

// saddleHimmelblau runs Newton and saddle-free Newton from every point of
// the grid, one task per method and grid row.
func saddleHimmelblau(ctx context.Context, env *harness.Env, p saddlesParams) (saddleBasins, error) {
	fn, err := landscape.ByName("himmelblau")
	if err != nil {
		return saddleBasins{}, err
	}
	res := saddleBasins{xs: plotx.Levels(-5, 5, p.BasinGrid), points: fn.Critical}
	counts := map[string]int{}
	for _, c := range fn.Critical {
		counts[c.Kind]++
		res.labels = append(res.labels, fmt.Sprintf("%s %d", c.Kind, counts[c.Kind]))
	}
	// The maximum is unique: no number.
	for i, c := range fn.Critical {
		if counts[c.Kind] == 1 {
			res.labels[i] = c.Kind
		}
	}
	n := p.BasinGrid
	rows, err := harness.Map(ctx, env, "basins", len(saddleBasinMethods)*n, func(ctx context.Context, t int, _ *rand.Rand) ([]int, error) {
		method, i := saddleBasinMethods[t/n], t%n
		ends := make([]int, n)
		for j := range n {
			x0 := []float64{res.xs[j], res.xs[i]}
			r, err := optimizers.Minimize(fn.Problem, x0, saddleOptimizer(method, saddleRates{}), &optimizers.Settings{
				MaxIterations:     p.BasinMaxIterations,
				GradientThreshold: math.Sqrt(p.GradTol) / 2,
			})
			if err != nil && r.X == nil {
				return nil, err
			}
			a, err := critical.Analyze(fn.Problem, r.X, &critical.AnalyzeSettings{GradTol: p.GradTol})
			if err != nil {
				return nil, err
			}
			ends[j] = saddleMatch(a, fn.Critical)
		}
		return ends, nil
	})
	if err != nil {
		return saddleBasins{}, err
	}
	for m := range saddleBasinMethods {
		res.ends = append(res.ends, slices.Concat(rows[m*n:(m+1)*n]...))
	}
	return res, nil
}

// saddleMatch returns the index of the known critical point that the
// certified critical end point a is, or -1 when a is not certified. A
// certified point that is none of the known ones (which would be a bug in
// the list) also gives -1.
func saddleMatch(a critical.Analysis, points []landscape.CriticalPoint) int {
	if !a.Certificate.Critical {
		return -1
	}
	for k, c := range points {
		if floats.Distance(a.X, c.X, 2) < 1e-4 && a.Classification.Kind.String() == c.Kind {
			return k
		}
	}
	return -1
}

// saddleBasinColors gives each critical point of Himmelblau's function, in the
// order of its list (four minima, the maximum, four saddles), a colour:
// blues and greens for the minima, reds and oranges for the saddles, purple
// for the maximum.
var saddleBasinColors = []color.Color{
	plotx.Blue, plotx.SkyBlue, plotx.BluishGreen, plotx.Tint(plotx.BluishGreen, 0.5),
	plotx.ReddishPurple,
	plotx.Vermillion, plotx.Orange, plotx.Yellow, plotx.Tint(plotx.Vermillion, 0.5),
}

// saddleNotConvergedColor marks the starts from which a run did not converge.
var saddleNotConvergedColor = plotx.Tint(plotx.Black, 0.85)

func saddleWriteBasins(env *harness.Env, b saddleBasins) error {
	n := len(b.xs)
	starts := int64(n * n)
	perPoint := harness.NewTable("method", "endpoint", "kind", "x", "y", "f", "count", "starts", "fraction", "wilson_lo95", "wilson_hi95")
	summary := harness.NewTable("method", "kind", "count", "starts", "fraction", "wilson_lo95", "wilson_hi95")
	cells := harness.NewTable("method", "x0", "y0", "endpoint")
	kinds := []string{"minimum", "saddle", "maximum", saddleNotConverged}
	counts := make([][]int64, len(saddleBasinMethods)) // per method: per point, then not converged
	var panels []*plot.Plot
	for m, method := range saddleBasinMethods {
		count := make([]int64, len(b.points)+1)
		for idx, e := range b.ends[m] {
			label := saddleNotConverged
			if e < 0 {
				count[len(b.points)]++
			} else {
				count[e]++
				label = b.labels[e]
			}
			cells.Row(method, b.xs[idx%n], b.xs[idx/n], label)
		}
		counts[m] = count
		byKind := map[string]int64{}
		for k, c := range b.points {
			lo, hi := stats.Wilson(count[k], starts, stats.Z95)
			perPoint.Row(method, b.labels[k], c.Kind, c.X[0], c.X[1], c.F, count[k], starts, float64(count[k])/float64(starts), lo, hi)
			byKind[c.Kind] += count[k]
		}
		nc := count[len(b.points)]
		lo, hi := stats.Wilson(nc, starts, stats.Z95)
		perPoint.Row(method, saddleNotConverged, saddleNotConverged, nil, nil, nil, nc, starts, float64(nc)/float64(starts), lo, hi)
		byKind[saddleNotConverged] = nc
		for _, k := range kinds {
			lo, hi := stats.Wilson(byKind[k], starts, stats.Z95)
			summary.Row(method, k, byKind[k], starts, float64(byKind[k])/float64(starts), lo, hi)
		}
		frac := func(k string) float64 { return 100 * float64(byKind[k]) / float64(starts) }
		env.Logf("himmelblau basins, %s: minima %.1f%%, saddles %.1f%%, maximum %.1f%%, not converged %.1f%%",
			method, frac("minimum"), frac("saddle"), frac("maximum"), frac(saddleNotConverged))

		title := fmt.Sprintf("%s: ends at a saddle from %.1f%%,\nat the maximum from %.1f%% of the starts", method, frac("saddle"), frac("maximum"))
		pl := plotx.New(title, "x₀ (start)", "y₀ (start)")
		colors := append(slices.Clone(saddleBasinColors), saddleNotConvergedColor)
		cat := make([][]int, n)
		for i := range n {
			cat[i] = make([]int, n)
			for j := range n {
				if e := b.ends[m][i*n+j]; e >= 0 {
					cat[i][j] = e
				} else {
					cat[i][j] = len(b.points)
				}
			}
		}
		plotx.Categories(pl, b.xs, b.xs, cat, colors)
		for _, c := range b.points {
			if err := plotx.Points(pl, "", plotter.XYs{{X: c.X[0], Y: c.X[1]}}, plotx.Black, saddleKindGlyph(c.Kind)); err != nil {
				return err
			}
		}
		plotx.SetFontSize(pl, 11)
		panels = append(panels, pl)
	}

	// The legend panel: each critical point's colour, where it is and the
	// share of the grid that ends there for each method.
	leg := plotx.LegendPanel("end point: share of starts (" + strings.Join(saddleBasinMethods, " / ") + ")")
	share := func(k int) string {
		var parts []string
		for m := range saddleBasinMethods {
			parts = append(parts, fmt.Sprintf("%.1f%%", 100*float64(counts[m][k])/float64(starts)))
		}
		return strings.Join(parts, " / ")
	}
	for k, c := range b.points {
		plotx.LegendSwatch(leg, fmt.Sprintf("%s (%.2f, %.2f): %s", b.labels[k], c.X[0], c.X[1], share(k)), saddleBasinColors[k])
	}
	plotx.LegendSwatch(leg, saddleNotConverged+": "+share(len(b.points)), saddleNotConvergedColor)
	for _, k := range []string{"minimum", "saddle", "maximum"} {
		s, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: plotx.Black, Radius: vg.Points(2.5), Shape: saddleKindGlyph(k)}
		leg.Legend.Add("marker: "+k, s)
	}

	for _, w := range []struct {
		name string
		t    *harness.Table
	}{{"himmelblau_basins.csv", perPoint}, {"himmelblau_basin_summary.csv", summary}, {"himmelblau_basin_grid.csv", cells}} {
		if err := env.WriteCSV(w.name, w.t); err != nil {
			return err
		}
	}
	return env.WritePlots("himmelblau_basins", 36*vg.Centimeter, 13*vg.Centimeter, [][]*plot.Plot{append(panels, leg)})
}

// saddleKindGlyph is the marker of a critical point of the given kind.
func saddleKindGlyph(kind string) draw.GlyphDrawer {
	switch kind {
	case "saddle":
		return draw.TriangleGlyph{}
	case "maximum":
		return draw.SquareGlyph{}
	}
	return draw.CircleGlyph{}
}
