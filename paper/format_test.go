package main

import (
	"math"
	"testing"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

func TestNum(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v      float64
		digits int
		want   string
	}{
		{0, 3, "0"},
		{0.5, 4, "0.5"},
		{0.27189287, 4, "0.2719"},
		{-0.0027, 2, "-0.0027"},
		{0.001, 2, "0.001"},
		{5.7238e-4, 2, "5.7 × 10⁻⁴"},
		{1.4e-4, 4, "1.4 × 10⁻⁴"},
		{25921, 4, "25921"},
		{123456.7, 3, "123457"},
		{6e8, 3, "6 × 10⁸"},
		{1.2e-12, 2, "1.2 × 10⁻¹²"},
	} {
		if got := num(tc.v, tc.digits); got != tc.want {
			t.Errorf("num(%v, %d) = %q, want %q", tc.v, tc.digits, got, tc.want)
		}
	}
	if got := signed(0.25, 2); got != "+0.25" {
		t.Errorf("signed(0.25, 2) = %q, want +0.25", got)
	}
	if got := list([]string{"a", "b", "c"}); got != "a, b and c" {
		t.Errorf("list = %q", got)
	}
}

// TestVerdicts checks the verdict rule on each kind of tolerance.
func TestVerdicts(t *testing.T) {
	t.Parallel()
	v := func(x float64) tidy.Value { return tidy.Value{V: x, File: "e/f.csv", What: "c"} }
	for _, tc := range []struct {
		name string
		c    Claim
		want Verdict
	}{
		{"near inside", near("", "", 1, v(1.005), 0.01, 0.1, 3), Reproduced},
		{"near loose", near("", "", 1, v(1.05), 0.01, 0.1, 3), Partly},
		{"near outside", near("", "", 1, v(0.8), 0.01, 0.1, 3), NotReproduced},
		{"relative", nearRel("", "", 0.00232, v(0.002447), 0.05, 0.25, 4), Partly},
		{"interval", inInterval("", "", 0.5, v(0.5002), v(0.4999), v(0.5005), "95%", 2, 4), Reproduced},
		{"interval loose", inInterval("", "", 0.5, v(0.5004), v(0.5001), v(0.5007), "95%", 2, 4), Partly},
		{"se", withinSE("", "", 0.2747, v(0.2719), v(5.7e-4), 2, 0.05, 4), Partly},
		{"at most", atMost("", "", "", v(0.002), 0.02, 0.05, 2), Reproduced},
		{"at least", atLeast("", "", "", v(0.3), 0.5, 0.2, 2), Partly},
		{"at least fails", atLeast("", "", "", v(0.1), 0.5, 0.2, 2), NotReproduced},
	} {
		if tc.c.Verdict != tc.want {
			t.Errorf("%s: verdict %v, want %v", tc.name, tc.c.Verdict, tc.want)
		}
	}
}

// TestBrayDeanAlpha checks the index curve against the values of the
// project's reference notes ("Index versus energy"), x = ε/ε_c.
func TestBrayDeanAlpha(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ x, want float64 }{
		{0.99, 0.000599}, {0.9, 0.018693}, {0.75, 0.072147}, {0.5, 0.195501},
		{0.25, 0.342519}, {0, 0.5}, {-0.5, 0.804499}, {1.5, 0}, {-1.5, 1},
	} {
		if got := brayDeanAlpha(tc.x); math.Abs(got-tc.want) > 5e-7 {
			t.Errorf("brayDeanAlpha(%v) = %.7f, want %v", tc.x, got, tc.want)
		}
	}
}
