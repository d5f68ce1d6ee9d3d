package plotx

import (
	"fmt"
	"image"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Tint mixes c with white: t = 0 gives c, t = 1 white. It gives lighter
// shades of a palette colour, for categories related to it.
func Tint(c color.Color, t float64) color.Color { return tint(c, t) }

// Categories adds to p a map of categories on a rectangular grid, such as
// the basins of attraction of critical points: the cell centred on (xs[j],
// ys[i]) is filled with colors[cat[i][j]]. xs and ys must be equally spaced
// and increasing. The map is one raster image, so that a fine grid stays a
// small vector file. It panics on mismatched sizes or a category outside
// colors.
func Categories(p *plot.Plot, xs, ys []float64, cat [][]int, colors []color.Color) {
	if len(xs) < 2 || len(ys) < 2 || len(cat) != len(ys) {
		panic(fmt.Sprintf("plotx: %d category rows for a %d×%d grid", len(cat), len(xs), len(ys)))
	}
	img := image.NewRGBA(image.Rect(0, 0, len(xs), len(ys)))
	for i, row := range cat {
		if len(row) != len(xs) {
			panic(fmt.Sprintf("plotx: category row %d has %d cells, want %d", i, len(row), len(xs)))
		}
		for j, k := range row {
			if k < 0 || k >= len(colors) {
				panic(fmt.Sprintf("plotx: category %d outside %d colours", k, len(colors)))
			}
			// Image row 0 is the top, the largest y.
			img.Set(j, len(ys)-1-i, colors[k])
		}
	}
	dx := (xs[len(xs)-1] - xs[0]) / float64(len(xs)-1)
	dy := (ys[len(ys)-1] - ys[0]) / float64(len(ys)-1)
	p.Add(plotter.NewImage(img, xs[0]-dx/2, ys[0]-dy/2, xs[len(xs)-1]+dx/2, ys[len(ys)-1]+dy/2))
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
