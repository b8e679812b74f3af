package ceremony

import (
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"signbox/internal/atomicfile"
	"signbox/policy"
)

// Session is one ceremony in progress. Its methods are the ceremony's
// steps; each refuses, with an error wrapping ErrOutOfOrder, when the step
// before it has not run. A Session is not safe for concurrent use.
type Session struct {
	ws      *Workspace
	dir     string
	pol     *policy.Policy // the policy the plan was made under
	next    *policy.Policy // policy change only: the proposed policy
	plan    *Plan
	digest  Digest
	step    Step
	state   stateFile
	env     *dsse.Envelope
	kind    kindHandler
	inputs  map[string][]byte // verified input bytes, from VerifyInputs
	scratch map[string]any    // per-kind results carried between steps
}

// kindHandler is what differs between ceremony kinds.
type kindHandler interface {
	checkInputs(s *Session) ([]string, error)
	evaluate(s *Session) ([]string, error)
	preflight(s *Session, ks KeyStore) error
	sign(s *Session, ks KeyStore) ([]Input, error)
	verify(s *Session) ([]string, error)
	export(s *Session) ([]string, error)
}

// handlerFor picks the plan's handler: its kind, and for a release whether
// it signs ESP32 images or one image of another device family.
func handlerFor(p *Plan) (kindHandler, error) {
	switch p.Kind {
	case policy.KindReleaseSigning:
		if p.Release != nil && p.Release.Image != nil {
			return imageReleaseKind{}, nil
		}
		return releaseKind{}, nil
	case policy.KindKeyGeneration:
		return keygenKind{}, nil
	case policy.KindKeyRevocation:
		return revokeKind{}, nil
	case policy.KindPolicyChange:
		return policyChangeKind{}, nil
	}
	return nil, fmt.Errorf("unknown ceremony kind %q", p.Kind)
}

// Open loads an existing ceremony. A ceremony interrupted while signing
// is refused with ErrInterrupted; one that finished signing resumes at
// Verify or Export.
func (w *Workspace) Open(id string) (*Session, error) {
	if !idPattern.MatchString(id) {
		return nil, fmt.Errorf("%q is not a ceremony id", id)
	}
	dir := w.ceremonyDir(id)
	b, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		return nil, fmt.Errorf("ceremony %s: %w", id, err)
	}
	plan, err := ParsePlan(b)
	if err != nil {
		return nil, fmt.Errorf("ceremony %s: %w", id, err)
	}
	s := &Session{ws: w, dir: dir, plan: plan, digest: plan.Digest(), inputs: map[string][]byte{}, scratch: map[string]any{}}
	if s.kind, err = handlerFor(plan); err != nil {
		return nil, err
	}
	if err := s.loadState(); err != nil {
		return nil, err
	}
	if err := s.loadPolicies(); err != nil {
		return nil, err
	}
	if err := s.loadEnvelope(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Session) loadState() error {
	if _, err := readJSON(s.statePath(), &s.state); err != nil {
		return err
	}
	if s.state.Format != stateFormat || s.state.ID != s.plan.ID || s.state.PlanDigest != s.digest.String() {
		return fmt.Errorf("ceremony %s: state.json does not belong to plan %s", s.plan.ID, s.digest)
	}
	step, err := parseStep(s.state.Step)
	if err != nil {
		return err
	}
	if step == StepSigning {
		return fmt.Errorf("%w: ceremony %s stopped during signing; its outputs cannot be trusted and it is never signed again; plan a new ceremony", ErrInterrupted, s.plan.ID)
	}
	s.step = step
	return nil
}

// loadPolicies loads the policy the plan names. Once a policy change is
// exported the workspace holds the new policy, so finished ceremonies are
// read under the policy they ran with, from their own inputs where needed.
func (s *Session) loadPolicies() error {
	cur, err := s.ws.Policy()
	if err != nil {
		return err
	}
	if s.plan.Kind == policy.KindPolicyChange {
		if err := s.loadNextPolicy(); err != nil {
			return err
		}
		if s.step == StepExported && cur.Digest() == s.next.Digest() {
			b, err := os.ReadFile(filepath.Join(s.dir, "out", "policy.old.yaml"))
			if err != nil {
				return err
			}
			if cur, err = policy.Parse(b); err != nil {
				return err
			}
		}
	}
	if cur.Digest() != s.plan.Policy.Digest && !s.step.done() {
		return fmt.Errorf("%w: ceremony %s was planned under policy %s (serial %d), the workspace now has %s (serial %d); plan a new ceremony",
			ErrPolicyChanged, s.plan.ID, s.plan.Policy.Digest, s.plan.Policy.Serial, cur.Digest(), cur.Serial)
	}
	s.pol = cur
	return nil
}

