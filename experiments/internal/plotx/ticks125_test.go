package plotx

import (
	"slices"
	"testing"
)

func TestTicks125(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		lo, hi  float64
		labels  []string
		entries int
	}{
		// 0.02..0.09 and 0.1: labels at 2, 5 and 10 hundredths.
		{name: "one decade", lo: 0.02, hi: 0.12, labels: []string{"0.02", "0.05", "0.1"}, entries: 9},
		{name: "two decades", lo: 1, hi: 100, labels: []string{"1", "2", "5", "10", "20", "50", "100"}, entries: 19},
		// Only 0.05 among 1, 2, 5 × 10^k: every tick is labelled.
		{name: "narrow", lo: 0.025, hi: 0.095, labels: []string{"0.03", "0.04", "0.05", "0.06", "0.07", "0.08", "0.09"}, entries: 7},
		{name: "empty", lo: 0, hi: 1},
	} {
		var labels []string
		ticks := Ticks125{}.Ticks(c.lo, c.hi)
		for _, tk := range ticks {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, c.labels) || len(ticks) != c.entries {
			t.Errorf("%s: %d ticks labelled %v, want %d labelled %v", c.name, len(ticks), labels, c.entries, c.labels)
		}
	}
}
