package main

import (
	"fmt"
	"os"

	"signbox/policy"
)

func init() {
	register(&command{path: "policy check", usage: "[--format text|json] FILE", summary: "parse and validate a policy file and print its digest", run: policyCheck})
}

func policyCheck(e *env, args []string) error {
	fs := newFlags(e, "policy check")
	format := addFormat(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want one policy FILE")
	}
	asJSON, err := jsonFormat(*format)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	p, err := policy.Parse(b)
	if err != nil {
		err = fmt.Errorf("%s: %w", pos[0], err)
		if asJSON {
			return invalidJSON(e, err, policyInvalid)
		}
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, policyJSONOf(p))
	}
	fmt.Fprintf(e.stdout, "policy %s serial %d\ndigest %s\n", p.Name, p.Serial, p.Digest())
	for _, c := range p.Custodians {
		fmt.Fprintf(e.stdout, "custodian %-12s %-16s %s\n", c.Name, c.Role, c.Fingerprint())
	}
	for _, k := range policy.Kinds {
		r := p.Rule(k)
		fmt.Fprintf(e.stdout, "quorum %-16s %d of %v\n", k, r.Threshold, r.Roles)
	}
	for _, k := range p.AllKeys() {
		fmt.Fprintf(e.stdout, "key %-24s %-18s %-12s %-8s %s\n", k.Path, k.Label, k.Algorithm, k.Status, k.Fingerprint)
	}
	return nil
}
