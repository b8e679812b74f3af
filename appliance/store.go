package appliance

import (
	"errors"
	"path/filepath"

	"signbox/airgap"
)

// A workspace's content store (package airgap layout):
//
//	<ws>/objects/   imported files by SHA-256
//	<ws>/imports/   one record per accepted import
const (
	ObjectsDirName = "objects"
	ImportsDirName = "imports"
)

// ErrIncompleteRequest reports a verified release request that lacks the
// bootloader or the app image a release ceremony signs.
var ErrIncompleteRequest = errors.New("release request needs a bootloader and an app image")

// ErrFeed marks a workspace vulnerability feed that could not be used
// (none imported, too old for the ceremony date, damaged); the operator's
// next step is importing a current snapshot.
var ErrFeed = errors.New("vulnerability feed")

// OpenStore opens (creating on first use) the workspace's content store.
func OpenStore(root string) (*airgap.Store, error) {
	return airgap.NewStore(filepath.Join(root, ObjectsDirName), filepath.Join(root, ImportsDirName))
}
