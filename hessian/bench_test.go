package hessian_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// anchorMatrix returns the matrix of the performance anchors
// (../shared/bench/anchors.py): (G + Gᵀ)/2 for an n×n matrix G of standard
// normal entries, here drawn from PCG seed 1.
func anchorMatrix(n int) *mat.SymDense {
	rnd := rand.New(rand.NewPCG(1, 0))
	g := make([]float64, n*n)
	for i := range g {
		g[i] = rnd.NormFloat64()
	}
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, (g[i*n+j]+g[j*n+i])/2)
		}
	}
	return a
}

// anchorTol is the tolerance of the inertia benchmarks: a positive one, so
// that InertiaOf factorises A + tol I and A - tol I. 1e-6 is about the
// default relative tolerance of package critical, √ε ≈ 1.5e-8, times the
// spectral norm √(2n) ≈ 63 of the n = 2000 anchor matrix.
const anchorTol = 1e-6

// BenchmarkAnchorInertia times the index and nullity of the 2000×2000 anchor
// matrix; its anchor is numpy.linalg.eigvalsh.
func BenchmarkAnchorInertia(b *testing.B) {
	a := anchorMatrix(2000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hessian.InertiaOf(a, anchorTol); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnchorEigh times the eigenvalues and eigenvectors of the 2000×2000
// anchor matrix; its anchor is numpy.linalg.eigh.
func BenchmarkAnchorEigh(b *testing.B) {
	a := anchorMatrix(2000)
	var v mat.Dense
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hessian.Eigenvectors(&v, a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGonumInertia and BenchmarkGonumEigh time gonum's mat.EigenSym on
// the anchor matrices, for comparison (run with -bench Gonum; the n = 2000
// eigenvectors take about half a minute).
func BenchmarkGonumInertia(b *testing.B) {
	for _, n := range benchSizes {
		a := anchorMatrix(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var es mat.EigenSym
				if !es.Factorize(a, false) {
					b.Fatal("no convergence")
				}
				hessian.CountInertia(es.Values(nil), anchorTol)
			}
		})
	}
}

func BenchmarkGonumEigh(b *testing.B) {
	for _, n := range benchSizes {
		a := anchorMatrix(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var es mat.EigenSym
				if !es.Factorize(a, true) {
					b.Fatal("no convergence")
				}
			}
		})
	}
}

var benchSizes = []int{100, 500, 1000, 2000}

func BenchmarkEigenvalues(b *testing.B) {
	for _, n := range benchSizes {
		a := anchorMatrix(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := hessian.Eigenvalues(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkInertia(b *testing.B) {
	for _, n := range benchSizes {
		a := anchorMatrix(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := hessian.InertiaOf(a, anchorTol); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEigenvectors(b *testing.B) {
	for _, n := range benchSizes {
		a := anchorMatrix(n)
		var v mat.Dense
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := hessian.Eigenvectors(&v, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSpectralNorm times the Lanczos estimate of ||A||₂ to the relative
// accuracy that critical.ClassifyInertia asks for, n ε/√ε = n √ε.
func BenchmarkSpectralNorm(b *testing.B) {
	for _, n := range benchSizes {
		a := anchorMatrix(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := hessian.SpectralNorm(a, float64(n)*0x1p-26); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
