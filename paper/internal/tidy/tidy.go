// Package tidy reads the results that the experiments write: tidy CSV files
// (a header row, one observation a row, plain numbers, an empty cell for a
// missing value) and meta.json, under a results root laid out as
// ROOT/EXPERIMENT/FILE.
//
// Columns are looked up by their header name, never by position. Every
// number read carries where it came from (file, column and the rows it was
// selected by), so that a number in a report can be traced to its file.
//
// A Results value keeps the first error it meets and turns every later call
// into a no-op that returns zero values: a caller reads all it needs and
// checks Err once. Errors name the file, and the column or row, at fault.
package tidy

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Value is a number read from a results file, or computed from numbers read
// from one, with its provenance.
type Value struct {
	// V is the number.
	V float64
	// File is the results file, EXPERIMENT/NAME, relative to the results
	// root.
	File string
	// What says which cell or cells V comes from: the column, the rows
	// selected and, for a computed value, how it was computed.
	What string
}

// Source returns "File: What".
func (v Value) Source() string { return v.File + ": " + v.What }

// Derive returns the value x computed from numbers of v's file, described by
// what.
func (v Value) Derive(x float64, what string) Value {
	return Value{V: x, File: v.File, What: what}
}

// sticky holds the first error of a Results and of the tables read from it.
type sticky struct{ err error }

func (s *sticky) set(err error) {
	if s.err == nil {
		s.err = err
	}
}

// Results reads the files under a results root. Its methods record the
// first error met (see Err) and return zero values from then on.
type Results struct {
	root   string
	e      *sticky
	tables map[string]*Table
	metas  map[string]*Meta
}

// Open returns a reader of the results root directory root. It does not
// touch the file system.
func Open(root string) *Results {
	return &Results{root: root, e: &sticky{}, tables: map[string]*Table{}, metas: map[string]*Meta{}}
}

// Root returns the results root.
func (r *Results) Root() string { return r.root }

// Err returns the first error met, or nil.
func (r *Results) Err() error { return r.e.err }

// Fail records err as the reader's error unless one is recorded already.
// Callers use it for inconsistencies they detect in what they read.
func (r *Results) Fail(err error) { r.e.set(err) }

// Path returns the path of the results file exp/name on disk.
func (r *Results) Path(exp, name string) string { return filepath.Join(r.root, exp, name) }

// Table reads and parses the CSV file name of experiment exp, once. On error
// it records the error and returns an empty table.
func (r *Results) Table(exp, name string) *Table {
	key := path.Join(exp, name)
	if t, ok := r.tables[key]; ok {
		return t
	}
	empty := &Table{name: key, e: r.e}
	if r.e.err != nil {
		return empty
	}
	f, err := os.Open(r.Path(exp, name))
	if err != nil {
		r.e.set(missing(r.Path(exp, name), err))
		return empty
	}
	defer f.Close()
	t, err := parse(key, f, r.e)
	if err != nil {
		r.e.set(err)
		return empty
	}
	r.tables[key] = t
	return t
}

// Require records an error unless the results file exp/name exists: figures
// and other files that are referenced but not read.
func (r *Results) Require(exp, name string) {
	if r.e.err != nil {
		return
	}
	if _, err := os.Stat(r.Path(exp, name)); err != nil {
		r.e.set(missing(r.Path(exp, name), err))
	}
}

func missing(p string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("missing results file %s (run go run ./experiments all)", p)
	}
	return err
}

// Table is a parsed tidy CSV file, or a selection of its rows.
type Table struct {
	name   string // EXPERIMENT/FILE
	header []string
	col    map[string]int
	rows   [][]string
	// sel describes the rows selected by Where, "" for all.
	sel string
	e   *sticky
}

// Parse parses a tidy CSV file called name from rd. Unlike the methods of
// Results it returns its error; the table's own lookups record theirs, see
// Table.Err.
func Parse(name string, rd io.Reader) (*Table, error) {
	return parse(name, rd, &sticky{})
}

func parse(name string, rd io.Reader, e *sticky) (*Table, error) {
	cr := csv.NewReader(rd)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no header row", name)
	}
	t := &Table{name: name, header: recs[0], col: map[string]int{}, rows: recs[1:], e: e}
	for i, h := range t.header {
		if _, dup := t.col[h]; dup {
			return nil, fmt.Errorf("%s: column %q appears twice", name, h)
		}
		t.col[h] = i
	}
	return t, nil
}

