package tidy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `ensemble,n,ks,atom
goe,400,0.0022,
wishart,1000,0.0029,0.5
wishart,2000,x,0
`

func parseSample(t *testing.T) *Table {
	t.Helper()
	tab, err := Parse("exp/sample.csv", strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestLookupByName(t *testing.T) {
	t.Parallel()
	tab := parseSample(t)
	v := tab.Where("ensemble", "goe").Row().Float("ks")
	if tab.Err() != nil {
		t.Fatal(tab.Err())
	}
	if v.V != 0.0022 || v.File != "exp/sample.csv" || v.What != "ks where ensemble=goe" {
		t.Errorf("value %+v", v)
	}
	w := tab.Where("ensemble", "wishart").Where("n", "1000").Row()
	if got := w.Float("atom"); got.V != 0.5 || got.What != "atom where ensemble=wishart, n=1000" {
		t.Errorf("atom %+v", got)
	}
	if n := w.Int("n"); n != 1000 {
		t.Errorf("n = %d", n)
	}
	if _, ok := tab.Where("ensemble", "goe").Row().Maybe("atom"); ok {
		t.Error("an empty cell read as a number")
	}
	if got := tab.Distinct("ensemble"); strings.Join(got, " ") != "goe wishart" {
		t.Errorf("Distinct = %q", got)
	}
	if tab.Err() != nil {
		t.Fatal(tab.Err())
	}
}

// TestErrors checks that each misuse of a table records an error naming the
// file and what is wrong, and that the first error is kept.
func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		read func(*Table)
		want []string
	}{
		{"missing column", func(tab *Table) { tab.Floats("kolmogorov") }, []string{"exp/sample.csv", `no column "kolmogorov"`, "ensemble, n, ks, atom"}},
		{"missing column in Where", func(tab *Table) { tab.Where("size", "1").Row() }, []string{`no column "size"`}},
		{"non-numeric cell", func(tab *Table) { tab.Floats("ks") }, []string{"exp/sample.csv", `cell "x" in column "ks" is not a number`, "row 3"}},
		{"empty cell", func(tab *Table) { tab.Where("n", "400").Row().Float("atom") }, []string{`empty cell in column "atom"`, "n=400"}},
		{"no row", func(tab *Table) { tab.Where("n", "7").Row().Float("ks") }, []string{"0 rows where n=7, want 1"}},
		{"two rows", func(tab *Table) { tab.Where("ensemble", "wishart").Row() }, []string{"2 rows where ensemble=wishart, want 1"}},
		{"not an integer", func(tab *Table) { tab.Where("n", "400").Row().Int("ks") }, []string{`cell "0.0022" in column "ks" is not an integer`}},
		{"first error kept", func(tab *Table) { tab.Floats("a"); tab.Floats("b") }, []string{`no column "a"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tab := parseSample(t)
			tc.read(tab)
			err := tab.Err()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "no header row"},
		{"duplicate column", "a,b,a\n1,2,3\n", `column "a" appears twice`},
		{"ragged", "a,b\n1,2,3\n", "wrong number of fields"},
	} {
		_, err := Parse("e/f.csv", strings.NewReader(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "e/f.csv") {
			t.Errorf("%s: error %v, want one naming e/f.csv and containing %q", tc.name, err, tc.want)
		}
	}
}

func TestResults(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "exp"), 0o755); err != nil {
		t.Fatal(err)
	}
	meta := `{"experiment": "exp", "preset": "default", "seed": 7,
  "params": {"sizes": [400, 1000], "tol": 1e-10, "nested": {"b": 1, "a": 2}},
  "toolkit_version": "0.1.0", "go_version": "go1.26", "wall_seconds": 3.5, "files": ["sample.csv"]}`
	for name, text := range map[string]string{"sample.csv": sample, "meta.json": meta} {
		if err := os.WriteFile(filepath.Join(root, "exp", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := Open(root)
	m := r.Meta("exp")
	if m.Preset != "default" || m.Seed != 7 || m.WallSeconds != 3.5 || len(m.Files) != 1 {
		t.Errorf("meta %+v", m)
	}
	var names []string
	for _, p := range m.Params {
		names = append(names, p.Name+"="+p.JSON)
	}
	if got := strings.Join(names, " "); got != `sizes=[400,1000] tol=1e-10 nested={"b":1,"a":2}` {
		t.Errorf("params in file order: %s", got)
	}
	if v := m.Number("tol"); v.V != 1e-10 || v.File != "exp/meta.json" {
		t.Errorf("Number(tol) = %+v", v)
	}
	if xs := m.Numbers("sizes"); len(xs) != 2 || xs[0] != 400 || xs[1] != 1000 {
		t.Errorf("Numbers(sizes) = %v", xs)
	}
	if r.Table("exp", "sample.csv") != r.Table("exp", "sample.csv") {
		t.Error("a table is read twice")
	}
	r.Require("exp", "sample.csv")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}

	r.Table("exp", "absent.csv")
	err := r.Err()
	if err == nil || !strings.Contains(err.Error(), "missing results file "+filepath.Join(root, "exp", "absent.csv")) {
		t.Errorf("missing file: error %v", err)
	}
	r.Table("other", "x.csv")
	if r.Err() != err {
		t.Error("the first error was not kept")
	}

	r2 := Open(root)
	r2.Meta("exp").Number("sizes")
	if err := r2.Err(); err == nil || !strings.Contains(err.Error(), `parameter "sizes"`) {
		t.Errorf("non-numeric parameter: error %v", err)
	}
	r3 := Open(root)
	r3.Require("exp", "figure.png")
	if err := r3.Err(); err == nil || !strings.Contains(err.Error(), "figure.png") {
		t.Errorf("Require: error %v", err)
	}
}
