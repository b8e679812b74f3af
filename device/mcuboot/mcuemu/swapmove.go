package mcuemu

// swapMove runs (fresh) or resumes a swap-using-move of size bytes
// (rounded up to sectors) between the slots. The steps and their status
// entries (swap_move.c, simplified):
//
//	move  k = 0..m-1:    primary[i+1] <- primary[i], i = m-1-k (top down)
//	swap  k = m+2i:      primary[i]   <- secondary[i]
//	      k = m+2i+1:    secondary[i] <- primary[i+1] (the old sector i)
//
// Each step erases its destination and copies a source no earlier step
// has changed since, so a step cut before its status entry landed is
// simply done again. Status init writes swap_size, swap_info, image_ok
// (permanent and revert) and the magic last into the erased primary
// trailer; until the magic lands the swap has not started. copy_done ends
// the swap.
func (d *Device) swapMove(typ SwapType, size int, fresh bool) error {
	l := d.layout
	p, s := l.primary(), l.secondary()
	m := (size + l.SectorSize - 1) / l.SectorSize
	if m < 1 || m > l.ImageSectors {
		m = l.ImageSectors // emulator: a swap_size the layout cannot hold swaps everything
	}
	if fresh {
		if err := d.statusInit(typ, m); err != nil {
			return err
		}
	}
	// emulator: the trailer sector is not swapped; the candidate's
	// trailer goes once the primary's status records the swap.
	if ts := s.trailerSector(l); !allErased(d.flash.view(ts, l.SectorSize)) {
		if err := d.flash.EraseSector(ts); err != nil {
			return err
		}
	}
	step := func(k, dst, src int) error {
		if d.statusDone(p, k) {
			return nil
		}
		if err := d.flash.copySector(dst, src); err != nil {
			return err
		}
		return d.writeStatus(p, k)
	}
	for k := 0; k < m; k++ {
		i := m - 1 - k
		if err := step(k, p.sector(l, i+1), p.sector(l, i)); err != nil {
			return err
		}
	}
	for i := 0; i < m; i++ {
		if err := step(m+2*i, p.sector(l, i), s.sector(l, i)); err != nil {
			return err
		}
		if err := step(m+2*i+1, s.sector(l, i), p.sector(l, i+1)); err != nil {
			return err
		}
	}
	return d.writeFlag(p, offCopyDone)
}

// statusInit (boot_status_init) erases the primary trailer and records
// the swap in it, magic last.
func (d *Device) statusInit(typ SwapType, m int) error {
	p := d.layout.primary()
	if err := d.flash.EraseSector(p.trailerSector(d.layout)); err != nil {
		return err
	}
	if err := d.writeSwapSize(p, uint32(m*d.layout.SectorSize)); err != nil {
		return err
	}
	if err := d.writeSwapInfo(p, typ); err != nil {
		return err
	}
	// PERM keeps image_ok; emulator: a revert restores the old image as
	// confirmed, which it was before the test upgrade.
	if typ == SwapPerm || typ == SwapRevert {
		if err := d.writeFlag(p, offImageOK); err != nil {
			return err
		}
	}
	return d.writeMagic(p)
}
