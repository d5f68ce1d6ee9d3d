package plotx

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Levels returns n contour levels equally spaced from lo to hi.
func Levels(lo, hi float64, n int) []float64 {
	if n < 2 {
		panic(fmt.Sprintf("plotx: %d contour levels", n))
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return out
}

// LogLevels returns n contour levels from 10^lo to 10^hi, equally spaced in
// the exponent, for functions that vary over decades (Rosenbrock, Beale).
func LogLevels(lo, hi float64, n int) []float64 {
	out := Levels(lo, hi, n)
	for i, e := range out {
		out[i] = math.Pow(10, e)
	}
	return out
}

// FaintContour adds contour lines of g at the given levels to p, like
// Contour but in colours mixed with white by t in [0, 1) and thinner, for
// contours drawn behind trajectories and a legend. Unlike Contour it draws
// the lines of Isolines, so that the figure is the same on every run. It
// panics if levels is empty.
func FaintContour(p *plot.Plot, g Grid, levels []float64, t float64) error {
	if len(levels) == 0 {
		panic("plotx: no contour levels")
	}
	sorted := slices.Sorted(slices.Values(levels))
	colors := contourPalette{n: len(sorted)}.Colors()
	for i, lv := range sorted {
		style := draw.LineStyle{Color: tint(colors[i], t), Width: vg.Points(0.6)}
		for _, line := range Isolines(g, lv) {
			l, err := plotter.NewLine(line)
			if err != nil {
				return fmt.Errorf("plotx: %w", err)
			}
			l.LineStyle = style
			p.Add(l)
		}
	}
	return nil
}

// Isolines returns the contour lines of g at level as polylines, by
// marching squares: each grid cell whose corners lie on both sides of the
// level contributes a segment between the crossings of its edges, found by
// linear interpolation, the two ambiguous cases being resolved by the mean
// of the corners; segments that share an edge crossing are joined. A corner
// counts as above the level when its value is not below it, so non-finite
// values are above every level. The lines come in a deterministic order,
// unlike the paths of gonum's plotter.Contour, which follow map iteration
// order and so change the drawing order (and the bytes of a figure) from run
// to run.
func Isolines(g Grid, level float64) []plotter.XYs {
	nx, ny := len(g.X), len(g.Y)
	// Edge ids: 2(i nx + j) is the edge from (i, j) to (i, j+1), and
	// 2(i nx + j) + 1 the edge from (i, j) to (i+1, j), with i the row (y)
	// and j the column (x).
	hor := func(i, j int) int { return 2 * (i*nx + j) }
	ver := func(i, j int) int { return 2*(i*nx+j) + 1 }
	above := func(i, j int) bool { return !(g.Z[i][j] < level) }
	var segs [][2]int
	for i := 0; i+1 < ny; i++ {
		for j := 0; j+1 < nx; j++ {
			c := 0
			for b, corner := range [4][2]int{{i, j}, {i, j + 1}, {i + 1, j + 1}, {i + 1, j}} {
				if above(corner[0], corner[1]) {
					c |= 1 << b
				}
			}
			bottom, right, top, left := hor(i, j), ver(i, j+1), hor(i+1, j), ver(i, j)
			centre := (g.Z[i][j]+g.Z[i][j+1]+g.Z[i+1][j+1]+g.Z[i+1][j])/4 >= level
			switch c {
			case 1, 14:
				segs = append(segs, [2]int{left, bottom})
			case 2, 13:
				segs = append(segs, [2]int{bottom, right})
			case 3, 12:
				segs = append(segs, [2]int{left, right})
			case 4, 11:
				segs = append(segs, [2]int{right, top})
			case 6, 9:
				segs = append(segs, [2]int{bottom, top})
			case 7, 8:
				segs = append(segs, [2]int{left, top})
			case 5, 10:
				// bl and tr on one side, br and tl on the other: the
				// centre decides which pair the level separates.
				if centre == (c == 5) {
					segs = append(segs, [2]int{bottom, right}, [2]int{left, top})
				} else {
					segs = append(segs, [2]int{left, bottom}, [2]int{right, top})
				}
			}
		}
	}

	point := func(e int) plotter.XY {
		k := e / 2
		i, j := k/nx, k%nx
		i2, j2 := i, j+1
		if e%2 == 1 {
			i2, j2 = i+1, j
		}
		a, b := g.Z[i][j], g.Z[i2][j2]
		var t float64
		switch {
		case !finite(a):
			t = 1
		case !finite(b):
			t = 0
		default:
			t = (level - a) / (b - a)
		}
		return plotter.XY{X: g.X[j] + t*(g.X[j2]-g.X[j]), Y: g.Y[i] + t*(g.Y[i2]-g.Y[i])}
	}

	// Join the segments: every edge crossing belongs to at most two.
	at := map[int][]int{}
	for s, sg := range segs {
		at[sg[0]] = append(at[sg[0]], s)
		at[sg[1]] = append(at[sg[1]], s)
	}
	used := make([]bool, len(segs))
	// follow extends a chain from edge e away from segment s.
	follow := func(e, s int) []int {
		var chain []int
		for {
			next := -1
			for _, o := range at[e] {
				if o != s && !used[o] {
					next = o
					break
				}
			}
			if next < 0 {
				return chain
			}
			used[next] = true
			s = next
			if segs[s][0] == e {
				e = segs[s][1]
			} else {
				e = segs[s][0]
			}
			chain = append(chain, e)
		}
	}
	var lines []plotter.XYs
	for s, sg := range segs {
		if used[s] {
			continue
		}
		used[s] = true
		fwd := follow(sg[1], s)
		back := follow(sg[0], s)
		edges := make([]int, 0, len(back)+len(fwd)+2)
		for k := len(back) - 1; k >= 0; k-- {
			edges = append(edges, back[k])
		}
		edges = append(edges, sg[0], sg[1])
		edges = append(edges, fwd...)
		line := make(plotter.XYs, len(edges))
		for k, e := range edges {
			line[k] = point(e)
		}
		lines = append(lines, line)
	}
	return lines
}
