package installer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ManifestName is the install manifest's file name in bulwark's config dir.
const ManifestName = "installed.json"

// Manifest records, per settings file (symlinks resolved, absolute), what
// install added there, so that uninstall removes exactly that. It lives
// outside the settings files because JSON has no comments and the clients'
// settings schemas may reject unknown keys.
type Manifest struct {
	Version int                `json:"version"`
	Files   map[string]*Record `json:"files"`
	// MCP records, per file, the MCP servers install --mcp wrapped.
	MCP map[string]*MCPRecord `json:"mcp,omitempty"`
	// Path is where the manifest is saved; InstallFile and UninstallFile
	// save it at the right moment ("" = in memory only, for tests).
	Path string `json:"-"`
}

func (m *Manifest) save() error {
	if m.Path == "" {
		return nil
	}
	return m.Save(m.Path)
}

// Empty reports whether the manifest records nothing installed.
func (m *Manifest) Empty() bool { return len(m.Files) == 0 && len(m.MCP) == 0 }

// ManifestPath is the manifest's path in bulwark's config dir.
func ManifestPath(configDir string) string { return filepath.Join(configDir, ManifestName) }

// LoadManifest reads the manifest; a missing file is an empty manifest.
func LoadManifest(path string) (*Manifest, error) {
	m := &Manifest{Version: 1, Files: map[string]*Record{}, MCP: map[string]*MCPRecord{}, Path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Files == nil {
		m.Files = map[string]*Record{}
	}
	if m.MCP == nil {
		m.MCP = map[string]*MCPRecord{}
	}
	return m, nil
}

// Save writes the manifest atomically (0600); an empty manifest removes the
// file.
func (m *Manifest) Save(path string) error {
	if m.Empty() {
		err := os.Remove(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteAtomic(path, append(data, '\n'), 0o600)
}
