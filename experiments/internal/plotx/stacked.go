package plotx

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StackedBars adds horizontal stacked bars to p, one bar per name (listed
// from the top down on the y axis), each split into parts: values[k][i] is
// the length of part k of bar i, drawn in colors[k] after parts 0..k-1, with
// the legend entry parts[k]. Non-finite values are drawn as zero. It panics
// on mismatched lengths.
func StackedBars(p *plot.Plot, names, parts []string, values [][]float64, colors []color.Color) error {
	if len(values) != len(parts) || len(colors) != len(parts) {
		panic(fmt.Sprintf("plotx: %d parts, %d value rows and %d colours", len(parts), len(values), len(colors)))
	}
	n := len(names)
	var below *plotter.BarChart
	for k, row := range values {
		if len(row) != n {
			panic(fmt.Sprintf("plotx: part %d has %d values for %d bars", k, len(row), n))
		}
		// Bar i sits at y = n-1-i, so that the first name is at the top.
		v := make(plotter.Values, n)
		for i, x := range row {
			if finite(x) {
				v[n-1-i] = x
			}
		}
		b, err := plotter.NewBarChart(v, vg.Points(14))
		if err != nil {
			return fmt.Errorf("plotx: %w", err)
		}
		b.Horizontal = true
		b.Color = colors[k]
		b.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
		if below != nil {
			b.StackOn(below)
		}
		below = b
		p.Add(b)
		p.Legend.Add(parts[k], b)
	}
	reversed := make([]string, n)
	for i, s := range names {
		reversed[n-1-i] = s
	}
	p.NominalY(reversed...)
	return nil
}
