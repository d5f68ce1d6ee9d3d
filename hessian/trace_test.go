package hessian_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/floats"
)

func TestHutchinsonDiagonalExact(t *testing.T) {
	t.Parallel()
	// For a diagonal D and a Rademacher z, z^T D z = Σ z_i^2 d_i = tr D
	// exactly: every probe gives the trace and the standard error is 0.
	d := []float64{3, -1.5, 0.25, 7, -2, 0}
	op := hessian.Operator{Dim: len(d), Apply: func(dst, v []float64) {
		for i := range v {
			dst[i] = d[i] * v[i]
		}
	}}
	est, err := hessian.Hutchinson(op, &hessian.TraceSettings{Probes: 7})
	if err != nil {
		t.Fatal(err)
	}
	if est.Value != floats.Sum(d) || est.StdErr != 0 || est.Probes != 7 {
		t.Errorf("Hutchinson on a diagonal: %+v, want {Value:%v StdErr:0 Probes:7}", est, floats.Sum(d))
	}
}

func TestHutchPlusPlusFullSketch(t *testing.T) {
	t.Parallel()
	// With a budget of at least 3n the sketch spans R^n: the trace is
	// tr(Q^T A Q) = tr A up to rounding, no probes are drawn and the
	// standard error is zero.
	m := newMFMatrix("indefinite", mfIndefinite(20))
	est, err := hessian.HutchPlusPlus(m.op(), &hessian.TraceSettings{Probes: 60})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(est.Value-m.trace()) > 1e-12*m.norm()*20 || est.StdErr != 0 || est.Probes != 40 {
		t.Errorf("Hutch++ with a full sketch: %+v, want trace %v, StdErr 0, 40 products", est, m.trace())
	}
}

func TestTraceWithinStdErr(t *testing.T) {
	t.Parallel()
	// Two budgets × five fixed seeds give ten estimates per method and
	// matrix, with standardised errors z = (estimate - Σ d_i)/StdErr. For
	// honest standard errors z is close to N(0, 1) (Student's t with 19 or
	// more degrees of freedom here), so the test asks: every |z| <= 4, at
	// most one |z| > 3 (for P(|z| > 3) of about 0.5%, ten estimates have
	// two such with probability 0.1%), and mean z^2, a χ²_10/10 variable,
	// within its 0.05% and 99.95% quantiles 0.126 and 3.14, which also
	// catches standard errors that are too large.
	//
	// Hutch++ is the more accurate on the low-rank-dominated matrix, where
	// Hutchinson's variance 2(||A||_F^2 - Σ A_ii^2) comes from the ten
	// large eigenvalues that the sketch removes. The budgets give Hutch++
	// sketches of 20 and 50 vectors, at least twice the rank of the
	// dominant part, and at least 20 probes for its standard error.
	n := 300
	if !testing.Short() {
		n = 1000
	}
	for _, tc := range []struct {
		name     string
		eigs     []float64
		plusWins bool
	}{
		{"indefinite", mfIndefinite(n), false},
		{"lowrank-dominated", mfLowRankDominated(n), true},
	} {
		m := newMFMatrix(tc.name, tc.eigs)
		op := m.op()
		tr := m.trace()
		type tally struct {
			over3, count int
			z2, absErr   float64
		}
		var th, tp tally
		for _, probes := range []int{60, 150} {
			for seed := range uint64(5) {
				s := &hessian.TraceSettings{Probes: probes, Seed: seed}
				h, err := hessian.Hutchinson(op, s)
				if err != nil {
					t.Fatal(err)
				}
				p, err := hessian.HutchPlusPlus(op, s)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range []struct {
					method string
					est    hessian.Estimate
					tally  *tally
				}{{"Hutchinson", h, &th}, {"Hutch++", p, &tp}} {
					z := (e.est.Value - tr) / e.est.StdErr
					if math.Abs(z) > 4 {
						t.Errorf("%s probes=%d seed=%d: %s %v ± %v, true trace %v",
							tc.name, probes, seed, e.method, e.est.Value, e.est.StdErr, tr)
					}
					if math.Abs(z) > 3 {
						e.tally.over3++
					}
					e.tally.count++
					e.tally.z2 += z * z
					e.tally.absErr += math.Abs(e.est.Value - tr)
					if e.est.Probes != probes {
						t.Errorf("%s: %d products reported, budget %d", e.method, e.est.Probes, probes)
					}
				}
				if tc.plusWins && p.StdErr >= h.StdErr {
					t.Errorf("%s probes=%d seed=%d: Hutch++ StdErr %v not below Hutchinson's %v",
						tc.name, probes, seed, p.StdErr, h.StdErr)
				}
			}
		}
		for _, e := range []struct {
			method string
			tally  tally
		}{{"Hutchinson", th}, {"Hutch++", tp}} {
			c := float64(e.tally.count)
			t.Logf("%s n=%d %s: mean |error| %.4g, mean z^2 %.3f, %d of %d beyond 3 StdErr",
				tc.name, n, e.method, e.tally.absErr/c, e.tally.z2/c, e.tally.over3, e.tally.count)
			if e.tally.over3 > 1 || e.tally.z2/c < 0.126 || e.tally.z2/c > 3.14 {
				t.Errorf("%s %s: standard errors not honest: mean z^2 %v, %d beyond 3 StdErr", tc.name, e.method, e.tally.z2/c, e.tally.over3)
			}
		}
		if tc.plusWins && tp.absErr >= th.absErr {
			t.Errorf("%s: Hutch++ mean error %v not below Hutchinson's %v", tc.name, tp.absErr/10, th.absErr/10)
		}
	}
}

func TestTraceWorkersIndependent(t *testing.T) {
	t.Parallel()
	m := newMFMatrix("extremes", mfExtremes(100))
	for _, est := range []func(hessian.Operator, *hessian.TraceSettings) (hessian.Estimate, error){
		hessian.Hutchinson, hessian.HutchPlusPlus,
	} {
		var prev hessian.Estimate
		for i, w := range []int{1, 2, 5} {
			e, err := est(m.op(), &hessian.TraceSettings{Probes: 31, Seed: 9, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 && e != prev {
				t.Errorf("Workers = %d gives %+v, Workers = 1 gives %+v", w, e, prev)
			}
			prev = e
		}
	}
}

func BenchmarkTrace(b *testing.B) {
	op := mfDiagPlusLowRank(10000)
	for _, tc := range []struct {
		name string
		f    func(hessian.Operator, *hessian.TraceSettings) (hessian.Estimate, error)
	}{
		{"Hutchinson", hessian.Hutchinson},
		{"HutchPlusPlus", hessian.HutchPlusPlus},
	} {
		b.Run(fmt.Sprintf("%s/n=10000/probes=99", tc.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.f(op, &hessian.TraceSettings{Probes: 99}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
