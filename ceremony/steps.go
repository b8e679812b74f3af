package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"signbox/internal/atomicfile"
)

// Checks lists, in words, what a step checked; the TUI shows it.
type Checks []string

// VerifyInputs re-hashes every input against the plan and parses it.
func (s *Session) VerifyInputs() (Checks, error) {
	if err := s.need("VerifyInputs", StepPlanned); err != nil {
		return nil, err
	}
	var checks Checks
	for _, in := range s.plan.Inputs {
		b, err := readInput(s.inputPath(in.Name), in)
		if err != nil {
			return nil, err
		}
		s.inputs[in.Name] = b
		checks = append(checks, fmt.Sprintf("%s: %d bytes, %s", in.Name, in.Size, in.SHA256))
	}
	more, err := s.kind.checkInputs(s)
	if err != nil {
		return nil, err
	}
	if err := s.record("inputs verified"); err != nil {
		return nil, err
	}
	s.step = StepInputsVerified
	return append(checks, more...), nil
}

func readInput(path string, in Input) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", in.Name, err)
	}
	if st.Size() != in.Size || st.Size() > MaxInputSize {
		return nil, fmt.Errorf("%w: %s is %d bytes, the plan says %d", ErrInputChanged, in.Name, st.Size(), in.Size)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", in.Name, err)
	}
	if got := sha256Hex(b); got != in.SHA256 {
		return nil, fmt.Errorf("%w: %s has %s, the plan says %s", ErrInputChanged, in.Name, got, in.SHA256)
	}
	return b, nil
}

func sha256Hex(b []byte) string {
	d := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(d[:])
}

// EvaluatePolicy checks the plan against the policy: products, keys,
// security versions and the rules of the ceremony kind.
func (s *Session) EvaluatePolicy() (Checks, error) {
	if err := s.need("EvaluatePolicy", StepInputsVerified); err != nil {
		return nil, err
	}
	checks, err := s.kind.evaluate(s)
	if err != nil {
		return nil, err
	}
	if err := s.record("policy evaluated"); err != nil {
		return nil, err
	}
	s.step = StepPolicyEvaluated
	return checks, nil
}

// CollectQuorum counts the approvals. It returns the Quorum that Sign
// requires only when the policy's threshold of distinct custodians is met.
func (s *Session) CollectQuorum() (*Quorum, error) {
	if err := s.need("CollectQuorum", StepPolicyEvaluated); err != nil {
		return nil, err
	}
	prog, err := s.Progress()
	if err != nil {
		return nil, err
	}
	if !prog.Met() {
		if s.next != nil {
			if np, err := countApprovals(s.env, s.plan, s.digest, s.next, nil); err == nil && np.Met() {
				return nil, fmt.Errorf("%w: the approvals meet the new policy's threshold but only %s under the current policy (serial %d)", ErrNewPolicyApproval, prog, s.pol.Serial)
			}
		}
		return nil, fmt.Errorf("%w: %s; still possible: %v", ErrTooFewApprovals, prog, prog.Pending)
	}
	var who [][2]string
	for _, a := range prog.Approved {
		who = append(who, [2]string{"approved", a.Custodian + " " + a.Fingerprint})
	}
	if err := s.record("quorum reached", who...); err != nil {
		return nil, err
	}
	s.step = StepQuorum
	return &Quorum{digest: s.digest, session: s, approvals: prog.Approved}, nil
}

