package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"

	"signbox/bundle"
)

// Result is the outcome of one row.
type Result struct {
	Row    Row
	Pass   bool
	Detail string // what was found, or why the row failed
	// Warnings are gaps a passing row reports without failing: evidence a
	// reviewer will ask about that signbox cannot supply itself (an SBOM
	// component naming no supplier, a support level nobody knows).
	Warnings []string
}

// Report is what Check found. Only Check makes one, and Check needs a
// bundle.Result, so a report always follows a full bundle verification.
type Report struct {
	Product, Version string
	ManifestSHA256   string
	ReleaseKeyID     string
	Rows             []Result // the evidence pack itself first, then every row
}

// Pass reports whether every row passed.
func (r *Report) Pass() bool {
	for _, x := range r.Rows {
		if !x.Pass {
			return false
		}
	}
	return len(r.Rows) > 0
}

// PackRowID is the report row for evidence.json and EVIDENCE.md
// themselves.
const PackRowID = "EVIDENCE-PACK"

// Check runs every row over a verified bundle. files holds the contents of
// the bundle's files by path (ReadBundle); each is re-hashed against the
// signed manifest, so a file removed or altered after verification fails
// every row that names it.
func Check(res *bundle.Result, files map[string][]byte) *Report {
	m := res.Manifest
	rep := &Report{Product: m.Product, Version: m.Version, ManifestSHA256: res.ManifestSHA256, ReleaseKeyID: res.ReleaseKeyID}
	ctx := newCheckCtx(res, files)
	rep.Rows = append(rep.Rows, ctx.packResult())
	for _, d := range rowDefs() {
		rep.Rows = append(rep.Rows, ctx.run(d))
	}
	return rep
}

// checkCtx holds the bundle's verified contents and what parses from them.
type checkCtx struct {
	res      *bundle.Result
	files    map[string][]byte // only files whose digest matches the manifest
	problems map[string]string // path → "missing" or "altered"
	paths    []string          // every manifest path plus the manifest itself
	pack     *Pack
	packErr  error
	rel      *release
	relErr   error
	vulns    []vulnerability
	vexErr   error
	warnings []string // set by the row being run
}

func newCheckCtx(res *bundle.Result, files map[string][]byte) *checkCtx {
	c := &checkCtx{res: res, files: map[string][]byte{}, problems: map[string]string{}, paths: []string{ManifestName}}
	for _, f := range res.Manifest.Files {
		c.paths = append(c.paths, f.Path)
		b, ok := files[f.Path]
		if !ok {
			c.problems[f.Path] = "missing"
			continue
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(b)) != f.Size {
			c.problems[f.Path] = "altered (does not match the signed manifest)"
			continue
		}
		c.files[f.Path] = b
	}
	slices.Sort(c.paths)
	c.pack, c.packErr = parseOrMissing(c, PackName, ParsePack)
	c.rel, c.relErr = parseOrMissing(c, SBOMName, parseSBOM)
	c.vulns, c.vexErr = parseOrMissing(c, VEXName, func(b []byte) ([]vulnerability, error) { return parseVEX(b, c.rel) })
	return c
}

func parseOrMissing[T any](c *checkCtx, path string, parse func([]byte) (T, error)) (T, error) {
	var zero T
	b, err := c.file(path)
	if err != nil {
		return zero, err
	}
	return parse(b)
}

// file returns a verified file or says why it is unusable.
func (c *checkCtx) file(path string) ([]byte, error) {
	if b, ok := c.files[path]; ok {
		return b, nil
	}
	if p, ok := c.problems[path]; ok {
		return nil, fmt.Errorf("%s: %s", path, p)
	}
	if path == ManifestName {
		return nil, nil // verified by bundle.Verify; never read here
	}
	return nil, fmt.Errorf("%s: not in the bundle", path)
}

