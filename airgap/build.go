package airgap

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"signbox/airgap/envelope"
)

// Names of the files BuildRequest puts beside request.json.
const (
	RequestBootloaderFile = "bootloader.bin"
	RequestAppFile        = "app.bin"
	RequestSBOMFile       = "sbom.cdx.json"
)

// RequestInput is what a release request is made from: the build's
// unsigned images, its CycloneDX SBOM and what the release is.
type RequestInput struct {
	Product         string
	Version         string
	Chip            string
	SecurityVersion uint32
	Bootloader      []byte
	App             []byte
	SBOM            []byte
	// Clinical is the optional clinical block (see Clinical).
	Clinical *Clinical
}

// ErrIncompleteInput reports a request input without an image or SBOM:
// the appliance signs a bootloader and an app together, so it refuses a
// request that lacks either at import.
var ErrIncompleteInput = errors.New("incomplete release request input")

// BuildRequest makes request.json from in and returns it with the files
// of the media, request.json last. What it returns passes ParseRequest:
// a request the appliance would refuse is refused here, with the same
// message.
func BuildRequest(in RequestInput) (*Request, []ExportFile, error) {
	if err := in.checkPresent(); err != nil {
		return nil, nil, err
	}
	req := &Request{
		Kind: KindRequest, Product: in.Product, Version: in.Version, Chip: in.Chip,
		SecurityVersion: in.SecurityVersion, Clinical: in.Clinical,
		Images: []Image{
			{Role: RoleBootloader, FileRef: fileRef(RequestBootloaderFile, in.Bootloader)},
			{Role: RoleApp, FileRef: fileRef(RequestAppFile, in.App)},
		},
		SBOM: fileRef(RequestSBOMFile, in.SBOM),
	}
	appOnly := IsBoard(in.Chip)
	if appOnly {
		req.Images = req.Images[1:]
	}
	raw, err := json.MarshalIndent(req, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s: %w", RequestManifest, err)
	}
	raw = append(raw, '\n')
	if int64(len(raw)) > MaxManifestBytes {
		return nil, nil, fmt.Errorf("%s: %d bytes, more than %d", RequestManifest, len(raw), MaxManifestBytes)
	}
	parsed, err := ParseRequest(raw)
	if err != nil {
		return nil, nil, err
	}
	files := []ExportFile{
		{Path: RequestBootloaderFile, Data: in.Bootloader},
		{Path: RequestAppFile, Data: in.App},
		{Path: RequestSBOMFile, Data: in.SBOM},
		{Path: RequestManifest, Data: raw},
	}
	if appOnly {
		files = files[1:]
	}
	return parsed, files, nil
}

func (in RequestInput) checkPresent() error {
	if IsBoard(in.Chip) && len(in.Bootloader) > 0 {
		return fmt.Errorf("a request for MCUboot board %s carries the app only; its bootloader is provisioned, not released", in.Chip)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"bootloader image", in.Bootloader}, {"app image", in.App}, {"SBOM", in.SBOM}} {
		if f.name == "bootloader image" && IsBoard(in.Chip) {
			continue
		}
		if len(f.data) == 0 {
			return fmt.Errorf("%w: no %s", ErrIncompleteInput, f.name)
		}
	}
	return nil
}

func fileRef(name string, b []byte) FileRef {
	s := sha256.Sum256(b)
	return FileRef{Path: name, SHA256: hex.EncodeToString(s[:]), Size: int64(len(b))}
}

// SignManifest returns the DSSE envelope (request.dsse.json or
// feed.dsse.json) over the exact bytes of a request.json or feed.json,
// signed by the build key s. The manifest is parsed first, so only a
// valid manifest is ever signed; the payload type follows its kind.
func SignManifest(s crypto.Signer, manifest []byte) ([]byte, error) {
	kind, err := peekKind(manifest)
	if err != nil {
		return nil, err
	}
	var payloadType string
	switch kind {
	case KindRequest:
		_, err = ParseRequest(manifest)
		payloadType = PayloadTypeRequest
	case KindFeed:
		_, err = ParseFeed(manifest)
		payloadType = PayloadTypeFeed
	default:
		return nil, fmt.Errorf("manifest kind %q: want %q or %q", kind, KindRequest, KindFeed)
	}
	if err != nil {
		return nil, err
	}
	env, err := envelope.Sign(s, payloadType, manifest)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", kind, err)
	}
	return env, nil
}

// WriteOptions say how WriteRequest writes the media.
type WriteOptions struct {
	// Signer is the build key. The media then carries request.dsse.json
	// and is read back under Signer's public key, as an appliance whose
	// policy pins it does. Nil writes unsigned media.
	Signer crypto.Signer
	// Tar writes one tar file instead of a directory.
	Tar bool
	// ModTime is stamped on tar members; zero means the Unix epoch.
	ModTime time.Time
}

// WriteRequest builds the request (BuildRequest), signs it when
// opts.Signer is set, and writes the media to target, which must not
// exist: a new directory, or a tar file with opts.Tar. The write is
// atomic (temporary name, fsync, rename) and the copy is read back with
// VerifyRequest, the check `signbox request import` makes; a copy that
// fails it is removed again.
func WriteRequest(target string, in RequestInput, opts WriteOptions) (*VerifiedRequest, error) {
	_, files, err := BuildRequest(in)
	if err != nil {
		return nil, err
	}
	var vo VerifyOptions
	if opts.Signer != nil {
		env, err := SignManifest(opts.Signer, files[len(files)-1].Data)
		if err != nil {
			return nil, err
		}
		files = append(files, ExportFile{Path: RequestSignature, Data: env})
		vo.BuildKeys = []crypto.PublicKey{opts.Signer.Public()}
	}
	var verified *VerifiedRequest
	x := &Export{Files: files, ModTime: opts.ModTime, Check: func(path string) error {
		v, err := VerifyRequest(path, vo)
		verified = v
		return err
	}}
	write := x.WriteDir
	if opts.Tar {
		write = x.WriteTar
	}
	if err := write(target); err != nil {
		return nil, err
	}
	return verified, nil
}
