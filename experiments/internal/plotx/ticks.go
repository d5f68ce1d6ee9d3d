package plotx

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// DecadeTicks is a tick marker for log axes: major ticks at powers of ten,
// labelled 0.01, 0.1, 1, 10, 100 between 1e-3 and 1e3 and 1e-6, 1e6 beyond,
// with at most about eight labels (every second or third decade is labelled
// on long axes) and minor ticks at the other decades. Unlike
// plot.LogTicks{Prec: -1}, its labels never show the rounding error of a
// computed power of ten.
type DecadeTicks struct{}

// Ticks implements plot.Ticker.
func (DecadeTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	kmin, kmax := int(math.Ceil(math.Log10(lo)-1e-9)), int(math.Floor(math.Log10(hi)+1e-9))
	every := max(1, (kmax-kmin+8)/8)
	var ticks []plot.Tick
	for k := kmin; k <= kmax; k++ {
		t := plot.Tick{Value: math.Pow10(k)}
		if k%every == 0 {
			t.Label = decadeLabel(k)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// decadeLabel returns the label of 10^k.
func decadeLabel(k int) string {
	if k >= -3 && k <= 3 {
		return strconv.FormatFloat(math.Pow10(k), 'f', -1, 64)
	}
	return "1e" + strconv.Itoa(k)
}
