package harness

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Shard is shard Index of Count shards of a run: in every part it computes
// the tasks i with i mod Count = Index. The zero value, Count 0, is the
// unsharded run.
type Shard struct {
	Index, Count int
}

// ParseShard parses a shard written "i/n", 0 <= i < n, as the -shard flag
// and Slurm's $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT give it.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, errI := strconv.Atoi(a)
	n, errN := strconv.Atoi(b)
	if !ok || errI != nil || errN != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("harness: invalid shard %q (want i/n with 0 <= i < n)", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// String returns s as "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// valid reports whether s is the unsharded run or a shard of a run.
func (s Shard) valid() bool {
	return s == Shard{} || s.Count > 0 && 0 <= s.Index && s.Index < s.Count
}

// ErrShardDone is returned, wrapped, by Map and Run in a shard run that has
// stored every task of its shard in a part whose other tasks are not all
// stored yet: the parts after it may depend on its results, so the shard
// stops there. A later run of the shard with Resume continues from that
// part once the other shards have stored theirs. It is a success.
var ErrShardDone = errors.New("harness: shard done")

// ErrIncomplete is returned, wrapped with the missing task indices, by a
// Merge that finds tasks no shard has stored.
var ErrIncomplete = errors.New("harness: shard results incomplete")

// ShardDir returns the directory of the shard files of experiment name
// under the results root out: out/name/shards.
func ShardDir(out, name string) string {
	if out == "" {
		out = "results"
	}
	return filepath.Join(out, name, "shards")
}

const (
	manifestFile = "run.json"
	logMagic     = "critpoint shard log 1\n"
)

// manifest identifies the run whose tasks a shard directory holds.
type manifest struct {
	Experiment     string `json:"experiment"`
	Preset         Preset `json:"preset"`
	Seed           uint64 `json:"seed"`
	ToolkitVersion string `json:"toolkit_version"`
}

// shardState is the sharding state of an Env in a shard run or a merge.
type shardState struct {
	dir   string
	shard Shard // the zero Shard in a merge
	merge bool

	mu    sync.Mutex
	parts map[string]int // calls of Map so far, by part name
	nanos uint64         // merge: the recorded wall time of the tasks read
}

// openShards sets up the shard run of env: it creates the shard directory,
// records or checks the run's manifest and, without resume, refuses to
// reuse files of the same shard.
func (env *Env) openShards(out string, shard Shard, resume bool) error {
	dir := ShardDir(out, env.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	m := manifest{Experiment: env.Name, Preset: env.Preset, Seed: env.Seed, ToolkitVersion: Version}
	if err := createManifest(dir, m); err != nil {
		return err
	}
	got, err := readManifest(dir)
	if err != nil {
		return err
	}
	if got != m {
		return fmt.Errorf("harness: %s holds the shards of %s at preset %s, seed %d (toolkit %s), not of this run: merge or remove them, or use another -out",
			dir, got.Experiment, got.Preset, got.Seed, got.ToolkitVersion)
	}
	if !resume {
		own, err := filepath.Glob(filepath.Join(dir, "*", logName(shard)))
		if err != nil {
			return fmt.Errorf("harness: %w", err)
		}
		if len(own) > 0 {
			return fmt.Errorf("harness: %s holds files of shard %v from an earlier run: continue them with -resume, or remove them", dir, shard)
		}
	}
	env.shards = &shardState{dir: dir, shard: shard, parts: make(map[string]int)}
	return nil
}

// createManifest writes m to dir/run.json unless the file exists; several
// shards may race to create it, and exactly one succeeds.
func createManifest(dir string, m manifest) error {
	path := filepath.Join(dir, manifestFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	b, err := marshalJSON(m)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+manifestFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// A hard link creates the name atomically, and fails if it exists.
		err = os.Link(tmp, path)
		if errors.Is(err, fs.ErrExist) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	syncDir(dir)
	return nil
}

func readManifest(dir string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return m, fmt.Errorf("harness: no shard files: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("harness: %s: %w", filepath.Join(dir, manifestFile), err)
	}
	return m, nil
}

// partDir returns the directory of the next call of Map for part: the
// k-th call (k = 0, 1, ...) with the same part name gets part.k.
func (st *shardState) partDir(part string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := st.parts[part]
	st.parts[part]++
	return filepath.Join(st.dir, url.PathEscape(part)+"."+strconv.Itoa(k))
}

func logName(s Shard) string { return fmt.Sprintf("%d-of-%d.log", s.Index, s.Count) }

// mapShard is Map in a shard run or a merge.
func mapShard[T any](ctx context.Context, env *Env, part string, n int, task func(ctx context.Context, i int, rng *rand.Rand) (T, error)) ([]T, error) {
	st := env.shards
	dir := st.partDir(part)
	typ := reflect.TypeFor[T]().String()
	out := make([]T, n)
	have := make([]bool, n)
	nanos, err := loadPart(dir, typ, out, have)
	if err != nil {
		return nil, err
	}
	if st.merge {
		if missing := missingTasks(have); missing != "" {
			return nil, fmt.Errorf("%w: %s part %s: %s (rerun the shards with -resume)", ErrIncomplete, env.Name, part, missing)
		}
		st.mu.Lock()
		st.nanos += nanos
		st.mu.Unlock()
		return out, nil
	}
	var todo []int
	for i := st.shard.Index; i < n; i += st.shard.Count {
		if !have[i] {
			todo = append(todo, i)
		}
	}
	if len(todo) > 0 {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("harness: %w", err)
		}
		l, err := openLog(filepath.Join(dir, logName(st.shard)), n, typ)
		if err != nil {
			return nil, err
		}
		label := fmt.Sprintf("%s/%s (shard %v)", env.Name, part, st.shard)
		err = runTasks(ctx, env, label, part, todo, task, func(i int, v T, d time.Duration) error {
			b, err := encodeValue(nil, v)
			if err != nil {
				return err
			}
			out[i], have[i] = v, true
			return l.append(i, d, b)
		})
		if cerr := l.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	}
	if !slices.Contains(have, false) {
		return out, nil
	}
	// Other shards may have finished the part meanwhile.
	if _, err := loadPart(dir, typ, out, have); err != nil {
		return nil, err
	}
	if !slices.Contains(have, false) {
		return out, nil
	}
	left := 0
	for _, h := range have {
		if !h {
			left++
		}
	}
	return nil, fmt.Errorf("%w: %s part %s: %d of %d tasks are left to other shards", ErrShardDone, env.Name, part, left, n)
}

// missingTasks describes the indices i with !have[i] as ranges, such as
// "3 of 40 tasks missing: 7, 11-12", or returns "" when none is missing.
func missingTasks(have []bool) string {
	var ranges []string
	count := 0
	for i := 0; i < len(have); i++ {
		if have[i] {
			continue
		}
		j := i
		for j+1 < len(have) && !have[j+1] {
			j++
		}
		count += j - i + 1
		switch {
		case len(ranges) == 10:
			ranges = append(ranges, "...")
		case len(ranges) > 10:
		case j == i:
			ranges = append(ranges, strconv.Itoa(i))
		default:
			ranges = append(ranges, fmt.Sprintf("%d-%d", i, j))
		}
		i = j
	}
	if count == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d tasks missing: %s", count, len(have), strings.Join(ranges, ", "))
}

// loadPart reads the results of every shard log in dir into out for the
// tasks i with !have[i], and sets have[i]. When several logs hold a task,
// the log first by name gives it. It returns the wall time the logs record
// for the tasks read.
func loadPart[T any](dir, typ string, out []T, have []bool) (uint64, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("harness: %w", err)
	}
	var nanos uint64
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".log") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		lg, err := readLog(path)
		if err != nil {
			return 0, err
		}
		if lg.valid == 0 {
			continue // a log whose header was never completed
		}
		if err := lg.check(path, len(out), typ); err != nil {
			return 0, err
		}
		for _, r := range lg.records {
			if r.task >= len(out) {
				return 0, fmt.Errorf("harness: %s: task %d of a part of %d tasks", path, r.task, len(out))
			}
			if have[r.task] {
				continue
			}
			v, err := decodeValue[T](r.value)
			if err != nil {
				return 0, fmt.Errorf("harness: %s: task %d: %w", path, r.task, err)
			}
			out[r.task], have[r.task] = v, true
			nanos += r.nanos
		}
	}
	return nanos, nil
}

