package main

import (
	"fmt"
	"math"

	"github.com/critpoint/critpoint/paper/internal/tidy"
)

// Verdict is the outcome of comparing a measured number with a published
// one. The rule is the same for every claim:
//
//	Reproduced     the measured number is within the claim's tolerance
//	Partly         outside the tolerance, within the claim's looser bound:
//	               the qualitative claim holds (sign, ordering, order of
//	               magnitude) but the number does not match
//	NotReproduced  outside both
type Verdict int

const (
	Reproduced Verdict = iota
	Partly
	NotReproduced
)

// String returns the verdict as written in the paper.
func (v Verdict) String() string {
	switch v {
	case Reproduced:
		return "reproduced"
	case Partly:
		return "partly"
	case NotReproduced:
		return "not reproduced"
	}
	panic(fmt.Sprintf("paper: unknown verdict %d", int(v)))
}

// Claim is one published statement checked against the results.
type Claim struct {
	// Text is the statement, in a few words.
	Text string
	// Cite is the citation key of the published side (see references).
	Cite string
	// Published, Measured, Difference and Tolerance are the cells of the
	// table, already formatted.
	Published, Measured, Difference, Tolerance string
	// Verdict is set by the constructors below from the numbers.
	Verdict Verdict
	// From are the numbers read from the results that Measured rests on.
	From []tidy.Value
}

// near returns a claim that the measured value m equals published within
// the absolute tolerance tol (partly within loose); digits is the number of
// significant digits shown.
func near(text, cite string, published float64, m tidy.Value, tol, loose float64, digits int) Claim {
	d := m.V - published
	return Claim{
		Text: text, Cite: cite,
		Published:  num(published, digits),
		Measured:   num(m.V, digits),
		Difference: signed(d, 2),
		Tolerance:  tolerance("±"+num(tol, 2), "±"+num(loose, 2), tol, loose),
		Verdict:    grade(math.Abs(d) <= tol, math.Abs(d) <= loose),
		From:       []tidy.Value{m},
	}
}

// nearRel is near with relative tolerances: |m/published - 1| <= tol.
func nearRel(text, cite string, published float64, m tidy.Value, tol, loose float64, digits int) Claim {
	r := m.V/published - 1
	return Claim{
		Text: text, Cite: cite,
		Published:  num(published, digits),
		Measured:   num(m.V, digits),
		Difference: signed(100*r, 2) + "%",
		Tolerance:  fmt.Sprintf("±%s%% (partly ±%s%%)", num(100*tol, 2), num(100*loose, 2)),
		Verdict:    grade(math.Abs(r) <= tol, math.Abs(r) <= loose),
		From:       []tidy.Value{m},
	}
}

// inInterval returns a claim that the exact value published lies in the
// measured confidence interval [lo, hi] around m (partly: within loose
// half-widths of m).
func inInterval(text, cite string, published float64, m, lo, hi tidy.Value, level string, loose float64, digits int) Claim {
	d := m.V - published
	half := (hi.V - lo.V) / 2
	return Claim{
		Text: text, Cite: cite,
		Published:  num(published, digits),
		Measured:   fmt.Sprintf("%s [%s, %s]", num(m.V, digits), num(lo.V, digits), num(hi.V, digits)),
		Difference: signed(d, 2),
		Tolerance:  fmt.Sprintf("%s interval (partly %s half-widths)", level, num(loose, 2)),
		Verdict:    grade(lo.V <= published && published <= hi.V, math.Abs(d) <= loose*half),
		From:       []tidy.Value{m, lo, hi},
	}
}

// withinSE returns a claim that a fitted m with standard error se equals
// published within k standard errors (partly within the relative bound
// loose).
func withinSE(text, cite string, published float64, m, se tidy.Value, k, loose float64, digits int) Claim {
	d := m.V - published
	return Claim{
		Text: text, Cite: cite,
		Published:  num(published, digits),
		Measured:   fmt.Sprintf("%s ± %s", num(m.V, digits), num(se.V, 2)),
		Difference: fmt.Sprintf("%s (%s s.e.)", signed(d, 2), signed(d/se.V, 2)),
		Tolerance:  fmt.Sprintf("%s s.e. (partly ±%s%%)", num(k, 2), num(100*loose, 2)),
		Verdict:    grade(math.Abs(d) <= k*se.V, math.Abs(d) <= loose*math.Abs(published)),
		From:       []tidy.Value{m, se},
	}
}

