package landscape

import (
	"strings"
	"testing"
)

func TestByName(t *testing.T) {
	t.Parallel()
	// The seven functions of the test-function collection, each
	// two-dimensional with all four derivatives set.
	names := []string{"himmelblau", "rosenbrock", "beale", "six-hump-camel",
		"saddle-quadratic", "monkey-saddle", "gradient-flat-quartic"}
	all := TestFunctions()
	if len(all) != len(names) {
		t.Fatalf("TestFunctions has %d functions, want %d", len(all), len(names))
	}
	for i, name := range names {
		f, err := ByName(name)
		if err != nil {
			t.Errorf("ByName(%q): %v", name, err)
			continue
		}
		if f.Name != name || all[i].Name != name {
			t.Errorf("ByName(%q) gives %q, TestFunctions()[%d] is %q", name, f.Name, i, all[i].Name)
		}
		p := f.Problem
		if f.Dim != 2 || p.Func == nil || p.Grad == nil || p.Hess == nil || p.HessVec == nil {
			t.Errorf("%s: dimension %d or missing derivatives", name, f.Dim)
		}
	}
	f, err := ByName("himmelblau")
	if err != nil {
		t.Fatal(err)
	}
	// Himmelblau's global minimum (3, 2) with value 0.
	if v := f.Problem.Func([]float64{3, 2}); v != 0 {
		t.Errorf("himmelblau(3, 2) = %v, want 0", v)
	}
	if _, err := ByName("nonesuch"); err == nil || !strings.Contains(err.Error(), "himmelblau") {
		t.Errorf("ByName(\"nonesuch\") error %v, want one listing the known names", err)
	}
}

func TestTestFunctionDerivatives(t *testing.T) {
	t.Parallel()
	// Asymmetric points inside each function's domain.
	for _, f := range TestFunctions() {
		dx, dy := f.Domain[0], f.Domain[1]
		x := []float64{dx[0] + 0.31*(dx[1]-dx[0]), dy[0] + 0.67*(dy[1]-dy[0])}
		checkDerivatives(t, f.Problem, x, []float64{0.6, -1.3})
	}
}
