package harness

import (
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// figureFormats are the file formats of every figure, by extension.
var figureFormats = []string{"png", "svg", "pdf"}

// PNGDPI is the resolution of PNG figures in dots per inch.
const PNGDPI = 150

func init() {
	// PDF files carry a creation and a modification date, which would make
	// figures differ between identical runs; fix both.
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	fpdf.SetDefaultCreationDate(epoch)
	fpdf.SetDefaultModificationDate(epoch)
}

// WritePlot writes p, w wide and h high, as name.png, name.svg and name.pdf
// in env.Dir, each atomically.
func (env *Env) WritePlot(name string, w, h vg.Length, p *plot.Plot) error {
	return env.writeFigure(name, w, h, p.Draw)
}

// WritePlots writes a grid of plots, rows[r][c] in row r and column c, w
// wide and h high in all, as name.png, name.svg and name.pdf in env.Dir.
// The plots' axes are aligned with plot.Align; a nil plot leaves its cell
// empty. It panics if the rows differ in length.
func (env *Env) WritePlots(name string, w, h vg.Length, rows [][]*plot.Plot) error {
	if len(rows) == 0 || len(rows[0]) == 0 {
		panic("harness: empty plot grid")
	}
	for _, r := range rows {
		if len(r) != len(rows[0]) {
			panic("harness: plot grid rows differ in length")
		}
	}
	tiles := draw.Tiles{
		Rows: len(rows), Cols: len(rows[0]),
		PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2,
	}
	return env.writeFigure(name, w, h, func(dc draw.Canvas) {
		cells := plot.Align(rows, tiles, dc)
		for i, r := range rows {
			for j, p := range r {
				if p != nil {
					p.Draw(cells[i][j])
				}
			}
		}
	})
}

// writeFigure draws one figure once per format and writes each file.
func (env *Env) writeFigure(name string, w, h vg.Length, drawFn func(draw.Canvas)) error {
	for _, ext := range figureFormats {
		var c vg.CanvasWriterTo
		switch ext {
		case "png":
			c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(PNGDPI))}
		case "svg":
			c = vgsvg.New(w, h)
		case "pdf":
			c = vgpdf.New(w, h)
		default:
			panic(fmt.Sprintf("harness: unknown figure format %q", ext))
		}
		drawFn(draw.New(c))
		err := env.WriteFile(name+"."+ext, func(wr io.Writer) error {
			_, err := c.WriteTo(wr)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
