package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// num formats v with digits significant digits: plain decimals for
// 1e-3 <= |v| < 1e6 (integers in full), otherwise m × 10ⁿ; trailing zeros
// are dropped.
func num(v float64, digits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	case v == 0:
		return "0"
	}
	e := strconv.FormatFloat(v, 'e', digits-1, 64) // d.ddde±XX
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp >= -3 && exp < 6 {
		return trimZeros(strconv.FormatFloat(v, 'f', max(0, digits-1-exp), 64))
	}
	return trimZeros(e[:i]) + " × 10" + superscript(exp)
}

// fixed formats v with the given number of decimals, trailing zeros
// dropped and without a negative zero.
func fixed(v float64, decimals int) string {
	s := trimZeros(strconv.FormatFloat(v, 'f', decimals, 64))
	if s == "-0" {
		return "0"
	}
	return s
}

// signed is num with an explicit sign.
func signed(v float64, digits int) string {
	s := num(v, digits)
	if v > 0 {
		return "+" + s
	}
	return s
}

// pct formats the fraction v as a percentage with digits significant
// digits.
func pct(v float64, digits int) string { return num(100*v, digits) + "%" }

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var b strings.Builder
	if n < 0 {
		b.WriteString("⁻")
		n = -n
	}
	for _, c := range strconv.Itoa(n) {
		b.WriteString(string([]rune(digits)[c-'0']))
	}
	return b.String()
}

// list joins items as "a, b and c".
func list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// nums formats each of vs with num.
func nums(vs []float64, digits int) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = num(v, digits)
	}
	return out
}

// cell escapes s for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// sprintf is fmt.Sprintf, for prose.
var sprintf = fmt.Sprintf
