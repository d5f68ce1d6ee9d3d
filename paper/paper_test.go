package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// resultsRoot is the committed results directory, seen from paper/.
const resultsRoot = "../results"

// TestPaperUpToDate rebuilds the paper from the committed results and
// compares it with the committed paper.md: the two cannot drift apart.
func TestPaperUpToDate(t *testing.T) {
	t.Parallel()
	got, err := Build(resultsRoot, ".")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("paper.md")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("paper.md is out of date (run go run ./paper); first difference at line %d:\ncommitted: %.300s\nrebuilt:   %.300s", i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("paper.md is out of date (run go run ./paper): %d lines committed, %d rebuilt", len(wl), len(gl))
	}
}

// TestEveryFigureReferenced checks that every PNG the experiments wrote
// for a section of the paper is shown in it, with its PDF.
func TestEveryFigureReferenced(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("paper.md")
	if err != nil {
		t.Fatal(err)
	}
	r := tidy.Open(resultsRoot)
	for _, f := range sections {
		s, err := buildSection(f, r)
		if err != nil {
			t.Fatal(err)
		}
		pngs, err := filepath.Glob(filepath.Join(resultsRoot, s.Experiment, "*.png"))
		if err != nil {
			t.Fatal(err)
		}
		if len(pngs) == 0 {
			t.Errorf("%s: no figures in the results", s.Experiment)
		}
		for _, p := range pngs {
			link := filepath.ToSlash(p)
			if !bytes.Contains(md, []byte("]("+link+")")) {
				t.Errorf("figure %s is not shown in paper.md", link)
			}
			pdf := strings.TrimSuffix(link, ".png") + ".pdf"
			if !bytes.Contains(md, []byte("]("+pdf+")")) {
				t.Errorf("figure %s is not linked in paper.md", pdf)
			}
		}
	}
}

// TestClaimsTrace checks that every claim's measured number rests on
// values read from existing results files, that it cites a listed
// reference, and that every cell of the claim is filled in.
func TestClaimsTrace(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	for _, ref := range references {
		keys[ref.Key] = true
	}
	r := tidy.Open(resultsRoot)
	for _, f := range sections {
		s, err := buildSection(f, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Claims) == 0 {
			t.Errorf("%s: no claims", s.Experiment)
		}
		for _, c := range s.Claims {
			if !keys[c.Cite] {
				t.Errorf("%s: claim %q cites %q, which is not in the references", s.Experiment, c.Text, c.Cite)
			}
			if c.Text == "" || c.Published == "" || c.Measured == "" || c.Difference == "" || c.Tolerance == "" {
				t.Errorf("%s: claim %+v has an empty cell", s.Experiment, c)
			}
			if len(c.From) == 0 {
				t.Errorf("%s: claim %q rests on no results file", s.Experiment, c.Text)
			}
			for _, v := range c.From {
				if !strings.HasPrefix(v.File, s.Experiment+"/") || v.What == "" {
					t.Errorf("%s: claim %q: value %v has no source in the experiment's results", s.Experiment, c.Text, v)
					continue
				}
				if _, err := os.Stat(filepath.Join(resultsRoot, v.File)); err != nil {
					t.Errorf("%s: claim %q: %v", s.Experiment, c.Text, err)
				}
			}
		}
	}
}

// TestReferencesSorted keeps the references in order of their keys.
func TestReferencesSorted(t *testing.T) {
	t.Parallel()
	if !slices.IsSortedFunc(references, func(a, b reference) int { return strings.Compare(a.Key, b.Key) }) {
		t.Error("references are not sorted by key")
	}
}

