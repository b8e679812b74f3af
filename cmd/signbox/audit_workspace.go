package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode"

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
	auditDirName   = "audit"
	auditFloorName = "audit.floor"
)

func init() {
	register(&command{
		path:    "audit export",
		usage:   "--workspace WS --token URI [--pin-fd N | --pin-env NAME] OUT",
		summary: "seal and export the appliance audit log for an auditor",
		run:     runAuditExport,
	})
}

// auditOrigin names the appliance's log after its policy: every appliance
// (and every emulated device) needs its own origin.
func auditOrigin(p *policy.Policy) string {
	name := strings.Map(func(r rune) rune {
		if r == '+' || r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return '-'
		}
		return r
	}, p.Name)
	return "signbox.local/" + name + "/audit"
}

// openApplianceAudit opens the workspace's audit log, creating it on first
// use, with its keys in tok.
func openApplianceAudit(root string, p *policy.Policy, tok *hsm.Token, now time.Time) (*audit.Log, error) {
	mac, cp := p.Keys.AuditMAC, p.Keys.AuditCheckpoint
	if mac == nil || cp == nil || mac.Status != policy.StatusActive || cp.Status != policy.StatusActive {
		return nil, withHint(errors.New("the policy has no active audit_mac and audit_checkpoint keys"),
			"run a key-generation ceremony for them first")
	}
	signer, err := tok.PinnedSigner(cp.Label, cp.Fingerprint)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key %s: %w", cp.Label, err)
	}
	cfg := audit.Config{
		Origin: auditOrigin(p),
		Keys:   hsmkeys.New(tok, mac.Label),
		Signer: signer,
		Floor:  audit.FileFloor(filepath.Join(root, auditFloorName)),
	}
	dir := filepath.Join(root, auditDirName)
	l, err := audit.Open(dir, cfg, now)
	if errors.Is(err, audit.ErrNoLog) {
		l, err = audit.Create(dir, cfg, now)
	}
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return l, nil
}

// auditRecorder writes ceremony steps to the audit log; it is the
// ceremony.Recorder for (*ceremony.Workspace).SetRecorder.
type auditRecorder struct {
	log *audit.Log
	now func() time.Time
}

var _ ceremony.Recorder = auditRecorder{}

// ceremonyStepTypes maps the ceremony's step names to entry types; other
// steps are CEREMONY_STEP with step= in the payload.
var ceremonyStepTypes = map[string]audit.Type{
	"planned":  audit.CeremonyStarted,
	"approved": audit.CeremonyApproved,
	"signed":   audit.CeremonySigned,
	"exported": audit.CeremonyExported,
	"aborted":  audit.CeremonyAborted,
}

func (r auditRecorder) Record(ev ceremony.Event) error {
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
	_, err = r.log.Append(typ, p, r.now())
	return err
}

func runAuditExport(e *env, args []string) error {
	fs := newFlags(e, "audit export")
	ws := fs.String("workspace", "", "workspace `directory`")
	uri := fs.String("token", "", "pkcs11: `URI` of the appliance token")
	pin := addPINFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want exactly one OUT directory")
	}
	w, err := openWorkspace(*ws)
	if err != nil {
		return err
	}
	p, err := w.Policy()
	if err != nil {
		return err
	}
	tok, err := openTokenFor(e, *uri, pin, "appliance token")
	if err != nil {
		return err
	}
	defer tok.Close()
	l, err := openApplianceAudit(w.Root(), p, tok, e.now())
	if err != nil {
		return err
	}
	sh, err := l.Export(pos[0], e.now())
	if cerr := l.Close(e.now()); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported %d entries to %s\nvkey %s\ncheckpoint (copy into the paper log):\n%s",
		sh.Size, pos[0], l.VerifierKey(), sh.Note)
	return nil
}
