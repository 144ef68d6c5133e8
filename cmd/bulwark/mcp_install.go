package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/installer"
)

// mcpConfigFiles are the files a client reads MCP servers from at scope s:
// its MCP lists, Claude Code's ~/.claude.json and Gemini CLI's settings
// (both hold "mcpServers" among other things).
func mcpConfigFiles(c *clients.Client, s installer.Scope, env clients.Env) []string {
	var out []string
	for _, l := range c.Locations(env) {
		if l.Scope != s || l.Tree || strings.Contains(l.Path, "*") {
			continue
		}
		base := filepath.Base(l.Path)
		switch {
		case l.Kind == clients.KindMCP,
			l.Kind == clients.KindState && base == ".claude.json",
			c.Name == "gemini" && l.Kind == clients.KindSettings && base == "settings.json":
			out = append(out, l.Path)
		}
	}
	return out
}

// installMCP wraps the stdio MCP servers of one client's configuration at
// scope sc through `bin mcp proxy`; it reports whether it failed anywhere.
func installMCP(c *clients.Client, sc installer.Scope, env clients.Env, bin string, m *installer.Manifest, dryRun bool, stdout, stderr io.Writer) (changed, failed bool) {
	files := mcpConfigFiles(c, sc, env)
	if len(files) == 0 {
		fmt.Fprintf(stdout, "%s (%s): no MCP configuration at this scope\n", c.Name, sc)
		return false, false
	}
	for _, f := range files {
		ch, skipped, err := installer.WrapMCPFile(c.Name, sc, f, bin, m, dryRun, clock())
		if err != nil {
			fmt.Fprintf(stderr, "FAIL %s (%s): %v\n", c.Name, sc, err)
			fmt.Fprintf(stderr, "     the file was left untouched; fix it and run install --mcp again\n")
			failed = true
			continue
		}
		if ch.Old == nil {
			continue // no such file: no servers
		}
		fmt.Fprintf(stdout, "%s (%s) MCP servers: %s\n", c.Name, sc, f)
		if ch.Symlink() {
			fmt.Fprintf(stdout, "  %s is a symbolic link: writing through to %s\n", ch.Path, ch.Target)
		}
		switch {
		case dryRun && ch.Changed:
			fmt.Fprint(stdout, indentLines(ch.Diff(), "  "))
			fmt.Fprintf(stdout, "  dry run: nothing written\n")
		case ch.Changed:
			fmt.Fprintf(stdout, "  wrapped through bulwark mcp proxy: %s\n", m.MCP[ch.Target].MCPServerNames())
			if ch.Backup != "" {
				fmt.Fprintf(stdout, "  backup: %s\n", ch.Backup)
			}
		default:
			fmt.Fprintf(stdout, "  nothing to wrap (every stdio server already runs through the proxy)\n")
		}
		for _, s := range skipped {
			fmt.Fprintf(stdout, "  not wrapped: %s\n", s)
		}
		changed = changed || ch.Changed
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(bin), MCPHelper)); err != nil && changed {
		fmt.Fprintf(stdout, "  note: %s is not next to %s; the wrapped servers need it (make install puts it there)\n", MCPHelper, bin)
	}
	return changed, failed
}

// uninstallMCP puts back the servers install --mcp wrapped in every file
// the manifest records for which want holds; it reports a failure.
func uninstallMCP(m *installer.Manifest, want func(*installer.MCPRecord) bool, dryRun bool, stdout, stderr io.Writer) (failed bool) {
	for _, f := range m.MCPFiles() {
		rec := m.MCP[f]
		if !want(rec) {
			continue
		}
		ch, kept, err := installer.UnwrapMCPFile(f, m, dryRun, clock())
		if err != nil {
			fmt.Fprintf(stderr, "FAIL %s (%s) MCP servers: %v\n", rec.Client, rec.Scope, err)
			failed = true
			continue
		}
		fmt.Fprintf(stdout, "%s (%s) MCP servers: %s\n", rec.Client, rec.Scope, f)
		switch {
		case ch.Old == nil:
			fmt.Fprintf(stdout, "  the file is gone: its record dropped\n")
		case dryRun && ch.Changed:
			fmt.Fprint(stdout, indentLines(ch.Diff(), "  "))
			fmt.Fprintf(stdout, "  dry run: nothing written\n")
		case ch.Changed:
			fmt.Fprintf(stdout, "  unwrapped: %s\n", rec.MCPServerNames())
			if ch.Backup != "" {
				fmt.Fprintf(stdout, "  backup: %s\n", ch.Backup)
			}
		default:
			fmt.Fprintf(stdout, "  nothing to unwrap\n")
		}
		for _, k := range kept {
			fmt.Fprintf(stdout, "  kept: %s\n", k)
		}
	}
	return failed
}

// checkMCP is doctor's look at a client's MCP servers: each stdio server
// that does not run through bulwark's proxy is listed.
func (d *doctor) checkMCP(c *clients.Client) {
	for _, s := range c.Scopes {
		for _, f := range mcpConfigFiles(c, s, d.env) {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			root, err := installer.ParseDocument(data)
			if err != nil {
				continue // the settings check reports a broken file
			}
			var bare, remote []string
			wrapped := 0
			for _, srv := range installer.MCPServers(root) {
				switch {
				case srv.Wrapped:
					wrapped++
				case srv.Remote:
					remote = append(remote, srv.Name)
				default:
					bare = append(bare, srv.Name)
				}
			}
			if len(bare)+len(remote)+wrapped == 0 {
				continue
			}
			d.section(fmt.Sprintf("%s (%s) MCP servers %s", c.Name, s, f))
			if wrapped > 0 {
				d.ok("%d MCP server(s) run through bulwark mcp proxy", wrapped)
			}
			switch {
			case len(bare) == 0:
			case filepath.Base(f) == "claude_desktop_config.json":
				// Claude Desktop has no hooks: the proxy is the only guard.
				d.warn("MCP servers not behind bulwark's proxy: %s (Claude Desktop has no hooks, so nothing judges their calls; 'bulwark install --mcp --client %s --scope %s' wraps them)", strings.Join(bare, ", "), c.Name, s)
			default:
				d.info("MCP servers not behind bulwark's proxy: %s (the hook judges their calls and output; the proxy would add tool-change holds: 'bulwark install --mcp --client %s --scope %s')", strings.Join(bare, ", "), c.Name, s)
			}
			if len(remote) > 0 {
				d.info("remote MCP servers (the proxy speaks stdio, so it cannot stand in front of them): %s", strings.Join(remote, ", "))
			}
			d.section("")
		}
	}
}
