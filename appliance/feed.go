package appliance

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"signbox/airgap"
	"signbox/audit"
	"signbox/vuln"
)

// ImportFeed verifies an OSV snapshot on media under the policy's build
// key (a pinned key makes its signature required, whatever a command's
// flags say), indexes it into the workspace and logs the import or the
// refusal with its reason.
func (a *Appliance) ImportFeed(dir string, fresh vuln.Freshness) (*vuln.FeedInfo, *airgap.Verified, error) {
	info, v, err := a.importFeed(dir, fresh)
	if err != nil {
		_ = a.event(audit.ImportRejected, "kind", "osv-feed", "media", dir, "reason", err.Error())
		return nil, nil, err
	}
	kv := []string{"kind", "osv-feed", "feed", "sha256:" + v.ManifestSHA256,
		"created", info.Created.UTC().Format("2006-01-02T15:04:05Z"), "signature", string(v.Signature),
		"quarantined", strconv.Itoa(len(info.Quarantined))}
	return info, v, a.event(audit.ImportAccepted, append(kv, quarantineFields(info.Quarantined)...)...)
}

// maxQuarantineAudit bounds the bytes of quarantined-record lines in one
// audit entry (the payload limit is audit.MaxPayload); the rest is
// counted, and index.json lists them all.
const maxQuarantineAudit = 48 << 10

// quarantineFields is one quarantined_record line per record set aside,
// with its reason, as far as the audit entry has room.
func quarantineFields(qs []vuln.Quarantined) []string {
	var kv []string
	size := 0
	for i, q := range qs {
		line := strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, q.String())
		if size+len(line) > maxQuarantineAudit {
			return append(kv, "quarantined_unlisted", strconv.Itoa(len(qs)-i))
		}
		size += len(line) + len("quarantined_record=\n")
		kv = append(kv, "quarantined_record", line)
	}
	return kv
}

func (a *Appliance) importFeed(dir string, fresh vuln.Freshness) (*vuln.FeedInfo, *airgap.Verified, error) {
	p, err := a.policy()
	if err != nil {
		return nil, nil, err
	}
	keys, err := buildKeys(p)
	if err != nil {
		return nil, nil, err
	}
	if err := airgap.Survey(dir, airgap.FeedManifest); err != nil {
		return nil, nil, err
	}
	v, err := airgap.VerifyFeed(dir, airgap.VerifyOptions{BuildKeys: keys})
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(a.feedDir()), 0o700); err != nil {
		return nil, nil, err
	}
	info, err := vuln.Import(dir, a.feedDir(), fresh)
	if err != nil {
		return nil, nil, err
	}
	return info, &v.Verified, nil
}

// RecordDecision records a VEX decision made outside a request's triage
// screen (`signbox vuln triage`) and logs it; it returns the decisions'
// new digest. d.By is set to the operator: the deciders are the
// custodians who approve the plan that binds the decision.
func (a *Appliance) RecordDecision(d vuln.Decision) (string, error) {
	d.By = a.cfg.Operator
	if err := os.MkdirAll(TriageDir(a.cfg.Root), 0o700); err != nil {
		return "", err
	}
	ds, err := vuln.LoadDecisions(TriageDir(a.cfg.Root))
	if err != nil {
		return "", err
	}
	return a.record(ds, d, nil)
}

// record checks and stores d, with the finding's own rules
// (vuln.Decision.CheckFinding) when the finding f is known, and logs the
// decision or its refusal.
func (a *Appliance) record(ds *vuln.Decisions, d vuln.Decision, f *vuln.Finding) (string, error) {
	store := ds.Record
	if f != nil {
		store = func(x vuln.Decision) error { return ds.RecordFinding(f, x) }
	}
	if err := store(d); err != nil {
		// A refusal can list several problems, one a line; an audit field
		// is one line.
		reason := strings.ReplaceAll(err.Error(), "\n", "; ")
		_ = a.event(audit.CeremonyRefused, "step", "triage decision", "vuln", d.Vuln, "component", d.Component, "reason", reason)
		return "", err
	}
	err := a.event(audit.TriageDecision, "vuln", d.Vuln, "component", d.Component, "state", string(d.State),
		"justification", d.Justification, "response", strings.Join(d.Responses, ","), "by", d.By, "decisions", ds.Digest())
	return ds.Digest(), err
}
