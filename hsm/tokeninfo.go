package hsm

import "fmt"

// PINFunc supplies the user PIN when Open needs it. Callers read it from a
// terminal, a file descriptor or a named environment variable; never argv.
type PINFunc func() ([]byte, error)

// TokenSummary describes one initialised token a module offers.
type TokenSummary struct {
	SlotID       uint
	Label        string
	Serial       string
	Manufacturer string
	Model        string
	PINLocked    bool
	PINCountLow  bool   // CKF_USER_PIN_COUNT_LOW: a wrong PIN since the last good one
	PINFinalTry  bool   // CKF_USER_PIN_FINAL_TRY: the next wrong PIN locks it
	URI          string // pkcs11: URI selecting this token by label and serial
}

func (s TokenSummary) String() string {
	return fmt.Sprintf("%q (serial %s, slot %d)", s.Label, s.Serial, s.SlotID)
}
