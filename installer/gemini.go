package installer

import "fmt"

// Gemini CLI: ~/.gemini/settings.json or .gemini/settings.json. Install adds
// to "hooks" one group per event, BeforeTool and AfterTool:
//
//	{"matcher": ".*", "hooks": [{"type": "command", "name": "bulwark",
//	  "command": "\"/abs/bulwark\" hook --client gemini --profile balanced",
//	  "timeout": 10000}]}
//
// (timeout in milliseconds; the matcher is a regex over tool names), and
// sets "tools"."enableHooks" to true, without which Gemini CLI ignores the
// hooks. The previous value of enableHooks (absent or false) is recorded and
// restored by uninstall.
var geminiSpec = &spec{
	client:  Gemini,
	events:  []string{"BeforeTool", "AfterTool"},
	grouped: true,
	matcher: ".*",
	handler: func(cmd string, o Options) *Value {
		return NewObject(
			"type", NewString("command"),
			"name", NewString(Marker),
			"command", NewString(cmd),
			"timeout", NewInt(o.timeout()*1000),
		)
	},
	extra: func(root *Value, _ Options, rec, _ *Record) error {
		tools, err := ensure(root, "tools", "tools", KindObject, rec)
		if err != nil {
			return err
		}
		const path = "tools/enableHooks"
		eh := tools.Get("enableHooks")
		switch {
		case eh == nil:
			rec.markCreated(path)
		case eh.IsTrue():
			return nil
		case eh.Kind == KindObject || eh.Kind == KindArray:
			return fmt.Errorf("%q is %s, expected a boolean; fix it by hand, bulwark left the file untouched", path, kindNames[eh.Kind])
		default:
			if _, ok := rec.Previous[path]; !ok && !rec.created(path) {
				rec.Previous[path] = eh.Raw
			}
		}
		tools.Set("enableHooks", NewBool(true))
		return nil
	},
	unextra: func(root *Value, rec *Record) error {
		const path = "tools/enableHooks"
		tools := root.Get("tools")
		if rec == nil || tools == nil || tools.Kind != KindObject || !tools.Get("enableHooks").IsTrue() {
			return nil
		}
		if prev, ok := rec.Previous[path]; ok {
			tools.Set("enableHooks", &Value{Kind: literalKind(prev), Raw: prev})
		} else if rec.created(path) {
			tools.Delete("enableHooks")
			if tools.Empty() && rec.created("tools") {
				root.Delete("tools")
			}
		}
		return nil
	},
}

func literalKind(raw string) Kind {
	switch {
	case raw == "true" || raw == "false":
		return KindBool
	case raw == "null":
		return KindNull
	case len(raw) > 0 && raw[0] == '"':
		return KindString
	}
	return KindNumber
}
