package plotx

import (
	"fmt"
	"image/color"
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

// FaintContour is Contour with the colours mixed with white by t in [0, 1)
// and thinner lines, for contours drawn behind trajectories and a legend.
// It panics if levels is empty.
func FaintContour(p *plot.Plot, g Grid, levels []float64, t float64) {
	if len(levels) == 0 {
		panic("plotx: no contour levels")
	}
	top := slices.Max(levels)
	z := func(v float64) float64 {
		if !finite(v) {
			return top + 1
		}
		return v
	}
	colors := contourPalette{n: len(levels)}.Colors()
	for i, c := range colors {
		colors[i] = tint(c, t)
	}
	c := plotter.NewContour(gridXYZ{g: g, z: z}, levels, fixedPalette(colors))
	c.LineStyles = []draw.LineStyle{{Width: vg.Points(0.6)}}
	p.Add(c)
}

// fixedPalette is a palette.Palette of given colours.
type fixedPalette []color.Color

func (f fixedPalette) Colors() []color.Color { return f }
