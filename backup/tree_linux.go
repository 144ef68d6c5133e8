package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
	"golang.org/x/sys/unix"
)

// On Linux a tree is kept through directory descriptors: fstatat and
// linkat on each name, so the kernel does not walk the whole path twice per
// file (a 10,000-file rm -rf costs two system calls a file, and those are
// most of its time).

func (k *keeper) openObjects() {
	fd, err := unix.Open(filepath.Join(k.tmp, "f"), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == nil {
		k.objFd = fd
	}
}

func (k *keeper) closeObjects() {
	if k.objFd >= 0 {
		unix.Close(k.objFd)
		k.objFd = -1
	}
}

// keepChildren keeps what is in directory p.
func (k *keeper) keepChildren(p string, op guards.LossOp) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		k.keepChildrenPortable(p, op)
		return
	}
	dir := os.NewFile(uintptr(fd), p)
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		k.skip(p, "its contents cannot be listed: "+errText(err), false)
		return
	}
	for _, name := range names {
		if k.timeUp() {
			return
		}
		c := p + "/" + name
		if p == "/" {
			c = "/" + name
		}
		if within(c, k.s.dir) || k.seen[c] {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if !errors.Is(err, unix.ENOENT) {
				k.skip(c, "it cannot be read: "+errText(err), false)
			}
			continue
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG || op == guards.LossOverwrite || k.objFd < 0 {
			k.keepChild(p, name, op) // directories, symlinks, copies: the general way
			continue
		}
		k.linkAt(c, fd, name, &st, op)
	}
}

// linkAt keeps a regular file by a hard link made from its directory's
// descriptor; anything unusual goes the general way (keepFile).
func (k *keeper) linkAt(c string, dirFd int, name string, st *unix.Stat_t, op guards.LossOp) {
	mode := fs.FileMode(st.Mode & 0o777)
	if st.Mode&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if st.Mode&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if st.Mode&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	it := Item{Path: c, Type: TypeFile, Mode: uint32(mode), MTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec).UnixNano(), Size: st.Size, Op: op.String()}
	if st.Size == 0 || k.res.Bytes+st.Size > k.o.MaxTotal {
		k.keepChild(filepath.Dir(c), name, op)
		return
	}
	n := k.n
	k.n++
	if err := unix.Linkat(dirFd, name, k.objFd, strconv.Itoa(n), 0); err != nil {
		k.keepChild(filepath.Dir(c), name, op) // another filesystem, a file we may not link: copy it
		return
	}
	k.seen[c] = true
	it.How, it.Obj = HowLink, fmt.Sprintf("f/%d", n)
	k.add(it)
}
