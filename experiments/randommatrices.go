package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/internal/stats"
	"github.com/critpoint/critpoint/hessian"
)

// The random-matrices experiment checks the random-matrix facts behind the
// landscape experiments: GOE spectra follow the semicircle and Wishart
// spectra the Marchenko-Pastur law (Kolmogorov-Smirnov distance of the
// eigenvalue distribution), a GOE matrix is positive definite with
// probability ~ exp(-θN²), θ = ln(3)/4 (Dean & Majumdar 2006), and the index
// fraction of a GOE matrix concentrates at 1/2.
func init() {
	registry.Add(harness.Experiment{
		Name:    "random-matrices",
		Summary: "GOE semicircle and Marchenko-Pastur spectra (KS), P(GOE positive definite) ~ exp(-θN²), index fraction",
		Run:     runRandomMatrices,
	})
}

// randomMatricesParams are the sizes of the random-matrices experiment.
type randomMatricesParams struct {
	// GOESizes are the matrix sizes N of the GOE spectra, with
	// GOEMatrices[i] matrices of size GOESizes[i] pooled.
	GOESizes    []int `json:"goe_sizes"`
	GOEMatrices []int `json:"goe_matrices"`
	// WishartN is n, the size of M = X Xᵀ; X is n×(n/γ) for each γ in
	// WishartGammas, with WishartMatrices matrices pooled.
	WishartN        int       `json:"wishart_n"`
	WishartGammas   []float64 `json:"wishart_gammas"`
	WishartMatrices int       `json:"wishart_matrices"`
	// Bins is the number of histogram bins per spectrum.
	Bins int `json:"bins"`
	// PDSamples[i] is the number of Monte Carlo draws for N = i+1, in
	// tasks of at most PDChunk draws.
	PDSamples []int64 `json:"pd_samples"`
	PDChunk   int64   `json:"pd_chunk"`
	// IndexSizes are the sizes N of the index-fraction distribution, with
	// IndexSamples[i] matrices of size IndexSizes[i].
	IndexSizes   []int `json:"index_sizes"`
	IndexSamples []int `json:"index_samples"`
}

// randomMatricesPresets: quick takes about a second of CPU; default about
// one CPU-minute (half a minute on 2 idle cores), most of it the 6·10^8
// draws at N = 7 (~50 expected hits); full about 20 CPU-minutes (10 minutes on
// 2 cores, estimated from the per-draw and per-eigensolve costs), most of it
// the 10^10 draws at N = 8 (~15 expected hits).
var randomMatricesPresets = harness.Presets[randomMatricesParams]{
	Quick: randomMatricesParams{
		GOESizes: []int{100, 200}, GOEMatrices: []int{2, 1},
		WishartN: 200, WishartGammas: []float64{0.25, 0.5, 2}, WishartMatrices: 1,
		Bins:       40,
		PDSamples:  []int64{2e4, 1e5, 1e5, 1e5, 2e5},
		PDChunk:    1 << 16,
		IndexSizes: []int{10, 30}, IndexSamples: []int{1000, 200},
	},
	Default: randomMatricesParams{
		GOESizes: []int{400, 1000}, GOEMatrices: []int{10, 2},
		WishartN: 1000, WishartGammas: []float64{0.25, 0.5, 2}, WishartMatrices: 1,
		Bins:       50,
		PDSamples:  []int64{1e7, 1e7, 1e7, 2e7, 1e8, 2e8, 6e8},
		PDChunk:    1 << 22,
		IndexSizes: []int{10, 30, 100}, IndexSamples: []int{50000, 20000, 4000},
	},
	Full: randomMatricesParams{
		GOESizes: []int{400, 1000}, GOEMatrices: []int{100, 20},
		WishartN: 1000, WishartGammas: []float64{0.25, 0.5, 2}, WishartMatrices: 10,
		Bins:       80,
		PDSamples:  []int64{1e8, 1e8, 1e8, 1e8, 1e9, 2e9, 5e9, 1e10},
		PDChunk:    1 << 24,
		IndexSizes: []int{10, 30, 100, 300}, IndexSamples: []int{500000, 100000, 20000, 2000},
	},
}

