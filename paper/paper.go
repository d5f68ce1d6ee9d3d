package main

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// Section is the part of the paper about one experiment.
type Section struct {
	// Experiment is the experiment's name, its directory under results/.
	Experiment string
	// Title is the section heading.
	Title string
	// Question says what the experiment asks, Setup how it is run (from
	// meta.json), Discussion how close it came; paragraphs are separated
	// by blank lines.
	Question, Setup, Discussion string
	// Figures are the experiment's figures, in order.
	Figures []Figure
	// Claims are the published statements checked.
	Claims []Claim
	// Tables are further tables of results.
	Tables []DataTable
}

// Figure is a figure of the results, a PNG beside its SVG and PDF.
type Figure struct {
	// Name is the file name without extension, e.g. "goe_spectra".
	Name string
	// Caption says what the figure shows.
	Caption string
}

// DataTable is a table of numbers from the results.
type DataTable struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// sectionFunc builds one section from the results.
type sectionFunc func(r *tidy.Results) Section

// sections are the experiments of the paper, in order. An experiment is
// listed once its results are committed.
var sections = []sectionFunc{
	randomMatricesSection,
	indexEnergySection,
	spinGlassSection,
	saddlesSection,
	newtonAttractionSection,
	optimizerRaceSection,
	deepLinearSection,
	interpolationSection,
	findersSection,
	autoencoderSection,
	mlpCriticalSection,
	spectrumSection,
}

