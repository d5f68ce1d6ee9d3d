package harness_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/critpoint/critpoint/experiments/internal/harness"
)

// Map returns the results in task order, and each task draws from its own
// stream, so any number of workers gives the same results.
func ExampleMap() {
	out, err := os.MkdirTemp("", "harness-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(out)
	square := func(_ context.Context, i int, rng *rand.Rand) (int, error) {
		return i * i, nil
	}
	draw := func(_ context.Context, i int, rng *rand.Rand) (float64, error) {
		return rng.Float64(), nil
	}
	var draws [][]float64
	for _, workers := range []int{1, 4} {
		env, err := harness.NewEnv("example", harness.Config{Preset: harness.Quick, Seed: 1, Workers: workers, Out: out})
		if err != nil {
			panic(err)
		}
		sq, err := harness.Map(context.Background(), env, "squares", 6, square)
		if err != nil {
			panic(err)
		}
		fmt.Println(workers, "workers:", sq)
		d, err := harness.Map(context.Background(), env, "draws", 100, draw)
		if err != nil {
			panic(err)
		}
		draws = append(draws, d)
	}
	fmt.Println("draws identical:", slices.Equal(draws[0], draws[1]))
	// Output:
	// 1 workers: [0 1 4 9 16 25]
	// 4 workers: [0 1 4 9 16 25]
	// draws identical: true
}

func ExampleTable() {
	t := harness.NewTable("n", "p", "published")
	t.Row(2, 0.1464, 0.1475)
	t.Row(6, 4.51e-06, nil)
	t.WriteTo(os.Stdout)
	// Output:
	// n,p,published
	// 2,0.1464,0.1475
	// 6,4.51e-06,
}

// Three shards each compute a third of the tasks; the merge writes the
// table an unsharded run writes.
func ExampleMerge() {
	out, err := os.MkdirTemp("", "harness-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(out)
	squares := harness.Experiment{Name: "squares", Summary: "the squares of 0, ..., 5", Run: func(ctx context.Context, env *harness.Env) error {
		sq, err := harness.Map(ctx, env, "squares", 6, func(_ context.Context, i int, _ *rand.Rand) (int, error) {
			return i * i, nil
		})
		if err != nil {
			return err
		}
		t := harness.NewTable("i", "square")
		for i, v := range sq {
			t.Row(i, v)
		}
		return env.WriteCSV("squares.csv", t)
	}}
	for i := range 3 {
		cfg := harness.Config{Preset: harness.Quick, Seed: 1, Out: out, Shard: harness.Shard{Index: i, Count: 3}}
		fmt.Printf("shard %d/3: %v\n", i, harness.Run(context.Background(), squares, cfg))
	}
	if err := harness.Merge(context.Background(), squares, harness.Config{Out: out}); err != nil {
		panic(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "squares", "squares.csv"))
	if err != nil {
		panic(err)
	}
	fmt.Print(string(b))
	// Output:
	// shard 0/3: harness: shard done: squares part squares: 4 of 6 tasks are left to other shards
	// shard 1/3: harness: shard done: squares part squares: 2 of 6 tasks are left to other shards
	// shard 2/3: <nil>
	// i,square
	// 0,0
	// 1,1
	// 2,4
	// 3,9
	// 4,16
	// 5,25
}
