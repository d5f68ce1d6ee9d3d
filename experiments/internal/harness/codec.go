package harness

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"unsafe"
)

// The codec stores a task's result in a shard file and reads it back
// unchanged, so that a merge reduces the same values as an unsharded run.
// It walks the value by reflection, unexported struct fields included
// (the result types of the experiments are private structs), and writes
//
//	bool                  one byte
//	signed integers       zig-zag varint
//	unsigned integers     varint
//	float32, float64      IEEE 754 bits, little-endian: every value,
//	                      NaN payloads and the sign of zero included,
//	                      round-trips exactly
//	complex               real then imaginary part
//	string                varint length, bytes
//	slice, map            varint 0 for nil, else length+1, then the
//	                      elements (map entries sorted by encoded key)
//	array, struct         the elements or fields in order
//	pointer               0 for nil, 1 and the pointee the first time a
//	                      pointer is met, 1+k for the k-th pointer met
//	                      before: shared pointees and cycles survive
//	error interface       0 for nil, else 1 and the message; it decodes
//	                      as an error with the same message (errors.Is
//	                      identities are not kept)
//
// Functions, channels, unsafe pointers and interfaces other than error
// cannot be stored; a nil one is stored as nil.

// errCodec is wrapped by every encoding and decoding error.
var errCodec = errors.New("harness: shard codec")

// storedError is an error decoded from a shard file: only its message
// survives.
type storedError struct{ msg string }

func (e *storedError) Error() string { return e.msg }

var (
	storedErrorType = reflect.TypeFor[*storedError]()
	byteType        = reflect.TypeFor[byte]()
	float64Type     = reflect.TypeFor[float64]()
)

// encodeValue appends the encoding of v to dst.
func encodeValue[T any](dst []byte, v T) ([]byte, error) {
	e := encoder{buf: dst, ptrs: make(map[ptrKey]uint64)}
	if err := e.value(reflect.ValueOf(&v).Elem()); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// decodeValue decodes a value of type T from all of b.
func decodeValue[T any](b []byte) (T, error) {
	var v T
	d := decoder{buf: b}
	if err := d.value(reflect.ValueOf(&v).Elem()); err != nil {
		return v, err
	}
	if len(d.buf) != 0 {
		return v, fmt.Errorf("%w: %d trailing bytes", errCodec, len(d.buf))
	}
	return v, nil
}

type ptrKey struct {
	addr uintptr
	typ  reflect.Type
}

type encoder struct {
	buf   []byte
	ptrs  map[ptrKey]uint64
	depth int
}

// maxDepth bounds the nesting of encoded values, so that a cycle the
// pointer table cannot see (through map entries) or a corrupt file is an
// error rather than a stack overflow.
const maxDepth = 1 << 14

var errDepth = fmt.Errorf("%w: values nested deeper than %d levels", errCodec, maxDepth)

// exposed returns the field i of the addressable struct v, readable and
// settable even when it is unexported.
func exposed(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// addressable returns v, or an addressable copy of it.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

func (e *encoder) uvarint(u uint64) { e.buf = binary.AppendUvarint(e.buf, u) }

func (e *encoder) value(v reflect.Value) error {
	if e.depth++; e.depth > maxDepth {
		return errDepth
	}
	defer func() { e.depth-- }()
	switch v.Kind() {
	case reflect.Bool:
		b := byte(0)
		if v.Bool() {
			b = 1
		}
		e.buf = append(e.buf, b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = binary.AppendVarint(e.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uvarint(v.Uint())
	case reflect.Float32:
		e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(float32(v.Float())))
	case reflect.Float64:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v.Float()))
	case reflect.Complex64:
		c := v.Complex()
		e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(float32(real(c))))
		e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(float32(imag(c))))
	case reflect.Complex128:
		c := v.Complex()
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(real(c)))
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(imag(c)))
	case reflect.String:
		e.uvarint(uint64(v.Len()))
		e.buf = append(e.buf, v.String()...)
	case reflect.Slice:
		if v.IsNil() {
			e.uvarint(0)
			return nil
		}
		e.uvarint(uint64(v.Len()) + 1)
		if v.Type().Elem() == float64Type {
			// The common case, without reflection per element.
			for _, f := range unsafe.Slice((*float64)(v.UnsafePointer()), v.Len()) {
				e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
			}
			return nil
		}
		return e.elems(v)
	case reflect.Array:
		return e.elems(v)
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Struct:
		v = addressable(v)
		for i := range v.NumField() {
			if err := e.value(exposed(v, i)); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			e.uvarint(0)
			return nil
		}
		k := ptrKey{v.Pointer(), v.Type()}
		if id, ok := e.ptrs[k]; ok {
			e.uvarint(2 + id)
			return nil
		}
		e.ptrs[k] = uint64(len(e.ptrs))
		e.uvarint(1)
		return e.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			e.uvarint(0)
			return nil
		}
		if !errorLike(v.Type()) {
			return fmt.Errorf("%w: cannot store a value of interface type %v (only error interfaces)", errCodec, v.Type())
		}
		e.uvarint(1)
		return e.value(reflect.ValueOf(v.Interface().(error).Error()))
	default: // Func, Chan, UnsafePointer
		if v.IsNil() {
			e.uvarint(0)
			return nil
		}
		return fmt.Errorf("%w: cannot store a value of type %v", errCodec, v.Type())
	}
	return nil
}

