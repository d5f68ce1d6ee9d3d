package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/critpoint/critpoint/experiments/internal/harness"
)

// registry holds every experiment; each experiment's file adds itself in an
// init function.
var registry harness.Registry

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitIncomplete  = 3 // merge: some shard results are missing
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling so that a
		// second one stops the process at once.
		<-ctx.Done()
		stop()
	}()
	progress := harness.NewProgress(os.Stderr, harness.IsTerminal(os.Stderr))
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, progress))
}

const usage = `Usage:
  experiments list                      name every experiment
  experiments run [flags] NAME...       run the named experiments
  experiments all [flags]               run every experiment
  experiments merge [flags] [NAME...]   merge the shard files under -out (of
                                        every experiment that has some, when
                                        no name is given)

A run split over machines: each runs "run -shard i/n -resume ..." for i = 0..n-1,
which computes the tasks i, i+n, i+2n, ... of each part into OUT/NAME/shards;
merge then writes the results, byte-identical to an unsharded run. Merge exits
with status 3 when tasks are missing: rerun the shards with -resume (experiments
whose parts build on each other need one round of shard runs per part).

Flags:
`

// run executes the command line args and returns the exit status. Listings
// go to stdout; usage, errors and progress to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, progress *harness.Progress) int {
	fs := flag.NewFlagSet("experiments", flag.ContinueOnError)
	fs.SetOutput(stderr)
	preset := fs.String("preset", string(harness.Default), "size of the run: quick, default or full")
	seed := fs.Uint64("seed", 1, "seed of every random draw")
	workers := fs.Int("workers", 0, "worker goroutines; 0 means GOMAXPROCS")
	out := fs.String("out", "results", "results root directory")
	mnist := fs.String("mnist", "", "directory of the MNIST IDX files; empty means the GoMNIST module's own")
	shardFlag := fs.String("shard", "", "run only shard `i/n`: the tasks i, i+n, i+2n, ... of each part, stored under OUT/NAME/shards")
	resume := fs.Bool("resume", false, "with -shard: continue the shard files of an earlier run, computing only the missing tasks")
	keep := fs.Bool("keep", false, "merge: keep the shard files, which a merge of every named experiment removes when it succeeds")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "experiments: "+format+"\n", a...)
		fs.Usage()
		return exitUsage
	}

	if len(args) == 0 {
		return usageError("no command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fs.Usage()
		return exitOK
	case "list", "run", "all", "merge":
	default:
		return usageError("unknown command %q", cmd)
	}

	// Parse flags interleaved with names.
	var names []string
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage // the flag package has printed the error and usage
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		rest = fs.Args()[1:]
	}

	var exps []harness.Experiment
	switch cmd {
	case "list":
		if len(names) > 0 {
			return usageError("list takes no names")
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, e := range registry.All() {
			fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Summary)
		}
		tw.Flush()
		return exitOK
	case "all":
		if len(names) > 0 {
			return usageError("all takes no names")
		}
		exps = registry.All()
	case "run", "merge":
		if len(names) == 0 && cmd == "run" {
			return usageError("run needs at least one experiment name")
		}
		for _, n := range names {
			e, ok := registry.Lookup(n)
			if !ok {
				return usageError("unknown experiment %q (see: experiments list)", n)
			}
			exps = append(exps, e)
		}
	}

	p, err := harness.ParsePreset(*preset)
	if err != nil {
		return usageError("unknown preset %q (want quick, default or full)", *preset)
	}
	if *workers < 0 {
		return usageError("negative -workers %d", *workers)
	}
	cfg := harness.Config{Preset: p, Seed: *seed, Workers: *workers, Out: *out, MNIST: *mnist, Progress: progress, Resume: *resume}
	if *shardFlag != "" {
		if cfg.Shard, err = harness.ParseShard(*shardFlag); err != nil {
			return usageError("invalid -shard %q (want i/n with 0 <= i < n)", *shardFlag)
		}
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case cmd == "merge" && (set["shard"] || set["resume"]):
		return usageError("merge takes no -shard or -resume")
	case cmd != "merge" && set["keep"]:
		return usageError("-keep applies to merge only")
	case cmd != "merge" && *resume && *shardFlag == "":
		return usageError("-resume needs -shard")
	}

	if cmd == "merge" {
		return merge(ctx, exps, cfg, set, *keep, stderr, progress)
	}
	status := exitOK
	for _, e := range exps {
		start := time.Now()
		err := harness.Run(ctx, e, cfg)
		took := time.Since(start).Round(100 * time.Millisecond)
		switch {
		case ctx.Err() != nil:
			fmt.Fprintf(stderr, "experiments: %s: interrupted\n", e.Name)
			return exitInterrupted
		case errors.Is(err, harness.ErrShardDone):
			progress.Logf("%s: shard %v stored its tasks in %v; %s", e.Name, cfg.Shard, took,
				strings.TrimPrefix(oneLine(err), harness.ErrShardDone.Error()+": "))
		case err != nil:
			fmt.Fprintf(stderr, "experiments: %s: %s\n", e.Name, oneLine(err))
			status = exitFailure
		case cfg.Shard.Count > 0:
			progress.Logf("%s: shard %v done in %v, every part stored; merge writes the results", e.Name, cfg.Shard, took)
		default:
			progress.Logf("%s: done in %v, results in %s", e.Name, took, cfg.Out+"/"+e.Name)
		}
	}
	return status
}

