package appliance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"signbox/airgap"
	"signbox/ceremony"
)

// writeOutputs copies a closed non-release ceremony's record to media:
// every output (public keys, eFuse digests, the provisioning profile, the
// adopted policy), the transcript and the approvals envelope, under
// <media>/<ceremony id>/. The copy is read back and every file compared by
// SHA-256 before Export reports success.
func (a *Appliance) writeOutputs(s *ceremony.Session, media string, out *Exported) error {
	var files []airgap.ExportFile
	for _, o := range s.Outputs() {
		data, err := os.ReadFile(s.OutputPath(o.Name))
		if err != nil {
			return err
		}
		files = append(files, airgap.ExportFile{Path: "outputs/" + o.Name, Data: data})
	}
	transcript, err := os.ReadFile(s.OutputPath("transcript.json"))
	if err != nil {
		return err
	}
	files = append(files,
		airgap.ExportFile{Path: "approvals.dsse.json", Data: s.Envelope()},
		airgap.ExportFile{Path: "transcript.json", Data: transcript}) // last: it makes the copy look complete
	if err := mediaReady(media); err != nil {
		return err
	}
	target := filepath.Join(media, s.ID())
	x := &airgap.Export{Files: files, Check: func(path string) error { return sameFiles(path, files) }}
	if err := x.WriteDir(target); err != nil {
		return err
	}
	sum := sha256.Sum256(transcript)
	out.BundlePath, out.BundleDigest, out.Files = target, hex.EncodeToString(sum[:]), len(files)
	return nil
}

// sameFiles reads an exported directory back and compares every file.
func sameFiles(dir string, files []airgap.ExportFile) error {
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, f.Data) {
			return fmt.Errorf("%s: read back differs from what was written", f.Path)
		}
	}
	return nil
}

// mediaReady refuses an export target directory that does not exist: a
// stick that is not mounted must not turn into a folder on the appliance's
// own disk that looks like the media.
func mediaReady(media string) error {
	fi, err := os.Stat(media)
	if err != nil {
		return fmt.Errorf("media %s: %w (is the export media mounted?)", media, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("media %s is not a directory", media)
	}
	return nil
}
