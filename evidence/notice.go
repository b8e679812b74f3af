package evidence

import (
	"fmt"
	"strings"

	"signbox/airgap"
)

// NoticeSections are the headings every update notice carries, in order;
// the evidence check looks for each.
var NoticeSections = []string{
	"## Why this update matters",
	"## Risk addressed",
	"## Downtime and reboot",
	"## Clinical impact",
	"## Install steps",
	"## Confirm success",
	"## Roll back",
	"## Rollout",
}

// defaultInstallSteps are used when the request gives none.
var defaultInstallSteps = []string{
	"Check the bundle's signature with the release public key (see Confirm success).",
	"Schedule the install when the device is not in clinical use.",
	"Transfer the bundle to the device's update service and start the install.",
	"Let the device restart and confirm the new firmware (see Confirm success).",
}

func buildNotice(in *Inputs, r *release) []byte {
	c := in.Clinical
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# %s %s: security update notice\n\n", in.Product, in.Version)
	p("| | |\n|---|---|\n")
	p("| Product | %s %s (%s) |\n", cell(in.Manufacturer), cell(in.Product), cell(in.Chip))
	p("| Version | %s |\n", cell(versionChange(in)))
	p("| Security version | %d → %d |\n", in.SecurityVersion.Old, in.SecurityVersion.New)
	p("| UDI-DI | %s |\n| MDS2 form | %s |\n", cell(c.UDIDI), cell(c.MDS2))
	p("| Release date | %s |\n| Ceremony plan | `%s` |\n\n", in.date(), in.PlanDigest)
	p("%s\n\n%s\n\n", NoticeSections[0], whySummary(in, r))
	p("%s\n\n", NoticeSections[1])
	writeRiskTable(&b, r)
	p("%s\n\n%s\n\n", NoticeSections[2], installSummary(c))
	p("%s\n\n%s\n\n", NoticeSections[3], c.Impact)
	p("%s\n\n", NoticeSections[4])
	steps := c.InstallSteps
	if len(steps) == 0 {
		steps = defaultInstallSteps
	}
	for i, s := range steps {
		p("%d. %s\n", i+1, oneLine(s))
	}
	p("\n%s\n\n", NoticeSections[5])
	p("1. Before installing, verify the bundle: `signbox bundle verify BUNDLE --release-key RELEASE.pub.pem --product %s`.\n", in.Product)
	p("2. After the restart, the device reports version %s and security version %d.\n", in.Version, in.SecurityVersion.New)
	p("3. The device marks the new firmware valid only after its self-test; until then it returns to the previous firmware on the next restart.\n\n")
	p("%s\n\n%s\n\n", NoticeSections[6], c.Rollback)
	if in.SecurityVersion.New > in.SecurityVersion.Old {
		p("Anti-rollback: once this update is confirmed, the device refuses firmware with a security version below %d. Releases with security version %d or lower can no longer be installed.\n\n", in.SecurityVersion.New, in.SecurityVersion.Old)
	}
	p("%s\n\n", NoticeSections[7])
	writeRollout(&b, c.Rollout)
	return []byte(b.String())
}

func versionChange(in *Inputs) string {
	if in.PreviousVersion == "" {
		return in.Version
	}
	return in.PreviousVersion + " → " + in.Version
}

// whySummary counts what the release fixes and what was assessed.
func whySummary(in *Inputs, r *release) string {
	count := map[string]int{}
	for _, v := range r.Vulns {
		count[groupStatus(v)]++
	}
	if len(r.Vulns) == 0 {
		return fmt.Sprintf("%s %s was checked against the known vulnerabilities of its %d software components and none was found.", in.Product, in.Version, len(r.Components))
	}
	s := fmt.Sprintf("%s %s was checked against the known vulnerabilities of its %d software components. ", in.Product, in.Version, len(r.Components))
	s += fmt.Sprintf("Of %s found, this update fixes %d; %d %s not affect the device (the reason for each is given)",
		plural(len(r.Vulns), "known vulnerability", "known vulnerabilities"), count[statusFixed], count[statusNotAffected], verb(count[statusNotAffected], "does", "do"))
	if n := count[statusAffected]; n > 0 {
		s += fmt.Sprintf("; %d still %s it, each with its mitigation", n, verb(n, "affects", "affect"))
	}
	if n := count[statusInvestigating]; n > 0 {
		s += fmt.Sprintf("; %d %s still under investigation", n, verb(n, "is", "are"))
	}
	if sev := aggregateSeverity(r); sev != "" {
		s += fmt.Sprintf(". Highest severity addressed: %s", sev)
	}
	return s + "."
}

func writeRiskTable(b *strings.Builder, r *release) {
	if len(r.Vulns) == 0 {
		b.WriteString("No known vulnerability affects this release.\n\n")
		return
	}
	b.WriteString("| Vulnerability | Severity | Component | Status | Assessment |\n|---|---|---|---|---|\n")
	for _, v := range r.Vulns {
		for _, e := range v.Entries {
			why := strings.ReplaceAll(e.Justification, "_", " ")
			if why != "" && e.Detail != "" {
				why += ":"
			}
			if e.Detail != "" {
				why = strings.TrimSpace(why + " " + e.Detail)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", cell(idWithAliases(v)), cell(orDefault(e.Severity, "unknown")),
				cell(e.Component.label()), strings.ReplaceAll(strings.TrimPrefix(entryStatus(e.State), "known_"), "_", " "), cell(why))
		}
	}
	b.WriteString("\n")
}

func idWithAliases(v vulnerability) string {
	if len(v.Aliases) == 0 {
		return v.ID
	}
	return v.ID + " (" + strings.Join(v.Aliases, ", ") + ")"
}

func installSummary(c *airgap.Clinical) string {
	s := fmt.Sprintf("Expected install time: %d minutes. The device is unavailable for clinical use for %d minutes.", c.InstallMinutes, *c.DowntimeMinutes)
	if c.Reboot != nil && c.Reboot.Required != nil && *c.Reboot.Required {
		return s + " A reboot is required. It is safe to reboot when: " + c.Reboot.SafeWhen
	}
	return s + " No reboot is required."
}

func writeRollout(b *strings.Builder, r *airgap.Rollout) {
	if r == nil {
		b.WriteString("Not staged: the update may be installed across the whole fleet.\n")
		return
	}
	b.WriteString("| Wave | Scope | Hold before the next wave |\n|---|---|---|\n")
	for _, w := range r.Waves {
		fmt.Fprintf(b, "| %s | %s | %s |\n", cell(w.Name), cell(waveScope(w)), cell(holdText(w)))
	}
}

func waveScope(w airgap.Wave) string {
	if len(w.Sites) > 0 {
		return "sites: " + strings.Join(w.Sites, ", ")
	}
	return fmt.Sprintf("%d%% of the fleet", w.FleetPercent)
}

func holdText(w airgap.Wave) string {
	var parts []string
	if w.HoldHours > 0 {
		parts = append(parts, fmt.Sprintf("at least %d hours", w.HoldHours))
	}
	parts = append(parts, w.HoldCriteria...)
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
