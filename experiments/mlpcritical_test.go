package main

import (
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/critpoint/critpoint/critical"
)

func TestMLPPriorPoint(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		labels        []int
		loss, errRate float64
	}{
		// Ten balanced classes: L = ln 10, error 0.9.
		{name: "balanced", labels: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, loss: math.Log(10), errRate: 0.9},
		// One class: L = 0, error 0.
		{name: "one class", labels: []int{3, 3, 3}, loss: 0, errRate: 0},
		// π = (3/4, 1/4): L = −(3/4)ln(3/4) − (1/4)ln(1/4), error 1/4.
		{name: "three to one", labels: []int{1, 1, 1, 0}, loss: -0.75*math.Log(0.75) - 0.25*math.Log(0.25), errRate: 0.25},
	} {
		l, e := mlpPriorPoint(c.labels, 10)
		if math.Abs(l-c.loss) > 1e-15 || math.Abs(e-c.errRate) > 1e-15 {
			t.Errorf("%s: loss %v, error %v; want %v, %v", c.name, l, e, c.loss, c.errRate)
		}
	}
}

// mlpTestPoint returns a point with the given training error, index
// fraction and certification.
func mlpTestPoint(err, alpha float64, certified bool) mlpPoint {
	return mlpPoint{error: err, pt: critical.Point{Converged: certified, Classification: critical.Classification{IndexFraction: alpha}}}
}

func TestMLPCorrelation(t *testing.T) {
	t.Parallel()
	line := []mlpPoint{mlpTestPoint(0.1, 0.01, true), mlpTestPoint(0.2, 0.02, true), mlpTestPoint(0.4, 0.04, true)}
	if c, ok := mlpCorrelation(line).(float64); !ok || math.Abs(c-1) > 1e-12 {
		t.Errorf("correlation of points on a rising line = %v, want 1", mlpCorrelation(line))
	}
	for _, c := range []struct {
		name   string
		points []mlpPoint
	}{
		{"two points", line[:2]},
		{"constant error", []mlpPoint{mlpTestPoint(0.5, 0.1, true), mlpTestPoint(0.5, 0.2, true), mlpTestPoint(0.5, 0.3, true)}},
		{"constant index", []mlpPoint{mlpTestPoint(0.1, 0.1, true), mlpTestPoint(0.2, 0.1, true), mlpTestPoint(0.3, 0.1, true)}},
	} {
		if v := mlpCorrelation(c.points); v != nil {
			t.Errorf("%s: correlation %v, want a missing value", c.name, v)
		}
	}
}

