package evidence

// The subset of CSAF 2.0 (OASIS, "Common Security Advisory Framework
// Version 2.0", 18 November 2022, section 3) that signbox writes. Field
// names and enum values are the standard's; the JSON schema test checks
// every document against the OASIS schema.

type csafDoc struct {
	path            string              // bundle path, for errors; never encoded
	Document        csafDocument        `json:"document"`
	ProductTree     *csafProductTree    `json:"product_tree,omitempty"`
	Vulnerabilities []csafVulnerability `json:"vulnerabilities,omitempty"`
}

type csafDocument struct {
	Category          string            `json:"category"`
	CSAFVersion       string            `json:"csaf_version"`
	Lang              string            `json:"lang"`
	Title             string            `json:"title"`
	Publisher         csafPublisher     `json:"publisher"`
	Tracking          csafTracking      `json:"tracking"`
	AggregateSeverity *csafText         `json:"aggregate_severity,omitempty"`
	Distribution      *csafDistribution `json:"distribution,omitempty"`
	Notes             []csafNote        `json:"notes,omitempty"`
	References        []csafReference   `json:"references,omitempty"`
}

// csafDistribution carries the Traffic Light Protocol label (CSAF 2.0
// §3.2.1.5; CSAF 2.0 uses the TLP 1.0 labels).
type csafDistribution struct {
	TLP csafTLP `json:"tlp"`
}

type csafTLP struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

type csafText struct {
	Text string `json:"text"`
}

type csafPublisher struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type csafTracking struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Version            string         `json:"version"`
	InitialReleaseDate string         `json:"initial_release_date"`
	CurrentReleaseDate string         `json:"current_release_date"`
	RevisionHistory    []csafRevision `json:"revision_history"`
	Generator          csafGenerator  `json:"generator"`
}

type csafRevision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

type csafGenerator struct {
	Date   string     `json:"date"`
	Engine csafEngine `json:"engine"`
}

type csafEngine struct {
	Name string `json:"name"`
}

type csafNote struct {
	Category string `json:"category"`
	Title    string `json:"title,omitempty"`
	Text     string `json:"text"`
}

type csafReference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

type csafProductTree struct {
	Branches []csafBranch `json:"branches"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Branches []csafBranch `json:"branches,omitempty"`
	Product  *csafProduct `json:"product,omitempty"`
}

type csafProduct struct {
	Name       string          `json:"name"`
	ProductID  string          `json:"product_id"`
	Identifier *csafIdentifier `json:"product_identification_helper,omitempty"`
}

// csafIdentifier carries the UDI-DI as a model number and the signed
// images' SHA-256 digests, so a hospital's tool can match the firmware it
// holds byte for byte.
type csafIdentifier struct {
	ModelNumbers []string       `json:"model_numbers,omitempty"`
	Hashes       []csafFileHash `json:"hashes,omitempty"`
}

type csafFileHash struct {
	Filename   string         `json:"filename"`
	FileHashes []csafHashItem `json:"file_hashes"`
}

type csafHashItem struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

type csafVulnerability struct {
	CVE           string            `json:"cve,omitempty"`
	IDs           []csafID          `json:"ids,omitempty"`
	Title         string            `json:"title,omitempty"`
	Notes         []csafNote        `json:"notes,omitempty"`
	ProductStatus csafProductStatus `json:"product_status"`
	Flags         []csafFlag        `json:"flags,omitempty"`
	Threats       []csafThreat      `json:"threats,omitempty"`
	Remediations  []csafRemediation `json:"remediations,omitempty"`
	Scores        []csafScore       `json:"scores,omitempty"`
	References    []csafReference   `json:"references,omitempty"`
}

type csafID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

type csafProductStatus struct {
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

type csafFlag struct {
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids"`
}

type csafThreat struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
}

type csafRemediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
}

type csafScore struct {
	CVSSv3   *csafCVSS3 `json:"cvss_v3"`
	Products []string   `json:"products"`
}

type csafCVSS3 struct {
	Version      string  `json:"version"`
	VectorString string  `json:"vectorString"`
	BaseScore    float64 `json:"baseScore"`
	BaseSeverity string  `json:"baseSeverity"`
}
