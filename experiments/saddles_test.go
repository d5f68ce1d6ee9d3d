package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/landscape"
	"github.com/critpoint/critpoint/optimizers"
)

// saddleRow returns the row of saddles_runs.csv for a function and method.
func saddleRow(t *testing.T, rows []map[string]string, fn, method string) map[string]string {
	t.Helper()
	for _, r := range rows {
		if r["function"] == fn && r["method"] == method {
			return r
		}
	}
	t.Fatalf("no row for %s on %s", method, fn)
	return nil
}

// TestSaddlesQuickClaims checks the quick preset's tables against the
// behaviour Dauphin et al. (2014, section 4 and Figure 2) describe.
func TestSaddlesQuickClaims(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "saddles", 2)
	runs := readCSV(t, filepath.Join(dir, "saddles_runs.csv"))
	if want := len(saddleCases) * len(saddleMethods); len(runs) != want {
		t.Fatalf("%d runs, want %d", len(runs), want)
	}

	// Pure Newton on 5x² - y² solves H p = -g exactly: it lands on the
	// saddle (0, 0) in one step (REFERENCES.md, "Optimizers").
	r := saddleRow(t, runs, "saddle-quadratic", "newton")
	if r["converged_to_saddle"] != "1" || r["escaped"] != "0" || r["iterations"] != "1" || r["final_kind"] != "saddle" ||
		num(t, r["final_x"]) != 0 || num(t, r["final_y"]) != 0 {
		t.Errorf("newton on 5x² - y²: %v, want the saddle (0, 0) after 1 iteration", r)
	}
	// Saddle-free Newton, the first-order and the adaptive methods all
	// leave the ball around it (saddle-free Newton maps (x, y) to (0, 2y)).
	for _, m := range []string{"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "damped-newton", "saddle-free-newton"} {
		r := saddleRow(t, runs, "saddle-quadratic", m)
		if r["escaped"] != "1" || r["converged_to_saddle"] != "0" {
			t.Errorf("%s on 5x² - y²: escaped %s, converged to the saddle %s; want it to leave", m, r["escaped"], r["converged_to_saddle"])
		}
	}
	// Saddle-free Newton doubles y at every step: from y = 0.01 it is
	// outside the unit ball after ceil(log2(1/0.01)) = 7 steps.
	if r := saddleRow(t, runs, "saddle-quadratic", "saddle-free-newton"); r["escape_iteration"] != "7" {
		t.Errorf("saddle-free newton left 5x² - y² at iteration %s, want 7", r["escape_iteration"])
	}
	// On the monkey saddle pure Newton converges into the degenerate saddle,
	// saddle-free Newton leaves it.
	if r := saddleRow(t, runs, "monkey-saddle", "newton"); r["converged_to_saddle"] != "1" {
		t.Errorf("newton on the monkey saddle: %v, want convergence to the saddle", r)
	}
	if r := saddleRow(t, runs, "monkey-saddle", "saddle-free-newton"); r["escaped"] != "1" {
		t.Errorf("saddle-free newton on the monkey saddle: %v, want it to leave", r)
	}
	// The Newton family reaches Rosenbrock's minimum (1, 1) from (-1.2, 1).
	for _, m := range []string{"newton", "damped-newton", "saddle-free-newton"} {
		r := saddleRow(t, runs, "rosenbrock", m)
		if r["final_kind"] != "minimum" || math.Hypot(num(t, r["final_x"])-1, num(t, r["final_y"])-1) > 1e-4 {
			t.Errorf("%s on rosenbrock ends at (%s, %s), %s; want the minimum (1, 1)", m, r["final_x"], r["final_y"], r["final_kind"])
		}
	}

	// Himmelblau: pure Newton ends at a saddle or the maximum from a large
	// part of the grid (42% at the quick preset, 42% on the default grid),
	// saddle-free Newton from none of it.
	frac := map[string]map[string]float64{}
	for _, r := range readCSV(t, filepath.Join(dir, "himmelblau_basin_summary.csv")) {
		if frac[r["method"]] == nil {
			frac[r["method"]] = map[string]float64{}
		}
		frac[r["method"]][r["kind"]] = num(t, r["fraction"])
	}
	if n := frac["newton"]; n["saddle"]+n["maximum"] < 0.25 || n["saddle"] < 0.15 || n["maximum"] < 0.02 {
		t.Errorf("newton on himmelblau: %v; want saddles and the maximum from a non-trivial part of the grid", n)
	}
	if s := frac["saddle-free-newton"]; s["saddle"]+s["maximum"] > 0.01 || s["minimum"] < 0.99 {
		t.Errorf("saddle-free newton on himmelblau: %v; want (almost) only minima", s)
	}
}

