package evidence_test

import (
	"testing"

	"signbox/evidence"
	"signbox/evidence/evidencetest"
)

// Bundle paths of the demo release's documents.
var (
	advisoryPath = evidence.AdvisoryPath(evidencetest.Product, evidencetest.Version, 4)
	demoDocs     = evidence.Documents(evidencetest.Product, evidencetest.Version, 4)
)

func validateCSAF(t *testing.T, b []byte) {
	t.Helper()
	if err := evidence.ValidateCSAF(b); err != nil {
		t.Fatalf("advisory does not validate against the CSAF 2.0 schema:\n%v", err)
	}
}
