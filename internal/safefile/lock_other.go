//go:build !unix

package safefile

import "os"

// tryLock has no kernel lock to take here: the pid file alone guards, and
// a stale one must be removed by hand.
func tryLock(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil {
		return false, err
	}
	return st.Size() == 0, nil
}
