package execute

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/wpimport/wpimport/internal/plan"
)

// progress is what both renderers show. Every finished change counts (failed
// and stale too); changes an earlier run finished count as done but not in
// the pace, so rates and ETA are this run's own.
type progress struct {
	mu        sync.Mutex
	total     int
	done      int // finished, this run or an earlier one
	resumed   int // of done, finished by an earlier run
	failed    int
	phase     string
	note      string
	noteAt    time.Time
	start     time.Time // of the applying phase
	throttles func() int
}

func (p *progress) begin(total int, throttles func() int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.start, p.phase = total, time.Now(), "starting"
	if throttles == nil {
		throttles = func() int { return 0 }
	}
	p.throttles = throttles
}

func (p *progress) add(o *Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o.Status == plan.NotAttempted {
		return
	}
	p.done++
	if o.Resumed {
		p.resumed++
	}
	if o.Status == plan.Failed || o.Status == plan.Partial {
		p.failed++
	}
}

func (p *progress) setPhase(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if name == PhaseApplying && p.phase != PhaseApplying {
		p.start = time.Now()
	}
	p.phase = name
}

func (p *progress) setNote(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.note, p.noteAt = msg, time.Now()
}

// status is the line both renderers show, without the count.
func (p *progress) status() (done, total int, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	parts := []string{p.phase}
	if p.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", p.failed))
	}
	if n := p.throttles(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d throttled", n))
	}
	own := p.done - p.resumed
	el := time.Since(p.start).Seconds()
	if p.phase == PhaseApplying && own > 0 && el >= 1 {
		rate := float64(own) / el
		parts = append(parts, fmt.Sprintf("%.1f changes/s", rate))
		if left := p.total - p.done; left > 0 {
			parts = append(parts, "ETA "+time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second).String())
		}
	}
	if p.note != "" && time.Since(p.noteAt) < 5*time.Second {
		parts = append(parts, p.note)
	}
	return p.done, p.total, strings.Join(parts, " · ")
}

// Phases of a run, as progress names them.
const (
	PhaseChecking   = "checking the accounts still match the plan"
	PhaseApplying   = "applying"
	PhasePeopleSets = "people sets"
	PhaseGroups     = "groups"
)

// Bar renders progress as a bar on a terminal, redrawn every half second
// so that it moves during backoff too.
type Bar struct {
	progress
	w        io.Writer
	bar      *progressbar.ProgressBar
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// NewBar renders to a terminal; throttles, if set, counts throttled calls.
func NewBar(w io.Writer, throttles func() int) *Bar {
	b := &Bar{w: w, stop: make(chan struct{})}
	b.throttles = throttles
	return b
}

func (b *Bar) Start(total int) {
	b.begin(total, b.throttles)
	b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetDescription(PhaseChecking),
		progressbar.OptionFullWidth(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }),
		// The description carries this run's own pace and ETA; the bar's
		// would count changes an earlier run finished.
		progressbar.OptionSetPredictTime(false), progressbar.OptionSetElapsedTime(false))
	tick(&b.wg, 500*time.Millisecond, b.stop, b.draw)
}

func (b *Bar) draw() {
	if b.bar.IsFinished() {
		return // every op is done; its line is closed (groups, people sets follow)
	}
	done, _, text := b.status()
	b.bar.Describe(text)
	b.bar.Set(done)
}

func (b *Bar) Phase(name string) {
	b.setPhase(name)
	if b.bar.IsFinished() {
		fmt.Fprintf(b.w, "%s…\n", name)
		return
	}
	b.draw()
}
func (b *Bar) Note(msg string)   { b.setNote(msg) }
func (b *Bar) OpDone(o *Outcome) { b.add(o) }

// Finish completes the bar, or stops it where it is after an interrupt.
func (b *Bar) Finish() {
	b.stopOnce.Do(func() { close(b.stop) })
	b.wg.Wait()
	b.draw()
	done, total, _ := b.status()
	if b.bar.IsFinished() {
		return
	}
	if done >= total {
		b.bar.Finish()
		return
	}
	b.bar.Exit()
	fmt.Fprintln(b.w)
}

// Lines renders progress as a plain line every interval, for logs.
type Lines struct {
	progress
	w        io.Writer
	every    time.Duration
	stopOnce sync.Once
	stop     chan struct{}
	wg       sync.WaitGroup
}

// NewLines prints a line every interval to w; throttles, if set, counts
// throttled calls.
func NewLines(w io.Writer, every time.Duration, throttles func() int) *Lines {
	l := &Lines{w: w, every: every, stop: make(chan struct{})}
	l.throttles = throttles
	return l
}

func (l *Lines) Start(total int) {
	l.begin(total, l.throttles)
	tick(&l.wg, l.every, l.stop, l.print)
}

func (l *Lines) print() {
	done, total, text := l.status()
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	fmt.Fprintf(l.w, "apply: %d/%d changes (%.0f%%) · %s\n", done, total, pct, text)
}

func (l *Lines) Phase(name string) { l.setPhase(name) }
func (l *Lines) Note(msg string)   { l.setNote(msg) }
func (l *Lines) OpDone(o *Outcome) { l.add(o) }

func (l *Lines) Finish() {
	l.stopOnce.Do(func() { close(l.stop) })
	l.wg.Wait()
	l.print()
}

// tick calls fn every d until stop is closed.
func tick(wg *sync.WaitGroup, d time.Duration, stop chan struct{}, fn func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fn()
			case <-stop:
				return
			}
		}
	}()
}