// Name returns the file the table was read from, EXPERIMENT/FILE.
func (t *Table) Name() string { return t.name }

// Err returns the first error recorded by t or by the Results it was read
// from.
func (t *Table) Err() error { return t.e.err }

// Len returns the number of rows.
func (t *Table) Len() int { return len(t.rows) }

// Selection describes the rows selected by Where, e.g. "kind=random,
// mode=1", or "" for all rows.
func (t *Table) Selection() string { return t.sel }

func (t *Table) fail(format string, args ...any) {
	t.e.set(fmt.Errorf("%s: "+format, append([]any{t.name}, args...)...))
}

// column returns the index of column name, recording an error when the
// table has no such column.
func (t *Table) column(name string) (int, bool) {
	if t.e.err != nil {
		return 0, false
	}
	i, ok := t.col[name]
	if !ok {
		t.fail("no column %q (columns: %s)", name, strings.Join(t.header, ", "))
	}
	return i, ok
}

// Where returns the rows whose cell in column col equals value, as text.
func (t *Table) Where(col, value string) *Table {
	sel := col + "=" + value
	if t.sel != "" {
		sel = t.sel + ", " + sel
	}
	out := &Table{name: t.name, header: t.header, col: t.col, sel: sel, e: t.e}
	i, ok := t.column(col)
	if !ok {
		return out
	}
	for _, row := range t.rows {
		if row[i] == value {
			out.rows = append(out.rows, row)
		}
	}
	return out
}

// Row returns the only row of t, recording an error when t has none or
// several.
func (t *Table) Row() Row {
	if t.e.err == nil && len(t.rows) != 1 {
		t.fail("%d rows where %s, want 1", len(t.rows), t.describe())
	}
	if len(t.rows) == 0 {
		return Row{t: t, i: -1}
	}
	return Row{t: t, i: 0}
}

// Rows returns every row of t.
func (t *Table) Rows() []Row {
	rs := make([]Row, len(t.rows))
	for i := range rs {
		rs[i] = Row{t: t, i: i}
	}
	return rs
}

func (t *Table) describe() string {
	if t.sel == "" {
		return "all rows"
	}
	return t.sel
}

// Strings returns the cells of column col.
func (t *Table) Strings(col string) []string {
	i, ok := t.column(col)
	if !ok {
		return nil
	}
	out := make([]string, len(t.rows))
	for r, row := range t.rows {
		out[r] = row[i]
	}
	return out
}

