package nn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX is the content of an IDX file, the format of the MNIST distribution
// (LeCun, Bottou, Bengio & Haffner 1998): the magic number 0x00 0x00 0x08 d
// (unsigned bytes in d dimensions), d big-endian uint32 sizes, then the
// bytes in row-major order.
type IDX struct {
	Dims []int  // sizes, outermost first
	Data []byte // Π Dims bytes
}

// maxIDXBytes bounds the size a header may announce (1 GiB), so that a
// corrupt header gives an error instead of a huge allocation.
const maxIDXBytes = 1 << 30

// ReadIDX reads one IDX array of unsigned bytes from r, gzip-compressed or
// plain (told apart by the gzip magic bytes). It returns an error for a
// truncated or corrupt stream: a bad magic number, an element type other
// than unsigned bytes, no or implausibly large dimensions, fewer data bytes
// than the dimensions announce, or bytes after the data.
func ReadIDX(r io.Reader) (*IDX, error) {
	m, err := readIDX(r)
	if err != nil {
		return nil, fmt.Errorf("nn: idx: %w", err)
	}
	return m, nil
}

// ReadIDXFile reads the IDX file at path like ReadIDX. The error of a
// missing file satisfies errors.Is(err, fs.ErrNotExist).
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nn: idx: %w", err)
	}
	defer f.Close()
	m, err := readIDX(f)
	if err != nil {
		return nil, fmt.Errorf("nn: idx file %s: %w", path, err)
	}
	return m, nil
}

var errIDXTruncated = errors.New("truncated")

func readIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	var in io.Reader = br
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		in = zr
	}
	var magic [4]byte
	if _, err := io.ReadFull(in, magic[:]); err != nil {
		return nil, fmt.Errorf("%w header: %w", errIDXTruncated, err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("bad magic number 0x%08x: not an IDX file", binary.BigEndian.Uint32(magic[:]))
	}
	if magic[2] != 0x08 {
		return nil, fmt.Errorf("unsupported element type 0x%02x: only unsigned bytes (0x08) are read", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, errors.New("bad magic number: zero dimensions")
	}
	raw := make([]byte, 4*nd)
	if _, err := io.ReadFull(in, raw); err != nil {
		return nil, fmt.Errorf("%w header: %d dimensions announced: %w", errIDXTruncated, nd, err)
	}
	m := &IDX{Dims: make([]int, nd)}
	size := 1
	for i := range nd {
		d := int(binary.BigEndian.Uint32(raw[4*i:]))
		m.Dims[i] = d
		if d != 0 && size > maxIDXBytes/d {
			return nil, fmt.Errorf("implausible dimensions %v: more than %d bytes", m.Dims[:i+1], maxIDXBytes)
		}
		size *= d
	}
	// Read what is there rather than allocating what the header announces:
	// a corrupt header then costs no more memory than the file.
	var data bytes.Buffer
	data.Grow(min(size, 1<<20))
	if _, err := data.ReadFrom(io.LimitReader(in, int64(size)+1)); err != nil {
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF) && data.Len() >= size:
			return nil, fmt.Errorf("%w compressed stream after the data: %w", errIDXTruncated, err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("%w data: %d of %d bytes for dimensions %v: %w", errIDXTruncated, data.Len(), size, m.Dims, err)
		}
		return nil, fmt.Errorf("corrupt data stream: %w", err)
	}
	switch {
	case data.Len() < size:
		return nil, fmt.Errorf("%w data: %d of %d bytes for dimensions %v", errIDXTruncated, data.Len(), size, m.Dims)
	case data.Len() > size:
		return nil, fmt.Errorf("trailing bytes after the %d data bytes of dimensions %v", size, m.Dims)
	}
	m.Data = data.Bytes()
	return m, nil
}
