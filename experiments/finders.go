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
	"gonum.org/v1/plot/vg/draw"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/internal/stats"
	"github.com/critpoint/critpoint/experiments/landscape"
	"github.com/critpoint/critpoint/hessian"
)

// The finders experiment shows what the critical-point finders of package
// critical (critical.Find: pure Newton, damped Newton, Newton-MR and
// gradient-norm minimisation) do on two functions of the plane whose
// critical points are known, from every start of a grid.
//
// On Himmelblau's function (nine critical points: four minima, four saddles
// of index 1, one maximum) it asks whether every point is found and
// certified (Point.Converged: ||g||² < GradTol) with the listed kind, how
// critical.Summarize counts the distinct points per method, and which point
// each start reaches (a basin-of-attraction map per method).
//
// On the gradient-flat quartic of Frye et al. (2021),
//
//	f(x, y) = x⁴/4 - 3x² + 9x + 0.9y⁴ + 5y² + 40,
//
// whose only critical point is the minimum (-3, 0), and whose gradient lies
// in the kernel of the Hessian at (±√2, 0), where ||g||² has the local
// minimum (9 - 4√2)² = 11.1766 at (√2, 0), it asks where each finder ends
// from starts left and right of x = -√2: certified at (-3, 0), at x = √2
// flagged gradient-flat (Status GradientFlat: the Newton step's residual
// ratio r exceeds 0.9), at x = √2 without the flag, or elsewhere; and
// whether any run certifies a point other than (-3, 0). Gradient-norm
// minimisation, a descent method on ||g||², is expected to end at (√2, 0)
// from every start right of -√2; Newton-MR, whose line search on ||g||²
// tries the full step first, from part of them; pure Newton, which does not
// descend on ||g||², not at all.
//
// A certified point is matched to a known critical point by the rule of
// critical.Basins: the nearest one within critical.DefaultDedupTol + 2η,
// η being the point's NewtonDistance. Every run records its final ||g||²,
// flat ratio r, the classification of its Hessian (kind, index, nullity:
// those of a critical point only when certified is true), iterations and
// function evaluations.
//
// Outputs: himmelblau_runs.csv and quartic_runs.csv (one row per method and
// start), himmelblau_points.csv (per method and critical point: starts that
// reach it, whether it is found and classified right), himmelblau_summary.csv
// (per method: critical.Summarize's counts and the points found),
// quartic_outcomes.csv (per method, side of -√2 and outcome: counts with 95%
// Wilson intervals), and the figures himmelblau_basins and
// quartic_outcomes. The default preset (101×101 starts on Himmelblau,
// 99×57 on the quartic, four methods) takes about 3.5 s of CPU time, 5 s on
// 2 cores with the figures; the full preset (201×201 and 197×113) about
// 10 s of CPU time, 16 s on 2 cores, and writes 37 MB.
func init() {
	registry.Add(harness.Experiment{
		Name:    "finders",
		Summary: "critical-point finders from grids of starts: Himmelblau's nine critical points and the gradient-flat quartic of Frye et al. 2021",
		Run:     runFinders,
	})
}

// findersParams are the sizes and tolerances of the finders experiment.
type findersParams struct {
	// HimmelblauGrid is the number of starts per axis of the grid over
	// [-5, 5]² on Himmelblau's function.
	HimmelblauGrid int `json:"himmelblau_grid"`
	// QuarticNX and QuarticNY are the numbers of starts along x and y of
	// the grid over [-4, 3] × [-2, 2] on the gradient-flat quartic.
	QuarticNX int `json:"quartic_nx"`
	QuarticNY int `json:"quartic_ny"`
	// MaxIterations caps the Newton-type finders and
	// GradientNormIterations gradient-norm minimisation (Find's defaults).
	MaxIterations          int `json:"max_iterations"`
	GradientNormIterations int `json:"gradient_norm_iterations"`
	// GradTol certifies a point as critical when ||g||² < GradTol (Frye
	// et al.'s threshold, applied as it is).
	GradTol float64 `json:"grad_tol"`
	// Sqrt2Tol is the distance |x - √2| within which an end point counts
	// as at the gradient-flat line x = √2.
	Sqrt2Tol float64 `json:"sqrt2_tol"`
}

