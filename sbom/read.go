package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Format is an SBOM encoding.
type Format int

const (
	// FormatAuto picks JSON or XML from the first non-blank byte.
	FormatAuto Format = iota
	FormatJSON
	FormatXML
)

func (f Format) String() string {
	switch f {
	case FormatJSON:
		return "json"
	case FormatXML:
		return "xml"
	}
	return "auto"
}

// ErrMalformed reports an SBOM that cannot be decoded or breaks the
// CycloneDX rules signbox checks. The wrapping error names what is wrong.
var ErrMalformed = errors.New("malformed SBOM")

// ErrSpecVersion reports a CycloneDX spec version signbox does not read.
var ErrSpecVersion = errors.New("unsupported CycloneDX spec version")

// SBOM is a decoded, validated CycloneDX document.
type SBOM struct {
	BOM         *cdx.BOM
	SpecVersion cdx.SpecVersion
	Format      Format
	// Components are the scannable components, nested ones included, in
	// document order. metadata.component (the product itself) is not here.
	Components []Component
	// Unscannable lists components that cannot be matched against a feed,
	// with the reason.
	Unscannable []Unscannable
}

// Read decodes and validates a CycloneDX SBOM of spec 1.2 to 1.7.
func Read(r io.Reader, format Format) (*SBOM, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSBOMBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read SBOM: %w", err)
	}
	if len(data) > MaxSBOMBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxSBOMBytes)
	}
	return Parse(data, format)
}

// Parse is [Read] over bytes already in memory.
func Parse(data []byte, format Format) (*SBOM, error) {
	s, wait, err := ParseAsync(data, format)
	if err != nil {
		return nil, err
	}
	if err := wait(); err != nil {
		return nil, err
	}
	return s, nil
}

// ParseAsync is [Parse] with the schema check (the costly part: compiling
// the official schema and validating against it) left running in the
// background. The document is decoded and its bom-refs and limits checked
// before it returns; wait returns the schema verdict, and nothing taken
// from the SBOM may be shown or written before wait has returned nil. A
// scan uses the time to open the feed and match.
func ParseAsync(data []byte, format Format) (*SBOM, func() error, error) {
	if format == FormatAuto {
		format = detect(data)
	}
	if format == FormatJSON {
		if v, ok := peekSpecVersion(data); ok {
			// Compile the schema while the document decodes.
			go func() { _, _ = schemaFor(v) }()
		}
	}
	bom, err := decode(data, format)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSpecVersion(bom, format); err != nil {
		return nil, nil, err
	}
	refErr, overLimit := validate(bom)
	if overLimit {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, refErr)
	}
	schemaData := data
	if format == FormatXML {
		// An XML document is checked through its JSON rendering (the
		// schemas are JSON schemas), marshalled as decoded: cyclonedx-go's
		// encoder would downgrade values the version lacks (a type to
		// "application", a hash dropped) and so hide exactly what the
		// schema must refuse.
		if schemaData, err = json.Marshal(bom); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, errors.Join(refErr, fmt.Errorf("render as JSON for the schema: %w", err)))
		}
	}
	done := make(chan error, 1)
	go func() { done <- validateSchema(schemaData, bom.SpecVersion) }()
	var once sync.Once
	var verdict error
	wait := func() error {
		once.Do(func() {
			if err := errors.Join(<-done, refErr); err != nil {
				verdict = fmt.Errorf("%w: %w", ErrMalformed, err)
			}
		})
		return verdict
	}
	if refErr != nil {
		return nil, nil, wait()
	}
	s := &SBOM{BOM: bom, SpecVersion: bom.SpecVersion, Format: format}
	s.Components, s.Unscannable = normaliseAll(bom)
	return s, wait, nil
}

// peekSpecVersion finds specVersion near the start of a JSON document
// without decoding it, to start compiling its schema early; a miss only
// loses that head start.
func peekSpecVersion(data []byte) (cdx.SpecVersion, bool) {
	head := data[:min(len(data), 4096)]
	i := bytes.Index(head, []byte(`"specVersion"`))
	if i < 0 {
		return 0, false
	}
	rest := bytes.TrimLeft(head[i+len(`"specVersion"`):], " \t\r\n")
	rest, ok := bytes.CutPrefix(rest, []byte(":"))
	if !ok {
		return 0, false
	}
	rest = bytes.TrimLeft(rest, " \t\r\n")
	for v := range schemaFiles {
		if bytes.HasPrefix(rest, []byte(`"`+v.String()+`"`)) {
			return v, true
		}
	}
	return 0, false
}

func detect(data []byte) Format {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '<' {
		return FormatXML
	}
	return FormatJSON
}

func decode(data []byte, format Format) (*cdx.BOM, error) {
	var bom cdx.BOM
	switch format {
	case FormatJSON:
		if err := decodeJSONStrict(data, &bom); err != nil {
			return nil, err
		}
		if bom.BOMFormat != "CycloneDX" {
			return nil, fmt.Errorf("%w: bomFormat is %q, want \"CycloneDX\"", ErrMalformed, bom.BOMFormat)
		}
	case FormatXML:
		if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
			return nil, fmt.Errorf("%w: decode XML: %w", ErrMalformed, err)
		}
		bom.BOMFormat = "CycloneDX" // XML says so by its namespace

	default:
		return nil, fmt.Errorf("unknown SBOM format %d", format)
	}
	return &bom, nil
}

func checkSpecVersion(bom *cdx.BOM, format Format) error {
	if format == FormatXML && bom.SpecVersion == 0 {
		return fmt.Errorf("%w: XML namespace %q is not a CycloneDX namespace signbox knows", ErrSpecVersion, bom.XMLNS)
	}
	if bom.SpecVersion == 0 {
		return fmt.Errorf("%w: specVersion is missing", ErrSpecVersion)
	}
	if bom.SpecVersion < cdx.SpecVersion1_2 || bom.SpecVersion > cdx.SpecVersion1_7 {
		return fmt.Errorf("%w: %s (signbox reads 1.2 to 1.7)", ErrSpecVersion, bom.SpecVersion)
	}
	return nil
}
