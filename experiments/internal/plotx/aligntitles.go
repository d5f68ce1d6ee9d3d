package plotx

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// AlignTitles raises the title padding of the plots of a grid, rows[r][c],
// to be drawn w wide and h high in all (harness.Env.WritePlots), so that
// the titles of each row line up at its top.
//
// plot.Align lines up the data areas of a row: the plot whose title and
// axis decorations reach highest above its data area keeps its title at the
// top of its cell, and the others are moved down with their titles. The
// decorations differ because gonum/plot centres the glyph box of a y-axis
// label at the arithmetic middle of the data range, near the top of a log
// axis, so that a label on a log axis reaches above the data area by up to
// half its length. AlignTitles adds to each titled plot's Title.Padding the
// difference between the row's largest space above the data area and the
// plot's own, measured in a cell of size (w/columns, h/rows). Nil plots and
// plots without a title are left alone. Call it once, after the plots are
// complete.
func AlignTitles(rows [][]*plot.Plot, w, h vg.Length) {
	if len(rows) == 0 || len(rows[0]) == 0 {
		return
	}
	cell := draw.Canvas{
		Canvas:    &recorder.Canvas{},
		Rectangle: vg.Rectangle{Max: vg.Point{X: w / vg.Length(len(rows[0])), Y: h / vg.Length(len(rows))}},
	}
	for _, row := range rows {
		above := make([]vg.Length, len(row))
		var most vg.Length
		for i, p := range row {
			if p == nil || p.Title.Text == "" {
				continue
			}
			above[i] = cell.Max.Y - p.DataCanvas(cell).Max.Y
			most = max(most, above[i])
		}
		for i, p := range row {
			if p != nil && p.Title.Text != "" {
				p.Title.Padding += most - above[i]
			}
		}
	}
}
