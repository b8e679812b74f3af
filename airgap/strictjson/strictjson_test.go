package strictjson

import (
	"strings"
	"testing"
)

type inner struct {
	Path string `json:"path"`
}

type outer struct {
	Kind  string  `json:"kind"`
	Files []inner `json:"files"`
	Opt   *inner  `json:"opt,omitempty"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"ok", `{"kind":"k","files":[{"path":"a"}]}`, ""},
		{"unknown", `{"kind":"k","extra":1}`, `unknown field "extra"`},
		{"nested unknown", `{"files":[{"path":"a","mode":1}]}`, `unknown field "mode"`},
		{"case variant", `{"Kind":"k"}`, `unknown field "Kind" at top level`},
		{"nested case variant", `{"opt":{"PATH":"a"}}`, `unknown field "PATH" at opt`},
		{"duplicate", `{"kind":"a","kind":"b"}`, `duplicate key "kind"`},
		{"nested duplicate", `{"files":[{"path":"a","path":"b"}]}`, `duplicate key "path"`},
		{"same key in siblings", `{"files":[{"path":"a"},{"path":"b"}]}`, ""},
		{"trailing", `{"kind":"k"} {}`, "after top-level value"},
		{"trailing garbage", `{"kind":"k"}x`, "invalid character"},
		{"bad utf8", "{\"kind\":\"\xff\"}", "invalid UTF-8"},
		{"deep", strings.Repeat("[", 20) + strings.Repeat("]", 20), "nesting deeper"},
		{"not object", `[1]`, "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v outer
			err := Decode([]byte(tc.in), &v)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.err)
			}
		})
	}
}

type embedded struct {
	Role string `json:"role"`
	inner
}

func TestDecodeEmbedded(t *testing.T) {
	var v embedded
	if err := Decode([]byte(`{"role":"app","path":"a"}`), &v); err != nil || v.Path != "a" {
		t.Fatalf("Decode = %v, %+v", err, v)
	}
	if err := Decode([]byte(`{"role":"app","Path":"a"}`), &v); err == nil {
		t.Fatal("case-variant key in embedded struct accepted")
	}
}

func TestDecodeIgnoringUnknown(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"unknown skipped", `{"kind":"k","extra":{"a":[1,2]}}`, ""},
		{"nested unknown skipped", `{"files":[{"path":"a","mode":1}]}`, ""},
		{"case variant", `{"Kind":"k"}`, `field "Kind" at top level differs from "kind" only in case`},
		{"nested case variant", `{"opt":{"PATH":"a"}}`, `field "PATH" at opt differs from "path" only in case`},
		{"duplicate", `{"kind":"a","kind":"b"}`, `duplicate key "kind"`},
		{"duplicate in unknown", `{"x":{"a":1,"a":2}}`, `duplicate key "a"`},
		{"trailing", `{"kind":"k"} {}`, "after top-level value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v outer
			err := DecodeIgnoringUnknown([]byte(tt.in), &v)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("got %v, want %q", err, tt.err)
			}
		})
	}
}
