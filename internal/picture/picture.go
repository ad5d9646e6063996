// Package picture reads the profile pictures a roster names by file. A
// picture file is confined to the roster's folder: the name must be
// relative, and it is opened through an os.Root, so neither "..", an
// absolute path nor a symbolic link can reach a file outside the folder.
// It is opened without blocking (a FIFO cannot hang the run), must be a
// regular file, and is read through MaxBytes, so a huge or endless file
// costs nothing. validate reads it once; apply reads it again, just before
// the op that uploads it.
package picture

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpimport/wpimport/internal/safefile"
)

// MaxBytes is the largest picture accepted.
const MaxBytes = 4 << 20

// Clean checks a picture_file cell and returns the name to keep in the
// plan: relative to the roster's folder, with forward slashes.
func Clean(name string) (string, error) {
	if name == "" {
		return "", errors.New("no file name")
	}
	if filepath.IsAbs(name) || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("%q is an absolute path; name the picture relative to the roster's folder, and keep the pictures in that folder", name)
	}
	c := filepath.ToSlash(filepath.Clean(name))
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q points outside the roster's folder; keep the pictures in that folder (or below it)", name)
	}
	return c, nil
}

// Read returns the bytes of picture name in folder dir, after every check:
// confined to dir, a regular file, at most MaxBytes, a jpg or png by
// content.
func Read(dir, name string) ([]byte, error) {
	c, err := Clean(name)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot open the roster's folder %s: %v", dir, err)
	}
	defer root.Close()
	f, err := root.OpenFile(filepath.FromSlash(c), os.O_RDONLY|safefile.NonBlock, 0)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot open picture %q: %v (it must be a file in the roster's folder, and a link must not lead out of it)", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read picture %q: %v", name, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("picture %q is not a regular file (%s)", name, st.Mode().Type())
	}
	if st.Size() > MaxBytes {
		return nil, fmt.Errorf("picture %q is %d KiB; the limit is %d KiB: resize it", name, st.Size()>>10, MaxBytes>>10)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read picture %q: %v", name, err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("picture %q is larger than %d KiB: resize it", name, MaxBytes>>10)
	}
	if !IsImage(data) {
		return nil, fmt.Errorf("picture %q is not a jpg or png image (checked by content); convert it", name)
	}
	return data, nil
}

// IsImage reports whether data starts like a jpg or a png.
func IsImage(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF || strings.HasPrefix(string(data), "\x89PNG\r\n\x1a\n")
}
