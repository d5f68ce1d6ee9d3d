package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
)

// aeLambda are the data variances of nn.FryeAutoencoder in the order of
// DataEigen, largest first: 16, 15, ..., 1.
func aeLambda() []float64 {
	l := make([]float64, 16)
	for i := range l {
		l[i] = float64(16 - i)
	}
	return l
}

func TestAutoencoderIndexKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		subset      []int
		index, null int
	}{
		// At θ = 0 the second-order term is −2c tr(W₂W₁Σ): one ± pair per
		// (hidden unit, input), kp = 64 negative eigenvalues of 128.
		{name: "origin", subset: nil, index: 64, null: 0},
		// The global minimum keeps the top 4 eigenvectors: a minimum up to
		// the GL(4) symmetry, nullity p² = 16.
		{name: "global minimum", subset: []int{0, 1, 2, 3}, index: 0, null: 16},
		// Swapping λ = 13 for λ = 12: one descent direction, towards 13.
		{name: "one swap", subset: []int{0, 1, 2, 4}, index: 1, null: 16},
		// One unit on the top eigenvector: 3 unused units × 15 directions,
		// nullity 1 + 2·1·3 = 7.
		{name: "top eigenvector", subset: []int{0}, index: 45, null: 7},
		// The weakest eigenvector alone: 15 stronger ones unused, plus 45.
		{name: "bottom eigenvector", subset: []int{15}, index: 60, null: 7},
	} {
		idx, null := autoencoderIndex(c.subset, aeLambda(), 4)
		if idx != c.index || null != c.null {
			t.Errorf("%s: index %d, nullity %d; want %d, %d", c.name, idx, null, c.index, c.null)
		}
	}
}

// TestAutoencoderIndexMatchesHessian checks the index formula against the
// classification of the exact Hessian at the analytic critical points (every
// 97th class with -short, all 2517 without), and the Sylvester invariance
// that lets a found point on the orbit (CW₁, W₂C⁻¹) be compared with them.
func TestAutoencoderIndexMatchesHessian(t *testing.T) {
	t.Parallel()
	net := nn.FryeAutoencoder(7)
	lambda, _, err := net.DataEigen()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range aeLambda() {
		if math.Abs(lambda[i]-want) > 1e-12*want {
			t.Fatalf("data eigenvalue %d = %v, want %v (GaussianData fixes the moments)", i, lambda[i], want)
		}
	}
	subsets := nn.CriticalSubsets(16, 4)
	if len(subsets) != 2517 {
		t.Fatalf("%d critical classes, want Σ_{i≤4} C(16,i) = 2517", len(subsets))
	}
	step := 1
	if testing.Short() {
		step = 97 // 26 classes of every size
	}
	arch := nn.DeepLinear{Sizes: []int{16, 4, 16}, Norm: nn.EntryMean}
	rng := rand.New(rand.NewPCG(3, 5))
	h := mat.NewSymDense(arch.NumParams(), nil)
	for si := 0; si < len(subsets); si += step {
		s := subsets[si]
		w, loss, err := net.CriticalPoint(s)
		if err != nil {
			t.Fatal(err)
		}
		wantLoss := 8.5
		for _, i := range s {
			wantLoss -= lambda[i] / 16
		}
		if math.Abs(loss-wantLoss) > 1e-12 {
			t.Errorf("subset %v: loss %v, want (136 − Σ_S λ)/16 = %v", s, loss, wantLoss)
		}
		wantIdx, wantNull := autoencoderIndex(s, lambda, 4)
		points := [][]float64{w}
		if si%(5*step) == 0 {
			points = append(points, aeOrbitPoint(arch, w, rng))
		}
		for pi, x := range points {
			if err := hessian.Exact(h, net.Problem(), x); err != nil {
				t.Fatal(err)
			}
			c, err := critical.Classify(h, 0)
			if err != nil {
				t.Fatal(err)
			}
			if c.Index != wantIdx || c.Nullity != wantNull {
				t.Errorf("subset %v (orbit point %d): Hessian index %d, nullity %d; formula %d, %d", s, pi, c.Index, c.Nullity, wantIdx, wantNull)
			}
		}
	}
}