var findersPresets = harness.Presets[findersParams]{
	Quick:   findersParams{HimmelblauGrid: 21, QuarticNX: 29, QuarticNY: 17, MaxIterations: 500, GradientNormIterations: 5000, GradTol: 1e-10, Sqrt2Tol: 1e-4},
	Default: findersParams{HimmelblauGrid: 101, QuarticNX: 99, QuarticNY: 57, MaxIterations: 500, GradientNormIterations: 5000, GradTol: 1e-10, Sqrt2Tol: 1e-4},
	Full:    findersParams{HimmelblauGrid: 201, QuarticNX: 197, QuarticNY: 113, MaxIterations: 500, GradientNormIterations: 5000, GradTol: 1e-10, Sqrt2Tol: 1e-4},
}

// findersMethods are the finders compared, in the order of the panels.
var findersMethods = []critical.FindMethod{critical.Newton, critical.DampedNewton, critical.NewtonMR, critical.GradientNorm}

// findersSettings returns the settings of Find for method m.
func findersSettings(p findersParams, m critical.FindMethod) *critical.FindSettings {
	it := p.MaxIterations
	if m == critical.GradientNorm {
		it = p.GradientNormIterations
	}
	return &critical.FindSettings{Method: m, MaxIterations: it, GradTol: p.GradTol}
}

func runFinders(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, findersPresets)
	him, err := landscape.ByName("himmelblau")
	if err != nil {
		return err
	}
	hg := critical.BasinGrid{XMin: -5, XMax: 5, YMin: -5, YMax: 5, NX: p.HimmelblauGrid, NY: p.HimmelblauGrid}
	hruns, err := findersGrid(ctx, env, "himmelblau", p, him.Problem, hg)
	if err != nil {
		return err
	}
	if err := findersWriteHimmelblau(env, him, hg, hruns); err != nil {
		return err
	}

	quartic, err := landscape.ByName("gradient-flat-quartic")
	if err != nil {
		return err
	}
	qg := critical.BasinGrid{XMin: -4, XMax: 3, YMin: -2, YMax: 2, NX: p.QuarticNX, NY: p.QuarticNY}
	qruns, err := findersGrid(ctx, env, "quartic", p, quartic.Problem, qg)
	if err != nil {
		return err
	}
	return findersWriteQuartic(env, p, quartic, qg, qruns)
}

