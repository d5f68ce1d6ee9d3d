package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// fryeRates are the success rates (final ‖∇L‖² < 1e-10) of the
// critical-point finders on the deep linear autoencoder, with the
// published ± (Frye et al. 2019, as quoted in the project's reference
// notes).
var fryeRates = map[string]struct{ rate, margin float64 }{
	"newton-mr":     {0.80, 0.04},
	"damped-newton": {0.45, 0.05},
	"gradient-norm": {0.35, 0.06},
}

// rateClaim returns a claim that a published success rate p ± margin agrees
// with the measured rate m and its 95% interval [lo, hi]: reproduced when p
// lies in the interval, partly when the interval meets [p - margin,
// p + margin].
func rateClaim(text, cite string, p, margin float64, m, lo, hi tidy.Value) Claim {
	d := m.V - p
	return Claim{
		Text: text, Cite: cite,
		Published:  fmt.Sprintf("%s ± %s", pct(p, 2), pct(margin, 1)),
		Measured:   fmt.Sprintf("%s [%s, %s]", pct(m.V, 3), pct(lo.V, 2), pct(hi.V, 2)),
		Difference: signed(100*d, 2) + " points",
		Tolerance:  "published rate in our 95% interval (partly: the interval meets the published ±)",
		Verdict:    grade(lo.V <= p && p <= hi.V, lo.V <= p+margin && p-margin <= hi.V),
		From:       []tidy.Value{m, lo, hi},
	}
}

