package vuln

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"signbox/internal/atomicfile"
)

// State is a CycloneDX impact analysis state.
type State string

const (
	StateResolved             State = "resolved"
	StateResolvedWithPedigree State = "resolved_with_pedigree"
	StateExploitable          State = "exploitable"
	StateInTriage             State = "in_triage"
	StateFalsePositive        State = "false_positive"
	StateNotAffected          State = "not_affected"
)

// The enums below are the CycloneDX 1.6 schema's
// (vulnerabilities[].analysis), in the schema's order.
var (
	allStates = []State{StateResolved, StateResolvedWithPedigree, StateExploitable,
		StateInTriage, StateFalsePositive, StateNotAffected}
	allJustifications = []string{"code_not_present", "code_not_reachable", "requires_configuration",
		"requires_dependency", "requires_environment", "protected_by_compiler",
		"protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control"}
	allResponses = []string{"can_not_fix", "will_not_fix", "update", "rollback", "workaround_available"}

	validStates         = setOf(allStates)
	validJustifications = setOf(allJustifications)
	validResponses      = setOf(allResponses)
)

func setOf[T comparable](vals []T) map[T]bool {
	m := make(map[T]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// States, Justifications and Responses list the values a [Decision] may
// use, for pickers in the TUI.
func States() []State          { return append([]State(nil), allStates...) }
func Justifications() []string { return append([]string(nil), allJustifications...) }
func Responses() []string      { return append([]string(nil), allResponses...) }

// Decision is one triage decision: the VEX analysis of one finding.
type Decision struct {
	Vuln          string    `json:"vuln"`      // finding ID or any of its aliases
	Component     string    `json:"component"` // sbom.Component.Key()
	State         State     `json:"state"`
	Justification string    `json:"justification,omitempty"`
	Responses     []string  `json:"responses,omitempty"`
	Detail        string    `json:"detail,omitempty"`
	By            string    `json:"by"`
	At            time.Time `json:"at"`
}

func (d Decision) key() string { return d.Vuln + " " + d.Component }

// DecisionsName is the decisions file in the triage directory.
const DecisionsName = "vex-decisions.json"

const decisionsFormat = "signbox-vex-decisions/1"

// Decisions is the set of triage decisions kept in a workspace directory.
type Decisions struct {
	dir   string
	list  []Decision     // sorted by key, one per key
	byKey map[string]int // key -> index in list
}

type decisionsFile struct {
	Format    string     `json:"format"`
	Decisions []Decision `json:"decisions"`
}

// LoadDecisions reads the decisions in dir; a directory without a
// decisions file has none yet. Each decision must be well formed (IDs,
// CycloneDX enums, who and when); whether its fields agree with each other
// ([Decision.Check]) is judged by [Gate] for the decisions a scan uses, so
// that a file written under older rules still opens and its decisions can
// be redone.
func LoadDecisions(dir string) (*Decisions, error) {
	d := &Decisions{dir: dir}
	data, err := readLimited(filepath.Join(dir, DecisionsName), MaxDecisionsBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	var f decisionsFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", DecisionsName, err)
	}
	if f.Format != decisionsFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", DecisionsName, f.Format, decisionsFormat)
	}
	seen := map[string]bool{}
	for i, x := range f.Decisions {
		if err := x.checkForm(); err != nil {
			return nil, fmt.Errorf("%s: decisions[%d]: %w", DecisionsName, i, err)
		}
		if seen[x.key()] {
			return nil, fmt.Errorf("%s: decisions[%d]: second decision for %s", DecisionsName, i, x.key())
		}
		seen[x.key()] = true
	}
	d.list = f.Decisions
	d.sort()
	return d, nil
}

func (d *Decisions) sort() {
	sort.Slice(d.list, func(i, j int) bool { return d.list[i].key() < d.list[j].key() })
	d.byKey = make(map[string]int, len(d.list))
	for i, x := range d.list {
		d.byKey[x.key()] = i
	}
}

// Record checks x and stores it, replacing an earlier decision for the
// same vulnerability and component, and rewrites the decisions file
// atomically.
func (d *Decisions) Record(x Decision) error {
	if err := x.Check(); err != nil {
		return err
	}
	x.At = x.At.UTC()
	if i, ok := d.byKey[x.key()]; ok {
		d.list[i] = x
	} else {
		d.list = append(d.list, x)
		d.sort()
	}
	data, err := d.encode()
	if err != nil {
		return err
	}
	// The first decision in a workspace creates the triage directory.
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return fmt.Errorf("triage directory: %w", err)
	}
	return atomicfile.Replace(filepath.Join(d.dir, DecisionsName), data, 0o644)
}

func (d *Decisions) encode() ([]byte, error) {
	list := d.list
	if list == nil {
		list = []Decision{}
	}
	data, err := json.MarshalIndent(decisionsFile{Format: decisionsFormat, Decisions: list}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Digest is "sha256:<hex>" of the canonical decisions file, for the
// ceremony plan. It is the same whether or not the file was written yet.
func (d *Decisions) Digest() string {
	data, err := d.encode()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// All returns a copy of every decision.
func (d *Decisions) All() []Decision { return append([]Decision(nil), d.list...) }

// For finds the decision for a finding, by its ID or any alias, so that a
// decision survives a feed update that changes which record is primary.
func (d *Decisions) For(f Finding) (Decision, bool) {
	comp := f.Component.Key()
	for _, id := range f.IDs() {
		if i, ok := d.byKey[id+" "+comp]; ok {
			return d.list[i], true
		}
	}
	return Decision{}, false
}
