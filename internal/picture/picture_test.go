//go:build unix

package picture

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var png = []byte("\x89PNG\r\n\x1a\nrest of the image")

func TestRead(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.png"), png, 0o600)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "pics"), 0o755)
	os.WriteFile(filepath.Join(dir, "pics", "ok.png"), png, 0o600)
	os.WriteFile(filepath.Join(dir, "big.png"), append(png, make([]byte, MaxBytes)...), 0o600)
	os.WriteFile(filepath.Join(dir, "text.png"), []byte("hello"), 0o600)
	os.Symlink(filepath.Join(outside, "secret.png"), filepath.Join(dir, "escape.png"))
	os.Symlink("/dev/zero", filepath.Join(dir, "zero.png"))
	os.Symlink("pics/ok.png", filepath.Join(dir, "inside.png"))
	syscall.Mkfifo(filepath.Join(dir, "fifo.png"), 0o600)
	tests := []struct{ name, want string }{
		{"pics/ok.png", ""},
		{"./pics/../pics/ok.png", ""},
		{"inside.png", ""},
		{filepath.Join(outside, "secret.png"), "absolute path"},
		{"../" + filepath.Base(outside) + "/secret.png", "outside the roster's folder"},
		{"escape.png", "cannot open"},
		{"zero.png", "cannot open"},
		{"fifo.png", "not a regular file"},
		{"big.png", "the limit is 4096 KiB"},
		{"text.png", "not a jpg or png"},
		{"missing.png", "cannot open"},
	}
	for _, tt := range tests {
		start := time.Now()
		data, err := Read(dir, tt.name)
		if time.Since(start) > time.Second {
			t.Errorf("%s: took %v", tt.name, time.Since(start))
		}
		switch {
		case tt.want == "" && (err != nil || string(data) != string(png)):
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
	}
}