// aeOrbitPoint returns (CW₁, W₂C⁻¹), a point with the same loss as w, for
// C = Q D with Q a random orthogonal matrix and D diagonal with entries in
// [e^-½, e^½], so that cond(C) <= e: an ill-conditioned C would spread the
// Hessian's eigenvalues until the relative tolerance of Classify swallows
// the small ones.
func aeOrbitPoint(arch nn.DeepLinear, w []float64, rng *rand.Rand) []float64 {
	g := mat.NewDense(4, 4, nil)
	for i := range 4 {
		for j := range 4 {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	c := mat.NewDense(4, 4, nil)
	for j := range 4 {
		d := math.Exp(rng.Float64() - 0.5)
		for i := range 4 {
			c.Set(i, j, q.At(i, j)*d)
		}
	}
	var ci mat.Dense
	if err := ci.Inverse(c); err != nil {
		panic(err)
	}
	out := make([]float64, len(w))
	copy(out, w)
	w1, w2 := arch.Layer(out, 1), arch.Layer(out, 2)
	var a, b mat.Dense
	a.Mul(c, w1)
	b.Mul(w2, &ci)
	w1.Copy(&a)
	w2.Copy(&b)
	return out
}

func TestAutoencoderSubsetOf(t *testing.T) {
	t.Parallel()
	net := nn.FryeAutoencoder(11)
	_, u, err := net.DataEigen()
	if err != nil {
		t.Fatal(err)
	}
	arch := nn.DeepLinear{Sizes: []int{16, 4, 16}, Norm: nn.EntryMean}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][]int{nil, {3}, {0, 7}, {1, 2, 15}, {0, 1, 2, 3}, {4, 9, 12, 13}} {
		w, _, err := net.CriticalPoint(s)
		if err != nil {
			t.Fatal(err)
		}
		got, e := aeSubsetOf(arch, aeOrbitPoint(arch, w, rng), u)
		if fmt.Sprint(got) != fmt.Sprint(s) && !(len(s) == 0 && len(got) == 0) || !(e < 1e-12) {
			t.Errorf("subset of the critical point of %v: %v, projection error %g", s, got, e)
		}
	}
}

// TestAutoencoderQuick checks the claims of the experiment on its quick
// preset (6 runs, 100 finder iterations).
func TestAutoencoderQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "autoencoder", 2)

	analytic := readCSV(t, filepath.Join(dir, "analytic.csv"))
	if len(analytic) != 2517 {
		t.Errorf("analytic.csv has %d classes, want 2517", len(analytic))
	}
	// Frye et al.: L(0) = 8.5; the global minimum keeps variances 16..13,
	// (136 − 58)/16 = 4.875.
	for _, want := range []struct {
		subset string
		loss   float64
		index  int
	}{{"", 8.5, 64}, {"16 15 14 13", 4.875, 0}} {
		found := false
		for _, r := range analytic {
			if r["subset"] == want.subset {
				found = true
				if l := numOrNaN(t, r["loss"]); math.Abs(l-want.loss) > 1e-12 || r["index"] != strconv.Itoa(want.index) {
					t.Errorf("class {%s}: loss %v, index %s; want %v, %d", want.subset, l, r["index"], want.loss, want.index)
				}
			}
		}
		if !found {
			t.Errorf("class {%s} missing from analytic.csv", want.subset)
		}
	}

	// Every certified point is critical to Frye et al.'s threshold and is
	// an analytic critical point: same loss to 1e-8 relative, same index.
	// This is what the quick preset shows; TestAutoencoderResults checks the
	// committed default run, where some points certified just below the
	// threshold leave a few signs undecided.
	runs := readCSV(t, filepath.Join(dir, "runs.csv"))
	successes := map[string]int{}
	for _, r := range runs {
		if r["certified"] != "true" {
			if r["subset"] != "" || r["loss_matches_analytic"] != "" {
				t.Errorf("run %s %s: uncertified point matched to a class", r["run"], r["method"])
			}
			continue
		}
		successes[r["method"]]++
		if g := numOrNaN(t, r["grad_norm_sq"]); !(g < 1e-10) {
			t.Errorf("run %s %s: certified with ||g||² = %g", r["run"], r["method"], g)
		}
		if r["loss_matches_analytic"] != "true" || r["index_within_nullity"] != "true" || r["index_matches_analytic"] != "true" {
			t.Errorf("run %s %s: loss %s index %s vs analytic class {%s} loss %s index %s",
				r["run"], r["method"], r["loss"], r["index"], r["subset"], r["analytic_loss"], r["analytic_index"])
		}
		if e := numOrNaN(t, r["projection_error"]); !(e < 1e-3) {
			t.Errorf("run %s %s: W₂W₁ is %g from the projection onto {%s}", r["run"], r["method"], e, r["subset"])
		}
	}

	// The issue's requirement: Newton-MR from perturbed training points
	// certifies at least 80% of the runs. The quick preset shows 6/6.
	summary := readCSV(t, filepath.Join(dir, "success.csv"))
	for _, r := range summary {
		n := numOrNaN(t, r["runs"])
		k := numOrNaN(t, r["successes"])
		if int(k) != successes[r["method"]] {
			t.Errorf("%s: %v successes in success.csv, %d certified rows", r["method"], k, successes[r["method"]])
		}
		rate, lo, hi := numOrNaN(t, r["success_rate"]), numOrNaN(t, r["wilson_lo95"]), numOrNaN(t, r["wilson_hi95"])
		if rate != k/n || !(lo <= rate && rate <= hi) {
			t.Errorf("%s: rate %v outside its interval [%v, %v]", r["method"], rate, lo, hi)
		}
		if r["method"] == "newton-mr" && !(rate >= 0.8) {
			t.Errorf("newton-mr certified %v of the runs, want at least 0.8", rate)
		}
	}

	// The seconds per success are measured and recorded in meta.json.
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Params autoencoderParams `json:"params"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Params.Measured == nil || len(meta.Params.Measured.Methods) != len(aeMethods) {
		t.Fatalf("meta.json lacks the measured timings: %s", b)
	}
	for _, m := range meta.Params.Measured.Methods {
		if m.Successes > 0 && !(m.SecondsPerSuccess > 0) {
			t.Errorf("%s: %d successes but %v seconds per success in meta.json", m.Method, m.Successes, m.SecondsPerSuccess)
		}
	}
}

// Example_autoencoderIndex prints the index and nullity of three critical
// classes of the 16-4-16 autoencoder: the origin, the global minimum and a
// saddle keeping the two strongest directions.
func Example_autoencoderIndex() {
	lambda := aeLambda()
	for _, s := range [][]int{nil, {0, 1, 2, 3}, {0, 1}} {
		idx, null := autoencoderIndex(s, lambda, 4)
		fmt.Printf("%v: index %d, nullity %d\n", s, idx, null)
	}
	// Output:
	// []: index 64, nullity 0
	// [0 1 2 3]: index 0, nullity 16
	// [0 1]: index 28, nullity 12
}

// TestAutoencoderResults checks the committed results of the default preset
// for false certificates: every certified point has the loss of an analytic
// critical class and an index range [index, index+nullity] that contains
// the analytic index, and a point whose signs are all decided (nullity equal
// to the analytic nullity) has exactly the analytic index.
func TestAutoencoderResults(t *testing.T) {
	t.Parallel()
	runs := readCSV(t, filepath.Join("..", "results", "autoencoder", "runs.csv"))
	certified := 0
	for _, r := range runs {
		if r["certified"] != "true" {
			continue
		}
		certified++
		if r["loss_matches_analytic"] != "true" || r["index_within_nullity"] != "true" {
			t.Errorf("run %s %s: loss %s, index %s, nullity %s against class {%s} with loss %s, index %s",
				r["run"], r["method"], r["loss"], r["index"], r["nullity"], r["subset"], r["analytic_loss"], r["analytic_index"])
		}
		if r["nullity"] == r["analytic_nullity"] && r["index_matches_analytic"] != "true" {
			t.Errorf("run %s %s: nullity %s as the class's, but index %s against %s",
				r["run"], r["method"], r["nullity"], r["index"], r["analytic_index"])
		}
	}
	if certified < 100 {
		t.Errorf("only %d certified points in the committed results", certified)
	}
}