// errorLike reports whether the interface type t is error or another
// interface whose only method is Error() string.
func errorLike(t reflect.Type) bool {
	return t.NumMethod() > 0 && storedErrorType.Implements(t)
}

// elems encodes the elements of a slice or an array.
func (e *encoder) elems(v reflect.Value) error {
	if v.Type().Elem() == byteType {
		e.buf = append(e.buf, v.Bytes()...)
		return nil
	}
	for i := range v.Len() {
		if err := e.value(v.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

// mapValue encodes a map with its entries sorted by encoded key, so that
// the encoding does not depend on the iteration order.
func (e *encoder) mapValue(v reflect.Value) error {
	if v.IsNil() {
		e.uvarint(0)
		return nil
	}
	type entry struct{ key, val []byte }
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		// Keys and values are encoded with their own pointer tables.
		ek := encoder{ptrs: make(map[ptrKey]uint64), depth: e.depth}
		if err := ek.value(addressable(it.Key())); err != nil {
			return err
		}
		ev := encoder{ptrs: make(map[ptrKey]uint64), depth: e.depth}
		if err := ev.value(addressable(it.Value())); err != nil {
			return err
		}
		entries = append(entries, entry{ek.buf, ev.buf})
	}
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.key, b.key) })
	e.uvarint(uint64(len(entries)) + 1)
	for _, en := range entries {
		e.buf = append(e.buf, en.key...)
		e.buf = append(e.buf, en.val...)
	}
	return nil
}

type decoder struct {
	buf   []byte
	ptrs  []reflect.Value
	depth int
}

var errShort = fmt.Errorf("%w: unexpected end of data", errCodec)

func (d *decoder) uvarint() (uint64, error) {
	u, n := binary.Uvarint(d.buf)
	if n <= 0 {
		return 0, errShort
	}
	d.buf = d.buf[n:]
	return u, nil
}