// Published numbers (REFERENCES.md, "Random matrices").
var (
	// thetaDeanMajumdar is θ = ln(3)/4 of P(positive definite) ~ exp(-θN²)
	// (Dean & Majumdar 2006).
	thetaDeanMajumdar = math.Log(3) / 4
	// pdPublished are published Monte Carlo estimates of P(positive
	// definite) for N = 1..5.
	pdPublished = []float64{0.5012, 0.1475, 0.02515, 0.00232, 1.4e-4}
	// pdExact are exact values for N = 1 (symmetry) and N = 2,
	// (2 - sqrt 2)/4.
	pdExact = []float64{0.5, (2 - math.Sqrt2) / 4}
)

func runRandomMatrices(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, randomMatricesPresets)
	if err := spectra(ctx, env, p); err != nil {
		return err
	}
	if err := positiveDefinite(ctx, env, p); err != nil {
		return err
	}
	return indexFraction(ctx, env, p)
}

// spectrumCase is one ensemble and size whose pooled spectrum is compared
// with its limit law.
type spectrumCase struct {
	ensemble string // "goe" or "wishart"
	n, k     int    // k only for wishart
	gamma    float64
	matrices int
}

func (c spectrumCase) title() string {
	m := fmt.Sprintf("%d matrices", c.matrices)
	if c.matrices == 1 {
		m = "1 matrix"
	}
	if c.ensemble == "goe" {
		return fmt.Sprintf("GOE N = %d, %s", c.n, m)
	}
	return fmt.Sprintf("Wishart n = %d, γ = %g, %s", c.n, c.gamma, m)
}

