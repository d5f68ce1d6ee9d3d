package harness

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Table is a tidy table for a CSV file: a header row, then one observation a
// row. Cells are plain values without units, formatted deterministically:
//
//	float64        strconv.FormatFloat(v, 'g', -1, 64): the shortest exact form
//	               (NaN, +Inf and -Inf as such)
//	int, int64,
//	uint64         decimal
//	bool           true or false
//	string         as is, quoted by CSV rules when needed
//	nil            an empty cell: a missing value
type Table struct {
	header []string
	rows   [][]string
}

// NewTable returns an empty table with the given column names.
func NewTable(columns ...string) *Table {
	if len(columns) == 0 {
		panic("harness: table without columns")
	}
	return &Table{header: slices.Clone(columns)}
}

// Row appends one row. It panics when the number of values differs from the
// number of columns or a value has an unsupported type.
func (t *Table) Row(values ...any) {
	if len(values) != len(t.header) {
		panic(fmt.Sprintf("harness: row of %d values for %d columns", len(values), len(t.header)))
	}
	row := make([]string, len(values))
	for i, v := range values {
		row[i] = formatCell(v)
	}
	t.rows = append(t.rows, row)
}

// Len returns the number of rows, not counting the header.
func (t *Table) Len() int { return len(t.rows) }

// WriteTo writes t as CSV with "\n" line endings.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	c := csv.NewWriter(cw)
	c.Write(t.header)
	c.WriteAll(t.rows)
	return cw.n, c.Error()
}

// Round returns v rounded to digits significant decimal digits. Use it for
// table values computed through floating-point kernels whose last bits
// depend on the processor (blocked or vectorised eigensolvers and matrix
// products), so that the tables stay byte-identical across machines; a
// value within rounding of a digit boundary can still differ. It panics if
// digits is not in [1, 17].
func Round(v float64, digits int) float64 {
	if digits < 1 || digits > 17 {
		panic(fmt.Sprintf("harness: %d significant digits", digits))
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	return r
}

func formatCell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	panic(fmt.Sprintf("harness: unsupported table value %v of type %T", v, v))
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
