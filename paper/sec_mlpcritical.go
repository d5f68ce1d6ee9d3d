package main

import (
	"math"
	"slices"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

func mlpCriticalSection(r *tidy.Results) Section {
	const exp = "mlp-critical"
	m := r.Meta(exp)
	sum := r.Table(exp, "summary.csv")
	pts := r.Table(exp, "points.csv")
	if !nonEmpty(r, sum, pts) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "Error against index of points found on an MNIST network",
		Question: "Dauphin et al. (2014, Fig. 1) ran Newton-type critical-point finders from points of a training run of a small MLP on 10×10 MNIST and found the (training error, index) pairs of the points on a monotone increasing curve: critical points of high error are saddles of high index, only those of low error are near minima. " +
			"Frye et al. (2021) repeated such searches with a strict certificate and found that many of the points are not critical at all but gradient-flat: the gradient lies (nearly) in the Hessian's kernel and Newton's method stalls. What do the toolkit's finders find on the same kind of network, and how many of their points are certified?",
		Figures: []Figure{
			{"error_index", "Training error against index fraction of the points where Newton-MR and damped Newton stopped, marked as certified critical (‖∇L‖² < 10⁻¹⁰), gradient-flat, or neither."},
			{"spectra", "Hessian eigenvalue histograms at points of different training error."},
		},
	}
	all := sum.Where("method", "all").Row()
	s.Setup = setup(m) + " " +
		sprintf("A tanh network 100-%s-10 with softmax cross-entropy is trained by minibatch SGD (η = %s, minibatches of %s, %s steps) on %s MNIST training images downsampled to 10×10. ",
			m.Param("hidden"), m.Param("learning_rate"), m.Param("batch"), m.Param("train_steps"), m.Param("images")) +
		sprintf("At the steps %s the weights are perturbed by Gaussian noise of standard deviation %s (%s start(s) per step), and Newton-MR (at most %s MINRES iterations per step) and damped Newton start from each perturbed point, for at most %s iterations; %s points in all. ",
			list(splitList(m.Param("snapshots"))), m.Param("perturbation"), m.Param("starts"), m.Param("minres_iterations"), m.Param("max_iterations"), all.String("points")) +
		"A point is *certified* when ‖∇L‖² < " + m.Param("grad_tol") + ", *gradient-flat* when it is not and its Newton step has flatness ratio r = ‖Hp + g‖/(‖H‖_F‖p‖ + ‖g‖) > 0.9 (Frye et al. 2021), and *neither* otherwise (the finder stopped at its iteration limit away from both).\n\n" + params(m)

	nPts := all.Float("points")
	notCert := all.Float("certified").Derive(nPts.V-all.Float("certified").V, "points - certified where method=all")
	s.Claims = append(s.Claims, atLeast(sprintf("share of the finders' end points that are not certified critical (%d of %d)", int(notCert.V), int(nPts.V)), "Frye et al. 2021",
		"many (qualitative)", notCert.Derive(notCert.V/nPts.V, "(points - certified)/points where method=all"), 0.25, 0.05, 3).also(nPts))
	flat := all.Float("gradient_flat")
	if notCert.V > 0 {
		s.Claims = append(s.Claims, atLeast(sprintf("share of the uncertified end points that are gradient-flat (%d of %d)", int(flat.V), int(notCert.V)), "Frye et al. 2021",
			"most of them (qualitative)", flat.Derive(flat.V/notCert.V, "gradient_flat/(points - certified) where method=all"), 0.5, 0.1, 3))
	}
	if c, ok := all.Maybe("corr_error_index_certified"); ok {
		s.Claims = append(s.Claims, atLeast("certified points: Pearson correlation of training error with index", "Dauphin et al. 2014",
			"monotone increasing", c, 0.8, 0, 3))
	} else {
		c := all.Float("certified_distinct_index")
		var errs []string
		for _, e := range pts.Where("certified", "true").Strings("error_pct") {
			if !slices.Contains(errs, e) {
				errs = append(errs, e)
			}
		}
		cl := exactly("certified points: correlation of training error with index", "Dauphin et al. 2014",
			"monotone increasing", sprintf("not measurable: the %s certified points have %d distinct training error(s) and %d distinct indices", all.String("certified"), len(errs), int(c.V)), false, c)
		cl.Tolerance = "needs certified points at two or more errors and indices"
		s.Claims = append(s.Claims, cl)
	}
	if c, ok := all.Maybe("corr_error_index_all"); ok {
		s.Claims = append(s.Claims, atLeast("all end points, certified or not: Pearson correlation of training error with index", "Dauphin et al. 2014",
			"monotone increasing", c, 0.8, 0, 3))
	}

	t := DataTable{Caption: "*Every end point (`points.csv`): where its finder started (SGD step and training error there), how it ended, and the point's loss, training error, index and nullity (P parameters), ‖∇L‖² and flatness ratio r.*",
		Header: []string{"point", "finder", "from step", "start error", "outcome", "iterations", "loss", "error", "kind", "index / nullity", "‖∇L‖²", "r"}}
	for _, row := range pts.Rows() {
		t.Rows = append(t.Rows, []string{row.String("point"), methodName(row.String("method")), row.String("snapshot_step"), num(row.Float("start_error_pct").V, 3) + "%",
			row.String("outcome"), row.String("iterations"), num(row.Float("loss").V, 4), num(row.Float("error_pct").V, 3) + "%", row.String("kind"),
			row.String("index") + " / " + row.String("nullity"), num(row.Float("grad_norm_sq").V, 2), num(row.Float("flat_ratio").V, 2)})
	}
	st := DataTable{Caption: "*Per finder (`summary.csv`).*",
		Header: []string{"finder", "points", "certified", "gradient-flat", "neither", "distinct indices (certified)", "corr(error, index), certified", "corr(error, index), all"}}
	for _, row := range sum.Rows() {
		cc, ca := "", ""
		if v, ok := row.Maybe("corr_error_index_certified"); ok {
			cc = num(v.V, 3)
		}
		if v, ok := row.Maybe("corr_error_index_all"); ok {
			ca = num(v.V, 3)
		}
		st.Rows = append(st.Rows, []string{methodName(row.String("method")), row.String("points"), row.String("certified"), row.String("gradient_flat"), row.String("neither"),
			row.String("certified_distinct_index"), cc, ca})
	}
	s.Tables = []DataTable{st, t}

	certified := pts.Where("certified", "true")
	var lo, hi float64 = math.Inf(1), math.Inf(-1)
	for _, row := range certified.Rows() {
		lo, hi = min(lo, row.Float("loss").V), max(hi, row.Float("loss").V)
	}
	certNote := "No end point is certified critical."
	if certified.Len() > 0 {
		certNote = sprintf("The %d certified points have losses from %s to %s and %s distinct index values.", certified.Len(), num(lo, 4), num(hi, 4), all.String("certified_distinct_index"))
		if num(lo, 4) == num(hi, 4) {
			certNote = sprintf("The %d certified points all have loss %s, close to ln 10 = %s, the loss of a network that predicts every class with probability 1/10, with %s distinct index values, reached from the snapshots at steps %s.", certified.Len(), num(lo, 4), num(math.Log(10), 5), all.String("certified_distinct_index"), list(certified.Distinct("snapshot_step")))
		}
	}
	s.Discussion = certNote + " " +
		sprintf("Of the %d end points, %d are not certified: %d gradient-flat and %d stopped at the iteration limit away from a critical point. ",
			int(nPts.V), int(notCert.V), int(flat.V), int(all.Float("neither").V)) +
		sprintf("Dauphin et al. did not certify their points; Frye et al. found that such points are often not critical, and diagnosed them as gradient-flat. Here %s of the end points are not critical, but %d of those are gradient-flat by the r > 0.9 test. ",
			pct(notCert.V/nPts.V, 2), int(flat.V)) +
		"The iteration budgets here are small (the exact Hessian of the network is formed at every iteration), so *neither* is partly a matter of budget, and the correlation over uncertified points describes where the finders stopped, not a curve of critical points."
	return s
}

// splitList returns the elements of a flat JSON array as text.
func splitList(js string) []string {
	var out []string
	cur := ""
	for _, c := range js {
		switch c {
		case '[', ']', ' ', '"':
		case ',':
			out = append(out, cur)
			cur = ""
		default:
			cur += string(c)
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
