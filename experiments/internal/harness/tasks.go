package harness

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Map runs the n tasks task(ctx, i, rng), i = 0, ..., n-1, of the part
// named part on env.Workers goroutines and returns their results in task
// order. Task i receives its own random stream env.RNG(part, i), so the
// results do not depend on the number of workers or on scheduling. Progress
// is reported as "<experiment>/<part>: done/n tasks".
//
// On the first task error Map cancels the context passed to the other tasks,
// waits for the running ones and returns the error of the lowest-indexed
// failed task (preferring errors other than context cancellation), wrapped
// with the part and task index. When ctx is cancelled Map returns ctx.Err()
// once the running tasks have returned. Map panics if n is negative.
//
// In a shard run (Config.Shard) Map computes only the tasks of its shard
// and stores their results in shard files; in a merge (see Merge) it
// computes nothing and reads every result from the shard files. The
// package documentation describes both; the results Map returns are the
// same in every mode.
func Map[T any](ctx context.Context, env *Env, part string, n int, task func(ctx context.Context, i int, rng *rand.Rand) (T, error)) ([]T, error) {
	if n < 0 {
		panic(fmt.Sprintf("harness: negative task count %d", n))
	}
	if env.shards != nil {
		return mapShard(ctx, env, part, n, task)
	}
	out := make([]T, n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	err := runTasks(ctx, env, env.Name+"/"+part, part, idx, task, func(i int, v T, _ time.Duration) error {
		out[i] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// runTasks runs the tasks idx of part on env.Workers goroutines, counting
// them on a progress counter labelled label, and hands each result with
// the task's wall time to keep, which may be called concurrently. Errors
// are those of Map; an error of keep counts as the task's.
func runTasks[T any](ctx context.Context, env *Env, label, part string, idx []int, task func(ctx context.Context, i int, rng *rand.Rand) (T, error), keep func(i int, v T, d time.Duration) error) error {
	n := len(idx)
	errs := make([]error, n)
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	counter := env.Progress.Start(label, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(env.Workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= n || tctx.Err() != nil {
					return
				}
				i := idx[k]
				start := time.Now()
				v, err := task(tctx, i, env.RNG(part, i))
				if err == nil {
					err = keep(i, v, time.Since(start))
				}
				if err != nil {
					errs[k] = err
					cancel()
					return
				}
				counter.Add(1)
			}
		}()
	}
	wg.Wait()
	counter.Done()
	if err := ctx.Err(); err != nil {
		return err
	}
	if k, err := firstError(errs); err != nil {
		return fmt.Errorf("%s task %d: %w", part, idx[k], err)
	}
	return nil
}

// firstError returns the lowest-indexed error that is not a context
// cancellation, or else the lowest-indexed error.
func firstError(errs []error) (int, error) {
	first := -1
	for i, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, context.Canceled) {
			return i, err
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		return 0, nil
	}
	return first, errs[first]
}

// Stream returns the random stream of task i of the part named part of an
// experiment run with the given seed:
//
//	rand.New(rand.NewPCG(mix(seed ^ h), mix(uint64(i) ^ mix(h))))
//
// where h is the 64-bit FNV-1a hash of experiment + "/" + part and mix is
// the SplitMix64 finaliser. Distinct (experiment, part, i) give unrelated
// streams; the same ones give the same stream on every machine.
func Stream(seed uint64, experiment, part string, i int) *rand.Rand {
	f := fnv.New64a()
	f.Write([]byte(experiment + "/" + part))
	h := f.Sum64()
	return rand.New(rand.NewPCG(mix64(seed^h), mix64(uint64(i)^mix64(h))))
}

// mix64 is the SplitMix64 finaliser (Steele, Lea & Flood 2014), a bijection
// of uint64 that spreads every input bit over the output.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
