// Package harness is the shared machinery of the experiments command: the
// registry of experiments, presets and their recorded parameters, seeding,
// the parallel task runner, progress reporting and atomic output of tidy CSV
// tables, meta.json and figures.
//
// # Overview
//
// An experiment is an Experiment value: a Name (also the name of its results
// directory), a one-line Summary and a Run function. Run receives an *Env
// that carries the preset, seed, worker count, output directory, MNIST
// directory and a progress reporter. A runner reads like a figure caption:
//
//	func runExample(ctx context.Context, env *harness.Env) error {
//		p := harness.Params(env, examplePresets) // pick by preset, record in meta.json
//		rows, err := harness.Map(ctx, env, "draws", p.Tasks,
//			func(ctx context.Context, i int, rng *rand.Rand) (float64, error) {
//				return rng.NormFloat64(), nil
//			})
//		if err != nil {
//			return err
//		}
//		t := harness.NewTable("task", "value")
//		for i, v := range rows {
//			t.Row(i, v)
//		}
//		return env.WriteCSV("values.csv", t)
//	}
//
// Run (the package function) creates the directory, runs the experiment and
// then writes meta.json: experiment, preset, seed, parameters, toolkit and Go
// version, wall seconds and the files written.
//
// # Invariants
//
// The work of an experiment is a list of independent tasks. Task i of part P
// draws its random numbers only from the stream Stream(seed, experiment, P, i),
// and Map returns results in task order, never completion order. So every
// CSV table and figure is a function of (experiment, preset, seed) alone and is
// byte-identical for any number of workers; only meta.json's wall time
// varies. The same property lets a later shard flag run a subset of the task
// indices on each machine and merge the results.
//
// Every file is written to a temporary name in its directory, synced and
// renamed (WriteFileAtomic), so an interrupted run leaves either the previous
// file or the complete new one, and no temporary file.
//
// Tasks must honour their context: Map cancels it on the first error and when
// the run is interrupted, and returns promptly.
package harness
