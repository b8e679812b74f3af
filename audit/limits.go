package audit

// Bounds on everything the log reads from disk or an export. Each exists so
// that a hostile file cannot make a verifier allocate or loop without limit.
const (
	// maxOriginLen bounds the origin string. Origins look like
	// "signbox.local/<serial>/audit"; 255 leaves room for long serials.
	maxOriginLen = 255

	// MaxPayload bounds one entry's payload. Audit payloads are short
	// key=value records (digests, reasons, labels), never file contents.
	MaxPayload = 64 << 10

	// maxEntryLen bounds an encoded entry: fixed fields plus the two
	// variable ones.
	maxEntryLen = entryFixedLen + maxOriginLen + MaxPayload

	// maxNoteLen bounds a signed checkpoint note. A checkpoint is three
	// short lines plus a few signature lines.
	maxNoteLen = 4 << 10

	// maxNoteSigs bounds signature lines on a checkpoint note: the log key
	// plus a few officer cosignatures. x/mod's note.Open allows 100.
	maxNoteSigs = 8

	// maxLogBytes bounds the log file Verify reads into memory (plus 64
	// bytes of tree per entry): about 25 million entries, decades of
	// appliance use.
	maxLogBytes = 4 << 30

	// maxCheckpoints bounds the checkpoint files one export may carry.
	maxCheckpoints = 1 << 20
)