// findersGrid runs every finder from every start of the grid, one task per
// method and grid row, and returns the points per method in the order of
// critical.BasinMap: runs[m][j*NX + i] started from g.Start(i, j).
func findersGrid(ctx context.Context, env *harness.Env, part string, p findersParams, prob hessian.Problem, g critical.BasinGrid) ([][]critical.Point, error) {
	rows, err := harness.Map(ctx, env, part, len(findersMethods)*g.NY, func(ctx context.Context, t int, _ *rand.Rand) ([]critical.Point, error) {
		m, j := findersMethods[t/g.NY], t%g.NY
		s := findersSettings(p, m)
		out := make([]critical.Point, g.NX)
		for i := range g.NX {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			x0 := g.Start(i, j)
			pt, err := critical.Find(prob, x0, s)
			if err != nil {
				return nil, fmt.Errorf("%v from %v: %w", m, x0, err)
			}
			out[i] = pt
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	runs := make([][]critical.Point, len(findersMethods))
	for m := range findersMethods {
		runs[m] = slices.Concat(rows[m*g.NY : (m+1)*g.NY]...)
	}
	return runs, nil
}

// Results of findersMatch besides the index of a known point.
const (
	findersUncertified = -1 // the run did not certify its end point
	findersUnmatched   = -2 // it certified a point that is none of the known ones
)

// findersMatch returns the index of the known critical point that the
// certified point pt approximates: the nearest one within
// critical.DefaultDedupTol + 2η, η being pt's NewtonDistance, the rule of
// critical.Basins. It returns findersUncertified when pt is not certified and
// findersUnmatched when no known point is that near.
func findersMatch(pt critical.Point, known []landscape.CriticalPoint) int {
	if !pt.Converged {
		return findersUncertified
	}
	best, bestDist := findersUnmatched, math.Inf(1)
	for k, c := range known {
		d := floats.Distance(pt.X, c.X, 2)
		if d <= critical.DefaultDedupTol+2*pt.NewtonDistance && d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// findersLabels names the known critical points by kind and number in the
// order of their list, "minimum 1", ..., "saddle 4"; a kind with a single
// point gets no number.
func findersLabels(points []landscape.CriticalPoint) []string {
	counts := map[string]int{}
	labels := make([]string, len(points))
	for i, c := range points {
		counts[c.Kind]++
		labels[i] = fmt.Sprintf("%s %d", c.Kind, counts[c.Kind])
	}
	for i, c := range points {
		if counts[c.Kind] == 1 {
			labels[i] = c.Kind
		}
	}
	return labels
}

// Labels of end points that are no known critical point.
const (
	findersNotCertified = "not-certified"
	findersNoKnownPoint = "unmatched"
)

// findersRunCells returns the cells that every runs table shares, after
// the start: status, certified, gradient_flat, x, y, f, grad_norm_sq,
// flat_ratio, kind, index, nullity, iterations and the evaluations. Values
// that come out of eigensolvers are rounded (harness.Round) so that the
// tables do not depend on the processor's last bits.
func findersRunCells(pt critical.Point) []any {
	c := pt.Classification
	e := pt.Evaluations
	return []any{pt.Status.String(), pt.Converged, pt.GradientFlat,
		harness.Round(pt.X[0], 10), harness.Round(pt.X[1], 10), harness.Round(pt.F, 10),
		harness.Round(pt.GradNorm*pt.GradNorm, 6), harness.Round(pt.FlatRatio, 6),
		c.Kind.String(), c.Index, c.Nullity, pt.Iterations, e.Grad, e.HessVec, e.Hess}
}

// findersRunColumns are the column names of findersRunCells.
var findersRunColumns = []string{"status", "certified", "gradient_flat", "x", "y", "f", "grad_norm_sq",
	"flat_ratio", "kind", "index", "nullity", "iterations", "grad_evaluations", "hessvec_evaluations", "hessian_evaluations"}

// Colours of the end points that are no known critical point: light grey
// for an end point that is not certified (as in the saddles experiment's
// basin map), black for a certified one that is not a known critical point
// of the certified kind.
var (
	findersFailedColor = saddleNotConvergedColor
	findersWrongColor  = plotx.Black
)

func findersWriteHimmelblau(env *harness.Env, fn landscape.Function, g critical.BasinGrid, runs [][]critical.Point) error {
	labels := findersLabels(fn.Critical)
	starts := int64(g.NX * g.NY)
	runTab := harness.NewTable(append([]string{"method", "x0", "y0", "endpoint"}, findersRunColumns...)...)
	pointTab := harness.NewTable("method", "point", "kind", "x", "y", "f", "count", "starts", "fraction", "wilson_lo95", "wilson_hi95",
		"kind_right", "found", "classified_right", "certified_kind", "index", "nullity", "grad_norm_sq", "mean_iterations")
	sumTab := harness.NewTable("method", "starts", "certified", "failed", "gradient_flat", "distinct", "minima", "saddles", "maxima", "degenerate",
		"points_found", "points_classified_right", "wrong_kind", "unmatched", "mean_iterations")
	xs, ys := findersAxes(g)
	var panels []*plot.Plot
	for m, method := range findersMethods {
		pts := runs[m]
		count := make([]int64, len(fn.Critical))
		right := make([]int64, len(fn.Critical))
		iters := make([]float64, len(fn.Critical))
		best := make([]int, len(fn.Critical)) // run with the least ||g|| per point
		for k := range best {
			best[k] = -1
		}
		var wrong, unmatched int
		var allIters float64
		cat := make([][]int, g.NY)
		for j := range cat {
			cat[j] = make([]int, g.NX)
		}
		colors := append(slices.Clone(saddleBasinColors), findersFailedColor, findersWrongColor)
		failedCat, wrongCat := len(fn.Critical), len(fn.Critical)+1
		for idx, pt := range pts {
			i, j := idx%g.NX, idx/g.NX
			x0 := g.Start(i, j)
			allIters += float64(pt.Iterations)
			end := findersMatch(pt, fn.Critical)
			label := findersNotCertified
			cat[j][i] = failedCat
			switch {
			case end == findersUnmatched:
				label = findersNoKnownPoint
				unmatched++
				cat[j][i] = wrongCat
			case end >= 0:
				label = labels[end]
				count[end]++
				iters[end] += float64(pt.Iterations)
				if pt.Classification.Kind.String() == fn.Critical[end].Kind {
					right[end]++
					cat[j][i] = end
				} else {
					wrong++
					cat[j][i] = wrongCat
				}
				if b := best[end]; b < 0 || pt.GradNorm < pts[b].GradNorm {
					best[end] = idx
				}
			}
			runTab.Row(append([]any{method.String(), x0[0], x0[1], label}, findersRunCells(pt)...)...)
		}

		var found, classified int
		for k, c := range fn.Critical {
			lo, hi := stats.Wilson(count[k], starts, stats.Z95)
			ok := count[k] > 0
			allRight := ok && right[k] == count[k]
			if ok {
				found++
			}
			if allRight {
				classified++
			}
			var kind, index, nullity, gg, meanIt any
			if b := best[k]; b >= 0 {
				bp := pts[b]
				kind, index, nullity = bp.Classification.Kind.String(), bp.Classification.Index, bp.Classification.Nullity
				gg = harness.Round(bp.GradNorm*bp.GradNorm, 6)
				meanIt = iters[k] / float64(count[k])
			}
			pointTab.Row(method.String(), labels[k], c.Kind, c.X[0], c.X[1], c.F, count[k], starts, float64(count[k])/float64(starts), lo, hi,
				right[k], ok, allRight, kind, index, nullity, gg, meanIt)
		}
		sum := critical.Summarize(pts, 0)
		sumTab.Row(method.String(), sum.Starts, sum.Converged, sum.Failed, sum.GradientFlat, len(sum.Distinct),
			sum.Minima, sum.Saddles, sum.Maxima, sum.Degenerate, found, classified, wrong, unmatched, allIters/float64(len(pts)))
		env.Logf("himmelblau, %v: %d of %d points found, %d classified right; distinct points %d (minima %d, saddles %d, maxima %d, degenerate %d); %d of %d starts not certified",
			method, found, len(fn.Critical), classified, len(sum.Distinct), sum.Minima, sum.Saddles, sum.Maxima, sum.Degenerate, sum.Failed, sum.Starts)

		byKind := map[string]int64{}
		for k, c := range fn.Critical {
			byKind[c.Kind] += right[k]
		}
		share := func(n int64) float64 { return 100 * float64(n) / float64(starts) }
		title := fmt.Sprintf("%v: %d of 9 points found, %d classified right;\nsaddles %.1f%%, maximum %.1f%%, not certified %.1f%%",
			method, found, classified, share(byKind["saddle"]), share(byKind["maximum"]), share(int64(sum.Failed)))
		pl := plotx.New(title, "x₀ (start)", "y₀ (start)")
		plotx.Categories(pl, xs, ys, cat, colors)
		for _, c := range fn.Critical {
			if err := plotx.Points(pl, "", plotter.XYs{{X: c.X[0], Y: c.X[1]}}, plotx.Black, saddleKindGlyph(c.Kind)); err != nil {
				return err
			}
		}
		plotx.SetFontSize(pl, 11)
		panels = append(panels, pl)
	}

	leg := plotx.LegendPanel("end point (certified, with the listed kind)")
	for k, c := range fn.Critical {
		plotx.LegendSwatch(leg, fmt.Sprintf("%s (%.2f, %.2f)", labels[k], c.X[0], c.X[1]), saddleBasinColors[k])
	}
	plotx.LegendSwatch(leg, "not certified", findersFailedColor)
	plotx.LegendSwatch(leg, "certified, not a listed point or kind", findersWrongColor)
	if err := findersKindMarkers(leg); err != nil {
		return err
	}

	for _, w := range []struct {
		name string
		t    *harness.Table
	}{{"himmelblau_runs.csv", runTab}, {"himmelblau_points.csv", pointTab}, {"himmelblau_summary.csv", sumTab}} {
		if err := env.WriteCSV(w.name, w.t); err != nil {
			return err
		}
	}
	return env.WritePlots("himmelblau_basins", 36*vg.Centimeter, 24*vg.Centimeter, findersPanelGrid(panels, leg))
}

// findersKindMarkers adds to the legend p the marker of each kind of
// critical point.
func findersKindMarkers(p *plot.Plot) error {
	for _, k := range []string{"minimum", "saddle", "maximum"} {
		s, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: plotx.Black, Radius: vg.Points(2.5), Shape: saddleKindGlyph(k)}
		p.Legend.Add("marker: "+k, s)
	}
	return nil
}

// findersPanelGrid lays out the four method panels and the legend in two
// rows of three cells: the legend after the first two panels.
func findersPanelGrid(panels []*plot.Plot, leg *plot.Plot) [][]*plot.Plot {
	return [][]*plot.Plot{{panels[0], panels[1], leg}, {panels[2], panels[3], nil}}
}

// findersAxes returns the x and y values of the grid's starts.
func findersAxes(g critical.BasinGrid) (xs, ys []float64) {
	for i := range g.NX {
		xs = append(xs, g.Start(i, 0)[0])
	}
	for j := range g.NY {
		ys = append(ys, g.Start(0, j)[1])
	}
	return xs, ys
}

// Outcomes of a run on the gradient-flat quartic, in the order of the
// figure's legend.
const (
	quarticMinimum   = "certified-minimum"   // certified at (-3, 0)
	quarticFlat      = "gradient-flat-sqrt2" // Status GradientFlat at x = √2
	quarticUnflagged = "unflagged-sqrt2"     // not certified at x = √2, another Status
	quarticFalse     = "false-certificate"   // certified anywhere but (-3, 0)
	quarticOther     = "other"               // not certified, elsewhere
)

var quarticOutcomes = []string{quarticMinimum, quarticFlat, quarticUnflagged, quarticFalse, quarticOther}

// quarticColors are the colours of quarticOutcomes: blue for the minimum
// (the colour of Himmelblau's first minimum), orange for the gradient-flat
// end points and yellow for the unflagged ones there, black for a false
// certificate and grey for the rest.
var quarticColors = []color.Color{plotx.Blue, plotx.Orange, plotx.Yellow, plotx.Black, findersFailedColor}

// quarticSides are the two sides of the line x = -√2, where the Hessian's
// x-eigenvalue 3x² - 6 changes sign.
var quarticSides = []string{"left", "right"}

// quarticOutcome classifies the run pt of the gradient-flat quartic fn.
func quarticOutcome(pt critical.Point, fn landscape.Function, sqrt2Tol float64) string {
	atSqrt2 := math.Abs(pt.X[0]-math.Sqrt2) <= sqrt2Tol
	switch end := findersMatch(pt, fn.Critical); {
	case end == 0:
		return quarticMinimum
	case pt.Converged:
		return quarticFalse
	case atSqrt2 && pt.Status == critical.GradientFlat && pt.GradientFlat:
		return quarticFlat
	case atSqrt2:
		return quarticUnflagged
	}
	return quarticOther
}

// quarticTally accumulates the runs of one method, side and outcome.
type quarticTally struct {
	count                int64
	iters, gg            float64
	minRatio, maxRatio   float64
	maxAbsY              float64
	gradEvals, hessEvals float64
}

func findersWriteQuartic(env *harness.Env, p findersParams, fn landscape.Function, g critical.BasinGrid, runs [][]critical.Point) error {
	if len(fn.Critical) != 1 {
		return fmt.Errorf("%s: %d critical points listed, want its one minimum", fn.Name, len(fn.Critical))
	}
	runTab := harness.NewTable(append([]string{"method", "x0", "y0", "side", "outcome"}, findersRunColumns...)...)
	outTab := harness.NewTable("method", "side", "outcome", "count", "starts", "fraction", "wilson_lo95", "wilson_hi95",
		"mean_iterations", "mean_grad_evaluations", "mean_hessian_evaluations", "mean_grad_norm_sq", "min_flat_ratio", "max_flat_ratio", "max_abs_y")
	xs, ys := findersAxes(g)
	var panels []*plot.Plot
	for m, method := range findersMethods {
		tally := map[[2]string]*quarticTally{}
		sideStarts := map[string]int64{}
		cat := make([][]int, g.NY)
		for j := range cat {
			cat[j] = make([]int, g.NX)
		}
		for idx, pt := range runs[m] {
			i, j := idx%g.NX, idx/g.NX
			x0 := g.Start(i, j)
			side := quarticSides[1]
			if x0[0] < -math.Sqrt2 {
				side = quarticSides[0]
			}
			out := quarticOutcome(pt, fn, p.Sqrt2Tol)
			cat[j][i] = slices.Index(quarticOutcomes, out)
			sideStarts[side]++
			key := [2]string{side, out}
			t := tally[key]
			if t == nil {
				t = &quarticTally{minRatio: math.Inf(1), maxRatio: math.Inf(-1)}
				tally[key] = t
			}
			t.count++
			t.iters += float64(pt.Iterations)
			t.gg += pt.GradNorm * pt.GradNorm
			t.minRatio = min(t.minRatio, pt.FlatRatio)
			t.maxRatio = max(t.maxRatio, pt.FlatRatio)
			t.maxAbsY = max(t.maxAbsY, math.Abs(pt.X[1]))
			t.gradEvals += float64(pt.Evaluations.Grad)
			t.hessEvals += float64(pt.Evaluations.Hess + pt.Evaluations.HessVec)
			runTab.Row(append([]any{method.String(), x0[0], x0[1], side, out}, findersRunCells(pt)...)...)
		}
		for _, side := range quarticSides {
			n := sideStarts[side]
			for _, out := range quarticOutcomes {
				t := tally[[2]string{side, out}]
				if t == nil {
					t = &quarticTally{}
				}
				lo, hi := stats.Wilson(t.count, n, stats.Z95)
				cells := []any{method.String(), side, out, t.count, n, float64(t.count) / float64(n), lo, hi}
				if t.count == 0 {
					cells = append(cells, nil, nil, nil, nil, nil, nil, nil)
				} else {
					c := float64(t.count)
					cells = append(cells, t.iters/c, t.gradEvals/c, t.hessEvals/c, harness.Round(t.gg/c, 6),
						harness.Round(t.minRatio, 6), harness.Round(t.maxRatio, 6), harness.Round(t.maxAbsY, 6))
				}
				outTab.Row(cells...)
			}
		}
		frac := func(side, out string) float64 {
			if t := tally[[2]string{side, out}]; t != nil {
				return 100 * float64(t.count) / float64(sideStarts[side])
			}
			return 0
		}
		env.Logf("quartic, %v: left of -√2 certified at (-3, 0) from %.1f%%; right of it certified from %.1f%%, gradient-flat at √2 from %.1f%%, unflagged at √2 from %.1f%%, other %.1f%%; false certificates from %.1f%% and %.1f%%",
			method, frac("left", quarticMinimum), frac("right", quarticMinimum), frac("right", quarticFlat), frac("right", quarticUnflagged),
			frac("right", quarticOther), frac("left", quarticFalse), frac("right", quarticFalse))

		title := fmt.Sprintf("%v, starts right of -√2: certified at (-3, 0)\nfrom %.1f%%, flagged gradient-flat at √2 from %.1f%%",
			method, frac("right", quarticMinimum), frac("right", quarticFlat))
		pl := plotx.New(title, "x₀ (start)", "y₀ (start)")
		plotx.Categories(pl, xs, ys, cat, quarticColors)
		if err := quarticMarks(pl, fn); err != nil {
			return err
		}
		plotx.SetFontSize(pl, 11)
		panels = append(panels, pl)
	}

	leg := plotx.LegendPanel("where the run from each start ends")
	names := map[string]string{
		quarticMinimum:   "certified minimum (-3, 0)",
		quarticFlat:      "at x = √2, flagged gradient-flat",
		quarticUnflagged: "at x = √2, not flagged",
		quarticFalse:     "certified elsewhere (false certificate)",
		quarticOther:     "not certified, elsewhere",
	}
	for k, out := range quarticOutcomes {
		plotx.LegendSwatch(leg, names[out], quarticColors[k])
	}
	if err := quarticMarksLegend(leg); err != nil {
		return err
	}

	if err := env.WriteCSV("quartic_runs.csv", runTab); err != nil {
		return err
	}
	if err := env.WriteCSV("quartic_outcomes.csv", outTab); err != nil {
		return err
	}
	return env.WritePlots("quartic_outcomes", 36*vg.Centimeter, 18*vg.Centimeter, findersPanelGrid(panels, leg))
}

// quarticLine is the style of the lines x = ±√2.
var quarticLine = draw.LineStyle{Color: plotx.Black, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}

// quarticMarks draws on p the lines x = ±√2, the minimum (-3, 0) and the
// gradient-flat points (±√2, 0) of the quartic fn.
func quarticMarks(p *plot.Plot, fn landscape.Function) error {
	for _, s := range []float64{-1, 1} {
		x := s * math.Sqrt2
		if err := plotx.Line(p, "", plotter.XYs{{X: x, Y: -2}, {X: x, Y: 2}}, quarticLine); err != nil {
			return err
		}
	}
	c := fn.Critical[0]
	if err := plotx.Points(p, "", plotter.XYs{{X: c.X[0], Y: c.X[1]}}, plotx.Black, draw.CircleGlyph{}); err != nil {
		return err
	}
	var flat plotter.XYs
	for _, x := range fn.GradientFlat {
		flat = append(flat, plotter.XY{X: x[0], Y: x[1]})
	}
	s, err := plotter.NewScatter(flat)
	if err != nil {
		return err
	}
	s.GlyphStyle = quarticFlatGlyph
	p.Add(s)
	return nil
}

// quarticFlatGlyph marks the gradient-flat points, larger than plotx.Points
// so that it stands out on the dashed lines.
var quarticFlatGlyph = draw.GlyphStyle{Color: plotx.Black, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}

// quarticMarksLegend adds the entries of quarticMarks to the legend panel
// leg.
func quarticMarksLegend(leg *plot.Plot) error {
	l, err := plotter.NewLine(plotter.XYs{{}, {X: 1}})
	if err != nil {
		return err
	}
	l.LineStyle = quarticLine
	leg.Legend.Add("x = ±√2, where 3x² - 6 = 0", l)
	for _, m := range []struct {
		label string
		glyph draw.GlyphStyle
	}{
		{"marker: the minimum (-3, 0)", draw.GlyphStyle{Color: plotx.Black, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}},
		{"marker: the gradient-flat points (±√2, 0)", quarticFlatGlyph},
	} {
		s, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return err
		}
		s.GlyphStyle = m.glyph
		leg.Legend.Add(m.label, s)
	}
	return nil
}