// spectra compares pooled GOE and Wishart spectra with the semicircle and
// Marchenko-Pastur laws: KS distances, moments and histograms.
func spectra(ctx context.Context, env *harness.Env, p randomMatricesParams) error {
	var cases []spectrumCase
	for i, n := range p.GOESizes {
		cases = append(cases, spectrumCase{ensemble: "goe", n: n, matrices: p.GOEMatrices[i]})
	}
	for _, g := range p.WishartGammas {
		k := int(math.Round(float64(p.WishartN) / g))
		cases = append(cases, spectrumCase{ensemble: "wishart", n: p.WishartN, k: k, gamma: float64(p.WishartN) / float64(k), matrices: p.WishartMatrices})
	}
	// One task per matrix; caseOf[t] is the case of task t.
	var caseOf []int
	for ci, c := range cases {
		for range c.matrices {
			caseOf = append(caseOf, ci)
		}
	}
	eigs, err := harness.Map(ctx, env, "spectra", len(caseOf), func(ctx context.Context, t int, rng *rand.Rand) ([]float64, error) {
		c := cases[caseOf[t]]
		var m *mat.SymDense
		if c.ensemble == "goe" {
			m = goeMatrix(c.n, rng)
		} else {
			m = wishartMatrix(c.n, c.k, rng)
		}
		return hessian.Eigenvalues(m)
	})
	if err != nil {
		return err
	}

	ks := harness.NewTable("ensemble", "n", "k", "gamma", "matrices", "eigenvalues", "ks",
		"mean", "mean_theory", "m2", "m2_theory", "zero_fraction", "atom_theory")
	hist := harness.NewTable("ensemble", "n", "gamma", "bin_lo", "bin_hi", "density", "density_theory")
	var goePlots, mpPlots []*plot.Plot
	for ci, c := range cases {
		var pooled []float64
		for t, e := range eigs {
			if caseOf[t] == ci {
				pooled = append(pooled, e...)
			}
		}
		slices.Sort(pooled)
		mean, m2 := moments(pooled)
		var (
			d            float64
			edges        []float64
			density      func(float64) float64
			contCDF      func(float64) float64
			binned       []float64
			zeros        int
			kCell, gCell any
			meanT, m2T   float64
			zeroF, atomT any
		)
		if c.ensemble == "goe" {
			d = stats.KS(pooled, semicircleCDF, nil)
			edges = stats.Edges(-2.25, 2.25, p.Bins)
			density, contCDF = semicircleDensity, semicircleCDF
			binned = pooled
			meanT, m2T = 0, 1 // semicircle moments m1 = 0, m2 = s² = 1
		} else {
			mp := marchenkoPastur{gamma: c.gamma}
			// M has rank min(n, k): snap the n-k numerically zero
			// eigenvalues to the atom at exactly 0.
			snap := 1e-9 * pooled[len(pooled)-1]
			for i, v := range pooled {
				if math.Abs(v) <= snap {
					pooled[i] = 0
					zeros++
				}
			}
			slices.Sort(pooled)
			d = stats.KS(pooled, mp.cdf, mp.cdfLeft)
			_, hi := mp.edges()
			edges = stats.Edges(0, 1.05*hi, p.Bins)
			density, contCDF = mp.density, mp.continuousCDF
			binned = pooled[zeros:]
			kCell, gCell = c.k, c.gamma
			meanT, m2T = 1, 1+c.gamma // E tr M/n = 1, E tr M²/n = 1 + γ
			zeroF, atomT = float64(zeros)/float64(len(pooled)), mp.atom()
		}
		// Eigenvalues carry processor-dependent last bits (vectorised
		// eigensolver kernels): tabulate their statistics to 10 digits.
		r := func(v float64) float64 { return harness.Round(v, 10) }
		ks.Row(c.ensemble, c.n, kCell, gCell, c.matrices, len(pooled), r(d), r(mean), meanT, r(m2), m2T, zeroF, atomT)
		env.Logf("%s: KS distance %.4f", c.title(), d)

		counts, _ := stats.Histogram(edges, binned)
		heights := make([]float64, len(counts))
		for i, cnt := range counts {
			w := edges[i+1] - edges[i]
			heights[i] = float64(cnt) / (float64(len(pooled)) * w)
			theory := (contCDF(edges[i+1]) - contCDF(edges[i])) / w
			hist.Row(c.ensemble, c.n, gCell, edges[i], edges[i+1], heights[i], theory)
		}

		title := c.title()
		if c.ensemble == "wishart" && zeros > 0 {
			title += fmt.Sprintf("\natom at 0: %.3f (theory %.3f)", float64(zeros)/float64(len(pooled)), c.atomTheory())
		}
		pl := plotx.New(title+fmt.Sprintf("\nKS distance %.4f", d), "eigenvalue λ", "density (per unit λ)")
		plotx.SetFontSize(pl, 10)
		plotx.Histogram(pl, "eigenvalues", edges, heights, plotx.Blue)
		law := "semicircle"
		if c.ensemble == "wishart" {
			law = "Marchenko-Pastur"
		}
		if err := plotx.Function(pl, law, density, edges[0], edges[len(edges)-1], 400, plotx.SeriesStyle(1)); err != nil {
			return err
		}
		if c.ensemble == "goe" {
			goePlots = append(goePlots, pl)
		} else {
			mpPlots = append(mpPlots, pl)
		}
	}
	if err := env.WriteCSV("spectra_ks.csv", ks); err != nil {
		return err
	}
	if err := env.WriteCSV("spectra_hist.csv", hist); err != nil {
		return err
	}
	if err := env.WritePlots("goe_spectra", vg.Length(len(goePlots))*11*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{goePlots}); err != nil {
		return err
	}
	return env.WritePlots("wishart_spectra", vg.Length(len(mpPlots))*11*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{mpPlots})
}

func (c spectrumCase) atomTheory() float64 { return marchenkoPastur{gamma: c.gamma}.atom() }

// moments returns the first two raw moments of x.
func moments(x []float64) (m1, m2 float64) {
	for _, v := range x {
		m1 += v
		m2 += v * v
	}
	n := float64(len(x))
	return m1 / n, m2 / n
}

