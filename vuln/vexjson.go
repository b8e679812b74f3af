package vuln

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// jsonWriter appends indented JSON (two spaces, like encoding/json's
// MarshalIndent and cyclonedx-go's pretty encoder) to a byte slice, so the
// VEX is written once, value by value, with no intermediate document, no
// reflection and no re-parse. Strings are escaped exactly as
// encoding/json does with HTML escaping on (cyclonedx-go's default), so
// the bytes equal what cyclonedx-go would write for the same document
// (pinned by TestVEXWriterMatchesCycloneDX).
type jsonWriter struct {
	b     []byte
	depth int
	first bool // no member written yet at this depth
}

func (j *jsonWriter) newline() {
	j.b = append(j.b, '\n')
	for range j.depth {
		j.b = append(j.b, ' ', ' ')
	}
}

// elem starts a value inside an array or after a key.
func (j *jsonWriter) elem() {
	if !j.first {
		j.b = append(j.b, ',')
	}
	j.first = false
	j.newline()
}

func (j *jsonWriter) open(c byte) {
	j.b = append(j.b, c)
	j.depth++
	j.first = true
}

func (j *jsonWriter) close(c byte) {
	j.depth--
	if !j.first {
		j.newline()
	}
	j.first = false
	j.b = append(j.b, c)
}

// key writes "name": ready for the value.
func (j *jsonWriter) key(name string) {
	j.elem()
	j.b = appendJSONString(j.b, name)
	j.b = append(j.b, ':', ' ')
}

func (j *jsonWriter) str(name, v string) {
	j.key(name)
	j.b = appendJSONString(j.b, v)
}

// strOmit writes the member only when v is set (omitempty).
func (j *jsonWriter) strOmit(name, v string) {
	if v != "" {
		j.str(name, v)
	}
}

func (j *jsonWriter) int(name string, v int) {
	j.key(name)
	j.b = strconv.AppendInt(j.b, int64(v), 10)
}

// float writes v as encoding/json does for float64 values in the CVSS
// range (0-10): the shortest decimal form.
func (j *jsonWriter) float(name string, v float64) {
	j.key(name)
	j.b = strconv.AppendFloat(j.b, v, 'f', -1, 64)
}

func (j *jsonWriter) obj(name string) {
	j.key(name)
	j.open('{')
}

func (j *jsonWriter) arr(name string) {
	j.key(name)
	j.open('[')
}

// item starts an object element of an array.
func (j *jsonWriter) item() {
	j.elem()
	j.open('{')
}

// flush writes out what is buffered once it reaches at least n bytes.
func (j *jsonWriter) flush(w io.Writer, n int) error {
	if len(j.b) < n {
		return nil
	}
	_, err := w.Write(j.b)
	j.b = j.b[:0]
	return err
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping:
// ", \ and control characters escaped, <, > and & as \u003c, \u003e,
// \u0026, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