// Sign does the ceremony's irreversible HSM work: signs images (release),
// generates keys (key generation), signs the revocation record (key
// revocation) or checks the new pins against the HSM (policy change).
// Every key is checked against its pin before anything happens; the
// intent to sign is made durable first, so a crash during signing leaves a
// ceremony that refuses to run again rather than one that signs twice.
func (s *Session) Sign(q *Quorum, ks KeyStore) ([]Input, error) {
	if err := s.need("Sign", StepQuorum); err != nil {
		return nil, err
	}
	if q == nil || q.session != s || q.digest != s.digest {
		return nil, errors.New("Sign: the quorum is not this session's")
	}
	if err := s.kind.preflight(s, ks); err != nil {
		return nil, err
	}
	// Recorded before the claim: if the audit log cannot take it, nothing
	// has been claimed and the ceremony can still sign later.
	if err := s.record("signing"); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteNew(filepath.Join(s.dir, "sign.intent"), []byte(s.digest.String()+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("Sign: claim the signing step: %w", err)
	}
	s.state.Approvals = q.approvals
	if err := s.saveState(StepSigning); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(s.dir, "out"), 0o700); err != nil {
		return nil, err
	}
	outs, err := s.kind.sign(s, ks)
	if err != nil {
		return nil, fmt.Errorf("%w (ceremony %s is now closed: %v)", ErrInterrupted, s.plan.ID, err)
	}
	s.state.Outputs = outs
	if err := s.saveState(StepSigned); err != nil {
		return nil, err
	}
	var fields [][2]string
	for _, o := range outs {
		fields = append(fields, [2]string{o.Name, o.SHA256})
	}
	return outs, s.record("signed", fields...)
}

// writeOutput writes a new output file and records it.
func (s *Session) writeOutput(name string, b []byte) (Input, error) {
	if err := atomicfile.WriteNew(s.outPath(name), b, 0o644); err != nil {
		return Input{}, err
	}
	return Input{Name: name, SHA256: sha256Hex(b), Size: int64(len(b))}, nil
}

// Verify re-reads every output from disk and checks it the way its
// consumer will (for images: the device's Secure Boot check).
func (s *Session) Verify() (Checks, error) {
	if err := s.need("Verify", StepSigned); err != nil {
		return nil, err
	}
	for _, o := range s.state.Outputs {
		b, err := readInput(s.outPath(o.Name), o)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		s.inputs["out/"+o.Name] = b
	}
	checks, err := s.kind.verify(s)
	if err != nil {
		return nil, err
	}
	if err := s.saveState(StepVerified); err != nil {
		return nil, err
	}
	return checks, s.record("verified")
}

// output returns a verified output's bytes (after Verify) or reads it.
func (s *Session) output(name string) ([]byte, error) {
	if b, ok := s.inputs["out/"+name]; ok {
		return b, nil
	}
	for _, o := range s.state.Outputs {
		if o.Name == name {
			return readInput(s.outPath(name), o)
		}
	}
	return nil, fmt.Errorf("no output %s", name)
}

// planInput returns an input's bytes, reading it and checking it against
// the plan if this session has not done so yet (a ceremony resumed after
// signing).
func (s *Session) planInput(name string) ([]byte, error) {
	if b, ok := s.inputs[name]; ok {
		return b, nil
	}
	for _, in := range s.plan.Inputs {
		if in.Name == name {
			b, err := readInput(s.inputPath(name), in)
			if err != nil {
				return nil, err
			}
			s.inputs[name] = b
			return b, nil
		}
	}
	return nil, fmt.Errorf("no input %s in the plan", name)
}

// Export writes the transcript and updates the workspace records
// (security versions, revocations, the policy). Running it again after a
// crash finishes the same work without duplicating it.
func (s *Session) Export() (Checks, error) {
	if err := s.need("Export", StepVerified); err != nil {
		return nil, err
	}
	t, err := s.transcript()
	if err != nil {
		return nil, err
	}
	path := s.outPath("transcript.json")
	if err := atomicfile.WriteNew(path, t, 0o644); err != nil {
		if old, rerr := os.ReadFile(path); rerr != nil || !bytes.Equal(old, t) {
			return nil, err
		}
	}
	checks, err := s.kind.export(s)
	if err != nil {
		return nil, err
	}
	if err := s.saveState(StepExported); err != nil {
		return nil, err
	}
	if err := s.record("exported", [2]string{"transcript", sha256Hex(t)}); err != nil {
		return nil, err
	}
	return append(Checks{"transcript: " + path}, checks...), nil
}
