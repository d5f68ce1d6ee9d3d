package plotx

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Boxes adds one box plot per group to p, group i at x = i with the tick
// label names[i] (a nominal x axis): the box spans the quartiles with a
// line at the median, the whiskers reach the most extreme values within
// 1.5 interquartile ranges of the box (Tukey), and every value is drawn as
// a point beside the box, so that small groups stay readable. Non-finite
// values are dropped. The boxes are outlined in c and filled with a tint of
// it; label, when not empty, gives the points one legend entry. It panics if
// names and values differ in length.
func Boxes(p *plot.Plot, label string, names []string, values [][]float64, c color.Color) error {
	if len(names) != len(values) {
		panic(fmt.Sprintf("plotx: %d names for %d box plots", len(names), len(values)))
	}
	line := draw.LineStyle{Color: c, Width: vg.Points(1)}
	for i, vs := range values {
		var v plotter.Values
		for _, x := range vs {
			if finite(x) {
				v = append(v, x)
			}
		}
		if len(v) == 0 {
			continue
		}
		b, err := plotter.NewBoxPlot(vg.Points(22), float64(i), v)
		if err != nil {
			return fmt.Errorf("plotx: %w", err)
		}
		b.FillColor = tint(c, 0.7)
		b.BoxStyle, b.WhiskerStyle = line, line
		b.MedianStyle = draw.LineStyle{Color: c, Width: vg.Points(2)}
		b.CapWidth = vg.Points(10)
		b.GlyphStyle = draw.GlyphStyle{Radius: 0} // the points below show outliers
		pts := make(plotter.XYs, len(v))
		for j, x := range v {
			pts[j] = plotter.XY{X: float64(i) + 0.3, Y: x}
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plotx: %w", err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(1.8), Shape: draw.RingGlyph{}}
		p.Add(b, s)
		if label != "" && i == 0 {
			p.Legend.Add(label, s)
		}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	return nil
}
