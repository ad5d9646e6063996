package parse

import "fmt"

// FileError says why a whole file cannot be used. The command maps it to
// exit code 2.
type FileError struct {
	Path   string
	Reason string
	Err    error
}

func (e *FileError) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason) }
func (e *FileError) Unwrap() error { return e.Err }

func fileErr(path string, err error, format string, args ...any) *FileError {
	return &FileError{Path: path, Reason: fmt.Sprintf(format, args...), Err: err}
}
