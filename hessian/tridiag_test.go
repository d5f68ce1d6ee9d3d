package hessian

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// tridiagUlp is LAPACK's Dlamch('P') and tridiagThresh the threshold of
// LAPACK's eigensolver test ratios (TESTING/sep.in).
const (
	tridiagUlp    = 0x1p-52
	tridiagThresh = 30
)

// tridiagRatios returns LAPACK's test ratios for the eigenpairs (vals, z) of
// the tridiagonal matrix (d, e), z column-major n×n:
//
//	res  = max_j ||T z_j - λ_j z_j||₁ / (n ||T||₁ ulp),
//	orth = ||I - ZᵀZ||₁ / (n ulp).
func tridiagRatios(d, e, vals, z []float64) (res, orth float64) {
	n := len(d)
	var tnorm float64
	for i := range n {
		s := math.Abs(d[i])
		if i > 0 {
			s += math.Abs(e[i-1])
		}
		if i < n-1 {
			s += math.Abs(e[i])
		}
		tnorm = max(tnorm, s)
	}
	tnorm = max(tnorm, math.SmallestNonzeroFloat64)
	for j := range n {
		col := z[j*n : (j+1)*n]
		var s float64
		for i := range n {
			r := (d[i] - vals[j]) * col[i]
			if i > 0 {
				r += e[i-1] * col[i-1]
			}
			if i < n-1 {
				r += e[i] * col[i+1]
			}
			s += math.Abs(r)
		}
		res = max(res, s)
	}
	res /= float64(n) * tnorm * tridiagUlp
	for j := range n {
		var s float64
		for i := range n {
			var p float64
			for r := range n {
				p += z[r+i*n] * z[r+j*n]
			}
			if i == j {
				p--
			}
			s += math.Abs(p)
		}
		orth = max(orth, s)
	}
	orth /= float64(n) * tridiagUlp
	return res, orth
}

