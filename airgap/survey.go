package airgap

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNoManifest is the reason Survey refuses a path: the manifest the
// operator meant to import is not where they pointed.
var ErrNoManifest = errors.New("no manifest here")

// Bounds of what Survey reads and names: it describes a wrong path to a
// person, so a handful of names is enough and a huge directory costs one
// bounded read.
const (
	surveyRead = 256 // directory entries read
	surveyName = 6   // names quoted
)

// AbsentError says what was found where a manifest was expected, e.g.
// "no request.json in /media/usb; found request-1.0.0/ and request-1.1.0/
// (each holds request.json)".
type AbsentError struct {
	Dir      string
	Manifest string
	// Holders are subdirectories that hold the manifest: the likely
	// intended paths. Others are the rest of what is there.
	Holders, Others []string
	More            int  // entries not named
	Missing         bool // Dir itself does not exist
}

func (e *AbsentError) Error() string {
	switch {
	case e.Missing:
		return fmt.Sprintf("%s does not exist (is the media mounted?)", e.Dir)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no %s in %s", e.Manifest, e.Dir)
	switch {
	case len(e.Holders) > 0:
		fmt.Fprintf(&b, "; found %s (holding %s)", andList(e.Holders), e.Manifest)
		if len(e.Others) > 0 || e.More > 0 {
			b.WriteString(" and other entries")
		}
	case len(e.Others) > 0:
		fmt.Fprintf(&b, "; found %s", andList(e.Others))
		if e.More > 0 {
			fmt.Fprintf(&b, " and %d more", e.More)
		}
	default:
		b.WriteString("; the directory is empty")
	}
	return b.String()
}

func (e *AbsentError) Unwrap() error { return ErrNoManifest }

func andList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Survey checks that media holds manifest (RequestManifest or
// FeedManifest) before it is verified, so a wrong path is reported by
// what is there instead of a system error. Tar media and a directory
// holding the manifest pass; the manifest itself is not read here.
func Survey(media, manifest string) error {
	fi, err := os.Stat(media)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &AbsentError{Dir: media, Manifest: manifest, Missing: true}
	case err != nil:
		return err
	case !fi.IsDir():
		return nil // tar media: the verifier reads it
	}
	if _, err := os.Lstat(filepath.Join(media, manifest)); err == nil {
		return nil
	}
	f, err := os.Open(media)
	if err != nil {
		return err
	}
	defer f.Close()
	ents, err := f.ReadDir(surveyRead)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	e := &AbsentError{Dir: media, Manifest: manifest}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, d := range ents {
		name := d.Name()
		if d.IsDir() {
			name += "/"
			if _, err := os.Lstat(filepath.Join(media, d.Name(), manifest)); err == nil {
				e.Holders = append(e.Holders, name)
				continue
			}
		}
		e.Others = append(e.Others, name)
	}
	if len(e.Holders) > surveyName {
		e.More += len(e.Holders) - surveyName
		e.Holders = e.Holders[:surveyName]
	}
	if len(e.Others) > surveyName {
		e.More += len(e.Others) - surveyName
		e.Others = e.Others[:surveyName]
	}
	return e
}