// positiveDefinite estimates P(GOE matrix positive definite) for
// N = 1..len(p.PDSamples) by Monte Carlo with Wilson intervals, and fits
// ln P = -θN² + bN + c by weighted least squares.
func positiveDefinite(ctx context.Context, env *harness.Env, p randomMatricesParams) error {
	type chunk struct {
		n     int
		draws int64
	}
	var chunks []chunk
	for i, s := range p.PDSamples {
		for done := int64(0); done < s; done += p.PDChunk {
			chunks = append(chunks, chunk{n: i + 1, draws: min(p.PDChunk, s-done)})
		}
	}
	hits, err := harness.Map(ctx, env, "positive-definite", len(chunks), func(ctx context.Context, t int, rng *rand.Rand) (int64, error) {
		c := chunks[t]
		l := make([]float64, c.n*c.n)
		var k int64
		for d := range c.draws {
			if d%(1<<16) == 0 && ctx.Err() != nil {
				return 0, ctx.Err()
			}
			if isPositiveDefinite(c.n, rng, l) {
				k++
			}
		}
		return k, nil
	})
	if err != nil {
		return err
	}
	count := make([]int64, len(p.PDSamples))
	for t, k := range hits {
		count[chunks[t].n-1] += k
	}

	// published_z is (published - p)/se with se = sqrt(p(1-p)/samples): how
	// many of this run's standard errors the published estimate is away.
	tab := harness.NewTable("n", "samples", "count", "p", "wilson_lo95", "wilson_hi95", "published", "published_z", "exact")
	var (
		fitN         []int
		fitY, fitW   []float64
		xs, ps, lo95 []float64
		hi95, bounds []float64
		boundX       []float64
		publishedXYs plotter.XYs
		cell         = func(v []float64, i int) any { return nilIfOut(v, i) }
	)
	for i, s := range p.PDSamples {
		n, k := i+1, count[i]
		ph := float64(k) / float64(s)
		lo, hi := stats.Wilson(k, s, stats.Z95)
		var z any
		if i < len(pdPublished) && k > 0 {
			z = (pdPublished[i] - ph) / math.Sqrt(ph*(1-ph)/float64(s))
		}
		tab.Row(n, s, k, ph, lo, hi, cell(pdPublished, i), z, cell(pdExact, i))
		x := float64(n * n)
		if k > 0 {
			fitN = append(fitN, n)
			fitY = append(fitY, math.Log(ph))
			fitW = append(fitW, float64(k)/(1-ph)) // 1/Var(ln p̂) by the delta method
			xs, ps, lo95, hi95 = append(xs, x), append(ps, ph), append(lo95, lo), append(hi95, hi)
		} else {
			boundX, bounds = append(boundX, x), append(bounds, hi)
		}
		if i < len(pdPublished) {
			publishedXYs = append(publishedXYs, plotter.XY{X: x, Y: pdPublished[i]})
		}
	}
	if err := env.WriteCSV("pd_probability.csv", tab); err != nil {
		return err
	}
	env.Logf("P(positive definite) at N = 2: %.5f (exact %.6f)", float64(count[1])/float64(p.PDSamples[1]), pdExact[1])

	fits := harness.NewTable("n_min", "n_max", "points", "theta_fixed", "theta", "theta_se", "b", "b_se", "c", "c_se", "chi2_dof", "theta_dean_majumdar")
	var all *stats.Fit
	type window struct{ lo, hi int } // indices into fitN
	var windows []window
	for lo := 0; lo+3 <= len(fitN); lo++ {
		windows = append(windows, window{lo, len(fitN)})
	}
	for lo := 0; lo+3 < len(fitN); lo++ {
		windows = append(windows, window{lo, lo + 3})
	}
	for _, w := range windows {
		f, err := fitLogPD(fitN[w.lo:w.hi], fitY[w.lo:w.hi], fitW[w.lo:w.hi], math.NaN())
		if err != nil {
			return err
		}
		if w.lo == 0 && w.hi == len(fitN) {
			all = &f
		}
		fits.Row(fitN[w.lo], fitN[w.hi-1], w.hi-w.lo, false, f.Coef[0], f.SE[0], f.Coef[1], f.SE[1], f.Coef[2], f.SE[2], chi2DOF(f), thetaDeanMajumdar)
	}
	var fixed *stats.Fit
	if len(fitN) >= 2 {
		f, err := fitLogPD(fitN, fitY, fitW, thetaDeanMajumdar)
		if err != nil {
			return err
		}
		fixed = &f
		fits.Row(fitN[0], fitN[len(fitN)-1], len(fitN), true, thetaDeanMajumdar, nil, f.Coef[1], f.SE[1], f.Coef[2], f.SE[2], chi2DOF(f), thetaDeanMajumdar)
	}
	if err := env.WriteCSV("pd_fit.csv", fits); err != nil {
		return err
	}

	pl := plotx.New("P(GOE matrix positive definite)", "matrix size N (axis linear in N²)", "probability")
	plotx.LogY(pl)
	var ticks []plot.Tick
	for n := 1; n <= len(p.PDSamples); n++ {
		ticks = append(ticks, plot.Tick{Value: float64(n * n), Label: fmt.Sprintf("%d", n)})
	}
	pl.X.Tick.Marker = plot.ConstantTicks(ticks)
	nmax := float64(len(p.PDSamples))
	curve := func(f *stats.Fit) func(float64) float64 {
		return func(x float64) float64 {
			n := math.Sqrt(x)
			return math.Exp(-f.Coef[0]*x + f.Coef[1]*n + f.Coef[2])
		}
	}
	if all != nil {
		label := fmt.Sprintf("fit exp(-θN² + bN + c), θ = %.3f ± %.3f", all.Coef[0], all.SE[0])
		if err := plotx.Function(pl, label, curve(all), 1, nmax*nmax, 200, plotx.SeriesStyle(6)); err != nil {
			return err
		}
	}
	if fixed != nil {
		style := plotx.SeriesStyle(2)
		style.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		label := fmt.Sprintf("fit with θ = ln(3)/4 = %.4f (Dean & Majumdar)", thetaDeanMajumdar)
		if err := plotx.Function(pl, label, curve(fixed), 1, nmax*nmax, 200, style); err != nil {
			return err
		}
	}
	if err := plotx.YErrorBars(pl, xs, lo95, hi95, plotx.Blue); err != nil {
		return err
	}
	if err := plotx.Points(pl, "Monte Carlo, 95% Wilson interval", xyOf(xs, ps), plotx.Blue, nil); err != nil {
		return err
	}
	if err := plotx.Points(pl, "published Monte Carlo", publishedXYs, plotx.Vermillion, draw.SquareGlyph{}); err != nil {
		return err
	}
	if err := plotx.Points(pl, "95% upper bound (no hits)", xyOf(boundX, bounds), plotx.Blue, draw.TriangleGlyph{}); err != nil {
		return err
	}
	pl.Legend.Top = true
	pl.Legend.Left = false
	if all != nil {
		env.Logf("fit ln P = -θN² + bN + c over N = %d..%d: θ = %.4f ± %.4f (ln(3)/4 = %.4f)", fitN[0], fitN[len(fitN)-1], all.Coef[0], all.SE[0], thetaDeanMajumdar)
	}
	return env.WritePlot("pd_probability", 16*vg.Centimeter, 11*vg.Centimeter, pl)
}

