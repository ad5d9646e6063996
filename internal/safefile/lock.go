package safefile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrLocked means another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Lock is an exclusive lock on a file that holds the holder's pid.
type Lock struct {
	f    *os.File
	path string
}

// TryLock takes the lock at path or fails at once with an error wrapping
// ErrLocked that names the holder's pid. A lock whose holder died is taken
// over: the kernel released it with the process.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		pid := strings.TrimSpace(string(b[:n]))
		if _, err := strconv.Atoi(pid); err != nil {
			pid = "unknown"
		}
		return nil, fmt.Errorf("%s: %w (pid %s)", path, ErrLocked, pid)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Lock{f: f, path: path}, nil
}

// Unlock releases the lock and removes its file.
func (l *Lock) Unlock() error {
	if l == nil {
		return nil
	}
	os.Remove(l.path)
	return l.f.Close()
}
