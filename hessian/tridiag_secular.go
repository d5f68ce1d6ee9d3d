package hessian

import "math"

// This file solves the secular equation of a symmetric rank-one modification
// of a diagonal matrix, D + ρ z zᵀ with d_0 < d_1 < ... < d_{k-1}, ρ > 0 and
// every z_j ≠ 0. Its eigenvalues λ_0 < ... < λ_{k-1} interlace the d_j,
//
//	d_i < λ_i < d_{i+1},   d_{k-1} < λ_{k-1} <= d_{k-1} + ρ‖z‖²,
//
// and are the roots of
//
//	f(λ) = 1/ρ + Σ_j z_j² / (d_j - λ).
//
// The method is LAPACK's Dlaed4 (Ren-Cang Li, "Solving secular equations
// stably and efficiently", LAPACK Working Note 89, 1993) without its
// three-pole refinement: each root is found as an offset τ from the nearer pole
// d_o, so that the differences d_j - λ = (d_j - d_o) - τ are computed to high
// relative accuracy, by the roots of a two-pole rational model of f that
// matches its value and slope, kept inside a bracket that shrinks with every
// step and falls back to bisection. Those differences are what the
// Gu–Eisenstat recomputation of z needs for orthogonal eigenvectors (Gu and
// Eisenstat, SIAM J. Matrix Anal. Appl. 16(1), 1995).

// secularMaxIter bounds the iterations for one root. Each step either follows
// the model or halves the bracket, so 64 steps reach the bracket's
// floating-point resolution.
const secularMaxIter = 64

// eps53 is the unit roundoff 2⁻⁵³, LAPACK's Dlamch('E').
const eps53 = 0x1p-53

// secularRoot returns root i of the secular equation for the poles d, weights
// z and ρ > 0, and stores d_j - λ_i in delta[j] for every j. sumz2 is ‖z‖². ok
// is false if the iteration did not meet its tolerance within secularMaxIter
// steps; the returned root is then the best found and still inside its
// interval.
func secularRoot(i int, d, z []float64, rho, sumz2 float64, delta []float64) (lam float64, ok bool) {
	k := len(d)
	delta = delta[:k]
	if k == 1 {
		delta[0] = -rho * z[0] * z[0]
		return d[0] + rho*z[0]*z[0], true
	}
	if i == k-1 {
		return secularLast(d, z, rho, sumz2, delta)
	}
	return secularMiddle(i, d, z, rho, delta)
}

// secularLast returns the largest root, which lies in (d_{k-1}, d_{k-1}+ρ‖z‖²].
func secularLast(d, z []float64, rho, sumz2 float64, delta []float64) (float64, bool) {
	k := len(d)
	n1 := k - 1 // origin: the last pole
	n2 := k - 2
	rhoinv := 1 / rho
	ub := rho * sumz2 // λ - d_{k-1} <= ρ‖z‖²
	midpt := ub / 2
	for j := range k {
		delta[j] = (d[j] - d[n1]) - midpt
	}
	var psi float64
	for j := range n2 {
		psi += z[j] * z[j] / delta[j]
	}
	c := rhoinv + psi
	w := c + z[n2]*z[n2]/delta[n2] + z[n1]*z[n1]/delta[n1]
	// The initial guess solves the model with the two last poles and the
	// other terms frozen at the midpoint.
	del := d[n1] - d[n2]
	guess := func() float64 {
		a := -c*del + z[n2]*z[n2] + z[n1]*z[n1]
		b := z[n1] * z[n1] * del
		if a < 0 {
			return 2 * b / (math.Sqrt(a*a+4*b*c) - a)
		}
		return (a + math.Sqrt(a*a+4*b*c)) / (2 * c)
	}
	var tau, lb, hb float64
	if w <= 0 {
		temp := z[n2]*z[n2]/(del+ub) + z[n1]*z[n1]/ub
		if c <= temp {
			tau = ub
		} else {
			tau = guess()
		}
		lb, hb = midpt, ub
	} else {
		tau = guess()
		lb, hb = 0, midpt
	}
	tau = min(max(tau, lb), hb)
	if tau == 0 {
		tau = hb / 2
	}
	for j := range k {
		delta[j] = (d[j] - d[n1]) - tau
	}
	for range secularMaxIter {
		var psi, dpsi, erretm float64
		for j := range n1 {
			t := z[j] / delta[j]
			psi += z[j] * t
			dpsi += t * t
			erretm += psi
		}
		erretm = math.Abs(erretm)
		t := z[n1] / delta[n1]
		phi := z[n1] * t
		dphi := t * t
		erretm = 8*(-phi-psi) + erretm - phi + rhoinv + math.Abs(tau)*(dpsi+dphi)
		w := rhoinv + phi + psi
		if math.Abs(w) <= eps53*erretm {
			return d[n1] + tau, true
		}
		if w <= 0 {
			lb = max(lb, tau)
		} else {
			hb = min(hb, tau)
		}
		if hb-lb <= 2*eps53*math.Abs(tau) {
			return d[n1] + tau, true
		}
		// Roots of the model c + s/(δ_{k-2}-η) + S/(δ_{k-1}-η) matching f
		// and f' at τ.
		c := w - delta[n2]*dpsi - delta[n1]*dphi
		a := (delta[n2]+delta[n1])*w - delta[n2]*delta[n1]*(dpsi+dphi)
		b := delta[n2] * delta[n1] * w
		c = math.Abs(c)
		var eta float64
		switch {
		case c == 0:
			eta = hb - tau
		case a >= 0:
			eta = (a + math.Sqrt(math.Abs(a*a-4*b*c))) / (2 * c)
		default:
			eta = 2 * b / (a - math.Sqrt(math.Abs(a*a-4*b*c)))
		}
		if w*eta > 0 {
			eta = -w / (dpsi + dphi)
		}
		eta = secularBracket(tau, eta, w, lb, hb)
		for j := range k {
			delta[j] -= eta
		}
		tau += eta
	}
	return d[n1] + tau, false
}