func (d *decoder) bytes(n uint64) ([]byte, error) {
	if uint64(len(d.buf)) < n {
		return nil, errShort
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b, nil
}

func (d *decoder) uint32() (uint32, error) {
	b, err := d.bytes(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) uint64() (uint64, error) {
	b, err := d.bytes(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// length reads the length of a slice or map: ok is false for nil. A length
// larger than the remaining data, which holds at least one byte per
// element of a non-empty type, is an error rather than an allocation.
func (d *decoder) length(min int) (n int, ok bool, err error) {
	u, err := d.uvarint()
	if err != nil || u == 0 {
		return 0, false, err
	}
	u--
	if min > 0 && u > uint64(len(d.buf)/min) || u > math.MaxInt32 {
		return 0, false, fmt.Errorf("%w: length %d exceeds the data", errCodec, u)
	}
	return int(u), true, nil
}

// value decodes into the settable v.
func (d *decoder) value(v reflect.Value) error {
	if d.depth++; d.depth > maxDepth {
		return errDepth
	}
	defer func() { d.depth-- }()
	switch v.Kind() {
	case reflect.Bool:
		b, err := d.bytes(1)
		if err != nil {
			return err
		}
		if b[0] > 1 {
			return fmt.Errorf("%w: invalid bool %d", errCodec, b[0])
		}
		v.SetBool(b[0] == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, n := binary.Varint(d.buf)
		if n <= 0 {
			return errShort
		}
		d.buf = d.buf[n:]
		if v.OverflowInt(i) {
			return fmt.Errorf("%w: %d overflows %v", errCodec, i, v.Type())
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, err := d.uvarint()
		if err != nil {
			return err
		}
		if v.OverflowUint(u) {
			return fmt.Errorf("%w: %d overflows %v", errCodec, u, v.Type())
		}
		v.SetUint(u)
	case reflect.Float32:
		u, err := d.uint32()
		if err != nil {
			return err
		}
		v.SetFloat(float64(math.Float32frombits(u)))
	case reflect.Float64:
		u, err := d.uint64()
		if err != nil {
			return err
		}
		v.SetFloat(math.Float64frombits(u))
	case reflect.Complex64:
		re, err := d.uint32()
		if err != nil {
			return err
		}
		im, err := d.uint32()
		if err != nil {
			return err
		}
		v.SetComplex(complex(float64(math.Float32frombits(re)), float64(math.Float32frombits(im))))
	case reflect.Complex128:
		re, err := d.uint64()
		if err != nil {
			return err
		}
		im, err := d.uint64()
		if err != nil {
			return err
		}
		v.SetComplex(complex(math.Float64frombits(re), math.Float64frombits(im)))
	case reflect.String:
		n, err := d.uvarint()
		if err != nil {
			return err
		}
		b, err := d.bytes(n)
		if err != nil {
			return err
		}
		v.SetString(string(b))
	case reflect.Slice:
		n, ok, err := d.length(minSize(v.Type().Elem()))
		if err != nil || !ok {
			return err
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		if v.Type().Elem() == float64Type {
			b, err := d.bytes(8 * uint64(n))
			if err != nil {
				return err
			}
			fs := unsafe.Slice((*float64)(v.UnsafePointer()), n)
			for i := range fs {
				fs[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
			return nil
		}
		return d.elems(v)
	case reflect.Array:
		return d.elems(v)
	case reflect.Map:
		n, ok, err := d.length(minSize(v.Type().Key()) + minSize(v.Type().Elem()))
		if err != nil || !ok {
			return err
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for range n {
			k := reflect.New(v.Type().Key()).Elem()
			if err := (&decoder{buf: d.buf, depth: d.depth}).into(k, &d.buf); err != nil {
				return err
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if err := (&decoder{buf: d.buf, depth: d.depth}).into(e, &d.buf); err != nil {
				return err
			}
			m.SetMapIndex(k, e)
		}
		if m.Len() != n {
			return fmt.Errorf("%w: duplicate map keys", errCodec)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if err := d.value(exposed(v, i)); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		tag, err := d.uvarint()
		switch {
		case err != nil:
			return err
		case tag == 0:
			v.SetZero()
		case tag == 1:
			p := reflect.New(v.Type().Elem())
			d.ptrs = append(d.ptrs, p)
			v.Set(p)
			return d.value(p.Elem())
		default:
			id := tag - 2
			if id >= uint64(len(d.ptrs)) || d.ptrs[id].Type() != v.Type() {
				return fmt.Errorf("%w: invalid pointer reference %d", errCodec, id)
			}
			v.Set(d.ptrs[id])
		}
	case reflect.Interface:
		tag, err := d.uvarint()
		switch {
		case err != nil:
			return err
		case tag == 0:
			v.SetZero()
		case tag == 1 && errorLike(v.Type()):
			var msg string
			if err := d.value(reflect.ValueOf(&msg).Elem()); err != nil {
				return err
			}
			v.Set(reflect.ValueOf(&storedError{msg}))
		default:
			return fmt.Errorf("%w: cannot decode a value of interface type %v", errCodec, v.Type())
		}
	default: // Func, Chan, UnsafePointer: only nil is stored
		tag, err := d.uvarint()
		if err != nil {
			return err
		}
		if tag != 0 {
			return fmt.Errorf("%w: cannot decode a value of type %v", errCodec, v.Type())
		}
		v.SetZero()
	}
	return nil
}

// into decodes into v with the fresh pointer table of d and advances rest
// past what it read: map keys and values have their own tables.
func (d *decoder) into(v reflect.Value, rest *[]byte) error {
	if err := d.value(v); err != nil {
		return err
	}
	*rest = d.buf
	return nil
}

// elems decodes the elements of a slice or an array.
func (d *decoder) elems(v reflect.Value) error {
	if v.Type().Elem() == byteType {
		b, err := d.bytes(uint64(v.Len()))
		if err != nil {
			return err
		}
		reflect.Copy(v, reflect.ValueOf(b))
		return nil
	}
	for i := range v.Len() {
		if err := d.value(v.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

// minSize returns the least number of bytes the encoding of a value of
// type t takes: 0 for types whose values can encode to nothing (empty
// structs and arrays), else at least 1.
func minSize(t reflect.Type) int {
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if minSize(t.Field(i).Type) > 0 {
				return 1
			}
		}
		return 0
	case reflect.Array:
		if t.Len() == 0 {
			return 0
		}
		return minSize(t.Elem())
	}
	return 1
}
