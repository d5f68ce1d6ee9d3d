// Package plotx holds the figure conventions of the experiments: the
// Okabe-Ito colour-blind-safe palette, one fixed style per optimizer and
// critical-point finder, and small helpers over gonum/plot's plotter package
// for the plots the experiments draw (lines, points, histograms with a
// density overlay, contours with trajectories, log axes).
//
// Every helper drops or clamps non-finite values before plotting, so a
// diverged run never breaks a figure; log axes take only positive values.
// Figures are saved with harness.Env.WritePlot.
package plotx

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"),
// distinguishable under the common colour-vision deficiencies.
var (
	Black         = color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}
	Orange        = color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}
	SkyBlue       = color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff}
	BluishGreen   = color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}
	Yellow        = color.RGBA{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff}
	Blue          = color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}
	Vermillion    = color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}
	ReddishPurple = color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff}
)

// series is the order of Color: the palette without yellow, which is faint on
// white, and with black last.
var series = []color.Color{Blue, Vermillion, BluishGreen, Orange, ReddishPurple, SkyBlue, Black}

// Color returns the i-th colour for series that are not methods, cycling
// through seven colours of the palette.
func Color(i int) color.Color {
	return series[((i%len(series))+len(series))%len(series)]
}

// lineWidth is the width of data lines.
var lineWidth = vg.Points(1.5)

var dashed = []vg.Length{vg.Points(5), vg.Points(3)}

// methodStyles maps every optimizer and critical-point finder name to its
// colour and dash pattern, the same in every figure.
var methodStyles = map[string]struct {
	c      color.Color
	dashed bool
}{
	"gd":                        {Black, false},
	"sgd":                       {Black, false},
	"momentum":                  {Orange, false},
	"nesterov":                  {SkyBlue, false},
	"adagrad":                   {BluishGreen, false},
	"rmsprop":                   {Yellow, false},
	"adam":                      {Blue, false},
	"newton":                    {Vermillion, false},
	"damped-newton":             {Vermillion, true},
	"saddle-free-newton":        {ReddishPurple, false},
	"saddle-free-newton-krylov": {ReddishPurple, true},
	"newton-mr":                 {Blue, true},
	"gradient-norm":             {BluishGreen, true},
}

// Methods returns the method names that have a fixed style.
func Methods() []string {
	return []string{"gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
		"newton", "damped-newton", "saddle-free-newton", "saddle-free-newton-krylov",
		"newton-mr", "gradient-norm"}
}

// MethodStyle returns the line style of the optimizer or finder called name:
// gd and sgd black, momentum orange, nesterov sky blue, adagrad bluish green,
// rmsprop yellow, adam blue, newton vermillion, saddle-free-newton reddish
// purple; damped-newton, saddle-free-newton-krylov, newton-mr and
// gradient-norm dashed in the colour of their relative. It panics for an
// unknown name, so that a typo cannot silently change a colour.
func MethodStyle(name string) draw.LineStyle {
	s, ok := methodStyles[name]
	if !ok {
		panic(fmt.Sprintf("plotx: no style for method %q", name))
	}
	ls := draw.LineStyle{Color: s.c, Width: lineWidth}
	if s.dashed {
		ls.Dashes = dashed
	}
	return ls
}

// SeriesStyle returns a solid line style in Color(i).
func SeriesStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: Color(i), Width: lineWidth}
}

// New returns a plot with the given title and axis labels (give units in the
// labels), light grid lines and the legend at the top right.
func New(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 12
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = 9
	p.Legend.Padding = vg.Points(2)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	p.Add(g)
	return p
}

// SetFontSize sets the size of the title, the axis labels and tick labels of
// p, for small panels of a grid.
func SetFontSize(p *plot.Plot, size font.Length) {
	p.Title.TextStyle.Font.Size = size
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = size * 0.9
		a.Tick.Label.Font.Size = size * 0.8
	}
	p.Legend.TextStyle.Font.Size = size * 0.75
}

// LogY puts the y axis of p on a base-10 logarithmic scale with DecadeTicks
// (exact labels at powers of ten). Plot only positive values on it (see
// PositiveY).
func LogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = DecadeTicks{}
}

// LogX is LogY for the x axis.
func LogX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = DecadeTicks{}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Finite returns the points of xys whose coordinates are both finite.
func Finite(xys plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, 0, len(xys))
	for _, q := range xys {
		if finite(q.X) && finite(q.Y) {
			out = append(out, q)
		}
	}
	return out
}

