package critical

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/critpoint/critpoint/internal/testfunc"
)

// TestDedup checks the grouping rule ||x_i - x_j|| <= tol + 2 (eta_i + eta_j)
// on hand-made points.
func TestDedup(t *testing.T) {
	t.Parallel()
	pt := func(x, y, eta, gradNorm float64, kind Kind, converged bool) Point {
		return Point{
			X: []float64{x, y}, NewtonDistance: eta, GradNorm: gradNorm, Converged: converged,
			Classification: Classification{Kind: kind},
		}
	}
	points := []Point{
		0: pt(0, 0, 0, 1e-6, Minimum, true),
		1: pt(1, 0, 0, 1e-6, Saddle, true),
		// Within tol = 1e-3 of point 0: joins it, with a smaller gradient.
		2: pt(5e-4, 0, 0, 1e-8, Minimum, true),
		// 0.01 from point 1, within 2 (eta + 0) = 0.012 of it.
		3: pt(1.01, 0, 6e-3, 1e-7, Saddle, true),
		// Not converged: ignored.
		4: pt(0, 0, 0, 1, Minimum, false),
		// 0.01 from point 1 but eta too small: a new cluster.
		5: pt(1, 0.01, 1e-3, 1e-6, Maximum, true),
		// Within 1e-3 of point 2 but 1.2e-3 from the anchor, point 0.
		6: pt(1.2e-3, 0, 0, 1e-6, Degenerate, true),
	}
	got := Dedup(points, 1e-3)
	want := []struct {
		members []int
		best    int
	}{
		{[]int{0, 2}, 2},
		{[]int{1, 3}, 3},
		{[]int{5}, 5},
		{[]int{6}, 6},
	}
	if len(got) != len(want) {
		t.Fatalf("%d clusters, want %d", len(got), len(want))
	}
	for i, c := range got {
		if !slices.Equal(c.Members, want[i].members) || !reflect.DeepEqual(c.Point, points[want[i].best]) {
			t.Errorf("cluster %d: members %v, point %v; want %v, point %d", i, c.Members, c.Point.X, want[i].members, want[i].best)
		}
	}

	s := Summarize(points, 1e-3)
	if s.Starts != 7 || s.Converged != 6 || s.Failed != 1 || s.GradientFlat != 0 ||
		s.Minima != 1 || s.Saddles != 1 || s.Maxima != 1 || s.Degenerate != 1 || len(s.Distinct) != 4 {
		t.Errorf("summary %+v", s)
	}

	// A zero tolerance means DefaultDedupTol: points 0 and 2 separate.
	if n := len(Dedup(points, 0)); n != 5 {
		t.Errorf("%d clusters with the default tolerance, want 5", n)
	}
	if n := len(Dedup(nil, 0)); n != 0 {
		t.Errorf("%d clusters of nothing", n)
	}
}

// TestFindManyWorkers checks that FindMany gives bit-for-bit the same points
// and summary for 1 and 2 workers, and the same points as serial Find.
func TestFindManyWorkers(t *testing.T) {
	t.Parallel()
	for _, fn := range []testfunc.Function{testfunc.Himmelblau(), testfunc.GradientFlatQuartic()} {
		starts := gridStarts(fn.Domain, 7, 5)
		for _, m := range allMethods {
			find := &FindSettings{Method: m}
			p1, s1, err := FindMany(fn.Problem, starts, &ManySettings{Find: find, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			p2, s2, err := FindMany(fn.Problem, starts, &ManySettings{Find: find, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(s1, s2) {
				t.Errorf("%s, %v: results differ between 1 and 2 workers", fn.Name, m)
			}
			for i, x := range starts {
				p, err := Find(fn.Problem, x, find)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(p, p1[i]) {
					t.Errorf("%s, %v, start %v: FindMany differs from Find", fn.Name, m, x)
				}
			}
			if m == GradientNorm && fn.Name == "gradient-flat-quartic" && s1.GradientFlat == 0 {
				t.Errorf("%s, %v: no gradient-flat point counted", fn.Name, m)
			}
		}
	}
}

func TestFindManyErrors(t *testing.T) {
	t.Parallel()
	p := testfunc.Himmelblau().Problem
	_, _, err := FindMany(p, [][]float64{{1, 1}, {math.NaN(), 0}}, nil)
	if err == nil {
		t.Error("no error for a NaN start")
	}
	points, s, err := FindMany(p, nil, nil)
	if err != nil || len(points) != 0 || s.Starts != 0 {
		t.Errorf("no starts: %v, %d points, %+v", err, len(points), s)
	}
	for _, test := range []struct {
		name   string
		starts [][]float64
		s      *ManySettings
	}{
		{"lengths", [][]float64{{1, 1}, {1}}, nil},
		{"workers", [][]float64{{1, 1}}, &ManySettings{Workers: -1}},
		{"find settings", [][]float64{{1, 1}}, &ManySettings{Find: &FindSettings{Shrink: 2}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", test.name)
				}
			}()
			_, _, _ = FindMany(p, test.starts, test.s)
		}()
	}
}

func ExampleFindMany() {
	// Newton-MR from a 5×5 grid of starts on [-5, 5]^2 finds the nine
	// critical points of Himmelblau's function.
	fn := testfunc.Himmelblau()
	var starts [][]float64
	for _, x := range []float64{-5, -2.5, 0, 2.5, 5} {
		for _, y := range []float64{-5, -2.5, 0, 2.5, 5} {
			starts = append(starts, []float64{x, y})
		}
	}
	_, s, err := FindMany(fn.Problem, starts, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d of %d starts converged to %d distinct critical points:\n", s.Converged, s.Starts, len(s.Distinct))
	fmt.Printf("%d minima, %d maxima, %d saddles, %d degenerate\n", s.Minima, s.Maxima, s.Saddles, s.Degenerate)
	for _, c := range s.Distinct {
		p := c.Point
		fmt.Printf("(%6.3f, %6.3f) f = %8.3f %-7v index %d, reached from %d starts\n",
			p.X[0], p.X[1], p.F, p.Classification.Kind, p.Classification.Index, len(c.Members))
	}

	// Output:
	// 25 of 25 starts converged to 9 distinct critical points:
	// 4 minima, 1 maxima, 4 saddles, 0 degenerate
	// (-3.779, -3.283) f =    0.000 minimum index 0, reached from 4 starts
	// (-3.073, -0.081) f =  104.015 saddle  index 1, reached from 2 starts
	// (-2.805,  3.131) f =    0.000 minimum index 0, reached from 4 starts
	// (-0.128, -1.954) f =  178.337 saddle  index 1, reached from 2 starts
	// (-0.271, -0.923) f =  181.617 maximum index 2, reached from 1 starts
	// ( 0.087,  2.884) f =   67.719 saddle  index 1, reached from 2 starts
	// ( 3.584, -1.848) f =    0.000 minimum index 0, reached from 4 starts
	// ( 3.385,  0.074) f =   13.312 saddle  index 1, reached from 2 starts
	// ( 3.000,  2.000) f =    0.000 minimum index 0, reached from 4 starts
}
