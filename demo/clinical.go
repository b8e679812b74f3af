package demo

import "signbox/airgap"

// clinical is the 1.1.0 request's clinical block, as the manufacturer's
// clinical and regulatory staff would write it for hospitals. The UDI-DI
// is a made-up GTIN-14 with a valid GS1 check digit.
func clinical() *airgap.Clinical {
	downtime, reboot := 12, true
	return &airgap.Clinical{
		Impact: "The pump stops infusing during the update. Programmed therapies, drug library and " +
			"event history are kept. Do not update a pump that is infusing.",
		InstallMinutes:  8,
		DowntimeMinutes: &downtime,
		Reboot:          &airgap.Reboot{Required: &reboot, SafeWhen: "when the pump is docked, not connected to a patient, and the battery is above 50%"},
		Rollback: "If the pump shows a self-test failure after the update it returns to 1.0.0 on its next restart by itself. " +
			"Once 1.1.0 is confirmed the anti-rollback version is raised and 1.0.0 can no longer be installed: contact service.",
		UDIDI: "00812345678901",
		MDS2:  "MDS2-INFUSION-PUMP-2026-03",
		InstallSteps: []string{
			"Dock the pump in the biomedical engineering bay; confirm no patient is connected.",
			"Insert the release media and select Service > Software update.",
			"Wait for the pump to restart and show the 1.1.0 self-test screen.",
			"Select Confirm update once the self-test passes.",
		},
		Rollout: &airgap.Rollout{Waves: []airgap.Wave{
			{Name: "pilot", Sites: []string{"biomed bench", "ward 4B"}, HoldHours: 72,
				HoldCriteria: []string{"no self-test failures", "no infusion alarms attributed to the update"}},
			{Name: "fleet", FleetPercent: 100},
		}},
	}
}
