package main

import (
	"math"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

func spectrumSection(r *tidy.Results) Section {
	const exp = "spectrum"
	m := r.Meta(exp)
	stages := r.Table(exp, "stages.csv")
	index := r.Table(exp, "index.csv")
	extremes := r.Table(exp, "extremes.csv")
	if !nonEmpty(r, stages, index, extremes) {
		return Section{}
	}
	s := Section{
		Experiment: exp,
		Title:      "The Hessian spectrum of a large network, without forming the Hessian",
		Question: "For networks with 10⁵ parameters the Hessian cannot be formed, let alone diagonalised. Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017) estimates its eigenvalue density from Hessian-vector products alone, as Ghorbani, Krishnan & Xiao (2019) did to follow the spectrum through training; Lanczos gives the extreme eigenvalues with residuals, and the density's integral below -τ gives the index. " +
			"How accurate are these estimates where the exact spectrum is known, and what do they show for a 784-128-10 MNIST network from initialisation to the end of training?",
	}
	for _, model := range stages.Distinct("model") {
		s.Figures = append(s.Figures, Figure{"density_" + model, sprintf("SLQ eigenvalue density of model %s per stage of training (logarithmic axis), the Lanczos extremes marked; for a check model the exact density, smoothed the same way, dashed.", model)})
	}
	s.Figures = append(s.Figures, Figure{"index", "Estimated index fraction per stage and threshold with ±3 standard errors and ±(3 s.e. + quadrature bias) bars, and the exact fractions where known."})

	var desc []string
	for _, model := range stages.Distinct("model") {
		row := stages.Where("model", model).Where("stage", "end").Row()
		desc = append(desc, sprintf("%s (P = %s parameters, %s analysed after leaving out %s exactly zero rows, Hessian over %s images, %s probes of %s Lanczos steps)",
			model, row.String("params"), row.String("analysed_dim"), row.String("zero_rows"), row.String("hessian_images"), row.String("probes"), row.String("slq_steps")))
	}
	s.Setup = setup(m) + " Models: " + list(desc) + ". Each is trained with Adam and analysed by `critical.Analyze` on its matrix-free path at initialisation, mid-training and the end; models whose dense Hessian can be diagonalised are checked against their exact eigenvalues.\n\n" + params(m)

	// short names the check claims for the discussion, by claim index.
	short := map[int]string{}
	for _, model := range stages.Distinct("model") {
		st := stages.Where("model", model)
		if _, dense := st.Rows()[0].Maybe("dense_lambda_min"); dense {
			ks := maxValue(st.Values("ks_smoothed"), "max over stages of ks_smoothed where model="+model)
			short[len(s.Claims)] = "the Kolmogorov-Smirnov distance of the density of " + model
			s.Claims = append(s.Claims, atMost(sprintf("%s: Kolmogorov-Smirnov distance of the SLQ eigenvalue distribution (smoothed) from the exact one, worst stage", model), "Ubaru et al. 2017",
				"SLQ approximates the density", ks, 0.05, 0.1, 2))
			var w1 []tidy.Value
			for _, row := range st.Rows() {
				w := row.Float("w1_smoothed")
				w1 = append(w1, w.Derive(w.V/row.Float("norm").V, "w1_smoothed/norm where model="+model+", stage="+row.String("stage")))
			}
			short[len(s.Claims)] = "the Wasserstein-1 distance of the density of " + model
			s.Claims = append(s.Claims, atMost(sprintf("%s: Wasserstein-1 distance of the SLQ eigenvalue distribution (smoothed) from the exact one, relative to ‖H‖₂, worst stage", model), "Ubaru et al. 2017",
				"SLQ approximates the density", maxValue(w1, "max over stages of w1_smoothed/norm where model="+model), 0.01, 0.05, 2))
			ex := extremes.Where("model", model)
			worst := maxValue(ex.Values("rel_error"), "max over Ritz pairs of rel_error where model="+model)
			short[len(s.Claims)] = "the extreme eigenvalues of " + model
			s.Claims = append(s.Claims, atMost(sprintf("%s: largest error of the Lanczos extreme eigenvalues against the exact ones, relative to ‖H‖₂ (%d Ritz values)", model, ex.Len()), "Ubaru et al. 2017",
				"converged Ritz values are eigenvalues", worst, 1e-6, 1e-3, 2))
			ix := index.Where("model", model)
			var w float64
			for _, row := range ix.Rows() {
				d := math.Abs(row.Float("index").V - row.Float("dense_index").V)
				w = max(w, d/(3*row.Float("index_se").V+row.Float("index_bias").V))
			}
			wv := ix.Rows()[0].Float("index").Derive(w, "max over stages and thresholds of |index - dense_index|/(3 index_se + index_bias) where model="+model)
			short[len(s.Claims)] = "the index of " + model
			s.Claims = append(s.Claims, atMost(sprintf("%s: error of the estimated index against the exact one, in units of its error bar 3 s.e. + bias (worst of %d)", model, ix.Len()), "Ubaru et al. 2017",
				"within the error bar", wv, 1, 2, 2))
			continue
		}
		init := st.Where("stage", "init").Row()
		end := st.Where("stage", "end").Row()
		ri := math.Abs(init.Float("lambda_min").V) / init.Float("lambda_max").V
		re := math.Abs(end.Float("lambda_min").V) / end.Float("lambda_max").V
		v := end.Float("lambda_min").Derive(re/ri, "(|lambda_min|/lambda_max at stage=end) over (the same at stage=init) where model="+model)
		s.Claims = append(s.Claims, atMost(sprintf("%s: |λ_min|/λ_max at the end of training over its value at initialisation", model), "Ghorbani et al. 2019",
			"negative curvature shrinks relative to the outliers", v, 1, 2, 3))
	}

	t := DataTable{Caption: "*Per model and stage (`stages.csv`): loss and gradient norm over the Hessian images, test accuracy, the kind from the Ritz values, extreme eigenvalues, and the estimated index fraction at the classification tolerance (`index.csv`), exact where known.*",
		Header: []string{"model", "stage", "step", "loss", "‖g‖", "test accuracy", "kind", "λ_min", "λ_max", "index fraction ± s.e.", "bias bound", "exact", "products"}}
	for _, row := range stages.Rows() {
		model, stage := row.String("model"), row.String("stage")
		ir := index.Where("model", model).Where("stage", stage).Where("threshold_rel", "class_tol").Row()
		exact := ""
		if v, ok := ir.Maybe("dense_index"); ok {
			exact = num(v.V/row.Float("params").V, 3)
		}
		t.Rows = append(t.Rows, []string{model, stage, row.String("step"), num(row.Float("loss").V, 4), num(row.Float("grad_norm").V, 2), pct(row.Float("test_accuracy").V, 3),
			row.String("kind"), num(row.Float("lambda_min").V, 4), num(row.Float("lambda_max").V, 4),
			num(ir.Float("fraction").V, 3) + " ± " + num(ir.Float("fraction_se").V, 1), num(ir.Float("index_bias").V/row.Float("params").V, 2), exact, row.String("hessvecs")})
	}
	s.Tables = []DataTable{t}

	agree := "Where the exact spectrum is known, the matrix-free estimates agree with it: the density in Kolmogorov-Smirnov and Wasserstein-1 distance, the extreme eigenvalues to the precision of their residuals, and the index within its error bar. "
	var off []string
	for i, c := range s.Claims {
		if name, ok := short[i]; ok && c.Verdict != Reproduced {
			off = append(off, name)
		}
	}
	if len(off) > 0 {
		verb := "which is outside its tolerance"
		if len(off) > 1 {
			verb = "which are outside their tolerances"
		}
		agree = sprintf("Where the exact spectrum is known, the estimates agree with it except for %s, %s. ", list(off), verb) +
			"The Kolmogorov-Smirnov distance is the largest gap between the two distribution functions, which a smoothed quadrature of a few hundred nodes cannot close where many eigenvalues lie close together, as near zero here; the Wasserstein-1 distance averages the gap over λ. "
	}
	saddleNote := ""
	if kinds := stages.Distinct("kind"); len(kinds) == 1 && kinds[0] == "saddle" {
		saddleNote = ": training does not end at a point of positive curvature but where the gradient is small, with negative eigenvalues that are small next to the largest ones (table)"
	}
	s.Discussion = agree +
		sprintf("The kinds read from the Ritz values, over all models and stages, are %s%s. ", list(kindCounts(stages.Strings("kind"))), saddleNote) +
		"The index is a count of eigenvalues below a threshold inside a density that is continuous through zero, so it depends on the threshold, and at the classification tolerance it counts the many eigenvalues near zero, hence the large quadrature bias bound (table); `index.csv` also gives it at 10⁻³ and 10⁻² ‖H‖₂."
	return s
}

// kindCounts returns "n kind" for each distinct kind in ks, in order of
// first appearance.
func kindCounts(ks []string) []string {
	var order []string
	n := map[string]int{}
	for _, k := range ks {
		if n[k] == 0 {
			order = append(order, k)
		}
		n[k]++
	}
	out := make([]string, len(order))
	for i, k := range order {
		out[i] = sprintf("%d × %s", n[k], k)
	}
	return out
}
