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
// varies. The same property lets shards of a run compute disjoint subsets of
// the tasks on different machines and a merge reduce their results.
//
// Every file is written to a temporary name in its directory, synced and
// renamed (WriteFileAtomic), so an interrupted run leaves either the previous
// file or the complete new one, and no temporary file.
//
// Tasks must honour their context: Map cancels it on the first error and when
// the run is interrupted, and returns promptly.
//
// # Sharding
//
// A run can be split over machines, for example the tasks of a Slurm job
// array, without any change to an experiment. Shard i of n (Config.Shard,
// the -shard i/n flag) runs the experiment as usual, but in each part Map
// computes only the tasks t with t mod n = i and appends each result, with
// the wall time of its task, to the shard log
//
//	OUT/NAME/shards/PART.K/i-of-n.log
//
// where K counts earlier calls of Map with the same part name. A part whose
// results all lie in the shard directory is read instead of computed; when
// others are still missing after the shard's own tasks, Map returns an error
// wrapping ErrShardDone and the shard stops there, since the later parts may
// be built from this part's results (finders started from the end points of
// training runs, a race run at the learning rate a search chose). A round
// of runs of every shard thus stores at least one more part, and an
// experiment whose Map calls depend on each other in k stages is complete
// after at most k rounds (Merge says which tasks are missing).
// The first shard run also records the experiment, preset, seed and toolkit
// version in OUT/NAME/shards/run.json, and a shard run of another
// configuration refuses to mix its results with them.
//
// Merge then runs the experiment once more, where Map reads every result
// from the shard logs and computes nothing: the experiment's own reduction
// writes its tables, figures and meta.json, byte-identical to those of an
// unsharded run, since task t still receives Stream(seed, experiment, P, t)
// and the results are stored losslessly: every field, unexported ones
// included, float64 values bit for bit, pointers with their sharing. A result
// may not hold functions, channels or interface values other than errors (an
// error keeps only its message). Map calls of the same part name must come in
// the same order in every run. Work outside Map is repeated by every shard run
// and by the merge; it should be cheap next to the tasks.
//
// A shard log is a sequence of checksummed records appended as tasks
// finish, so a shard killed at any moment leaves the results of its
// finished tasks and at most one torn record. Rerun with Config.Resume (the
// -resume flag), it cuts the torn record off and computes only the tasks
// its logs lack: nothing is lost or computed twice. A task found in several
// logs, as after a change of n, is taken once.
package harness
