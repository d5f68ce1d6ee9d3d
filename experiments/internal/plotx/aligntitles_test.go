package plotx

import (
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// TestAlignTitles checks that after AlignTitles every titled plot of a row
// has the same space above its data area, so that plot.Align leaves all
// titles at the top, and that a row whose plots already agree is unchanged.
func TestAlignTitles(t *testing.T) {
	t.Parallel()
	mk := func(log bool, ylabel string) *plot.Plot {
		p := New("title\nsecond line", "x", ylabel)
		if err := Line(p, "", plotter.XYs{{X: 1, Y: 1e-12}, {X: 10, Y: 1}}, SeriesStyle(0)); err != nil {
			t.Fatal(err)
		}
		if log {
			LogY(p)
		}
		return p
	}
	// A log axis from 1e-12 to 1 with a long label: its glyph box sits at
	// y = 0.5, the top of the axis, and reaches far above it.
	long := mk(true, "a long label on a logarithmic axis, in units")
	short := mk(false, "y")
	twin, twin2 := mk(false, "y"), mk(false, "y")
	rows := [][]*plot.Plot{{short, long, nil}, {twin, twin2, LegendPanel("legend")}}
	const w, h = 30 * vg.Centimeter, 20 * vg.Centimeter
	cell := draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: w / 3, Y: h / 2}}}
	above := func(p *plot.Plot) vg.Length { return cell.Max.Y - p.DataCanvas(cell).Max.Y }
	if above(long) <= above(short) {
		t.Fatalf("the long log-axis label does not pad the top (%v <= %v): nothing to test", above(long), above(short))
	}
	pad := twin.Title.Padding
	AlignTitles(rows, w, h)
	if d := math.Abs(float64(above(long) - above(short))); d > 1e-9 {
		t.Errorf("row 0: space above the data areas differs by %v after AlignTitles", d)
	}
	if twin.Title.Padding != pad || twin2.Title.Padding != pad {
		t.Errorf("row 1: plots with equal decorations changed padding: %v, %v, want %v", twin.Title.Padding, twin2.Title.Padding, pad)
	}
	AlignTitles(nil, w, h) // no grid, no panic
}
