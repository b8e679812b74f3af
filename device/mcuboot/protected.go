package mcuboot

import (
	"encoding/binary"
	"fmt"
)

// Protected TLV values (mcuboot-formats.md §2): SEC_CNT is a u32 LE;
// DEPENDENCY is struct image_dependency = u8 image_id, 3 zero pad bytes,
// struct image_version (imgtool packs it as 'B3x' + 'BBHI').
const (
	secCntLen     = 4
	dependencyLen = 12
)

// Dependency is one DEPENDENCY TLV: the image with index ImageID must be
// at least MinVersion (imgtool -d "(1, 2.0.0+7)").
type Dependency struct {
	ImageID    uint8
	MinVersion Version
}

func (d Dependency) String() string { return fmt.Sprintf("image %d >= %s", d.ImageID, d.MinVersion) }

func (d Dependency) encode() []byte {
	b := make([]byte, dependencyLen)
	b[0] = d.ImageID
	d.MinVersion.encode(b[4:])
	return b
}

func decodeDependency(t TLV) (Dependency, error) {
	v := t.Value
	if v[1] != 0 || v[2] != 0 || v[3] != 0 {
		return Dependency{}, formatErr(t.Offset+tlvHdrLen+1, "DEPENDENCY _pad", ErrBadTLV, "% x, imgtool writes zeros", v[1:4])
	}
	return Dependency{ImageID: v[0], MinVersion: decodeVersion(v[4:])}, nil
}

// decodeProtected fills the security counter and dependencies from the
// protected TLVs, whose lengths checkTLVs has already checked.
func (img *Image) decodeProtected() error {
	for _, t := range img.Protected {
		switch t.Type {
		case TLVSecCnt:
			img.SecurityCounter = binary.LittleEndian.Uint32(t.Value)
			img.HasSecurityCounter = true
		case TLVDependency:
			d, err := decodeDependency(t)
			if err != nil {
				return err
			}
			img.Dependencies = append(img.Dependencies, d)
		}
	}
	return nil
}

// protectedTLVs are the protected TLVs Sign writes, in imgtool's order:
// SEC_CNT, then DEPENDENCY in the order given (image.py create()).
func protectedTLVs(counter *uint32, deps []Dependency) []TLV {
	var tlvs []TLV
	if counter != nil {
		tlvs = append(tlvs, TLV{Type: TLVSecCnt, Value: binary.LittleEndian.AppendUint32(nil, *counter)})
	}
	for _, d := range deps {
		tlvs = append(tlvs, TLV{Type: TLVDependency, Value: d.encode()})
	}
	return tlvs
}
