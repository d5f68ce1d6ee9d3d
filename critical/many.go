package critical

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
)

// DefaultDedupTol is the distance tolerance of Dedup and Basins when theirs is
// zero.
const DefaultDedupTol = 1e-6

// ManySettings controls FindMany. The zero value, or a nil pointer, means the
// defaults documented on each field.
type ManySettings struct {
	// Find is used for every start. Nil means Find's defaults.
	Find *FindSettings

	// Workers is the number of starts run at once. Zero means
	// runtime.GOMAXPROCS(0). The results do not depend on it.
	Workers int

	// DedupTol is the tolerance with which the Summary groups the
	// converged points into distinct critical points (see Dedup). Zero
	// means DefaultDedupTol.
	DedupTol float64
}

// Cluster is a group of converged points that approximate the same critical
// point.
type Cluster struct {
	// Point is the member with the smallest gradient norm (the first of
	// them on a tie).
	Point Point
	// Members are the indices of the members in the slice given to Dedup,
	// in increasing order; Members[0] is the anchor the others matched.
	Members []int
}

// Summary describes the results of many runs of Find.
type Summary struct {
	// Starts is the number of points summarised.
	Starts int
	// Converged counts the certified critical points, and Failed the
	// others (Starts = Converged + Failed).
	Converged, Failed int
	// GradientFlat counts the failed points flagged gradient-flat.
	GradientFlat int
	// Distinct are the distinct critical points, by Dedup.
	Distinct []Cluster
	// Minima, Maxima, Saddles and Degenerate count the distinct critical
	// points by the Kind of their representative.
	Minima, Maxima, Saddles, Degenerate int
}

// samePoint reports whether x and y, approximations of critical points at
// estimated distances ex and ey from them, approximate the same one:
//
//	||x - y|| <= tol + 2 (ex + ey).
func samePoint(x, y []float64, ex, ey, tol float64) bool {
	return floats.Distance(x, y, 2) <= tol+2*(ex+ey)
}

// Dedup groups the converged points of points into distinct critical points;
// the others are ignored. Two points x_i and x_j match when
//
//	||x_i - x_j|| <= tol + 2 (eta_i + eta_j),
//
// where eta is their NewtonDistance, the estimated distance from each to the
// critical point it approximates: two approximations of one critical point
// lie within eta_i + eta_j of each other to first order, and the factor 2
// allows for degenerate points, where Newton-type steps cover only about half
// the remaining distance. The points are taken in order; each joins the first
// cluster whose anchor (first member) it matches, or starts a new one. The
// clusters are in order of their anchors. A tol <= 0 means DefaultDedupTol.
func Dedup(points []Point, tol float64) []Cluster {
	if tol <= 0 {
		tol = DefaultDedupTol
	}
	var clusters []Cluster
	for i, p := range points {
		if !p.Converged {
			continue
		}
		joined := false
		for k := range clusters {
			c := &clusters[k]
			a := points[c.Members[0]]
			if samePoint(p.X, a.X, p.NewtonDistance, a.NewtonDistance, tol) {
				c.Members = append(c.Members, i)
				if p.GradNorm < c.Point.GradNorm {
					c.Point = p
				}
				joined = true
				break
			}
		}
		if !joined {
			clusters = append(clusters, Cluster{Point: p, Members: []int{i}})
		}
	}
	return clusters
}

// Summarize counts the outcomes of points and their distinct critical points,
// grouped by Dedup with tol.
func Summarize(points []Point, tol float64) Summary {
	s := Summary{Starts: len(points), Distinct: Dedup(points, tol)}
	for _, p := range points {
		switch {
		case p.Converged:
			s.Converged++
		case p.GradientFlat:
			s.Failed++
			s.GradientFlat++
		default:
			s.Failed++
		}
	}
	for _, c := range s.Distinct {
		switch c.Point.Classification.Kind {
		case Minimum:
			s.Minima++
		case Maximum:
			s.Maxima++
		case Saddle:
			s.Saddles++
		default:
			s.Degenerate++
		}
	}
	return s
}

// FindMany runs Find from every start, several at once, and summarises the
// results. The points are in the order of the starts and do not depend on the
// number of workers: each start is an independent run.
//
// FindMany panics if the starts do not all have the same length or the
// settings are invalid. It returns an error, naming the first such start,
// when Find cannot start from one of them.
func FindMany(p hessian.Problem, starts [][]float64, s *ManySettings) ([]Point, Summary, error) {
	var set ManySettings
	if s != nil {
		set = *s
	}
	if set.Workers < 0 {
		panic(fmt.Sprintf("critical: negative worker count %d", set.Workers))
	}
	for i, x := range starts {
		if len(x) != len(starts[0]) {
			panic(fmt.Sprintf("critical: start %d has length %d, start 0 has %d", i, len(x), len(starts[0])))
		}
	}
	set.Find.resolve() // panics on invalid settings before any work
	points := make([]Point, len(starts))
	errs := make([]error, len(starts))
	forEach(len(starts), set.Workers, func(i int) {
		points[i], errs[i] = Find(p, starts[i], set.Find)
	})
	for i, err := range errs {
		if err != nil {
			return nil, Summary{}, fmt.Errorf("critical: start %d: %w", i, err)
		}
	}
	return points, Summarize(points, set.DedupTol), nil
}

// forEach calls f(i) for i in [0, n) on workers goroutines (0 means
// GOMAXPROCS). Each i is handled exactly once.
func forEach(n, workers int, f func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}
