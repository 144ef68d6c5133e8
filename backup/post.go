package backup

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// PostState is what a path held right after the call ran, so that restore
// can tell the call's own result (safe to put the backup over) from newer
// work (a conflict).
type PostState struct {
	Type  string `json:"type"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
	Mode  uint32 `json:"mode"`
}

func stateOf(fi fs.FileInfo) PostState {
	t := TypeFile
	switch {
	case fi.IsDir():
		t = TypeDir
	case fi.Mode()&fs.ModeSymlink != 0:
		t = TypeSymlink
	}
	return PostState{Type: t, Size: fi.Size(), MTime: fi.ModTime().UnixNano(), Mode: uint32(modeBits(fi.Mode()))}
}

// AfterCall records, at PostToolUse, what the paths of the call's backup
// hold now that it ran. Only a call whose backup is pending costs anything:
// one readlink otherwise. Paths that are gone are left out (gone is what
// restore expects of a delete).
func (s *Store) AfterCall(session, toolUseID string, deadline time.Time) error {
	if toolUseID == "" {
		return nil
	}
	marker := filepath.Join(s.pendingDir(), pendingKey(session, toolUseID))
	name, err := os.Readlink(marker)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	os.Remove(marker)
	e, ok := parseEntryName(name)
	if !ok {
		return nil
	}
	m, err := s.Manifest(e)
	if err != nil {
		return err
	}
	post := map[string]PostState{}
	var gone string // a directory found missing: everything under it is too
	for i, it := range m.Items {
		if i%64 == 0 && !s.o.Now().Before(deadline) {
			break // what is not recorded counts as changed: restore asks for --force
		}
		if gone != "" && within(it.Path, gone) {
			continue
		}
		fi, err := os.Lstat(it.Path)
		if err != nil {
			if it.Type == TypeDir {
				gone = it.Path
			}
			continue
		}
		post[it.Path] = stateOf(fi)
	}
	data, err := json.Marshal(post)
	if err != nil {
		return err
	}
	return os.WriteFile(s.entryPath(e, "post.json"), data, 0o600)
}

func (s *Store) readPost(e Entry) (map[string]PostState, bool) {
	data, err := os.ReadFile(s.entryPath(e, "post.json"))
	if err != nil {
		return nil, false
	}
	var post map[string]PostState
	if json.Unmarshal(data, &post) != nil {
		return nil, false
	}
	return post, true
}
