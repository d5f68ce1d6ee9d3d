package main

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/landscape"
)

// quarticFlatGradSq is ||grad f||² at the gradient-flat point (√2, 0) of
// the quartic, (9 - 4√2)² = 11.1766 (Frye et al. 2021; testfunc's doc).
var quarticFlatGradSq = math.Pow(9-4*math.Sqrt2, 2)

// TestFindersHimmelblauQuick checks the quick preset's Himmelblau tables:
// every finder finds each of the nine critical points from the 21×21 grid
// and certifies it with its listed kind, and critical.Summarize counts four
// minima, four saddles and one maximum (Himmelblau's function; the
// testfunc list).
func TestFindersHimmelblauQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "finders", 2)
	methods := make([]string, len(findersMethods))
	for i, m := range findersMethods {
		methods[i] = m.String()
	}

	sum := readCSV(t, filepath.Join(dir, "himmelblau_summary.csv"))
	if len(sum) != len(methods) {
		t.Fatalf("%d summary rows, want %d", len(sum), len(methods))
	}
	for _, r := range sum {
		want := map[string]string{"points_found": "9", "points_classified_right": "9", "distinct": "9",
			"minima": "4", "saddles": "4", "maxima": "1", "degenerate": "0", "wrong_kind": "0", "unmatched": "0"}
		for col, w := range want {
			if r[col] != w {
				t.Errorf("%s: %s = %s, want %s", r["method"], col, r[col], w)
			}
		}
		if num(t, r["certified"])+num(t, r["failed"]) != num(t, r["starts"]) {
			t.Errorf("%s: certified %s + failed %s != starts %s", r["method"], r["certified"], r["failed"], r["starts"])
		}
	}

	pts := readCSV(t, filepath.Join(dir, "himmelblau_points.csv"))
	if len(pts) != 9*len(methods) {
		t.Fatalf("%d point rows, want %d", len(pts), 9*len(methods))
	}
	for _, r := range pts {
		if r["found"] != "true" || r["classified_right"] != "true" || r["certified_kind"] != r["kind"] ||
			r["kind_right"] != r["count"] || num(t, r["grad_norm_sq"]) >= 1e-10 {
			t.Errorf("%s, %s: %v; want it found and certified as a %s", r["method"], r["point"], r, r["kind"])
		}
	}

	// Every run's row agrees with its certificate: a certified end point
	// has ||g||² below Frye et al.'s 1e-10 and is a listed point of its
	// kind; the counts per point add up to the runs that reach it.
	runs := readCSV(t, filepath.Join(dir, "himmelblau_runs.csv"))
	if len(runs) != len(methods)*21*21 {
		t.Fatalf("%d runs, want %d", len(runs), len(methods)*21*21)
	}
	reach := map[[2]string]int{}
	for _, r := range runs {
		certified := r["certified"] == "true"
		if certified != (r["status"] == "converged") || certified == (r["endpoint"] == findersNotCertified) {
			t.Errorf("%s from (%s, %s): status %s, certified %s, end point %s", r["method"], r["x0"], r["y0"], r["status"], r["certified"], r["endpoint"])
		}
		if certified && num(t, r["grad_norm_sq"]) >= 1e-10 {
			t.Errorf("%s from (%s, %s): certified with ||g||² = %s", r["method"], r["x0"], r["y0"], r["grad_norm_sq"])
		}
		reach[[2]string{r["method"], r["endpoint"]}]++
	}
	for _, r := range pts {
		if got := reach[[2]string{r["method"], r["point"]}]; got != int(num(t, r["count"])) {
			t.Errorf("%s, %s: %d runs end there, count is %s", r["method"], r["point"], got, r["count"])
		}
	}
}