// Build reads the results under root and returns the paper in Markdown;
// figure links are relative to the directory dir of the paper file. It
// returns the first error met in reading the results, naming the file.
func Build(root, dir string) (string, error) {
	r := tidy.Open(root)
	var secs []Section
	for _, f := range sections {
		s, err := buildSection(f, r)
		if err != nil {
			return "", err
		}
		secs = append(secs, s)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	link, err := filepath.Rel(absDir, absRoot)
	if err != nil {
		return "", fmt.Errorf("relative path from %s to %s: %w", dir, root, err)
	}
	return render(secs, filepath.ToSlash(link)), nil
}

// buildSection builds one section and checks that its figures exist. A
// section reads through r, which keeps the first error and returns zero
// values after it, so a section may go on to index what an error left
// empty: a panic after a recorded error is reported as that error.
func buildSection(f sectionFunc, r *tidy.Results) (s Section, err error) {
	defer func() {
		if p := recover(); p != nil {
			if r.Err() == nil {
				panic(p)
			}
			err = r.Err()
		}
	}()
	s = f(r)
	for _, fig := range s.Figures {
		r.Require(s.Experiment, fig.Name+".png")
		r.Require(s.Experiment, fig.Name+".pdf")
	}
	return s, r.Err()
}

// setup returns the standard first sentence of a Setup paragraph: preset,
// seed and the versions, from meta.json.
func setup(m *tidy.Meta) string {
	return sprintf("Preset `%s`, seed %d, toolkit %s, %s.", m.Preset, m.Seed, m.ToolkitVersion, m.GoVersion)
}

// timingParams are parameters that hold measured run times, which differ
// from run to run: the paper does not show them, so that it depends only on
// the deterministic part of the results.
var timingParams = []string{"measured"}

// params lists every parameter of a run but timings.
func params(m *tidy.Meta) string {
	var ps []string
	for _, p := range m.Params {
		if slices.Contains(timingParams, p.Name) {
			continue
		}
		if len(p.JSON) > 200 {
			ps = append(ps, sprintf("`%s` (%d characters of JSON, in meta.json)", p.Name, len(p.JSON)))
			continue
		}
		ps = append(ps, sprintf("`%s` = `%s`", p.Name, p.JSON))
	}
	return "All parameters (meta.json): " + strings.Join(ps, "; ") + "."
}

// sources describes where the values vs come from, compactly: per file,
// the columns read and the rows they were selected by.
func sources(vs []tidy.Value) string {
	var files []string
	whats := map[string][]string{}
	for _, v := range vs {
		if _, ok := whats[v.File]; !ok {
			files = append(files, v.File)
		}
		if !slices.Contains(whats[v.File], v.What) {
			whats[v.File] = append(whats[v.File], v.What)
		}
	}
	var out []string
	for _, f := range files {
		ws := whats[f]
		// Columns selected by the same rows share the selection.
		var cols []string
		sel, same := "", true
		for i, w := range ws {
			col, where, _ := strings.Cut(w, " where ")
			if i == 0 {
				sel = where
			}
			same = same && where == sel
			cols = append(cols, col)
		}
		desc := strings.Join(ws, "; ")
		if same && sel != "" {
			desc = strings.Join(cols, ", ") + " where " + sel
		}
		out = append(out, "`"+f+"`: "+desc)
	}
	return strings.Join(out, "; ")
}

func render(secs []Section, link string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("# Saddles, minima and the geometry of loss surfaces: what critpoint reproduces\n\n")
	w("This report is generated by `go run ./paper` from the files under `results/`, which `go run ./experiments all` writes. ")
	w("Every measured number below is read from those files (the last column of the summary names the file and column); ")
	w("every published number is a constant of the generator with its citation. ")
	w("Rerunning both commands reproduces this file byte for byte.\n\n")

	var n [3]int
	for _, s := range secs {
		for _, c := range s.Claims {
			n[c.Verdict]++
		}
	}
	w("## Summary\n\n")
	w("%d claims from %d experiments: %d reproduced, %d partly, %d not reproduced. ", n[0]+n[1]+n[2], len(secs), n[Reproduced], n[Partly], n[NotReproduced])
	w("The verdict rule and the tolerances are explained in [Methods](#methods); each claim is discussed in its experiment's section.\n\n")
	var short []string
	for i, s := range secs {
		for j, c := range s.Claims {
			if c.Verdict != Reproduced {
				short = append(short, sprintf("- %d.%d (%s, **%s**): %s (published: %s; measured: %s).", i+1, j+1, s.Experiment, c.Verdict, c.Text, c.Published, c.Measured))
			}
		}
	}
	if len(short) > 0 {
		w("The claims not fully reproduced:\n\n%s\n\n", strings.Join(short, "\n"))
	}
	w("| # | experiment | claim | published | measured | verdict | measured value from |\n")
	w("|---|---|---|---|---|---|---|\n")
	for i, s := range secs {
		for j, c := range s.Claims {
			w("| %d.%d | %s | %s | %s | %s | **%s** | %s |\n", i+1, j+1, s.Experiment, cell(c.Text), cell(c.Published), cell(c.Measured), c.Verdict, cell(sources(c.From)))
		}
	}
	w("\n")

	w("## Methods\n\n%s\n\n", methods)

	for i, s := range secs {
		w("## %d. %s\n\n", i+1, s.Title)
		w("*Experiment `%s`; results in `results/%s/`.*\n\n", s.Experiment, s.Experiment)
		w("**Question.** %s\n\n", s.Question)
		w("**Setup.** %s\n\n", s.Setup)
		for j, f := range s.Figures {
			p := path.Join(link, s.Experiment, f.Name)
			w("![Figure %d.%d: %s](%s.png)\n\n", i+1, j+1, f.Name, p)
			w("*Figure %d.%d.* %s ([PDF](%s.pdf))\n\n", i+1, j+1, f.Caption, p)
		}
		w("**Reproduced versus published.**\n\n")
		w("| # | claim | published | measured | difference | tolerance | verdict |\n")
		w("|---|---|---|---|---|---|---|\n")
		for j, c := range s.Claims {
			w("| %d.%d | %s [%s] | %s | %s | %s | %s | **%s** |\n", i+1, j+1, cell(c.Text), c.Cite, cell(c.Published), cell(c.Measured), cell(c.Difference), cell(c.Tolerance), c.Verdict)
		}
		w("\n")
		for _, t := range s.Tables {
			w("%s\n\n", t.Caption)
			hs := make([]string, len(t.Header))
			for k, h := range t.Header {
				hs[k] = cell(h)
			}
			w("| %s |\n", strings.Join(hs, " | "))
			w("|%s\n", strings.Repeat("---|", len(t.Header)))
			for _, row := range t.Rows {
				cs := make([]string, len(row))
				for k, c := range row {
					cs[k] = cell(c)
				}
				w("| %s |\n", strings.Join(cs, " | "))
			}
			w("\n")
		}
		w("**Discussion.** %s\n\n", s.Discussion)
	}

	w("## References\n\n")
	for _, r := range references {
		w("- [%s] %s\n", r.Key, r.Text)
	}
	return b.String()
}
