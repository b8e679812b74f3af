package ceremony

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"testing/quick"
)

// randomFill sets every exported field of v (recursively) to a random
// value: strings, numbers, bools, nil or present pointers, lists of 0-3
// entries. It knows no field by name, so a field added to Plan is filled
// too and the property below covers it.
func randomFill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.Intn(3) == 0 || depth > 8 {
			return // nil
		}
		v.Set(reflect.New(v.Type().Elem()))
		randomFill(r, v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				randomFill(r, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		n := r.Intn(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			randomFill(r, s.Index(i), depth+1)
		}
		if n > 0 || r.Intn(2) == 0 {
			v.Set(s) // an empty list encodes as [], a nil one as null
		}
	case reflect.String:
		if r.Intn(4) == 0 {
			v.SetString("") // exercises omitempty
			return
		}
		v.SetString(fmt.Sprintf("s%x \"q\" é", r.Int63()))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(r.Int63n(1<<40) - 1<<39)
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		v.SetUint(uint64(r.Int63n(1 << 32)))
	case reflect.Bool:
		v.SetBool(r.Intn(2) == 0)
	default:
		panic("randomFill: add a case for " + v.Kind().String())
	}
}

// jsonLeaves is the independent oracle: every leaf path of a JSON
// document and its value, from a generic decode.
func jsonLeaves(v any, path string, out map[string]string) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = "(none)"
		}
		for k, e := range x {
			jsonLeaves(e, join(k), out)
		}
	case []any:
		if len(x) == 0 {
			out[path] = "(none)"
		}
		for i, e := range x {
			jsonLeaves(e, path+"["+strconv.Itoa(i)+"]", out)
		}
	case nil:
		out[path] = "none"
	case string:
		out[path] = x
	case json.Number:
		out[path] = x.String()
	case bool:
		out[path] = strconv.FormatBool(x)
	}
}

// TestPlanRowsCoverCanonical: for random plans, the rows the plan pages
// are built from are exactly the leaves of the canonical JSON the digest
// is computed over, with the same values, and every row is in a section.
func TestPlanRowsCoverCanonical(t *testing.T) {
	prop := func(seed int64) bool {
		r := rand.New(rand.NewSource(seed))
		var p Plan
		randomFill(r, reflect.ValueOf(&p).Elem(), 0)
		canon := p.Canonical()
		var doc any
		dec := json.NewDecoder(bytesReader(canon))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		jsonLeaves(doc, "", want)
		rows := p.Rows()
		got := map[string]string{}
		for _, row := range rows {
			if _, dup := got[row.Path]; dup {
				t.Errorf("seed %d: row %s twice", seed, row.Path)
				return false
			}
			got[row.Path] = row.Value
		}
		if !reflect.DeepEqual(got, want) {
			for k, v := range want {
				if got[k] != v {
					t.Errorf("seed %d: leaf %s = %q, row says %q", seed, k, v, got[k])
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("seed %d: row %s is no leaf", seed, k)
				}
			}
			return false
		}
		var shown []Row
		for _, s := range p.Sections() {
			if s.Title == "" || len(s.Rows) == 0 {
				t.Errorf("seed %d: empty or untitled section %+v", seed, s)
				return false
			}
			shown = append(shown, s.Rows...)
		}
		return slices.Equal(shown, rows)
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 300}); err != nil {
		t.Fatal(err)
	}
}

// TestSectionsNameEveryPart: a top-level field no section title knows is
// still shown, under a section named after it.
func TestSectionsNameEveryPart(t *testing.T) {
	rows, err := LeafRows([]byte(`{"format":"x","product_family":{"name":"pump"},"release":{"images":[{"sha256":"ab"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, s := range SectionsOf(rows) {
		titles = append(titles, s.Title)
	}
	want := []string{"Ceremony", "product family", "Images as built (signing appends signatures only)"}
	if !slices.Equal(titles, want) {
		t.Fatalf("sections %q, want %q", titles, want)
	}
	if rows[2].Item != "release.images[0]" || rows[2].Label != "SHA-256" {
		t.Fatalf("row %+v", rows[2])
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
