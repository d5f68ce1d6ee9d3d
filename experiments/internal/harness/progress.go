package harness

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Progress reports the progress of long work on a writer, usually standard
// error. On a terminal it redraws one bar per counter in place; otherwise it
// prints plain lines such as
//
//	random-matrices/pd: 40/120 tasks
//
// at most once every five seconds, plus a final line. A nil *Progress reports
// nothing. Its methods are safe for concurrent use.
type Progress struct {
	w        io.Writer
	terminal bool

	mu sync.Mutex
}

// Reporting intervals: a terminal bar is redrawn at most every barEvery, a
// plain line printed at most every plainEvery.
const (
	barEvery   = 100 * time.Millisecond
	plainEvery = 5 * time.Second
)

// NewProgress returns a Progress writing to w, with a redrawn bar when
// terminal is true and plain lines otherwise.
func NewProgress(w io.Writer, terminal bool) *Progress {
	return &Progress{w: w, terminal: terminal}
}

// IsTerminal reports whether f is a character device such as a terminal.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Counter counts the completed units of one piece of work.
type Counter struct {
	p     *Progress
	label string
	total int
	start time.Time

	mu   sync.Mutex
	done int
	last time.Time
}

// Start begins a counter of total units labelled label. It returns nil, a
// valid no-op counter, when p is nil.
func (p *Progress) Start(label string, total int) *Counter {
	if p == nil {
		return nil
	}
	now := time.Now()
	return &Counter{p: p, label: label, total: total, start: now, last: now}
}

// Add records n more completed units.
func (c *Counter) Add(n int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done += n
	now := time.Now()
	every := plainEvery
	if c.p.terminal {
		every = barEvery
	}
	if now.Sub(c.last) < every {
		return
	}
	c.last = now
	c.p.report(c, false, now)
}

// Done reports the final count and ends the counter's line.
func (c *Counter) Done() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.p.report(c, true, time.Now())
}

// report writes the state of c; c.mu is held.
func (p *Progress) report(c *Counter, final bool, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := now.Sub(c.start).Round(100 * time.Millisecond)
	if !p.terminal {
		fmt.Fprintf(p.w, "%s: %d/%d tasks (%v)\n", c.label, c.done, c.total, elapsed)
		return
	}
	const width = 30
	filled := width
	if c.total > 0 {
		filled = width * c.done / c.total
	}
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d tasks %v\x1b[K%s", c.label, bar, c.done, c.total, elapsed, end)
}

// Logf prints one line of information, ending any bar on the line first.
func (p *Progress) Logf(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		io.WriteString(p.w, "\r\x1b[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}
