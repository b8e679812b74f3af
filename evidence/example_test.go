package evidence_test

import (
	"fmt"
	"os"

	"signbox/bundle"
	"signbox/evidence"
	"signbox/evidence/evidencetest"
)

// The appliance, after a release ceremony: generate the documents from the
// same SBOM and VEX bytes that go into the bundle, and add them as bundle
// documents so the signed manifest covers them.
func ExampleGenerate() {
	scratch, _ := os.MkdirTemp("", "evidence-example")
	defer os.RemoveAll(scratch)
	in, err := evidencetest.Inputs(evidencetest.GoldenImages, scratch) // the appliance fills Inputs itself
	if err != nil {
		fmt.Println(err)
		return
	}
	docs, err := evidence.Generate(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &bundle.Contents{SBOM: in.SBOM, VEX: in.VEX /* images, keys, transcript, ... */}
	for _, name := range evidence.Documents(in.Product, in.Version, in.SecurityVersion.New) {
		c.Documents = append(c.Documents, bundle.NamedFile{Name: name, Data: docs[name]})
		fmt.Println(name)
	}
	// Output:
	// csaf/infusion-pump-2_5_0-sv4.json
	// NOTICE.md
	// rollout.json
	// evidence.json
	// EVIDENCE.md
}
