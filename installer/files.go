package installer

import (
	"errors"
	"fmt"
	"github.com/bulwark-guard/bulwark/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Change is the outcome of editing one settings file.
type Change struct {
	Client  string
	Scope   Scope
	Path    string // the settings path for the scope
	Target  string // the file actually written: Path with symlinks resolved
	Old     []byte // nil when the file did not exist
	New     []byte // nil when the file is (or would be) removed
	Changed bool
	Removed bool   // uninstall deleted a file that install had created
	Backup  string // the backup of the previous content, when written
	Record  *Record
	DryRun  bool
	NewMode fs.FileMode // the mode of a file install creates (0 = 0600)
}

// Symlink reports whether the write goes through a symbolic link.
func (c *Change) Symlink() bool { return c.Target != c.Path }

// Diff returns a unified diff of the change.
func (c *Change) Diff() string {
	return Diff(c.Target+" (before)", c.Target+" (after)", c.Old, c.New)
}

// InstallFile installs into the settings file of client c at scope s (path
// from SettingsPath) and updates m in memory; the caller saves m. A file
// that is not valid JSON, or JSON of the wrong shape, is left untouched and
// the error says what and where. dryRun computes the change and writes
// nothing.
func InstallFile(spec *Spec, s Scope, path string, o Options, m *Manifest, dryRun bool, now time.Time) (*Change, error) {
	ch, err := readTarget(spec.Client, s, path, dryRun)
	if err != nil {
		return nil, err
	}
	prev := m.Files[ch.Target]
	if prev != nil && prev.Client != spec.Client {
		prev = nil
	}
	newData, rec, err := Install(spec, ch.Old, o, prev)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ch.Target, err)
	}
	rec.Scope, rec.File = s, ch.Target
	rec.CreatedFile = ch.Old == nil || (prev != nil && prev.CreatedFile)
	rec.InstalledAt = now.UTC().Format(time.RFC3339)
	if prev != nil && string(newData) == string(ch.Old) {
		rec.InstalledAt = prev.InstalledAt
	}
	ch.New, ch.Record = newData, rec
	ch.Changed = ch.Old == nil || string(newData) != string(ch.Old)
	if dryRun {
		return ch, nil
	}
	// The record is saved before the settings are written: whatever fails
	// after this, uninstall knows what install may have added (rules it
	// finds absent it simply does not remove).
	old, had := m.Files[ch.Target]
	m.Files[ch.Target] = rec
	if err := m.save(); err != nil {
		restore(m, ch.Target, old, had)
		return nil, fmt.Errorf("saving the install manifest: %w (nothing written)", err)
	}
	if !ch.Changed {
		return ch, nil
	}
	if s == ScopeManaged && ch.Old == nil {
		// Managed settings are read by every user's client: the drop-in
		// directory and file must be readable by all (and need root).
		ch.NewMode = 0o644
		if err := os.MkdirAll(filepath.Dir(ch.Target), 0o755); err != nil {
			restore(m, ch.Target, old, had)
			m.save()
			return nil, fmt.Errorf("%w (managed settings are system-wide: run install --scope managed as root, e.g. with sudo)", err)
		}
	}
	if err := ch.write(now); err != nil {
		if s == ScopeManaged && errors.Is(err, fs.ErrPermission) {
			err = fmt.Errorf("%w (managed settings are system-wide: run install --scope managed as root, e.g. with sudo)", err)
		}
		restore(m, ch.Target, old, had)
		if serr := m.save(); serr != nil {
			return nil, fmt.Errorf("%w; and the manifest could not be put back (%v): 'bulwark uninstall' still undoes what is recorded", err, serr)
		}
		return nil, err
	}
	return ch, nil
}

func restore(m *Manifest, key string, old *Record, had bool) {
	if had {
		m.Files[key] = old
	} else {
		delete(m.Files, key)
	}
}