// tridiagReference returns the eigenvalues of (d, e) from gonum's Dsterf.
func tridiagReference(d, e []float64) []float64 {
	w := mat.NewSymDense(len(d), nil)
	for i := range d {
		w.SetSym(i, i, d[i])
		if i+1 < len(d) {
			w.SetSym(i, i+1, e[i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(w, false) {
		panic("reference eigensolver failed")
	}
	return es.Values(nil)
}

func TestTridiagEigen(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(21, 1))
	type matrix struct {
		name string
		d, e []float64
	}
	var cases []matrix
	// Wilkinson's W⁺ of order 2m+1, d_i = |m-i|, e_i = 1: its largest
	// eigenvalues come in pairs agreeing to many digits, which the merges
	// deflate by rotations (Wilkinson, The Algebraic Eigenvalue Problem,
	// 1965, sec. 5.45).
	wilkinson := []int{10, 50}
	if !testing.Short() {
		wilkinson = append(wilkinson, 100)
	}
	for _, m := range wilkinson {
		d := make([]float64, 2*m+1)
		e := make([]float64, 2*m)
		for i := range d {
			d[i] = math.Abs(float64(m - i))
		}
		for i := range e {
			e[i] = 1
		}
		cases = append(cases, matrix{fmt.Sprintf("wilkinson%d", 2*m+1), d, e})
	}
	// Glued Wilkinson matrices: six copies of W⁺₂₁ coupled by 1e-9, giving
	// clusters of very close eigenvalues.
	{
		var d, e []float64
		for c := range 6 {
			if c > 0 {
				e = append(e, 1e-9)
			}
			for i := range 21 {
				d = append(d, math.Abs(float64(10-i)))
				if i < 20 {
					e = append(e, 1)
				}
			}
		}
		cases = append(cases, matrix{"glued", d, e})
	}
	// Random, with some off-diagonal entries zero or negligible so that the
	// matrix splits, and graded.
	orders := []int{26, 64, 150}
	if !testing.Short() {
		orders = append(orders, 300)
	}
	for _, n := range orders {
		d := make([]float64, n)
		e := make([]float64, n-1)
		for i := range d {
			d[i] = rnd.NormFloat64()
		}
		for i := range e {
			e[i] = rnd.NormFloat64()
		}
		cases = append(cases, matrix{fmt.Sprintf("random%d", n), d, e})
		ds, es := slices.Clone(d), slices.Clone(e)
		for i := 0; i < n-1; i += 37 {
			es[i] = 0
		}
		es[n/2] = 1e-300
		cases = append(cases, matrix{fmt.Sprintf("split%d", n), ds, es})
		dg, eg := slices.Clone(d), slices.Clone(e)
		for i := range dg {
			dg[i] *= math.Pow(10, -12*float64(i)/float64(n))
		}
		for i := range eg {
			eg[i] *= math.Pow(10, -12*float64(i)/float64(n))
		}
		cases = append(cases, matrix{fmt.Sprintf("graded%d", n), dg, eg})
	}
	// Equal diagonal, constant off-diagonal: the second difference matrix,
	// eigenvalues 2 - 2 cos(kπ/(n+1)).
	{
		n := 120
		d := make([]float64, n)
		e := make([]float64, n-1)
		for i := range d {
			d[i] = 2
		}
		for i := range e {
			e[i] = -1
		}
		cases = append(cases, matrix{"laplacian120", d, e})
	}
	for _, tc := range cases {
		n := len(tc.d)
		want := tridiagReference(tc.d, tc.e)
		d, e := slices.Clone(tc.d), slices.Clone(tc.e)
		z := make([]float64, n*n)
		if !tridiagEigen(d, e, z, n, 2) {
			t.Errorf("%s: no convergence", tc.name)
			continue
		}
		if !slices.IsSorted(d) {
			t.Errorf("%s: eigenvalues not ascending", tc.name)
		}
		var tnorm float64
		for i := range n {
			tnorm = max(tnorm, math.Abs(tc.d[i])+2*math.Abs(tc.e[min(i, n-2)]))
		}
		for i := range d {
			if math.Abs(d[i]-want[i]) > tridiagThresh*float64(n)*tridiagUlp*tnorm {
				t.Errorf("%s: eigenvalue %d = %v, want %v", tc.name, i, d[i], want[i])
				break
			}
		}
		res, orth := tridiagRatios(tc.d, tc.e, d, z)
		if res > tridiagThresh || orth > tridiagThresh {
			t.Errorf("%s: residual ratio %.3g, orthogonality ratio %.3g, want < %d", tc.name, res, orth, tridiagThresh)
		}
	}
}

func TestSecularRoot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		d, z []float64
		rho  float64
	}{
		{"one", []float64{2}, []float64{1}, 3},
		{"two", []float64{-1, 1}, []float64{0.6, 0.8}, 0.5},
		{"even", []float64{1, 2, 3, 4}, []float64{0.5, 0.5, 0.5, 0.5}, 1},
		{"close poles", []float64{1, 1 + 1e-12, 1 + 2e-12, 2}, []float64{0.5, 0.5, 0.5, 0.5}, 1},
		{"tiny weight", []float64{0, 1, 2, 3, 4}, []float64{0.7, 1e-7, 0.5, 1e-9, 0.5}, 1},
		{"large rho", []float64{0, 1, 2}, []float64{0.6, 0.0, 0.8}, 1e8},
		{"small rho", []float64{0, 1, 2}, []float64{0.6, 0.48, 0.64}, 1e-8},
	} {
		// The weights are made nonzero and the equation's solution is
		// checked against an eigensolver on D + ρ z zᵀ.
		k := len(tc.d)
		z := slices.Clone(tc.z)
		for i := range z {
			if z[i] == 0 {
				z[i] = 1e-3
			}
		}
		m := mat.NewSymDense(k, nil)
		var sumz2 float64
		for i := range k {
			sumz2 += z[i] * z[i]
			for j := i; j < k; j++ {
				v := tc.rho * z[i] * z[j]
				if i == j {
					v += tc.d[i]
				}
				m.SetSym(i, j, v)
			}
		}
		var es mat.EigenSym
		es.Factorize(m, false)
		want := es.Values(nil)
		scale := max(math.Abs(tc.d[0]), math.Abs(tc.d[k-1])) + tc.rho*sumz2
		delta := make([]float64, k)
		for i := range k {
			lam, ok := secularRoot(i, tc.d, z, tc.rho, sumz2, delta)
			if !ok {
				t.Errorf("%s: root %d did not converge", tc.name, i)
			}
			// Interlacing: d_i < λ_i < d_{i+1}, λ_{k-1} <= d_{k-1} + ρ‖z‖².
			// λ_i itself may round to a pole (it is 3 + 1e-18 for the tiny
			// weight); the differences delta keep the strict order.
			hi := tc.d[k-1] + tc.rho*sumz2
			if i < k-1 {
				hi = tc.d[i+1]
			}
			if !(lam >= tc.d[i] && lam <= hi) {
				t.Errorf("%s: root %d = %v outside [%v, %v]", tc.name, i, lam, tc.d[i], hi)
			}
			if math.Abs(lam-want[i]) > tridiagThresh*float64(k)*tridiagUlp*scale {
				t.Errorf("%s: root %d = %v, want %v", tc.name, i, lam, want[i])
			}
			for j := range k {
				if delta[j] == 0 || math.Signbit(delta[j]) != (j <= i) {
					t.Errorf("%s: root %d: delta[%d] = %v has the wrong sign", tc.name, i, j, delta[j])
				}
			}
		}
	}
}

func TestTridiagReduce(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 33, 34, 100, 150} {
		rnd := rand.New(rand.NewPCG(22, uint64(n)))
		a := make([]float64, n*n) // column-major, full
		for j := range n {
			for i := j; i < n; i++ {
				v := rnd.NormFloat64()
				a[i+j*n], a[j+i*n] = v, v
			}
		}
		lo := slices.Clone(a)
		d := make([]float64, n)
		e := make([]float64, max(n-1, 1))
		tau := make([]float64, max(n-1, 1))
		tridiagReduce(lo, n, d, e, tau, 2)
		// Q from applying the reflectors to the identity.
		q := make([]float64, n*n)
		for i := range n {
			q[i+i*n] = 1
		}
		tridiagApplyQ(lo, n, tau, q, n, n, 2)
		// A Q - Q T and QᵀQ - I, both O(n ulp ||A||).
		var anorm, res, orth float64
		for j := range n {
			var s float64
			for i := range n {
				s += math.Abs(a[i+j*n])
			}
			anorm = max(anorm, s)
		}
		for j := range n {
			var s float64
			for i := range n {
				var aq float64
				for r := range n {
					aq += a[i+r*n] * q[r+j*n]
				}
				qt := q[i+j*n] * d[j]
				if j > 0 {
					qt += q[i+(j-1)*n] * e[j-1]
				}
				if j < n-1 {
					qt += q[i+(j+1)*n] * e[j]
				}
				s += math.Abs(aq - qt)
			}
			res = max(res, s)
			var so float64
			for i := range n {
				var p float64
				for r := range n {
					p += q[r+i*n] * q[r+j*n]
				}
				if i == j {
					p--
				}
				so += math.Abs(p)
			}
			orth = max(orth, so)
		}
		res /= float64(n) * anorm * tridiagUlp
		orth /= float64(n) * tridiagUlp
		if res > tridiagThresh || orth > tridiagThresh {
			t.Errorf("n=%d: ||AQ - QT|| ratio %.3g, ||QᵀQ - I|| ratio %.3g, want < %d", n, res, orth, tridiagThresh)
		}
	}
}
