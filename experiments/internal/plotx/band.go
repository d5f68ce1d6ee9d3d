package plotx

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// band is a region between two values of one coordinate that spans the
// whole plotting area along the other.
type band struct {
	lo, hi   float64
	vertical bool // lo and hi are x values
	fill     color.Color
}

// Plot implements plot.Plotter: the band is clipped to the axis ranges.
func (b band) Plot(c draw.Canvas, p *plot.Plot) {
	var pts []vg.Point
	if b.vertical {
		lo := c.X(p.X.Norm(max(b.lo, p.X.Min)))
		hi := c.X(p.X.Norm(min(b.hi, p.X.Max)))
		pts = []vg.Point{{X: lo, Y: c.Min.Y}, {X: hi, Y: c.Min.Y}, {X: hi, Y: c.Max.Y}, {X: lo, Y: c.Max.Y}}
	} else {
		lo := c.Y(p.Y.Norm(max(b.lo, p.Y.Min)))
		hi := c.Y(p.Y.Norm(min(b.hi, p.Y.Max)))
		pts = []vg.Point{{X: c.Min.X, Y: lo}, {X: c.Max.X, Y: lo}, {X: c.Max.X, Y: hi}, {X: c.Min.X, Y: hi}}
	}
	c.FillPolygon(b.fill, pts)
}

// Thumbnail implements plot.Thumbnailer for the legend.
func (b band) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.fill, pts)
}

// VBand shades the region lo <= x <= hi of p over the full height of the
// plotting area in a light tint of c, with a legend entry when label is not
// empty. The band does not widen the axes: set p.X.Min and p.X.Max so that
// it is in view. Add it before the data so that it lies beneath them. It
// panics unless lo <= hi.
func VBand(p *plot.Plot, label string, lo, hi float64, c color.Color) {
	addBand(p, label, band{lo: lo, hi: hi, vertical: true, fill: tint(c, 0.75)})
}

// HBand is VBand for the region lo <= y <= hi over the full width.
func HBand(p *plot.Plot, label string, lo, hi float64, c color.Color) {
	addBand(p, label, band{lo: lo, hi: hi, fill: tint(c, 0.75)})
}

func addBand(p *plot.Plot, label string, b band) {
	if !(b.lo <= b.hi) {
		panic("plotx: band with lo > hi")
	}
	p.Add(b)
	if label != "" {
		p.Legend.Add(label, b)
	}
}
