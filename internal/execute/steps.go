package execute

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/wpimport/wpimport/internal/picture"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

// steps makes the calls that follow the main write: each phone (added
// once: see once), then the picture. only, if not nil, names the steps to
// make (a rerun of a partial change). A phone is looked for before it is
// added when an earlier attempt may have added it: the change was in
// flight in an earlier run (unknown), or this is a rerun of its failed
// step. A failed step makes the change partial and is listed in Steps,
// for the next run to redo.
func (r *runner) steps(c *plan.Change, w *counted, pic []byte, only map[string]bool, unknown bool) {
	o := w.o
	if o.ObjectID == "" {
		return
	}
	ref := target.Ref{ID: o.ObjectID}
	var failed, notKept []string
	step := func(name, what string, err error) {
		if err == nil {
			return
		}
		var na *target.NotApplied
		if errors.As(err, &na) {
			// Accepted, not kept: a rerun would do the same.
			notKept = append(notKept, fmt.Sprintf("%s was accepted but not kept (the service holds %s)", what, keptText(na.Kept)))
			return
		}
		o.Steps = append(o.Steps, name)
		if cutOff(err) {
			failed = append(failed, what+" was cut off by the run's stop ("+errorText(r.fatalOr(err))+")")
			return
		}
		if o.Error == nil {
			o.Error = ErrorInfoOf(err)
		}
		failed = append(failed, what+" failed: "+errorText(err))
	}
	for _, ph := range c.Phones {
		name := "phone:" + ph.Number
		if only != nil && !only[name] {
			continue
		}
		_, err := r.once(w.ctx, w.ctx, intent{obj: "phone", unknown: unknown,
			try:  func(ctx context.Context) error { return r.t.AddPhone(ctx, ref, ph) },
			find: func(ctx context.Context) (seen, error) { return r.hasPhone(ctx, ref.ID, ph.Number) }})
		step(name, "adding the phone "+ph.Number, err)
	}
	if p := c.Picture; p != nil && (only == nil || only["picture"]) {
		tp := target.Picture{URL: p.URL}
		if p.URL == "" {
			tp = target.Picture{Name: filepath.Base(p.File), Data: pic}
		}
		step("picture", "setting the picture", r.settle(r.t.SetPicture(w.ctx, ref, tp)))
	}
	if len(notKept) > 0 && len(failed) == 0 {
		if o.Status != plan.NotApplied {
			o.Message = joinMessage(o.Message, fmt.Sprintf("%s, but %s; set it by hand, or ask the service's support", plan.DoneStatus(c.Action), strings.Join(notKept, "; ")))
		} else {
			o.Message = joinMessage(o.Message, strings.Join(notKept, "; "))
		}
		o.Status = plan.NotApplied
	}
	if len(failed) > 0 {
		failed = append(failed, notKept...)
		o.Status = plan.Partial
		msg := fmt.Sprintf("%s, but %s; run apply again to redo just that", plan.DoneStatus(c.Action), strings.Join(failed, "; "))
		if o.Message != "" {
			msg = o.Message + "; " + msg
		}
		o.Message = msg
	}
}

func joinMessage(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// hasPhone reads the account and reports whether it has the number
// (compared by its digits).
func (r *runner) hasPhone(ctx context.Context, id, number string) (seen, error) {
	k := target.Key{Kind: target.ByID, Value: id}
	found, err := r.t.Find(ctx, []target.Key{k})
	if err != nil {
		return notThere, err
	}
	if a := found[k]; a != nil {
		for _, p := range a.Phones {
			if digits(p.Number) == digits(number) {
				return ours, nil
			}
		}
	}
	return notThere, nil
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// redoSteps runs again only the follow-up steps that failed in an earlier
// run; the main write went through then.
func (r *runner) redoSteps(c *plan.Change, done *Outcome) {
	w := r.start(c)
	o := w.o
	o.ObjectID, o.Attempts, o.After, o.Version = done.ObjectID, done.Attempts, done.After, done.Version
	only := map[string]bool{}
	for _, s := range done.Steps {
		only[s] = true
	}
	var pic []byte
	var err error
	if only["picture"] && c.Picture != nil && c.Picture.File != "" {
		pic, err = picture.Read(r.pictureDir, c.Picture.File)
	}
	if err != nil {
		o.Status, o.Steps, o.Error = plan.Partial, done.Steps, done.Error
		o.Message = done.Message + "; not retried: " + err.Error()
		r.finish(w.outcome(), true)
		return
	}
	o.Status = plan.DoneStatus(c.Action)
	r.steps(c, w, pic, only, true)
	if o.Status != plan.Partial {
		o.Message = "its remaining steps were done on a rerun"
	}
	r.finish(w.outcome(), true)
}
