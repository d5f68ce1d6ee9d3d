package plotx

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// LegendLine adds to the legend of p an entry drawn as a line in style,
// without adding data: the legend of a LegendPanel shared by several plots.
func LegendLine(p *plot.Plot, label string, style draw.LineStyle) error {
	l, err := plotter.NewLine(plotter.XYs{{}, {X: 1}})
	if err != nil {
		return err
	}
	l.LineStyle = style
	p.Legend.Add(label, l)
	return nil
}
