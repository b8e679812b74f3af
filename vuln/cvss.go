package vuln

import (
	"fmt"
	"math"
	"strings"
)

// Metric weights from the CVSS v3.1 specification (FIRST, section 7.4).
var cvss3Weights = map[string]map[string]float64{
	"AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
	"AC": {"L": 0.77, "H": 0.44},
	"UI": {"N": 0.85, "R": 0.62},
	"C":  {"H": 0.56, "L": 0.22, "N": 0},
	"I":  {"H": 0.56, "L": 0.22, "N": 0},
	"A":  {"H": 0.56, "L": 0.22, "N": 0},
}

// Privileges Required depends on Scope.
var cvss3PR = map[string]map[string]float64{
	"U": {"N": 0.85, "L": 0.62, "H": 0.27},
	"C": {"N": 0.85, "L": 0.68, "H": 0.5},
}

// cvss3Score computes the base score of a CVSS v3.0 or v3.1 vector with
// the v3.1 formula (section 7.1); the two versions differ only in
// rounding edge cases.
func cvss3Score(vector string) (float64, error) {
	m, err := parseCVSS3(vector)
	if err != nil {
		return 0, err
	}
	scope := m["S"]
	iss := 1 - (1-cvss3Weights["C"][m["C"]])*(1-cvss3Weights["I"][m["I"]])*(1-cvss3Weights["A"][m["A"]])
	var impact float64
	if scope == "U" {
		impact = 6.42 * iss
	} else {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	expl := 8.22 * cvss3Weights["AV"][m["AV"]] * cvss3Weights["AC"][m["AC"]] * cvss3PR[scope][m["PR"]] * cvss3Weights["UI"][m["UI"]]
	if impact <= 0 {
		return 0, nil
	}
	if scope == "U" {
		return roundUp(math.Min(impact+expl, 10)), nil
	}
	return roundUp(math.Min(1.08*(impact+expl), 10)), nil
}

func parseCVSS3(vector string) (map[string]string, error) {
	parts := strings.Split(vector, "/")
	if len(parts) < 9 || (parts[0] != "CVSS:3.0" && parts[0] != "CVSS:3.1") {
		return nil, fmt.Errorf("not a CVSS v3 vector: %q", vector)
	}
	m := map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, ":")
		if !ok {
			return nil, fmt.Errorf("CVSS metric %q", p)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("CVSS metric %s repeated", k)
		}
		m[k] = v
	}
	for k, vals := range cvss3Weights {
		if _, ok := vals[m[k]]; !ok {
			return nil, fmt.Errorf("CVSS base metric %s=%q", k, m[k])
		}
	}
	if _, ok := cvss3PR[m["S"]][m["PR"]]; !ok {
		return nil, fmt.Errorf("CVSS base metrics S=%q PR=%q", m["S"], m["PR"])
	}
	return m, nil
}

// roundUp is the specification's Roundup (Appendix A), which avoids
// floating-point artefacts such as 4.000000000000001 rounding to 4.1.
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}
