package emu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"signbox/audit"
)

// AuditEntry turns one device event (as sent to an [EventSink]) into an
// audit entry type and a Fields payload:
//
//	device.provision  PROVISIONED
//	device.boot       BOOT_RESULT
//	device.install    UPDATE_ACCEPTED, or UPDATE_REJECTED when refused
//	device.confirm    UPDATE_CONFIRMED, or UPDATE_REJECTED when it failed
//	                  (the update stays unconfirmed)
//	device.reject     UPDATE_REJECTED (the running app rejected itself)
//	device.revoke     CONFIG_CHANGE (a key revoke bit, or its refusal)
//
// The payload starts with event= and result= (ok, or failed when the
// operation returned an error), then the event's JSON fields in order,
// arrays as repeated keys; the error becomes reason=, which every
// rejection carries.
func AuditEntry(typ string, payload []byte) (audit.Type, []byte, error) {
	kv, err := flatten(payload)
	if err != nil {
		return 0, nil, fmt.Errorf("device event %s: %w", typ, err)
	}
	reason, failed := "", false
	var rest []string
	for i := 0; i < len(kv); i += 2 {
		if kv[i] == "error" {
			reason, failed = kv[i+1], true
			continue
		}
		rest = append(rest, kv[i], kv[i+1])
	}
	var t audit.Type
	switch typ {
	case EventProvision:
		t = audit.Provisioned
	case EventBoot:
		t = audit.BootResult
	case EventInstall:
		t = pick(failed, audit.UpdateRejected, audit.UpdateAccepted)
	case EventConfirm:
		t = pick(failed, audit.UpdateRejected, audit.UpdateConfirmed)
	case EventReject:
		t = audit.UpdateRejected
		if !failed {
			reason = "rejected by the running app; rolled back"
		}
	case EventRevoke:
		t = audit.ConfigChange
	default:
		return 0, nil, fmt.Errorf("device event %q: unknown type", typ)
	}
	out := []string{"event", typ, "result", pick(failed, "failed", "ok")}
	out = append(out, rest...)
	if reason != "" {
		out = append(out, "reason", reason)
	}
	p, err := audit.Fields(out...)
	if err != nil {
		return 0, nil, fmt.Errorf("device event %s: %w", typ, err)
	}
	return t, p, nil
}

func pick[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}

// flatten reads a flat JSON object (what [Device.record] marshals) into
// key, value pairs in document order. Nested objects are not expected and
// refused; arrays of scalars become repeated keys.
func flatten(payload []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("payload is not a JSON object")
	}
	var kv []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // object keys are always strings
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		vals, err := scalars(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", key, err)
		}
		for _, s := range vals {
			kv = append(kv, key, s)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return kv, nil
}

func scalars(v any) ([]string, error) {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			switch e.(type) {
			case []any, map[string]any:
				return nil, errors.New("nested arrays and objects are not supported")
			}
			s, _ := scalars(e)
			out = append(out, s...)
		}
		return out, nil
	case map[string]any:
		return nil, errors.New("nested objects are not supported")
	case nil:
		return []string{""}, nil
	case string:
		return []string{oneLine(x)}, nil
	default:
		return []string{fmt.Sprint(x)}, nil
	}
}

// oneLine makes an error text a Fields value: errors.Join puts newlines
// between the errors it joins, and Fields refuses control characters.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
