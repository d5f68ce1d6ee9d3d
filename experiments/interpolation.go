package main

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/critpoint/critpoint/critical"
	"github.com/critpoint/critpoint/experiments/internal/harness"
	"github.com/critpoint/critpoint/experiments/internal/plotx"
	"github.com/critpoint/critpoint/experiments/nn"
	"github.com/critpoint/critpoint/hessian"
	"github.com/critpoint/critpoint/optimizers"
)

// The interpolation experiment follows the loss along the straight line from
// a network's initial parameters to the trained ones,
//
//	J(θ(a)),  θ(a) = (1 − a) θ_init + a θ_final,  a ∈ [−0.25, 1.25],
//
// as Goodfellow, Vinyals & Saxe (Qualitatively characterizing neural network
// optimization problems, ICLR 2015) did: for small networks they found the
// curve smooth and nearly monotone on [0, 1], with no barrier between the
// initialisation and the solution. The networks are a tanh MLP 100-10-10
// with softmax cross-entropy on 1000 MNIST images downsampled to 10×10
// (Adam on minibatches; the test loss is drawn too), and two deep linear
// networks on the task of the deep-linear experiment (Saxe et al. 2013),
// trained by gradient descent: one hidden layer from a small random start
// near the saddle at the origin, and four layers from a random orthogonal
// start. Along the line the experiment measures the largest rise of the
// loss on [0, 1] (the monotonicity violation: max over a < b of
// J(θ(b)) − J(θ(a))) and classifies the exact Hessian at points of the
// line (critical.Classify with its default relative tolerance), giving the
// index fraction: the share of directions of negative curvature.
//
// Outputs ("case" is mlp-mnist (mlp-teacher in the quick preset),
// linear-small or linear-orthogonal-4; "split" is train or test):
//
//	line.csv     case, alpha, split, loss, loss_limit (linear-small only:
//	             ½(1 − a²)² Σ s², the line's loss in the limit θ_init → 0)
//	hessian.csv  case, alpha, params, loss, grad_norm, min_eigenvalue,
//	             max_eigenvalue, index, nullity, index_fraction, tol (default
//	             relative tolerance), and index_loose, nullity_loose,
//	             index_fraction_loose, tol_loose (tolerance 1e-3 ‖H‖₂)
//	summary.csv  case, split, params, loss_init, loss_final, loss_line_0,
//	             loss_line_1, loss_min_extended (lowest loss on the whole line),
//	             loss_at_minus, loss_at_plus (at a = −0.25 and 1.25), max_rise,
//	             max_rise_relative (max_rise / (J(0) − J(1))), rise_from,
//	             rise_to (where the largest rise starts and ends), error_init,
//	             error_final (classification error; empty for the linear nets)
//
// Presets: quick replaces MNIST by a teacher network's labels on Gaussian
// inputs (16-8-10, 200 samples) and takes about a CPU-second; default
// takes about 8 CPU-seconds (loading MNIST, training, 13 Hessians of the
// 1120-parameter MLP); full uses 3000 training images, a 100-20-10
// network (2230 parameters) and 25 Hessians per case, about 2 CPU-minutes.
func init() {
	registry.Add(harness.Experiment{
		Name:    "interpolation",
		Summary: "Goodfellow et al. 2015: loss and Hessian index along the line from initial to trained weights",
		Run:     runInterpolation,
	})
}

