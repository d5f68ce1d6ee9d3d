package harness

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// codecInner and codecOuter have unexported fields of every kind the codec
// stores, as the experiments' result types do.
type codecInner struct {
	name  string
	flags [3]bool
	u8    uint8
	i16   int16
	c64   complex64
	f32   float32
}

type codecOuter struct {
	Exported float64
	x        []float64
	empty    []float64
	null     []float64
	grid     [][]int
	raw      []byte
	fixed    [4]byte
	inner    codecInner
	ptr      *codecInner
	alias    *codecInner // the same pointee as ptr
	nilPtr   *codecInner
	byName   map[string][]float64
	nilMap   map[int]bool
	err      error
	nilErr   error
	c128     complex128
	fn       func() // nil: stored as nil
	h        *mat.SymDense
}

// roundTrip encodes v, decodes it and checks that the decoded value
// encodes to the same bytes.
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := encodeValue(nil, v)
	if err != nil {
		t.Fatalf("encoding %T: %v", v, err)
	}
	got, err := decodeValue[T](b)
	if err != nil {
		t.Fatalf("decoding %T: %v", v, err)
	}
	again, err := encodeValue(nil, got)
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("%T: decoded value encodes differently (%v)", v, err)
	}
	return got
}

func TestCodecFloatBits(t *testing.T) {
	t.Parallel()
	// Every float64 bit pattern must survive: the signed zeros, the
	// infinities, a quiet NaN with a payload, the smallest subnormal, the
	// largest finite value and 0.1, whose shortest decimal is not exact.
	bits := []uint64{
		0, 1 << 63, math.Float64bits(math.Inf(1)), math.Float64bits(math.Inf(-1)),
		0x7ff8_0000_dead_beef, 1, math.Float64bits(math.MaxFloat64), math.Float64bits(0.1),
	}
	in := make([]float64, len(bits))
	for i, b := range bits {
		in[i] = math.Float64frombits(b)
	}
	got := roundTrip(t, in)
	for i, v := range got {
		if math.Float64bits(v) != bits[i] {
			t.Errorf("float64 bits %#x decoded as %#x", bits[i], math.Float64bits(v))
		}
	}
	f32 := roundTrip(t, []float32{float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32})
	if !math.Signbit(float64(f32[0])) || f32[1] != math.SmallestNonzeroFloat32 {
		t.Errorf("float32 values decoded as %v", f32)
	}
}

func TestCodecStructsWithUnexportedFields(t *testing.T) {
	t.Parallel()
	shared := &codecInner{name: "shared", u8: 7}
	h := mat.NewSymDense(2, []float64{1, -2, -2, 3.5})
	in := codecOuter{
		Exported: -1.5,
		x:        []float64{1, 2.5, -3},
		empty:    []float64{},
		grid:     [][]int{{1, -2}, nil, {}},
		raw:      []byte("bytes"),
		fixed:    [4]byte{9, 8, 7, 6},
		inner:    codecInner{name: "inner", flags: [3]bool{true, false, true}, u8: 255, i16: -32768, c64: complex(1, -2), f32: 0.25},
		ptr:      shared,
		alias:    shared,
		byName:   map[string][]float64{"b": {2}, "a": {1}, "": nil},
		err:      errors.New("optimizers: diverged"),
		c128:     complex(math.Pi, -math.E),
		h:        h,
	}
	got := roundTrip(t, in)
	switch {
	case got.Exported != in.Exported || len(got.x) != 3 || got.x[1] != 2.5:
		t.Errorf("floats: got %v %v", got.Exported, got.x)
	case got.empty == nil || len(got.empty) != 0 || got.null != nil:
		t.Errorf("an empty slice decoded as %#v, a nil one as %#v", got.empty, got.null)
	case got.grid[1] != nil || got.grid[2] == nil || got.grid[0][1] != -2:
		t.Errorf("nested slices decoded as %#v", got.grid)
	case string(got.raw) != "bytes" || got.fixed != in.fixed:
		t.Errorf("bytes decoded as %q %v", got.raw, got.fixed)
	case got.inner != in.inner:
		t.Errorf("inner struct decoded as %+v, want %+v", got.inner, in.inner)
	case got.ptr == nil || *got.ptr != *shared || got.ptr != got.alias || got.nilPtr != nil:
		t.Errorf("pointers decoded as %p %p %p; want one shared pointee and nil", got.ptr, got.alias, got.nilPtr)
	case len(got.byName) != 3 || got.byName["b"][0] != 2 || got.byName[""] != nil || got.nilMap != nil:
		t.Errorf("maps decoded as %v, %v", got.byName, got.nilMap)
	case got.err == nil || got.err.Error() != "optimizers: diverged" || got.nilErr != nil:
		t.Errorf("errors decoded as %v, %v", got.err, got.nilErr)
	case got.c128 != in.c128 || got.fn != nil:
		t.Errorf("complex decoded as %v", got.c128)
	case !mat.Equal(got.h, h):
		t.Errorf("SymDense decoded as %v", mat.Formatted(got.h))
	}
}

