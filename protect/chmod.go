package protect

import "strings"

// Permission bits of the owner that a member needs.
const (
	bitR = 4
	bitW = 2
	bitX = 1
)

// cutsAccess reports whether `chmod MODE` takes away from the owner one of
// the bits in need. A mode that cannot be read (a reference file, a
// run-time value) counts as cutting.
func cutsAccess(mode string, need int) bool {
	if mode == "" || strings.ContainsAny(mode, "$`") || strings.HasPrefix(mode, "--reference") {
		return true
	}
	if isOctal(mode) {
		if len(mode) < 3 {
			// "chmod 0 x", "chmod 7 x": the owner digit is 0 (missing).
			return true
		}
		d := int(mode[len(mode)-3] - '0')
		return d&need != need
	}
	for _, clause := range strings.Split(mode, ",") {
		i := 0
		who := ""
		for i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0 {
			who += clause[i : i+1]
			i++
		}
		if who != "" && !strings.ContainsAny(who, "ua") {
			continue // g, o: not the owner
		}
		for i < len(clause) {
			op := clause[i]
			if op != '-' && op != '+' && op != '=' {
				return true // not a mode we can read
			}
			i++
			bits := 0
			for i < len(clause) && strings.IndexByte("-+=", clause[i]) < 0 {
				switch clause[i] {
				case 'r':
					bits |= bitR
				case 'w':
					bits |= bitW
				case 'x', 'X':
					bits |= bitX
				case 'u', 'g', 'o':
					bits |= bitR | bitW | bitX // copied from another class: unknown
					if op == '-' {
						return true
					}
				}
				i++
			}
			switch op {
			case '-':
				if bits&need != 0 {
					return true
				}
			case '=':
				if bits&need != need {
					return true
				}
			}
		}
	}
	return false
}

func isOctal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return s != ""
}