// interpolationParams are the sizes of the interpolation experiment.
type interpolationParams struct {
	// The line is sampled at a = i/PointsPerUnit for a in
	// [−Extend, 1 + Extend]; the Hessian is classified at every
	// HessianEvery-th of those points.
	Extend        float64 `json:"extend"`
	PointsPerUnit int     `json:"points_per_unit"`
	HessianEvery  int     `json:"hessian_every"`

	// Data is "mnist" (images downsampled to Image×Image) or "teacher"
	// (Inputs Gaussian inputs labelled by the arg max of a random tanh
	// teacher network with the student's architecture).
	Data   string `json:"data"`
	Image  int    `json:"image"`
	Inputs int    `json:"inputs"`
	// Hidden is the width of the MLP's tanh hidden layer; TrainSamples and
	// TestSamples are the sizes of its stratified training and test sets.
	Hidden       int `json:"hidden"`
	TrainSamples int `json:"train_samples"`
	TestSamples  int `json:"test_samples"`
	// The MLP is trained by Adam with LearningRate on minibatches of
	// BatchSize for Steps steps from a Glorot-normal start.
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	Steps        int     `json:"steps"`

	// The deep linear networks (width 8, the 8-input task with singular
	// values LinearSingular) are trained by gradient descent on
	// nn.HalfSum for LinearIterations steps: the one-hidden-layer net from
	// N(0, 2·LinearU0/8) weights at rate LinearRate, the OrthogonalDepth-
	// layer one from random orthogonal layers at rate 2·LinearRate/depth.
	LinearSingular   []float64 `json:"linear_singular_values"`
	LinearU0         float64   `json:"linear_u0"`
	LinearRate       float64   `json:"linear_rate"`
	LinearIterations int       `json:"linear_iterations"`
	OrthogonalDepth  int       `json:"orthogonal_depth"`
}

var interpolationPresets = harness.Presets[interpolationParams]{
	Quick: interpolationParams{
		Extend: 0.25, PointsPerUnit: 20, HessianEvery: 5,
		Data: "teacher", Inputs: 16, Hidden: 8, TrainSamples: 200, TestSamples: 200,
		BatchSize: 50, LearningRate: 1e-2, Steps: 400,
		LinearSingular: []float64{3, 2, 1, 0.5}, LinearU0: 1e-3, LinearRate: 2e-3, LinearIterations: 5000,
		OrthogonalDepth: 4,
	},
	Default: interpolationParams{
		Extend: 0.25, PointsPerUnit: 40, HessianEvery: 5,
		Data: "mnist", Image: 10, Hidden: 10, TrainSamples: 1000, TestSamples: 1000,
		BatchSize: 100, LearningRate: 1e-2, Steps: 2000,
		LinearSingular: []float64{3, 2, 1, 0.5}, LinearU0: 1e-6, LinearRate: 1e-3, LinearIterations: 20000,
		OrthogonalDepth: 4,
	},
	Full: interpolationParams{
		Extend: 0.25, PointsPerUnit: 80, HessianEvery: 5,
		Data: "mnist", Image: 10, Hidden: 20, TrainSamples: 3000, TestSamples: 2000,
		BatchSize: 100, LearningRate: 1e-2, Steps: 6000,
		LinearSingular: []float64{3, 2, 1, 0.5}, LinearU0: 1e-6, LinearRate: 1e-3, LinearIterations: 20000,
		OrthogonalDepth: 4,
	},
}

// interpCase is one network whose training run is interpolated.
type interpCase struct {
	name  string
	title string
	train hessian.Problem
	test  hessian.Problem // nil without a test set
	x0    []float64
	// fit trains from x0 and returns the trained parameters.
	fit func(ctx context.Context) ([]float64, error)
	// errorRate returns the training and test classification errors, nil
	// for a regression.
	errorRate func(w []float64) (train, test any)
	// limit, when not nil, is the training loss along the line in the
	// limit θ_init → 0, described by limitLabel.
	limit      func(a float64) float64
	limitLabel string
}