// TestSaddlesTrajectoriesKnownAnswers checks the first iterates written to
// saddles_trajectories.csv against the closed forms of REFERENCES.md:
// gradient descent on 5x² - y² maps x to (1 - 10η)x and y to (1 + 2η)y,
// and pure Newton halves the point on the monkey saddle, whose gradient is
// homogeneous of degree 2.
func TestSaddlesTrajectoriesKnownAnswers(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "saddles", 2)
	rows := readCSV(t, filepath.Join(dir, "saddles_trajectories.csv"))
	c := saddleCases[0] // 5x² - y²
	eta := c.rates.First
	seen := map[string]int{}
	for _, r := range rows {
		k := int(num(t, r["iteration"]))
		if k > 20 {
			continue
		}
		x, y := num(t, r["x"]), num(t, r["y"])
		switch {
		case r["function"] == "saddle-quadratic" && r["method"] == "gd":
			wx := c.start[0] * math.Pow(1-10*eta, float64(k))
			wy := c.start[1] * math.Pow(1+2*eta, float64(k))
			if math.Abs(x-wx) > 1e-13*math.Abs(c.start[0]) || math.Abs(y-wy) > 1e-13*math.Abs(wy) {
				t.Errorf("gd on 5x² - y², iterate %d: (%g, %g), want (%g, %g)", k, x, y, wx, wy)
			}
			seen["gd"]++
		case r["function"] == "monkey-saddle" && r["method"] == "newton":
			s := saddleCases[1].start
			h := math.Pow(0.5, float64(k))
			if math.Abs(x-h*s[0]) > 1e-14*h || math.Abs(y-h*s[1]) > 1e-14*h {
				t.Errorf("newton on the monkey saddle, iterate %d: (%g, %g), want (%g, %g)", k, x, y, h*s[0], h*s[1])
			}
			seen["newton"]++
		}
	}
	if seen["gd"] != 21 || seen["newton"] < 10 {
		t.Errorf("checked %v iterates; want 21 of gd and at least 10 of newton", seen)
	}
}

// TestSaddleMatch checks that an end point counts as a known critical point
// only when it is certified.
func TestSaddleMatch(t *testing.T) {
	t.Parallel()
	fn, err := landscape.ByName("himmelblau")
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range fn.Critical {
		a, err := critical.Analyze(fn.Problem, c.X, &critical.AnalyzeSettings{GradTol: 1e-10})
		if err != nil {
			t.Fatal(err)
		}
		if got := saddleMatch(a, fn.Critical); got != k {
			t.Errorf("critical point %d (%s at %v) matched %d", k, c.Kind, c.X, got)
		}
	}
	// (1, 1) is no critical point: ||g||² = 1360 there.
	a, err := critical.Analyze(fn.Problem, []float64{1, 1}, &critical.AnalyzeSettings{GradTol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	if got := saddleMatch(a, fn.Critical); got != -1 {
		t.Errorf("(1, 1) matched critical point %d", got)
	}
}

func TestSaddleThin(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, points int }{{5, 400}, {100, 50}, {101, 150}, {5001, 400}, {20000, 1000}} {
		path := make([]optimizers.Iterate, c.n)
		for i := range path {
			path[i].K = i
		}
		got := saddleThin(path, c.points)
		if got[0].K != 0 || got[len(got)-1].K != c.n-1 {
			t.Errorf("n=%d: thinned path runs from %d to %d", c.n, got[0].K, got[len(got)-1].K)
		}
		for i := 1; i < len(got); i++ {
			if got[i].K <= got[i-1].K {
				t.Fatalf("n=%d: iterations not increasing at %d", c.n, i)
			}
		}
		if head := min(c.n, 100); len(got) < head || got[head-1].K != head-1 {
			t.Errorf("n=%d: the first %d iterates are not all kept", c.n, head)
		}
		if len(got) > max(c.points, 100)+2 {
			t.Errorf("n=%d: %d iterates kept for about %d", c.n, len(got), c.points)
		}
	}
}