// PositiveY returns the finite points of xys with y > 0, for a log y axis.
func PositiveY(xys plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, 0, len(xys))
	for _, q := range Finite(xys) {
		if q.Y > 0 {
			out = append(out, q)
		}
	}
	return out
}

// ClampY returns xys with NaN points dropped and y limited to [lo, hi]:
// +Inf becomes hi, -Inf becomes lo. Use it to keep a diverging trajectory in
// the frame, or with lo > 0 before a log axis.
func ClampY(xys plotter.XYs, lo, hi float64) plotter.XYs {
	out := make(plotter.XYs, 0, len(xys))
	for _, q := range xys {
		if math.IsNaN(q.X) || math.IsInf(q.X, 0) || math.IsNaN(q.Y) {
			continue
		}
		q.Y = min(max(q.Y, lo), hi)
		out = append(out, q)
	}
	return out
}

// Line adds the finite points of xys to p as a line in style, with a legend
// entry when label is not empty.
func Line(p *plot.Plot, label string, xys plotter.XYs, style draw.LineStyle) error {
	xys = Finite(xys)
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("plotx: %w", err)
	}
	l.LineStyle = style
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
	return nil
}

// Points adds the finite points of xys to p as glyphs of colour c and
// shape shape (nil: a circle), with a legend entry when label is not empty.
func Points(p *plot.Plot, label string, xys plotter.XYs, c color.Color, shape draw.GlyphDrawer) error {
	xys = Finite(xys)
	if len(xys) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return fmt.Errorf("plotx: %w", err)
	}
	s.GlyphStyle.Color = c
	s.GlyphStyle.Radius = vg.Points(2.5)
	if shape != nil {
		s.GlyphStyle.Shape = shape
	}
	p.Add(s)
	if label != "" {
		p.Legend.Add(label, s)
	}
	return nil
}

// Function adds the curve y = f(x) for x in [lo, hi], sampled at n equally
// spaced points, as a line in style; non-finite values are dropped.
func Function(p *plot.Plot, label string, f func(float64) float64, lo, hi float64, n int, style draw.LineStyle) error {
	if n < 2 {
		panic(fmt.Sprintf("plotx: %d points for a function", n))
	}
	xys := make(plotter.XYs, n)
	for i := range xys {
		x := lo + (hi-lo)*float64(i)/float64(n-1)
		xys[i] = plotter.XY{X: x, Y: f(x)}
	}
	return Line(p, label, xys, style)
}

// Histogram adds precomputed histogram bars to p: bar i spans
// [edges[i], edges[i+1]] with height heights[i] (a density or a count), in
// a light tint of c with an outline. Non-finite heights are drawn as zero.
// It panics unless len(edges) == len(heights)+1 and the edges increase.
func Histogram(p *plot.Plot, label string, edges, heights []float64, c color.Color) {
	if len(edges) != len(heights)+1 {
		panic(fmt.Sprintf("plotx: %d edges for %d bars", len(edges), len(heights)))
	}
	bins := make([]plotter.HistogramBin, len(heights))
	for i, h := range heights {
		if edges[i+1] <= edges[i] {
			panic("plotx: histogram edges do not increase")
		}
		if !finite(h) {
			h = 0
		}
		bins[i] = plotter.HistogramBin{Min: edges[i], Max: edges[i+1], Weight: h}
	}
	h := &plotter.Histogram{
		Bins:      bins,
		Width:     edges[1] - edges[0],
		FillColor: tint(c, 0.55),
		LineStyle: draw.LineStyle{Color: c, Width: vg.Points(0.5)},
	}
	p.Add(h)
	if label != "" {
		p.Legend.Add(label, h)
	}
}

// tint mixes c with white: t = 0 gives c, t = 1 white.
func tint(c color.Color, t float64) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(float64(v>>8)*(1-t) + 255*t + 0.5) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xff}
}

// Grid is a function sampled on a rectangular grid, for Contour: Z[i][j] is
// the value at (X[j], Y[i]).
type Grid struct {
	X, Y []float64
	Z    [][]float64
}

// Sample returns the grid of f on nx × ny equally spaced points of
// [xlo, xhi] × [ylo, yhi].
func Sample(f func(x, y float64) float64, xlo, xhi float64, nx int, ylo, yhi float64, ny int) Grid {
	if nx < 2 || ny < 2 {
		panic(fmt.Sprintf("plotx: grid of %d×%d points", nx, ny))
	}
	g := Grid{X: make([]float64, nx), Y: make([]float64, ny), Z: make([][]float64, ny)}
	for j := range g.X {
		g.X[j] = xlo + (xhi-xlo)*float64(j)/float64(nx-1)
	}
	for i := range g.Y {
		g.Y[i] = ylo + (yhi-ylo)*float64(i)/float64(ny-1)
		g.Z[i] = make([]float64, nx)
		for j, x := range g.X {
			g.Z[i][j] = f(x, g.Y[i])
		}
	}
	return g
}

