package harness

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes the file at path with the output of write: it
// writes to a temporary file in the same directory, syncs it, closes it and
// renames it to path, then syncs the directory. When write or any step fails,
// the temporary file is removed and path is left as it was.
//
// The file is created with permissions 0644 (before the umask).
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return fmt.Errorf("harness: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the system supports it; a
// failure only weakens durability, so it is ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
