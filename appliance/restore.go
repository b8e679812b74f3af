package appliance

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"signbox/anchor"
	"signbox/audit"
	"signbox/custody"
	"signbox/hsm"
	"signbox/policy"
)

// maxBackupFile bounds every file read from backup media: wrapped keys,
// PEMs and signed statements are a few KiB.
const maxBackupFile = 1 << 20

// Presenter is a custodian presenting their own token for a restore.
type Presenter struct {
	Name     string
	TokenURI string
	PIN      hsm.PINFunc
}

// RestoreOptions restore an appliance token from backup media onto a
// fresh token of Module, labelled Label.
type RestoreOptions struct {
	Root       string // the appliance workspace (appliance.json, policy, audit log)
	Backup     string // the backup directory on media
	Module     string
	Label      string
	Custodians []Presenter // at least the threshold of the backup's share set
	AuditPIN   hsm.PINFunc // the operator's audit token PIN: every step is logged
	Now        func() time.Time
}

// Restored is what a restore made, for the paper log.
type Restored struct {
	TokenURI string
	Keys     []string
	Anchor   uint64
}

// Restore rebuilds the appliance token from a backup: it verifies the
// backup under the release-bundle key the workspace policy pins, refuses
// one of another appliance or one whose share set is no longer in force,
// rebuilds the secret from the custodians' shares, initialises the fresh
// token with the PINs it derives, unwraps every key inside the token,
// checks each against the backup's fingerprints, pins the newest anchor,
// and points appliance.json at the new token. Every step is logged.
func Restore(o RestoreOptions) (*Restored, error) {
	r, err := openRestore(o)
	if err != nil {
		return nil, err
	}
	defer r.close()
	out, err := r.run()
	if err != nil {
		r.event(audit.CeremonyRefused, "step", "restore", "backup", filepath.Base(o.Backup), "reason", err.Error())
		return nil, err
	}
	r.event(audit.CustodyEvent, "step", "appliance token restored", "token", out.TokenURI, "keys", fmt.Sprint(len(out.Keys)), "anchor", fmt.Sprint(out.Anchor))
	return out, nil
}

type restore struct {
	o   RestoreOptions
	wc  WorkspaceConfig
	p   *policy.Policy
	aud *hsm.Token
	log *audit.Log
}

func openRestore(o RestoreOptions) (*restore, error) {
	wc, err := ReadConfig(o.Root)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(o.Root, "policy.yaml"))
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("policy.yaml: %w", err)
	}
	r := &restore{o: o, wc: wc, p: p}
	if r.aud, err = hsm.Open(wc.AuditToken, o.AuditPIN); err != nil {
		return nil, fmt.Errorf("audit token: %w", err)
	}
	if r.log, err = OpenAudit(o.Root, p, r.aud, o.Now(), false); err != nil {
		r.aud.Close()
		return nil, err
	}
	return r, nil
}

func (r *restore) close() {
	r.log.Close(r.o.Now())
	r.aud.Close()
}

func (r *restore) event(typ audit.Type, kv ...string) {
	if p, err := audit.Fields(kv...); err == nil {
		_, _ = r.log.Append(typ, p, r.o.Now())
	}
}

func (r *restore) run() (*Restored, error) {
	key, man, err := r.verifyBackup()
	if err != nil {
		return nil, err
	}
	set, err := r.shareSet(key, man)
	if err != nil {
		return nil, err
	}
	secret, err := r.collect(set)
	if err != nil {
		return nil, err
	}
	defer secret.Wipe()
	st, env, err := r.newestAnchor(key)
	if err != nil {
		return nil, err
	}
	tok, err := initApplianceToken(InitOptions{Module: r.o.Module, ApplianceLabel: r.o.Label}, secret)
	if err != nil {
		return nil, err
	}
	defer tok.Close()
	out := &Restored{TokenURI: tok.Info().URI, Anchor: st.Counter}
	if out.Keys, err = r.unwrapAll(tok, secret, man); err != nil {
		return nil, err
	}
	if err := tok.PutData(applianceIDLabel, []byte(r.wc.ID), true); err != nil {
		return nil, err
	}
	if err := putAnchor(r.o.Root, tok, env); err != nil {
		return nil, err
	}
	r.wc.ApplianceToken = out.TokenURI
	return out, replaceConfig(r.o.Root, r.wc)
}

