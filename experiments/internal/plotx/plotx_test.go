package plotx

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func TestMethodStylesDistinct(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, name := range Methods() {
		s := MethodStyle(name)
		key := fmt.Sprint(s.Color, s.Dashes)
		// gd and sgd are the same method sampled differently.
		if prev, dup := seen[key]; dup && !(prev == "gd" && name == "sgd") {
			t.Errorf("%s has the style of %s", name, prev)
		}
		seen[key] = name
	}
	if len(methodStyles) != len(Methods()) {
		t.Errorf("Methods lists %d names, styles has %d", len(Methods()), len(methodStyles))
	}
	defer func() {
		if recover() == nil {
			t.Error("MethodStyle of an unknown name did not panic")
		}
	}()
	MethodStyle("adamw")
}

func TestNonFiniteHandling(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	xys := plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: nan}, {X: 2, Y: inf}, {X: inf, Y: 1}, {X: 3, Y: -1}, {X: 4, Y: 0}}
	for _, tc := range []struct {
		name string
		got  plotter.XYs
		want plotter.XYs
	}{
		{"Finite", Finite(xys), plotter.XYs{{X: 0, Y: 1}, {X: 3, Y: -1}, {X: 4, Y: 0}}},
		{"PositiveY", PositiveY(xys), plotter.XYs{{X: 0, Y: 1}}},
		{"ClampY", ClampY(xys, 1e-3, 10), plotter.XYs{{X: 0, Y: 1}, {X: 2, Y: 10}, {X: 3, Y: 1e-3}, {X: 4, Y: 1e-3}}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestPlotHelpers(t *testing.T) {
	t.Parallel()
	p := New("title", "x (m)", "y (s)")
	if err := Line(p, "line", plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: math.NaN()}, {X: 2, Y: 1}}, MethodStyle("adam")); err != nil {
		t.Fatal(err)
	}
	Histogram(p, "hist", []float64{0, 1, 2}, []float64{0.5, math.Inf(1)}, Blue)
	if err := Function(p, "f", math.Sqrt, -1, 1, 5, SeriesStyle(0)); err != nil {
		t.Fatal(err)
	}
	g := Sample(func(x, y float64) float64 { return x*x - y*y }, -1, 1, 5, -1, 1, 4)
	if len(g.X) != 5 || len(g.Y) != 4 || g.Z[3][4] != 0 || g.Z[0][2] != -1 {
		t.Errorf("Sample grid = %+v", g)
	}
	Contour(p, g, []float64{-0.5, 0, 0.5})
	if err := Trajectory(p, "path", plotter.XYs{{X: 1, Y: 1}, {X: 0.5, Y: 0.2}}, MethodStyle("newton")); err != nil {
		t.Fatal(err)
	}
	if err := YErrorBars(p, []float64{0, 1}, []float64{-1, math.NaN()}, []float64{1, 2}, Black); err != nil {
		t.Fatal(err)
	}
	// Drawing exercises every plotter with the data kept.
	c := vgimg.New(10*vg.Centimeter, 8*vg.Centimeter)
	p.Draw(draw.New(c))
	defer func() {
		if recover() == nil {
			t.Error("Histogram with mismatched edges did not panic")
		}
	}()
	Histogram(p, "", []float64{0, 1}, []float64{1, 2}, Blue)
}
