package airgap

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// member is one entry of a test medium, written either into a tar file or
// a directory tree.
type member struct {
	name string
	data []byte
	typ  byte   // tar type flag; 0 means a regular file
	link string // link target for symlinks and hard links
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// validRequest returns a well-formed release request as members, with
// request.json built from the others.
func validRequest(t testing.TB) []member {
	app := []byte("app image bytes \x00\x01\x02")
	boot := []byte("bootloader image bytes")
	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`)
	req := Request{
		Kind: KindRequest, Product: "infusion-pump", Version: "2.4.1", Chip: "esp32c3", SecurityVersion: 3,
		Images: []Image{
			{Role: RoleBootloader, FileRef: FileRef{Path: "images/bootloader.bin", SHA256: sum(boot), Size: int64(len(boot))}},
			{Role: RoleApp, FileRef: FileRef{Path: "images/app.bin", SHA256: sum(app), Size: int64(len(app))}},
		},
		SBOM: FileRef{Path: "sbom.cdx.json", SHA256: sum(sbom), Size: int64(len(sbom))},
	}
	raw, err := json.MarshalIndent(req, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return []member{
		{name: RequestManifest, data: raw},
		{name: "images/", typ: tar.TypeDir},
		{name: "images/bootloader.bin", data: boot},
		{name: "images/app.bin", data: app},
		{name: "sbom.cdx.json", data: sbom},
	}
}

func writeTestTar(t testing.TB, path string, ms []member) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, m := range ms {
		typ := m.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: m.name, Typeflag: typ, Linkname: m.link, Mode: 0o644, Format: tar.FormatPAX}
		if typ == tar.TypeXGlobalHeader {
			h = &tar.Header{Typeflag: typ, PAXRecords: map[string]string{"path": "evil"}, Format: tar.FormatPAX}
		}
		if typ == tar.TypeReg {
			h.Size = int64(len(m.data))
		}
		if typ == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write(m.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeDir materialises members as a directory tree. It reports false if
// this machine cannot create one of them (device nodes need root).
func writeDir(t testing.TB, dir string, ms []member) bool {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		p := filepath.Join(dir, filepath.FromSlash(m.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch m.typ {
		case 0, tar.TypeReg:
			err = os.WriteFile(p, m.data, 0o644)
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			err = os.Symlink(m.link, p)
		case tar.TypeLink:
			err = os.Link(filepath.Join(dir, filepath.FromSlash(m.link)), p)
		case tar.TypeFifo:
			err = unix.Mkfifo(p, 0o644)
		case tar.TypeChar:
			err = unix.Mknod(p, unix.S_IFCHR|0o644, int(unix.Mkdev(1, 3)))
			if err != nil {
				return false
			}
		default:
			t.Fatalf("writeDir: unsupported type %q", m.typ)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return true
}
