package plotx

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Tint mixes c with white: t = 0 gives c, t = 1 white. It gives lighter
// shades of a palette colour, for categories related to it.
func Tint(c color.Color, t float64) color.Color { return tint(c, t) }

// Categories adds to p a map of categories on a rectangular grid, such as
// the basins of attraction of critical points: the cell centred on (xs[j],
// ys[i]) is filled with colors[cat[i][j]]. xs and ys must be equally spaced
// and increasing. Cells of one colour are merged into rectangles (runs along
// x, stacked along y when they repeat), drawn as vector shapes in a fixed
// order: a raster image would be smaller, but the PDF writer orders several
// images by map iteration, so that a figure with two maps would differ from
// run to run. It panics on mismatched sizes or a category outside colors.
func Categories(p *plot.Plot, xs, ys []float64, cat [][]int, colors []color.Color) {
	if len(xs) < 2 || len(ys) < 2 || len(cat) != len(ys) {
		panic(fmt.Sprintf("plotx: %d category rows for a %d×%d grid", len(cat), len(xs), len(ys)))
	}
	// A rectangle covers the cells j0..j1-1 of the rows i0..i1-1.
	type key struct{ j0, j1, k int }
	var rects []categoryRect
	open := map[key]int{}
	for i, row := range cat {
		if len(row) != len(xs) {
			panic(fmt.Sprintf("plotx: category row %d has %d cells, want %d", i, len(row), len(xs)))
		}
		next := map[key]int{}
		for j0 := 0; j0 < len(row); {
			k := row[j0]
			if k < 0 || k >= len(colors) {
				panic(fmt.Sprintf("plotx: category %d outside %d colours", k, len(colors)))
			}
			j1 := j0 + 1
			for j1 < len(row) && row[j1] == k {
				j1++
			}
			r := key{j0, j1, k}
			if idx, ok := open[r]; ok && rects[idx].i1 == i {
				rects[idx].i1 = i + 1
				next[r] = idx
			} else {
				next[r] = len(rects)
				rects = append(rects, categoryRect{i0: i, i1: i + 1, j0: j0, j1: j1, c: colors[k]})
			}
			j0 = j1
		}
		open = next
	}
	p.Add(categoryMap{xs: xs, ys: ys, rects: rects})
}

// categoryRect is a rectangle of grid cells of one colour.
type categoryRect struct {
	i0, i1, j0, j1 int
	c              color.Color
}

// categoryMap is the plotter of Categories.
type categoryMap struct {
	xs, ys []float64
	rects  []categoryRect
}

// edges returns the cell boundaries around equally spaced centres v.
func edges(v []float64) (lo, step float64) {
	step = (v[len(v)-1] - v[0]) / float64(len(v)-1)
	return v[0] - step/2, step
}

// Plot implements plot.Plotter. Each rectangle reaches a quarter of a cell
// further right and up, inside the grid, so that the later ones hide the
// anti-aliased seams between neighbours.
func (m categoryMap) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	x0, dx := edges(m.xs)
	y0, dy := edges(m.ys)
	xmax, ymax := x0+dx*float64(len(m.xs)), y0+dy*float64(len(m.ys))
	for _, r := range m.rects {
		xa, xb := x0+dx*float64(r.j0), min(x0+dx*(float64(r.j1)+0.25), xmax)
		ya, yb := y0+dy*float64(r.i0), min(y0+dy*(float64(r.i1)+0.25), ymax)
		pts := []vg.Point{
			{X: trX(xa), Y: trY(ya)}, {X: trX(xb), Y: trY(ya)},
			{X: trX(xb), Y: trY(yb)}, {X: trX(xa), Y: trY(yb)},
		}
		c.FillPolygon(r.c, c.ClipPolygonXY(pts))
	}
}

// DataRange implements plot.DataRanger: the grid with its half cells.
func (m categoryMap) DataRange() (xmin, xmax, ymin, ymax float64) {
	x0, dx := edges(m.xs)
	y0, dy := edges(m.ys)
	return x0, x0 + dx*float64(len(m.xs)), y0, y0 + dy*float64(len(m.ys))
}

// LegendSwatch adds a legend entry to p drawn as a box filled with c, for
// categories shown as areas (Categories, stacked bars).
func LegendSwatch(p *plot.Plot, label string, c color.Color) {
	p.Legend.Add(label, swatch{c})
}

// swatch is a legend thumbnail filled with one colour.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	}
	c.FillPolygon(s.c, pts)
}

// LegendPanel returns a plot without axes that shows only a legend, at its
// top left under the given title, in 12-point type: a cell of a grid of
// figures (harness.Env.WritePlots) that holds the legend shared by the
// other cells, so that no legend hides data.
func LegendPanel(title string) *plot.Plot {
	p := plot.New()
	p.HideAxes()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 12
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = 12
	p.Legend.Padding = vg.Points(4)
	p.Legend.ThumbnailWidth = vg.Points(20)
	return p
}
