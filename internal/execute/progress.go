package execute

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// counter is the state both renderers share.
type counter struct {
	mu     sync.Mutex
	total  int
	done   int
	failed int
	start  time.Time
}

// add counts an outcome; not_attempted ones are not progress.
func (c *counter) add(o *Outcome) (done, failed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o.Status == StatusNotAttempted {
		return c.done, c.failed
	}
	c.done++
	if o.Status == StatusFailed {
		c.failed++
	}
	return c.done, c.failed
}

// Bar renders progress as a bar on a terminal.
type Bar struct {
	counter
	w   io.Writer
	bar *progressbar.ProgressBar
}

// NewBar renders to a terminal.
func NewBar(w io.Writer) *Bar { return &Bar{w: w} }

func (b *Bar) Start(total int) {
	b.total, b.start = total, time.Now()
	b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString("ops"), progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetDescription("applying"),
		progressbar.OptionFullWidth(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }))
}

func (b *Bar) OpDone(o *Outcome) {
	if o.Status == StatusNotAttempted {
		return
	}
	_, failed := b.add(o)
	if o.Status == StatusFailed {
		b.bar.Describe(fmt.Sprintf("applying (%d failed)", failed))
	}
	b.bar.Add(1)
}

// Finish completes the bar, or stops it where it is after an interrupt.
func (b *Bar) Finish() {
	b.mu.Lock()
	complete := b.done >= b.total
	b.mu.Unlock()
	if complete {
		b.bar.Finish()
		return
	}
	b.bar.Exit()
	fmt.Fprintln(b.w)
}

// Lines renders progress as a plain line every interval, for logs.
type Lines struct {
	counter
	w        io.Writer
	every    time.Duration
	stopOnce sync.Once
	stop     chan struct{}
	wg       sync.WaitGroup
}

// NewLines prints a line every interval to w.
func NewLines(w io.Writer, every time.Duration) *Lines {
	return &Lines{w: w, every: every, stop: make(chan struct{})}
}

func (l *Lines) Start(total int) {
	l.total, l.start = total, time.Now()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		t := time.NewTicker(l.every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.print()
			case <-l.stop:
				return
			}
		}
	}()
}

func (l *Lines) print() {
	l.mu.Lock()
	done, total, failed, el := l.done, l.total, l.failed, time.Since(l.start)
	l.mu.Unlock()
	rate := float64(done) / max(el.Seconds(), 0.001)
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	fmt.Fprintf(l.w, "apply: %d/%d ops (%.0f%%), %.1f ops/s, %d failed, ETA %s\n", done, total, pct, rate, failed, eta)
}

func (l *Lines) OpDone(o *Outcome) { l.add(o) }

func (l *Lines) Finish() {
	l.stopOnce.Do(func() { close(l.stop) })
	l.wg.Wait()
	l.print()
}
