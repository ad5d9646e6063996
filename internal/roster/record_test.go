package roster

import (
	"strings"
	"testing"
)

func TestRecord(t *testing.T) {
	big := strings.Repeat("x", 70000)
	tests := [][]string{
		nil,
		{""},
		{" Ana ", "", "ana@x.example", "\tE1\n"},
		{"a", big, "b"}, // past 64 KiB: 4-byte offsets
	}
	for _, cells := range tests {
		r := NewRecord(7, cells)
		if r.Row != 7 || r.Len() != len(cells) {
			t.Fatalf("row %d len %d, want 7 %d", r.Row, r.Len(), len(cells))
		}
		for i, c := range cells {
			if got := r.Cell(i); got != strings.TrimSpace(c) {
				t.Errorf("Cell(%d) = %.20q, want %.20q", i, got, strings.TrimSpace(c))
			}
		}
		if r.Cell(len(cells)) != "" || r.Cell(-1) != "" {
			t.Error("out-of-range cell not empty")
		}
		empty := strings.TrimSpace(strings.Join(cells, "")) == ""
		if r.Empty() != empty {
			t.Errorf("Empty() = %v for %q", r.Empty(), cells)
		}
	}
	var zero Record
	if zero.Len() != 0 || zero.Cell(0) != "" || !zero.Empty() {
		t.Error("zero record")
	}
}