func autoencoderSection(r *tidy.Results) Section {
	const exp = "autoencoder"
	m := r.Meta(exp)
	succ := r.Table(exp, "success.csv")
	runs := r.Table(exp, "runs.csv")
	analytic := r.Table(exp, "analytic.csv")
	if !nonEmpty(r, succ, runs, analytic) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "Critical-point finders on a deep linear autoencoder",
		Question: "Frye, Wadia, DeWeese & Bouchard (2019) benchmarked critical-point finders on a loss whose critical points are all known: a linear autoencoder 16-4-16 on Gaussian data with variances 1, ..., 16, whose critical points are the projections onto any at most 4 of the data's eigenvectors (2517 classes; Baldi & Hornik). " +
			"They found that Newton-MR reaches ‖∇L‖² < 10⁻¹⁰ from 80% ± 4 of its starts, damped Newton from 45% ± 5 and gradient-norm minimisation from 35% ± 6. Do the toolkit's finders do as well, and is every point they certify one of the analytic critical points?",
		Figures: []Figure{
			{"success_rate", "Share of runs that reach ‖∇L‖² < 10⁻¹⁰ per finder, with 95% Wilson intervals, beside Frye et al.'s rates."},
			{"loss_index", "Loss against index of the certified points per finder, over the analytic critical points (loss and index of every class)."},
		},
	}
	s.Setup = setup(m) + " " +
		sprintf("%s runs: each trains the autoencoder by gradient descent (η = %s, %s iterations) from Gaussian weights of standard deviation %s, picks the first iterate below a loss level drawn between the first and last loss of the run, adds Gaussian noise of standard deviation %s and starts every finder (%s) from that point, ",
			m.Param("runs"), m.Param("learning_rate"), m.Param("train_iterations"), m.Param("init_scale"), m.Param("perturbation"), list(mapNames(succ.Strings("method")))) +
		sprintf("with at most %s iterations (%s for gradient-norm minimisation). A run succeeds when ‖∇L‖² < %s; its point is matched to an analytic class through W₂W₁ and compared in loss and index. There are %d analytic classes.\n\n",
			m.Param("max_iterations"), m.Param("gradient_norm_iterations"), m.Param("grad_tol"), analytic.Len()) + params(m)

	var order []string
	type rated struct {
		method string
		rate   float64
	}
	var ours []rated
	for _, row := range succ.Rows() {
		method := row.String("method")
		pub, ok := fryeRates[method]
		if !ok {
			continue
		}
		s.Claims = append(s.Claims, rateClaim(sprintf("%s: success rate, ‖∇L‖² < 10⁻¹⁰ (%s runs)", methodName(method), row.String("runs")), "Frye et al. 2019",
			pub.rate, pub.margin, row.Float("success_rate"), row.Float("wilson_lo95"), row.Float("wilson_hi95")))
		ours = append(ours, rated{method, row.Float("success_rate").V})
		order = append(order, method)
	}
	slices.SortStableFunc(order, func(a, b string) int { return -cmp.Compare(fryeRates[a].rate, fryeRates[b].rate) })
	slices.SortStableFunc(ours, func(a, b rated) int { return -cmp.Compare(a.rate, b.rate) })
	var got strings.Builder
	var rateVals []tidy.Value
	rate := map[string]float64{}
	for i, o := range ours {
		if i > 0 {
			if o.rate == ours[i-1].rate {
				got.WriteString(" = ")
			} else {
				got.WriteString(" > ")
			}
		}
		got.WriteString(methodName(o.method))
		rate[o.method] = o.rate
		rateVals = append(rateVals, succ.Where("method", o.method).Row().Float("success_rate"))
	}
	strict, weak := true, true
	for i := 1; i < len(order); i++ {
		a, b := rate[order[i-1]], rate[order[i]]
		strict = strict && a > b
		weak = weak && a >= b
	}
	rank := exactly("ranking of the finders by success rate", "Frye et al. 2019",
		strings.Join(mapNames(order), " > "), got.String(), strict, rateVals...)
	rank.Tolerance = "same order (partly: same order with ties)"
	rank.Verdict = grade(strict, weak)
	s.Claims = append(s.Claims, rank)

	var consistent, successes float64
	for _, row := range succ.Rows() {
		consistent += row.Float("consistent_analytic").V
		successes += row.Float("successes").V
	}
	share := succ.Rows()[0].Float("consistent_analytic").Derive(consistent/math.Max(successes, 1), "sum of consistent_analytic over sum of successes")
	s.Claims = append(s.Claims, atLeast(sprintf("certified points that match an analytic critical point in loss and index within the nullity (%d of %d)", int(consistent), int(successes)), "Frye et al. 2019",
		"all (the critical points are known)", share, 1, 0.9, 3))

	t := DataTable{Caption: "*Per finder (`success.csv`): successes with 95% Wilson intervals, certified points matching an analytic class exactly in loss and index and within the nullity, gradient-flat ends, and the cost per success in full-gradient evaluations.*",
		Header: []string{"finder", "successes", "rate [95%]", "published", "match", "match within nullity", "gradient-flat", "iterations per success", "gradient evaluations per success"}}
	for _, row := range succ.Rows() {
		method := row.String("method")
		pub := ""
		if p, ok := fryeRates[method]; ok {
			pub = sprintf("%s ± %s", pct(p.rate, 2), pct(p.margin, 1))
		}
		t.Rows = append(t.Rows, []string{methodName(method), row.String("successes") + " / " + row.String("runs"),
			sprintf("%s [%s, %s]", pct(row.Float("success_rate").V, 3), pct(row.Float("wilson_lo95").V, 2), pct(row.Float("wilson_hi95").V, 2)), pub,
			row.String("matched_analytic"), row.String("consistent_analytic"), row.String("gradient_flat"),
			num(row.Float("mean_iterations_per_success").V, 3), num(row.Float("gradient_evaluations_per_success").V, 3)})
	}
	s.Tables = []DataTable{t}

	var verdicts []string
	for _, c := range s.Claims[:len(ours)] {
		verdicts = append(verdicts, c.Verdict.String())
	}
	match := "Every point the finders certify is one of the analytic critical points, in loss and in index (up to eigenvalues within the tolerance of zero, counted in the nullity), so the certificate ‖∇L‖² < 10⁻¹⁰ does what Frye et al. ask of it here. "
	var wider, widerGN float64
	var farthest float64
	for _, row := range runs.Where("certified", "true").Rows() {
		if row.Float("nullity").V > row.Float("analytic_nullity").V {
			wider++
			if row.String("method") == "gradient-norm" {
				widerGN++
			}
			farthest = max(farthest, row.Float("projection_error").V)
		}
	}
	if wider > 0 {
		match += sprintf("For %d of them (%d from gradient-norm minimisation) the nullity exceeds the analytic one, so the index is a range that contains the analytic index rather than the index itself: certified just below the threshold, these points lie up to %s (‖W₂W₁ − P_S‖_F) from their critical manifold, and the certificate counts as zero every eigenvalue that the change of the Hessian over the estimated distance to the manifold could move to zero (its DistanceError). Near a manifold the eigenvalues that vanish on it are of the order of that distance and of either sign; counted with a sign, they would give a wrong index with every sign apparently certain. ",
			int(wider), int(widerGN), num(farthest, 2))
	}
	if consistent < successes {
		var methods []string
		var worst, lossOK float64
		bad := runs.Where("certified", "true").Where("index_within_nullity", "false")
		for _, row := range bad.Rows() {
			if name := methodName(row.String("method")); !slices.Contains(methods, name) {
				methods = append(methods, name)
			}
			worst = max(worst, row.Float("grad_norm_sq").V)
			if row.String("loss_matches_analytic") == "true" {
				lossOK++
			}
		}
		match = sprintf("%d of the %d certified points (from %s, with ‖∇L‖² up to %s, just below the threshold) do not match their analytic class in index, though %d of them match it in loss: near a manifold of critical points its flat directions show up as small eigenvalues of either sign, so the threshold certified the loss but not the index, the failure Frye et al. warn of for looser thresholds (rows with index_within_nullity = false in `runs.csv`). ",
			int(successes-consistent), int(successes), list(methods), num(worst, 2), int(lossOK))
	}
	above := 0
	for _, o := range ours {
		if o.rate > fryeRates[o.method].rate {
			above++
		}
	}
	budget := ""
	if above > 0 {
		budget = sprintf(" %d of the %d rates are above the published ones: with these starts and budgets (%s iterations for the Newton-type finders, %s for gradient-norm minimisation) our finders converge more often than theirs did. The difference may lie in the starts, the budgets or the implementations; these results do not tell which.",
			above, len(ours), m.Param("max_iterations"), m.Param("gradient_norm_iterations"))
	}
	s.Discussion = match + sprintf("The success rates against theirs are, finder by finder (%s): %s. ", list(mapNames(order)), list(verdicts)) +
		"Our starts follow their description (an iterate of a gradient-descent run plus noise) with our own run lengths, noise level and iteration budgets, so the rates are comparable in kind rather than in every detail." + budget + " " +
		"Frye et al. also report about 20 minutes per Newton-MR success on their hardware; the cost here is given in gradient evaluations, which do not depend on the machine."
	return s
}
