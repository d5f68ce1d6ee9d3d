package main

import (
	"math"
	"slices"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// Published numbers of the deep-linear section (Saxe et al. 2013; the
// accuracies are those of the project's reference notes, "Deep linear
// networks").
var (
	// saxeModeTol is the accuracy of a balanced mode's trajectory against
	// the closed form u(t), as a fraction of s.
	saxeModeTol = 0.01
	// saxeTimeTol is the accuracy of transition times from small random
	// starts against (τ/2s) ln(s/u0).
	saxeTimeTol = 0.10
	// depthSpread is the largest ratio of learning times across depths
	// that we read as "nearly depth-independent", and depthGrowth the
	// smallest ratio between the deepest and the shallowest network that
	// we read as "grows with depth".
	depthSpread, depthGrowth = 2.0, 2.0
)

func deepLinearSection(r *tidy.Results) Section {
	const exp = "deep-linear"
	m := r.Meta(exp)
	tr := r.Table(exp, "transitions.csv")
	hs := r.Table(exp, "hessian.csv")
	depth := r.Table(exp, "depth.csv")
	dsum := r.Table(exp, "depth_summary.csv")
	if !nonEmpty(r, tr, hs, depth, dsum) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "Deep linear networks: plateaus are saddles, and depth",
		Question: "Saxe, McClelland & Ganguli (2013) solved the gradient-flow dynamics of deep linear networks: from a small balanced start each mode α of the input-output map is learned in a sigmoidal transition, u(t) = s e^{2st/τ} / (e^{2st/τ} - 1 + s/u₀), after a plateau of length about (τ/2s) ln(s/u₀), and the plateaus are the saddles of the loss (the origin, and the points where only the stronger modes are learned). " +
			"With depth, learning time grows from small random Gaussian weights but stays nearly constant from orthogonal ones. Does gradient descent on the toolkit's networks follow the closed forms, are the plateaus saddles, and does depth behave as claimed?",
		Figures: []Figure{
			{"modes", "Mode strengths u_α(t) of the balanced run, a small random start and a tanh network on the same data, against the closed form; the title gives the largest deviation in units of s."},
			{"saddles", "Along the balanced run: the loss with its plateaus, the gradient norm, and the smallest Hessian eigenvalue, which sits at -s_α on each plateau: the plateaus are saddles."},
			{"transition_times", "Times at which u_α reaches s_α/2 for every random start and mode, against the closed form with each start's effective u₀."},
			{"depth", "Iterations to learn the strongest mode against the number of weight layers, for orthogonal and Gaussian initialisations: the median over the starts as a line, every start as a point, and triangles at the cap for starts that did not learn it."},
		},
	}
	s.Setup = setup(m) + " " +
		sprintf("A network with %s inputs and a hidden layer of %s units learns Σ₃₁ = U S Vᵀ with singular values S = %s from orthonormal inputs, by gradient descent with η = %s (τ = 1/η) on half the summed squared error, for %s iterations; the balanced start has every mode at u₀ = %s, and %s random starts draw weights N(0, 2u₀/%s). ",
			m.Param("inputs"), m.Param("hidden"), m.Param("singular_values"), m.Param("learning_rate"), m.Param("iterations"), num(m.Number("u0").V, 2), m.Param("random_starts"), m.Param("hidden")) +
		sprintf("The depth study runs networks of %s weight layers of width %s from %s starts per initialisation at the learning rate %s/depth, for at most %s iterations.\n\n",
			list(splitList(m.Param("depths"))), m.Param("hidden"), m.Param("depth_starts"), m.Param("depth_rate"), m.Param("depth_max_iterations")) + params(m)

	// Balanced modes against the closed form.
	bal := tr.Where("kind", "balanced")
	worst := maxValue(bal.Values("max_abs_error_over_s"), "max over modes of max_abs_error_over_s where kind=balanced")
	s.Claims = append(s.Claims, atMost("balanced start: largest deviation of u_α(t) from the closed form, in units of s_α", "Saxe et al. 2013",
		"within about 1%", worst, saxeModeTol, 5*saxeModeTol, 2))

	// Transition times of the random starts.
	rnd := tr.Where("kind", "random")
	abs := func(vs []tidy.Value) []tidy.Value {
		out := make([]tidy.Value, len(vs))
		for i, v := range vs {
			out[i] = v.Derive(math.Abs(v.V), "|"+v.What+"|")
		}
		return out
	}
	nominal := maxValue(abs(rnd.Values("rel_error_nominal")), "max over random starts and modes of |rel_error_nominal|")
	s.Claims = append(s.Claims, atMost("small random starts: largest relative error of the transition times against (τ/2s) ln(s/u₀) with the nominal u₀", "Saxe et al. 2013",
		"within about 10%", nominal, saxeTimeTol, 0.5, 2))
	eff := maxValue(abs(rnd.Values("rel_error")), "max over random starts and modes of |rel_error|")
	s.Claims = append(s.Claims, atMost("small random starts: largest relative error of the transition times against the closed form with each start's effective u₀", "Saxe et al. 2013",
		"exact for gradient flow", eff, 0.01, 0.1, 2))

	// The origin is a saddle with curvature -s₁.
	h0 := hs.Where("kind", "balanced").Where("iteration", "0").Row()
	s1 := maxOf(m.Numbers("singular_values"))
	s.Claims = append(s.Claims, near(sprintf("smallest Hessian eigenvalue at the balanced start (u₀ = %s, next to the saddle at the origin)", num(m.Number("u0").V, 2)), "Saxe et al. 2013",
		-s1, h0.Float("min_eigenvalue"), 1e-4, 0.1*s1, 6))

	// Depth.
	lo, hi := depthRange(dsum)
	ratio := func(init, gain string) tidy.Value {
		a := medianIterations(depth, init, gain, lo)
		b := medianIterations(depth, init, gain, hi)
		return b.Derive(b.V/a.V, sprintf("median iterations (not learned = max_iterations) at depth %s over depth %s where init=%s, gain=%s", hi, lo, init, gain))
	}
	orth := ratio("orthogonal", "1")
	s.Claims = append(s.Claims, atMost(sprintf("orthogonal initialisation: learning time at depth %s over depth %s", hi, lo), "Saxe et al. 2013",
		"nearly depth-independent", orth, depthSpread, 5, 3))
	small := ratio("gaussian", "0.5")
	s.Claims = append(s.Claims, atLeast(sprintf("small Gaussian initialisation (σ = 0.5/√width): learning time at depth %s over depth %s", hi, lo), "Saxe et al. 2013",
		"grows with depth", small, depthGrowth, 1.2, 3))

	tt := DataTable{Caption: "*Transition times t/τ at which u_α reaches s_α/2 (`transitions.csv`): the balanced run, and the median over the random starts of the relative errors against the nominal and the effective closed forms.*",
		Header: []string{"mode", "s", "balanced t", "closed form", "random: median |error| (nominal u₀)", "random: max |error| (nominal u₀)", "random: max |error| (effective u₀)", "tanh: median |error| (effective u₀)"}}
	for _, mode := range bal.Distinct("mode") {
		b := bal.Where("mode", mode).Row()
		rm := rnd.Where("mode", mode)
		nomE := absFloats(rm.Floats("rel_error_nominal"))
		effE := absFloats(rm.Floats("rel_error"))
		tanhE := absFloats(tr.Where("kind", "tanh").Where("mode", mode).Floats("rel_error"))
		tt.Rows = append(tt.Rows, []string{mode, b.String("s"), num(b.Float("t_half").V, 4), num(b.Float("t_half_closed_form").V, 4),
			pct(median(nomE), 2), pct(maxOf(nomE), 2), pct(maxOf(effE), 2), pct(median(tanhE), 2)})
	}
	dt := DataTable{Caption: "*Iterations to learn the strongest mode, median over the starts (`depth_summary.csv`); a dash where fewer than half the starts learned it within the cap.*",
		Header: []string{"depth"}}
	type initKey struct{ init, gain string }
	var inits []initKey
	for _, row := range dsum.Rows() {
		k := initKey{row.String("init"), row.String("gain")}
		if !slices.Contains(inits, k) {
			inits = append(inits, k)
			label := "orthogonal, gain " + k.gain
			if k.init == "gaussian" {
				label = "Gaussian, σ = " + k.gain + "/√width"
			}
			dt.Header = append(dt.Header, label+" (learned)")
		}
	}
	for _, d := range dsum.Distinct("depth") {
		row := []string{d}
		for _, k := range inits {
			x := dsum.Where("init", k.init).Where("gain", k.gain).Where("depth", d).Row()
			med := "-"
			if v, ok := x.Maybe("median_iterations"); ok {
				med = num(v.V, 3)
			}
			row = append(row, sprintf("%s (%s/%s)", med, x.String("learned"), x.String("starts")))
		}
		dt.Rows = append(dt.Rows, row)
	}
	s.Tables = []DataTable{tt, dt}

	within := 0
	for _, v := range rnd.Floats("rel_error_nominal") {
		if math.Abs(v) <= saxeTimeTol {
			within++
		}
	}
	s.Discussion = sprintf("The balanced run follows the closed form to %s of s, inside the 1%% expected; the residual is the Euler discretisation of the flow (η = %s). ", pct(worst.V, 2), m.Param("learning_rate")) +
		sprintf("From small random starts %d of %d transition times are within 10%% of (τ/2s) ln(s/u₀) with the nominal u₀, but the worst is %s off, hence partly: a random start's effective mode strengths scatter around the nominal u₀ (from %s to %s in this run), and the plateau length depends on them. ", within, rnd.Len(), pct(nominal.V, 2), num(minOf(rnd.Floats("u0")), 2), num(maxOf(rnd.Floats("u0")), 2)) +
		sprintf("With each start's own effective u₀ the same closed form predicts every transition to within %s, so the dynamics are Saxe et al.'s; the tanh network on the same data departs by a few percent (table). ", pct(eff.V, 2)) +
		sprintf("Next to the origin the smallest Hessian eigenvalue is %s = -s₁, and it steps to -s₂, -s₃, ... as modes are learned (figure): each plateau is the neighbourhood of a saddle. ", num(h0.Float("min_eigenvalue").V, 7)) +
		sprintf("With depth, orthogonal initialisation needs %s times the two-layer number of iterations at depth %s (at a learning rate scaled as 1/depth), while small Gaussian weights need %s times as many (unlearned starts counted at the cap of %s iterations), as Saxe et al. describe. ",
			num(orth.V, 2), hi, num(small.V, 2), m.Param("depth_max_iterations")) +
		"The Gaussian initialisation with σ = 1/√width, not small, lies between the two."
	return s
}