// A shard log holds the results of one shard's tasks of one part: the
// magic line logMagic, then records
//
//	uvarint(len(payload)) payload CRC-32C(payload) (4 bytes, little-endian)
//
// The first record's payload is the header, uvarint(tasks) and the Go
// type of the results; each later one is uvarint(task), uvarint(wall time
// of the task in nanoseconds) and the encoded result. Records are appended
// as tasks finish, so a killed run leaves a valid prefix and at most one
// torn record, which the next run with -resume cuts off.

type logRecord struct {
	task  int
	nanos uint64
	value []byte
}

type logContent struct {
	tasks   int
	typ     string
	records []logRecord
	valid   int64 // length of the valid prefix; 0 when the header is incomplete
}

// check returns an error when lg is not a log of a part of tasks results
// of type typ.
func (lg *logContent) check(path string, tasks int, typ string) error {
	if lg.tasks != tasks || lg.typ != typ {
		return fmt.Errorf("harness: %s holds %d results of type %s, but this part has %d of type %s: the shard files are from another version of the experiment; remove them",
			path, lg.tasks, lg.typ, tasks, typ)
	}
	return nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// readLog reads the shard log at path up to its first torn or corrupt
// record. A missing file reads as empty.
func readLog(path string) (*logContent, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &logContent{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	return parseLog(path, b)
}

// parseLog parses the content b of the shard log named path.
func parseLog(path string, b []byte) (*logContent, error) {
	lg := &logContent{}
	if len(b) < len(logMagic) {
		if !strings.HasPrefix(logMagic, string(b)) {
			return nil, fmt.Errorf("harness: %s is not a shard log", path)
		}
		return lg, nil
	}
	if string(b[:len(logMagic)]) != logMagic {
		return nil, fmt.Errorf("harness: %s is not a shard log", path)
	}
	off := len(logMagic)
	for first := true; ; first = false {
		payload, next, ok := nextRecord(b, off)
		if !ok {
			return lg, nil
		}
		if first {
			tasks, n := binary.Uvarint(payload)
			if n <= 0 || tasks > 1<<40 {
				return lg, nil
			}
			lg.tasks, lg.typ = int(tasks), string(payload[n:])
		} else {
			task, n := binary.Uvarint(payload)
			if n <= 0 || task > 1<<40 {
				return lg, nil
			}
			nanos, m := binary.Uvarint(payload[n:])
			if m <= 0 {
				return lg, nil
			}
			lg.records = append(lg.records, logRecord{int(task), nanos, payload[n+m:]})
		}
		off = next
		lg.valid = int64(off)
	}
}

// nextRecord returns the payload of the record at b[off:] and the offset
// after it, or ok false when the record is torn or its checksum fails.
func nextRecord(b []byte, off int) (payload []byte, next int, ok bool) {
	size, n := binary.Uvarint(b[off:])
	if n <= 0 || size > uint64(len(b)-off-n) || uint64(len(b)-off-n)-size < 4 {
		return nil, 0, false
	}
	start := off + n
	end := start + int(size)
	payload = b[start:end]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[end:]) {
		return nil, 0, false
	}
	return payload, end + 4, true
}

// appendRecord appends the record of payload to dst.
func appendRecord(dst, payload []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(payload)))
	dst = append(dst, payload...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(payload, castagnoli))
}