// fitLogPD fits ln P_N = -θN² + bN + c to y = ln P_N with weights w; with
// a finite theta, θ is fixed to it and only b and c are fitted (Coef[0] is
// then theta with zero SE).
func fitLogPD(ns []int, y, w []float64, theta float64) (stats.Fit, error) {
	x := make([][]float64, len(ns))
	yy := slices.Clone(y)
	for i, n := range ns {
		nf := float64(n)
		if math.IsNaN(theta) {
			x[i] = []float64{-nf * nf, nf, 1}
		} else {
			x[i] = []float64{nf, 1}
			yy[i] += theta * nf * nf
		}
	}
	f, err := stats.WeightedLeastSquares(x, yy, w)
	if err != nil {
		return f, fmt.Errorf("fit of ln P(positive definite): %w", err)
	}
	if !math.IsNaN(theta) {
		f.Coef = append([]float64{theta}, f.Coef...)
		f.SE = append([]float64{0}, f.SE...)
	}
	return f, nil
}

// chi2DOF returns the reduced χ² of f, or nil (a missing value) with no
// degrees of freedom.
func chi2DOF(f stats.Fit) any {
	if f.DOF <= 0 {
		return nil
	}
	return f.Chi2 / float64(f.DOF)
}

// nilIfOut returns v[i], or nil when i is out of range.
func nilIfOut(v []float64, i int) any {
	if i < len(v) {
		return v[i]
	}
	return nil
}

