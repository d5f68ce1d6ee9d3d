package main

import (
	"math"
	"strings"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// Published numbers of the saddles section.
var (
	// himmelblauCounts are the numbers of minima, saddles and maxima of
	// Himmelblau's function (project reference notes, "Classifying
	// critical points").
	himmelblauCounts = map[string]int{"minimum": 4, "saddle": 4, "maximum": 1}
	// himmelblauMax is Himmelblau's local maximum and its value, to the
	// six digits quoted.
	himmelblauMax = struct{ x, y, f float64 }{-0.270845, -0.923039, 181.617}
)

// methodNames are the names of the methods in prose, by result name.
var methodNames = map[string]string{
	"gd": "gradient descent", "sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov", "adagrad": "Adagrad",
	"rmsprop": "RMSprop", "adam": "Adam", "newton": "Newton", "damped-newton": "damped Newton",
	"saddle-free-newton": "saddle-free Newton", "newton-mr": "Newton-MR", "gradient-norm": "gradient-norm minimisation",
	"gd-annealed": "annealed gradient descent", "sgd-minibatch": "minibatch SGD", "sgd-minibatch-annealed": "annealed minibatch SGD",
	"sgd-online": "online SGD", "sgd-online-annealed": "annealed online SGD", "saddle-free-newton-krylov": "saddle-free Newton (Krylov)",
}

// methodName returns the prose name of the method called name.
func methodName(name string) string {
	if s, ok := methodNames[name]; ok {
		return s
	}
	return name
}

// functionNames are the test functions in prose, by result name.
var functionNames = map[string]string{
	"saddle-quadratic": "5x² - y²", "monkey-saddle": "monkey saddle", "beale": "Beale", "rosenbrock": "Rosenbrock",
}

// functionName returns the prose name of the test function called name.
func functionName(name string) string {
	if s, ok := functionNames[name]; ok {
		return s
	}
	return name
}

// statusNames are the optimizers' stopping statuses in prose.
var statusNames = map[string]string{
	"GradientThreshold": "gradient threshold", "Diverged": "diverged", "IterationLimit": "iteration limit",
}

func saddlesSection(r *tidy.Results) Section {
	const exp = "saddles"
	m := r.Meta(exp)
	runs := r.Table(exp, "saddles_runs.csv")
	points := r.Table(exp, "himmelblau_basins.csv")
	kinds := r.Table(exp, "himmelblau_basin_summary.csv")
	if !nonEmpty(r, runs, points, kinds) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "Optimizers near saddle points, and Newton's basins on Himmelblau's function",
		Question: "The lecture and Dauphin et al. (2014, Figure 2 and section 4) contrast how optimizers behave at a saddle point: gradient descent is repelled along the negative-curvature direction, slowly when that curvature is small; " +
			"pure Newton rescales every eigendirection by 1/λᵢ, so it moves towards the saddle along the negative one and is attracted to it; saddle-free Newton rescales by 1/|λᵢ| and leaves. " +
			"Do the implemented optimizers behave exactly as the closed forms say on the textbook saddles, and how large are Newton's basins of attraction of saddles and maxima on a function with nine critical points?",
		Figures: []Figure{
			{"saddles_trajectories", "Trajectories of the nine optimizers on 5x² - y², the monkey saddle x³ - 3xy², Beale's function near its saddle (0.1005, -2.6445) and Rosenbrock's function from (-1.2, 1); the cross marks the saddle (the minimum for Rosenbrock)."},
			{"saddles_distance", "Distance to the saddle (Rosenbrock: to the minimum) against the iteration, logarithmic axes; a run that lands on the saddle is drawn at the bottom of the axis."},
			{"himmelblau_basins", "Basins of attraction on Himmelblau's function: for each start of the grid over [-5, 5]², the critical point that pure Newton (left) and saddle-free Newton (right) converge to."},
		},
	}

	fns := runs.Distinct("function")
	var rates []string
	for _, fn := range fns {
		var rs []string
		for _, row := range runs.Where("function", fn).Rows() {
			if v, ok := row.Maybe("learning_rate"); ok && !strings.Contains(strings.Join(rs, " "), num(v.V, 3)) {
				rs = append(rs, num(v.V, 3))
			}
		}
		rates = append(rates, sprintf("%s: η = %s", functionName(fn), strings.Join(rs, " and ")))
	}
	grid := m.Number("basin_grid")
	s.Setup = setup(m) + " " +
		sprintf("Nine methods (%s) run from the same start on each function, for at most %s iterations, with learning rates (first-order methods, then adaptive ones) %s; momentum and Nesterov use α = 0.9, damped Newton Levenberg-Marquardt damping, saddle-free Newton the damping among {0, 10⁻³, ..., 10} that lowers the loss most at each step. ",
			strings.Join(mapNames(runs.Distinct("method")), ", "), m.Param("max_iterations"), strings.Join(rates, "; ")) +
		"A run *leaves* the saddle when an iterate is farther from it than the radius in `saddles_runs.csv` (1 for the two polynomial saddles, 0.5 for Beale's); an end point is classified only when certified critical (‖g‖² < " + m.Param("grad_tol") + "). " +
		sprintf("The basin maps start Newton and saddle-free Newton from a %s × %s grid over [-5, 5]² with at most %s iterations each.\n\n",
			num(grid.V, 4), num(grid.V, 4), m.Param("basin_max_iterations")) + params(m)

	run := func(fn, method string) tidy.Row { return runs.Where("function", fn).Where("method", method).Row() }

	// Newton lands on the saddle of 5x² - y² in one step.
	nq := run("saddle-quadratic", "newton")
	steps := nq.Float("iterations")
	if nq.Float("converged_to_saddle").V != 1 {
		steps = steps.Derive(math.Inf(1), "iterations where function=saddle-quadratic, method=newton (did not converge to the saddle)")
	}
	s.Claims = append(s.Claims, near("pure Newton on 5x² - y²: steps to land on the saddle (0, 0)", "Lecture 4", 1, steps, 0, 0, 3).also(nq.Float("converged_to_saddle")))

	// Newton halves the point on the monkey saddle.
	nm := run("monkey-saddle", "newton")
	k := nm.Float("iterations")
	ratio := nm.Float("final_x").Derive(nm.Float("final_x").V/nm.Float("start_x").V*math.Pow(2, k.V),
		"final_x/start_x·2^iterations where function=monkey-saddle, method=newton")
	s.Claims = append(s.Claims, near(sprintf("pure Newton on the monkey saddle halves the point: x_k/x_0·2^k after k = %d steps", int(k.V)), "Lecture 4", 1, ratio, 1e-12, 1e-3, 6).also(k))

	// Gradient descent and saddle-free Newton leave 5x² - y² at the
	// iteration the linear maps predict.
	gd := run("saddle-quadratic", "gd")
	eta := gd.Float("learning_rate").V
	x0, y0, rad := gd.Float("start_x").V, gd.Float("start_y").V, gd.Float("radius").V
	gdEscape := escapeIteration(x0, y0, rad, 1-10*eta, 1+2*eta)
	s.Claims = append(s.Claims, near(sprintf("gradient descent on 5x² - y² (η = %s): first iterate outside radius %s, from (x, y) ↦ ((1 - 10η)x, (1 + 2η)y)", num(eta, 3), num(rad, 3)), "Lecture 4",
		float64(gdEscape), gd.Float("escape_iteration"), 0, 2, 4))
	sfn := run("saddle-quadratic", "saddle-free-newton")
	sfnEscape := escapeIteration(x0, y0, rad, 0, 2)
	s.Claims = append(s.Claims, near("saddle-free Newton on 5x² - y²: first iterate outside the same radius, from (x, y) ↦ (0, 2y)", "Dauphin et al. 2014",
		float64(sfnEscape), sfn.Float("escape_iteration"), 0, 2, 4))

	// Every method but Newton leaves the saddles.
	var left, total tidy.Value
	var firstOrder []string
	for _, fn := range fns {
		for _, method := range []string{"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"} {
			row := run(fn, method)
			e, ok := row.Maybe("escaped")
			if !ok {
				continue // no saddle on this function
			}
			total.V++
			left.V += e.V
			if e.V == 0 {
				firstOrder = append(firstOrder, methodName(method)+" on "+functionName(fn))
			}
			left.File, left.What = e.File, "escaped (share of rows) where method is gd, momentum, nesterov, adagrad, rmsprop or adam and the function has a saddle"
		}
	}
	s.Claims = append(s.Claims, atLeast(sprintf("first-order and adaptive methods leave the saddles (%d runs)", int(total.V)), "Dauphin et al. 2014",
		"they leave (qualitative)", left.Derive(left.V/total.V, left.What), 1, 0.5, 3))
	var sfnLeft, sfnTotal float64
	for _, fn := range fns {
		if e, ok := run(fn, "saddle-free-newton").Maybe("escaped"); ok {
			sfnTotal++
			sfnLeft += e.V
		}
	}
	s.Claims = append(s.Claims, atLeast(sprintf("saddle-free Newton leaves every saddle (%d functions)", int(sfnTotal)), "Dauphin et al. 2014",
		"it leaves (qualitative)", sfn.Float("escaped").Derive(sfnLeft/sfnTotal, "escaped (share of rows) where method=saddle-free-newton and the function has a saddle"), 1, 0.5, 3))

	// Himmelblau's critical points.
	nt := points.Where("method", "newton")
	var found []string
	equal := true
	var kindVals []tidy.Value
	for _, kind := range []string{"minimum", "saddle", "maximum"} {
		c := nt.Where("kind", kind)
		found = append(found, sprintf("%d %s", c.Len(), plural(kind, c.Len())))
		equal = equal && c.Len() == himmelblauCounts[kind]
		kindVals = append(kindVals, tidy.Value{V: float64(c.Len()), File: points.Name(), What: "rows where method=newton, kind=" + kind})
	}
	s.Claims = append(s.Claims, exactly("Himmelblau's function: certified critical points reached from the grid", "Lecture 4",
		"4 minima, 4 saddles, 1 maximum", strings.Join(found, ", "), equal, kindVals...))
	mx := nt.Where("kind", "maximum").Row()
	mxX, mxY := mx.Float("x"), mx.Float("y")
	dist := mxX.Derive(math.Hypot(mxX.V-himmelblauMax.x, mxY.V-himmelblauMax.y), "distance of (x, y) where method=newton, kind=maximum from the published point")
	c := atMost("Himmelblau's maximum: location", "Lecture 4", sprintf("(%s, %s)", num(himmelblauMax.x, 6), num(himmelblauMax.y, 6)), dist, 1e-6, 1e-3, 2).also(mxX, mxY)
	c.Measured = sprintf("(%s, %s)", num(mxX.V, 8), num(mxY.V, 8))
	c.Difference = "distance " + num(dist.V, 2)
	c.Tolerance = "distance ≤ 10⁻⁶, the rounding of 6 decimals (partly ≤ 10⁻³)"
	s.Claims = append(s.Claims, c)
	s.Claims = append(s.Claims, near("Himmelblau's maximum: value", "Lecture 4", himmelblauMax.f, mx.Float("f"), 5e-4, 0.1, 7))

	// Basins.
	share := func(method string) tidy.Value {
		sad := kinds.Where("method", method).Where("kind", "saddle").Row().Float("fraction")
		max := kinds.Where("method", method).Where("kind", "maximum").Row().Float("fraction")
		return sad.Derive(sad.V+max.V, "fraction where method="+method+" and kind is saddle or maximum")
	}
	s.Claims = append(s.Claims, atLeast("pure Newton is attracted to saddles and maxima: share of the grid that ends on one", "Dauphin et al. 2014",
		"attracted (qualitative)", share("newton"), 0.1, 0.01, 3))
	s.Claims = append(s.Claims, atMost("saddle-free Newton is not: share of the grid that ends on a saddle or the maximum", "Dauphin et al. 2014",
		"0 (repelled)", share("saddle-free-newton"), 1e-3, 0.05, 3))

	rt := DataTable{Caption: "*Every run (`saddles_runs.csv`): the iteration at which it left the saddle's ball, and how it ended (the certified kind of its end point, or why it stopped).*",
		Header: append([]string{"method"}, mapFunctions(fns)...)}
	for _, method := range runs.Distinct("method") {
		row := []string{methodName(method)}
		for _, fn := range fns {
			x := run(fn, method)
			var parts []string
			if e, ok := x.Maybe("escaped"); ok {
				if e.V == 1 {
					parts = append(parts, "left at "+x.String("escape_iteration"))
				} else {
					parts = append(parts, "stayed")
				}
			}
			end := x.String("final_kind")
			if end == "not-converged" {
				end = statusNames[x.String("status")]
				if end == "" {
					end = x.String("status")
				}
			}
			parts = append(parts, sprintf("%s after %s", end, x.String("iterations")))
			row = append(row, strings.Join(parts, "; "))
		}
		rt.Rows = append(rt.Rows, row)
	}
	bt := DataTable{Caption: "*Where the grid's starts end on Himmelblau's function (`himmelblau_basin_summary.csv`), with 95% Wilson intervals.*",
		Header: []string{"method", "kind", "starts", "fraction", "95% interval"}}
	for _, row := range kinds.Rows() {
		bt.Rows = append(bt.Rows, []string{methodName(row.String("method")), row.String("kind"), row.String("count") + " / " + row.String("starts"),
			num(row.Float("fraction").V, 3), sprintf("[%s, %s]", num(row.Float("wilson_lo95").V, 3), num(row.Float("wilson_hi95").V, 3))})
	}
	s.Tables = []DataTable{rt, bt}

	beale := run("beale", "gd")
	var valley []string
	var valleyY float64
	for _, method := range runs.Distinct("method") {
		if y := run("beale", method).Float("final_y").V; y < -10 {
			valley = append(valley, methodName(method))
			valleyY = min(valleyY, y)
		}
	}
	s.Discussion = "On the quadratic and monkey saddles the optimizers follow their closed forms to the iteration: pure Newton lands on the saddle of 5x² - y² in one step and converges linearly into the degenerate monkey saddle by halving the point, while gradient descent and saddle-free Newton leave at exactly the iterations their linear maps predict. " +
		sprintf("The methods that leave these two saddles run off towards -∞ (they diverge or reach the iteration limit), as they must: neither function is bounded below. Of the first-order and adaptive runs only %s stayed near a saddle within the budget: its effective step shrinks as squared gradients accumulate, and Beale's saddle has a negative curvature of only -0.781 against 867.8 in the stiff direction (gradient descent needs %s iterations to leave it). ",
			list(firstOrder), beale.String("escape_iteration")) +
		sprintf("On Beale's function %s leave the saddle away from the minimum and run down the valley x y³ = -2.625 towards y → -∞ (final y about %s), where the function tends to 7.3125 without reaching it: not reaching the minimum (3, 0.5) is then the landscape, not the method; pure Newton jumps to Beale's other saddle, (%s, %s). ",
			list(valley), num(valleyY, 2), fixed(run("beale", "newton").Float("final_x").V, 3), fixed(run("beale", "newton").Float("final_y").V, 3)) +
		sprintf("On Himmelblau's function every one of the nine critical points is found and certified, and pure Newton ends on a saddle or the maximum from %s of the grid, saddle-free Newton from none of it.", pct(share("newton").V, 2))
	return s
}

// escapeIteration returns the first k >= 0 at which the iterates
// (x0 a^k, y0 b^k) of a diagonal linear map are farther than r from the
// origin, or -1 if they stay within 10⁶ steps.
func escapeIteration(x0, y0, r, a, b float64) int {
	x, y := x0, y0
	for k := 0; k < 1e6; k++ {
		if math.Hypot(x, y) > r {
			return k
		}
		x, y = a*x, b*y
	}
	return -1
}

// mapNames returns the prose names of methods.
func mapNames(methods []string) []string {
	out := make([]string, len(methods))
	for i, m := range methods {
		out[i] = methodName(m)
	}
	return out
}

// mapFunctions returns the prose names of test functions.
func mapFunctions(fns []string) []string {
	out := make([]string, len(fns))
	for i, f := range fns {
		out[i] = functionName(f)
	}
	return out
}

// plural returns the plural of a kind of critical point when n != 1.
func plural(kind string, n int) string {
	if n == 1 {
		return kind
	}
	switch kind {
	case "minimum":
		return "minima"
	case "maximum":
		return "maxima"
	}
	return kind + "s"
}
