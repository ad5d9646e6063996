package userstate

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/wpimport/wpimport/internal/safefile"
)

// KeyBytes is the size of the key that seals plans.
const KeyBytes = 32

// Store is one user's state folder, opened.
type Store struct {
	dir     string
	key     []byte
	warning string
	created bool
}

// Open resolves the state folder (see Dir), makes it (0700) if need be,
// and reads its key, making one on first use.
func Open(getenv func(string) string) (*Store, error) {
	dir, err := Dir(getenv, runtime.GOOS)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "applied"), 0o700); err != nil {
		return nil, fmt.Errorf("make wpimport's state folder: %w; set WPIMPORT_STATE_DIR to a folder you can write", err)
	}
	s := &Store{dir: dir}
	if s.key, err = s.loadKey(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the state folder.
func (s *Store) Dir() string { return s.dir }

// Key is the key that seals this user's plans.
func (s *Store) Key() []byte { return s.key }

// KeyPath is the key's file.
func (s *Store) KeyPath() string { return filepath.Join(s.dir, "key") }

// Created says whether Open made the key.
func (s *Store) Created() bool { return s.created }

// Warning says what is unsafe about the key file ("" if nothing).
func (s *Store) Warning() string { return s.warning }

func (s *Store) loadKey() ([]byte, error) {
	path := s.KeyPath()
	for range 2 {
		data, err := safefile.ReadFile(path, 1<<10)
		if errors.Is(err, os.ErrNotExist) {
			k := make([]byte, KeyBytes)
			rand.Read(k)
			err := writeNew(path, []byte(hex.EncodeToString(k)+"\n"))
			if errors.Is(err, os.ErrExist) {
				continue // another wpimport made it meanwhile: read that one
			}
			if err != nil {
				return nil, fmt.Errorf("make the key that seals plans: %w; set WPIMPORT_STATE_DIR to a folder you can write", err)
			}
			s.created = true
			return k, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the key that seals plans: %w", err)
		}
		k, err := hex.DecodeString(string(bytes.TrimSpace(data)))
		if err != nil || len(k) != KeyBytes {
			return nil, fmt.Errorf("%s is not a wpimport key (%d hex digits expected): remove it and a new one is made, "+
				"after which the plans this user made before are applied only with --approved", path, 2*KeyBytes)
		}
		if st, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
			s.warning = fmt.Sprintf("%s can be read by other users, who could then seal plans as you: run chmod 600 %s", path, path)
		}
		return k, nil
	}
	return nil, fmt.Errorf("read the key that seals plans: %s keeps changing", path)
}

// writeNew writes data to path, which must not exist (os.ErrExist if it
// does): the file appears complete or not at all, mode 0600.
func writeNew(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".wpimport-tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(f.Name(), path); err != nil {
		if _, serr := os.Lstat(path); serr == nil {
			return os.ErrExist
		}
		return writeExcl(path, data) // a file system without hard links
	}
	return nil
}

// writeExcl is writeNew where hard links are not to be had: a reader may
// see the file before it is complete, and takes it for damaged.
func writeExcl(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
