package main

import (
	"math"
	"strconv"
	"strings"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

func newtonAttractionSection(r *tidy.Results) Section {
	const exp = "newton-attraction"
	m := r.Meta(exp)
	frac := r.Table(exp, "newton_attraction_fractions.csv")
	sum := r.Table(exp, "newton_attraction_summary.csv")
	runs := r.Table(exp, "newton_attraction_runs.csv")
	if !nonEmpty(r, frac, sum) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "Where methods end from random starts: Newton is attracted to saddles",
		Question: "Dauphin et al. (2014, section 4) argue that pure Newton, which rescales each eigendirection by 1/λᵢ, converges to critical points of any index, and that in high dimensions almost all critical points are saddles, so Newton ends on saddles; " +
			"gradient descent, momentum and Adam move downhill and do not; saddle-free Newton, rescaling by 1/|λᵢ|, is repelled by saddles. Started at random on Gaussian random fields of growing dimension and on a small network, where does each method end?",
		Figures: []Figure{
			{"newton_attraction_saddles", "Random fields: the fraction of all starts that end at a certified saddle, the fraction of certified end points that are saddles, and the fraction of runs certified critical, against the dimension N, per method."},
			{"newton_attraction_outcomes", "Outcome of every run per landscape and method: certified minimum, saddle, maximum or degenerate critical point, or not converged."},
		},
	}
	fields := sum.Where("landscape", "random-field")
	dims := fields.Distinct("n")
	mlp := sum.Where("landscape", "mlp")
	mlpN := ""
	if mlp.Len() > 0 {
		mlpN = mlp.Strings("n")[0]
	}
	s.Setup = setup(m) + " " +
		sprintf("Random fields (Bray & Dean 2007) in N = %s dimensions with %s random Fourier features and correlation length √N; %s starts per landscape, uniform in the ball of radius %s√N, shared by all methods (%s). ",
			list(dims), m.Param("features"), m.Param("starts"), m.Param("start_radius"), list(mapNames(sum.Distinct("method")))) +
		sprintf("The network is a tanh student %s (%s parameters) fitted by mean squared error to %s Gaussian inputs labelled by a teacher %s plus noise of standard deviation %s, started from Glorot-normal initialisations. ",
			m.Param("student_sizes"), mlpN, m.Param("samples"), m.Param("teacher_sizes"), m.Param("noise")) +
		sprintf("Budgets: %s iterations for gradient descent, momentum and Adam, %s for the Newton family and Newton-MR. Every end point is analysed by `critical.Analyze` and counted as critical only when ‖g‖² < %s; the rest are *not converged*.\n\n",
			m.Param("first_order_iterations"), m.Param("second_order_iterations"), m.Param("grad_tol")) + params(m)

	// pooled counts outcomes of methods on the landscapes accepted by keep.
	pooled := func(methods []string, land string, keep func(n int) bool, outcomes ...string) (hit, cert tidy.Value) {
		t := frac.Where("landscape", land)
		var what []string
		for _, method := range methods {
			tm := t.Where("method", method)
			for _, n := range tm.Distinct("n") {
				d, _ := strconv.Atoi(n)
				if !keep(d) {
					continue
				}
				tn := tm.Where("n", n)
				cert.V += tn.Where("outcome", "minimum").Row().Float("certified").V
				for _, o := range outcomes {
					hit.V += tn.Where("outcome", o).Row().Float("count").V
				}
			}
			what = append(what, method)
		}
		desc := sprintf("count (outcome %s) over certified, where landscape=%s, method %s", strings.Join(outcomes, " or "), land, strings.Join(what, " or "))
		hit.File, hit.What = frac.Name(), desc
		cert.File, cert.What = frac.Name(), "certified, "+desc
		return hit, cert
	}
	all := func(int) bool { return true }
	share := func(hit, cert tidy.Value) tidy.Value { return hit.Derive(hit.V/max(cert.V, 1), hit.What) }

	h, c := pooled([]string{"newton"}, "random-field", func(n int) bool { return n >= 5 }, "saddle")
	newtonSaddles, newtonCert := h, c
	cl := atLeast(sprintf("pure Newton on random fields, N ≥ 5: share of its certified end points that are saddles (%d of %d)", int(h.V), int(c.V)), "Dauphin et al. 2014",
		"almost all (qualitative)", share(h, c), 0.9, 0.5, 3)
	s.Claims = append(s.Claims, cl)
	h, c = pooled([]string{"gd", "momentum", "adam"}, "random-field", all, "saddle", "maximum", "degenerate")
	s.Claims = append(s.Claims, atMost(sprintf("gradient descent, momentum and Adam on random fields: share of certified end points that are not minima (%d of %d)", int(h.V), int(c.V)), "Dauphin et al. 2014",
		"0 (they move downhill)", share(h, c), 0.01, 0.1, 3))
	h, c = pooled([]string{"saddle-free-newton"}, "random-field", all, "saddle", "maximum", "degenerate")
	s.Claims = append(s.Claims, atMost(sprintf("saddle-free Newton on random fields: share of certified end points that are not minima (%d of %d)", int(h.V), int(c.V)), "Dauphin et al. 2014",
		"0 (repelled by saddles)", share(h, c), 0.01, 0.1, 3))
	var sfnMLP, sfnMLPDegenerate, sfnMLPCert tidy.Value
	if mlpN != "" {
		h, c = pooled([]string{"saddle-free-newton"}, "mlp", all, "saddle", "maximum")
		sfnMLP, sfnMLPCert = h, c
		sfnMLPDegenerate, _ = pooled([]string{"saddle-free-newton"}, "mlp", all, "degenerate")
		cl := atMost(sprintf("saddle-free Newton on the network: share of certified end points that are saddles or maxima (%d of %d; %d degenerate)", int(h.V), int(c.V), int(sfnMLPDegenerate.V)), "Dauphin et al. 2014",
			"0 (repelled by saddles)", share(h, c), 0.01, 0.5, 3)
		// A degenerate end point may be a saddle whose negative eigenvalue
		// the test cannot resolve: when they are the majority, no
		// saddle-free result is a reproduction.
		if cl.Verdict == Reproduced && 2*sfnMLPDegenerate.V > c.V {
			cl.Verdict = Partly
		}
		cl.Tolerance += "; partly when most end points are degenerate"
		s.Claims = append(s.Claims, cl)
	}

	t := DataTable{Caption: "*End points per landscape and method (`newton_attraction_fractions.csv`, `newton_attraction_summary.csv`): how many of the starts were certified critical, the kinds of the certified points, and their mean index fraction α and energy f/N.*",
		Header: []string{"landscape", "method", "certified", "minima", "saddles", "maxima", "degenerate", "mean α", "mean f/N"}}
	for _, row := range sum.Rows() {
		land, n, method := row.String("landscape"), row.String("n"), row.String("method")
		fr := frac.Where("landscape", land).Where("n", n).Where("method", method)
		name := "random field N = " + n
		if land == "mlp" {
			name = "network (" + n + " parameters)"
		}
		cells := []string{name, methodName(method), row.String("certified") + " / " + row.String("starts")}
		for _, o := range []string{"minimum", "saddle", "maximum", "degenerate"} {
			cells = append(cells, fr.Where("outcome", o).Row().String("count"))
		}
		alpha, f := "", ""
		if v, ok := row.Maybe("mean_index_fraction_certified"); ok {
			alpha = num(v.V, 3)
		}
		if v, ok := row.Maybe("mean_f_per_n_certified"); ok {
			f = num(v.V, 3)
		}
		t.Rows = append(t.Rows, append(cells, alpha, f))
	}
	s.Tables = []DataTable{t}

	newt := fields.Where("method", "newton")
	var certs []string
	for _, n := range dims {
		row := newt.Where("n", n).Row()
		certs = append(certs, sprintf("%s of %s at N = %s", row.String("certified"), row.String("starts"), n))
	}
	n2 := frac.Where("landscape", "random-field").Where("n", dims[0]).Where("method", "newton")
	_, mlpFirstCert := pooled([]string{"gd", "momentum", "adam"}, "mlp", all, "minimum")
	mrSaddles, mrCert := pooled([]string{"newton-mr"}, "mlp", all, "saddle")
	downhill := []string{"gd", "momentum", "adam", "damped-newton", "saddle-free-newton"}
	bad, good := pooled(downhill, "random-field", all, "saddle", "maximum", "degenerate")
	downhillEnd := "only at minima"
	if bad.V > 0 {
		downhillEnd = sprintf("at minima but for %d of %d certified end points", int(bad.V), int(good.V))
	}
	// |λ_min| and the loss at saddle-free Newton's
	// degenerate end points on the network, as medians.
	var sfnEig, sfnLoss []float64
	for _, row := range runs.Where("landscape", "mlp").Where("method", "saddle-free-newton").Where("outcome", "degenerate").Rows() {
		sfnEig = append(sfnEig, math.Abs(row.Float("min_eigenvalue").V))
		sfnLoss = append(sfnLoss, row.Float("f").V)
	}
	s.Discussion = sprintf("In %s dimensions pure Newton ends on minima, saddles and maxima alike (%s, %s and %s of %s starts); from N = 5 on, %d of its %d certified end points are saddles, with index fraction near 1/2 and energy per coordinate near 0 (table), which is where Bray & Dean put the bulk of a random field's critical points. ",
		dims[0], n2.Where("outcome", "minimum").Row().String("count"), n2.Where("outcome", "saddle").Row().String("count"), n2.Where("outcome", "maximum").Row().String("count"), n2.Where("outcome", "minimum").Row().String("starts"),
		int(newtonSaddles.V), int(newtonCert.V)) +
		sprintf("Newton's certified fraction falls with the dimension (%s): its steps scale like 1/|λ_min| and carry it beyond the correlation length, so in high dimension it wanders until its budget is spent rather than converging to anything; the claim is about where it converges, and the table gives both. ", strings.Join(certs, ", ")) +
		sprintf("Gradient descent, momentum, Adam, damped Newton and saddle-free Newton end %s on the random fields. ", downhillEnd) +
		sprintf("On the network the picture is less clean: gradient descent, momentum and Adam certify %d end points within their budget. Saddle-free Newton ends at %d saddles or maxima, but %d of its %d certified end points are degenerate: their smallest eigenvalues (median |λ_min| %s, at a median loss of %s) are within the change of the Hessian over the estimated distance to the critical point (the certificate's DistanceError), so the second-order test cannot tell a flat minimum from a saddle there, and the claim is only partly reproduced. Newton-MR [Roosta et al. 2022], a critical-point finder that minimises ‖g‖², ends at a saddle in %d of its %d certified runs, as a finder of critical points of any index may.",
			int(mlpFirstCert.V), int(sfnMLP.V), int(sfnMLPDegenerate.V), int(sfnMLPCert.V), num(median(sfnEig), 2), num(median(sfnLoss), 2), int(mrSaddles.V), int(mrCert.V))
	return s
}