// verifyBackup checks the manifest under the release key the policy pins
// (read from the backup, checked by fingerprint) and every file's hash.
func (r *restore) verifyBackup() (crypto.PublicKey, *BackupManifest, error) {
	rk := r.p.Keys.ReleaseBundle
	pemBytes, err := r.file("keys/" + rk.Label + ".pub.pem")
	if err != nil {
		return nil, nil, err
	}
	key, err := policy.ParsePublicKeyPEM(string(pemBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("backup keys/%s.pub.pem: %w", rk.Label, err)
	}
	if fp, _ := policy.Fingerprint(key); fp != rk.Fingerprint {
		return nil, nil, fmt.Errorf("backup: its release-bundle key %s is not the one policy.yaml pins (%s)", fp, rk.Fingerprint)
	}
	env, err := r.file(backupManifest)
	if err != nil {
		return nil, nil, err
	}
	man, err := openBackupManifest(env, key)
	if err != nil {
		return nil, nil, fmt.Errorf("backup: %w", err)
	}
	if man.Appliance != r.wc.ID {
		return nil, nil, fmt.Errorf("backup: it is of appliance %s; this workspace is appliance %s", man.Appliance, r.wc.ID)
	}
	for path, want := range man.Files {
		data, err := r.file(path)
		if err != nil {
			return nil, nil, err
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
			return nil, nil, fmt.Errorf("backup: %s does not match the signed manifest", path)
		}
	}
	return key, man, nil
}

// file reads one file of the backup, bounded, refusing links.
func (r *restore) file(rel string) ([]byte, error) {
	return readFileLimited(filepath.Join(r.o.Backup, filepath.FromSlash(rel)))
}

// shareSet opens the backup's share set; it must be the one in force in
// the workspace, or the restored token would not open with today's shares.
func (r *restore) shareSet(key crypto.PublicKey, man *BackupManifest) (*custody.Set, error) {
	data, err := r.file("shares.dsse")
	if err != nil {
		return nil, err
	}
	set, err := custody.OpenSet(data, key)
	if err != nil {
		return nil, fmt.Errorf("backup shares.dsse: %w", err)
	}
	if set.Header().Appliance != r.wc.ID || set.ID() != man.ShareSet {
		return nil, fmt.Errorf("backup shares.dsse: share set %s of appliance %s is not the one the manifest names", set.ID(), set.Header().Appliance)
	}
	cur, err := os.ReadFile(filepath.Join(r.o.Root, ShareSetName))
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(cur, data) {
		return nil, fmt.Errorf("backup: made under share set %s, but the workspace's shares were rotated since; restore from a backup made after the last policy change", set.ID())
	}
	return set, nil
}

// collect unseals each presenting custodian's share with their token.
func (r *restore) collect(set *custody.Set) (*custody.Secret, error) {
	col := set.NewCollector()
	defer col.Wipe()
	for _, p := range r.o.Custodians {
		sh, err := unsealWith(set, p)
		if err != nil {
			return nil, err
		}
		if err := col.Add(sh); err != nil {
			return nil, err
		}
		r.event(audit.CustodyEvent, "step", "share released for restore", "custodian", p.Name, "share_set", set.ID())
	}
	return col.Combine()
}

// unsealWith tries the custodian's key-agreement keys on their token.
func unsealWith(set *custody.Set, p Presenter) (*custody.Share, error) {
	tok, err := hsm.Open(p.TokenURI, p.PIN)
	if err != nil {
		return nil, fmt.Errorf("%s's token: %w", p.Name, err)
	}
	defer tok.Close()
	keys, err := tok.Keys()
	if err != nil {
		return nil, err
	}
	var last error = fmt.Errorf("%s's token holds no key-agreement key", p.Name)
	for _, k := range keys {
		if !k.Derive {
			continue
		}
		pub, err := tok.AgreementPublic(k.Label)
		if err != nil {
			return nil, err
		}
		sh, err := set.Unseal(p.Name, tokenShareKey{tok: tok, label: k.Label, pub: pub})
		if err == nil {
			return sh, nil
		}
		last = err
	}
	return nil, last
}

// newestAnchor is the newer of the backup's and the workspace's copy,
// both signed by the release key and of this appliance.
func (r *restore) newestAnchor(key crypto.PublicKey) (anchor.State, []byte, error) {
	var best anchor.State
	var bestEnv []byte
	for _, path := range []string{filepath.Join(r.o.Backup, "anchor.dsse"), filepath.Join(r.o.Root, anchorCopyName)} {
		env, err := readFileLimited(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return best, nil, err
		}
		st, err := anchor.Open(env, key)
		if err != nil {
			return best, nil, fmt.Errorf("%s: %w", path, err)
		}
		if st.Appliance == r.wc.ID && st.Counter > best.Counter {
			best, bestEnv = st, env
		}
	}
	if bestEnv == nil {
		return best, nil, errors.New("backup: no anchor of this appliance in the backup or the workspace")
	}
	return best, bestEnv, nil
}

// unwrapAll recreates every key of the manifest inside tok.
func (r *restore) unwrapAll(tok *hsm.Token, secret *custody.Secret, man *BackupManifest) ([]string, error) {
	bk := secret.BackupKey()
	defer clear(bk)
	destroy, err := tok.ImportWrapKey(backupWrapLabel, bk)
	if err != nil {
		return nil, err
	}
	defer destroy()
	var labels []string
	for _, k := range man.Keys {
		if err := r.unwrapOne(tok, k); err != nil {
			return nil, err
		}
		labels = append(labels, k.Label)
	}
	return labels, nil
}

func (r *restore) unwrapOne(tok *hsm.Token, k BackupKey) error {
	wrapped, err := r.file("keys/" + k.Label + ".wrapped")
	if err != nil {
		return err
	}
	id, err := hex.DecodeString(k.ID)
	if err != nil {
		return fmt.Errorf("backup key %s: id: %w", k.Label, err)
	}
	ki := hsm.KeyInfo{Label: k.Label, ID: id, Algorithm: hsm.Algorithm(k.Algorithm)}
	var pub crypto.PublicKey
	if k.Fingerprint != "" {
		pemBytes, err := r.file("keys/" + k.Label + ".pub.pem")
		if err != nil {
			return err
		}
		if pub, err = policy.ParsePublicKeyPEM(string(pemBytes)); err != nil {
			return fmt.Errorf("backup key %s: %w", k.Label, err)
		}
	}
	got, err := tok.UnwrapKey(backupWrapLabel, wrapped, ki, pub)
	if err != nil {
		return err
	}
	if got.Fingerprint != k.Fingerprint {
		return fmt.Errorf("backup key %s: restored key %s is not the backed-up %s", k.Label, got.Fingerprint, k.Fingerprint)
	}
	return nil
}

// readFileLimited reads a regular file of at most maxBackupFile bytes,
// refusing a symlink.
func readFileLimited(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxBackupFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBackupFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxBackupFile)
	}
	return b, nil
}