// shardLog appends task records to a shard log.
type shardLog struct {
	mu  sync.Mutex
	f   *os.File
	buf []byte
}

// openLog opens the shard log at path for appending the results of a part
// of tasks results of type typ: it keeps the valid prefix of an existing
// log and cuts off a torn record.
func openLog(path string, tasks int, typ string) (*shardLog, error) {
	lg, err := readLog(path)
	if err != nil {
		return nil, err
	}
	if lg.valid > 0 {
		if err := lg.check(path, tasks, typ); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	l := &shardLog{f: f}
	err = f.Truncate(lg.valid)
	if err == nil {
		_, err = f.Seek(lg.valid, io.SeekStart)
	}
	if err == nil && lg.valid == 0 {
		header := binary.AppendUvarint(nil, uint64(tasks))
		header = append(header, typ...)
		_, err = f.Write(appendRecord([]byte(logMagic), header))
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("harness: %w", err)
	}
	return l, nil
}

// append writes the record of task i, which took d, with its encoded
// result value, in one write.
func (l *shardLog) append(i int, d time.Duration, value []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	payload := binary.AppendUvarint(l.buf[:0], uint64(i))
	payload = binary.AppendUvarint(payload, uint64(max(d, 0)))
	payload = append(payload, value...)
	rec := appendRecord(nil, payload)
	l.buf = payload
	if _, err := l.f.Write(rec); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	return nil
}

// close syncs and closes the log.
func (l *shardLog) close() error {
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	return nil
}

// Merge completes a sharded run of e: it runs e.Run with the preset and
// seed recorded in the shard files under cfg.Out (cfg.Preset, cfg.Seed and
// cfg.Shard are ignored), where Map computes nothing and returns the results
// the shards stored, so that the experiment writes the same tables and
// figures as an unsharded run, and then meta.json. The shard files remain:
// remove ShardDir(cfg.Out, e.Name) once every merge of a sweep has
// succeeded.
//
// Work outside Map runs again in the merge, as it runs in every shard. When
// a task's result is missing, Merge returns an error wrapping ErrIncomplete
// that names the part and the missing tasks, and writes nothing more.
func Merge(ctx context.Context, e Experiment, cfg Config) error {
	dir := ShardDir(cfg.Out, e.Name)
	m, err := readManifest(dir)
	if err != nil {
		return err
	}
	if m.Experiment != e.Name || m.ToolkitVersion != Version {
		return fmt.Errorf("harness: %s holds the shards of %s from toolkit %s, not of %s from toolkit %s", dir, m.Experiment, m.ToolkitVersion, e.Name, Version)
	}
	cfg.Preset, cfg.Seed, cfg.Shard, cfg.Resume = m.Preset, m.Seed, Shard{}, false
	env, err := NewEnv(e.Name, cfg)
	if err != nil {
		return err
	}
	env.shards = &shardState{dir: dir, merge: true, parts: make(map[string]int)}
	start := time.Now()
	if err := e.Run(ctx, env); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return env.writeMeta(time.Since(start))
}

// ShardConfig returns the preset and seed of the shard files of experiment
// name under the results root out, or an error when there are none.
func ShardConfig(out, name string) (Preset, uint64, error) {
	m, err := readManifest(ShardDir(out, name))
	return m.Preset, m.Seed, err
}