func (s *Session) loadNextPolicy() error {
	b, err := os.ReadFile(s.inputPath("policy.yaml"))
	if err != nil {
		return err
	}
	next, err := policy.Parse(b)
	if err != nil {
		return fmt.Errorf("proposed policy: %w", err)
	}
	s.next = next
	return nil
}

func (s *Session) envelopePath() string { return filepath.Join(s.dir, "approvals.dsse.json") }

func (s *Session) loadEnvelope() error {
	b, err := os.ReadFile(s.envelopePath())
	if errors.Is(err, fs.ErrNotExist) {
		s.env = newEnvelope(s.plan.Canonical())
		return nil
	}
	if err != nil {
		return err
	}
	if s.env, err = ParseEnvelope(b); err != nil {
		return err
	}
	return checkPayload(s.env, s.plan, s.digest)
}

func (s *Session) need(call string, want Step) error {
	if s.step.done() {
		return fmt.Errorf("%s: %w: ceremony %s is %s", call, ErrFinished, s.plan.ID, s.step)
	}
	if s.step != want {
		return &StepError{Call: call, Have: s.step, Want: want}
	}
	return nil
}

func (s *Session) inputPath(name string) string { return filepath.Join(s.dir, "inputs", name) }
func (s *Session) outPath(name string) string   { return filepath.Join(s.dir, "out", name) }

// Read-only views.

// ID is the ceremony id, e.g. "0003-release".
func (s *Session) ID() string { return s.plan.ID }

// Dir is the ceremony's directory.
func (s *Session) Dir() string { return s.dir }

// Plan returns a copy of the plan.
func (s *Session) Plan() Plan { return *s.plan }

// PlanBytes are the canonical plan bytes custodians approve.
func (s *Session) PlanBytes() []byte { return s.plan.Canonical() }

// Digest is the plan digest.
func (s *Session) Digest() Digest { return s.digest }

// Step is where the session stands.
func (s *Session) Step() Step { return s.step }

// Policy is the policy the ceremony runs under (the old one for a policy
// change).
func (s *Session) Policy() *policy.Policy { return s.pol }

// Envelope returns the approvals envelope as stored.
func (s *Session) Envelope() []byte { return encodeEnvelope(s.env) }

// Progress counts the approvals so far without changing the step.
func (s *Session) Progress() (Progress, error) {
	return countApprovals(s.env, s.plan, s.digest, s.pol, s.next)
}

// Approve signs the plan with one custodian's token key and stores the
// approval. The key must be the one the policy lists for name, and name's
// role must count for this ceremony kind. Approvals are taken until
// signing starts, in any order relative to the other steps.
func (s *Session) Approve(name string, signer crypto.Signer) (Progress, error) {
	if err := s.approvable("Approve"); err != nil {
		return Progress{}, err
	}
	c := s.pol.Custodian(name)
	if c == nil {
		return Progress{}, fmt.Errorf("%w: %q is not a custodian in policy serial %d", ErrUnknownKey, name, s.pol.Serial)
	}
	fp, err := policy.Fingerprint(signer.Public())
	if err != nil {
		return Progress{}, err
	}
	if fp != c.Fingerprint() {
		return Progress{}, &KeyMismatchError{Label: "approval key of " + name, Want: c.Fingerprint(), Got: fp}
	}
	if rule := s.pol.Rule(s.plan.Kind); !rule.Allows(c.Role) {
		return Progress{}, fmt.Errorf("%w: %s is a %s; this ceremony counts only %v", ErrWrongRole, name, c.Role, rule.Roles)
	}
	for _, sig := range s.env.Signatures {
		if sig.KeyID == fp {
			return Progress{}, fmt.Errorf("%w: %s has already approved this plan", ErrDuplicateApproval, name)
		}
	}
	env := *s.env
	env.Signatures = append([]dsse.Signature(nil), s.env.Signatures...)
	if _, err := addSignature(&env, signer); err != nil {
		return Progress{}, err
	}
	prog, err := s.storeEnvelope(&env)
	if err != nil {
		return prog, err
	}
	return prog, s.record("approved", [2]string{"custodian", name}, [2]string{"role", string(c.Role)}, [2]string{"key", fp}, [2]string{"progress", prog.String()})
}