// gridXYZ adapts a Grid, with values transformed, to plotter.GridXYZ.
type gridXYZ struct {
	g Grid
	z func(float64) float64
}

func (g gridXYZ) Dims() (c, r int)   { return len(g.g.X), len(g.g.Y) }
func (g gridXYZ) X(c int) float64    { return g.g.X[c] }
func (g gridXYZ) Y(r int) float64    { return g.g.Y[r] }
func (g gridXYZ) Z(c, r int) float64 { return g.z(g.g.Z[r][c]) }

// Contour adds the contour lines of g to p at the given levels, coloured
// from dark blue (lowest level) to light orange (highest). Non-finite grid
// values are treated as above every level. It panics if levels is empty.
func Contour(p *plot.Plot, g Grid, levels []float64) {
	if len(levels) == 0 {
		panic("plotx: no contour levels")
	}
	top := levels[len(levels)-1]
	for _, l := range levels {
		top = max(top, l)
	}
	z := func(v float64) float64 {
		if !finite(v) {
			return top + 1
		}
		return v
	}
	c := plotter.NewContour(gridXYZ{g: g, z: z}, levels, contourPalette{n: len(levels)})
	c.LineStyles = []draw.LineStyle{{Width: vg.Points(0.8)}}
	p.Add(c)
}

// contourPalette runs from the palette's blue to its orange through grey.
type contourPalette struct{ n int }

func (c contourPalette) Colors() []color.Color {
	out := make([]color.Color, c.n)
	for i := range out {
		t := 0.5
		if c.n > 1 {
			t = float64(i) / float64(c.n-1)
		}
		out[i] = lerp(Blue, Orange, t)
	}
	return out
}

func lerp(a, b color.RGBA, t float64) color.Color {
	m := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.RGBA{R: m(a.R, b.R), G: m(a.G, b.G), B: m(a.B, b.B), A: 0xff}
}

// Trajectory adds a path through the finite points of xys as a line in
// style, with a ring at the start and a filled circle at the end, and a
// legend entry when label is not empty.
func Trajectory(p *plot.Plot, label string, xys plotter.XYs, style draw.LineStyle) error {
	xys = Finite(xys)
	if len(xys) == 0 {
		return nil
	}
	if err := Line(p, label, xys, style); err != nil {
		return err
	}
	ends, err := plotter.NewScatter(plotter.XYs{xys[0]})
	if err != nil {
		return fmt.Errorf("plotx: %w", err)
	}
	ends.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(3), Shape: draw.RingGlyph{}}
	last, err := plotter.NewScatter(plotter.XYs{xys[len(xys)-1]})
	if err != nil {
		return fmt.Errorf("plotx: %w", err)
	}
	last.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(ends, last)
	return nil
}

// YErrorBars adds vertical error bars from lo[i] to hi[i] at x[i] in colour
// c; bars with a non-finite end are skipped. It panics if the lengths
// differ.
func YErrorBars(p *plot.Plot, x, lo, hi []float64, c color.Color) error {
	if len(lo) != len(x) || len(hi) != len(x) {
		panic("plotx: error bar lengths differ")
	}
	var bars errorBars
	for i := range x {
		if finite(x[i]) && finite(lo[i]) && finite(hi[i]) {
			mid := (lo[i] + hi[i]) / 2
			bars.xys = append(bars.xys, plotter.XY{X: x[i], Y: mid})
			bars.errs = append(bars.errs, struct{ Low, High float64 }{mid - lo[i], hi[i] - mid})
		}
	}
	if len(bars.xys) == 0 {
		return nil
	}
	e, err := plotter.NewYErrorBars(bars)
	if err != nil {
		return fmt.Errorf("plotx: %w", err)
	}
	e.LineStyle.Color = c
	e.LineStyle.Width = vg.Points(1)
	p.Add(e)
	return nil
}

type errorBars struct {
	xys  plotter.XYs
	errs plotter.YErrors
}

func (b errorBars) Len() int                        { return len(b.xys) }
func (b errorBars) XY(i int) (float64, float64)     { return b.xys[i].X, b.xys[i].Y }
func (b errorBars) YError(i int) (float64, float64) { return b.errs[i].Low, b.errs[i].High }
