package plotx

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// Ticks125 is a tick marker for log axes that span less than a few decades:
// labelled major ticks at 1, 2 and 5 times the powers of ten and unlabelled
// minor ticks at the other integer multiples, so that an axis from 0.02 to
// 0.12 reads 0.02, 0.05, 0.1 instead of a single label. When fewer than two
// of those fall on the axis, every tick is labelled.
type Ticks125 struct{}

// Ticks implements plot.Ticker.
func (Ticks125) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	var ticks []plot.Tick
	for k := int(math.Floor(math.Log10(lo))); k <= int(math.Ceil(math.Log10(hi))); k++ {
		for m := 1; m <= 9; m++ {
			// m·10^k, formatted from its decimal digits so that labels
			// carry no rounding error.
			v, err := strconv.ParseFloat(strconv.Itoa(m)+"e"+strconv.Itoa(k), 64)
			if err != nil {
				panic(err)
			}
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		for i := range ticks {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', -1, 64)
		}
	}
	return ticks
}
