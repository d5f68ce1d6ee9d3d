package main

import (
	"math"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// brayDeanAlpha is the index fraction of a critical point of a Gaussian
// random field at reduced energy x = ε/ε_c in the limit N → ∞ (Bray & Dean
// 2007):
//
//	α(x) = 1/2 - (x sqrt(1 - x²) + arcsin x)/π  for |x| <= 1,
//
// 0 for x >= 1 and 1 for x <= -1.
func brayDeanAlpha(x float64) float64 {
	switch {
	case x >= 1:
		return 0
	case x <= -1:
		return 1
	}
	return 0.5 - (x*math.Sqrt(1-x*x)+math.Asin(x))/math.Pi
}

// Tolerances of the index-energy section.
const (
	// indexDevTol is the mean |α - α_BD| over the certified points below
	// which the finite-N index follows the large-N law (an index fraction
	// at N = 20 moves in steps of 0.05).
	indexDevTol = 0.05
	// spearmanTol is the rank correlation of index with energy that we read
	// as "rises monotonically".
	spearmanTol = 0.9
)

func indexEnergySection(r *tidy.Results) Section {
	const exp = "index-energy"
	m := r.Meta(exp)
	sum := r.Table(exp, "summary.csv")
	binned := r.Table(exp, "binned.csv")
	points := r.Table(exp, "points.csv")
	if !nonEmpty(r, sum, binned, points) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "Index against energy on Gaussian random fields",
		Question: "Bray & Dean (2007) computed how the index of the critical points of a Gaussian random field in N dimensions depends on their energy: at a critical point of energy per dimension ε the Hessian is a GOE semicircle of radius 2√F₂ shifted by (F₁/F₀)ε, so the index fraction is α(ε) = 1/2 - (x√(1 - x²) + arcsin x)/π with x = ε/ε_c, " +
			"rising monotonically from 0 below ε_c to 1 above -ε_c. Dauphin et al. (2014, Fig. 1) use this picture for neural networks: critical points of high loss are saddles, and only those near the bottom are minima. Do certified critical points of sampled fields follow the law?",
		Figures: []Figure{
			{"index_energy", "Index fraction α against energy per dimension ε of every certified critical point, per dimension N, with the Bray & Dean curve and the binned means."},
			{"spectrum_check", "Hessian spectra at critical points of low, middle and high energy against the shifted semicircle, and the spectrum's centre against ε."},
		},
	}
	var ns, searches, distinct []string
	for _, row := range sum.Rows() {
		ns = append(ns, row.String("n"))
		searches = append(searches, row.String("searches"))
		distinct = append(distinct, row.String("distinct"))
	}
	s.Setup = setup(m) + " " +
		sprintf("Fields with covariance function f(u) = exp(-u) (so F₀ = F₂ = 1, F₁ = -1, ε_c = %s, spectrum centre -ε and radius 2) in N = %s dimensions, with %s random Fourier features; fields per N: %s. ",
			num(sum.Rows()[0].Float("eps_c").V, 3), list(ns), list(nums(sum.Floats("features"), 6)), m.Param("fields")) +
		sprintf("Critical points are searched from points of gradient descent and ascent runs (η = %s) by minimising ‖∇V‖² and polishing with Newton; %s searches per N found %s distinct certified points (‖∇V‖² < %s, every eigenvalue sign certain). ",
			m.Param("learning_rate"), list(searches), list(distinct), m.Param("grad_tol")) +
		"The Bray & Dean curve here is computed by this report from ε and ε_c, independently of the experiment's own column.\n\n" + params(m)

	var worstDev float64
	byN := func() []tidy.Row {
		var rows []tidy.Row
		for _, n := range sum.Strings("n") {
			rows = append(rows, sum.Where("n", n).Row())
		}
		return rows
	}
	for _, row := range byN() {
		n := row.String("n")
		pts := points.Where("n", n).Where("certified", "true").Where("distinct", "true")
		epsC := row.Float("eps_c").V
		var dev float64
		for _, p := range pts.Rows() {
			dev += math.Abs(p.Float("alpha").V - brayDeanAlpha(p.Float("eps").V/epsC))
		}
		v := row.Float("eps_c").Derive(dev/float64(max(pts.Len(), 1)), sprintf("mean of |alpha - α_BD(eps/eps_c)| where n=%s, certified=true, distinct=true", n))
		v.File = points.Name()
		worstDev = max(worstDev, v.V)
		s.Claims = append(s.Claims, atMost(sprintf("N = %s: mean |α - α_BD(ε)| over %d certified points", n, pts.Len()), "Bray & Dean 2007",
			"α(ε) of Bray & Dean", v, indexDevTol, 3*indexDevTol, 2))
	}
	for _, row := range byN() {
		s.Claims = append(s.Claims, atLeast(sprintf("N = %s: Spearman rank correlation of index with energy", row.String("n")), "Bray & Dean 2007",
			"index rises monotonically with energy", row.Float("spearman"), spearmanTol, 0.5, 3))
	}
	last := byN()[sum.Len()-1]
	s.Claims = append(s.Claims, withinSE(sprintf("N = %s: slope of the Hessian's mean eigenvalue against ε", last.String("n")), "Bray & Dean 2007",
		last.Float("shift_slope_theory").V, last.Float("shift_slope"), last.Float("shift_slope_se"), 2, 0.2, 3))
	s.Claims = append(s.Claims, nearRel(sprintf("N = %s: radius of the Hessian spectrum (2 × standard deviation of its eigenvalues)", last.String("n")), "Bray & Dean 2007",
		last.Float("radius_theory").V, last.Float("radius_mean"), 0.05, 0.2, 3))

	bt := DataTable{Caption: "*Mean index fraction per energy bin (`binned.csv`) against the Bray & Dean curve at the bin's mean energy.*",
		Header: []string{"N", "ε bin", "points", "mean ε", "mean α", "s.e.", "α_BD(mean ε)"}}
	for _, row := range binned.Rows() {
		se := ""
		if v, ok := row.Maybe("alpha_se"); ok {
			se = num(v.V, 2)
		}
		epsC := sum.Where("n", row.String("n")).Row().Float("eps_c").V
		bt.Rows = append(bt.Rows, []string{row.String("n"), sprintf("[%s, %s)", fixed(row.Float("bin_lo").V, 2), fixed(row.Float("bin_hi").V, 2)), row.String("count"),
			num(row.Float("eps_mean").V, 3), num(row.Float("alpha_mean").V, 3), se, num(brayDeanAlpha(row.Float("eps_mean").V/epsC), 3)})
	}
	st := DataTable{Caption: "*Per dimension (`summary.csv`): searches, certified and distinct points, the energies reached, and the spectrum checks.*",
		Header: []string{"N", "searches", "certified", "distinct", "ε range", "Spearman ρ", "mean α - α_BD", "centre slope (theory)", "radius (theory)"}}
	for _, row := range sum.Rows() {
		st.Rows = append(st.Rows, []string{row.String("n"), row.String("searches"), row.String("certified"), row.String("distinct"),
			sprintf("[%s, %s]", num(row.Float("eps_min").V, 3), num(row.Float("eps_max").V, 3)), num(row.Float("spearman").V, 3), signed(row.Float("mean_dev").V, 2),
			sprintf("%s ± %s (%s)", num(row.Float("shift_slope").V, 3), num(row.Float("shift_slope_se").V, 2), num(row.Float("shift_slope_theory").V, 3)),
			sprintf("%s (%s)", num(row.Float("radius_mean").V, 3), num(row.Float("radius_theory").V, 3))})
	}
	s.Tables = []DataTable{bt, st}

	s.Discussion = sprintf("The certified critical points follow Bray & Dean's curve: their index rises with their energy (Spearman ρ at least %s in every dimension) and stays on average within %s of α_BD(ε). ",
		num(minOf(sum.Floats("spearman")), 3), num(worstDev, 2)) +
		sprintf("The Hessian's spectrum at a critical point is the shifted semicircle the derivation assumes: at N = %s its centre moves with slope %s against ε (theory %s) and its radius is %s (theory %s), the radius approaching 2 as N grows (table). ",
			last.String("n"), num(last.Float("shift_slope").V, 3), num(last.Float("shift_slope_theory").V, 3), num(last.Float("radius_mean").V, 3), num(last.Float("radius_theory").V, 3)) +
		"This is the random-field version of Dauphin et al.'s Fig. 1 and of the lecture's argument: critical points high in the landscape are saddles with many descent directions, and minima are found only near the bottom, at ε ≈ ε_c."
	return s
}