// maxValue returns the largest of vs, described by what, or a NaN value for
// none.
func maxValue(vs []tidy.Value, what string) tidy.Value {
	if len(vs) == 0 {
		return tidy.Value{V: math.NaN(), What: what}
	}
	best := vs[0]
	for _, v := range vs[1:] {
		if v.V > best.V {
			best = v
		}
	}
	return best.Derive(best.V, what)
}

// minOf returns the smallest of xs, or +Inf for none.
func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func absFloats(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Abs(x)
	}
	return out
}

// median returns the median of xs, or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// depthRange returns the smallest and largest depth of the depth study.
func depthRange(t *tidy.Table) (lo, hi string) {
	ds := t.Distinct("depth")
	if len(ds) == 0 {
		return "", ""
	}
	return ds[0], ds[len(ds)-1]
}

// medianIterations returns the median number of iterations to learn the
// strongest mode at the given depth and initialisation, counting a start
// that did not learn it as the cap.
func medianIterations(t *tidy.Table, init, gain, depth string) tidy.Value {
	rows := t.Where("init", init).Where("gain", gain).Where("depth", depth)
	var its []float64
	for _, row := range rows.Rows() {
		if v, ok := row.Maybe("iterations"); ok {
			its = append(its, v.V)
		} else {
			its = append(its, row.Float("max_iterations").V)
		}
	}
	what := sprintf("median of iterations (empty = max_iterations) where %s", rows.Selection())
	return tidy.Value{V: median(its), File: t.Name(), What: what}
}
