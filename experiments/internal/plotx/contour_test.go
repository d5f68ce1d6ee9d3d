package plotx

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// TestIsolinesKnownAnswers checks contour lines whose shapes are known:
// a straight line for a plane, which linear interpolation recovers exactly,
// and one closed curve for a paraboloid, within the interpolation error of
// the grid.
func TestIsolinesKnownAnswers(t *testing.T) {
	t.Parallel()
	plane := Sample(func(x, y float64) float64 { return 2*x + y }, -1, 1, 21, -1, 1, 31)
	lines := Isolines(plane, 0.3)
	if len(lines) != 1 {
		t.Fatalf("plane: %d lines, want 1", len(lines))
	}
	for _, q := range lines[0] {
		if math.Abs(2*q.X+q.Y-0.3) > 1e-14 {
			t.Errorf("plane: point (%g, %g) has 2x + y = %g, want 0.3", q.X, q.Y, 2*q.X+q.Y)
		}
	}

	const r = 0.7
	bowl := Sample(func(x, y float64) float64 { return x*x + y*y }, -1, 1, 41, -1, 1, 41)
	lines = Isolines(bowl, r*r)
	if len(lines) != 1 {
		t.Fatalf("paraboloid: %d lines, want 1 closed curve", len(lines))
	}
	line := lines[0]
	if line[0] != line[len(line)-1] {
		t.Errorf("paraboloid: the curve is not closed: %v ... %v", line[0], line[len(line)-1])
	}
	// Interpolating x² along a cell edge of width h errs by at most h²/4
	// in the value, so by about h²/(8r) in the radius: h = 0.05 gives 4.5e-4.
	for _, q := range line {
		if d := math.Abs(math.Hypot(q.X, q.Y) - r); d > 5e-4 {
			t.Errorf("paraboloid: point (%g, %g) is %g off the circle of radius %g", q.X, q.Y, d, r)
		}
	}
}

// TestIsolinesProperties checks that every level crossing of a rough
// function lies on a segment, that the result does not change between calls,
// and that non-finite values count as above every level.
func TestIsolinesProperties(t *testing.T) {
	t.Parallel()
	f := func(x, y float64) float64 { return math.Sin(3*x)*math.Cos(2*y) + 0.3*x*y }
	g := Sample(f, -2, 2, 37, -1.5, 1.5, 29)
	for _, level := range []float64{-0.5, 0, 0.25} {
		a, b := Isolines(g, level), Isolines(g, level)
		if !slices.EqualFunc(a, b, func(p, q plotter.XYs) bool { return slices.Equal(p, q) }) {
			t.Errorf("level %g: two calls differ", level)
		}
		var points int
		for _, line := range a {
			if len(line) < 2 {
				t.Errorf("level %g: a line of %d points", level, len(line))
			}
			points += len(line)
		}
		// Each sign change along a grid edge is one crossing; a crossing
		// appears once in an open line and up to twice where a closed one
		// starts and ends.
		var crossings int
		for i := range g.Y {
			for j := range g.X {
				if j+1 < len(g.X) && (g.Z[i][j] < level) != (g.Z[i][j+1] < level) {
					crossings++
				}
				if i+1 < len(g.Y) && (g.Z[i][j] < level) != (g.Z[i+1][j] < level) {
					crossings++
				}
			}
		}
		if points < crossings || points > crossings+len(a) {
			t.Errorf("level %g: %d points on %d lines for %d edge crossings", level, points, len(a), crossings)
		}
	}

	hole := Sample(func(x, y float64) float64 { return x }, -1, 1, 5, -1, 1, 5)
	hole.Z[2][2] = math.NaN() // at (0, 0)
	for _, line := range Isolines(hole, 0.25) {
		for _, q := range line {
			if math.IsNaN(q.X) || math.IsNaN(q.Y) {
				t.Fatalf("non-finite point %v next to a NaN value", q)
			}
		}
	}
}
