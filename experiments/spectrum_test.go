package main

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
)

// TestSpectrumQuickClaims checks the quick preset, a 970-parameter network
// whose Hessian is also diagonalised, against its exact spectrum: the
// matrix-free estimates must reproduce it.
func TestSpectrumQuickClaims(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "spectrum", 1)
	spectrumCheckClaims(t, dir, true)
}

// spectrumCheckClaims checks the CSVs in dir for every model with a dense
// spectrum. With resolved set, the index at the classification tolerance
// must be within 3 standard errors of the exact count; otherwise within 3
// standard errors plus the quadrature bias bound, as at every threshold.
func spectrumCheckClaims(t *testing.T, dir string, resolved bool) {
	t.Helper()
	// Lanczos extremes: converged, and within 1e-6 of the exact
	// eigenvalues relative to ||H||_2 (the Lanczos tolerance is 1e-10).
	for _, r := range readCSV(t, filepath.Join(dir, "extremes.csv")) {
		if r["dense_eigenvalue"] == "" {
			continue
		}
		if r["converged"] != "true" || num(t, r["rel_error"]) > 1e-6 {
			t.Errorf("%s %s %s %s: Ritz value %s, exact %s (converged %s)", r["model"], r["stage"], r["end"], r["rank"],
				r["ritz_value"], r["dense_eigenvalue"], r["converged"])
		}
	}

	// Index: the SLQ estimate within 3 standard errors plus the quadrature
	// bias bound of the exact count at every threshold, and within 3
	// standard errors at the classification tolerance when resolved.
	for _, r := range readCSV(t, filepath.Join(dir, "index.csv")) {
		if r["dense_index"] == "" {
			continue
		}
		est, se, bias, exact := num(t, r["index"]), num(t, r["index_se"]), num(t, r["index_bias"]), num(t, r["dense_index"])
		if resolved && r["threshold_rel"] == "class_tol" && math.Abs(est-exact) > 3*se {
			t.Errorf("%s %s: index %v ± %v, exact %v: more than 3 standard errors apart", r["model"], r["stage"], est, se, exact)
		}
		if math.Abs(est-exact) > 3*se+bias {
			t.Errorf("%s %s τ = %s: index %v ± %v (bias %v), exact %v", r["model"], r["stage"], r["threshold"], est, se, bias, exact)
		}
	}

	// Stages: the Kind agrees with the exact extremes. The SLQ
	// distribution is within the Wasserstein-1 distance 12 (λ_max -
	// λ_min)/(m - 1/2) of the exact eigenvalues that Chen, Trogdon & Ubaru
	// (Analysis of stochastic Lanczos quadrature for spectrum
	// approximation, ICML 2021) prove for m Lanczos steps (with high
	// probability, for probes uniform on the sphere), and the smoothed one
	// within (λ_max - λ_min)/m, a guard against regressions (measured
	// 0.0008-0.005 of the width at m = 100). When resolved, the smoothed
	// distribution is within KS distance 0.05 of the exact one (measured
	// 0.011-0.022 at the quick preset, against 0.04-0.07 for the raw
	// quadrature). Training lowers the loss and the index.
	stages := readCSV(t, filepath.Join(dir, "stages.csv"))
	byModel := map[string][]map[string]string{}
	for _, r := range stages {
		if r["dense_lambda_min"] == "" {
			continue
		}
		byModel[r["model"]] = append(byModel[r["model"]], r)
		lo, hi := num(t, r["dense_lambda_min"]), num(t, r["dense_lambda_max"])
		if tol := num(t, r["class_tol"]); lo < -tol && hi > tol && r["kind"] != "saddle" {
			t.Errorf("%s %s: kind %s, exact spectrum [%v, %v]", r["model"], r["stage"], r["kind"], lo, hi)
		}
		t.Logf("%s %s: KS distance %s (raw quadrature %s), W1/width %.2g (raw %.2g)", r["model"], r["stage"], r["ks_smoothed"], r["ks"],
			num(t, r["w1_smoothed"])/(hi-lo), num(t, r["w1"])/(hi-lo))
		m := num(t, r["slq_steps"])
		if w1 := num(t, r["w1"]); w1 > 12*(hi-lo)/(m-0.5) {
			t.Errorf("%s %s: Wasserstein distance %v for the spectrum [%v, %v] and %v steps", r["model"], r["stage"], w1, lo, hi, m)
		}
		if w1 := num(t, r["w1_smoothed"]); w1 > (hi-lo)/m {
			t.Errorf("%s %s: smoothed Wasserstein distance %v for the spectrum [%v, %v] and %v steps", r["model"], r["stage"], w1, lo, hi, m)
		}
		// Eigenvalues above 0.2 ||H||_2: within 3 standard errors plus the
		// bias bound of the exact count.
		if d := math.Abs(num(t, r["outliers"]) - num(t, r["dense_outliers"])); d > 3*num(t, r["outliers_se"])+num(t, r["outliers_bias"]) {
			t.Errorf("%s %s: %s eigenvalues above %s estimated, %s exact", r["model"], r["stage"], r["outliers"], r["outlier_threshold"], r["dense_outliers"])
		}
		if ks := num(t, r["ks_smoothed"]); resolved && ks > 0.05 {
			t.Errorf("%s %s: KS distance %v", r["model"], r["stage"], ks)
		}
	}
	if len(byModel) == 0 {
		t.Fatal("no model with a dense spectrum")
	}
	for m, rs := range byModel {
		first, last := rs[0], rs[len(rs)-1]
		if num(t, last["loss"]) >= num(t, first["loss"]) || num(t, last["dense_index"]) >= num(t, first["dense_index"]) {
			t.Errorf("%s: loss %s -> %s, index %s -> %s; want both to fall", m, first["loss"], last["loss"], first["dense_index"], last["dense_index"])
		}
	}

	// The density curves are densities: they integrate to the analysed
	// fraction of the spectrum (1 here: no zero rows).
	type key struct{ model, stage string }
	integral := map[key]float64{}
	prev := map[key]map[string]string{}
	for _, r := range readCSV(t, filepath.Join(dir, "density.csv")) {
		k := key{r["model"], r["stage"]}
		if q, ok := prev[k]; ok {
			integral[k] += (num(t, r["lambda"]) - num(t, q["lambda"])) * (num(t, r["density"]) + num(t, q["density"])) / 2
		}
		prev[k] = r
	}
	for _, r := range stages {
		k := key{r["model"], r["stage"]}
		want := num(t, r["analysed_dim"]) / num(t, r["params"])
		if math.Abs(integral[k]-want) > 1e-3 {
			t.Errorf("%v: density integrates to %v, want %v", k, integral[k], want)
		}
	}
}

