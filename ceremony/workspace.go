package ceremony

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"signbox/internal/atomicfile"
	"signbox/policy"
)

// Workspace is the part of an appliance workspace the ceremony engine
// owns: <root>/ceremonies/, <root>/versions.json, <root>/revocations.json,
// and writing <root>/policy.yaml at the end of a policy change.
type Workspace struct {
	root string
	rec  Recorder
}

// OpenWorkspace opens the workspace at root, which must exist.
func OpenWorkspace(root string) (*Workspace, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("workspace %s is not a directory", root)
	}
	if err := os.MkdirAll(filepath.Join(root, "ceremonies"), 0o700); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	return &Workspace{root: root}, nil
}

// Root is the workspace directory.
func (w *Workspace) Root() string { return w.root }

func (w *Workspace) policyPath() string           { return filepath.Join(w.root, "policy.yaml") }
func (w *Workspace) ceremoniesDir() string        { return filepath.Join(w.root, "ceremonies") }
func (w *Workspace) ceremonyDir(id string) string { return filepath.Join(w.ceremoniesDir(), id) }

// Policy loads the current policy, <root>/policy.yaml.
func (w *Workspace) Policy() (*policy.Policy, error) {
	b, err := os.ReadFile(w.policyPath())
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := policy.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.policyPath(), err)
	}
	return p, nil
}

var idPattern = regexp.MustCompile(`^([0-9]{4,})-[a-z-]+$`)

// Ceremonies lists ceremony IDs, oldest first.
func (w *Workspace) Ceremonies() ([]string, error) {
	ents, err := os.ReadDir(w.ceremoniesDir())
	if err != nil {
		return nil, fmt.Errorf("list ceremonies: %w", err)
	}
	var ids []string
	for _, e := range ents {
		if e.IsDir() && idPattern.MatchString(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// claim creates the directory of a new ceremony with the next sequence
// number. Mkdir fails on an existing name, so two planners cannot share one.
func (w *Workspace) claim(kind Kind) (id string, seq uint64, err error) {
	for range 100 {
		ids, err := w.Ceremonies()
		if err != nil {
			return "", 0, err
		}
		seq = 1
		if len(ids) > 0 {
			last, _ := strconv.ParseUint(idPattern.FindStringSubmatch(ids[len(ids)-1])[1], 10, 64)
			seq = last + 1
		}
		id = fmt.Sprintf("%04d-%s", seq, kindSlug[kind])
		err = os.Mkdir(w.ceremonyDir(id), 0o700)
		if err == nil {
			return id, seq, atomicfile.SyncDir(w.ceremoniesDir())
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", 0, fmt.Errorf("create ceremony directory: %w", err)
		}
	}
	return "", 0, errors.New("could not claim a ceremony number")
}

var kindSlug = map[Kind]string{
	policy.KindKeyGeneration:  "keygen",
	policy.KindReleaseSigning: "release",
	policy.KindKeyRevocation:  "revoke",
	policy.KindPolicyChange:   "policy",
}

// readJSON strictly decodes a workspace state file; a missing file leaves
// v untouched and reports false.
func readJSON(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Replace(path, append(b, '\n'), 0o600)
}