// linkResults makes a copy of the results under a temporary directory out
// of symbolic links, leaving out the files for which skip is true, and
// returns the copy's root.
func linkResults(t *testing.T, skip func(rel string) bool) string {
	t.Helper()
	abs, err := filepath.Abs(resultsRoot)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	err = filepath.WalkDir(abs, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(abs, p)
		if rel == "." {
			return nil
		}
		if skip(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.Mkdir(filepath.Join(root, rel), 0o755)
		}
		return os.Symlink(p, filepath.Join(root, rel))
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestMissingFile removes one results file at a time and checks that the
// command fails with exit status 1 and one line on stderr naming the file.
func TestMissingFile(t *testing.T) {
	t.Parallel()
	cases := []string{
		"random-matrices/meta.json",
		"random-matrices/pd_fit.csv",
		"random-matrices/goe_spectra.png",
		"random-matrices",
		"spin-glass/spin_glass_fits.csv",
		"index-energy/points.csv",
	}
	for _, missing := range cases {
		t.Run(missing, func(t *testing.T) {
			t.Parallel()
			root := linkResults(t, func(rel string) bool { return rel == missing })
			out := filepath.Join(t.TempDir(), "paper.md")
			var stderr bytes.Buffer
			code := run([]string{"-results", root, "-out", out}, &stderr)
			if code != 1 {
				t.Fatalf("exit status %d, want 1; stderr: %s", code, &stderr)
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "paper: ") {
				t.Errorf("stderr %q is not one line starting with \"paper: \"", msg)
			}
			if !strings.Contains(msg, filepath.Join(root, missing)) {
				t.Errorf("stderr %q does not name %s", msg, missing)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s written despite the error", out)
			}
		})
	}
}

// TestRunWrites runs the command on the committed results into a temporary
// file and compares it with paper.md.
func TestRunWrites(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "sub", "paper.md")
	if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(resultsRoot)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-results", abs, "-out", out}, &stderr); code != 0 {
		t.Fatalf("exit status %d: %s", code, &stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("## Summary")) || !bytes.Contains(b, []byte("## References")) {
		t.Error("the written paper lacks its summary or references")
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"extra"}, {"-nosuchflag"}} {
		var stderr bytes.Buffer
		if code := run(args, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
		if !strings.Contains(stderr.String(), "usage:") {
			t.Errorf("run(%q) printed no usage: %q", args, &stderr)
		}
	}
}

// TestMalformedFile replaces a number in a results file by text and checks
// that the command fails naming the file, the column and the cell.
func TestMalformedFile(t *testing.T) {
	t.Parallel()
	const bad = "random-matrices/pd_fit.csv"
	root := linkResults(t, func(rel string) bool { return rel == bad })
	b, err := os.ReadFile(filepath.Join(resultsRoot, bad))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	cells := strings.Split(lines[1], ",")
	cells[4] = "n/a" // the theta column of the first fit
	lines[1] = strings.Join(cells, ",")
	if err := os.WriteFile(filepath.Join(root, bad), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-results", root, "-out", filepath.Join(t.TempDir(), "paper.md")}, &stderr); code != 1 {
		t.Fatalf("exit status %d, want 1; stderr: %s", code, &stderr)
	}
	for _, want := range []string{"paper: ", bad, `"n/a"`, `column "theta"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q does not contain %q", &stderr, want)
		}
	}
}

// TestEveryMissingFile removes each results file in turn: the paper either
// does not need it, or fails with one line naming it (never a panic).
func TestEveryMissingFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the paper once per results file")
	}
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(resultsRoot, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".svg") {
			continue
		}
		rel, _ := filepath.Rel(resultsRoot, f)
		rel = filepath.ToSlash(rel)
		root := linkResults(t, func(r string) bool { return r == rel })
		var stderr bytes.Buffer
		code := run([]string{"-results", root, "-out", filepath.Join(t.TempDir(), "paper.md")}, &stderr)
		switch {
		case code == 0:
			continue
		case code != 1 || strings.Count(stderr.String(), "\n") != 1:
			t.Errorf("without %s: exit status %d, stderr %q", rel, code, &stderr)
		case !strings.Contains(stderr.String(), filepath.Join(root, rel)):
			t.Errorf("without %s: stderr %q does not name it", rel, &stderr)
		}
	}
}