// codecNode is a linked structure with a cycle.
type codecNode struct {
	value float64
	next  *codecNode
}

func TestCodecPointerCycle(t *testing.T) {
	t.Parallel()
	a := &codecNode{value: 1}
	a.next = &codecNode{value: 2, next: a}
	got := roundTrip(t, a)
	if got.value != 1 || got.next.value != 2 || got.next.next != got {
		t.Errorf("cycle a -> b -> a decoded as %+v -> %+v -> %p", got, got.next, got.next.next)
	}
}

func TestCodecMapOrderIsCanonical(t *testing.T) {
	t.Parallel()
	m := make(map[int]string)
	for i := range 100 {
		m[i*7919%101] = strings.Repeat("x", i%5)
	}
	want, err := encodeValue(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	// Map iteration order is random; the encoding must not be.
	for range 5 {
		if b, _ := encodeValue(nil, m); !bytes.Equal(b, want) {
			t.Fatal("the encoding of a map depends on its iteration order")
		}
	}
	if got := roundTrip(t, m); len(got) != len(m) || got[7919%101] != m[7919%101] {
		t.Errorf("map decoded with %d entries", len(got))
	}
}

func TestCodecRejectsWhatItCannotStore(t *testing.T) {
	t.Parallel()
	type withFunc struct{ f func() }
	type withAny struct{ v any }
	for _, tc := range []struct {
		name string
		enc  func() error
	}{
		{"function", func() error { _, err := encodeValue(nil, withFunc{func() {}}); return err }},
		{"channel", func() error { _, err := encodeValue(nil, make(chan int)); return err }},
		{"interface other than error", func() error { _, err := encodeValue(nil, withAny{1}); return err }},
	} {
		if err := tc.enc(); !errors.Is(err, errCodec) {
			t.Errorf("%s: encoding gave %v, want a codec error", tc.name, err)
		}
	}
	// Nil values of those types are stored as nil.
	if got := roundTrip(t, withAny{}); got.v != nil {
		t.Errorf("nil interface decoded as %v", got.v)
	}
}

func TestCodecRejectsCorruptData(t *testing.T) {
	t.Parallel()
	b, err := encodeValue(nil, codecOuter{x: []float64{1, 2, 3}, byName: map[string][]float64{"a": {1}}})
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if _, err := decodeValue[codecOuter](b[:n]); err == nil {
			t.Fatalf("decoding the first %d of %d bytes succeeded", n, len(b))
		}
	}
	if _, err := decodeValue[codecOuter](append(b, 0)); err == nil {
		t.Error("decoding with a trailing byte succeeded")
	}
	// A length that the data cannot hold is an error, not an allocation.
	huge := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	if _, err := decodeValue[[]float64](huge); !errors.Is(err, errCodec) {
		t.Errorf("a huge slice length gave %v", err)
	}
}

// FuzzDecode checks that decoding arbitrary bytes fails cleanly or gives a
// value that encodes back to the same bytes.
func FuzzDecode(f *testing.F) {
	for _, v := range []codecOuter{{}, {x: []float64{1}, ptr: &codecInner{name: "a"}, byName: map[string][]float64{"k": {2}}}} {
		b, err := encodeValue(nil, v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeValue[codecOuter](b)
		if err != nil {
			return
		}
		again, err := encodeValue(nil, v)
		if err != nil {
			t.Fatalf("a decoded value does not encode: %v", err)
		}
		if _, err := decodeValue[codecOuter](again); err != nil {
			t.Fatalf("a re-encoded value does not decode: %v", err)
		}
	})
}

// BenchmarkCodec encodes and decodes a result shaped like a critical point
// at N = 1000: coordinates, gradient and eigenvalues.
func BenchmarkCodec(b *testing.B) {
	const n = 1000
	v := codecOuter{x: make([]float64, n), empty: make([]float64, n), grid: [][]int{make([]int, n)}, h: mat.NewSymDense(40, nil)}
	for i := range n {
		v.x[i], v.empty[i], v.grid[0][i] = float64(i)/7, -float64(i), i
	}
	b.ReportAllocs()
	for b.Loop() {
		buf, err := encodeValue(nil, v)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := decodeValue[codecOuter](buf); err != nil {
			b.Fatal(err)
		}
	}
}
