// Package testkit holds what the tests and benchmarks of several packages
// share: an emulator on loopback, a roster validated from csv text, and a
// peak-heap probe. Nothing here is used outside tests.
package testkit

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/validate"
)

// Emulator starts an emulator on 127.0.0.1 for the test's lifetime.
func Emulator(t testing.TB, cfg emulator.Config) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// WriteFile writes data to name in a fresh temp folder and returns the path.
func WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Validate parses and validates the roster at path.
func Validate(t testing.TB, path string) *validate.Result {
	t.Helper()
	rd, err := parse.Open(path, parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	res, err := validate.Validate(rd)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// ValidateCSV validates csv text written to a roster.csv.
func ValidateCSV(t testing.TB, csv string) *validate.Result {
	t.Helper()
	return Validate(t, WriteFile(t, "roster.csv", []byte(csv)))
}

// PeakHeapMB runs f while sampling the heap in use, and returns its peak.
func PeakHeapMB(f func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) / (1 << 20)
}

// SyncBuffer is a bytes buffer safe for a writer and a reader in
// different goroutines (a command's output read while it runs).
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