// atMost returns a claim that m does not exceed bound (partly: does not
// exceed loose). published describes the published side.
func atMost(text, cite, published string, m tidy.Value, bound, loose float64, digits int) Claim {
	return Claim{
		Text: text, Cite: cite,
		Published:  published,
		Measured:   num(m.V, digits),
		Difference: signed(m.V-bound, 2) + " from the bound",
		Tolerance:  fmt.Sprintf("≤ %s (partly ≤ %s)", num(bound, 3), num(loose, 3)),
		Verdict:    grade(m.V <= bound, m.V <= loose),
		From:       []tidy.Value{m},
	}
}

// atLeast returns a claim that m is at least bound (partly: at least
// loose).
func atLeast(text, cite, published string, m tidy.Value, bound, loose float64, digits int) Claim {
	return Claim{
		Text: text, Cite: cite,
		Published:  published,
		Measured:   num(m.V, digits),
		Difference: signed(m.V-bound, 2) + " from the bound",
		Tolerance:  fmt.Sprintf("≥ %s (partly ≥ %s)", num(bound, 3), num(loose, 3)),
		Verdict:    grade(m.V >= bound, m.V >= loose),
		From:       []tidy.Value{m},
	}
}

// also adds further values that a claim rests on.
func (c Claim) also(vs ...tidy.Value) Claim {
	c.From = append(c.From, vs...)
	return c
}

func grade(within, qualitative bool) Verdict {
	switch {
	case within:
		return Reproduced
	case qualitative:
		return Partly
	}
	return NotReproduced
}

// exactly returns a claim that holds only if the measured outcome equals the
// published one: reproduced when equal, not reproduced otherwise.
func exactly(text, cite, published, measured string, equal bool, from ...tidy.Value) Claim {
	d := "none"
	if !equal {
		d = "differs"
	}
	return Claim{
		Text: text, Cite: cite,
		Published: published, Measured: measured, Difference: d,
		Tolerance: "exact",
		Verdict:   grade(equal, false),
		From:      from,
	}
}

// tolerance formats a tolerance and its looser bound; a zero tolerance is
// "exact".
func tolerance(tol, loose string, t, l float64) string {
	switch {
	case t == 0 && l == 0:
		return "exact"
	case t == 0:
		return "exact (partly " + loose + ")"
	}
	return tol + " (partly " + loose + ")"
}

// positive returns a claim that the estimate m, with standard error se, is
// positive: reproduced when m >= 2 se, partly when m > 0.
func positive(text, cite, published string, m, se tidy.Value, digits int) Claim {
	return Claim{
		Text: text, Cite: cite,
		Published:  published,
		Measured:   fmt.Sprintf("%s ± %s", num(m.V, digits), num(se.V, 2)),
		Difference: fmt.Sprintf("%s s.e. from 0", signed(m.V/se.V, 2)),
		Tolerance:  "> 2 s.e. above 0 (partly > 0)",
		Verdict:    grade(m.V >= 2*se.V, m.V > 0),
		From:       []tidy.Value{m, se},
	}
}

// inRange returns a claim that m lies in [lo, hi] (partly: within loose of
// it).
func inRange(text, cite string, lo, hi float64, m tidy.Value, loose float64, digits int) Claim {
	d := 0.0
	switch {
	case m.V < lo:
		d = m.V - lo
	case m.V > hi:
		d = m.V - hi
	}
	return Claim{
		Text: text, Cite: cite,
		Published:  fmt.Sprintf("in [%s, %s]", num(lo, digits), num(hi, digits)),
		Measured:   num(m.V, digits),
		Difference: signed(d, 2) + " from the interval",
		Tolerance:  fmt.Sprintf("inside (partly within %s)", num(loose, 2)),
		Verdict:    grade(d == 0, math.Abs(d) <= loose),
		From:       []tidy.Value{m},
	}
}