// secularBracket returns the step eta from tau, replaced by a bisection step
// towards the side of the root when tau+eta leaves the bracket [lb, hb]. w is
// f at tau: the root is above tau when w < 0.
func secularBracket(tau, eta, w, lb, hb float64) float64 {
	if t := tau + eta; t > hb || t < lb || math.IsNaN(t) {
		if w < 0 {
			return (hb - tau) / 2
		}
		return (lb - tau) / 2
	}
	return eta
}

// secularMiddle returns root i < k-1, which lies in (d_i, d_{i+1}).
func secularMiddle(i int, d, z []float64, rho float64, delta []float64) (float64, bool) {
	k := len(d)
	ip1 := i + 1
	rhoinv := 1 / rho
	del := d[ip1] - d[i]
	midpt := del / 2
	for j := range k {
		delta[j] = (d[j] - d[i]) - midpt
	}
	var psi, phi float64
	for j := range i {
		psi += z[j] * z[j] / delta[j]
	}
	for j := k - 1; j > ip1; j-- {
		phi += z[j] * z[j] / delta[j]
	}
	c := rhoinv + psi + phi
	w := c + z[i]*z[i]/delta[i] + z[ip1]*z[ip1]/delta[ip1]

	// The root is nearer d_i when f(midpoint) > 0; it is then found as
	// d_i + τ with 0 < τ <= del/2, otherwise as d_{i+1} + τ with
	// -del/2 <= τ < 0. The initial τ solves the two-pole model with the
	// other terms frozen at the midpoint.
	orgati := w > 0
	var tau, lb, hb float64
	var org int
	if orgati {
		a := c*del + z[i]*z[i] + z[ip1]*z[ip1]
		b := z[i] * z[i] * del
		if a > 0 {
			tau = 2 * b / (a + math.Sqrt(math.Abs(a*a-4*b*c)))
		} else {
			tau = (a - math.Sqrt(math.Abs(a*a-4*b*c))) / (2 * c)
		}
		org, lb, hb = i, 0, midpt
	} else {
		a := c*del - z[i]*z[i] - z[ip1]*z[ip1]
		b := z[ip1] * z[ip1] * del
		if a < 0 {
			tau = 2 * b / (a - math.Sqrt(math.Abs(a*a+4*b*c)))
		} else {
			tau = -(a + math.Sqrt(math.Abs(a*a+4*b*c))) / (2 * c)
		}
		org, lb, hb = ip1, -midpt, 0
	}
	if !(tau > lb && tau < hb) {
		tau = (lb + hb) / 2
	}
	for j := range k {
		delta[j] = (d[j] - d[org]) - tau
	}
	ii := org
	swtch := false
	var prew float64
	for iter := range secularMaxIter {
		var psi, dpsi, erretm float64
		for j := range ii {
			t := z[j] / delta[j]
			psi += z[j] * t
			dpsi += t * t
			erretm += psi
		}
		erretm = math.Abs(erretm)
		var phi, dphi float64
		for j := k - 1; j > ii; j-- {
			t := z[j] / delta[j]
			phi += z[j] * t
			dphi += t * t
			erretm += phi
		}
		t := z[ii] / delta[ii]
		dw := dpsi + dphi + t*t
		t *= z[ii]
		w := rhoinv + phi + psi + t
		erretm = 8*(phi-psi) + erretm + 2*rhoinv + 3*math.Abs(t) + math.Abs(tau)*dw
		if math.Abs(w) <= eps53*erretm {
			return d[org] + tau, true
		}
		if w <= 0 {
			lb = max(lb, tau)
		} else {
			hb = min(hb, tau)
		}
		if hb-lb <= 2*eps53*math.Abs(tau) {
			return d[org] + tau, true
		}
		// Switch between the two fixed-weight models when the previous
		// step made too little progress, as Dlaed4 does.
		if iter > 0 && w*prew > 0 && math.Abs(w) > math.Abs(prew)/10 {
			swtch = !swtch
		}
		prew = w
		var cc float64
		if !swtch {
			if orgati {
				r := z[i] / delta[i]
				cc = w - delta[ip1]*dw - (d[i]-d[ip1])*r*r
			} else {
				r := z[ip1] / delta[ip1]
				cc = w - delta[i]*dw - (d[ip1]-d[i])*r*r
			}
		} else {
			r := z[ii] / delta[ii]
			dp, dh := dpsi, dphi
			if orgati {
				dp += r * r
			} else {
				dh += r * r
			}
			cc = w - delta[i]*dp - delta[ip1]*dh
		}
		a := (delta[i]+delta[ip1])*w - delta[i]*delta[ip1]*dw
		b := delta[i] * delta[ip1] * w
		var eta float64
		switch {
		case cc == 0:
			if a == 0 {
				if orgati {
					a = z[i]*z[i] + delta[ip1]*delta[ip1]*(dpsi+dphi)
				} else {
					a = z[ip1]*z[ip1] + delta[i]*delta[i]*(dpsi+dphi)
				}
			}
			eta = b / a
		case a <= 0:
			eta = (a - math.Sqrt(math.Abs(a*a-4*b*cc))) / (2 * cc)
		default:
			eta = 2 * b / (a + math.Sqrt(math.Abs(a*a-4*b*cc)))
		}
		if w*eta >= 0 {
			eta = -w / dw
		}
		eta = secularBracket(tau, eta, w, lb, hb)
		for j := range k {
			delta[j] -= eta
		}
		tau += eta
	}
	return d[org] + tau, false
}
