package appliance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"

	"signbox/airgap"
	"signbox/airgap/envelope"
	"signbox/airgap/strictjson"
	"signbox/audit"
	"signbox/hsm"
)

// A backup is a directory on media:
//
//	keys/<label>.wrapped    a backup-capable key, AES-wrapped (RFC 5649)
//	                        under the backup key derived from the quorum
//	                        secret, inside the token
//	keys/<label>.pub.pem    its public half (none for HMAC keys)
//	shares.dsse             the share set whose secret derives the
//	                        backup key (copied from the workspace)
//	anchor.dsse             the HSM anchor at the time of the backup
//	manifest.dsse.json      what the backup holds, with every file's
//	                        SHA-256, signed by the release-bundle key
//
// The wrapped keys are useless without M custodians' shares: restore
// rebuilds the backup key from them inside a fresh token.
const (
	backupPayloadType = "application/vnd.signbox.backup+json"
	backupFormat      = "signbox-backup/v1"
	backupWrapLabel   = "signbox-backup-wrap"
	backupManifest    = "manifest.dsse.json"
)

// BackupManifest is the signed statement of a backup.
type BackupManifest struct {
	Format    string            `json:"format"`
	Appliance string            `json:"appliance"`
	Date      string            `json:"date"`
	Anchor    uint64            `json:"anchor"`
	ShareSet  string            `json:"share_set"`
	Keys      []BackupKey       `json:"keys"`
	Files     map[string]string `json:"files"` // path → hex SHA-256
}

// BackupKey describes one wrapped key.
type BackupKey struct {
	Label       string `json:"label"`
	Algorithm   string `json:"algorithm"`
	ID          string `json:"id"` // hex CKA_ID
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Backup writes every backup-capable key of the appliance token, wrapped
// under the quorum-held backup key, to a new directory under media. It
// runs inside the quorum session of planID (after Execute, before Export),
// so the same custodians who approved the ceremony approve the backup.
func (a *Appliance) Backup(planID, media string) (string, error) {
	q := a.quorum
	if q == nil || q.plan != planID {
		return "", fmt.Errorf("%w: a backup is written inside the quorum session of ceremony %s (after its run, before its export)", ErrLocked, planID)
	}
	if err := mediaReady(media); err != nil {
		return "", err
	}
	files, man, err := a.backupFiles(q)
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	target := filepath.Join(media, fmt.Sprintf("signbox-backup-anchor%d", q.anchor.Counter))
	x := &airgap.Export{Files: files, Check: func(path string) error { return sameFiles(path, files) }}
	if err := x.WriteDir(target); err != nil {
		return "", err
	}
	return target, a.event(audit.CustodyEvent, "ceremony", planID, "step", "backup written", "path", filepath.Base(target),
		"keys", fmt.Sprint(len(man.Keys)), "anchor", fmt.Sprint(man.Anchor), "share_set", man.ShareSet)
}

func (a *Appliance) backupFiles(q *quorumSession) ([]airgap.ExportFile, *BackupManifest, error) {
	p, err := a.policy()
	if err != nil {
		return nil, nil, err
	}
	set, err := a.loadShareSet(p)
	if err != nil {
		return nil, nil, err
	}
	destroy, err := q.tok.ImportWrapKey(backupWrapLabel, q.secret.BackupKey())
	if err != nil {
		return nil, nil, err
	}
	defer destroy()
	man := &BackupManifest{Format: backupFormat, Appliance: a.id, Date: a.cfg.Now().UTC().Format("2006-01-02"),
		Anchor: q.anchor.Counter, ShareSet: set.ID(), Files: map[string]string{}}
	files, err := wrapAll(q.tok, man)
	if err != nil {
		return nil, nil, err
	}
	for name, path := range map[string]string{"shares.dsse": ShareSetName, "anchor.dsse": anchorCopyName} {
		data, err := readFileLimited(filepath.Join(a.cfg.Root, path))
		if err != nil {
			return nil, nil, err
		}
		files = append(files, airgap.ExportFile{Path: name, Data: data})
	}
	return signBackup(q.tok, p.Keys.ReleaseBundle.Label, p.Keys.ReleaseBundle.Fingerprint, files, man)
}

// wrapAll wraps every extractable signing or secret key of tok.
func wrapAll(tok *hsm.Token, man *BackupManifest) ([]airgap.ExportFile, error) {
	keys, err := tok.Keys()
	if err != nil {
		return nil, err
	}
	var files []airgap.ExportFile
	for _, k := range keys {
		if !k.Extractable || k.Derive || k.Unusable != "" {
			continue
		}
		wrapped, err := tok.WrapKey(backupWrapLabel, k.Label)
		if err != nil {
			return nil, err
		}
		files = append(files, airgap.ExportFile{Path: "keys/" + k.Label + ".wrapped", Data: wrapped})
		if k.Public != nil {
			pem, err := envelope.MarshalPublicKeyPEM(k.Public)
			if err != nil {
				return nil, err
			}
			files = append(files, airgap.ExportFile{Path: "keys/" + k.Label + ".pub.pem", Data: pem})
		}
		man.Keys = append(man.Keys, BackupKey{Label: k.Label, Algorithm: string(k.Algorithm), ID: k.IDHex(), Fingerprint: k.Fingerprint})
	}
	if len(man.Keys) == 0 {
		return nil, fmt.Errorf("the appliance token holds no backup-capable key")
	}
	return files, nil
}

// signBackup lists every file's hash in the manifest and signs it with
// the release-bundle key; the manifest goes last.
func signBackup(tok *hsm.Token, label, fp string, files []airgap.ExportFile, man *BackupManifest) ([]airgap.ExportFile, *BackupManifest, error) {
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		man.Files[f.Path] = hex.EncodeToString(sum[:])
	}
	payload, err := json.Marshal(man)
	if err != nil {
		return nil, nil, err
	}
	signer, err := tok.PinnedSigner(label, fp)
	if err != nil {
		return nil, nil, err
	}
	env, err := envelope.Sign(signer, backupPayloadType, payload)
	if err != nil {
		return nil, nil, err
	}
	return append(files, airgap.ExportFile{Path: backupManifest, Data: env}), man, nil
}

// openBackupManifest verifies a backup manifest under the release key and
// decodes it strictly.
func openBackupManifest(env []byte, releaseKey any) (*BackupManifest, error) {
	payload, _, err := envelope.Open(env, backupPayloadType, releaseKey)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", backupManifest, err)
	}
	var m BackupManifest
	if err := strictjson.Decode(payload, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", backupManifest, err)
	}
	if m.Format != backupFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", backupManifest, m.Format, backupFormat)
	}
	return &m, nil
}
