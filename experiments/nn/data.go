package nn

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Dataset is a set of labelled images, one image a row of X.
type Dataset struct {
	// X holds the images (N × Height·Width), each row-major.
	X *mat.Dense
	// Labels holds the class of each image.
	Labels []int
	// Height and Width are the image sizes in pixels.
	Height, Width int
}

// Len returns the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// Downsample returns the dataset with every image resampled to h × w
// pixels by area-weighted averaging (see Downsample).
func (d *Dataset) Downsample(h, w int) *Dataset {
	n := d.Len()
	out := mat.NewDense(n, h*w, nil)
	rs := newResampler(d.Height, d.Width, h, w)
	src := rowMajor(d.X)
	dst := out.RawMatrix().Data
	for i := range n {
		rs.apply(dst[i*h*w:(i+1)*h*w], src[i*d.Height*d.Width:(i+1)*d.Height*d.Width])
	}
	return &Dataset{X: out, Labels: slices.Clone(d.Labels), Height: h, Width: w}
}

// Downsample stores in dst (oh·ow) the image src (h·w, row-major)
// resampled by area-weighted averaging: output pixel (I, J) covers the
// rectangle [I h/oh, (I+1) h/oh) × [J w/ow, (J+1) w/ow) of the input, and
// its value is the mean of the input over that rectangle, every input
// pixel weighted by the area of its overlap:
//
//	dst[I,J] = (oh·ow / (h·w)) Σ_{i,j} |row i ∩ row I| |col j ∩ col J| src[i,j],
//
// the overlaps measured in input pixels. When oh divides h and ow divides
// w this is the plain mean over blocks (28×28 → 14×14, 7×7, 4×4); 28×28 →
// 10×10 mixes pixels at the block edges. Constant images stay constant and
// the total intensity scales by the ratio of the areas, oh·ow/(h·w). The
// overlaps are whole multiples of 1/(oh·ow), so the weights are exact in
// floating point.
func Downsample(dst, src []float64, h, w, oh, ow int) {
	if len(src) != h*w || len(dst) != oh*ow {
		panic(fmt.Sprintf("nn: downsample %d pixels as %d×%d into %d pixels as %d×%d", len(src), h, w, len(dst), oh, ow))
	}
	newResampler(h, w, oh, ow).apply(dst, src)
}

// resampler holds the overlap weights of both axes.
type resampler struct {
	h, w, oh, ow int
	rows, cols   [][]overlap // by output index
	tmp          []float64
}

// overlap is the length of the overlap of input pixel i with an output
// pixel, in units of 1/m of an input pixel for m outputs.
type overlap struct {
	i, len int
}

func newResampler(h, w, oh, ow int) *resampler {
	if h <= 0 || w <= 0 || oh <= 0 || ow <= 0 {
		panic(fmt.Sprintf("nn: invalid resampling %d×%d → %d×%d", h, w, oh, ow))
	}
	return &resampler{h: h, w: w, oh: oh, ow: ow, rows: overlaps(h, oh), cols: overlaps(w, ow), tmp: make([]float64, oh*w)}
}

// overlaps returns, for each of m output pixels over n input pixels, the
// input pixels it overlaps and the lengths of the overlaps on a grid of
// n·m units: input pixel i covers [i m, (i+1) m), output pixel k covers
// [k n, (k+1) n).
func overlaps(n, m int) [][]overlap {
	out := make([][]overlap, m)
	for k := range m {
		lo, hi := k*n, (k+1)*n
		for i := lo / m; i*m < hi; i++ {
			if l := min(hi, (i+1)*m) - max(lo, i*m); l > 0 {
				out[k] = append(out[k], overlap{i, l})
			}
		}
	}
	return out
}

func (r *resampler) apply(dst, src []float64) {
	// Rows, then columns; each output pixel spans h·w units of area.
	for k, ov := range r.rows {
		t := r.tmp[k*r.w : (k+1)*r.w]
		clear(t)
		for _, o := range ov {
			wt := float64(o.len)
			for j, v := range src[o.i*r.w : (o.i+1)*r.w] {
				t[j] += wt * v
			}
		}
	}
	area := float64(r.h) * float64(r.w)
	for k := range r.oh {
		t := r.tmp[k*r.w : (k+1)*r.w]
		for c, ov := range r.cols {
			var s float64
			for _, o := range ov {
				s += float64(o.len) * t[o.i]
			}
			dst[k*r.ow+c] = s / area
		}
	}
}