func TestMLPSpectrumPoints(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		points []mlpPoint
		want   []int
	}{
		{
			name: "three certified errors: lowest, median, highest certified",
			points: []mlpPoint{
				mlpTestPoint(0.9, 0, false), mlpTestPoint(0.5, 0, true), mlpTestPoint(0.1, 0, true),
				mlpTestPoint(0.3, 0, true), mlpTestPoint(0.05, 0, false), mlpTestPoint(0.7, 0, true),
			},
			// Certified errors sorted: 0.1 (point 2), 0.3 (3), 0.5 (1), 0.7 (5);
			// the median is element 4/2 = 2.
			want: []int{2, 1, 5},
		},
		{
			name: "certified points share an error: all points",
			points: []mlpPoint{
				mlpTestPoint(0.9, 0, true), mlpTestPoint(0.9, 0, true), mlpTestPoint(0.2, 0, false),
				mlpTestPoint(0.4, 0, false),
			},
			// Sorted: 0.2 (point 2), 0.4 (3), 0.9 (0), 0.9 (1), ties in order.
			want: []int{2, 0, 1},
		},
		{
			name:   "fewer than three points: all of them",
			points: []mlpPoint{mlpTestPoint(0.4, 0, false), mlpTestPoint(0.2, 0, false)},
			want:   []int{1, 0},
		},
	} {
		got := mlpSpectrumPoints(c.points)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestMLPCriticalQuick checks the claims of the experiment on its quick
// preset (100-3-10, 200 images, 6 finder runs of 10 iterations).
func TestMLPCriticalQuick(t *testing.T) {
	t.Parallel()
	dir := runQuick(t, "mlp-critical", 2)
	points := readCSV(t, filepath.Join(dir, "points.csv"))
	summary := readCSV(t, filepath.Join(dir, "summary.csv"))
	all := summary[len(summary)-1]
	if all["method"] != "all" {
		t.Fatalf("last summary row is %q, want all", all["method"])
	}
	priorLoss, priorErr := numOrNaN(t, all["prior_loss"]), numOrNaN(t, all["prior_error_pct"])

	outcomes := map[string]int{}
	certifiedIndex := map[string]bool{}
	for _, r := range points {
		id := r["point"] + " (" + r["method"] + ")"
		outcomes[r["outcome"]]++
		g2 := numOrNaN(t, r["grad_norm_sq"])
		certified := r["certified"] == "true"
		if certified != (r["status"] == "converged") || certified != (r["outcome"] == "certified") {
			t.Errorf("point %s: certified %v, status %s, outcome %s", id, certified, r["status"], r["outcome"])
		}
		// Certificate: ||∇L||² < 1e-10 (Frye et al.) for every certified point.
		if certified && !(g2 < 1e-10) {
			t.Errorf("point %s: certified with ||g||² = %g", id, g2)
		}
		// The gradient-flat flag only on points that are not certified, and
		// only above the flatness threshold 0.9 (Frye et al. 2021).
		if r["gradient_flat"] == "true" && (certified || !(numOrNaN(t, r["flat_ratio"]) > 0.9)) {
			t.Errorf("point %s: gradient-flat with certified %v, r = %s", id, certified, r["flat_ratio"])
		}
		// A consistent classification: index + nullity + positive = P, the
		// index fraction is index/P, the kind follows from the signs.
		idx, _ := strconv.Atoi(r["index"])
		null, _ := strconv.Atoi(r["nullity"])
		n, _ := strconv.Atoi(r["params"])
		pos := n - idx - null
		if idx < 0 || null < 0 || pos < 0 || n != 343 {
			t.Errorf("point %s: index %d, nullity %d of %d parameters (want 100·3+3+3·10+10 = 343)", id, idx, null, n)
		}
		if a := numOrNaN(t, r["index_fraction"]); a != float64(idx)/float64(n) {
			t.Errorf("point %s: index fraction %v, want %d/%d", id, a, idx, n)
		}
		var kind string
		switch {
		case idx > 0 && pos > 0:
			kind = "saddle"
		case null > 0:
			kind = "degenerate"
		case idx == 0:
			kind = "minimum"
		default:
			kind = "maximum"
		}
		if r["kind"] != kind {
			t.Errorf("point %s: kind %s, want %s for index %d, nullity %d, %d positive", id, r["kind"], kind, idx, null, pos)
		}
		if tol := numOrNaN(t, r["class_tol"]); (idx > 0) != (numOrNaN(t, r["min_eigenvalue"]) < -tol) {
			t.Errorf("point %s: index %d with smallest eigenvalue %s and tolerance %g", id, idx, r["min_eigenvalue"], tol)
		}
		if certified {
			certifiedIndex[r["index"]] = true
			// What the quick preset shows: every certified point is the
			// constant-output critical point, with the loss −Σ π log π and
			// the error 1 − max π of the class frequencies (to the accuracy
			// that ||g||² < 1e-10 allows).
			if l, e := numOrNaN(t, r["loss"]), numOrNaN(t, r["error_pct"]); math.Abs(l-priorLoss) > 1e-6 || math.Abs(e-priorErr) > 1e-9 {
				t.Errorf("point %s: certified at loss %v, error %v%%; the constant-output point has %v, %v%%", id, l, e, priorLoss, priorErr)
			}
		}
	}
	if n := numOrNaN(t, all["points"]); int(n) != len(points) || outcomes["certified"] != int(numOrNaN(t, all["certified"])) ||
		outcomes["gradient-flat"] != int(numOrNaN(t, all["gradient_flat"])) || outcomes["neither"] != int(numOrNaN(t, all["neither"])) {
		t.Errorf("summary %v disagrees with the points' outcomes %v", all, outcomes)
	}
	if outcomes["certified"] == 0 {
		t.Error("no certified point in the quick preset (it shows three)")
	}
	// Dauphin et al.'s rising error-index curve: when the certified points
	// differ in both error and index their correlation must be positive.
	// In the quick preset they share one error, and the correlation is a
	// missing value.
	if c := all["corr_error_index_certified"]; c != "" && !(numOrNaN(t, c) > 0) {
		t.Errorf("correlation of error and index over the certified points %s, want > 0", c)
	}

	// Each histogram counts every eigenvalue of its point.
	totals := map[string]int{}
	for _, r := range readCSV(t, filepath.Join(dir, "spectra.csv")) {
		c, _ := strconv.Atoi(r["count"])
		totals[r["point"]] += c
	}
	if len(totals) != 3 {
		t.Errorf("%d eigenvalue histograms, want 3", len(totals))
	}
	for p, n := range totals {
		if n != 343 {
			t.Errorf("histogram of point %s counts %d eigenvalues, want 343", p, n)
		}
	}
}
