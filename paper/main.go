// Command paper builds paper/paper.md, the report of what critpoint
// reproduces, from the results that `go run ./experiments all` writes:
//
//	go run ./paper [-results DIR] [-out FILE]
//
// Run it from the module root. Every measured number in the report is read
// from a CSV or meta.json file under the results directory (by column name),
// every published number is a constant of this command with its citation,
// and every figure is linked from the results with a path relative to the
// report. The output depends on the results only, so rerunning the command
// on the same results reproduces the report byte for byte.
//
// A missing or malformed results file is reported on one line of standard
// error, naming the file, with exit status 1; usage errors exit with
// status 2.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run runs the command with the arguments args and returns its exit status.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("paper", flag.ContinueOnError)
	fs.SetOutput(stderr)
	results := fs.String("results", "results", "the results `directory`")
	out := fs.String("out", filepath.Join("paper", "paper.md"), "the report `file` to write")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./paper [-results DIR] [-out FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	md, err := Build(*results, filepath.Dir(*out))
	if err == nil {
		err = writeAtomic(*out, []byte(md))
	}
	if err != nil {
		fmt.Fprintf(stderr, "paper: %v\n", err)
		return 1
	}
	return 0
}

// writeAtomic writes b to the file name through a temporary file in the same
// directory, so that an interrupted run leaves the old file in place.
func writeAtomic(name string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