// Subset returns n of the images, chosen at random but stratified by
// class: class c contributes ⌊n N_c/N⌋ images, and the images left over
// go one each to the classes with the largest remainders of n N_c/N (ties
// to the lower class). Within a class the images are a uniform random
// choice from rand.NewPCG(seed, ·); the subset keeps the order of d. It
// panics unless 0 < n ≤ N.
func (d *Dataset) Subset(n int, seed uint64) *Dataset {
	total := d.Len()
	if n <= 0 || n > total {
		panic(fmt.Sprintf("nn: subset of %d from %d images", n, total))
	}
	byClass := make(map[int][]int)
	for i, l := range d.Labels {
		byClass[l] = append(byClass[l], i)
	}
	classes := slices.Sorted(maps.Keys(byClass))
	quota := make(map[int]int, len(classes))
	type rem struct{ class, num int } // remainder num / total
	rems := make([]rem, 0, len(classes))
	left := n
	for _, c := range classes {
		q := n * len(byClass[c])
		quota[c] = q / total
		left -= q / total
		rems = append(rems, rem{c, q % total})
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return b.num - a.num })
	for _, r := range rems[:left] {
		quota[r.class]++
	}
	rng := rand.New(rand.NewPCG(seed, streamSubset))
	var idx []int
	for _, c := range classes {
		members := slices.Clone(byClass[c])
		rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		idx = append(idx, members[:quota[c]]...)
	}
	slices.Sort(idx)
	cols := d.Height * d.Width
	x := mat.NewDense(n, cols, nil)
	labels := make([]int, n)
	for r, i := range idx {
		x.SetRow(r, d.X.RawRowView(i))
		labels[r] = d.Labels[i]
	}
	return &Dataset{X: x, Labels: labels, Height: d.Height, Width: d.Width}
}

// OneHot returns the N × classes matrix whose row i is the unit vector
// e_{labels[i]}: the targets of a CrossEntropy (or MSE) classifier. It
// panics on a label outside [0, classes).
func OneHot(labels []int, classes int) *mat.Dense {
	if len(labels) == 0 || classes <= 0 {
		panic(fmt.Sprintf("nn: one-hot of %d labels in %d classes", len(labels), classes))
	}
	y := mat.NewDense(len(labels), classes, nil)
	for i, l := range labels {
		if l < 0 || l >= classes {
			panic(fmt.Sprintf("nn: label %d out of range [0, %d)", l, classes))
		}
		y.Set(i, l, 1)
	}
	return y
}

// ZScore is a per-feature standardisation x ↦ (x − Mean)/Std.
type ZScore struct {
	Mean, Std []float64
}

// FitZScore returns the standardisation of the columns of x (for
// instance the training set): their means and standard deviations
// (normalised by N). A constant column gets Std 1, so it is only centred.
func FitZScore(x *mat.Dense) ZScore {
	n, k := x.Dims()
	if n == 0 {
		panic("nn: z-score of no samples")
	}
	z := ZScore{Mean: make([]float64, k), Std: make([]float64, k)}
	for j := range k {
		var m float64
		for i := range n {
			m += x.At(i, j)
		}
		m /= float64(n)
		var ss float64
		for i := range n {
			d := x.At(i, j) - m
			ss += d * d
		}
		z.Mean[j] = m
		z.Std[j] = math.Sqrt(ss / float64(n))
		if z.Std[j] == 0 {
			z.Std[j] = 1
		}
	}
	return z
}

// Transform stores (x − Mean)/Std, column by column, in dst. dst may be
// x; an empty dst is allocated.
func (z ZScore) Transform(dst, x *mat.Dense) {
	n, k := x.Dims()
	if k != len(z.Mean) {
		panic(fmt.Sprintf("nn: z-score of %d features applied to %d", len(z.Mean), k))
	}
	if dst.IsEmpty() {
		dst.ReuseAs(n, k)
	}
	if r, c := dst.Dims(); r != n || c != k {
		panic(fmt.Sprintf("nn: destination is %d×%d, want %d×%d", r, c, n, k))
	}
	for i := range n {
		for j := range k {
			dst.Set(i, j, (x.At(i, j)-z.Mean[j])/z.Std[j])
		}
	}
}
