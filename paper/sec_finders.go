package main

import (
	"math"
	"strings"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// Published numbers of the finders section.
var (
	// quarticFlatGradSq is ||grad f||² at the gradient-flat point (√2, 0)
	// of Frye et al.'s quartic, (9 - 4√2)², as quoted in the project's
	// reference notes (Frye et al. 2021).
	quarticFlatGradSq = 11.1766
	// himmelblauPoints describes Himmelblau's critical points (the
	// saddles section's himmelblauCounts).
	himmelblauPoints = "9 of 9 (4 minima, 4 saddles, 1 maximum)"
)

// quarticDefaultRelTol is critical.DefaultRelTol, √ε, the relative
// tolerance below which an eigenvalue counts as zero in the Newton step
// behind the flat ratio.
var quarticDefaultRelTol = math.Sqrt(0x1p-52)

func findersSection(r *tidy.Results) Section {
	const exp = "finders"
	m := r.Meta(exp)
	hsum := r.Table(exp, "himmelblau_summary.csv")
	hpts := r.Table(exp, "himmelblau_points.csv")
	qout := r.Table(exp, "quartic_outcomes.csv")
	qruns := r.Table(exp, "quartic_runs.csv")
	if !nonEmpty(r, hsum, hpts, qout, qruns) {
		return Section{}
	}
	methods := hsum.Strings("method")
	s := Section{
		Experiment: exp,
		Title:      "The critical-point finders from grids of starts: Himmelblau's function and a gradient-flat quartic",
		Question: "The toolkit's finders (`critical.Find`: pure Newton, damped Newton, Newton-MR and gradient-norm minimisation) certify a point as critical only when ‖g‖² < 10⁻¹⁰, and flag a point where they stall as gradient-flat when the residual ratio r = ‖Hp + g‖/(‖H‖_F‖p‖ + ‖g‖) of its Newton step p exceeds 0.9 (Frye et al. 2021). " +
			"On Himmelblau's function, with nine critical points of known kinds, does every finder find and correctly classify all of them, and from which starts? " +
			"On the quartic f = x⁴/4 - 3x² + 9x + 0.9y⁴ + 5y² + 40 of Frye et al. (2021), whose only critical point is the minimum (-3, 0) and whose gradient lies in the kernel of the Hessian at (±√2, 0), where ‖g‖² has the local minimum (9 - 4√2)² = 11.1766 at (√2, 0): " +
			"‖g‖² has a local maximum over x at x = -√2, so a finder that decreases ‖g‖² at every step and starts right of it cannot reach the minimum without jumping that barrier. Gradient-norm minimisation, a descent method on ‖g‖² with small steps, should then end flagged at (√2, 0) every time; Newton-MR, whose backtracking line search on ‖g‖² tries the full Newton step first, should do the same unless a trial step jumps the barrier; pure Newton, which is not drawn to minima of ‖g‖², should reach (-3, 0); every finder should certify (-3, 0) from the left of x = -√2, and none any other point. Which of this holds, start by start?",
		Figures: []Figure{
			{"himmelblau_basins", "Himmelblau's function: for each start of the grid over [-5, 5]², the critical point each finder certifies (grey: not certified; black: certified but not a listed point of the certified kind); markers at the nine critical points."},
			{"quartic_outcomes", "The gradient-flat quartic: for each start of the grid over [-4, 3] × [-2, 2], where each finder ends: certified at the minimum (-3, 0), not certified at x = √2 with or without the gradient-flat flag, certified elsewhere (a false certificate) or anywhere else; dashed lines at x = ±√2, markers at the minimum and the gradient-flat points."},
		},
	}
	grid := m.Number("himmelblau_grid")
	s.Setup = setup(m) + " " +
		sprintf("Each finder (%s) runs from every start of a %s × %s grid over [-5, 5]² on Himmelblau's function and of a %s × %s grid over [-4, 3] × [-2, 2] on the quartic, with at most %s iterations (%s for gradient-norm minimisation) and Find's other defaults (damping constants 10⁻¹, ..., 10⁻⁶; MINRES with the inexact-Newton forcing term; r > 0.9 for the flag). ",
			list(mapNames(methods)), num(grid.V, 4), num(grid.V, 4), m.Param("quartic_nx"), m.Param("quartic_ny"), m.Param("max_iterations"), m.Param("gradient_norm_iterations")) +
		"A point is certified when ‖g‖² < " + m.Param("grad_tol") + " (Frye et al.'s threshold as it is) and matched to a listed critical point by the rule of `critical.Basins` (within 10⁻⁶ + 2η, η the length of its Newton step); `critical.Summarize` counts the distinct certified points by kind. " +
		"On the quartic a run counts as ending at x = √2 when |x - √2| ≤ " + m.Param("sqrt2_tol") + "; no start lies on x = -√2. " +
		"The bounds marked *partly* below were chosen after the quick and default results had been seen: a share of at least 0.9 (10% for Newton-MR's) keeps the qualitative statement.\n\n" + params(m)

	// Himmelblau: every point found and classified, per method.
	var complete []string // the methods that found and classified all nine
	for _, method := range methods {
		row := hsum.Where("method", method).Row()
		found, right := row.Float("points_found"), row.Float("points_classified_right")
		mi, sa, ma, de := row.Float("minima"), row.Float("saddles"), row.Float("maxima"), row.Float("degenerate")
		got := sprintf("%s of 9 (%s %s, %s %s, %s %s", num(right.V, 3), num(mi.V, 3), plural("minimum", int(mi.V)), num(sa.V, 3), plural("saddle", int(sa.V)), num(ma.V, 3), plural("maximum", int(ma.V)))
		if de.V > 0 {
			got += sprintf(", %s degenerate", num(de.V, 3))
		}
		got += ")"
		ok := found.V == 9 && right.V == 9 && mi.V == 4 && sa.V == 4 && ma.V == 1 && de.V == 0
		if ok {
			complete = append(complete, methodName(method))
		}
		s.Claims = append(s.Claims, exactly(sprintf("%s on Himmelblau's function: critical points found from the grid and certified with their listed kind; distinct points by kind (`critical.Summarize`)", methodName(method)), "Lecture 4",
			himmelblauPoints, got, ok, found, right, mi, sa, ma, de))
	}

	// No false certificates, on either function.
	var falseCerts float64
	var certVals []tidy.Value
	for _, row := range hsum.Rows() {
		w, u := row.Float("wrong_kind"), row.Float("unmatched")
		falseCerts += w.V + u.V
		certVals = append(certVals, w, u)
	}
	for _, row := range qout.Where("outcome", "false-certificate").Rows() {
		c := row.Float("count")
		falseCerts += c.V
		certVals = append(certVals, c)
	}
	total := certVals[0].Derive(falseCerts, "sum of wrong_kind and unmatched over the methods, plus count where outcome=false-certificate in quartic_outcomes.csv")
	fc := atMost("runs that certify a point that is not a critical point of the certified kind (both functions, every finder)", "Frye et al. 2021",
		"0 (a certified point is critical)", total, 0, 0, 3).also(certVals[1:]...)
	fc.Tolerance = "exact"
	s.Claims = append(s.Claims, fc)

	// The quartic.
	side := func(method, side string) *tidy.Table { return qout.Where("method", method).Where("side", side) }
	share := func(method, sd string, outcomes ...string) tidy.Value {
		var v tidy.Value
		for _, o := range outcomes {
			row := side(method, sd).Where("outcome", o).Row()
			f := row.Float("fraction")
			v = f.Derive(v.V+f.V, "fraction where method="+method+", side="+sd+", outcome is "+strings.Join(outcomes, " or "))
		}
		return v
	}
	leftMin := 1.0
	var leftVals []tidy.Value
	for _, method := range methods {
		v := share(method, "left", "certified-minimum")
		leftMin = min(leftMin, v.V)
		leftVals = append(leftVals, v)
	}
	s.Claims = append(s.Claims, atLeast("quartic, starts left of x = -√2: share certified at the minimum (-3, 0), least over the four finders", "Frye et al. 2021",
		"all (the only critical point)", leftVals[0].Derive(leftMin, "least fraction over the methods where side=left, outcome=certified-minimum"), 1, 0.9, 4).also(leftVals[1:]...))
	s.Claims = append(s.Claims, atLeast("quartic, gradient-norm minimisation from the right of -√2: share ending at x = √2 without a certificate", "Frye et al. 2021",
		"all (a minimum of ‖g‖²)", share("gradient-norm", "right", "gradient-flat-sqrt2", "unflagged-sqrt2"), 1, 0.9, 4))
	s.Claims = append(s.Claims, atLeast("quartic, gradient-norm minimisation from the right of -√2: share ending there flagged gradient-flat (Status GradientFlat, r > 0.9)", "Frye et al. 2021",
		"all", share("gradient-norm", "right", "gradient-flat-sqrt2"), 1, 0.9, 4))
	gn := side("gradient-norm", "right").Where("outcome", "gradient-flat-sqrt2").Row()
	s.Claims = append(s.Claims, near("quartic: ‖g‖² at the points where gradient-norm minimisation ends flagged (mean)", "Frye et al. 2021",
		quarticFlatGradSq, gn.Float("mean_grad_norm_sq"), 5e-5, 1e-2, 6))
	s.Claims = append(s.Claims, atLeast("quartic, Newton-MR from the right of -√2: share ending flagged gradient-flat at x = √2", "Frye et al. 2021",
		"all (as gradient-norm minimisation)", share("newton-mr", "right", "gradient-flat-sqrt2"), 1, 0.1, 3))
	s.Claims = append(s.Claims, atLeast("quartic, pure Newton from the right of -√2: share certified at the minimum (-3, 0)", "Frye et al. 2021",
		"all (not drawn to minima of ‖g‖²)", share("newton", "right", "certified-minimum"), 1, 0.9, 4))

	// Tables.
	ht := DataTable{Caption: "*Himmelblau's function per finder (`himmelblau_summary.csv`, `himmelblau_points.csv`): starts certified, distinct certified points by kind, points found with their listed kind, share of the grid that ends at a saddle or the maximum, and mean iterations.*",
		Header: []string{"finder", "certified", "distinct", "minima / saddles / maxima / degenerate", "found with the listed kind", "ends at a saddle", "ends at the maximum", "mean iterations"}}
	for _, method := range methods {
		row := hsum.Where("method", method).Row()
		kindShare := func(kind string) float64 {
			var f float64
			for _, pr := range hpts.Where("method", method).Where("kind", kind).Rows() {
				f += pr.Float("fraction").V
			}
			return f
		}
		ht.Rows = append(ht.Rows, []string{methodName(method), row.String("certified") + " / " + row.String("starts"), row.String("distinct"),
			strings.Join([]string{row.String("minima"), row.String("saddles"), row.String("maxima"), row.String("degenerate")}, " / "),
			row.String("points_classified_right") + " of 9", pct(kindShare("saddle"), 3), pct(kindShare("maximum"), 3), num(row.Float("mean_iterations").V, 3)})
	}
	qt := DataTable{Caption: "*The quartic per finder and side of x = -√2 (`quartic_outcomes.csv`): starts by outcome, the mean ‖g‖² and least flat ratio r of the runs ending flagged at x = √2, and the mean iterations and gradient evaluations of all runs on that side.*",
		Header: []string{"finder", "side", "starts", "certified (-3, 0)", "flagged at √2", "unflagged at √2", "false certificate", "other", "‖g‖² flagged", "least r flagged", "mean iterations", "mean gradient evaluations"}}
	for _, method := range methods {
		for _, sd := range []string{"left", "right"} {
			rows := side(method, sd)
			cnt := func(o string) string { return rows.Where("outcome", o).Row().String("count") }
			flat := rows.Where("outcome", "gradient-flat-sqrt2").Row()
			gg, rr := "", ""
			if v, ok := flat.Maybe("mean_grad_norm_sq"); ok {
				gg = num(v.V, 6)
				rr = num(flat.Float("min_flat_ratio").V, 3)
			}
			var it, ge, n float64
			for _, row := range rows.Rows() {
				c := row.Float("count").V
				if c == 0 {
					continue
				}
				n += c
				it += c * row.Float("mean_iterations").V
				ge += c * row.Float("mean_grad_evaluations").V
			}
			qt.Rows = append(qt.Rows, []string{methodName(method), sd, rows.Rows()[0].String("starts"), cnt("certified-minimum"), cnt("gradient-flat-sqrt2"),
				cnt("unflagged-sqrt2"), cnt("false-certificate"), cnt("other"), gg, rr, num(it/n, 3), num(ge/n, 3)})
		}
	}
	s.Tables = []DataTable{ht, qt}

	// Discussion, from the numbers.
	var attracted []string
	for _, method := range methods {
		var f float64
		for _, pr := range hpts.Where("method", method).Rows() {
			if pr.String("kind") != "minimum" {
				f += pr.Float("fraction").V
			}
		}
		attracted = append(attracted, sprintf("%s %s", methodName(method), pct(f, 2)))
	}
	who := sprintf("%d of the %d finders (%s)", len(complete), len(methods), list(complete))
	if len(complete) == len(methods) {
		who = "every finder"
	}
	him := sprintf("On Himmelblau's function %s certifies all nine critical points with their listed kinds, and `critical.Summarize` counts four minima, four saddles and one maximum. "+
		"The finders look for any critical point, not for minima: the share of the grid that ends at a saddle or the maximum is %s (first figure of this section).",
		who, list(attracted))

	mr := share("newton-mr", "right", "gradient-flat-sqrt2")
	mrMin := share("newton-mr", "right", "certified-minimum")
	mrUn := side("newton-mr", "right").Where("outcome", "unflagged-sqrt2").Row()
	dn := share("damped-newton", "right", "gradient-flat-sqrt2", "unflagged-sqrt2")
	gnUn := side("gradient-norm", "right").Where("outcome", "unflagged-sqrt2").Row().Float("count")
	dnUn := side("damped-newton", "right").Where("outcome", "unflagged-sqrt2").Row().Float("count")

	// The unflagged stalls of gradient-norm minimisation and damped Newton
	// at y = 0: the Hessian's x-eigenvalue 3x² - 6 there, against the
	// tolerance √ε‖H‖₂ (‖H‖₂ = 10 + 10.8y²) below which it counts as zero
	// in the Newton step behind r.
	lamFlagged, lamUnflagged, dxUnflagged := 0.0, math.Inf(1), 0.0
	for _, method := range []string{"gradient-norm", "damped-newton"} {
		for _, row := range qruns.Where("method", method).Rows() {
			o := row.String("outcome")
			if o != "gradient-flat-sqrt2" && o != "unflagged-sqrt2" {
				continue
			}
			x, y := row.Float("x").V, row.Float("y").V
			lam := math.Abs(3*x*x-6) / (quarticDefaultRelTol * (10 + 10.8*y*y))
			if o == "gradient-flat-sqrt2" {
				lamFlagged = max(lamFlagged, lam)
			} else {
				lamUnflagged = min(lamUnflagged, lam)
				dxUnflagged = max(dxUnflagged, math.Abs(x-math.Sqrt2))
			}
		}
	}
	quartic := "On the quartic no finder certifies anything but the minimum (-3, 0), which all of them certify from every start left of x = -√2. "
	gnRight := side("gradient-norm", "right").Rows()[0].String("starts")
	quartic += sprintf("From the right, gradient-norm minimisation ends at x = √2 from %s of its %s starts, with mean ‖g‖² = %s at the flagged points. ",
		pct(share("gradient-norm", "right", "gradient-flat-sqrt2", "unflagged-sqrt2").V, 4), gnRight, num(gn.Float("mean_grad_norm_sq").V, 6))
	if gnUn.V+dnUn.V > 0 {
		quartic += sprintf("Of these runs %s, and %s of damped Newton's, end there without the gradient-flat flag, with r = 0. "+
			"They stopped within %s of √2, where |3x² - 6|/(√ε‖H‖₂), the Hessian's small eigenvalue over the tolerance below which the Newton step behind r treats an eigenvalue as zero, is at least %s, while it is at most %s at every flagged end point of the two finders: "+
			"the step then solves the nearly singular direction exactly and its residual, the numerator of r, vanishes. "+
			"Whether the flag is raised thus depends on how close to √2 the iteration stalls (rows with outcome unflagged-sqrt2 in `quartic_runs.csv`). ",
			num(gnUn.V, 3), num(dnUn.V, 3), num(dxUnflagged, 1), num(lamUnflagged, 2), num(lamFlagged, 2))
	}
	quartic += sprintf("Newton-MR ends flagged at x = √2 from %s of the starts right of -√2 and certifies the minimum from %s, so the statement that it ends there from every start holds only in part. "+
		"The two outcomes interleave at the scale of the grid (second figure), as when a backtracking trial of a huge step near the nearly singular Hessian lands in the basin of (-3, 0) or does not. ",
		pct(mr.V, 3), pct(mrMin.V, 3))
	if c := mrUn.Float("count").V; c > 0 {
		quartic += sprintf("A further %s of its runs (%s) stop at x = √2 with |y| up to %s and r up to %s, unflagged: they stalled before y reached 0, and the y-part of the gradient, which the Newton step resolves, keeps r below 0.9. ",
			num(c, 3), pct(mrUn.Float("fraction").V, 2), num(mrUn.Float("max_abs_y").V, 2), num(mrUn.Float("max_flat_ratio").V, 2))
	}
	quartic += sprintf("Pure Newton, which solves H p = -g without a line search on ‖g‖², certifies (-3, 0) from %s of the starts right of -√2, and damped Newton ends at x = √2 from %s of them.",
		pct(share("newton", "right", "certified-minimum").V, 3), pct(dn.V, 2))
	s.Discussion = him + "\n\n" + quartic
	return s
}
