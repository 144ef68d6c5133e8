package backup

import (
	"os"

	"golang.org/x/sys/unix"
)

// reflink makes dst a clone of src (FICLONE): a new file sharing src's
// blocks, copy-on-write, so later writes to src do not reach it. It fails
// (and the caller copies) where the filesystem has no clones (ext4, tmpfs)
// or dst is on another filesystem.
func reflink(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := unix.IoctlFileClone(int(out.Fd()), int(in.Fd())); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}
