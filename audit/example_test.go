package audit_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"

	"signbox/audit"
)

// A device-emulator style log with software keys: create, record a
// refused update, export, and verify the export as an auditor would.
func Example() {
	root, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(root)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

	keys, _ := audit.NewDerivedKeys(bytes.Repeat([]byte{7}, 32)) // escrowed seed
	signer := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	cfg := audit.Config{
		Origin: "signbox.local/EMU-0001/audit",
		Keys:   keys,
		Signer: signer,
		Floor:  audit.FileFloor(filepath.Join(root, "floor")),
	}
	l, err := audit.Create(filepath.Join(root, "log"), cfg, now)
	if err != nil {
		panic(err)
	}
	p, _ := audit.Fields("reason", "secure_version 3 below eFuse 4", "slot", "B")
	if _, err := l.Append(audit.UpdateRejected, p, now.Add(time.Minute)); err != nil {
		panic(err)
	}
	sh, err := l.Export(filepath.Join(root, "export"), now.Add(2*time.Minute))
	if err != nil {
		panic(err)
	}
	l.Close(now.Add(3 * time.Minute))

	trusted, _ := note.NewVerifier(l.VerifierKey()) // pinned out of band
	r, err := audit.Verify(filepath.Join(root, "export"), audit.VerifyOptions{Trusted: trusted})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Verdict, r.Entries, sh.Size, r.Inclusions)
	// Output: OK 5 5 1
}
