package common

import (
	"reflect"
	"strings"
	"testing"
)

func TestHexGroups(t *testing.T) {
	hex := strings.Repeat("0123456789abcdef", 4)
	got := HexGroups(hex, 8)
	want := []string{
		"0123 4567 89ab cdef 0123 4567 89ab cdef",
		"0123 4567 89ab cdef 0123 4567 89ab cdef",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("HexGroups = %q", got)
	}
	if got := HexGroups("abcdef", 8); !reflect.DeepEqual(got, []string{"abcd ef"}) {
		t.Fatalf("short digest: %q", got)
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"", 20, []string{""}},
		{"one two three", 20, []string{"one two three"}},
		{"one two three", 10, []string{"one two", "three"}},
		{"abcdefghijklmnopqrstuvwxy z", 10, []string{"abcdefghij", "klmnopqrst", "uvwxy z"}},
	} {
		if got := Wrap(tc.in, tc.width); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestBar(t *testing.T) {
	for _, tc := range []struct {
		done, total int
		want        string
	}{
		{0, 2, "[----] 0/2"},
		{1, 2, "[##--] 1/2"},
		{3, 2, "[####] 2/2"},
		{0, 0, "[----] 0/1"},
	} {
		if got := Bar(tc.done, tc.total, 4); got != tc.want {
			t.Errorf("Bar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}

func TestShortAndBytes(t *testing.T) {
	if got := Short("sha256:0123456789abcdef"); got != "0123456789ab…" {
		t.Errorf("Short = %q", got)
	}
	if got := Bytes(851968); got != "832.0 KiB" {
		t.Errorf("Bytes = %q", got)
	}
}