// TestFindersQuarticQuick checks the quick preset's quartic tables against
// the behaviour of the finders at the gradient-flat points of Frye et al.
// (2021): no run certifies a point other than the minimum (-3, 0); from the
// left of x = -√2 every finder certifies it; gradient-norm minimisation, a
// descent method on ||g||², ends at (√2, 0) flagged gradient-flat from every
// start right of -√2 on the quick grid; pure Newton, which is not a descent
// method on ||g||², certifies the minimum from all of them; Newton-MR
// ends flagged at √2 from some of them and certifies the minimum from
// others.
func TestFindersQuarticQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "finders", 2)
	type key struct{ method, side, outcome string }
	count := map[key]float64{}
	starts := map[key]float64{}
	for _, r := range readCSV(t, filepath.Join(dir, "quartic_outcomes.csv")) {
		k := key{r["method"], r["side"], r["outcome"]}
		count[k] = num(t, r["count"])
		starts[key{r["method"], r["side"], ""}] = num(t, r["starts"])
	}
	for _, m := range findersMethods {
		method := m.String()
		var total float64
		for _, side := range quarticSides {
			if c := count[key{method, side, quarticFalse}]; c != 0 {
				t.Errorf("%s, %s of -√2: %v false certificates", method, side, c)
			}
			total += starts[key{method, side, ""}]
		}
		// 29×17 starts; x = -√2 is irrational, so no start lies on it.
		if total != 29*17 {
			t.Errorf("%s: %v starts, want %d", method, total, 29*17)
		}
		left := starts[key{method, "left", ""}]
		if c := count[key{method, "left", quarticMinimum}]; c != left || left == 0 {
			t.Errorf("%s: %v of %v starts left of -√2 certified at (-3, 0), want all", method, c, left)
		}
	}
	right := starts[key{"gradient-norm", "right", ""}]
	if c := count[key{"gradient-norm", "right", quarticFlat}]; c != right || right == 0 {
		t.Errorf("gradient-norm: %v of %v starts right of -√2 end flagged at √2, want all", c, right)
	}
	if c := count[key{"newton", "right", quarticMinimum}]; c != right {
		t.Errorf("newton: %v of %v starts right of -√2 certified at (-3, 0), want all", c, right)
	}
	if flat, minimum := count[key{"newton-mr", "right", quarticFlat}], count[key{"newton-mr", "right", quarticMinimum}]; flat == 0 || minimum == 0 {
		t.Errorf("newton-mr right of -√2: %v flagged at √2, %v certified at (-3, 0); want both outcomes", flat, minimum)
	}

	// The flagged end points are the gradient-flat point: not certified,
	// r > 0.9, and for gradient-norm minimisation, which converges to the
	// local minimum of ||g||², ||g||² = (9 - 4√2)² to the six digits
	// written.
	var flagged int
	for _, r := range readCSV(t, filepath.Join(dir, "quartic_runs.csv")) {
		switch r["outcome"] {
		case quarticFlat:
			flagged++
			if r["certified"] != "false" || r["gradient_flat"] != "true" || r["status"] != "gradient-flat" || num(t, r["flat_ratio"]) <= 0.9 ||
				math.Abs(num(t, r["x"])-math.Sqrt2) > 1e-4 {
				t.Errorf("%s from (%s, %s): flagged row %v", r["method"], r["x0"], r["y0"], r)
			}
			if r["method"] == "gradient-norm" {
				if g := num(t, r["grad_norm_sq"]); math.Abs(g-quarticFlatGradSq) > 1e-5*quarticFlatGradSq {
					t.Errorf("gradient-norm from (%s, %s): ||g||² = %v at the flagged point, want %.6g", r["x0"], r["y0"], g, quarticFlatGradSq)
				}
			}
		case quarticMinimum:
			if math.Hypot(num(t, r["x"])+3, num(t, r["y"])) > 1e-5 || num(t, r["grad_norm_sq"]) >= 1e-10 || r["kind"] != "minimum" {
				t.Errorf("%s from (%s, %s): certified row %v", r["method"], r["x0"], r["y0"], r)
			}
		}
	}
	if flagged == 0 {
		t.Error("no run flagged gradient-flat")
	}
}

// TestFindersMatch checks the matching of end points to known critical
// points: each listed point of Himmelblau's function, as Find certifies it
// when started there, matches itself; an uncertified point matches nothing,
// and a certified point far from every listed one is unmatched.
func TestFindersMatch(t *testing.T) {
	t.Parallel()
	fn, err := landscape.ByName("himmelblau")
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range fn.Critical {
		pt, err := critical.Find(fn.Problem, c.X, &critical.FindSettings{GradTol: 1e-10})
		if err != nil {
			t.Fatal(err)
		}
		if got := findersMatch(pt, fn.Critical); got != k {
			t.Errorf("critical point %d (%s at %v) matched %d", k, c.Kind, c.X, got)
		}
	}
	// (1, 1) is no critical point: ||g||² = 1360 there.
	pt, err := critical.Find(fn.Problem, []float64{1, 1}, &critical.FindSettings{MaxIterations: 1, GradTol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	if got := findersMatch(pt, fn.Critical); got != findersUncertified {
		t.Errorf("uncertified (1, 1) matched %d", got)
	}
	// Taken as certified, with the estimated distance η = 0 of an exact
	// critical point, it is no listed point.
	if got := findersMatch(critical.Point{X: []float64{1, 1}, Converged: true}, fn.Critical); got != findersUnmatched {
		t.Errorf("(1, 1) taken as certified matched %d, want unmatched", got)
	}
}

// TestQuarticOutcome checks the classification of end points on the
// gradient-flat quartic from single runs whose ends are known: Newton from
// (0, 0) converges to the minimum (-3, 0), gradient-norm minimisation from
// (1, 0.5) stalls at (√2, 0).
func TestQuarticOutcome(t *testing.T) {
	t.Parallel()
	fn, err := landscape.ByName("gradient-flat-quartic")
	if err != nil {
		t.Fatal(err)
	}
	p := findersPresets.Quick
	for _, c := range []struct {
		method critical.FindMethod
		x0     []float64
		want   string
	}{
		{critical.Newton, []float64{0, 0}, quarticMinimum},
		{critical.GradientNorm, []float64{1, 0.5}, quarticFlat},
		{critical.GradientNorm, []float64{-3.5, 1}, quarticMinimum},
	} {
		pt, err := critical.Find(fn.Problem, c.x0, findersSettings(p, c.method))
		if err != nil {
			t.Fatal(err)
		}
		if got := quarticOutcome(pt, fn, p.Sqrt2Tol); got != c.want {
			t.Errorf("%v from %v ends at %v (%v, r = %g): outcome %s, want %s", c.method, c.x0, pt.X, pt.Status, pt.FlatRatio, got, c.want)
		}
	}
	// A certificate anywhere else is false.
	if got := quarticOutcome(critical.Point{X: []float64{1, 0}, Converged: true}, fn, p.Sqrt2Tol); got != quarticFalse {
		t.Errorf("certified (1, 0): outcome %s, want %s", got, quarticFalse)
	}
}

func TestFindersLabels(t *testing.T) {
	t.Parallel()
	fn, err := landscape.ByName("himmelblau")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"minimum 1", "minimum 2", "minimum 3", "minimum 4", "maximum", "saddle 1", "saddle 2", "saddle 3", "saddle 4"}
	if got := findersLabels(fn.Critical); !slices.Equal(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}
}
