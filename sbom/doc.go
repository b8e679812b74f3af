// Package sbom reads, validates and writes CycloneDX software bills of
// materials.
//
// # Reading
//
// [Read] decodes CycloneDX JSON or XML (spec 1.2 to 1.7) with cyclonedx-go and
// then checks what that library does not: the document against the
// official CycloneDX JSON schema of its own spec version (embedded from
// schema/, see its README; an XML document through its JSON rendering),
// plus what no schema can express: bom-refs duplicated or referenced but
// never defined, size and nesting limits, and leftover bytes.
// Every component, including nested ones, is normalised into a [Component]
// carrying the OSV ecosystem, the ecosystem's package name and the version.
// Components that cannot be matched against a vulnerability feed (no
// version, or neither a purl nor any other way to know the ecosystem) are
// listed in [SBOM.Unscannable] with the reason; they are never dropped
// silently, because a component nobody checked is the riskiest one.
//
// # Writing
//
// [WriteRelease] produces the release SBOM (CycloneDX 1.6): the firmware as
// metadata.component carrying the SHA-256 of every signed image, the
// request's components, and the FDA premarket fields (support level and
// end-of-support date per component) as properties. With
// [ReleasePolicy.RequireSupport] every component lacking one of them is
// listed in a [MissingSupportError]. The timestamp is an input: nothing in
// this package reads the clock.
package sbom
