package demo

import "path/filepath"

// Layout is where a demo workspace keeps its parts. The appliance
// workspace itself is Root; the demo's HSM tokens, emulated device and
// removable media sit inside it so one directory holds the whole demo.
type Layout struct{ Root string }

// HSM is the SoftHSM2 token directory (SOFTHSM2_CONF is HSM/softhsm2.conf).
func (l Layout) HSM() string { return filepath.Join(l.Root, "hsm") }

// Device is the emulated device's state directory.
func (l Layout) Device() string { return filepath.Join(l.Root, "demo", "device") }

// Media is the removable media the release manager carries.
func (l Layout) Media() string { return filepath.Join(l.Root, "demo", "media") }

// Request is the media holding the next release's request.
func (l Layout) Request() string { return filepath.Join(l.Media(), "request-"+NextVersion) }

// Feed is the media holding the OSV snapshot.
func (l Layout) Feed() string { return filepath.Join(l.Media(), "osv-snapshot") }

// Out is where exported bundles are written.
func (l Layout) Out() string { return filepath.Join(l.Media(), "out") }

// ReleaseKey is the release-bundle public key (PEM) on the media.
func (l Layout) ReleaseKey() string { return filepath.Join(l.Media(), "release-bundle.pub.pem") }

// ConfPath is the SoftHSM2 configuration the demo's tokens live under.
func (l Layout) ConfPath() string { return filepath.Join(l.HSM(), "softhsm2.conf") }

// Names and versions of the demo.
const (
	Product         = "infusion-pump"
	Chip            = "esp32c3"
	FactoryVersion  = "1.0.0"
	NextVersion     = "1.1.0"
	ApplianceLabel  = "appliance"
	AuditLabel      = "audit"
	operatorPIN     = "operator-pin"
	untriagedInDemo = 3 // findings left for the custodians to decide
)

// Custodians are the demo's three key custodians, in policy order.
var Custodians = []string{"alice", "bob", "carol"}

// PIN is a demo custodian's published PIN.
func PIN(name string) []byte { return []byte(name + "-pin") }

// OperatorPIN is the demo operator's PIN for the audit token. The
// appliance token has no PIN anyone knows: it opens only with two of the
// three custodians' shares, in the demo as in production.
func OperatorPIN() []byte { return []byte(operatorPIN) }

// ShareKeyLabel is the key-agreement key on each custodian's token that
// their share of the appliance PIN is sealed to.
const ShareKeyLabel = "share"