// UninstallFile removes bulwark from the settings file (see Uninstall) and
// drops its record from m. When install created the file and nothing else
// is left in it, the file is deleted.
func UninstallFile(spec *Spec, s Scope, path string, m *Manifest, dryRun bool, now time.Time, known ...string) (*Change, error) {
	ch, err := readTarget(spec.Client, s, path, dryRun)
	if err != nil {
		return nil, err
	}
	rec := m.Files[ch.Target]
	if rec != nil && rec.Client != spec.Client {
		rec = nil
	}
	ch.Record = rec
	if ch.Old == nil {
		if !dryRun && rec != nil {
			delete(m.Files, ch.Target)
			if err := m.save(); err != nil {
				return nil, err
			}
		}
		return ch, nil
	}
	newData, err := Uninstall(spec, ch.Old, rec, known...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ch.Target, err)
	}
	ch.New = newData
	ch.Changed = string(newData) != string(ch.Old)
	if rec != nil && rec.CreatedFile {
		if doc, err := ParseDocument(newData); err == nil && doc.Empty() {
			ch.New, ch.Removed, ch.Changed = nil, true, true
		}
	}
	if !dryRun && ch.Changed {
		if err := ch.write(now); err != nil {
			return nil, err
		}
	}
	// The record goes after the settings are clean: if saving fails, the
	// record outlives what it describes and a second uninstall is a no-op
	// that drops it.
	if !dryRun {
		delete(m.Files, ch.Target)
		if err := m.save(); err != nil {
			return nil, fmt.Errorf("%s was cleaned, but saving the install manifest failed: %w (run 'bulwark uninstall' again)", ch.Target, err)
		}
	}
	return ch, nil
}

// readTarget resolves the symlinks of path and reads the file (Old stays
// nil when it does not exist).
func readTarget(c string, s Scope, path string, dryRun bool) (*Change, error) {
	target, err := resolveLinks(path)
	if err != nil {
		return nil, err
	}
	ch := &Change{Client: c, Scope: s, Path: path, Target: target, DryRun: dryRun}
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ch, nil
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file", target)
	}
	ch.Old, err = os.ReadFile(target)
	if err != nil {
		return nil, err
	}
	if ch.Old == nil {
		ch.Old = []byte{}
	}
	return ch, nil
}

// resolveLinks follows symbolic links of the last path component (a
// dangling link resolves to where it points, so writing creates the target).
func resolveLinks(path string) (string, error) {
	p := filepath.Clean(path)
	for range 40 {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Mode()&fs.ModeSymlink == 0) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		t, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = filepath.Clean(t)
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// write backs the old content up (when there was a file) and then replaces
// or removes the target. A file removed because install created it and
// nothing but bulwark's entries was in it gets no backup (it would hold
// only what install wrote), and its directory goes too when that is left
// empty: uninstall leaves nothing behind but the backups of files that
// were the user's.
func (ch *Change) write(now time.Time) error {
	mode := fs.FileMode(0o600)
	if ch.NewMode != 0 {
		mode = ch.NewMode
	}
	if ch.Removed {
		if err := os.Remove(ch.Target); err != nil {
			return err
		}
		dir := filepath.Dir(ch.Target)
		if entries, err := os.ReadDir(dir); err == nil && len(entries) == 0 {
			os.Remove(dir)
			dir = filepath.Dir(dir)
		}
		return atomicfile.SyncDir(dir)
	}
	if ch.Old != nil {
		fi, err := os.Stat(ch.Target)
		if err != nil {
			return err
		}
		mode = fi.Mode().Perm()
		if mode&0o222 == 0 {
			// Replacing it by rename would work (even as root) and
			// silently undo whoever made it read-only.
			return fmt.Errorf("%s is read-only (mode %04o): bulwark does not replace it; make it writable (chmod u+w) and run again, or leave it as it is", ch.Target, mode)
		}
		// The client (or the user) may have written it since we read it.
		if now, err := os.ReadFile(ch.Target); err != nil || string(now) != string(ch.Old) {
			return fmt.Errorf("%s changed while bulwark was editing it; nothing was written, run again", ch.Target)
		}
		ch.Backup, err = writeBackup(ch.Target, ch.Old, mode, now)
		if err != nil {
			return fmt.Errorf("backing up %s: %w (nothing changed)", ch.Target, err)
		}
	}
	if ch.Removed {
		if err := os.Remove(ch.Target); err != nil {
			return err
		}
		return atomicfile.SyncDir(filepath.Dir(ch.Target))
	}
	return WriteAtomic(ch.Target, ch.New, mode)
}

// BackupSuffix starts the name of backups: settings.json.bulwark-backup-20261122T010203Z.
const BackupSuffix = ".bulwark-backup-"

func writeBackup(path string, data []byte, mode fs.FileMode, now time.Time) (string, error) {
	base := path + BackupSuffix + now.UTC().Format("20060102T150405Z")
	name := base
	for i := 2; ; i++ {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			name = fmt.Sprintf("%s-%d", base, i)
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", err
		}
		return name, nil
	}
}

// WriteAtomic replaces path with data atomically (see atomicfile.Write).
func WriteAtomic(path string, data []byte, mode fs.FileMode) error {
	return atomicfile.Write(path, data, mode)
}
