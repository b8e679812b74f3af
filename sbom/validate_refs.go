package sbom

import (
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func (v *validator) dependencies(bom *cdx.BOM) {
	if bom.Dependencies == nil {
		return
	}
	for i, d := range *bom.Dependencies {
		where := fmt.Sprintf("dependencies[%d]", i)
		v.ref(d.Ref, where+".ref")
		if d.Dependencies != nil {
			for j, r := range *d.Dependencies {
				v.ref(r, fmt.Sprintf("%s.dependsOn[%d]", where, j))
			}
		}
	}
}

// ref checks that a reference points at a bom-ref defined in this document.
// BOM-Links (urn:cdx:...) point into other documents and cannot be checked
// here.
func (v *validator) ref(r, where string) {
	if r == "" {
		v.addf("%s: empty reference", where)
		return
	}
	if cdx.IsBOMLink(r) {
		return
	}
	if _, ok := v.refs[r]; !ok {
		v.addf("%s: reference %q names no bom-ref in this SBOM", where, r)
	}
}

func (v *validator) vulnerabilities(bom *cdx.BOM) {
	if bom.Vulnerabilities == nil {
		return
	}
	for i := range *bom.Vulnerabilities {
		vu := &(*bom.Vulnerabilities)[i]
		where := fmt.Sprintf("vulnerabilities[%d]", i)
		v.define(vu.BOMRef, where)
	}
	// Affects are checked after every bom-ref is known.
	for i, vu := range *bom.Vulnerabilities {
		if vu.Affects == nil {
			continue
		}
		for j, a := range *vu.Affects {
			w := fmt.Sprintf("vulnerabilities[%d].affects[%d]", i, j)
			v.ref(a.Ref, w+".ref")
		}
	}
}
