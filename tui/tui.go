package tui

import (
	"context"
	"errors"
	"io"
	"time"

	"signbox/tui/api"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Screen is where the TUI starts.
type Screen int

// The screens the TUI can start on.
const (
	ScreenHome    Screen = iota // workspace and HSM status
	ScreenRelease               // straight into the release ceremony (what `signbox demo` does)
	ScreenAudit                 // the audit log viewer
	ScreenDevice                // device rehearsal
	ScreenGenesis               // `signbox init`: the genesis ceremony over Options.Genesis
)

// Options configures the TUI. cmd/signbox fills it: it is the only layer
// that may read the clock, the environment or the terminal.
type Options struct {
	// Date is the ceremony date (YYYY-MM-DD) the operators confirm; it goes
	// into every plan. The TUI never reads the clock.
	Date string
	// MediaPath prefills the import path field (the inbound media).
	MediaPath string
	// ExportPath prefills the export path field (the outbound media); an
	// export never defaults into the inbound request. Empty: MediaPath.
	ExportPath string
	// BundlePath prefills the device rehearsal screen.
	BundlePath string
	// Operator is shown as "Entered by" on the triage form; the engine
	// records its own operator with each decision.
	Operator string
	// NoColor renders without colour (set it when NO_COLOR is set). Every
	// state is also shown in words or markers, so nothing is lost.
	NoColor bool
	// Start picks the first screen.
	Start Screen
	// Genesis is the door to `signbox init`, for ScreenGenesis (whose
	// engine may then be nil: there is no appliance yet).
	Genesis api.Genesis
	// SpinAfter is how long an engine call runs before a spinner shows in
	// the header. New leaves 0 (no spinner, for the synchronous tests);
	// Run defaults it to SpinAfter.
	SpinAfter time.Duration
	// Renderer overrides the lipgloss renderer; tests pass one with a fixed
	// colour profile. Default: an ASCII renderer (no escape codes) for New,
	// one detected from out for Run.
	Renderer *lipgloss.Renderer

	ctx context.Context
}

// New returns the TUI model over engine.
func New(engine Engine, opts Options) tea.Model {
	if opts.Renderer == nil {
		opts.Renderer = lipgloss.NewRenderer(io.Discard)
		opts.Renderer.SetColorProfile(termenv.Ascii)
	}
	if opts.NoColor {
		opts.Renderer.SetColorProfile(termenv.Ascii)
	}
	if opts.ctx == nil {
		opts.ctx = context.Background()
	}
	return newModel(engine, opts)
}

// Run runs the TUI on in/out until the operator quits or ctx is done.
// Cancelling ctx also cancels any engine call in flight.
func Run(ctx context.Context, engine Engine, opts Options, in io.Reader, out io.Writer) error {
	if opts.Renderer == nil {
		opts.Renderer = lipgloss.NewRenderer(out)
	}
	if opts.SpinAfter == 0 {
		opts.SpinAfter = SpinAfter
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts.ctx = ctx
	p := tea.NewProgram(New(engine, opts),
		tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Aliases for the contract in tui/api, so callers can write tui.Engine.
type (
	Engine         = api.Engine
	Hinter         = api.Hinter
	Kind           = api.Kind
	Status         = api.Status
	TokenStatus    = api.TokenStatus
	ProductVersion = api.ProductVersion
	CeremonyKind   = api.CeremonyKind
	Request        = api.Request
	Image          = api.Image
	SBOMSummary    = api.SBOMSummary
	PolicyChange   = api.PolicyChange
	Finding        = api.Finding
	Decision       = api.Decision
	Triage         = api.Triage
	Key            = api.Key
	PlanRequest    = api.PlanRequest
	Plan           = api.Plan
	Custodian      = api.Custodian
	Token          = api.Token
	Quorum         = api.Quorum
	Progress       = api.Progress
	Outcome        = api.Outcome
	Check          = api.Check
	Export         = api.Export
	AuditLog       = api.AuditLog
	AuditEntry     = api.AuditEntry
	Rehearsal      = api.Rehearsal
)

// The ceremony kinds, re-exported.
const (
	KindRelease      = api.KindRelease
	KindKeyGen       = api.KindKeyGen
	KindRevocation   = api.KindRevocation
	KindPolicyChange = api.KindPolicyChange
)
