package landscape

import (
	"fmt"
	"strings"

	"github.com/critpoint/critpoint/internal/testfunc"
)

// Function is a two-dimensional test function with exact derivatives and its
// known critical points (Himmelblau, Rosenbrock, Beale, six-hump camel, the
// quadratic and monkey saddles, and the gradient-flat quartic of Frye et al.
// 2021).
type Function = testfunc.Function

// CriticalPoint is a known critical point of a Function: location, value and
// kind ("minimum", "maximum", "saddle" or "degenerate").
type CriticalPoint = testfunc.Point

// TestFunctions returns every two-dimensional test function, in a fixed order.
func TestFunctions() []Function {
	return testfunc.All()
}

// ByName returns the test function with the given name, such as "himmelblau"
// or "six-hump-camel". It returns an error naming the known functions when
// there is none.
func ByName(name string) (Function, error) {
	all := testfunc.All()
	names := make([]string, len(all))
	for i, f := range all {
		if f.Name == name {
			return f, nil
		}
		names[i] = f.Name
	}
	return Function{}, fmt.Errorf("landscape: unknown test function %q (known: %s)", name, strings.Join(names, ", "))
}