// merge merges the shard files of exps, or of every experiment that has
// some when exps is empty. A -preset or -seed given explicitly must be
// that of the shard files. When every merge succeeds it removes the shard
// files unless keep is set; otherwise it keeps them all, so that the shards
// of a sweep can be rerun with -resume and merged again.
func merge(ctx context.Context, exps []harness.Experiment, cfg harness.Config, set map[string]bool, keep bool, stderr io.Writer, progress *harness.Progress) int {
	if len(exps) == 0 {
		for _, e := range registry.All() {
			if _, _, err := harness.ShardConfig(cfg.Out, e.Name); err == nil {
				exps = append(exps, e)
			}
		}
		if len(exps) == 0 {
			fmt.Fprintf(stderr, "experiments: no shard files under %s\n", cfg.Out)
			return exitFailure
		}
	}
	status := exitOK
	for _, e := range exps {
		start := time.Now()
		preset, seed, err := harness.ShardConfig(cfg.Out, e.Name)
		switch {
		case err != nil:
		case set["preset"] && preset != cfg.Preset:
			err = fmt.Errorf("the shard files are of preset %s, not %s", preset, cfg.Preset)
		case set["seed"] && seed != cfg.Seed:
			err = fmt.Errorf("the shard files are of seed %d, not %d", seed, cfg.Seed)
		default:
			err = harness.Merge(ctx, e, cfg)
		}
		switch {
		case ctx.Err() != nil:
			fmt.Fprintf(stderr, "experiments: %s: interrupted\n", e.Name)
			return exitInterrupted
		case errors.Is(err, harness.ErrIncomplete):
			fmt.Fprintf(stderr, "experiments: %s: %s\n", e.Name, oneLine(err))
			if status == exitOK {
				status = exitIncomplete
			}
		case err != nil:
			fmt.Fprintf(stderr, "experiments: %s: %s\n", e.Name, oneLine(err))
			status = exitFailure
		default:
			progress.Logf("%s: merged in %v, results in %s", e.Name, time.Since(start).Round(100*time.Millisecond), cfg.Out+"/"+e.Name)
		}
	}
	if status != exitOK || keep {
		return status
	}
	for _, e := range exps {
		if err := os.RemoveAll(harness.ShardDir(cfg.Out, e.Name)); err != nil {
			fmt.Fprintf(stderr, "experiments: %s: %s\n", e.Name, oneLine(err))
			status = exitFailure
		}
	}
	return status
}

// oneLine returns the error message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
