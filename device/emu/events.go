package emu

import (
	"encoding/json"
	"errors"
)

// EventSink receives one record per device event: boot verdicts, install
// accepted or refused with the reason, confirm, reject, revoke, provision.
// The appliance's audit log implements it; the emulator only declares what
// it needs.
type EventSink interface {
	Record(typ string, payload []byte) error
}

// Event types passed to [EventSink.Record].
const (
	EventProvision = "device.provision"
	EventBoot      = "device.boot"
	EventInstall   = "device.install"
	EventConfirm   = "device.confirm"
	EventReject    = "device.reject"
	EventRevoke    = "device.revoke"
)

// record sends an event to the device's own audit log and to the sink set
// with SetEventSink; payload is marshalled to JSON. A failing sink is
// reported, not swallowed: a confirmation that cannot be recorded must not
// look like success (rauc#1140).
//
// The device's own log does not hear of an operation that lost power: on
// a chip the event would still be in RAM when the power went, so the log
// may lack it but never claims an operation that was cut short.
func (d *Device) record(typ string, payload any) error {
	if d.sink == nil && d.audit == nil {
		return nil
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	var errs []error
	if d.audit != nil && !d.power.Off() {
		errs = append(errs, d.audit.Record(typ, b))
	}
	if d.sink != nil {
		errs = append(errs, d.sink.Record(typ, b))
	}
	return errors.Join(errs...)
}
