package main

import (
	"cmp"
	"math"
	"slices"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

func optimizerRaceSection(r *tidy.Results) Section {
	const exp = "optimizer-race"
	m := r.Meta(exp)
	models := r.Table(exp, "models.csv")
	sum := r.Table(exp, "summary.csv")
	spectra := r.Table(exp, "spectra.csv")
	if !nonEmpty(r, models, sum, spectra) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "The optimizer race: plateaus, saddles and saddle-free Newton",
		Question: "Dauphin et al. (2014, Figs. 3 and 4) trained a small MLP on MNIST with minibatch SGD, momentum, damped Newton and saddle-free Newton: saddle-free Newton reached a lower training error, and it left the plateaus where the others stalled, the magnitude of the most negative Hessian eigenvalue shrinking along its run. " +
			"The lecture's optimizers (gradient descent online, on minibatches and on the full batch, with and without annealing; momentum, Nesterov, Adagrad, RMSprop, Adam) and the Newton family race from the same initialisations on such an MLP and on a deep linear autoencoder whose plateaus are known saddles. Which methods leave the plateaus?",
		Figures: []Figure{
			{"optimizer_race", "Median training loss over the seeds against iterations and against gradient evaluations, per method and model (the autoencoder as the excess L - L* over its global minimum)."},
			{"optimizer_race_sgd", "The six gradient-descent variants: online, minibatch and full batch, with constant and annealed learning rates."},
			{"optimizer_race_saddles", "One seed's runs: loss, gradient norm and the ratio -λ_min/λ_max of the Hessian along the way; plateaus with a negative eigenvalue are saddles."},
		},
	}
	var desc []string
	for _, row := range models.Rows() {
		desc = append(desc, sprintf("%s (%s parameters, %s samples, minibatches of %s, seeds: %s, %s first-order and %s second-order iterations)",
			row.String("description"), row.String("parameters"), row.String("samples"), row.String("batch"), row.String("seeds"),
			row.String("first_order_iterations"), row.String("second_order_iterations")))
	}
	s.Setup = setup(m) + " Models: " + list(desc) + ". " +
		sprintf("Every method with a learning rate has it chosen from a grid of four values by the lowest loss of a separate search run; momentum and Nesterov use α = %s, annealing goes down to %s of the initial rate, saddle-free Newton tries the dampings %s at every step, exactly and in the Krylov form of Dauphin et al.'s Algorithm 1 (subspace dimension %s). Gradient evaluations count a minibatch gradient as its share of the data, a Hessian-vector product as one gradient and a Hessian as P gradients.\n\n",
			m.Param("momentum"), m.Param("anneal_final"), m.Param("sfn_dampings"), m.Param("krylov")) + params(m)

	final := func(model, method string) tidy.Value {
		return sum.Where("model", model).Where("method", method).Row().Float("final_loss_mean")
	}
	ratio := func(model, a, b string) tidy.Value {
		x, y := final(model, a), final(model, b)
		return x.Derive(x.V/y.V, sprintf("final_loss_mean of %s over that of %s where model=%s", a, b, model))
	}
	if sum.Where("model", "mlp-mnist").Len() > 0 {
		for _, other := range []string{"momentum", "damped-newton"} {
			s.Claims = append(s.Claims, atMost(sprintf("MLP: final training loss of saddle-free Newton over that of %s", methodName(other)), "Dauphin et al. 2014",
				"lower (< 1)", ratio("mlp-mnist", "saddle-free-newton", other), 1, 2, 3))
		}
		sp := spectra.Where("model", "mlp-mnist").Where("seed", "0").Where("method", "saddle-free-newton")
		if rows := sp.Rows(); len(rows) >= 2 {
			a, b := rows[0].Float("min_eigenvalue"), rows[len(rows)-1].Float("min_eigenvalue")
			v := a.Derive(math.Abs(b.V)/math.Abs(a.V), sprintf("|min_eigenvalue| at iteration %s over that at iteration %s where model=mlp-mnist, seed=0, method=saddle-free-newton", rows[len(rows)-1].String("iteration"), rows[0].String("iteration")))
			s.Claims = append(s.Claims, atMost("MLP: |most negative Hessian eigenvalue| at the end of saddle-free Newton's run over that at the start", "Dauphin et al. 2014",
				"shrinks along the run", v, 0.5, 1, 3))
		}
	}
	if ae := models.Where("model", "autoencoder"); ae.Len() == 1 {
		row := ae.Row()
		lstar, l0 := row.Float("global_min_loss"), row.Float("initial_loss_at_zero")
		excess := func(method string) tidy.Value {
			f := final("autoencoder", method)
			return f.Derive((f.V-lstar.V)/(l0.V-lstar.V), sprintf("(final_loss_mean - L*)/(L(0) - L*) where model=autoencoder, method=%s; L* and L(0) from models.csv", method))
		}
		s.Claims = append(s.Claims, atMost("autoencoder: excess loss of saddle-free Newton at the end, as a share of the plateau's at the origin", "Dauphin et al. 2014",
			"leaves the plateaus, reaches the minimum", excess("saddle-free-newton"), 0.01, 0.5, 3).also(lstar, l0))
		s.Claims = append(s.Claims, atLeast("autoencoder: excess loss of minibatch SGD at the end, as a share of the plateau's at the origin", "Dauphin et al. 2014",
			"stalls on the plateau", excess("sgd-minibatch"), 0.5, 0.1, 3).also(lstar, l0))
	}

	t := DataTable{Caption: "*Per model and method (`summary.csv`): the learning rate chosen, the final training loss (mean ± standard deviation over the seeds), the runs that reached the loss threshold and the mean gradient evaluations they needed.*",
		Header: []string{"model", "method", "η", "iterations", "final loss", "reached threshold", "gradient evaluations to threshold", "gradient evaluations in all"}}
	for _, row := range sum.Rows() {
		eta, fl, ge := "", num(row.Float("final_loss_mean").V, 4), ""
		if v, ok := row.Maybe("learning_rate"); ok {
			eta = num(v.V, 3)
		}
		if v, ok := row.Maybe("final_loss_std"); ok {
			fl += " ± " + num(v.V, 2)
		}
		if v, ok := row.Maybe("grad_evals_to_threshold_mean"); ok {
			ge = num(v.V, 3)
		}
		t.Rows = append(t.Rows, []string{row.String("model"), methodName(row.String("method")), eta, row.String("iterations"), fl,
			sprintf("%s / %s (below %s)", row.String("reached"), row.String("seeds"), num(row.Float("loss_threshold").V, 4)), ge, num(row.Float("grad_evals_mean").V, 3)})
	}
	s.Tables = []DataTable{t}

	var all, some, none []string
	for _, row := range sum.Where("model", "autoencoder").Rows() {
		name := methodName(row.String("method"))
		switch reached, seeds := row.Float("reached").V, row.Float("seeds").V; {
		case reached == seeds:
			all = append(all, name)
		case reached > 0:
			some = append(some, name)
		default:
			none = append(none, name)
		}
	}
	plateau := "On the autoencoder, whose plateau at the origin is a saddle, "
	if len(all) > 0 {
		plateau += sprintf("%s leave the plateau and reach the loss threshold from every seed", list(all))
	}
	if len(some) > 0 {
		plateau += sprintf("; %s from some seeds only", list(some))
	}
	if len(none) > 0 {
		plateau += sprintf("; %s from none, within their budgets", list(none))
	}
	s.Discussion = plateau + ". " +
		"Adaptive methods rescale the plateau's tiny gradients per coordinate, and saddle-free Newton moves along the negative-curvature directions with steps scaled by 1/|λ|; plain and momentum SGD have neither and depend on the seed. " +
		sprintf("On the MLP %s end lowest, but", list(lowest(sum.Where("model", "mlp-mnist"), 2))) +
		" the Newton family runs far fewer iterations, each costing many gradient evaluations (table), so \"lower loss\" is per iteration, as in Dauphin et al.'s figure, not per unit of work. " +
		"Learning rates at the edge of their search grid are flagged in meta.json (`selected`)."
	return s
}

// lowest returns the prose names of the k methods of t with the lowest
// final_loss_mean, lowest first.
func lowest(t *tidy.Table, k int) []string {
	rows := t.Rows()
	slices.SortStableFunc(rows, func(a, b tidy.Row) int {
		return cmp.Compare(a.Float("final_loss_mean").V, b.Float("final_loss_mean").V)
	})
	var out []string
	for _, r := range rows[:min(k, len(rows))] {
		out = append(out, methodName(r.String("method")))
	}
	return out
}
