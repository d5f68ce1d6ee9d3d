package critical

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/internal/testfunc"
)

func TestBasinGridStart(t *testing.T) {
	t.Parallel()
	g := BasinGrid{XMin: -2, XMax: 2, YMin: 1, YMax: 3, NX: 5, NY: 3}
	for _, test := range []struct {
		i, j int
		want []float64
	}{
		{0, 0, []float64{-2, 1}},
		{4, 2, []float64{2, 3}},
		{1, 1, []float64{-1, 2}},
		{3, 0, []float64{1, 1}},
	} {
		if got := g.Start(test.i, test.j); !slices.Equal(got, test.want) {
			t.Errorf("Start(%d, %d) = %v, want %v", test.i, test.j, got, test.want)
		}
	}
	one := BasinGrid{XMin: 0.5, XMax: 9, YMin: -1, YMax: 9, NX: 1, NY: 1}
	if got := one.Start(0, 0); !slices.Equal(got, []float64{0.5, -1}) {
		t.Errorf("1×1 grid: Start(0, 0) = %v", got)
	}
}

// TestBasinsHimmelblau checks the basin map of every method on an 11×11
// grid over [-5, 5]^2 that contains the minimum (3, 2): the start there
// converges at once to known point 0. Every start converges to one of the
// nine critical points, and the map does not depend on the worker count.
func TestBasinsHimmelblau(t *testing.T) {
	t.Parallel()
	fn := testfunc.Himmelblau()
	var known [][]float64
	for _, c := range fn.Critical {
		known = append(known, c.X)
	}
	grid := BasinGrid{XMin: -5, XMax: 5, YMin: -5, YMax: 5, NX: 11, NY: 11}
	for _, m := range allMethods {
		s := &FindSettings{Method: m}
		m1, err := Basins(fn.Problem, known, grid, s, 1)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Basins(fn.Problem, known, grid, s, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m1, m2) {
			t.Errorf("%v: maps differ between 1 and 2 workers", m)
		}
		if m1.Method != m {
			t.Errorf("map method %v, want %v", m1.Method, m)
		}
		// (3, 2) is grid point (8, 7).
		if k := m1.At(8, 7); k != 0 || m1.Iterations[7*11+8] != 0 {
			t.Errorf("%v: start (3, 2) reached %d after %d iterations, want 0 after 0", m, k, m1.Iterations[7*11+8])
		}
		reached := make([]bool, len(known))
		for k, idx := range m1.Index {
			if idx < 0 || m1.Status[k] != Converged {
				t.Errorf("%v: start %v: index %d, %v", m, grid.Start(k%11, k/11), idx, m1.Status[k])
				continue
			}
			reached[idx] = true
		}
		if !slices.Contains(reached, true) {
			t.Errorf("%v: no known point reached", m)
		}
	}
}

// TestBasinsGradientFlat checks gradient-norm minimisation on the quartic of
// Frye et al. (2021) along y = 0.25: starts left of -sqrt 2 reach the
// minimum (-3, 0), known point 0; starts right of it end gradient-flat at
// (sqrt 2, 0), which is not critical, so their index is -1.
func TestBasinsGradientFlat(t *testing.T) {
	t.Parallel()
	fn := testfunc.GradientFlatQuartic()
	grid := BasinGrid{XMin: -4.5, XMax: 4.5, YMin: 0.25, YMax: 0.25, NX: 19, NY: 1}
	m, err := Basins(fn.Problem, [][]float64{{-3, 0}}, grid, &FindSettings{Method: GradientNorm}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range grid.NX {
		x := grid.Start(i, 0)[0]
		if x < -math.Sqrt2 {
			if m.At(i, 0) != 0 {
				t.Errorf("start x = %v: index %d, %v; want 0", x, m.At(i, 0), m.Status[i])
			}
		} else if m.At(i, 0) != -1 || !m.GradientFlat[i] || m.Status[i] != GradientFlat {
			t.Errorf("start x = %v: index %d, %v, flat %v; want -1, gradient-flat", x, m.At(i, 0), m.Status[i], m.GradientFlat[i])
		}
	}
}

// TestBasinsUnknownPoint checks that a converged point matching no known
// point gets index -1.
func TestBasinsUnknownPoint(t *testing.T) {
	t.Parallel()
	fn := testfunc.SaddleQuadratic()
	grid := BasinGrid{XMin: -1, XMax: 1, YMin: -1, YMax: 1, NX: 3, NY: 2}
	m, err := Basins(fn.Problem, [][]float64{{0.5, 0.5}}, grid, &FindSettings{Method: Newton}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for k, idx := range m.Index {
		if idx != -1 || m.Status[k] != Converged {
			t.Errorf("start %d: index %d, %v; want -1, converged", k, idx, m.Status[k])
		}
	}
}

func TestBasinsPanics(t *testing.T) {
	t.Parallel()
	p := testfunc.Himmelblau().Problem
	good := BasinGrid{XMin: -1, XMax: 1, YMin: -1, YMax: 1, NX: 2, NY: 2}
	for _, test := range []struct {
		name    string
		known   [][]float64
		grid    BasinGrid
		workers int
	}{
		{"known length", [][]float64{{1, 2, 3}}, good, 0},
		{"empty grid", nil, BasinGrid{NX: 0, NY: 3}, 0},
		{"NaN bound", nil, BasinGrid{XMin: math.NaN(), NX: 1, NY: 1}, 0},
		{"match tolerance", nil, BasinGrid{NX: 1, NY: 1, MatchTol: -1}, 0},
		{"workers", nil, good, -1},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", test.name)
				}
			}()
			_, _ = Basins(p, test.known, test.grid, nil, test.workers)
		}()
	}
	for _, f := range []func(){
		func() { good.Start(2, 0) },
		func() { BasinMap{Grid: good, Index: make([]int, 4)}.At(0, -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("index out of range: no panic")
				}
			}()
			f()
		}()
	}
}
