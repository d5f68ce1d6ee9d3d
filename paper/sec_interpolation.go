package main

import (
	"math"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// monotoneTol is the largest rise of the training loss along the line on
// [0, 1], relative to the total decrease J(0) - J(1), that we read as
// "nearly monotone, no barrier" (Goodfellow et al. 2015 state it
// qualitatively).
const monotoneTol = 0.01

// caseNames are the networks of the interpolation experiment in prose.
var caseNames = map[string]string{
	"mlp-mnist":           "MLP on MNIST 10×10",
	"mlp-teacher":         "MLP on a teacher's labels",
	"linear-small":        "deep linear, 1 hidden layer, small start",
	"linear-orthogonal-4": "deep linear, 4 layers, orthogonal start",
}

func caseName(c string) string {
	if s, ok := caseNames[c]; ok {
		return s
	}
	return c
}

func interpolationSection(r *tidy.Results) Section {
	const exp = "interpolation"
	m := r.Meta(exp)
	sum := r.Table(exp, "summary.csv")
	hs := r.Table(exp, "hessian.csv")
	line := r.Table(exp, "line.csv")
	if !nonEmpty(r, sum, hs, line) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "The straight line from initialisation to solution",
		Question: "Goodfellow, Vinyals & Saxe (2015) followed the training loss along the straight line θ(a) = (1 - a) θ_init + a θ_final from a network's initial to its trained parameters and found, for the networks they studied, a smooth curve that decreases nearly monotonically on [0, 1], with no barrier to cross: the obstacles to optimisation, if any, are not on that line. " +
			"Does the same hold for the toolkit's networks, and what do the Hessian's negative directions do along the line?",
		Figures: []Figure{
			{"interpolation", "Loss along θ(a) = (1 - a) θ_init + a θ_final for a from -0.25 to 1.25 (training loss, and test loss for the MLP), with the index fraction of the exact Hessian at points of the line."},
		},
	}
	s.Setup = setup(m) + " " +
		sprintf("A tanh MLP with %s hidden units and softmax cross-entropy is trained by Adam (η = %s, minibatches of %s, %s steps) on %s MNIST images downsampled to %s×%s, with %s held-out test images; ",
			m.Param("hidden"), m.Param("learning_rate"), m.Param("batch_size"), m.Param("steps"), m.Param("train_samples"), m.Param("image"), m.Param("image"), m.Param("test_samples")) +
		sprintf("two deep linear networks learn the task of the deep-linear experiment (singular values %s) by gradient descent for %s iterations: one hidden layer from small random weights (u₀ = %s) and %s layers from a random orthogonal start. ",
			m.Param("linear_singular_values"), m.Param("linear_iterations"), num(m.Number("linear_u0").V, 2), m.Param("orthogonal_depth")) +
		sprintf("The line is sampled %s times per unit of a on [-%s, %s], the exact Hessian classified at one point in %s.\n\n",
			m.Param("points_per_unit"), m.Param("extend"), num(1+m.Number("extend").V, 4), m.Param("hessian_every")) + params(m)

	train := sum.Where("split", "train")
	for _, c := range train.Distinct("case") {
		row := train.Where("case", c).Row()
		s.Claims = append(s.Claims, atMost(sprintf("%s (%s parameters): largest rise of the training loss on [0, 1], relative to J(0) - J(1)", caseName(c), row.String("params")), "Goodfellow et al. 2015",
			"no barrier, nearly monotone", row.Float("max_rise_relative"), monotoneTol, 0.1, 2))
	}
	small := line.Where("case", "linear-small")
	if small.Len() > 0 {
		var worst float64
		for _, row := range small.Rows() {
			worst = max(worst, math.Abs(row.Float("loss").V-row.Float("loss_limit").V))
		}
		l0 := small.Where("alpha", "0").Row().Float("loss_limit")
		dev := l0.Derive(worst/l0.V, "max over a of |loss - loss_limit| / loss_limit at a = 0, where case=linear-small")
		s.Claims = append(s.Claims, atMost("deep linear, small start: largest deviation of the line's loss from ½(1 - a²)² Σ s², relative to J(0)", "Saxe et al. 2013",
			"the closed form, as θ_init → 0", dev, 0.01, 0.1, 2))
	}

	st := DataTable{Caption: "*Loss along the line (`summary.csv`): at the ends, the lowest value on the extended line [-0.25, 1.25], and the largest rise on [0, 1] with where it starts and ends.*",
		Header: []string{"network", "split", "J(0)", "J(1)", "lowest on the line", "largest rise on [0, 1]", "relative", "from a to a", "error at 0 → 1"}}
	for _, row := range sum.Rows() {
		rise := "-"
		if row.Float("max_rise").V > 0 {
			rise = row.String("rise_from") + " → " + row.String("rise_to")
		}
		e := ""
		if v, ok := row.Maybe("error_init"); ok {
			e = sprintf("%s → %s", num(v.V, 3), num(row.Float("error_final").V, 3))
		}
		st.Rows = append(st.Rows, []string{caseName(row.String("case")), row.String("split"), num(row.Float("loss_line_0").V, 4), num(row.Float("loss_line_1").V, 4),
			num(row.Float("loss_min_extended").V, 4), num(row.Float("max_rise").V, 3), num(row.Float("max_rise_relative").V, 3),
			rise, e})
	}
	ht := DataTable{Caption: "*Index fraction of the exact Hessian along the line (`hessian.csv`), with the default tolerance √ε‖H‖₂ and, in brackets, with the loose tolerance 10⁻³‖H‖₂ that ignores the near-zero directions.*",
		Header: []string{"a"}}
	cases := hs.Distinct("case")
	for _, c := range cases {
		ht.Header = append(ht.Header, caseName(c))
	}
	for _, a := range hs.Where("case", cases[0]).Strings("alpha") {
		row := []string{a}
		for _, c := range cases {
			x := hs.Where("case", c).Where("alpha", a)
			if x.Len() != 1 {
				row = append(row, "")
				continue
			}
			y := x.Row()
			row = append(row, sprintf("%s (%s)", num(y.Float("index_fraction").V, 2), num(y.Float("index_fraction_loose").V, 2)))
		}
		ht.Rows = append(ht.Rows, row)
	}
	s.Tables = []DataTable{st, ht}

	test := sum.Where("split", "test").Where("case", "mlp-mnist")
	testNote := ""
	if test.Len() == 1 {
		tr := test.Row()
		testNote = sprintf("The test loss of the MLP is not monotone: it is lowest at a = %s and rises by %s (%s of its total decrease) towards the trained end, the network's overfitting seen along the line; Goodfellow et al.'s claim is about the training objective. ",
			tr.String("rise_from"), num(tr.Float("max_rise").V, 2), pct(tr.Float("max_rise_relative").V, 2))
	}
	var flat, notFlat []string
	for _, c := range cases {
		end := hs.Where("case", c).Where("alpha", "1")
		if end.Len() != 1 {
			continue
		}
		if end.Row().Float("index_loose").V == 0 {
			flat = append(flat, caseName(c))
		} else {
			notFlat = append(notFlat, caseName(c))
		}
	}
	endNote := "no negative eigenvalue exceeds 10⁻³‖H‖₂ in magnitude on any network"
	if len(notFlat) > 0 {
		endNote = sprintf("no negative eigenvalue exceeds 10⁻³‖H‖₂ in magnitude for %s, while %s keep larger ones", list(flat), list(notFlat))
	}
	rises := maxOf(train.Floats("max_rise_relative"))
	mono := "On every network the training loss decreases monotonically from the initial to the trained parameters: no barrier, as Goodfellow et al. found for small networks. "
	if rises > 0 {
		mono = sprintf("The training loss rises along [0, 1] by at most %s of its total decrease. ", pct(rises, 2))
	}
	s.Discussion = mono + testNote +
		sprintf("The line is not a path of positive curvature: the Hessian has negative directions all along it (index fractions in the table). At the trained end %s, so the trained points are minima up to small negative eigenvalues left by incomplete convergence and the flat directions of the networks' symmetries. ", endNote) +
		"For the one-hidden-layer linear network from a small start the line's loss follows ½(1 - a²)² Σ s², the loss of the map a²Σ₃₁ that the line passes through when θ_init is negligible."
	return s
}