// TestSpectrumMNISTCheck runs the small MNIST network of the default preset
// and checks it against its dense spectrum. About 40% of its eigenvalues lie
// within 1e-3 of zero, far closer than the quadrature nodes there, so SLQ
// cannot say how many of them are negative: at the classification
// tolerance the estimate is off by 20-40 standard errors (within its
// quadrature bias bound), and only the bound is checked.
func TestSpectrumMNISTCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST and diagonalises three 970×970 Hessians")
	}
	t.Parallel()
	out := t.TempDir()
	env, err := harness.NewEnv("spectrum", harness.Config{Preset: harness.Default, Seed: 1, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	p := spectrumPresets.Default
	p.Models = p.Models[:1]
	if err := spectrumRun(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	spectrumCheckClaims(t, env.Dir, false)
}

// TestSpectrumRestrict checks the problem restricted to some parameters
// against the full Hessian, and the zero rows of a pixel that is zero in
// every image.
func TestSpectrumRestrict(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const inputs, hidden, samples = 5, 3, 7
	x := mat.NewDense(samples, inputs, nil)
	labels := make([]int, samples)
	for i := range samples {
		for j := range inputs {
			if j != 2 { // pixel 2 is dead
				x.Set(i, j, rng.NormFloat64())
			}
		}
		labels[i] = i % 3
	}
	m := nn.MLP{Sizes: []int{inputs, hidden, 3}, Activations: []nn.Activation{nn.Tanh, nn.Linear}, Loss: nn.CrossEntropy}
	net := nn.NewNet(m, x, nn.OneHot(labels, 3))
	w := m.Init(nil, nn.GlorotNormal, 1, 3)
	var keep []int
	for k := range m.NumParams() {
		if k >= hidden*inputs || k%inputs != 2 {
			keep = append(keep, k)
		}
	}
	var h mat.SymDense
	if err := hessian.Exact(&h, net.Problem(), w); err != nil {
		t.Fatal(err)
	}
	for k := range m.NumParams() {
		if !slices.Contains(keep, k) && floats.Norm(mat.Row(nil, k, &h), math.Inf(1)) != 0 {
			t.Errorf("row %d of the dead pixel's weight is not zero", k)
		}
	}
	pr := spectrumRestrict(net.Problem(), w, keep)
	wr := make([]float64, len(keep))
	for r, k := range keep {
		wr[r] = w[k] + 0.01*float64(r) // an asymmetric point
	}
	var hr mat.SymDense
	if err := hessian.Exact(&hr, pr, wr); err != nil {
		t.Fatal(err)
	}
	var fd mat.SymDense
	if err := hessian.FiniteDiff(&fd, hessian.Problem{Grad: pr.Grad}, wr, nil); err != nil {
		t.Fatal(err)
	}
	// Central differences with the default step: agreement to about 1e-6
	// for entries of order one.
	if !mat.EqualApprox(&hr, &fd, 1e-5) {
		t.Errorf("restricted HessVec differs from differences of the restricted gradient")
	}
	g := make([]float64, len(wr))
	pr.Grad(g, wr)
	gfd := make([]float64, len(wr))
	if err := hessian.Gradient(gfd, hessian.Problem{Func: pr.Func}, wr, nil); err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(g, gfd, 1e-6) {
		t.Errorf("restricted gradient differs from differences of the restricted loss")
	}
	// At wr = w[keep] the restricted Hessian is the submatrix of H.
	for r, k := range keep {
		wr[r] = w[k]
	}
	if err := hessian.Exact(&hr, pr, wr); err != nil {
		t.Fatal(err)
	}
	for r, k := range keep {
		for c, l := range keep {
			if math.Abs(hr.At(r, c)-h.At(k, l)) > 1e-14 {
				t.Fatalf("restricted H[%d,%d] = %v, H[%d,%d] = %v", r, c, hr.At(r, c), k, l, h.At(k, l))
			}
		}
	}
}

// spectrumBenchNet returns the default preset's MNIST network bound to its
// Hessian images, and a point and direction.
func spectrumBenchNet(b *testing.B) (hessian.Problem, []float64, []float64) {
	b.Helper()
	env, err := harness.NewEnv("spectrum", harness.Config{Out: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	m := spectrumPresets.Default.Models[1]
	d, err := spectrumLoad(env, m, 1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	w := d.mlp.Init(nil, nn.GlorotNormal, 1, rng.Uint64())
	v := make([]float64, len(w))
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return d.hess.Problem(), w, v
}

// BenchmarkSpectrumGrad is one gradient of the mean loss of the 784-128-10
// network over the 800 Hessian images of the default preset, and
// BenchmarkSpectrumHVP one Hessian-vector product: their ratio is the cost
// of a product in gradients.
func BenchmarkSpectrumGrad(b *testing.B) {
	p, w, _ := spectrumBenchNet(b)
	g := make([]float64, len(w))
	b.ReportAllocs()
	for b.Loop() {
		p.Grad(g, w)
	}
}

func BenchmarkSpectrumHVP(b *testing.B) {
	p, w, v := spectrumBenchNet(b)
	hv := make([]float64, len(w))
	b.ReportAllocs()
	for b.Loop() {
		p.HessVec(hv, w, v)
	}
}
