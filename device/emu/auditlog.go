package emu

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"signbox/audit"
)

// SetClock tells the device the time, as a host does over the OTA channel
// (the chip has no battery-backed clock). Events are stamped with it; a
// device opened without one stamps them with the newest time in its log
// and marks them clock=last-known. Only cmd/ and tests own clocks.
func (d *Device) SetClock(now func() time.Time) {
	if d.audit != nil {
		d.audit.now = now
	}
}

// AuditStatus describes the device's own audit log.
type AuditStatus struct {
	Origin      string // signbox.local/<serial>/audit
	VerifierKey string // the checkpoint key an auditor pins
	Entries     int64  // complete records on disk
	Pending     int    // events in RAM until the next save
	Problem     string // why the log could not be read, if it could not
}

// auditStatus reads the log without opening it for writing.
func (d *Device) auditStatus() *AuditStatus {
	if d.audit == nil {
		return nil
	}
	s := &AuditStatus{Origin: d.audit.id.AuditOrigin(), VerifierKey: d.audit.verifierKey(), Pending: len(d.audit.pending)}
	if d.dir == "" || d.audit.create {
		return s
	}
	err := audit.Walk(filepath.Join(d.dir, auditDirName), func(audit.Entry) error {
		s.Entries++
		return nil
	})
	if err != nil {
		s.Problem = err.Error()
	}
	return s
}

// AuditVerifierKey is the checkpoint verifier key of the device's log.
func (d *Device) AuditVerifierKey() (string, error) {
	if d.audit == nil {
		return "", ErrNoAuditLog
	}
	return d.audit.verifierKey(), nil
}

// ExportAudit writes the device's audit log for an auditor into out, which
// must not exist (package audit's export: entries, every checkpoint,
// consistency proofs, inclusion proofs of the refusals, the vkey). Events
// still in RAM are written first. The export appends an EXPORT entry and
// seals it, so it verifies OK against [Device.AuditVerifierKey].
func (d *Device) ExportAudit(out string, t time.Time) (audit.SignedHead, error) {
	if d.audit == nil {
		return audit.SignedHead{}, ErrNoAuditLog
	}
	if d.dir == "" {
		return audit.SignedHead{}, errors.New("export device audit log: in-memory device has no state directory")
	}
	var sh audit.SignedHead
	err := d.withLock(whatExport, func(bool) error {
		if err := d.audit.flush(d.dir); err != nil {
			return err
		}
		l, err := d.audit.open(d.dir, t)
		if err != nil {
			return err
		}
		sh, err = l.Export(out, t)
		if cerr := l.Close(t); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return sh, fmt.Errorf("export device audit log: %w", err)
	}
	return sh, nil
}