func xyOf(x, y []float64) plotter.XYs {
	xys := make(plotter.XYs, len(x))
	for i := range x {
		xys[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return xys
}

// indexFraction samples the distribution of the index (number of negative
// eigenvalues) of GOE matrices: it concentrates at N/2 with a spread that
// grows only like sqrt(ln N) (Majumdar, Nadal, Scardicchio & Vivo 2009:
// Var(index) ≈ ln(N)/π² for large N), so the fraction's tails shrink.
func indexFraction(ctx context.Context, env *harness.Env, p randomMatricesParams) error {
	type chunk struct{ size, draws int }
	var chunks []chunk
	for i, n := range p.IndexSizes {
		per := max(1, (1<<16)/(n*n))
		for done := 0; done < p.IndexSamples[i]; done += per {
			chunks = append(chunks, chunk{size: i, draws: min(per, p.IndexSamples[i]-done)})
		}
	}
	hists, err := harness.Map(ctx, env, "index-fraction", len(chunks), func(ctx context.Context, t int, rng *rand.Rand) ([]int64, error) {
		c := chunks[t]
		n := p.IndexSizes[c.size]
		h := make([]int64, n+1)
		for range c.draws {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			in, err := hessian.InertiaOf(goeMatrix(n, rng), 0)
			if err != nil {
				return nil, err
			}
			h[in.Neg]++
		}
		return h, nil
	})
	if err != nil {
		return err
	}

	dist := harness.NewTable("n", "index", "fraction", "count", "probability")
	// var_index_leading is the leading large-N term ln(N)/π² of Var(index)
	// for the GOE (Majumdar et al. 2009); the O(1) correction is not included.
	summary := harness.NewTable("n", "samples", "mean_fraction", "sd_fraction", "var_index", "var_index_leading")
	linear := plotx.New("Index fraction of GOE matrices", "index fraction α = index/N", "N · P(index = αN)")
	logp := plotx.New("Index fraction (log scale): tails shrink", "index fraction α = index/N", "N · P(index = αN)")
	plotx.LogY(logp)
	for si, n := range p.IndexSizes {
		h := make([]int64, n+1)
		for t, ch := range hists {
			if chunks[t].size == si {
				for j, v := range ch {
					h[j] += v
				}
			}
		}
		total := float64(p.IndexSamples[si])
		var xys plotter.XYs
		var m1, m2 float64
		for j, cnt := range h {
			a := float64(j) / float64(n)
			pr := float64(cnt) / total
			dist.Row(n, j, a, cnt, pr)
			m1 += a * pr
			m2 += a * a * pr
			xys = append(xys, plotter.XY{X: a, Y: float64(n) * pr})
		}
		sd := math.Sqrt(max(0, m2-m1*m1))
		nf := float64(n)
		summary.Row(n, p.IndexSamples[si], m1, sd, sd*sd*nf*nf, math.Log(nf)/(math.Pi*math.Pi))
		label := fmt.Sprintf("N = %d (sd %.3f)", n, sd)
		for _, pl := range []*plot.Plot{linear, logp} {
			pts := xys
			if pl == logp {
				pts = plotx.PositiveY(xys)
			}
			if err := plotx.Line(pl, label, pts, plotx.SeriesStyle(si)); err != nil {
				return err
			}
			if err := plotx.Points(pl, "", pts, plotx.Color(si), nil); err != nil {
				return err
			}
		}
	}
	if err := env.WriteCSV("index_fraction.csv", dist); err != nil {
		return err
	}
	if err := env.WriteCSV("index_fraction_summary.csv", summary); err != nil {
		return err
	}
	for _, pl := range []*plot.Plot{linear, logp} {
		plotx.SetFontSize(pl, 11)
	}
	return env.WritePlots("index_fraction", 24*vg.Centimeter, 10*vg.Centimeter, [][]*plot.Plot{{linear, logp}})
}
