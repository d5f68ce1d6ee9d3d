package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
)

func TestSaxeTimeKnownAnswer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name            string
		u0, uf, s, tau  float64
		want, tolerance float64
	}{
		// REFERENCES.md, "Deep linear networks": the published check.
		{name: "published check", u0: 1e-3, uf: 1.5, s: 3, tau: 1, want: 1.33434, tolerance: 5e-6},
		// The same with τ = 2: time scales with τ.
		{name: "tau 2", u0: 1e-3, uf: 1.5, s: 3, tau: 2, want: 2.66868, tolerance: 1e-5},
		// u0 → s/2 of mode 4 of the default preset: (1/(2·0.5)) ln((0.5 − 1e-6)/1e-6).
		{name: "s 0.5", u0: 1e-6, uf: 0.25, s: 0.5, tau: 1, want: math.Log((0.5 - 1e-6) / 1e-6), tolerance: 1e-12},
	} {
		if got := saxeTime(c.u0, c.uf, c.s, c.tau); math.Abs(got-c.want) > c.tolerance {
			t.Errorf("%s: saxeTime = %.8g, want %.8g", c.name, got, c.want)
		}
	}
}

func TestSaxeModeSolvesFlow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ s, tau, u0 float64 }{
		{3, 1, 1e-3}, {0.5, 1000, 1e-6}, {2, 0.7, 0.3},
	} {
		if got := saxeMode(0, c.s, c.tau, c.u0); math.Abs(got-c.u0) > 1e-15*c.s {
			t.Errorf("s=%g: u(0) = %g, want u0 = %g", c.s, got, c.u0)
		}
		// saxeTime inverts saxeMode.
		for _, uf := range []float64{0.1 * c.s, 0.5 * c.s, 0.97 * c.s} {
			if uf <= c.u0 {
				continue
			}
			tt := saxeTime(c.u0, uf, c.s, c.tau)
			if got := saxeMode(tt, c.s, c.tau, c.u0); math.Abs(got-uf) > 1e-12*c.s {
				t.Errorf("s=%g: u(t(%g)) = %.15g", c.s, uf, got)
			}
			// τ du/dt = 2u(s − u), by a central difference.
			h := 1e-6 * c.tau
			du := (saxeMode(tt+h, c.s, c.tau, c.u0) - saxeMode(tt-h, c.s, c.tau, c.u0)) / (2 * h)
			if want := 2 * uf * (c.s - uf) / c.tau; math.Abs(du-want) > 1e-6*math.Abs(want) {
				t.Errorf("s=%g at u=%g: du/dt = %.10g, want 2u(s-u)/τ = %.10g", c.s, uf, du, want)
			}
		}
	}
}

// saxeTestTask is the task of the experiment with the seed of the test.
func saxeTestTask() (nn.SaxeTask, nn.DeepLinear) {
	task := nn.NewSaxeTask(8, 8, []float64{3, 2, 1, 0.5}, 42)
	return task, nn.DeepLinear{Sizes: []int{8, 8, 8}, Norm: nn.HalfSum}
}

// TestSaxeNormalisation checks that gradient descent with rate η on
// nn.HalfSum moves each balanced mode by the Euler step of
// τ du/dt = 2u(s − u), τ = 1/η: with a = b = √u the update
// a ← a + η a (s − a²) gives u ← u (1 + η (s − u))² = u + 2η u (s − u) + O(η²).
func TestSaxeNormalisation(t *testing.T) {
	t.Parallel()
	task, lin := saxeTestTask()
	p := nn.NewLinearNet(lin, task.X, task.Y).Problem()
	const eta, u0 = 1e-3, 0.2
	w := saxeBalanced(lin, task, u0)
	if got := task.Modes(lin.Product(w)); !dlFloatsNear(got, []float64{u0, u0, u0, u0}, 1e-14) {
		t.Fatalf("balanced start has modes %v, want all %g", got, u0)
	}
	g := make([]float64, len(w))
	p.Grad(g, w)
	for i := range w {
		w[i] -= eta * g[i]
	}
	got := task.Modes(lin.Product(w))
	for a, s := range task.S {
		want := u0 * (1 + eta*(s-u0)) * (1 + eta*(s-u0))
		if math.Abs(got[a]-want) > 1e-14 {
			t.Errorf("mode %d: u after one step %.17g, want %.17g", a, got[a], want)
		}
	}
}