// AddApprovals merges the signatures of another envelope for this same
// plan, e.g. one a custodian signed elsewhere.
func (s *Session) AddApprovals(other *dsse.Envelope) (Progress, error) {
	if err := s.approvable("AddApprovals"); err != nil {
		return Progress{}, err
	}
	if err := checkPayload(other, s.plan, s.digest); err != nil {
		return Progress{}, err
	}
	env := *s.env
	env.Signatures = append(append([]dsse.Signature(nil), s.env.Signatures...), other.Signatures...)
	prog, err := s.storeEnvelope(&env)
	if err != nil {
		return prog, err
	}
	return prog, s.record("approvals merged", [2]string{"signatures", fmt.Sprint(len(other.Signatures))}, [2]string{"progress", prog.String()})
}

func (s *Session) approvable(call string) error {
	if s.step.done() {
		return fmt.Errorf("%s: %w: ceremony %s is %s", call, ErrFinished, s.plan.ID, s.step)
	}
	if s.step >= StepSigning {
		return fmt.Errorf("%s: %w: approvals close when signing starts (ceremony %s is %s)", call, ErrOutOfOrder, s.plan.ID, s.step)
	}
	return nil
}

// storeEnvelope recounts env in full and only then persists it, so a bad
// signature never reaches the disk.
func (s *Session) storeEnvelope(env *dsse.Envelope) (Progress, error) {
	if len(env.Signatures) > MaxApprovals {
		return Progress{}, fmt.Errorf("more than %d approvals", MaxApprovals)
	}
	prog, err := countApprovals(env, s.plan, s.digest, s.pol, s.next)
	if err != nil {
		return prog, err
	}
	if err := atomicfile.Replace(s.envelopePath(), encodeEnvelope(env), 0o600); err != nil {
		return prog, fmt.Errorf("save approvals: %w", err)
	}
	s.env = env
	return prog, nil
}

// Abort closes the ceremony for good, recording the operators' reason.
// Outputs already written stay on disk but are never exported. An
// exported ceremony cannot be aborted.
func (s *Session) Abort(reason string) error {
	if s.step.done() {
		return fmt.Errorf("Abort: %w: ceremony %s is %s", ErrFinished, s.plan.ID, s.step)
	}
	if reason == "" || len(reason) > MaxReasonLength {
		return fmt.Errorf("Abort: a reason of 1-%d characters is required", MaxReasonLength)
	}
	s.state.Aborted = reason
	if err := s.saveState(StepAborted); err != nil {
		return err
	}
	return s.record("aborted", [2]string{"reason", reason})
}

// AbortReason is the recorded reason of an aborted ceremony.
func (s *Session) AbortReason() string { return s.state.Aborted }

// Outputs lists the files Sign wrote (empty before signing), by name,
// SHA-256 and size; OutputPath gives where each one is.
func (s *Session) Outputs() []Input { return append([]Input(nil), s.state.Outputs...) }

// OutputPath is the path of output name in the ceremony directory; the
// transcript (after Export) is "transcript.json".
func (s *Session) OutputPath(name string) string { return s.outPath(name) }

// InputPath is the ceremony's own copy of input name, as planned; ok is
// false when the plan has no such input. Later steps (and the bundle)
// read these copies, never the media the inputs came from.
func (s *Session) InputPath(name string) (path string, ok bool) {
	for _, in := range s.plan.Inputs {
		if in.Name == name {
			return filepath.Join(s.dir, "inputs", name), true
		}
	}
	return "", false
}

// EnvelopePath is the approvals envelope (DSSE) on disk.
func (s *Session) EnvelopePath() string { return s.envelopePath() }

// SignedApprovals lists the approvals counted when signing started.
func (s *Session) SignedApprovals() []Approval { return append([]Approval(nil), s.state.Approvals...) }