// Distinct returns the distinct cells of column col in order of first
// appearance.
func (t *Table) Distinct(col string) []string {
	var out []string
	for _, s := range t.Strings(col) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Floats returns the numbers in column col; an empty or non-numeric cell
// records an error.
func (t *Table) Floats(col string) []float64 {
	out := make([]float64, 0, len(t.rows))
	for _, r := range t.Rows() {
		out = append(out, r.Float(col).V)
	}
	return out
}

// Values returns the numbers in column col with their provenance; an empty
// or non-numeric cell records an error.
func (t *Table) Values(col string) []Value {
	out := make([]Value, 0, len(t.rows))
	for _, r := range t.Rows() {
		out = append(out, r.Float(col))
	}
	return out
}

// Row is one row of a Table.
type Row struct {
	t *Table
	i int // -1 for the missing row of an empty selection
}

func (r Row) cell(col string) (string, bool) {
	j, ok := r.t.column(col)
	if !ok || r.i < 0 {
		return "", false
	}
	return r.t.rows[r.i][j], true
}

func (r Row) what(col string) string {
	if r.t.sel == "" {
		return fmt.Sprintf("%s, row %d", col, r.i+1)
	}
	return fmt.Sprintf("%s where %s", col, r.t.sel)
}

// String returns the cell in column col as text.
func (r Row) String(col string) string {
	s, _ := r.cell(col)
	return s
}

// Float returns the number in column col. An empty cell (a missing value)
// or a cell that is not a number records an error.
func (r Row) Float(col string) Value {
	v, ok := r.Maybe(col)
	if !ok && r.t.e.err == nil {
		r.t.fail("empty cell in column %q (%s)", col, r.describe())
	}
	return v
}

// Int returns the number in column col as an int; a cell that is not an
// integer records an error.
func (r Row) Int(col string) int {
	v := r.Float(col)
	if r.t.e.err == nil && (v.V != math.Trunc(v.V) || math.Abs(v.V) > 1<<53) {
		r.t.fail("cell %q in column %q is not an integer (%s)", r.String(col), col, r.describe())
	}
	return int(v.V)
}

// Maybe returns the number in column col and true, or a zero Value and
// false when the cell is empty. A cell that is neither empty nor a number
// records an error.
func (r Row) Maybe(col string) (Value, bool) {
	s, ok := r.cell(col)
	if !ok || s == "" {
		return Value{}, false
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		r.t.fail("cell %q in column %q is not a number (%s)", s, col, r.describe())
		return Value{}, false
	}
	return Value{V: x, File: r.t.name, What: r.what(col)}, true
}

func (r Row) describe() string {
	if r.t.sel == "" {
		return fmt.Sprintf("row %d", r.i+1)
	}
	return r.t.sel
}

// Meta is the content of an experiment's meta.json that a report shows.
type Meta struct {
	Experiment     string  `json:"experiment"`
	Preset         string  `json:"preset"`
	Seed           uint64  `json:"seed"`
	ToolkitVersion string  `json:"toolkit_version"`
	GoVersion      string  `json:"go_version"`
	WallSeconds    float64 `json:"wall_seconds"`
	Files          []string
	// Params are the run's parameters in the order of the file, each
	// value as compact JSON.
	Params []Param

	file string
	e    *sticky
}

// Param is one parameter of a run.
type Param struct {
	Name string
	// JSON is the value as compact JSON.
	JSON string
}

// Meta reads meta.json of experiment exp, once. On error it records the
// error and returns an empty Meta.
func (r *Results) Meta(exp string) *Meta {
	if m, ok := r.metas[exp]; ok {
		return m
	}
	key := path.Join(exp, "meta.json")
	empty := &Meta{file: key, e: r.e}
	if r.e.err != nil {
		return empty
	}
	b, err := os.ReadFile(r.Path(exp, "meta.json"))
	if err != nil {
		r.e.set(missing(r.Path(exp, "meta.json"), err))
		return empty
	}
	m, err := ParseMeta(key, b)
	if err != nil {
		r.e.set(err)
		return empty
	}
	m.e = r.e
	if m.Experiment != exp {
		r.e.set(fmt.Errorf("%s: experiment %q, want %q", key, m.Experiment, exp))
		return empty
	}
	r.metas[exp] = m
	return m
}

// ParseMeta parses the meta.json file called name from its content b.
func ParseMeta(name string, b []byte) (*Meta, error) {
	var raw struct {
		Meta
		Files  []string        `json:"files"`
		Params json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m := raw.Meta
	m.Files = raw.Files
	m.file = name
	m.e = &sticky{}
	if len(raw.Params) > 0 && string(raw.Params) != "null" {
		ps, err := orderedObject(raw.Params)
		if err != nil {
			return nil, fmt.Errorf("%s: params: %w", name, err)
		}
		m.Params = ps
	}
	return &m, nil
}

// orderedObject returns the members of the JSON object b in their order.
func orderedObject(b []byte) ([]Param, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	var out []Param
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return nil, err
		}
		out = append(out, Param{Name: key, JSON: buf.String()})
	}
	return out, nil
}

// Param returns the parameter called name as compact JSON, recording an
// error when there is none.
func (m *Meta) Param(name string) string {
	for _, p := range m.Params {
		if p.Name == name {
			return p.JSON
		}
	}
	if m.e.err == nil {
		m.e.set(fmt.Errorf("%s: no parameter %q", m.file, name))
	}
	return ""
}

// Number returns the numeric parameter called name with its provenance,
// recording an error when it is missing or not a number.
func (m *Meta) Number(name string) Value {
	s := m.Param(name)
	if m.e.err != nil {
		return Value{}
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		m.e.set(fmt.Errorf("%s: parameter %q = %s is not a number", m.file, name, s))
		return Value{}
	}
	return Value{V: x, File: m.file, What: "params." + name}
}

// Numbers returns the parameter called name, an array of numbers, recording
// an error when it is missing or not such an array.
func (m *Meta) Numbers(name string) []float64 {
	s := m.Param(name)
	if m.e.err != nil {
		return nil
	}
	var xs []float64
	if err := json.Unmarshal([]byte(s), &xs); err != nil {
		m.e.set(fmt.Errorf("%s: parameter %q = %s is not an array of numbers", m.file, name, s))
		return nil
	}
	return xs
}
