package appliance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"signbox/anchor"
	"signbox/audit"
	"signbox/audit/hsmkeys"
	"signbox/ceremony"
	"signbox/hsm"
	"signbox/policy"
)

// The appliance's audit log lives beside the ceremonies of a workspace:
//
//	<ws>/audit/        the log (package audit layout)
//	<ws>/audit.floor   its monotonic floor, outside the log directory
//
// Its MAC keys are the policy's audit_mac key (epoch 0) and <label>.eN
// after it; checkpoints are signed by the audit_checkpoint key, opened
// pinned to the policy's fingerprint.
const (
	AuditDirName   = "audit"
	AuditFloorName = "audit.floor"
)

// ErrNoAuditKeys reports a policy without active audit keys: ceremonies
// would run unrecorded, which signbox refuses.
var ErrNoAuditKeys = errors.New("the policy has no active audit_mac and audit_checkpoint keys")

// AuditOrigin names the appliance's log after its policy: every appliance
// (and every emulated device) needs its own origin.
func AuditOrigin(p *policy.Policy) string {
	name := strings.Map(func(r rune) rune {
		if r == '+' || r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return '-'
		}
		return r
	}, p.Name)
	return "signbox.local/" + name + "/audit"
}

// AuditActive reports whether the policy's audit keys are active.
func AuditActive(p *policy.Policy) bool {
	mac, cp := p.Keys.AuditMAC, p.Keys.AuditCheckpoint
	return mac != nil && cp != nil && mac.Status == policy.StatusActive && cp.Status == policy.StatusActive
}

// OpenAudit opens the workspace's audit log with its keys in the audit
// token tok; create allows starting a new log when there is none (only
// while the HSM anchor pins no audit head).
func OpenAudit(root string, p *policy.Policy, tok *hsm.Token, now time.Time, create bool) (*audit.Log, error) {
	if !AuditActive(p) {
		return nil, ErrNoAuditKeys
	}
	mac, cp := p.Keys.AuditMAC, p.Keys.AuditCheckpoint
	signer, err := tok.PinnedSigner(cp.Label, cp.Fingerprint)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key %s: %w", cp.Label, err)
	}
	cfg := audit.Config{
		Origin: AuditOrigin(p),
		Keys:   hsmkeys.New(tok, mac.Label),
		Signer: signer,
		Floor:  audit.FileFloor(filepath.Join(root, AuditFloorName)),
	}
	dir := filepath.Join(root, AuditDirName)
	l, err := audit.Open(dir, cfg, now)
	if errors.Is(err, audit.ErrNoLog) && create {
		l, err = audit.Create(dir, cfg, now)
	}
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return l, nil
}

// Recorder writes ceremony steps to the audit log; it is the
// ceremony.Recorder for (*ceremony.Workspace).SetRecorder.
type Recorder struct {
	Log *audit.Log
	Now func() time.Time
}

var _ ceremony.Recorder = Recorder{}

// ceremonyStepTypes maps the ceremony's step names to entry types; other
// steps are CEREMONY_STEP with step= in the payload.
var ceremonyStepTypes = map[string]audit.Type{
	"planned":  audit.CeremonyStarted,
	"approved": audit.CeremonyApproved,
	"signed":   audit.CeremonySigned,
	"exported": audit.CeremonyExported,
	"aborted":  audit.CeremonyAborted,
}

// Record appends one ceremony step.
func (r Recorder) Record(ev ceremony.Event) error {
	typ, ok := ceremonyStepTypes[ev.Step]
	if !ok {
		typ = audit.CeremonyStep
	}
	kv := []string{"ceremony", ev.Ceremony, "kind", string(ev.Kind), "step", ev.Step, "plan", ev.PlanDigest}
	for _, f := range ev.Fields {
		kv = append(kv, f[0], f[1])
	}
	p, err := audit.Fields(kv...)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Step, err)
	}
	_, err = r.Log.Append(typ, p, r.Now())
	return err
}

// openAudit opens the log Init created and routes every ceremony step to
// it. A missing log is never started afresh here: the HSM anchor pins its
// head, so a deleted log is refused by name (anchor check), not replaced.
func (a *Appliance) openAudit() error {
	p, err := a.policy()
	if err != nil {
		return err
	}
	var l *audit.Log
	if _, err = os.Lstat(filepath.Join(a.cfg.Root, AuditDirName, "log")); err == nil {
		l, err = OpenAudit(a.cfg.Root, p, a.aud, a.cfg.Now(), false)
	}
	if errors.Is(err, audit.ErrNoLog) || errors.Is(err, fs.ErrNotExist) {
		return &anchor.MismatchError{File: AuditDirName + "/", Counter: a.anchor.Counter,
			Detail: fmt.Sprintf("no audit log; the HSM pins one of %d entries (restore it from backup or the last export)", a.anchor.Audit.Size)}
	}
	if err != nil {
		return err
	}
	if err := l.NewEpoch("appliance session opened", a.cfg.Now()); err != nil {
		l.Close(a.cfg.Now())
		return err
	}
	a.log = l
	a.ws.SetRecorder(Recorder{Log: l, Now: a.cfg.Now})
	return nil
}

// event appends one appliance event (imports, rejections, exports,
// rehearsals, custody) to the log; before the log is open (a refusal
// during Open) there is nowhere to write it.
func (a *Appliance) event(typ audit.Type, kv ...string) error {
	if a.log == nil {
		return nil
	}
	p, err := audit.Fields(kv...)
	if err != nil {
		return err
	}
	_, err = a.log.Append(typ, p, a.cfg.Now())
	return err
}

// ExportAudit seals the log and writes an export an auditor verifies
// without any secret; it returns the checkpoint and the verifier key.
func (a *Appliance) ExportAudit(dir string) (audit.SignedHead, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sh, err := a.log.Export(dir, a.cfg.Now())
	return sh, a.log.VerifierKey(), err
}
