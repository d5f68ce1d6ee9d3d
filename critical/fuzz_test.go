package critical_test

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/critpoint/critpoint/critical"
	"gonum.org/v1/gonum/mat"
)

// FuzzClassify classifies symmetric matrices whose upper triangles are read
// from untrusted bytes, eight per float64, and checks that Classify returns
// an error for non-finite entries and otherwise a consistent classification:
// counts that add up to n, ascending eigenvalues, the Kind their signs imply,
// and the same classification for the matrix scaled by 2^k.
func FuzzClassify(f *testing.F) {
	add := func(tol float64, vals ...float64) {
		b := make([]byte, 8*len(vals))
		for i, v := range vals {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		f.Add(b, tol)
	}
	add(0, 10, 0, -2)                        // diag(10, -2): saddle
	add(0, 0, 0, 0)                          // zero 2×2: degenerate, nullity 2
	add(0, 1, 0.5, 0, 2, 0.1, -1)            // 3×3 saddle
	add(0.5, 1, 0, 0, 0.4, 0, 3)             // explicit tol
	add(0, 1e-200, 3e-201, 2e-200)           // tiny entries
	add(0, 1e300, -1e300, 1e300)             // huge entries
	add(0, math.NaN(), 1, 2)                 // NaN entry
	add(0, 1, math.Inf(1), 1)                // Inf entry
	add(0, 4)                                // 1×1
	add(1e-3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) // 4×4
	f.Fuzz(func(t *testing.T, data []byte, tol float64) {
		if math.IsNaN(tol) || math.IsInf(tol, 0) {
			return // panics by contract
		}
		// n(n+1)/2 entries for the largest n the data fills, at most 12.
		m := len(data) / 8
		n := 0
		for (n+1)*(n+2)/2 <= m && n < 12 {
			n++
		}
		if n == 0 {
			return
		}
		h := mat.NewSymDense(n, nil)
		finite := true
		k := 0
		for i := range n {
			for j := i; j < n; j++ {
				v := math.Float64frombits(binary.LittleEndian.Uint64(data[8*k:]))
				k++
				h.SetSym(i, j, v)
				finite = finite && !math.IsNaN(v) && !math.IsInf(v, 0)
			}
		}
		c, err := critical.Classify(h, tol)
		if !finite {
			if err == nil || !strings.Contains(err.Error(), "non-finite matrix entry") {
				t.Fatalf("non-finite input: error %v", err)
			}
			return
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "critical: ") {
				t.Fatalf("error %v without the package prefix", err)
			}
			return
		}
		pos := 0
		for _, v := range c.Eigenvalues {
			if v > c.Tol {
				pos++
			}
		}
		if len(c.Eigenvalues) != n || !slices.IsSorted(c.Eigenvalues) || c.Index+c.Nullity+pos != n || c.Tol < 0 {
			t.Fatalf("inconsistent classification %+v", c)
		}
		if tol > 0 && c.Tol != tol {
			t.Fatalf("Tol %g, asked for %g", c.Tol, tol)
		}
		var want critical.Kind
		switch {
		case c.Index > 0 && pos > 0:
			want = critical.Saddle
		case c.Nullity > 0:
			want = critical.Degenerate
		case c.Index > 0:
			want = critical.Maximum
		default:
			want = critical.Minimum
		}
		if c.Kind != want || c.IndexFraction != float64(c.Index)/float64(n) ||
			c.MinEigenvalue != c.Eigenvalues[0] || c.MaxEigenvalue != c.Eigenvalues[n-1] {
			t.Fatalf("inconsistent classification %+v", c)
		}
	})
}
