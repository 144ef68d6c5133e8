package clients

import (
	"path/filepath"

	"github.com/bulwark-guard/bulwark/protect"
)

// The clients' locations are members of bulwark's protected set (package
// protect) wherever a set is built for a home without a runtime's own
// (examples, `bulwark validate`, the pack tests).
func init() {
	protect.RegisterClients(func(home string) []protect.Member {
		return Members(Locations(EnvFrom(home, "/", nil)))
	})
}

// Members turns locations into members of the protected set: settings,
// hooks, plugins and policy are critical (they decide whether and how
// bulwark is called), state (trust, allowed tools) is protected less; skill
// and agent definitions and MCP server lists are not members (writing a
// skill is everyday work; other guards judge MCP servers). A project's
// locations are members in every project (by their path relative to it),
// and a tool write to a project's settings is judged by its content.
func Members(locs []Location) []protect.Member {
	out := make([]protect.Member, 0, len(locs))
	titles := map[string]string{}
	for _, l := range locs {
		title, ok := titles[l.Client]
		if !ok {
			title = l.Client
			if c, err := Lookup(l.Client); err == nil && c.Title != "" {
				title = c.Title
			}
			titles[l.Client] = title
		}
		m := protect.Member{Path: filepath.ToSlash(l.Path), Tree: l.Tree, Owner: protect.OwnerClient,
			What: title + "'s " + string(l.Scope) + " " + string(l.Kind)}
		switch l.Kind {
		case KindSettings, KindHooks, KindPlugins, KindPolicy:
		case KindState:
			m.Level = protect.State
		default:
			continue
		}
		if l.ProjectRel != "" {
			m.Path, m.Rel = "", l.ProjectRel
			m.Judged = l.Kind == KindSettings
		}
		out = append(out, m)
	}
	return out
}
