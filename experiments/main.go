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
  experiments list                   name every experiment
  experiments run [flags] NAME...    run the named experiments
  experiments all [flags]            run every experiment

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
	case "list", "run", "all":
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
	case "run":
		if len(names) == 0 {
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
	cfg := harness.Config{Preset: p, Seed: *seed, Workers: *workers, Out: *out, MNIST: *mnist, Progress: progress}

	status := exitOK
	for _, e := range exps {
		start := time.Now()
		err := harness.Run(ctx, e, cfg)
		switch {
		case ctx.Err() != nil:
			fmt.Fprintf(stderr, "experiments: %s: interrupted\n", e.Name)
			return exitInterrupted
		case err != nil:
			fmt.Fprintf(stderr, "experiments: %s: %s\n", e.Name, oneLine(err))
			status = exitFailure
		default:
			progress.Logf("%s: done in %v, results in %s", e.Name, time.Since(start).Round(100*time.Millisecond), cfg.Out+"/"+e.Name)
		}
	}
	return status
}

// oneLine returns the error message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