func runInterpolation(ctx context.Context, env *harness.Env) error {
	p := harness.Params(env, interpolationPresets)
	mlp, err := interpMLPCase(env, p)
	if err != nil {
		return err
	}
	cases := append([]interpCase{mlp}, interpLinearCases(env, p)...)
	finals, err := harness.Map(ctx, env, "train", len(cases), func(ctx context.Context, i int, _ *rand.Rand) ([]float64, error) {
		return cases[i].fit(ctx)
	})
	if err != nil {
		return err
	}

	// The line, with a = 0 and a = 1 on the grid exactly.
	lo := -int(math.Round(p.Extend * float64(p.PointsPerUnit)))
	hi := p.PointsPerUnit - lo
	var alphas []float64
	for i := lo; i <= hi; i++ {
		alphas = append(alphas, float64(i)/float64(p.PointsPerUnit))
	}
	point := func(c int, a float64) []float64 {
		x := make([]float64, len(cases[c].x0))
		for j, v := range cases[c].x0 {
			x[j] = (1-a)*v + a*finals[c][j]
		}
		return x
	}

	type hessJob struct{ c, i int }
	var jobs []hessJob
	for c := range cases {
		for i := 0; i < len(alphas); i += p.HessianEvery {
			jobs = append(jobs, hessJob{c, i})
		}
	}
	type hessResult struct {
		cl, loose critical.Classification
		gradNorm  float64
	}
	classes, err := harness.Map(ctx, env, "hessian", len(jobs), func(ctx context.Context, j int, _ *rand.Rand) (hessResult, error) {
		c, x := cases[jobs[j].c], point(jobs[j].c, alphas[jobs[j].i])
		var h mat.SymDense
		if err := hessian.Exact(&h, c.train, x); err != nil {
			return hessResult{}, err
		}
		cl, err := critical.Classify(&h, 0)
		if err != nil {
			return hessResult{}, err
		}
		loose, err := critical.ClassifyEigenvalues(cl.Eigenvalues, interpLooseRelTol*max(-cl.MinEigenvalue, cl.MaxEigenvalue))
		if err != nil {
			return hessResult{}, err
		}
		cl.Eigenvalues, loose.Eigenvalues = nil, nil
		g := make([]float64, len(x))
		c.train.Grad(g, x)
		return hessResult{cl: cl, loose: loose, gradNorm: floats.Norm(g, 2)}, nil
	})
	if err != nil {
		return err
	}

	line := harness.NewTable("case", "alpha", "split", "loss", "loss_limit")
	hess := harness.NewTable("case", "alpha", "params", "loss", "grad_norm", "min_eigenvalue", "max_eigenvalue",
		"index", "nullity", "index_fraction", "tol", "index_loose", "nullity_loose", "index_fraction_loose", "tol_loose")
	summary := harness.NewTable("case", "split", "params", "loss_init", "loss_final", "loss_line_0", "loss_line_1",
		"loss_min_extended", "loss_at_minus", "loss_at_plus", "max_rise", "max_rise_relative", "rise_from", "rise_to", "error_init", "error_final")
	var cols [][]*plot.Plot
	for c, cs := range cases {
		splits := []struct {
			name string
			p    hessian.Problem
		}{{"train", cs.train}}
		if cs.test.Func != nil {
			splits = append(splits, struct {
				name string
				p    hessian.Problem
			}{"test", cs.test})
		}
		lossPlot := plotx.New(cs.title, "interpolation a: θ = (1 − a) θ_init + a θ_final", "loss J(θ)")
		var rises []string
		for _, sp := range splits {
			loss := make([]float64, len(alphas))
			for i, a := range alphas {
				loss[i] = sp.p.Func(point(c, a))
				var lim any
				if cs.limit != nil && sp.name == "train" {
					lim = cs.limit(a)
				}
				line.Row(cs.name, a, sp.name, loss[i], lim)
			}
			i0, i1 := slices.Index(alphas, 0), slices.Index(alphas, 1)
			rise, from, to := interpMaxRise(loss[i0 : i1+1])
			drop := loss[i0] - loss[i1]
			var eInit, eFinal any
			if cs.errorRate != nil {
				tr0, te0 := cs.errorRate(cs.x0)
				tr1, te1 := cs.errorRate(finals[c])
				eInit, eFinal = tr0, tr1
				if sp.name == "test" {
					eInit, eFinal = te0, te1
				}
			}
			summary.Row(cs.name, sp.name, len(cs.x0), sp.p.Func(cs.x0), sp.p.Func(finals[c]), loss[i0], loss[i1],
				slices.Min(loss), loss[0], loss[len(loss)-1], rise, rise/drop, alphas[i0+from], alphas[i0+to], eInit, eFinal)
			env.Logf("%s (%s): J(init) %.4g, J(final) %.4g, largest rise on [0,1] %.3g (%.2g of the drop)", cs.name, sp.name, loss[i0], loss[i1], rise, rise/drop)
			rises = append(rises, fmt.Sprintf("%s %.2g", sp.name, rise/drop))
			style := draw.LineStyle{Color: plotx.Blue, Width: vg.Points(1.5)}
			if sp.name == "test" {
				style = draw.LineStyle{Color: plotx.Vermillion, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
			}
			label := ""
			if len(splits) > 1 || cs.limit != nil {
				label = sp.name + " loss"
			}
			if err := plotx.Line(lossPlot, label, interpXY(alphas, loss), style); err != nil {
				return err
			}
		}
		lossPlot.Title.Text += "\nlargest rise on [0, 1] / (J(0) − J(1)): " + strings.Join(rises, ", ")
		if cs.limit != nil {
			ref := draw.LineStyle{Color: plotx.Black, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
			if err := plotx.Function(lossPlot, cs.limitLabel, cs.limit, alphas[0], alphas[len(alphas)-1], 200, ref); err != nil {
				return err
			}
		}
		idxPlot := plotx.New("Hessian along the line", "interpolation a", "index fraction (negative eigenvalues / parameters)")
		var idx, idxLoose plotter.XYs
		for j, job := range jobs {
			if job.c != c {
				continue
			}
			r := classes[j]
			a := alphas[job.i]
			hess.Row(cs.name, a, len(cs.x0), cs.train.Func(point(c, a)), r.gradNorm, r.cl.MinEigenvalue, r.cl.MaxEigenvalue,
				r.cl.Index, r.cl.Nullity, r.cl.IndexFraction, r.cl.Tol, r.loose.Index, r.loose.Nullity, r.loose.IndexFraction, r.loose.Tol)
			idx = append(idx, plotter.XY{X: a, Y: r.cl.IndexFraction})
			idxLoose = append(idxLoose, plotter.XY{X: a, Y: r.loose.IndexFraction})
		}
		for k, s := range []struct {
			label string
			xys   plotter.XYs
			c     color.Color
		}{
			{fmt.Sprintf("λ < −%.1g‖H‖ (default)", critical.DefaultRelTol), idx, plotx.Black},
			{fmt.Sprintf("λ < −%g‖H‖", interpLooseRelTol), idxLoose, plotx.BluishGreen},
		} {
			style := draw.LineStyle{Color: s.c, Width: vg.Points(1)}
			if k == 1 {
				style.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			if err := plotx.Line(idxPlot, s.label, s.xys, style); err != nil {
				return err
			}
			if err := plotx.Points(idxPlot, "", s.xys, s.c, nil); err != nil {
				return err
			}
		}
		for _, pl := range []*plot.Plot{lossPlot, idxPlot} {
			plotx.SetFontSize(pl, 10)
			interpMarkEnds(pl)
			pl.X.Tick.Marker = interpTicks
		}
		idxPlot.Y.Min = 0
		idxPlot.Legend.Top, idxPlot.Legend.Left = false, true
		cols = append(cols, []*plot.Plot{lossPlot, idxPlot})
	}
	for _, f := range []struct {
		name string
		t    *harness.Table
	}{{"line.csv", line}, {"hessian.csv", hess}, {"summary.csv", summary}} {
		if err := env.WriteCSV(f.name, f.t); err != nil {
			return err
		}
	}
	rows := [][]*plot.Plot{make([]*plot.Plot, len(cols)), make([]*plot.Plot, len(cols))}
	for c, col := range cols {
		rows[0][c], rows[1][c] = col[0], col[1]
	}
	return env.WritePlots("interpolation", vg.Length(len(cols))*12*vg.Centimeter, 20*vg.Centimeter, rows)
}

// interpLooseRelTol is the relative tolerance of the second, loose index
// along the line: eigenvalues below −interpLooseRelTol·‖H‖₂ count as
// negative. Near a trained point of a network with a degenerate minimum
// (a manifold of solutions) many eigenvalues are tiny and of either sign,
// and the default tolerance counts those too.
const interpLooseRelTol = 1e-3

// interpMaxRise returns the largest rise of the sequence f, max over i < j
// of f[j] − f[i] (zero when f never increases), and where it starts and
// ends.
func interpMaxRise(f []float64) (rise float64, from, to int) {
	low := 0
	for j := range f {
		if f[j] < f[low] {
			low = j
		}
		if d := f[j] - f[low]; d > rise {
			rise, from, to = d, low, j
		}
	}
	return rise, from, to
}

// interpMarkEnds draws dotted vertical lines at a = 0 (initial parameters)
// and a = 1 (trained parameters) across the data range of p.
func interpMarkEnds(p *plot.Plot) {
	p.Add(interpVLine{x: 0}, interpVLine{x: 1})
}

// interpTicks label the interpolation axis, with the two ends of training.
var interpTicks = plot.ConstantTicks{
	{Value: -0.25, Label: "-0.25"}, {Value: 0, Label: "0 (init)"}, {Value: 0.25, Label: "0.25"},
	{Value: 0.5, Label: "0.5"}, {Value: 0.75, Label: "0.75"}, {Value: 1, Label: "1 (trained)"}, {Value: 1.25, Label: "1.25"},
}

// interpVLine is a vertical dotted line at x over the whole height of a
// plot.
type interpVLine struct{ x float64 }

func (v interpVLine) Plot(c draw.Canvas, p *plot.Plot) {
	x := p.X.Norm(v.x)*float64(c.Max.X-c.Min.X) + float64(c.Min.X)
	c.StrokeLine2(draw.LineStyle{Color: plotx.Black, Width: vg.Points(0.6), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}},
		vg.Length(x), c.Min.Y, vg.Length(x), c.Max.Y)
}

// interpXY pairs x and y.
func interpXY(x, y []float64) plotter.XYs {
	xys := make(plotter.XYs, len(x))
	for i := range x {
		xys[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return xys
}

// interpMLPCase returns the MLP case: its data, starting point and training.
func interpMLPCase(env *harness.Env, p interpolationParams) (interpCase, error) {
	var (
		xTr, xTe  *mat.Dense
		labTr     []int
		labTe     []int
		in, title string
		dataSeed  = env.RNG("data", 0).Uint64()
		inputs    int
	)
	switch p.Data {
	case "mnist":
		dir, err := env.MNISTDir()
		if err != nil {
			return interpCase{}, err
		}
		train, test, err := nn.LoadMNIST(&nn.MNISTSettings{Dir: dir, Height: p.Image, Width: p.Image})
		if err != nil {
			return interpCase{}, err
		}
		tr, te := train.Subset(p.TrainSamples, dataSeed), test.Subset(p.TestSamples, dataSeed)
		xTr, labTr, xTe, labTe = tr.X, tr.Labels, te.X, te.Labels
		inputs = p.Image * p.Image
		in = "mlp-mnist"
		title = fmt.Sprintf("MLP %d-%d-10 tanh, MNIST %d×%d, %d images", inputs, p.Hidden, p.Image, p.Image, p.TrainSamples)
	case "teacher":
		inputs = p.Inputs
		teacher := nn.MLP{Sizes: []int{inputs, p.Hidden, 10}}
		x, y, _ := nn.TeacherStudent(teacher, p.TrainSamples+p.TestSamples, 0, dataSeed)
		labels := make([]int, x.RawMatrix().Rows)
		for i := range labels {
			labels[i] = interpArgMax(y.RawRowView(i))
		}
		xTr = mat.DenseCopyOf(x.Slice(0, p.TrainSamples, 0, inputs))
		xTe = mat.DenseCopyOf(x.Slice(p.TrainSamples, p.TrainSamples+p.TestSamples, 0, inputs))
		labTr, labTe = labels[:p.TrainSamples], labels[p.TrainSamples:]
		in = "mlp-teacher"
		title = fmt.Sprintf("MLP %d-%d-10 tanh, teacher labels, %d samples", inputs, p.Hidden, p.TrainSamples)
	default:
		panic(fmt.Sprintf("interpolation: unknown data %q", p.Data))
	}
	m := nn.MLP{Sizes: []int{inputs, p.Hidden, 10}, Loss: nn.CrossEntropy}
	trNet := nn.NewNet(m, xTr, nn.OneHot(labTr, 10))
	teNet := nn.NewNet(m, xTe, nn.OneHot(labTe, 10))
	x0 := m.Init(nil, nn.GlorotNormal, 1, env.RNG("init", 0).Uint64())
	batchSeed := env.RNG("batches", 0).Uint64()
	return interpCase{
		name: in, title: title, train: trNet.Problem(), test: teNet.Problem(), x0: x0,
		fit: func(ctx context.Context) ([]float64, error) {
			res, err := optimizers.Minimize(trNet.Problem(), x0, &optimizers.Adam{LearningRate: p.LearningRate}, &optimizers.Settings{
				MaxIterations:     p.Steps,
				GradientThreshold: -1,
				Sampler:           optimizers.Minibatch(trNet, p.BatchSize, batchSeed),
				MonitorInterval:   p.Steps,
				Recorder:          interpStopper(ctx),
			})
			return res.X, err
		},
		errorRate: func(w []float64) (any, any) {
			return m.ClassificationError(w, xTr, labTr), m.ClassificationError(w, xTe, labTe)
		},
	}, nil
}

// interpLinearCases returns the deep linear cases.
func interpLinearCases(env *harness.Env, p interpolationParams) []interpCase {
	const width = 8
	task := nn.NewSaxeTask(width, width, p.LinearSingular, env.RNG("task", 0).Uint64())
	var cases []interpCase
	for _, depth := range []int{2, p.OrthogonalDepth} {
		sizes := []int{width}
		for range depth {
			sizes = append(sizes, width)
		}
		net := nn.DeepLinear{Sizes: sizes, Norm: nn.HalfSum}
		pr := nn.NewLinearNet(net, task.X, task.Y).Problem()
		var (
			x0          []float64
			lr          float64
			name, title string
		)
		seed := env.RNG("linear-init", depth).Uint64()
		if depth == 2 {
			x0 = net.Init(nil, nn.Gaussian, math.Sqrt(2*p.LinearU0/width), seed)
			lr = p.LinearRate
			name = "linear-small"
			title = fmt.Sprintf("Deep linear 8-8-8, small random start (u₀ ≈ %g)", p.LinearU0)
		} else {
			x0 = net.Init(nil, nn.Orthogonal, 1, seed)
			lr = 2 * p.LinearRate / float64(depth)
			name = fmt.Sprintf("linear-orthogonal-%d", depth)
			title = fmt.Sprintf("Deep linear, %d layers of width 8, orthogonal start", depth)
		}
		c := interpCase{
			name: name, title: title, train: pr, x0: x0,
			fit: func(ctx context.Context) ([]float64, error) {
				res, err := optimizers.Minimize(pr, x0, &optimizers.SGD{LearningRate: lr}, &optimizers.Settings{
					MaxIterations:     p.LinearIterations,
					GradientThreshold: -1,
					Recorder:          interpStopper(ctx),
				})
				return res.X, err
			},
		}
		if depth == 2 {
			// With θ_init → 0 and θ_final at the solution W32 W21 = Σ31,
			// W(a) = a² Σ31 and J = ½ ‖Σ31 − a² Σ31‖².
			var sum float64
			for _, s := range p.LinearSingular {
				sum += s * s
			}
			c.limit = func(a float64) float64 { return 0.5 * (1 - a*a) * (1 - a*a) * sum }
			c.limitLabel = "½(1 − a²)² Σ s² (θ_init → 0)"
		}
		cases = append(cases, c)
	}
	return cases
}

// interpStopper is a recorder that stops a minimisation when ctx is done.
func interpStopper(ctx context.Context) optimizers.Recorder {
	return optimizers.RecorderFunc(func(it optimizers.Iterate) error {
		if it.K%100 == 0 {
			return ctx.Err()
		}
		return nil
	})
}

// interpArgMax returns the index of the largest entry of v, the first on
// ties.
func interpArgMax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
