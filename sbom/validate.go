package sbom

import (
	"errors"
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// validator collects every problem rather than stopping at the first, so
// one run tells the SBOM's author everything to fix.
type validator struct {
	refs      map[string]string // bom-ref -> where it was defined
	count     int
	overLimit bool // too many or too deeply nested components
	errs      []error
}

func (v *validator) addf(format string, args ...any) {
	if len(v.errs) < 50 {
		v.errs = append(v.errs, fmt.Errorf(format, args...))
	}
}

// validate checks what the CycloneDX schema cannot express: bom-refs
// unique and every reference resolved, within signbox's size limits.
// overLimit says the document is too large to be worth a schema check.
func validate(bom *cdx.BOM) (err error, overLimit bool) {
	v := &validator{refs: map[string]string{}}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		v.component(bom.Metadata.Component, "metadata.component", 0)
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			v.component(&(*bom.Components)[i], fmt.Sprintf("components[%d]", i), 0)
		}
	}
	if bom.Services != nil {
		for i, s := range *bom.Services {
			v.define(s.BOMRef, fmt.Sprintf("services[%d]", i))
		}
	}
	v.vulnerabilities(bom)
	v.dependencies(bom)
	return errors.Join(v.errs...), v.overLimit
}

func (v *validator) define(ref, where string) {
	if ref == "" {
		return
	}
	if prev, dup := v.refs[ref]; dup {
		v.addf("%s: bom-ref %q is already used by %s", where, ref, prev)
		return
	}
	v.refs[ref] = where
}

func (v *validator) component(c *cdx.Component, where string, depth int) {
	v.count++
	if v.count > MaxComponents {
		if v.count == MaxComponents+1 {
			v.addf("more than %d components", MaxComponents)
		}
		v.overLimit = true
		return
	}
	if depth > MaxNesting {
		v.addf("%s: components nested deeper than %d levels", where, MaxNesting)
		v.overLimit = true
		return
	}
	v.define(c.BOMRef, where)
	if c.Components != nil {
		for i := range *c.Components {
			v.component(&(*c.Components)[i], fmt.Sprintf("%s.components[%d]", where, i), depth+1)
		}
	}
}
