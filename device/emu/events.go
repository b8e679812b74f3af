package emu

import "encoding/json"

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

// record sends an event; payload is marshalled to JSON. A failing sink is
// reported, not swallowed: a confirmation that cannot be recorded must not
// look like success (rauc#1140).
func (d *Device) record(typ string, payload any) error {
	if d.sink == nil {
		return nil
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	return d.sink.Record(typ, b)
}
