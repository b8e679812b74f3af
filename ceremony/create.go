package ceremony

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"signbox/internal/atomicfile"
	"signbox/policy"
)

type inputFile struct {
	name string
	data []byte
}

var inputName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// readFile reads an input from outside the workspace with a size bound.
func readFile(name, path string) (inputFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return inputFile{}, fmt.Errorf("input %s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxInputSize+1))
	if err != nil {
		return inputFile{}, fmt.Errorf("input %s: %w", name, err)
	}
	if len(b) > MaxInputSize {
		return inputFile{}, fmt.Errorf("input %s: larger than %d bytes", name, MaxInputSize)
	}
	return inputFile{name: name, data: b}, nil
}

// create makes a new ceremony: claims its directory, copies the inputs in
// (so later steps read exactly what was planned), writes the plan, an empty
// approvals envelope and the state. On failure the new directory is removed.
func (w *Workspace) create(kind Kind, date string, pol *policy.Policy, files []inputFile, fill func(*Plan) error) (s *Session, err error) {
	if _, err := ParseDate(date); err != nil {
		return nil, err
	}
	plan := &Plan{
		Format: PlanFormat, Kind: kind, Date: date,
		Policy: PolicyRef{Name: pol.Name, Serial: pol.Serial, Digest: pol.Digest()},
		Inputs: []Input{},
	}
	for _, f := range files {
		if !inputName.MatchString(f.name) {
			return nil, fmt.Errorf("input name %q is not allowed", f.name)
		}
		plan.Inputs = append(plan.Inputs, Input{Name: f.name, SHA256: sha256Hex(f.data), Size: int64(len(f.data))})
	}
	if err := fill(plan); err != nil {
		return nil, err
	}
	id, seq, err := w.claim(kind)
	if err != nil {
		return nil, err
	}
	dir := w.ceremonyDir(id)
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	plan.ID, plan.Sequence = id, seq
	if err := plan.check(); err != nil {
		return nil, err
	}
	if err := writeInputs(dir, files); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteNew(filepath.Join(dir, "plan.json"), plan.Canonical(), 0o644); err != nil {
		return nil, err
	}
	st := stateFile{Format: stateFormat, ID: id, PlanDigest: plan.Digest().String(), Step: StepPlanned.String()}
	if err := writeJSON(filepath.Join(dir, "state.json"), st); err != nil {
		return nil, err
	}
	if s, err = w.Open(id); err != nil {
		return nil, err
	}
	return s, s.record("planned", [2]string{"date", plan.Date}, [2]string{"policy", plan.Policy.Digest})
}

func writeInputs(dir string, files []inputFile) error {
	if err := os.Mkdir(filepath.Join(dir, "inputs"), 0o700); err != nil {
		return err
	}
	for _, f := range files {
		if err := atomicfile.WriteNew(filepath.Join(dir, "inputs", f.name), f.data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// activeSecureBootKeys are the slots a release signs with: active in the
// policy and not revoked in the workspace, in slot order.
func (w *Workspace) activeSecureBootKeys(pol *policy.Policy) ([]KeyRef, error) {
	rv, err := w.Revocations()
	if err != nil {
		return nil, err
	}
	var keys []KeyRef
	for slot := range policy.MaxSecureBootSlots {
		k := pol.SecureBootSlot(slot)
		if k == nil || k.Status != policy.StatusActive || rv.Revoked(slot) {
			continue
		}
		keys = append(keys, secureBootRef(k))
	}
	return keys, nil
}

func secureBootRef(k *policy.SecureBootKey) KeyRef {
	return KeyRef{Purpose: "secure_boot", Slot: k.Slot, Label: k.Label, Algorithm: k.Algorithm, Fingerprint: k.Fingerprint}
}
