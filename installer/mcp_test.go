package installer

import (
	"encoding/json"
	"strings"
	"testing"
)

const bin = "/opt/bulwark/bin/bulwark"

func TestWrapUnwrapMCPIsExact(t *testing.T) {
	// Canonical layout (JSON.stringify(v, null, 2)), as the clients write.
	for name, doc := range map[string]string{
		"claude.json": `{
  "numStartups": 3,
  "mcpServers": {
    "fs": {
      "type": "stdio",
      "command": "npx",
      "args": [
        "-y",
        "@modelcontextprotocol/server-filesystem",
        "/tmp"
      ],
      "env": {}
    },
    "remote": {
      "type": "http",
      "url": "https://example.invalid/mcp"
    }
  },
  "projects": {
    "/home/u/p": {
      "mcpServers": {
        "git": {
          "command": "uvx",
          "args": [
            "mcp-server-git"
          ]
        }
      }
    }
  }
}`,
		"desktop, no args, CRLF": "{\r\n  \"mcpServers\": {\r\n    \"srv\": {\r\n      \"command\": \"/opt/srv\",\r\n      \"env\": {\r\n        \"K\": \"v\"\r\n      }\r\n    }\r\n  }\r\n}\r\n",
		"gemini settings": `{
  "hooks": {},
  "mcpServers": {
    "py": {
      "command": "python3",
      "args": [
        "-m",
        "server"
      ],
      "cwd": "./srv",
      "timeout": 30000,
      "trust": false
    },
    "web": {
      "httpUrl": "https://example.invalid/mcp"
    }
  }
}
`,
	} {
		wrapped, rec, skipped, err := WrapMCP([]byte(doc), bin, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		root, err := ParseDocument(wrapped)
		if err != nil {
			t.Fatalf("%s: wrapped file is not JSON: %v", name, err)
		}
		for _, s := range MCPServers(root) {
			if s.Remote {
				if s.Wrapped {
					t.Errorf("%s: remote %s wrapped", name, s.Name)
				}
				continue
			}
			if !s.Wrapped || s.Entry.Get("command").Str() != bin {
				t.Errorf("%s: %s not wrapped: %s", name, s.Name, s.Entry.Encode())
			}
			args := s.Entry.Get("args").arrayElems()
			if args[3].Str() != s.Name || args[4].Str() != "--" {
				t.Errorf("%s: %s args %s", name, s.Name, s.Entry.Get("args").Encode())
			}
		}
		if strings.Contains(doc, "url") || strings.Contains(doc, "httpUrl") {
			if len(skipped) != 1 {
				t.Errorf("%s: skipped %v, want the remote server", name, skipped)
			}
		}
		// Idempotent: a second install changes nothing.
		again, rec2, _, _ := WrapMCP(wrapped, bin, rec)
		if string(again) != string(wrapped) || len(rec2.Servers) != len(rec.Servers) {
			t.Errorf("%s: a second install changed the file or the record", name)
		}
		// The record survives the manifest's JSON.
		b, _ := json.Marshal(rec)
		var back MCPRecord
		json.Unmarshal(b, &back)
		back.Binary = bin
		out, kept, err := UnwrapMCP(wrapped, &back)
		if err != nil || len(kept) != 0 {
			t.Fatalf("%s: unwrap: %v, kept %v", name, err, kept)
		}
		if string(out) != doc {
			t.Errorf("%s: install then uninstall:\n%s\nwant the original bytes:\n%s", name, out, doc)
		}
	}
}

func TestUnwrapMCPLeavesChangedEntries(t *testing.T) {
	doc := "{\n  \"mcpServers\": {\n    \"a\": {\n      \"command\": \"node\",\n      \"args\": [\n        \"a.js\"\n      ]\n    },\n    \"b\": {\n      \"command\": \"node\",\n      \"args\": [\n        \"b.js\"\n      ]\n    }\n  }\n}\n"
	wrapped, rec, _, err := WrapMCP([]byte(doc), bin, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The user points a at something else after install, and removes b.
	root, _ := ParseDocument(wrapped)
	root.Get("mcpServers").Get("a").Set("args", NewArray(NewString("mine.js")))
	root.Get("mcpServers").Delete("b")
	edited := root.Encode()
	out, kept, err := UnwrapMCP(edited, rec)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(edited) || len(kept) != 2 {
		t.Errorf("unwrap over a changed file: kept %v\n%s", kept, out)
	}
}
