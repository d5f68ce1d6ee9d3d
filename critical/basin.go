package critical

import (
	"fmt"
	"math"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
)

// BasinGrid is a rectangular grid of starting points in the plane: NX
// equally spaced x values from XMin to XMax (both included; XMin alone when
// NX is 1) times NY y values from YMin to YMax.
type BasinGrid struct {
	XMin, XMax, YMin, YMax float64
	NX, NY                 int

	// MatchTol is the tolerance with which a converged point is matched to
	// a known critical point, by the rule of Dedup with eta = 0 for the
	// known point. Zero means DefaultDedupTol.
	MatchTol float64
}

// Start returns the starting point (x_i, y_j) of the grid.
func (g BasinGrid) Start(i, j int) []float64 {
	if i < 0 || i >= g.NX || j < 0 || j >= g.NY {
		panic(fmt.Sprintf("critical: grid index (%d, %d) out of range %d×%d", i, j, g.NX, g.NY))
	}
	return []float64{gridValue(g.XMin, g.XMax, i, g.NX), gridValue(g.YMin, g.YMax, j, g.NY)}
}

func gridValue(lo, hi float64, i, n int) float64 {
	if n == 1 {
		return lo
	}
	return lo + (hi-lo)*float64(i)/float64(n-1)
}

// BasinMap records where Find goes from each start of a grid: the data of a
// basin-of-attraction figure for one method.
type BasinMap struct {
	Grid   BasinGrid
	Method FindMethod
	// Index[j*NX + i] is the index in the known points of the critical
	// point reached from Start(i, j), or -1 when the run did not converge or
	// converged to a point that matches none of them.
	Index []int
	// Status[j*NX + i] says why the run from Start(i, j) stopped, and
	// GradientFlat[j*NX + i] whether it ended at a gradient-flat point.
	Status       []FindStatus
	GradientFlat []bool
	// Iterations[j*NX + i] is the number of iterations it took.
	Iterations []int
}

// At returns the index of the known critical point reached from Start(i, j),
// or -1.
func (m BasinMap) At(i, j int) int {
	if i < 0 || i >= m.Grid.NX || j < 0 || j >= m.Grid.NY {
		panic(fmt.Sprintf("critical: grid index (%d, %d) out of range %d×%d", i, j, m.Grid.NX, m.Grid.NY))
	}
	return m.Index[j*m.Grid.NX+i]
}

// Basins runs Find with the settings s from every start of the grid for a
// two-dimensional problem and records which of the known critical points each
// run reaches: the converged point is matched to the nearest known point
// within the tolerance of the grid. The runs use workers goroutines (0 means
// GOMAXPROCS); the map does not depend on their number.
//
// Basins panics if a known point does not have length 2, the grid is empty
// (NX or NY < 1) or has non-finite bounds, or workers is negative. It
// returns an error when Find cannot start from a grid point.
func Basins(p hessian.Problem, known [][]float64, grid BasinGrid, s *FindSettings, workers int) (BasinMap, error) {
	for i, k := range known {
		if len(k) != 2 {
			panic(fmt.Sprintf("critical: known point %d has length %d, want 2", i, len(k)))
		}
	}
	if grid.NX < 1 || grid.NY < 1 {
		panic(fmt.Sprintf("critical: empty basin grid %d×%d", grid.NX, grid.NY))
	}
	for _, v := range []float64{grid.XMin, grid.XMax, grid.YMin, grid.YMax} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			panic(fmt.Sprintf("critical: non-finite grid bound %v", v))
		}
	}
	if grid.MatchTol < 0 || math.IsNaN(grid.MatchTol) {
		panic(fmt.Sprintf("critical: invalid match tolerance %v", grid.MatchTol))
	}
	if workers < 0 {
		panic(fmt.Sprintf("critical: negative worker count %d", workers))
	}
	set := s.resolve()
	tol := grid.MatchTol
	if tol == 0 {
		tol = DefaultDedupTol
	}
	total := grid.NX * grid.NY
	m := BasinMap{
		Grid:         grid,
		Method:       set.Method,
		Index:        make([]int, total),
		Status:       make([]FindStatus, total),
		GradientFlat: make([]bool, total),
		Iterations:   make([]int, total),
	}
	errs := make([]error, total)
	forEach(total, workers, func(k int) {
		i, j := k%grid.NX, k/grid.NX
		pt, err := Find(p, grid.Start(i, j), s)
		if err != nil {
			errs[k] = err
			return
		}
		m.Index[k] = matchKnown(pt, known, tol)
		m.Status[k] = pt.Status
		m.GradientFlat[k] = pt.GradientFlat
		m.Iterations[k] = pt.Iterations
	})
	for k, err := range errs {
		if err != nil {
			return BasinMap{}, fmt.Errorf("critical: grid point (%d, %d): %w", k%grid.NX, k/grid.NX, err)
		}
	}
	return m, nil
}

// matchKnown returns the index of the known point nearest to the converged
// point pt that it matches, or -1.
func matchKnown(pt Point, known [][]float64, tol float64) int {
	if !pt.Converged {
		return -1
	}
	best, bestDist := -1, math.Inf(1)
	for k, x := range known {
		if !samePoint(pt.X, x, pt.NewtonDistance, 0, tol) {
			continue
		}
		if d := floats.Distance(pt.X, x, 2); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}