// TestSaxeOriginHessian: at the origin L = ½‖Σ31‖² − tr(W32 W21 Σ31ᵀ) +
// O(w⁴), so the Hessian pairs row k of W21 with column k of W32 through
// −Σ31: eigenvalues ±s_α once per hidden unit, zero otherwise.
func TestSaxeOriginHessian(t *testing.T) {
	t.Parallel()
	task, lin := saxeTestTask()
	p := nn.NewLinearNet(lin, task.X, task.Y).Problem()
	var h mat.SymDense
	if err := hessian.Exact(&h, p, make([]float64, lin.NumParams())); err != nil {
		t.Fatal(err)
	}
	c, err := critical.Classify(&h, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for _, s := range task.S {
		for range 8 {
			want = append(want, -s, s)
		}
	}
	want = append(want, make([]float64, 128-len(want))...)
	slices.Sort(want)
	if !dlFloatsNear(c.Eigenvalues, want, 1e-12) {
		t.Errorf("eigenvalues at the origin %v, want %v", c.Eigenvalues, want)
	}
	if c.Kind != critical.Saddle || c.Index != 32 || c.Nullity != 64 {
		t.Errorf("origin: %v with index %d, nullity %d; want saddle, 32, 64", c.Kind, c.Index, c.Nullity)
	}
}

func TestSaxeEffectiveU0(t *testing.T) {
	t.Parallel()
	task, lin := saxeTestTask()
	// A balanced start is its own effective start.
	w := saxeBalanced(lin, task, 1e-4)
	u0, plain := saxeEffectiveU0(lin.Layer(w, 1), lin.Layer(w, 2), task)
	if !dlFloatsNear(u0, []float64{1e-4, 1e-4, 1e-4, 1e-4}, 1e-18) || !dlFloatsNear(plain, u0, 1e-18) {
		t.Errorf("balanced start: effective u0 %v, unprojected %v, want all 1e-4", u0, plain)
	}
	// The projection only removes: u0 <= plain, equal for the strongest mode.
	w = lin.Init(nil, nn.Gaussian, 0.01, 3)
	u0, plain = saxeEffectiveU0(lin.Layer(w, 1), lin.Layer(w, 2), task)
	if u0[0] != plain[0] {
		t.Errorf("strongest mode: projected %g, unprojected %g", u0[0], plain[0])
	}
	for a := range u0 {
		if !(u0[a] > 0 && u0[a] <= plain[a]) {
			t.Errorf("mode %d: projected %g, unprojected %g", a, u0[a], plain[a])
		}
	}
}

// TestSaxeTanhStart checks that the tanh network starts from the weights of
// the linear network drawn with the same seed, and that near the origin
// (tanh z ≈ z) its mode strengths are the linear ones.
func TestSaxeTanhStart(t *testing.T) {
	t.Parallel()
	task, lin := saxeTestTask()
	tanh := nn.MLP{Sizes: []int{8, 8, 8}, Activations: []nn.Activation{nn.Tanh, nn.Linear}, NoBias: true}
	wl := lin.Init(nil, nn.Gaussian, 1e-4, 9)
	wt := tanh.Init(nil, nn.Gaussian, 1e-4, 9)
	if !slices.Equal(wl, wt) {
		t.Fatal("linear and tanh networks drawn with the same seed differ")
	}
	got, want := saxeTanhModes(tanh, wt, task), task.Modes(lin.Product(wl))
	// tanh z = z − z³/3 + ...: with |z| ~ 1e-4 the relative change is ~1e-8.
	for a := range got {
		if math.Abs(got[a]-want[a]) > 1e-6*math.Abs(want[a]) {
			t.Errorf("mode %d: tanh %g, linear %g", a, got[a], want[a])
		}
	}
}

// TestDeepLinearQuick runs the quick preset and checks the experiment's
// claims in its tables.
func TestDeepLinearQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "deep-linear", 2)

	// Saxe et al.: the balanced modes follow the closed form within about
	// 1% (of s); the random starts' transitions are within about 10% of
	// (τ/2s) ln(s/u0), here with each start's effective u0.
	for _, r := range readCSV(t, filepath.Join(dir, "transitions.csv")) {
		switch r["kind"] {
		case "balanced":
			if e := numOrNaN(t, r["max_abs_error_over_s"]); !(e < 0.01) {
				t.Errorf("balanced mode %s: max |u - closed form| = %.4g s, want < 1%%", r["mode"], e)
			}
		case "random":
			if e := numOrNaN(t, r["rel_error"]); !(math.Abs(e) < 0.10) {
				t.Errorf("random start %s mode %s: transition time off the closed form by %.3g, want < 10%%", r["start"], r["mode"], e)
			}
		}
	}

	// At the balanced start the curvature along the strongest mode is
	// −(s₁ − u0) (the saddle at the origin, shifted by u0 = 1e-3).
	for _, r := range readCSV(t, filepath.Join(dir, "hessian.csv")) {
		if r["kind"] == "balanced" && r["iteration"] == "0" {
			if e := numOrNaN(t, r["min_eigenvalue"]); math.Abs(e-(-3+1e-3)) > 1e-9 {
				t.Errorf("minimum eigenvalue at the balanced start %g, want %g", e, -3+1e-3)
			}
		}
	}

	// Depth: orthogonal learning times roughly flat (within a factor 2 of
	// each other), small Gaussian ones growing (by more than a factor 2
	// from the shallowest to the deepest network).
	med := map[string][]float64{}
	for _, r := range readCSV(t, filepath.Join(dir, "depth_summary.csv")) {
		med[r["init"]+" "+r["gain"]] = append(med[r["init"]+" "+r["gain"]], numOrNaN(t, r["median_iterations"]))
	}
	orth, gauss := med["orthogonal 1"], med["gaussian 0.5"]
	if len(orth) < 2 || len(gauss) < 2 {
		t.Fatalf("depth summary has %d orthogonal and %d Gaussian rows", len(orth), len(gauss))
	}
	if r := slices.Max(orth) / slices.Min(orth); !(r < 2) {
		t.Errorf("orthogonal learning times %v vary by a factor %.3g, want < 2", orth, r)
	}
	for i := 1; i < len(gauss); i++ {
		if !(gauss[i] > gauss[i-1]) {
			t.Errorf("Gaussian learning times %v do not grow with depth", gauss)
		}
	}
	if r := gauss[len(gauss)-1] / gauss[0]; !(r > 2) {
		t.Errorf("Gaussian learning time grows by a factor %.3g with depth, want > 2", r)
	}
}

// Example_saxeTime prints the time the closed form takes from u0 = 1e-3 to
// uf = 1.5 for s = 3, τ = 1.
func Example_saxeTime() {
	fmt.Printf("%.5f\n", saxeTime(1e-3, 1.5, 3, 1))
	// Output: 1.33434
}

// dlFloatsNear reports whether a and b have equal lengths and entries within
// tol of each other.
func dlFloatsNear(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !(math.Abs(a[i]-b[i]) <= tol) {
			return false
		}
	}
	return true
}

func TestSaxeLinearModes(t *testing.T) {
	t.Parallel()
	task, _ := saxeTestTask()
	for _, sizes := range [][]int{{8, 8}, {8, 8, 8}, {8, 5, 11, 8}, {8, 8, 8, 8, 8, 8}} {
		net := nn.DeepLinear{Sizes: sizes, Norm: nn.HalfSum}
		w := net.Init(nil, nn.Gaussian, 0.7, 5)
		got, want := saxeLinearModes(net, w, task, 4), task.Modes(net.Product(w))
		if !dlFloatsNear(got, want, 1e-12) {
			t.Errorf("sizes %v: modes %v, want %v", sizes, got, want)
		}
	}
}
