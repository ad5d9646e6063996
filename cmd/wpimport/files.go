package main

import (
	"github.com/wpimport/wpimport/internal/safefile"
)

// files are what one command reads and writes. No output is an input, and
// every output is proved writable before the first API call.
type files struct {
	in   safefile.Inputs
	outs []string
}

// reads records input paths ("" ignored).
func (f *files) reads(paths ...string) { f.in.Add(paths...) }

// output records a path the user chose; one that is an input is refused.
func (f *files) output(flag, path string) error {
	if err := f.in.Refuse(flag, path); err != nil {
		return usageErr("%v", err)
	}
	f.outs = append(f.outs, path)
	return nil
}

// derived records a path the command chose itself and returns it, renamed
// (q.xlsx → q.INFIX.xlsx) when it would be an input or another output.
func (f *files) derived(path, infix string) string {
	p := f.in.Derive(path, infix, f.outs...)
	f.outs = append(f.outs, p)
	return p
}

// check proves every output writable (exit 2 if one is not).
func (f *files) check() error {
	for _, p := range f.outs {
		if err := safefile.CheckWritable(p); err != nil {
			return usageErr("%v", err)
		}
	}
	return nil
}