func (c *checkCtx) run(d rowDef) Result {
	r := Result{Row: d.Row}
	fail := func(err error) Result { r.Detail = err.Error(); return r }
	fs, err := d.expand(c.paths)
	if err != nil {
		return fail(err)
	}
	r.Row.Files = fs
	for _, f := range fs {
		if _, err := c.file(f); err != nil {
			return fail(err)
		}
	}
	if c.packErr != nil {
		return fail(fmt.Errorf("evidence pack unusable: %w", c.packErr))
	}
	if err := c.packAgrees(d.ID, fs); err != nil {
		return fail(err)
	}
	c.warnings = nil
	detail, err := d.check(c)
	if err != nil {
		return fail(err)
	}
	r.Pass, r.Detail, r.Warnings = true, detail, c.warnings
	return r
}

// packAgrees: the signed evidence.json must list exactly the files the
// bundle holds for the row.
func (c *checkCtx) packAgrees(id string, fs []string) error {
	i := slices.IndexFunc(c.pack.Rows, func(r Row) bool { return r.ID == id })
	if i < 0 {
		return fmt.Errorf("%s has no row %s", PackName, id)
	}
	if got := c.pack.Rows[i].Files; !slices.Equal(got, fs) {
		return fmt.Errorf("%s lists %s, the bundle has %s", PackName, strings.Join(got, " "), strings.Join(fs, " "))
	}
	return nil
}

// packResult checks evidence.json against the manifest and EVIDENCE.md
// against evidence.json.
func (c *checkCtx) packResult() Result {
	r := Result{Row: Row{ID: PackRowID, Source: "signbox", Requirement: "Evidence pack present, signed and consistent",
		Files: []string{PackName, TableName}, Check: "evidence.json names this release; EVIDENCE.md is its rendering"}}
	err := c.packErr
	if err == nil {
		err = c.packHeader()
	}
	if err != nil {
		r.Detail = err.Error()
		return r
	}
	r.Pass, r.Detail = true, fmt.Sprintf("%d rows for %s %s", len(c.pack.Rows), c.pack.Product, c.pack.Version)
	return r
}

func (c *checkCtx) packHeader() error {
	m, p := c.res.Manifest, c.pack
	if p.Product != m.Product || p.Version != m.Version || p.PlanDigest != m.PlanDigest || p.CeremonyDate != m.CeremonyDate {
		return fmt.Errorf("%s is for %s %s (plan %s, %s), the manifest for %s %s (plan %s, %s)", PackName,
			p.Product, p.Version, p.PlanDigest, p.CeremonyDate, m.Product, m.Version, m.PlanDigest, m.CeremonyDate)
	}
	table, err := c.file(TableName)
	if err != nil {
		return err
	}
	if string(table) != string(renderTable(p)) {
		return fmt.Errorf("%s does not match %s", TableName, PackName)
	}
	return nil
}

// Write prints the report as a table with pass/fail per row.
func (r *Report) Write(w io.Writer) error {
	verdict := "PASS"
	if !r.Pass() {
		verdict = "FAIL"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "evidence %s: %s %s (manifest sha256:%s, signed by %s)\n", verdict, r.Product, r.Version, r.ManifestSHA256, r.ReleaseKeyID)
	fmt.Fprintf(&b, "%-17s %-6s %s\n", "ID", "RESULT", "SOURCE")
	for _, x := range r.Rows {
		res := "pass"
		switch {
		case !x.Pass:
			res = "FAIL"
		case len(x.Warnings) > 0:
			res = "warn"
		}
		fmt.Fprintf(&b, "%-17s %-6s %s\n", x.Row.ID, res, x.Row.Source)
		fmt.Fprintf(&b, "%-24s files: %s\n", "", strings.Join(x.Row.Files, " "))
		fmt.Fprintf(&b, "%-24s %s\n", "", x.Detail)
		for _, w := range x.Warnings {
			fmt.Fprintf(&b, "%-24s warning: %s\n", "", w)
		}
		if x.Row.Command != "" {
			fmt.Fprintf(&b, "%-24s also: %s\n", "", x.Row.Command)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
